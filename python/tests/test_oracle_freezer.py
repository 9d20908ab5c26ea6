"""pytest-freezer installed, against real pytest (issue 5).

Its plugin gives the `freezer` fixture to tests that request it, and its
`pytest_collection_modifyitems` adds that fixture to items marked `freeze_time`
(nothing else): a session where no test file or conftest names `freeze_time` keeps
fastest's collection and the native engine (the fixture loaded from the plugin's
module); one that does is pytest's (``IDLE_PLUGINS`` in invocation.rs).
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

CASE = Path(__file__).resolve().parent / "plugin_cases" / "freezer_idle"
FREEZER = "pytest-freezer==0.4.9"


@pytest.fixture(scope="session")
def freezer_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-freezer (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-freezer-venv", [PYTEST, XDIST, FREEZER])


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")])
def test_an_idle_freezer_keeps_the_native_engine(tmp_path, freezer_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, freezer_pytest, args)
    assert "freezer-0.4.9" in expected.stdout or "-v" not in args
    assert_native_like_pytest(expected, actual, args)


def test_a_session_naming_freeze_time_is_pytests(tmp_path, freezer_pytest):
    def edit(root: Path) -> None:
        (root / "tests" / "test_marked.py").write_text(
            "import datetime\n\nimport pytest\n\n\n"
            "@pytest.mark.freeze_time('2019-05-06')\ndef test_marked():\n"
            "    assert datetime.date.today() == datetime.date(2019, 5, 6)\n"
        )

    expected, _ = plugin_case_both(CASE, tmp_path, freezer_pytest, ("-v",), edit)
    assert "test_marked.py::test_marked PASSED" in expected.stdout, expected.stdout
    cmd, env = fastest_in(freezer_pytest)
    actual = run_in(cmd, tmp_path / "case", ["-p", "no:cacheprovider", "-v"], env)
    assert "pytest runs this session" in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
