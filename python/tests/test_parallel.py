"""Parallel runs (``fastest -n N``): scope groups, history, pytest-xdist compatibility.

The oracle for ``-n`` is pytest-xdist: ``pytest -n 2`` (the ``xdist_pytest`` fixture of
conftest.py: pytest 9.2 with pytest-xdist 3.8.0 in a venv of its own) runs the same project, and the two
must agree on every test's outcome, the summary counts, the exit code and the header's
worker lines. The order in which parallel results arrive is not deterministic on either
side, so the progress letters are compared as a multiset and the short summary as a set.

Every fastest run here is native (``FASTEST_ENGINE=native``): fastest refuses rather
than hands the run to pytest.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from oracle_harness import RUN_TIMEOUT, child_env, fastest_in, require_fastest

def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, body in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(body))
    return root


def _run(cmd: List[str], root: Path, *args: str, env: Dict[str, str] | None = None):
    e = child_env({"NO_COLOR": "1", "FASTEST_ENGINE": "native", **(env or {})})
    return subprocess.run(
        [*cmd, "-p", "no:cacheprovider", *args],
        cwd=root, env=e, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=RUN_TIMEOUT,
    )


MIXED = {
    "pytest.ini": "[pytest]\n",
    "test_a.py": """
        import pytest

        def test_a1():
            pass

        def test_a2():
            assert 1 == 2

        @pytest.mark.skip(reason="nope")
        def test_a3():
            pass

        class TestC:
            def test_c1(self):
                pass

            def test_c2(self):
                print("hi")
                assert 0
    """,
    "test_b.py": """
        import pytest

        @pytest.mark.parametrize("x", [0, 1, 2, 3, 4])
        def test_b(x):
            pass

        @pytest.mark.xfail
        def test_bx():
            assert 0
    """,
    "sub/test_c.py": """
        import pytest

        @pytest.fixture(scope="module")
        def res():
            yield 1

        def test_uses(res):
            assert res == 1

        def test_error(nope_not_defined_anywhere_but_here):
            pass

        @pytest.fixture
        def nope_not_defined_anywhere_but_here():
            raise RuntimeError("setup broke")
    """,
}

_SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) .*$", re.M)
_FINAL = re.compile(r"^=* ?(.*?) in \d+\.\d\ds ?=*$", re.M)


def _shape(stdout: str) -> Tuple[List[str], Counter, List[str], str]:
    """(header lines, progress letters, short-summary lines, final counts)."""
    lines = stdout.splitlines()
    header = [l for l in lines[:8] if l.startswith(("created:", "bringing up")) or " worker" in l]
    progress = next((l for l in lines if l.endswith("[100%]")), "")
    letters = Counter(progress.split(" ")[0]) if progress else Counter()
    summary = sorted(m.group(0) for m in _SUMMARY.finditer(stdout))
    final = _FINAL.findall(stdout)
    return header, letters, summary, final[-1] if final else ""


@pytest.mark.parametrize("args", [(), ("-q",), ("-rA",), ("-x",)], ids=["default", "q", "rA", "x"])
def test_outcomes_match_pytest_xdist(tmp_path: Path, xdist_pytest: List[str], args):
    root = _write(tmp_path, MIXED)
    expected = _run(xdist_pytest, root, "-n", "2", *args)
    actual = _run(require_fastest(), root, "-n", "2", *args)
    assert "cannot run natively" not in actual.stderr, actual.stderr
    if "-x" in args:
        # fastest's own `-n` (no pytest-xdist in its venv): the banner naming the
        # limit, exit 1, as pytest without `-n`.
        assert actual.returncode == 1
        assert "stopping after 1 failures" in actual.stdout
        assert "Interrupted" not in actual.stdout
        # With pytest-xdist installed, `-n` is its flag: which test fails first (and
        # whether a failure on the other worker still comes in) is a race on both
        # sides; both stop, pytest-xdist's controller raising its `Interrupted`
        # (exit 2) after the session's own banner.
        cmd, env = fastest_in(xdist_pytest)
        actual = _run(cmd, root, "-n", "2", *args, env=env)
        assert actual.returncode == expected.returncode == 2, (expected.stdout, actual.stdout)
        for out in (expected.stdout, actual.stdout):
            assert re.search(r"^!+ stopping after [12] failures !+$", out, re.M), out
            assert re.search(
                r"^!+ xdist\.dsession\.Interrupted: stopping after 1 failures !+\n=+ .* in ",
                out, re.M,
            ), out
        return
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    e, a = _shape(expected.stdout), _shape(actual.stdout)
    assert a == e, f"\n--- pytest-xdist\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    # Each failure's text names its worker as pytest-xdist does.
    assert re.search(r"^\[gw[01]\] \S+ -- Python \d+\.\d+\.\d+ \S+$", actual.stdout, re.M)


def test_verbose_lines_name_the_worker(tmp_path: Path, xdist_pytest: List[str]):
    root = _write(tmp_path, MIXED)
    expected = _run(xdist_pytest, root, "-n", "2", "-v")
    actual = _run(require_fastest(), root, "-n", "2", "-v")
    line = re.compile(r"^\[gw\d\] \[ *\d+%\] (\w+) (\S+) $", re.M)
    assert sorted(line.findall(actual.stdout)) == sorted(line.findall(expected.stdout))
    assert "2 workers [13 items]" in actual.stdout
    # pytest-xdist's default `--dist load` names its scheduler under -v.
    scheduling = re.compile(r"^scheduling tests via \w+$", re.M)
    assert scheduling.findall(actual.stdout) == scheduling.findall(expected.stdout) != []


def test_coloured_output_matches_pytest_xdist(tmp_path: Path, xdist_pytest: List[str]):
    """``--color=yes``: pytest-xdist's markup on verbose lines (cyan progress, the word
    by outcome), coloured letters, the final line in pytest's colours."""
    root = _write(tmp_path, MIXED)
    for args in (["-v"], []):
        expected = _run(xdist_pytest, root, "-n", "2", "--color=yes", *args)
        actual = _run(require_fastest(), root, "-n", "2", "--color=yes", *args)
        assert actual.returncode == expected.returncode
        verbose = re.compile(r"^\[gw\d\]\x1b\[36m \[ *\d+%\] \x1b\[0m(\x1b\[\d+m\w+\x1b\[0m \S+) $", re.M)
        letters = re.compile(r"\x1b\[\d+m[.FEsxX]\x1b\[0m")
        final = re.compile(r"^.* in \d+\.\d\ds.*$", re.M)
        pattern = verbose if args else letters
        assert pattern.findall(expected.stdout)
        assert sorted(pattern.findall(actual.stdout)) == sorted(pattern.findall(expected.stdout))
        strip = lambda s: re.sub(r" in \d+\.\d\ds", "", final.findall(s)[-1])
        assert strip(actual.stdout) == strip(expected.stdout)
        assert "\x1b[31m" in actual.stdout


