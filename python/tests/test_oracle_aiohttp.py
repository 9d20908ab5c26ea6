"""pytest-aiohttp installed, against real pytest (issue 5).

Its plugin module provides fixtures (pytest-asyncio fixtures: it imports
`pytest_asyncio`, a module pluggy takes for no hook) and a `pytest_configure` that
only acts on pytest-asyncio's legacy mode: a quiet plugin (`parse::quiet_plugin`). The
session stays fastest's (collection, scheduling, `-n`, reports); the coroutine tests
run where pytest-asyncio's do.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import assert_session_kept_like_pytest, plugin_case_both

CASE = Path(__file__).resolve().parent / "plugin_cases" / "aiohttp"
AIOHTTP = ["pytest-aiohttp==1.1.1", "pytest-asyncio==1.5.0", "aiohttp==3.14.5"]


@pytest.fixture(scope="session")
def aiohttp_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-aiohttp (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-aiohttp-venv", [PYTEST, XDIST, *AIOHTTP])


@pytest.mark.parametrize(
    "args", [("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2", "-rA")],
    ids=["v", "rA", "collect", "n2"],
)
def test_aiohttp_sessions_stay_fastests(tmp_path, aiohttp_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, aiohttp_pytest, args)
    assert "aiohttp-1.1.1" in expected.stdout or "-v" not in args
    assert_session_kept_like_pytest(expected, actual, args)
