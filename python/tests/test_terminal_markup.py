"""On a terminal fastest prints what pytest prints there: colours by default (pytest's
``should_do_markup``), the ``collecting ...`` line rewritten in place, the terminal's own
width. Both tools run the same copy of a project under a pseudo-terminal of the same
size; the bytes they write must be equal once the run time is normalised.

Runs are native (``FASTEST_ENGINE=native``): a pass is fastest's own rendering.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest

from oracle_harness import CASES_DIR, HERE, RUN_TIMEOUT, child_env, find_pytest, normalise, require_fastest

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
]

COLUMNS = 100

#: pytest's intermediate ``collecting N items`` rewrites appear only when collection
#: takes longer than half a second: timing, not rendering.
_COLLECTING = re.compile(r"(?:\x1b\[1m)?\rcollecting \d+ items?[^\r\n\x1b]*(?:\x1b\[0m)?")


def _run_pty(cmd: Sequence[str], cwd: Path, env: dict) -> Tuple[int, str]:
    """``cmd`` with a pseudo-terminal of ``COLUMNS`` columns as stdin and stdout."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
        close_fds=True,
    )
    os.close(slave)
    chunks: List[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    try:
        proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.stderr is not None:
            proc.stderr.close()
    # The terminal turns each newline into CR LF.
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return proc.returncode, text


def _env() -> dict:
    # PYTHONHASHSEED: pytest's coloured log levels iterate a set of markup names.
    env = child_env({"TERM": "xterm", "FASTEST_ENGINE": "native", "PYTHONHASHSEED": "0"})
    # The width comes from the terminal.
    env.pop("COLUMNS", None)
    return env


def _normalised(text: str) -> str:
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)  # object addresses in tracebacks
    return normalise(_COLLECTING.sub("", text), width=COLUMNS)


def _compare(tmp_path: Path, project: Path, args: Sequence[str]) -> None:
    fastest = require_fastest()
    root = tmp_path / "proj"
    shutil.copytree(project, root)
    base = ["-p", "no:cacheprovider", *args]
    code_py, out_py = _run_pty([*find_pytest(), *base], root, _env())
    shutil.rmtree(root)
    shutil.copytree(project, root)
    code_fa, out_fa = _run_pty([*fastest, *base], root, _env())
    assert "cannot run natively" not in out_fa, out_fa
    assert _normalised(out_fa) == _normalised(out_py)
    assert code_fa == code_py
    # The point of the comparison: a terminal gets pytest's colours.
    if "--color=no" not in args:
        assert "\x1b[" in out_py


RUN_ARGS = {
    "default": [],
    "quiet": ["-q"],
    "verbose": ["-v", "-rA"],
    "no-colour": ["--color=no"],
    "collect-only": ["--collect-only"],
}


@pytest.mark.parametrize("name", list(RUN_ARGS))
def test_run_on_a_terminal_matches_pytest(tmp_path: Path, name: str):
    _compare(tmp_path, HERE / "run_cases" / "basic", RUN_ARGS[name])


@pytest.mark.parametrize("args", [["--collect-only"], ["--continue-on-collection-errors", "-rA"]])
def test_collection_errors_on_a_terminal_match_pytest(tmp_path: Path, args: List[str]):
    _compare(tmp_path, CASES_DIR / "bad_syntax", args)