def test_nothing_selected(tmp_path: Path, xdist_pytest: List[str]):
    root = _write(tmp_path, MIXED)
    expected = _run(xdist_pytest, root, "-n", "2", "-k", "nothing_matches")
    actual = _run(require_fastest(), root, "-n", "2", "-k", "nothing_matches")
    assert actual.returncode == expected.returncode == 5
    strip = lambda s: re.sub(r" in \d+\.\d\ds", "", s.split("created:", 1)[1])
    assert strip(actual.stdout) == strip(expected.stdout)


DOCTESTS = {
    "pytest.ini": "[pytest]\naddopts = --doctest-modules\n",
    "conftest.py": """
        import pytest

        @pytest.fixture(autouse=True)
        def names(doctest_namespace):
            doctest_namespace["answer"] = 42
    """,
    "lib.py": '''
        """The library.

        >>> answer
        42
        """

        def add(a, b):
            """
            >>> add(1, 2)
            3
            >>> add(2, 2)
            5
            """
            return a + b

        def boom():
            """
            >>> boom()
            """
            raise ValueError("bad")

        def skipped():
            """
            >>> import pytest
            >>> pytest.skip("later")
            """
    ''',
    "test_mixed.py": '''
        def double(x):
            """
            >>> double(2)
            4
            """
            return 2 * x

        def test_double():
            assert double(3) == 6

        def test_wrong():
            assert double(3) == 7
    ''',
    "test_notes.txt": """
        >>> 1 + 1
        2
        >>> 2 + 2
        5
    """,
}


@pytest.mark.parametrize("args", [(), ("-rA",), ("-v",)], ids=["default", "rA", "v"])
def test_doctests_match_pytest_xdist(tmp_path: Path, xdist_pytest: List[str], args):
    """Doctest items share their module's scope group (pytest-xdist's LoadScope scope is
    the node id's file part): outcomes, failure texts and summaries as pytest-xdist's."""
    root = _write(tmp_path, DOCTESTS)
    expected = _run(xdist_pytest, root, "-n", "2", *args)
    actual = _run(require_fastest(), root, "-n", "2", *args)
    assert "cannot run natively" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    e, a = _shape(expected.stdout), _shape(actual.stdout)
    assert a == e, f"\n--- pytest-xdist\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    verbose = re.compile(r"^\[gw\d\] \[ *\d+%\] (\w+) (\S+) $", re.M)
    assert sorted(verbose.findall(actual.stdout)) == sorted(verbose.findall(expected.stdout))
    # Each failure section, whichever worker ran it and in whatever order.
    section = re.compile(r"^_{3,} (.+?) _{3,}\n\[gw\d\] [^\n]*\n(.*?)(?=^_{3,} |^=)", re.M | re.S)
    sections = sorted(section.findall(expected.stdout))
    assert [title for title, _ in sections] == [
        "[doctest] lib.add", "[doctest] lib.boom", "[doctest] test_notes.txt", "test_wrong"
    ]
    assert sorted(section.findall(actual.stdout)) == sections


def test_module_fixture_set_up_once_per_module(tmp_path: Path):
    """Scope groups: a module's tests stay in one worker, so each module fixture is set
    up exactly once (as under plain pytest), whatever the number of workers."""
    log = tmp_path / "setups.log"
    files = {"pytest.ini": "[pytest]\n"}
    for m in range(6):
        files[f"test_m{m}.py"] = f"""
            import os, pytest

            @pytest.fixture(scope="module")
            def shared():
                with open({str(log)!r}, "a") as f:
                    f.write("m{m} " + os.environ.get("PYTEST_XDIST_WORKER", "?") + "\\n")
                return object()

            @pytest.mark.parametrize("i", [0, 1, 2, 3])
            def test_one(shared, i):
                pass

            class TestK:
                def test_two(self, shared):
                    pass
        """
    root = _write(tmp_path, files)
    r = _run(require_fastest(), root, "-n", "2", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    entries = log.read_text().split()
    modules = Counter(entries[0::2])
    assert modules == Counter({f"m{m}": 1 for m in range(6)})
    # Each worker names itself as pytest-xdist's workers do. (Whether both got work
    # depends on how fast each started: not asserted.)
    assert entries[1::2] and set(entries[1::2]) <= {"gw0", "gw1"}


def test_xdist_environment(tmp_path: Path):
    env_test = """
            import os

            def test_env():
                assert os.environ["PYTEST_XDIST_WORKER"] in ("gw0", "gw1", "gw2")
                assert os.environ["PYTEST_XDIST_WORKER_COUNT"] == "3"
                assert len(os.environ["PYTEST_XDIST_TESTRUNUID"]) == 32
        """
    # Three modules, three groups: three workers start (no more start than there is
    # work, and PYTEST_XDIST_WORKER_COUNT counts those that run).
    root = _write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "test_env.py": env_test,
        "test_env2.py": env_test,
        "test_env3.py": env_test,
        "test_plain.py": """
            import os

            def test_not_distributed():
                assert "PYTEST_XDIST_WORKER" not in os.environ
        """,
    })
    r = _run(require_fastest(), root, "-n", "3", "-q", "test_env.py", "test_env2.py", "test_env3.py")
    assert r.returncode == 0, r.stdout
    # Without -n (or with -n 0) a run is not distributed: pytest's own output.
    r = _run(require_fastest(), root, "-n", "0", "test_plain.py")
    assert r.returncode == 0 and "collected 1 item" in r.stdout and "worker" not in r.stdout


