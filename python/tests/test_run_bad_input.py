"""Bad input under a native run: tests that kill their worker, raise BaseExceptions, or
print a lot. Every other test still runs and reports; the exit code is pytest's 1.

pytest itself dies with the process on a segfault or `os._exit`, so there is no oracle
for those: the crashed test is reported as failed (pytest-xdist's wording) and a new
worker goes on with the rest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from oracle_harness import find_pytest, require_fastest


def _project(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_bad.py").write_text(textwrap.dedent(body))
    return tmp_path


def _run(cmd: list[str], root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_ENGINE": "native"})
    return subprocess.run(
        [*cmd, "-p", "no:cacheprovider", "-q"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_import_error_the_parser_cannot_see_is_a_collection_error(tmp_path: Path) -> None:
    """A proven test module whose import fails in a module it imports: the worker finds
    it before the first test, and the session is reported as pytest's collection reports
    it (one error, interrupted, exit 2), no test run and the header written once."""
    root = _project(
        tmp_path,
        """
        import helper_mod

        def test_x():
            pass
        """,
    )
    (root / "helper_mod.py").write_text('raise RuntimeError("boom in helper")\n')
    (root / "test_ok.py").write_text("def test_ok():\n    pass\n")
    r = _run(require_fastest(), root)
    assert "INTERNALERROR" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert r.returncode == 2, r.stdout + r.stderr
    assert "test_bad.py:2: in <module>\n    import helper_mod\n" in r.stdout, r.stdout
    assert "E   RuntimeError: boom in helper" in r.stdout
    assert "ERROR test_bad.py - RuntimeError: boom in helper" in r.stdout
    assert "Interrupted: 1 error during collection" in r.stdout
    assert "passed" not in r.stdout
    expected = _run(find_pytest(), root)
    timeless = lambda out: re.sub(r" in \d+\.\d+s", "", out)
    assert (r.returncode, timeless(r.stdout)) == (expected.returncode, timeless(expected.stdout))


@pytest.mark.parametrize(
    "body",
    ["import os\nos._exit(7)\n", "import ctypes\nctypes.string_at(0)\n"],
    ids=["os-exit", "segfault"],
)
def test_a_module_that_ends_the_process_at_import_ends_the_run_as_pytest(
    tmp_path: Path, body: str
) -> None:
    """pytest's process dies importing the module at collection: nothing more is
    printed and its exit code (or signal) is the session's. fastest's worker dies the
    same way before its first test, and fastest ends as pytest's process did."""
    root = _project(tmp_path, body + "\ndef test_x():\n    pass\n")
    (root / "test_ok.py").write_text("def test_ok():\n    pass\n")
    expected = _run(find_pytest(), root)
    actual = _run(require_fastest(), root)
    assert expected.returncode in (7, -11), expected
    assert (actual.returncode, actual.stdout) == (expected.returncode, expected.stdout), actual


def test_a_dying_worker_loses_only_its_test(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        """
        import ctypes
        import os

        def test_before():
            pass

        def test_exit():
            os._exit(3)

        def test_segfault():
            ctypes.string_at(0)

        def test_after():
            pass
        """,
    )
    res = _run(require_fastest(), root)
    assert res.returncode == 1, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(".FF."), res.stdout
    assert "worker crashed while running 'test_bad.py::test_exit': exit code 3" in res.stdout
    assert "worker crashed while running 'test_bad.py::test_segfault': signal 11" in res.stdout
    assert lines[-1].startswith("2 failed, 2 passed"), res.stdout


def test_a_session_pytest_runs_ends_as_pytest_when_a_test_crashes_it(tmp_path: Path) -> None:
    """With faulthandler off, pytest runs the session (fastest's worker relies on it to
    tell a crash): pytest dies of the segfault, and so does fastest (status 139 in a
    shell), after the same output."""
    root = _project(
        tmp_path,
        """
        import ctypes

        def test_before():
            pass

        def test_segfault():
            ctypes.string_at(0)
        """,
    )
    cmd = ["-p", "no:faulthandler"]
    expected = _run([*find_pytest(), *cmd], root)
    actual = _run([*require_fastest(), "--engine", "auto", *cmd], root)
    assert expected.returncode == -11, expected
    assert (actual.returncode, actual.stdout) == (expected.returncode, expected.stdout), actual


@pytest.mark.parametrize(
    "body",
    [
        # BaseExceptions a test raises: pytest reports them as failures.
        "def test_systemexit():\n    raise SystemExit(3)\n\ndef test_ok():\n    pass\n",
        "def test_base():\n    raise GeneratorExit()\n\ndef test_ok():\n    pass\n",
        # 100 MB of output, captured.
        "def test_loud():\n    print('x' * (100 * 1024 * 1024))\n    assert False\n\ndef test_ok():\n    pass\n",
        # A thread left running does not hold the run.
        "import threading, time\n\ndef test_thread():\n    threading.Thread(target=time.sleep, args=(1,), daemon=True).start()\n\ndef test_ok():\n    pass\n",
        # What the process prints on its way out (a thread the session waits for, an
        # atexit function) comes after the summary.
        "import atexit, threading, time\n\ndef test_atexit():\n    atexit.register(print, 'bye from atexit')\n\n"
        "def test_thread():\n    threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n",
        # A test closing the low descriptors it finds are sockets (argcomplete's
        # completer writes to fd 8 and closes it): pytest's one process has none there,
        # and the worker's socket to the coordinator is not among them either.
        "import os, stat\n\ndef test_close_low_sockets():\n    for fd in range(3, 64):\n"
        "        try:\n            mode = os.fstat(fd).st_mode\n        except OSError:\n"
        "            continue\n        if stat.S_ISSOCK(mode):\n            os.close(fd)\n\n"
        "def test_after():\n    print('still reporting')\n\ndef test_fails():\n    assert False\n",
    ],
    ids=["systemexit", "baseexception", "100MB-output", "thread", "atexit", "low-fds"],
)
def test_like_pytest(tmp_path: Path, body: str) -> None:
    root = _project(tmp_path, body)
    ours = _run(require_fastest(), root)
    theirs = _run(find_pytest(), root)
    assert ours.returncode == theirs.returncode, ours.stdout[-2000:] + ours.stderr
    # The progress line and the final counts (100 MB of `x` are not compared by eye).
    strip = lambda s: [l.split(" in ")[0] for l in s.splitlines() if l and not l.startswith("x" * 50)]
    assert strip(ours.stdout)[0] == strip(theirs.stdout)[0]
    assert strip(ours.stdout)[-1] == strip(theirs.stdout)[-1]
    if "atexit" in body:
        assert strip(ours.stdout)[-3:] == strip(theirs.stdout)[-3:], ours.stdout


