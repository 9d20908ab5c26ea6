"""hypothesis installed: the native engine loads its pytest plugin and does what the
plugin does under pytest (issue 5), against real pytest with the same venv.

``plugin_cases/hypothesis`` has a profile the ``-v`` header names, passing and failing
``@given`` tests (the failing example's notes), the function-scoped fixture health check
(failing, suppressed, a parametrized fixture), ``@settings`` without ``@given``,
``@example``, the ``hypothesis`` mark the plugin's collection hook adds, the
``Hypothesis`` report section of verbose tests, and a stateful ``TestCase``.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import pytest

from oracle_harness import (
    FINAL_LINE as _FINAL,
    OUTCOME_LINE as _OUTCOME,
    clean_plugin_output as _clean,
    plugin_case_both,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "hypothesis"
_ENGINE_NOTE = "fastest: the pytest engine runs the items"


def _both(tmp_path: Path, venv_pytest: List[str], args: Sequence[str]):
    return plugin_case_both(CASE, tmp_path, venv_pytest, args)


@pytest.mark.parametrize(
    "args",
    [("-v",), ("-rA",), ("-q", "--tb=short"), ("--tb=no", "-rfs"), ("-x",)],
    ids=["v", "rA", "q-short", "tb-no", "x"],
)
def test_native_engine_prints_what_pytest_prints(tmp_path, hypothesis_pytest, args):
    expected, actual = _both(tmp_path, hypothesis_pytest, args)
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_the_native_engine_runs_it(tmp_path, hypothesis_pytest):
    _, actual = _both(tmp_path, hypothesis_pytest, ("-v",))
    assert _ENGINE_NOTE not in actual.stdout, actual.stdout
    assert "hypothesis profile 'oracle' -> database=None" in actual.stdout


def test_distributed_run_matches_pytest_xdist(tmp_path, hypothesis_pytest):
    expected, actual = _both(tmp_path, hypothesis_pytest, ("-n", "2", "-v"))
    assert actual.returncode == expected.returncode == 1
    assert set(_OUTCOME.findall(actual.stdout)) == set(_OUTCOME.findall(expected.stdout))
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]
    assert _ENGINE_NOTE not in actual.stdout


@pytest.mark.parametrize(
    "args", [("-m", "hypothesis", "-v"), ("-k", "not hypothesis", "-v")], ids=["m", "k"]
)
def test_selection_by_the_plugins_mark_leaves_it_to_the_pytest_engine(
    tmp_path, hypothesis_pytest, args
):
    # The mark comes from the plugin's collection hook: only pytest's collection knows
    # which items have it.
    expected, actual = _both(tmp_path, hypothesis_pytest, args)
    assert "the pytest engine runs the items (installed pytest plugin hypothesis)" in actual.stdout
    assert actual.returncode == expected.returncode
    assert _clean(actual.stdout) == _clean(expected.stdout)


def _properties(xml: str) -> list:
    """The test suite's properties: each name and its decoded statistics' first line
    (the rest is run times and a random search's counts and stopping reason)."""
    import base64
    import xml.etree.ElementTree as ET

    out = []
    for prop in ET.fromstring(xml).iter("property"):
        text = base64.b64decode(prop.get("value", "")).decode()
        out.append((prop.get("name"), text.splitlines()[0]))
    return out


def test_junit_xml_gets_the_statistics_natively(tmp_path, hypothesis_pytest):
    # hypothesis's report hook makes each test's statistics a property of the suite.
    xml = tmp_path / "out.xml"
    kept: list = []

    def keep(_root: Path) -> None:
        if xml.exists():
            kept.append(xml.read_text())
            xml.unlink()

    expected, actual = plugin_case_both(CASE, tmp_path, hypothesis_pytest,
                                        ("-v", f"--junitxml={xml}"), edit=keep)
    assert _ENGINE_NOTE not in actual.stdout, actual.stdout
    assert actual.returncode == expected.returncode == 1
    assert _clean(actual.stdout) == _clean(expected.stdout)
    pytest_props, fastest_props = _properties(kept[0]), _properties(xml.read_text())
    assert pytest_props and fastest_props == pytest_props