def test_xdist_scheduling_options_keep_the_run_native(tmp_path: Path, xdist_pytest: List[str]):
    """pytest-xdist's options an `addopts` names (`--maxschedchunk`, `-d`, ...) are
    accepted; `--maxprocesses` caps the worker count and `--testrunuid` is the
    `testrun_uid` fixture's value, as under pytest-xdist."""
    test = """
            import os

            def test_run(testrun_uid, worker_id):
                assert testrun_uid == "run42"
                assert os.environ["PYTEST_XDIST_WORKER_COUNT"] == "2"
                assert worker_id in ("gw0", "gw1")
        """
    root = _write(tmp_path, {
        "pytest.ini": "[pytest]\naddopts = --maxschedchunk=1 --no-loadscope-reorder -d\n",
        **{f"test_m{i}.py": test for i in range(4)},
    })
    args = ("-n", "3", "--maxprocesses=2", "--testrunuid=run42", "-q")
    expected = _run(xdist_pytest, root, *args)
    # Run by the pytest-xdist venv's interpreter: pytest-xdist's fixtures exist there.
    cmd, env = fastest_in(xdist_pytest)
    actual = _run(cmd, root, *args, env={**env, "FASTEST_LOG": "fastest_cli=debug"})
    assert expected.returncode == 0, expected.stdout
    assert actual.returncode == 0, actual.stdout + actual.stderr
    assert _shape(actual.stdout) == _shape(expected.stdout)
    assert "pytest collects the whole session" not in actual.stderr, actual.stderr
    bad = _run(cmd, root, "--maxschedchunk=x", env=env)
    assert bad.returncode == 4 and "invalid int value" in bad.stderr, bad.stderr


SLOW = {
    "pytest.ini": "[pytest]\n",
    # Alphabetical order puts the slow module last; history must put it first.
    "test_a_fast.py": "def test_f1():\n    pass\n\ndef test_f2():\n    pass\n",
    "test_b_fast.py": "def test_g():\n    pass\n",
    "test_z_slow.py": "import time\n\ndef test_slow():\n    time.sleep(0.5)\n",
}


def test_history_puts_the_slowest_group_first(tmp_path: Path):
    root = _write(tmp_path, SLOW)
    first = _run(require_fastest(), root, "-n", "2", "-v")
    assert first.returncode == 0, first.stdout + first.stderr
    history = json.loads((root / ".fastest_cache" / "history-v1.json").read_text())
    tests = history["tests"]
    assert set(tests) == {"test_a_fast.py::test_f1", "test_a_fast.py::test_f2",
                          "test_b_fast.py::test_g", "test_z_slow.py::test_slow"}
    assert tests["test_z_slow.py::test_slow"]["duration"] >= 0.25
    assert tests["test_z_slow.py::test_slow"]["outcome"] == "passed"
    second = _run(require_fastest(), root, "-n", "2", "-v", env={"FASTEST_LOG": "debug"})
    assert second.returncode == 0
    # The slow module is last in pytest's order; history gives it a worker of its own
    # (LPT), where it runs first; the other worker runs the rest in pytest's order.
    assigned = re.search(r"scope groups, assigned longest first: (.*)", second.stderr).group(1)
    workers = sorted(assigned.split("; "))
    assert workers[0].startswith("gw0: test_z_slow.py::test_slow ("), assigned
    assert re.fullmatch(r"gw1: test_a_fast\.py::test_f1 \(.*\), test_b_fast\.py::test_g \(.*\)", workers[1]), assigned


ORDER_DEPENDENT = {
    "pytest.ini": "[pytest]\n",
    "state.py": "polluted = False\n",
    # First in pytest's order, and passing only before the polluter runs in its process.
    "test_a_victim.py": "import state\n\ndef test_victim():\n    assert state.polluted is False\n",
    "test_b_slow.py": (
        "import time\nimport pytest\n\n@pytest.mark.parametrize('i', range(8))\n"
        "def test_slow(i):\n    time.sleep(0.1)\n"
    ),
    "test_c_polluter.py": (
        "import pytest\nimport state\n\n@pytest.mark.parametrize('i', range(10))\n"
        "def test_polluter(i):\n    state.polluted = True\n"
    ),
}


def test_each_worker_runs_its_groups_in_pytests_order(tmp_path: Path):
    """A suite that passes only in pytest's order (a later module leaves state an earlier
    one must not see) passes under -n as under pytest-xdist: groups are assigned longest
    first, but each worker runs its own in collection order (before, the largest module
    went first and the victim after it, in the same worker)."""
    root = _write(tmp_path, ORDER_DEPENDENT)
    for run in ("first", "with history"):
        r = _run(require_fastest(), root, "-n", "2", "-q")
        assert r.returncode == 0, f"{run}:\n{r.stdout}{r.stderr}"
        assert "19 passed" in r.stdout, r.stdout


def test_corrupt_history_is_rebuilt_with_a_warning(tmp_path: Path):
    root = _write(tmp_path, SLOW)
    (root / ".fastest_cache").mkdir()
    (root / ".fastest_cache" / "history-v1.json").write_text("{ not json")
    r = _run(require_fastest(), root, "-n", "2", "-q")
    assert r.returncode == 0
    assert "history-v1.json is corrupt" in r.stderr
    data = json.loads((root / ".fastest_cache" / "history-v1.json").read_text())
    assert len(data["tests"]) == 4


