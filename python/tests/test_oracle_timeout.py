"""pytest-timeout served by the native engine, against real pytest (issue 5).

The native engine loads the plugin's module and drives its ``pytest_runtest_protocol``
and ``pytest_runtest_call`` wrappers, so its own timer (``SIGALRM``) limits each test:
the same failures and setup errors with the plugin's message, the same stack dumps of
other threads, and the tests after a timeout running on in the same worker. The
``plugins_pytest`` venv has the plugin (with pytest-mock, pytest-asyncio, hypothesis,
pytest-cov and pytest-xdist), and none that starts threads of its own in pytest's
process (pytest-rerunfailures does beside pytest-xdist: its dumps would show them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oracle_harness import clean_plugin_output as _clean, plugin_case_both

TIMEOUTS = Path(__file__).resolve().parent / "plugin_cases" / "timeouts"


@pytest.mark.parametrize(
    "args",
    [("test_limits.py", "-rA"), ("test_limits.py", "-v", "--timeout=0.3"),
     ("test_limits.py", "-q", "--tb=short", "-s"), ("test_by_import.py", "-rA", "--timeout=0.6")],
    ids=["rA", "option-limit", "short-no-capture", "option-limit-by-import"],
)
def test_timeouts_are_pytests(tmp_path, plugins_pytest, args):
    """A test, a fixture, a ``func_only`` call running out of time fail or error with
    the plugin's message, in the same worker as the tests after them, as under pytest."""
    expected, actual = plugin_case_both(TIMEOUTS, tmp_path, plugins_pytest, args)
    assert actual.returncode == expected.returncode == 1
    assert "fastest: the pytest engine" not in actual.stdout, actual.stdout
    limit = "0.6" if "test_by_import.py" in args else "0.5"
    assert f"Timeout (>{limit}s) from pytest-timeout" in actual.stdout or "--timeout=0.3" in args
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_a_timeout_dumps_other_threads_as_pytest_does(tmp_path, plugins_pytest):
    # The dump goes to pytest's terminal writer, which fd capture takes into the
    # phase's captured output. (pytest's progress line then counts the dump's last
    # line as its own: that fill is left out of the comparison.)
    expected, actual = plugin_case_both(
        TIMEOUTS, tmp_path, plugins_pytest, ("test_threads.py", "-rA")
    )
    assert actual.returncode == expected.returncode == 1

    def sections(out: str) -> str:
        body = _clean(out).split(" FAILURES ", 1)[1]
        return re.sub(r"\(\d+\)", "(?)", body)

    assert "Stack of sleeper" in actual.stdout
    assert sections(actual.stdout) == sections(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
