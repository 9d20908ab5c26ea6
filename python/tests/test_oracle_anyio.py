"""anyio's pytest plugin installed, against real pytest (issue 5).

anyio is installed wherever httpx, starlette or a Jupyter kernel is, and its plugin
(a ``pytest11`` entry point) only acts on tests that name it: coroutine tests marked
``anyio`` (or every coroutine test in its auto mode) and the async fixtures of tests
that request ``anyio_backend``. A session where no test file or conftest mentions anyio
keeps fastest's collection and the native engine (the plugin's fixtures, such as
``free_tcp_port``, loaded from its module). The modules that name anyio, or lie below a
conftest that does, are collected by import (its hook parametrizes their coroutine
tests by the backends installed) and the items with ``anyio_backend`` in their closure
run in the pytest engine of fastest's workers; the other modules stay native
(``COLLECTING_PLUGINS`` in invocation.rs). Its auto mode makes the session pytest's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    FINAL_LINE as _FINAL,
    assert_native_like_pytest,
    clean_plugin_output,
    fastest_in,
    plugin_case_both,
    run_in,
)

_OUTCOMES = re.compile(r"^(?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) \S+", re.M)
CASE = Path(__file__).resolve().parent / "plugin_cases" / "anyio_idle"
MODULES = Path(__file__).resolve().parent / "plugin_cases" / "anyio_modules"
ANYIO = "anyio==4.16.0"
#: A second backend: anyio's ``anyio_backend`` is parametrized by those installed.
TRIO = "trio==0.35.0"


@pytest.fixture(scope="session")
def anyio_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with anyio (its plugin), trio and pytest-xdist."""
    return _venv_pytest(request, "fastest-anyio-venv", [PYTEST, XDIST, ANYIO, TRIO])


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")])
def test_an_idle_anyio_plugin_keeps_the_native_engine(tmp_path, anyio_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, anyio_pytest, args)
    assert "anyio-4" in expected.stdout or "-v" not in args
    assert_native_like_pytest(expected, actual, args)


@pytest.mark.parametrize(
    "args",
    [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-q", "-k", "trio"),
     ("-q", "-m", "anyio"), ("-q", "-x"), ("-q", "-s"), ("-n", "2", "-rA"),
     ("-q", "-rf", "--maxfail=2"), ("-q", "-rf", "--maxfail=4")],
    # `--maxfail` counts both engines' failures (each counted only its own before).
    ids=["v", "rA", "collect", "k", "m", "x", "s", "n2", "maxfail2", "maxfail4"],
)
def test_modules_naming_anyio_run_in_fastests_workers(tmp_path, anyio_pytest, args):
    """Backends as pytest parametrizes them (``[asyncio]``/``[trio]``, a module's own
    ``anyio_backend`` with ids, a conftest fixture built on ``anyio_backend_name``),
    async fixtures with teardown, marked classes and modules: the outcome and output of
    pytest, the session fastest's (never handed over), a module free of anyio native."""
    expected, actual = plugin_case_both(MODULES, tmp_path, anyio_pytest, args)
    assert "[trio]" in expected.stdout or "--collect-only" not in args and "-v" not in args
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    if "-n" in args:
        assert _FINAL.findall(actual.stdout) == _FINAL.findall(expected.stdout)
        assert sorted(_OUTCOMES.findall(actual.stdout)) == sorted(_OUTCOMES.findall(expected.stdout))
        return
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    if args == ("-v",):
        assert "the pytest engine runs tests/test_marked.py" in actual.stdout
        assert "the pytest engine runs tests/sub/test_client.py" in actual.stdout
        assert "the native engine runs the other modules" in actual.stdout


@pytest.mark.parametrize("how", ["ini", "option"])
def test_anyio_auto_mode_makes_the_session_pytests(tmp_path, anyio_pytest, how):
    args = ("-v",) if how == "ini" else ("-v", "--anyio-mode=auto")

    def edit(root: Path) -> None:
        if how == "ini":
            (root / "pytest.ini").write_text("[pytest]\nanyio_mode = auto\n")

    expected, _ = plugin_case_both(MODULES, tmp_path, anyio_pytest, args, edit)
    # fastest may not serve it: with delegation allowed, pytest's answer is the answer.
    cmd, env = fastest_in(anyio_pytest)
    root = tmp_path / "case"
    actual = run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)
    assert "pytest runs this session" in actual.stderr or "running pytest itself" in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)


def test_tests_inherited_from_a_module_naming_anyio_run_with_its_hooks(tmp_path, anyio_pytest):
    # The test file never names anyio; the class it inherits from is marked: pytest's
    # collection (the file imports its tests) finds the parametrized item, and the
    # pytest engine runs it with anyio's hooks.
    def edit(root: Path) -> None:
        (root / "tests" / "__init__.py").write_text("")
        (root / "tests" / "base.py").write_text(
            "import pytest\n\n\n@pytest.mark.anyio\nclass Base:\n"
            "    async def test_inherited(self):\n        pass\n"
        )
        (root / "tests" / "test_sub.py").write_text(
            "from tests.base import Base\n\n\nclass TestSub(Base):\n"
            "    def test_sync(self):\n        pass\n"
        )

    expected, actual = plugin_case_both(CASE, tmp_path, anyio_pytest, ("-v",), edit)
    assert "TestSub::test_inherited[asyncio] PASSED" in expected.stdout
    assert actual.returncode == expected.returncode
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