def test_two_concurrent_runs_keep_history_readable(tmp_path: Path):
    root = _write(tmp_path, SLOW)
    env = child_env({"NO_COLOR": "1", "FASTEST_ENGINE": "native"})
    procs = [
        subprocess.Popen([*require_fastest(), "-p", "no:cacheprovider", "-q", "-n", "2"],
                         cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for p in procs:
        p.communicate(timeout=RUN_TIMEOUT)
        assert p.returncode == 0
    data = json.loads((root / ".fastest_cache" / "history-v1.json").read_text())
    assert len(data["tests"]) == 4
    assert not [p for p in (root / ".fastest_cache").iterdir() if p.name.startswith(".tmp")]


CRASHING = {
    "pytest.ini": "[pytest]\n",
    "test_crash.py": "import os\n\ndef test_dies():\n    os._exit(3)\n\ndef test_after():\n    pass\n",
    **{f"test_ok{m}.py": "def test_ok():\n    pass\n" for m in range(4)},
}

_WORKER = re.compile(r"\bgw\d\b")


def _crash_lines(stdout: str) -> List[str]:
    """The lines about crashed workers, worker ids masked (which worker ran the crashing
    module is a race on both sides)."""
    keep = ("worker", "[gw", "xdist:", "FAILED", "_ test_")
    lines = []
    for l in stdout.splitlines():
        if "node down" in l:
            # Written after the progress letters on the same line.
            l = l[l.index("[gw"):]
        if (l.startswith(keep) or "crashed" in l) and " -- Python " not in l:
            lines.append(_WORKER.sub("gwN", l))
    return sorted(lines)


@pytest.mark.parametrize(
    "args",
    [("-rA",), ("-rA", "--max-worker-restart", "0"), ("-q", "-rA")],
    ids=["restart", "no-restart", "quiet"],
)
def test_a_crash_is_reported_as_pytest_xdist_reports_it(
    tmp_path: Path, xdist_pytest: List[str], args
):
    root = _write(tmp_path, CRASHING)
    expected = _run(xdist_pytest, root, "-n", "2", *args)
    actual = _run(require_fastest(), root, "-n", "2", *args)
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    assert _crash_lines(actual.stdout) == _crash_lines(expected.stdout), (
        f"\n--- pytest-xdist\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    # pytest-xdist's `node down` line whatever the verbosity; its `replacing crashed
    # worker` only from verbosity 0 up.
    assert "node down: Not properly terminated" in actual.stdout
    assert ("replacing crashed worker" in actual.stdout) == ("-q" not in args and "0" not in args)
    if "--max-worker-restart" not in args:
        # The other tests of the crashed module and every other module still ran.
        assert "PASSED test_crash.py::test_after" in actual.stdout
        assert _shape(actual.stdout)[3] == _shape(expected.stdout)[3] == "1 failed, 5 passed"


def test_a_crash_without_workers_names_the_exit_status(tmp_path: Path):
    root = _write(tmp_path, CRASHING)
    r = _run(require_fastest(), root, "-rA")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "worker crashed while running 'test_crash.py::test_dies': exit code 3" in r.stdout
    assert "PASSED test_crash.py::test_after" in r.stdout
    assert re.search(r"1 failed, 5 passed in", r.stdout)


HANGING = {
    "pytest.ini": "[pytest]\n",
    "test_hang.py": """
        import time

        import pytest

        @pytest.fixture(scope="module")
        def shared():
            yield
            print("module teardown")

        def test_quick(shared):
            pass

        def test_hangs(shared):
            time.sleep(120)

        def test_after_the_hang(shared):
            pass
    """,
    "test_other.py": "def test_other():\n    pass\n",
}


@pytest.mark.parametrize("args", [(), ("-n", "2")], ids=["serial", "n2"])
def test_timeout_kills_a_hung_test_and_goes_on(tmp_path: Path, args):
    root = _write(tmp_path, HANGING)
    r = _run(require_fastest(), root, "--timeout", "1.5", "-rA", *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED test_hang.py::test_hangs - Failed: Timeout (>1.5s) from fastest" in r.stdout
    for passed in ("test_hang.py::test_quick", "test_hang.py::test_after_the_hang",
                   "test_other.py::test_other"):
        assert f"PASSED {passed}" in r.stdout, r.stdout
    assert re.search(r"1 failed, 3 passed in", r.stdout)


def test_timeout_from_the_environment(tmp_path: Path):
    root = _write(tmp_path, HANGING)
    r = _run(require_fastest(), root, "-q", env={"PYTEST_TIMEOUT": "1"})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Failed: Timeout (>1.0s) from fastest" in r.stdout


def test_bad_timeout_is_a_usage_error(tmp_path: Path):
    root = _write(tmp_path, HANGING)
    r = _run(require_fastest(), root, "--timeout", "soon")
    assert r.returncode == 4
    assert "argument --timeout: invalid float value: 'soon'" in r.stderr


def test_usage_error_for_a_bad_count(tmp_path: Path):
    root = _write(tmp_path, SLOW)
    r = _run(require_fastest(), root, "-n", "many")
    assert r.returncode == 4
    assert "argument -n/--numprocesses: invalid parse_numprocesses value: 'many'" in r.stderr


@pytest.mark.parametrize("args", [("-n", "2"), ("-n", "2", "-v"), ()], ids=["n2", "n2v", "plain"])
def test_native_with_pytest_xdist_installed(tmp_path: Path, xdist_pytest: List[str], args):
    """With pytest-xdist installed, `-n` is still served natively, with xdist's header."""
    root = _write(tmp_path, MIXED)
    cmd, env = fastest_in(xdist_pytest)
    expected = _run(xdist_pytest, root, *args)
    actual = _run(cmd, root, *args, env=env)
    assert "cannot run natively" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode
    head = lambda out: [l for l in out.splitlines()[:7] if not l.startswith(("rootdir", "platform"))]
    assert head(actual.stdout) == head(expected.stdout)
    assert _shape(actual.stdout) == _shape(expected.stdout)
    if not args:
        # Without -n the run is pytest's own form (plus the plugins line).
        norm = lambda s: re.sub(r" in \d+\.\d\ds", "", re.sub(r"0x[0-9a-f]+", "0x?", s))
        assert norm(actual.stdout) == norm(expected.stdout)


XDIST_FIXTURES = {
    "pytest.ini": "[pytest]\n",
    "test_ids.py": """
        import os

        def test_worker_id(worker_id, testrun_uid):
            assert worker_id == os.environ.get("PYTEST_XDIST_WORKER", "master")
            assert len(testrun_uid) == 32
            print(worker_id)

        def test_missing(not_a_fixture):
            pass
    """,
}


@pytest.mark.parametrize("args", [("-n", "2"), ()], ids=["n2", "plain"])
def test_xdist_fixtures(tmp_path: Path, xdist_pytest: List[str], args):
    """pytest-xdist's worker_id and testrun_uid, and the available-fixtures list that
    names them when a fixture is missing."""
    root = _write(tmp_path, XDIST_FIXTURES)
    cmd, env = fastest_in(xdist_pytest)
    expected = _run(xdist_pytest, root, *args, "-rA")
    actual = _run(cmd, root, *args, "-rA", env=env)
    assert "cannot run natively" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 1
    assert _shape(actual.stdout) == _shape(expected.stdout)
    avail = lambda out: re.search(r"available fixtures: (.*)", out).group(1)
    assert avail(actual.stdout) == avail(expected.stdout)
    assert "worker_id" in avail(actual.stdout)


IMPORT_FAILS = {
    "pytest.ini": "[pytest]\n",
    "test_a.py": """
        def test_a1():
            pass

        def test_a2():
            pass
    """,
    # Discovery proves its test; only importing it shows that it cannot be collected.
    "test_b.py": """
        import os

        VALUE = os.environ["FASTEST_PARALLEL_CASE_UNSET"]

        class TestB:
            def test_b(self):
                assert VALUE
    """,
}


@pytest.mark.parametrize("args", [(), ("-v",)], ids=["default", "v"])
def test_import_error_found_by_workers_is_a_collection_error(
    tmp_path: Path, xdist_pytest: List[str], args
):
    """Each pytest-xdist worker reports the module it cannot import as a collection
    error. fastest's workers find it before their first test; the session, a collection
    error under -n, is then pytest-xdist's: shown once, nothing run before it."""
    root = _write(tmp_path, IMPORT_FAILS)
    expected = _run(xdist_pytest, root, "-n", "2", *args)
    cmd, env = fastest_in(xdist_pytest)
    actual = _run(cmd, root, "-n", "2", *args, env={**env, "FASTEST_ENGINE": "auto"})
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    assert actual.stdout.count("test session starts") == 1, actual.stdout
    e, a = _shape(expected.stdout), _shape(actual.stdout)
    assert a == e, f"\n--- pytest-xdist\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    assert "ERROR collecting test_b.py" in actual.stdout


def test_a_conftest_configure_sees_workerinput_natively_in_each_worker(
    tmp_path: Path, xdist_pytest: List[str]
):
    """A conftest's pytest_configure sees pytest-xdist's `workerinput` in each worker,
    as under pytest-xdist. (A conftest below the rootdir's: pytest-xdist's controller
    never loads it.)"""
    body = """
        import os

        def test_worker():
            assert os.environ["CONFIGURED_AS"] == os.environ["PYTEST_XDIST_WORKER"]
    """
    root = _write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "sub/conftest.py": """
            import os

            def pytest_configure(config):
                worker = getattr(config, "workerinput", None)
                os.environ["CONFIGURED_AS"] = worker["workerid"] if worker else "controller"
        """,
        "sub/test_a.py": body,
        "sub/test_b.py": body,
    })
    expected = _run(xdist_pytest, root, "-n", "2", "-q")
    actual = _run(require_fastest(), root, "-n", "2", "-q")
    assert "cannot run natively" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stdout)
    assert _shape(actual.stdout) == _shape(expected.stdout)


CONTROLLER_SETUP = {
    "pytest.ini": "[pytest]\n",
    # The xdist recipe "set up once in the controller, clean up once after the
    # workers": its work is no worker's.
    "conftest.py": """
        import os
        from pathlib import Path

        SHARED = Path(__file__).parent / "shared.txt"

        def pytest_sessionstart(session):
            if not hasattr(session.config, "workerinput"):
                SHARED.write_text("ready")

        def pytest_sessionfinish(session, exitstatus):
            if not hasattr(session.config, "workerinput"):
                SHARED.unlink()
    """,
    "test_a.py": """
        from pathlib import Path

        def test_shared():
            assert (Path(__file__).parent / "shared.txt").read_text() == "ready"
    """,
}


def test_a_conftest_telling_the_controller_from_workers_gets_pytest_session(
    tmp_path: Path, xdist_pytest: List[str]
):
    root = _write(tmp_path, CONTROLLER_SETUP)
    expected = _run(xdist_pytest, root, "-n", "2", "-q")
    assert not (root / "shared.txt").exists()
    refused = _run(require_fastest(), root, "-n", "2", "-q")
    assert refused.returncode == 3
    assert "pytest-xdist's controller" in refused.stderr
    actual = _run(require_fastest(), root, "-n", "2", "-q", env={"FASTEST_ENGINE": "auto"})
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stdout)
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]
    assert not (root / "shared.txt").exists()
    # Without -n there is no controller: the native engine runs it.
    serial = _run(require_fastest(), root, "-q")
    assert serial.returncode == 0, serial.stdout + serial.stderr


