"""anyio's pytest plugin installed, against real pytest (issue 5).

anyio is installed wherever httpx, starlette or a Jupyter kernel is, and its plugin
(a ``pytest11`` entry point) only acts on tests that name it: coroutine tests marked
``anyio`` (or every coroutine test in its auto mode) and the async fixtures of tests
that request ``anyio_backend``. A session where no test file or conftest mentions anyio
keeps fastest's collection and the native engine (the plugin's fixtures, such as
``free_tcp_port``, loaded from its module); one that does, or that switches the auto
mode on, is pytest's (``IDLE_PLUGINS`` in invocation.rs).
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    assert_native_like_pytest,
    clean_plugin_output,
    fastest_in,
    plugin_case_both,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "anyio_idle"
ANYIO = "anyio==4.16.0"


@pytest.fixture(scope="session")
def anyio_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with anyio (its plugin) and pytest-xdist."""
    return _venv_pytest(request, "fastest-anyio-venv", [PYTEST, XDIST, ANYIO])


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")])
def test_an_idle_anyio_plugin_keeps_the_native_engine(tmp_path, anyio_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, anyio_pytest, args)
    assert "anyio-4" in expected.stdout or "-v" not in args
    assert_native_like_pytest(expected, actual, args)


@pytest.mark.parametrize(
    "where, args",
    [
        ("tests/test_anyio.py", ("-v",)),
        ("tests/test_anyio.py", ("--collect-only", "-q")),
        ("tests/conftest.py", ("-v",)),
        ("pytest.ini", ("-v",)),
    ],
    ids=["test-file", "test-file-collect", "conftest", "auto-mode"],
)
def test_a_session_naming_anyio_is_pytests(tmp_path, anyio_pytest, where, args):
    def edit(root: Path) -> None:
        if where == "pytest.ini":
            (root / "pytest.ini").write_text("[pytest]\nanyio_mode = auto\n")
        elif where.endswith("conftest.py"):
            (root / where).write_text(
                (root / where).read_text()
                + "\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
            )
        else:
            (root / where).write_text(
                "import pytest\n\n\n@pytest.mark.anyio\nasync def test_marked():\n    pass\n"
            )

    expected, _ = plugin_case_both(CASE, tmp_path, anyio_pytest, args, edit)
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
