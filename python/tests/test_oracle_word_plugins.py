"""pytest-repeat, pytest-order and pytest-forked installed, against real pytest (issue 5).

pytest-repeat's `pytest_generate_tests` repeats only tests marked `repeat` (or every
test with `--count`); pytest-order's collection hook moves only tests marked `order`
(its options choose other marks and scopes); pytest-forked's `pytest_runtest_protocol`
runs only tests marked `forked` (or every test with `--forked`) in a child process. A session whose test files and conftests
never name their marks (``mark.order``, or ``"order"`` as a string; the bare words, as
``itertools.repeat`` or a sort order, do not count), without their options, keeps
fastest's collection and the native engine; one that does is pytest's
(``IDLE_PLUGINS``, ``SWITCHING_OPTIONS`` in invocation.rs).
"""

from __future__ import annotations

import re
import shutil
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

CASE = Path(__file__).resolve().parent / "plugin_cases" / "word_plugins"
PLUGINS = ["pytest-repeat==0.9.4", "pytest-order==1.5.0", "pytest-forked==1.7.5"]


@pytest.fixture(scope="session")
def word_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-repeat, pytest-order and pytest-forked (and
    pytest-xdist)."""
    return _venv_pytest(request, "fastest-word-plugins-venv", [PYTEST, XDIST, *PLUGINS])


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")])
def test_unnamed_plugins_keep_the_native_engine(tmp_path, word_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, word_pytest, args)
    assert "repeat-0.9.4" in expected.stdout or "-v" not in args
    assert_native_like_pytest(expected, actual, args)


_NAMING = {
    "repeat": "import pytest\n\n\n@pytest.mark.repeat(2)\ndef test_twice():\n    assert True\n",
    "order": "import pytest\n\n\n@pytest.mark.order(1)\ndef test_moved_first():\n    assert True\n",
    # Passes only in a child process of the one that imported the module.
    "forked": "import os\nimport pytest\n\nPID = os.getpid()\n\n\n@pytest.mark.forked\n"
    "def test_in_a_child():\n    assert os.getpid() != PID\n",
}
_OPTIONS = {"count": ["--count", "2"], "forked_option": ["--forked"]}


@pytest.mark.parametrize("how", [*_NAMING, *_OPTIONS])
def test_a_session_naming_them_is_pytests(tmp_path, word_pytest, how):
    args = ["-p", "no:cacheprovider", "-v", *_OPTIONS.get(how, [])]
    root = tmp_path / "case"
    runs = []
    for cmd, env in ((word_pytest, {}), fastest_in(word_pytest)):
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(CASE, root)
        if how in _NAMING:
            (root / "tests" / "test_third.py").write_text(_NAMING[how])
        runs.append(run_in(cmd, root, args, env))
    expected, actual = runs
    # The plugin acted: a test twice, moved to the front, or run in a child process.
    if how == "order":
        assert "test_third.py::test_moved_first PASSED" in expected.stdout.splitlines()[7]
    elif how == "forked":
        # (pytest-forked 1.7.5's child may fail to report under pytest 9: "running the
        # test EXITED", which only the plugin says.)
        assert re.search(r"test_in_a_child PASSED|running the test", expected.stdout), expected.stdout
    elif how in ("count", "repeat"):
        assert "[1-2] PASSED" in expected.stdout, expected.stdout
    assert "pytest runs this session" in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