def test_a_conftest_with_pytest_xdist_controller_hooks_gets_pytest_session(
    tmp_path: Path, xdist_pytest: List[str]
):
    # `pytest_configure_node` fills each worker's `workerinput` from the controller.
    root = _write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "conftest.py": """
            def pytest_configure_node(node):
                node.workerinput["token"] = "from the controller"
        """,
        "test_a.py": """
            def test_token(request):
                assert request.config.workerinput["token"] == "from the controller"
        """,
    })
    expected = _run(xdist_pytest, root, "-n", "2", "-q")
    assert expected.returncode == 0, expected.stdout
    # Not fastest's workers, not even under the pytest engine: pytest's session.
    refused = _run(require_fastest(), root, "-n", "2", "-q",
                   env={"FASTEST_ENGINE": "auto", "FASTEST_NO_DELEGATE": "1"})
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "pytest would run this session" in refused.stderr, refused.stderr
    assert "pytest_configure_node" in refused.stderr, refused.stderr


XDIST_ENVIRONMENT = {
    "pytest.ini": "[pytest]\n",
    "test_env.py": """
        import os

        WATCH = ("PYTEST_VERSION", "LINES", "COLUMNS", "PYTEST_XDIST_TESTRUNUID",
                 "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT")

        def test_env():
            print("ENV", [k for k in os.environ if k in WATCH],
                  os.environ.get("LINES"), os.environ.get("COLUMNS"))
    """,
}