@pytest.mark.parametrize("args", [["--bogus"], ["--help"]], ids=["unknown-option", "help"])
def test_python_dash_m_names_itself_as_python_dash_m_pytest(tmp_path: Path, args: list) -> None:
    # pytest's `_get_prog_name`: started as `python -m pytest`, its usage line says so.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env["COLUMNS"] = "80"
    runs = [
        subprocess.run([sys.executable, "-m", module, "-p", "no:cacheprovider", *args],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        for module in ("pytest", "fastest")
    ]
    expected, actual = runs
    assert "python -m pytest" in expected.stdout + expected.stderr
    assert (actual.returncode, actual.stdout, actual.stderr) == (
        expected.returncode, expected.stdout, expected.stderr
    )


def test_an_interpreter_without_pytest_is_told_so(tmp_path: Path):
    """fastest's workers run tests with pytest's own machinery in the user's
    interpreter: without pytest there, a clear error (a usage error's exit code), not a
    worker's traceback."""
    import venv

    from oracle_harness import fastest_in

    env_dir = tmp_path / "bare-venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    cmd, extra = fastest_in([str(env_dir / "bin" / "pytest")])
    (tmp_path / "proj").mkdir()
    root = _project(tmp_path / "proj", "def test_ok():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    res = subprocess.run([*cmd, "-q"], cwd=root, env={**env, **extra},
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 4, (res.stdout, res.stderr)
    assert "pytest is not installed for" in res.stderr, res.stderr
    assert "Traceback" not in res.stdout + res.stderr


LEAK = """
import socket


class Holder:
    pass


def test_leaks_a_socket_in_a_cycle():
    holder = Holder()
    holder.itself = holder
    holder.sock = socket.socket()


def test_after():
    pass
"""


def test_an_unraisable_exception_at_the_sessions_end_fails_it_as_under_pytest(tmp_path: Path):
    """A socket left open in a reference cycle is freed by pytest's last garbage
    collection (its unraisableexception plugin's `pytest_unconfigure`); under
    `filterwarnings = error` its ResourceWarning becomes an error pytest's process dies
    with after the summary: exit status 1, the traceback on stderr."""
    root = _project(tmp_path, LEAK)
    (root / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    expected = _run(find_pytest(), root)
    actual = _run(require_fastest(), root)
    assert expected.returncode == actual.returncode == 1, (expected.stderr, actual.stderr)
    last = lambda out: out.strip().splitlines()[-1].split(" in ")[0]  # noqa: E731
    assert last(actual.stdout) == last(expected.stdout) == "2 passed"
    for text in (expected.stderr, actual.stderr):
        assert "ResourceWarning: unclosed <socket.socket" in text, text
        assert "pytest.PytestUnraisableExceptionWarning: Exception ignored in: <socket.socket" in text
    # Without the error filter the session passes.
    (root / "pytest.ini").write_text("[pytest]\n")
    assert _run(require_fastest(), root).returncode == 0


@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "n2"])
def test_a_temp_dir_that_does_not_exist_is_skipped_as_python_skips_it(
    tmp_path: Path, extra: list
) -> None:
    """`TMPDIR` naming a missing directory: Python's `tempfile.gettempdir()` (and so
    pytest's `tmp_path`) falls back to `/tmp`; fastest's own temporary files (worker
    sockets, the import fallback's result) do the same instead of failing the run."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_tmp.py").write_text(textwrap.dedent(
        """
        import pytest

        IDS = [str(n) for n in range(2)]


        @pytest.mark.parametrize("n", [0, 1], ids=lambda n: IDS[n])
        def test_writes(tmp_path, n):
            (tmp_path / "f").write_text(str(n))
            assert (tmp_path / "f").read_text() == str(n)
        """
    ))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"NO_COLOR": "1", "TMPDIR": str(tmp_path / "missing")})
    def run(cmd: list) -> subprocess.CompletedProcess:
        return subprocess.run([*cmd, "-p", "no:cacheprovider", "-q", *extra], cwd=root,
                              env=env, capture_output=True, text=True, timeout=120)

    if not extra:
        expected = run(find_pytest())
        assert expected.returncode == 0, expected.stdout + expected.stderr
    actual = run(require_fastest())
    assert actual.returncode == 0, actual.stdout + actual.stderr
    assert "INTERNALERROR" not in actual.stderr
    assert re.search(r"^2 passed in ", actual.stdout, re.M), actual.stdout
