"""pytest-recording installed, against real pytest (issue 5).

Its plugin module adds hook specifications of its own (`pytest_addhooks`: a conftest
implements `pytest_recording_configure`), looks up other plugins in its
`pytest_configure` and uninstalls a wrapper in `pytest_unconfigure`: a worker plugin
(`parse::worker_plugin`), whose hooks act only inside the workers' pytest. The session
stays fastest's (collection, scheduling, `-n`, reports); its items run in the pytest
engine of fastest's workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import assert_session_kept_like_pytest, plugin_case_both

CASE = Path(__file__).resolve().parent / "plugin_cases" / "recording"
RECORDING = ["pytest-recording==0.14.1", "vcrpy==9.4.2", "requests==2.34.2"]


@pytest.fixture(scope="session")
def recording_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-recording (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-recording-venv", [PYTEST, XDIST, *RECORDING])


@pytest.mark.parametrize(
    "args",
    [("-v", "--tb=short"), ("-q", "-rA", "--tb=short"), ("--collect-only", "-q"),
     ("-q", "--tb=short", "--block-network"), ("-n", "2", "-rA")],
    ids=["v", "rA", "collect", "block-network", "n2"],
)
def test_recording_sessions_stay_fastests(tmp_path, recording_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, recording_pytest, args)
    assert "recording-0.14.1" in expected.stdout or "-v" not in args
    assert_session_kept_like_pytest(expected, actual, args)