@pytest.mark.parametrize("env", [{}, {"COLUMNS": "123", "LINES": "7"}], ids=["unset", "set"])
def test_worker_environment_matches_pytest_xdist(tmp_path: Path, xdist_pytest: List[str], env):
    """A worker's environment is a pytest-xdist worker's, in the same order: what its
    controller had (`PYTEST_VERSION`, and `LINES`/`COLUMNS` that importing readline
    exports), then xdist's variables (typer's help output wraps at `COLUMNS`)."""
    root = _write(tmp_path, XDIST_ENVIRONMENT)
    cmd, fenv = fastest_in(xdist_pytest)

    def run(argv: List[str], extra: Dict[str, str]) -> str:
        e = child_env({"FASTEST_ENGINE": "native", **extra})
        for k in ("COLUMNS", "LINES"):
            e.pop(k, None)
        e.update(env)
        r = subprocess.run(
            [*argv, "-p", "no:cacheprovider", "-n", "1", "-rA"], cwd=root, env=e,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUN_TIMEOUT,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        return re.search(r"^ENV .*$", r.stdout, re.M).group(0)

    expected = run(xdist_pytest, {})
    assert ("'LINES', 'COLUMNS'" in expected) == (not env), expected
    assert run(cmd, fenv) == expected


def test_workers_see_the_executable_and_environment_xdist_workers_see(
    tmp_path: Path, xdist_pytest: List[str]
):
    """Started by a path with `..` in it, the controller keeps it in `sys.executable`, a
    pytest-xdist worker (started by that absolute path) has it normalised, on its
    `[gwN]` line too; the environment comes in the controller's order."""
    root = _write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "test_exe.py": """
            import os, sys

            def test_exe():
                print("EXE", sys.executable)
                print("ENV", [k for k in os.environ
                              if not k.startswith(("PYTEST_", "FASTEST_")) and k != "PYTHONPATH"])
                assert 0
        """,
    })
    python = Path(xdist_pytest[0]).with_name("python")
    given = os.path.join("..", root.name, os.path.relpath(python, root))
    assert ".." in given
    cmd, env = fastest_in(xdist_pytest)
    # (xdist's `-v` also announces each worker whose interpreter path differs from the
    # controller's: `[gw0] linux Python 3.11.7 cwd: ...`, which fastest does not.)
    wanted = ("EXE ", "ENV ", "[gw0] linux -- ", "platform ")

    def lines(out: str) -> List[str]:
        return [line for line in out.splitlines() if line.startswith(wanted)]

    expected = _run([given, "-m", "pytest"], root, "-n", "1", "-v", "-rA")
    actual = _run([given, *cmd[1:]], root, "-n", "1", "-v", "-rA", env=env)
    assert expected.returncode == actual.returncode == 1, actual.stdout + actual.stderr
    assert lines(actual.stdout) == lines(expected.stdout), actual.stdout
    assert len(lines(expected.stdout)) == 4 and ".." not in lines(expected.stdout)[1]


LONG_MODULE = """
    import os, time, pytest
    {extra}
    @pytest.mark.parametrize("i", range(6))
    def test_slow(i{arg}):
        with open({log!r}, "a") as f:
            f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
        time.sleep(0.3)
"""

SHARING = {
    "isolated": ("", ""),
    "module-fixture": (
        "@pytest.fixture(scope='module')\n    def shared():\n        return object()\n",
        ", shared",
    ),
    "class-xunit": ("", ""),
    "setup-module": ("def setup_module():\n        pass\n", ""),
    "dist-loadscope": ("", ""),
}


@pytest.mark.parametrize("variant", list(SHARING))
def test_a_long_module_is_spread_over_workers_only_when_nothing_is_shared(
    tmp_path: Path, variant: str
):
    """A module that would hold the run up is cut into pieces for several workers (as
    pytest-xdist's `--dist load` spreads it; on a first run, with no history, by its
    number of tests), but only when none of its tests shares state with another: a
    module- or class-scoped fixture or an xunit setup keeps it in one worker, and so
    does `--dist loadscope`."""
    log = tmp_path / "workers.log"
    extra, arg = SHARING[variant]
    body = LONG_MODULE.format(extra=extra, arg=arg, log=str(log))
    if variant == "class-xunit":
        # The same tests as methods of a class with a class setup.
        body = textwrap.dedent(body).replace(
            '@pytest.mark.parametrize("i", range(6))\ndef test_slow(i',
            'class TestK:\n    @classmethod\n    def setup_class(cls):\n        pass\n\n'
            '    @pytest.mark.parametrize("i", range(6))\n    def test_slow(self, i',
        )
        body = body.replace("\n    with open", "\n        with open").replace(
            "\n        f.write", "\n            f.write").replace(
            "\n    time.sleep", "\n        time.sleep")
        assert "setup_class" in body and "        time.sleep" in body, body
    root = _write(tmp_path / "p", {"pytest.ini": "[pytest]\n", "test_long.py": body})
    args = ("--dist", "loadscope") if variant == "dist-loadscope" else ()
    for run in ("first", "with history"):
        r = _run(require_fastest(), root, "-n", "2", "-q", *args)
        assert r.returncode == 0 and "6 passed" in r.stdout, run + r.stdout + r.stderr
        workers = set(log.read_text().split())
        log.unlink()
        assert len(workers) == (2 if variant == "isolated" else 1), (run, workers)


