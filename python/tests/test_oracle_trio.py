"""pytest-trio installed, against real pytest (issue 5).

Its hooks run the tests marked `trio` (and the async fixtures of those tests) with
trio; its trio mode (`trio_mode = true`) takes every coroutine test. Without that mode,
only modules that name trio can mark a test for it: discovery leaves those (and those
below a conftest naming trio) to the import fallback, whose items marked `trio` run in
the pytest engine of fastest's workers; the rest stays native and the session stays
fastest's (``COLLECTING_PLUGINS`` in invocation.rs). Its trio mode makes the session
pytest's.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    assert_session_kept_like_pytest,
    clean_plugin_output,
    fastest_in,
    fresh_case,
    plugin_case_both,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "trio_modules"
TRIO = ["pytest-trio==0.8.0", "trio==0.35.0"]


@pytest.fixture(scope="session")
def trio_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-trio (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-trio-venv", [PYTEST, XDIST, *TRIO])


@pytest.mark.parametrize(
    "args",
    [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-q", "-m", "trio"),
     ("-q", "-k", "param"), ("-q", "-x"), ("-n", "2", "-rA")],
    ids=["v", "rA", "collect", "m", "k", "x", "n2"],
)
def test_trio_modules_run_in_fastests_workers(tmp_path, trio_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, trio_pytest, args)
    assert "trio-0.8.0" in expected.stdout or "-v" not in args
    assert_session_kept_like_pytest(expected, actual, args)
    if args == ("-v",):
        assert "the pytest engine runs tests/test_trio.py" in actual.stdout
        assert "the native engine runs the other modules" in actual.stdout


@pytest.mark.parametrize("how", ["ini", "override"])
def test_trio_mode_makes_the_session_pytests(tmp_path, trio_pytest, how):
    args = ["-p", "no:cacheprovider", "-q", "-rA"]
    if how == "override":
        args += ["-o", "trio_mode=true"]
    runs = []
    for cmd, env in ((trio_pytest, {}), fastest_in(trio_pytest)):
        root = fresh_case(CASE, tmp_path)
        if how == "ini":
            (root / "pytest.ini").write_text("[pytest]\ntrio_mode = true\n")
        runs.append(run_in(cmd, root, args, env))
    expected, actual = runs
    # Trio mode ran the unmarked coroutine test.
    assert "PASSED tests/test_trio.py::test_unmarked" in expected.stdout, expected.stdout
    assert "pytest runs this session" in actual.stderr or "running pytest itself" in actual.stderr
    assert actual.returncode == expected.returncode
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
