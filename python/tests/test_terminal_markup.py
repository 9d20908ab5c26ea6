"""On a terminal fastest prints what pytest prints there: colours by default (pytest's
``should_do_markup``), the ``collecting ...`` line rewritten in place, the terminal's own
width. Both tools run the same copy of a project under a pseudo-terminal of the same
size. With the live progress display off (``--no-progress-bar``) the bytes they write
must be equal once the run time is normalised; with it on (the default) the screen they
leave, replayed through a terminal emulator (pyte), must be equal, and the display must
have been drawn on the way.

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


def _screen(text: str) -> str:
    """What ``text`` leaves on a terminal ``COLUMNS`` wide (tall enough not to scroll)."""
    import pyte

    screen = pyte.Screen(COLUMNS, 400)
    stream = pyte.Stream(screen)
    stream.feed(text.replace("\n", "\r\n"))
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


#: The live display's status line (``live.rs``).
_STATUS = re.compile(r"\[\d+/\d+\](?:\x1b\[0m)? \d+s elapsed")


def _compare(tmp_path: Path, project: Path, args: Sequence[str], live: bool = False) -> None:
    fastest = require_fastest()
    root = tmp_path / "proj"
    shutil.copytree(project, root)
    base = ["-p", "no:cacheprovider", *args]
    code_py, out_py = _run_pty([*find_pytest(), *base], root, _env())
    shutil.rmtree(root)
    shutil.copytree(project, root)
    own = [] if live else ["--no-progress-bar"]
    code_fa, out_fa = _run_pty([*fastest, *own, *base], root, _env())
    assert "cannot run natively" not in out_fa, out_fa
    if live:
        assert _normalised(_screen(out_fa)) == _normalised(_screen(out_py))
        showed = bool(_STATUS.search(out_fa))
        # Progress letters get the display; a line per test or a listing does not.
        letters = "--collect-only" not in args and "-v" not in args
        assert showed == letters, out_fa
    else:
        assert _normalised(out_fa) == _normalised(out_py)
        assert not _STATUS.search(out_fa)
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


@pytest.mark.parametrize("live", [False, True], ids=["plain", "live"])
@pytest.mark.parametrize("name", list(RUN_ARGS))
def test_run_on_a_terminal_matches_pytest(tmp_path: Path, name: str, live: bool):
    _compare(tmp_path, HERE / "run_cases" / "basic", RUN_ARGS[name], live)


@pytest.mark.parametrize("live", [False, True], ids=["plain", "live"])
@pytest.mark.parametrize("args", [["--collect-only"], ["--continue-on-collection-errors", "-rA"]])
def test_collection_errors_on_a_terminal_match_pytest(tmp_path: Path, args: List[str], live: bool):
    _compare(tmp_path, CASES_DIR / "bad_syntax", args, live)


_SLOW = """
import time

import pytest


@pytest.mark.parametrize("n", range(3))
def test_slow(n):
    time.sleep(0.3)


def test_prints_past_capture(capsys):
    with capsys.disabled():
        print("straight to the terminal")
"""


def test_live_display_shows_running_tests_and_the_time_left_from_history(tmp_path: Path):
    """The display names the test running now; on the second run the estimate comes
    from the stored durations (from the first line on, before any test finishes). A
    test writing past capture gets the terminal to itself, as under pytest."""
    fastest = require_fastest()
    project = tmp_path / "src"
    project.mkdir()
    (project / "test_live.py").write_text(_SLOW)
    root = tmp_path / "proj"
    shutil.copytree(project, root)
    code_py, out_py = _run_pty([*find_pytest(), "-p", "no:cacheprovider"], root, _env())
    shutil.rmtree(root)
    shutil.copytree(project, root)
    runs = [_run_pty([*fastest, "-p", "no:cacheprovider"], root, _env()) for _ in range(2)]
    for code, out in runs:
        assert code == code_py == 0
        assert _normalised(_screen(out)) == _normalised(_screen(out_py))
        assert "running: test_live.py::test_slow[0]" in out, out
    first_status = _STATUS.search(runs[1][1])
    assert first_status is not None
    line = runs[1][1][first_status.start():].split("\n", 1)[0]
    assert re.search(r"elapsed, about \ds left", line), line