#: Two modules (one per worker) whose test writes its own letter into its tmp_path,
#: waits so the other runs meanwhile, and prints where its directories are.
_TMP_MODULE = """
    import time

    def test_{0}(tmp_path, tmp_path_factory):
        (tmp_path / "f").write_text("{0}")
        time.sleep(0.3)
        assert (tmp_path / "f").read_text() == "{0}"
        print("TMP", tmp_path, tmp_path_factory.getbasetemp().name)
"""
TMP_LAYOUT = {f"test_{x}.py": _TMP_MODULE.format(x) for x in "ab"}


@pytest.mark.parametrize("case", ["numbered", "basetemp", "retention-failed"])
def test_temporary_directories_are_laid_out_as_pytest_xdist_lays_them_out(
    tmp_path: Path, xdist_pytest: List[str], case: str
):
    """One base for the session (the next numbered `pytest-N`, or `--basetemp`) and
    `popen-gwN` below it for each worker; with `--basetemp` the workers no longer empty
    each other's directories, and the `failed` retention policy removes the base of a
    session that passed."""
    ini = "[pytest]\n"
    if case == "retention-failed":
        ini += "tmp_path_retention_policy = failed\n"
    cmd, fenv = fastest_in(xdist_pytest)

    def run(argv: List[str], side: str, extra: Dict[str, str]) -> Tuple[List[str], Path]:
        root = _write(tmp_path / side / "p", {"pytest.ini": ini, **TMP_LAYOUT})
        temproot = tmp_path / side / "temproot"
        temproot.mkdir()
        args = ["-n", "2", "-rA"]
        if case == "basetemp":
            args.append(f"--basetemp={tmp_path / side / 'base'}")
        r = _run(argv, root, *args, env={"PYTEST_DEBUG_TEMPROOT": str(temproot), **extra})
        assert r.returncode == 0, r.stdout + r.stderr
        lines = re.findall(r"^TMP .*$", r.stdout, re.M)
        shapes = (l.replace(str(tmp_path / side), "<side>") for l in lines)
        return sorted(re.sub(r"popen-gw\d", "popen-gwN", l) for l in shapes), temproot

    expected, xroot = run(xdist_pytest, "xdist", {})
    actual, froot = run(cmd, "fastest", fenv)
    assert actual == expected
    assert len(expected) == 2 and all("popen-gwN" in l for l in expected), expected
    # What is left in the temporary root: the numbered base (gone when it passed under
    # the `failed` policy), and pytest's `pytest-current` link.
    left = lambda root: sorted(p.name for p in root.glob("pytest-of-*/*"))
    assert left(froot) == left(xroot)


SUBTESTS = {
    "pytest.ini": "[pytest]\n",
    "test_ut.py": """
        import unittest

        class T(unittest.TestCase):
            def test_a(self):
                for i in range(3):
                    with self.subTest(i=i, s="x"):
                        self.assertLess(i, 1)

            def test_b(self):
                pass
    """,
    "test_fx.py": """
        def test_f(subtests):
            for i in range(2):
                with subtests.test(msg="m", i=i):
                    assert i < 1
    """,
}


@pytest.mark.parametrize("engine", ["native", "pytest"])
def test_subtests_are_reported_as_pytest_xdist_reports_them(
    tmp_path: Path, xdist_pytest: List[str], engine: str
):
    """Under -n pytest-xdist's controller logs a unittest subtest like any report (a
    letter in the progress), and shows each value of its context repr'd twice (the
    context it rebuilds from the report's JSON repr's the repr: `(i='1')`)."""
    root = _write(tmp_path, SUBTESTS)
    cmd, env = fastest_in(xdist_pytest)
    expected = _run(xdist_pytest, root, "-n", "2", "-rA")
    actual = _run(cmd, root, "-n", "2", "-rA", env={**env, "FASTEST_ENGINE": engine})
    assert actual.returncode == expected.returncode == 1
    sub = re.compile(r"^SUB\w+.*$", re.M)
    assert sorted(sub.findall(actual.stdout)) == sorted(sub.findall(expected.stdout))
    assert "SUBFAILED(i='1', s=\"'x'\") test_ut.py::T::test_a" in expected.stdout
    assert _shape(actual.stdout) == _shape(expected.stdout), actual.stdout


COLLECTION_WARNINGS = {
    "pytest.ini": "[pytest]\n",
    "test_gen.py": """
        import pytest

        @pytest.mark.parametrize("x", (i for i in range(2)))
        def test_x(x):
            pass
    """,
    "test_m.py": """
        import warnings
        warnings.warn("at import", UserWarning)

        def test_m():
            pass

        def test_n():
            pass
    """,
}


