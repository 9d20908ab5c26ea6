"""Ctrl-C (SIGINT) sent to a real run, compared with pytest 9.2 under the same signal.

A test of the project writes a marker file and sleeps; once the marker exists the
test sends SIGINT, either to the whole process group (what a terminal's Ctrl-C does)
or to the top process only (``kill -INT PID``: fastest must pass it on to its
workers). pytest and fastest must then print the same report (the test that was
running shows as pytest shows it, the module fixture is torn down, the summary and
the ``KeyboardInterrupt`` banner) and exit 2. The cache files written by both must say
the same, and fastest's history keeps the tests that finished, not the interrupted one.

Tests raising ``KeyboardInterrupt`` or calling ``pytest.exit`` themselves are compared
by the run oracle (``run_cases/interrupt``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path
from typing import List, Tuple

import pytest

from oracle_harness import RUN_TIMEOUT, child_env, find_pytest, normalise, require_fastest

SLOW_MODULE = textwrap.dedent(
    """
    import os
    import time

    import pytest


    @pytest.fixture(scope="module")
    def shared():
        yield
        print("module fixture down")


    def test_first(shared):
        pass


    def test_fails(shared):
        assert 2 * 2 == 5


    def test_slow(shared):
        open(os.environ["FASTEST_TEST_MARKER"], "w").close()
        time.sleep(120)


    def test_never_runs():
        pass
    """
)

OTHER_MODULE = textwrap.dedent(
    """
    import time


    def test_other_slow():
        time.sleep(120)


    def test_other_never():
        pass
    """
)


def _project(root: Path, *, other: bool = False) -> Path:
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_slow.py").write_text(SLOW_MODULE)
    if other:
        (root / "test_other.py").write_text(OTHER_MODULE)
    return root


def _interrupt(cmd: List[str], cwd: Path, *, group: bool) -> Tuple[int, str, str]:
    """Run ``cmd``, send SIGINT once the slow test has started, return its exit code
    and output."""
    marker = cwd / "started.marker"
    env = child_env({"NO_COLOR": "1", "FASTEST_TEST_MARKER": str(marker)})
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not marker.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                out, err = proc.communicate()
                pytest.fail(f"the slow test never started:\n{out}\n{err}")
            time.sleep(0.02)
        # The test is inside its sleep (or about to be): either way the interrupt
        # lands in the test's call.
        time.sleep(0.3)
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    marker.unlink(missing_ok=True)
    return proc.returncode, out, err


def _cache_file(root: Path, name: str) -> object:
    path = root / ".pytest_cache" / "v" / "cache" / name
    return json.loads(path.read_text()) if path.exists() else None


@pytest.mark.parametrize("group", [True, False], ids=["process-group", "top-process"])
@pytest.mark.parametrize("extra", [[], ["-v", "-rA"]], ids=["default", "verbose"])
def test_sigint_reports_as_pytest(tmp_path: Path, group: bool, extra: List[str]) -> None:
    fastest = require_fastest()
    expected_root = _project(tmp_path / "pytest")
    actual_root = _project(tmp_path / "fastest")
    # The same path for both runs' output: run pytest in one project, fastest in the
    # other, and name the rootdir alike when comparing.
    e_code, e_out, e_err = _interrupt(find_pytest() + extra, expected_root, group=group)
    a_code, a_out, a_err = _interrupt(
        fastest + ["--engine", "native"] + extra, actual_root, group=group
    )
    assert e_code == 2, e_out + e_err
    assert (a_code, a_err) == (e_code, e_err), a_out + a_err

    def same(text: str, root: Path) -> str:
        text = text.replace(str(root), "<ROOT>")
        # `-v` names the interpreter; the two console scripts may spell it apart.
        return "\n".join(
            l.split(" -- ")[0] if l.startswith("platform ") else l
            for l in normalise(text).splitlines()
        )

    assert same(a_out, actual_root) == same(e_out, expected_root)
    # pytest's cacheprovider writes its files on the way out of an interrupted session.
    for name in ("lastfailed", "nodeids"):
        assert _cache_file(actual_root, name) == _cache_file(expected_root, name), name


def test_sigint_parallel_stops_every_worker(tmp_path: Path) -> None:
    fastest = require_fastest()
    root = _project(tmp_path / "proj", other=True)
    started = time.monotonic()
    code, out, err = _interrupt(
        fastest + ["--engine", "native", "-n", "2", "-p", "no:cacheprovider"], root, group=False
    )
    # Both slow tests sleep for two minutes: the run ended because both workers were
    # interrupted, not because the tests finished.
    assert time.monotonic() - started < 100, out
    assert code == 2, out + err
    assert err == "", err
    lines = out.splitlines()
    banner = [l for l in lines if "KeyboardInterrupt" in l and l.startswith("!")]
    assert len(banner) == 1, out
    assert "(to show a full traceback on KeyboardInterrupt use --full-trace)" in lines
    assert "module fixture down" in out
    assert lines[-1].startswith("=") and "1 failed, 1 passed" in lines[-1], out
    # The history keeps what finished and forgets the interrupted tests.
    history = json.loads((root / ".fastest_cache" / "history-v1.json").read_text())["tests"]
    assert set(history) == {"test_slow.py::test_first", "test_slow.py::test_fails"}
    assert history["test_slow.py::test_fails"]["outcome"] == "failed"
