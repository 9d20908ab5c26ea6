"""pytest-lazy-fixtures installed, against real pytest (issue 5).

Its hooks resolve `lf("name")` and `lfc(...)` values: parameters of tests and of
fixtures (`pytest_generate_tests` adds the named fixtures to the item's closure and
`pytest_make_parametrize_id` names the parameter after the fixture; `pytest_fixture_setup`
swaps the value for the fixture's). Only modules that name `pytest_lazy_fixtures`, or
lie below a conftest that does, can hold one: discovery leaves those to the import
fallback and their items with such a value to the pytest engine of fastest's workers;
the rest of the session is native, and the session stays fastest's
(``COLLECTING_PLUGINS`` in invocation.rs).
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import assert_session_kept_like_pytest, plugin_case_both

CASE = Path(__file__).resolve().parent / "plugin_cases" / "lazy_fixtures"
LAZY = "pytest-lazy-fixtures==1.4.1"


@pytest.fixture(scope="session")
def lazy_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-lazy-fixtures (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-lazy-fixtures-venv", [PYTEST, XDIST, LAZY])


@pytest.mark.parametrize(
    "args",
    [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-q", "-k", "one"), ("-q", "-x"),
     ("-n", "2", "-rA")],
    ids=["v", "rA", "collect", "k", "x", "n2"],
)
def test_lazy_fixture_modules_run_in_fastests_workers(tmp_path, lazy_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, lazy_pytest, args)
    assert "test_values[one]" in expected.stdout or "-q" in args and "-rA" not in args
    assert_session_kept_like_pytest(expected, actual, args)
    if args == ("-v",):
        assert "the pytest engine runs tests/test_lazy.py" in actual.stdout
        assert "the pytest engine runs tests/sub/test_below.py" in actual.stdout
        assert "the native engine runs the other modules" in actual.stdout