@pytest.mark.parametrize(
    ("selection", "code", "counts"),
    [([], 0, "4 passed, 4 warnings"), (["-k", "nomatch"], 5, "4 warnings")],
    ids=["run", "all-deselected"],
)
def test_collection_warnings_are_listed_once_per_worker(
    tmp_path: Path, xdist_pytest: List[str], selection: List[str], code: int, counts: str
):
    """Each pytest-xdist worker collects the session and reports what its collection
    warned (here pytest's own warning about a generator given to parametrize, met by
    the import fallback's collection, and a module's warning at import), also when
    every test is deselected (each worker asked for starts, to import the modules)."""
    root = _write(tmp_path, COLLECTION_WARNINGS)
    cmd, env = fastest_in(xdist_pytest)
    expected = _run(xdist_pytest, root, "-n", "2", *selection)
    actual = _run(cmd, root, "-n", "2", *selection, env=env)
    assert actual.returncode == expected.returncode == code
    summary = lambda out: re.sub(r" in \d+\.\d\ds", "", out[out.index("warnings summary"):])
    assert summary(actual.stdout) == summary(expected.stdout), actual.stdout
    assert _shape(actual.stdout) == _shape(expected.stdout)
    assert counts + " in" in expected.stdout


ONE_MODULE_WARNS = {
    "test_warn.py": """
        import warnings

        warnings.warn("import-time warning", DeprecationWarning)


        def test_one():
            pass


        def test_two():
            pass
    """,
}


CONFTEST_WARNS = {
    "conftest.py": """
        import warnings

        warnings.warn("the initial conftest warns", UserWarning)
    """,
    "test_a.py": """
        def test_a():
            pass
    """,
    "test_b.py": """
        def test_b():
            pass
    """,
}


@pytest.mark.parametrize(
    ("files", "counts"),
    [(ONE_MODULE_WARNS, "2 passed, 2 warnings"), (CONFTEST_WARNS, "2 passed, 3 warnings")],
    ids=["one-module", "initial-conftest"],
)
def test_import_warnings_are_listed_per_process_as_under_xdist(
    tmp_path: Path, xdist_pytest: List[str], files: Dict[str, str], counts: str
):
    """Every pytest-xdist worker asked for starts and its collection imports every
    module: one module is one scope group, run by one worker, yet its import warning is
    listed twice (humanfriendly's suite; the second worker only imports). The controller
    imports the initial conftests too: what that warns is listed once more than there
    are workers."""
    root = _write(tmp_path, files)
    cmd, env = fastest_in(xdist_pytest)
    expected = _run(xdist_pytest, root, "-n", "2")
    actual = _run(cmd, root, "-n", "2", env=env)
    assert actual.returncode == expected.returncode == 0
    summary = lambda out: re.sub(r" in \d+\.\d\ds", "", out[out.index("warnings summary"):])
    assert summary(actual.stdout) == summary(expected.stdout), actual.stdout
    assert counts + " in" in expected.stdout


MODULE_SKIPS = {
    "test_skipmod.py": """
        import pytest

        pytest.importorskip("no_such_module_xyz")


        def test_a():
            pass
    """,
    "test_other.py": '''
        def test_b():
            """
            >>> 1 + 1
            2
            """


        def test_c():
            pass
    ''',
}


def test_a_module_skipping_itself_is_one_skip(tmp_path: Path, xdist_pytest: List[str]):
    """pytest-xdist's controller reports a collection skip once per long representation:
    under ``--doctest-modules`` a module skipping itself at import skips its Module and
    its DoctestModule with the same one (plain pytest counts two)."""
    root = _write(tmp_path, MODULE_SKIPS)
    args = ("-n", "2", "--doctest-modules", "-rs")
    expected = _run(xdist_pytest, root, *args)
    actual = _run(require_fastest(), root, *args)
    assert actual.returncode == expected.returncode == 0
    assert _shape(actual.stdout) == _shape(expected.stdout), actual.stdout
    assert "SKIPPED [1] test_skipmod.py:" in expected.stdout
    assert "3 passed, 1 skipped" in expected.stdout


PLUGIN_LOOKUPS = {
    "conftest.py": """
        SEEN = {}


        def pytest_configure(config):
            SEEN["configure"] = config.pluginmanager.hasplugin("xdist")
    """,
    "test_lookup.py": """
        import json
        import os

        from conftest import SEEN


        def test_lookups(request):
            config = request.config
            found = {
                "configure": SEEN.get("configure"),
                "python": config.pluginmanager.hasplugin("python"),
                "xdist": config.pluginmanager.hasplugin("xdist"),
                "looponfail": config.pluginmanager.has_plugin("xdist.looponfail"),
                "cacheprovider": config.pluginmanager.hasplugin("cacheprovider"),
                "stepwise": config.pluginmanager.has_plugin("stepwise"),
                "missing": config.pluginmanager.hasplugin("no-such-plugin"),
                "module": getattr(config.pluginmanager.getplugin("python"), "__name__", None),
                "xdist_module": getattr(config.pluginmanager.get_plugin("xdist"), "__name__", None),
            }
            with open(os.environ["LOOKUP_OUT"], "w") as f:
                json.dump(found, f, sort_keys=True)
    """,
}


@pytest.mark.parametrize("args", [(), ("-p", "no:xdist"), ("-n", "2")], ids=["plain", "blocked", "n2"])
def test_plugin_lookups_by_name_are_answered_natively(tmp_path: Path, xdist_pytest: List[str], args):
    """``config.pluginmanager.hasplugin("xdist")`` and ``getplugin("python")`` (in a
    conftest's ``pytest_configure`` and in a test): the native engine answers for the
    plugin modules pytest registers by name, installed or blocked, as pytest does."""
    import json

    root = _write(tmp_path, PLUGIN_LOOKUPS)
    cmd, env = fastest_in(xdist_pytest)
    out_p, out_f = tmp_path / "pytest.json", tmp_path / "fastest.json"
    expected = _run(xdist_pytest, root, *args, env={"LOOKUP_OUT": str(out_p)})
    actual = _run(cmd, root, *args, env={**env, "LOOKUP_OUT": str(out_f)})
    assert expected.returncode == 0, expected.stdout
    assert actual.returncode == 0, actual.stdout + actual.stderr
    found = json.loads(out_f.read_text())
    assert found == json.loads(out_p.read_text())
    assert found["xdist"] == ("no:xdist" not in args)
