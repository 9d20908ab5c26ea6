"""pytest-rerunfailures under fastest, against real pytest (issue 5).

Reruns come from the plugin's own ``pytest_runtest_protocol``: a module with a ``flaky``
mark (every module, with ``--reruns`` or the ``reruns`` ini) runs in the pytest engine,
in fastest's workers, and fastest's reporters draw what pytest's do: ``R`` letters and
``RERUN`` words (a location line again for each attempt), the ``rerun`` count on the
final line, the plugin's "rerun test summary info" (``-rR``, ``--rerun-show-tracebacks``),
a JUnit test case per attempt, pytest's ``lastfailed``; ``--json-report`` describes the
last attempt and counts the others. Under ``-n`` (pytest-xdist installed) each worker's
plugin has a status server of its own, as pytest-xdist's controller gives its workers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from oracle_harness import (
    FINAL_LINE as _FINAL,
    OUTCOME_LINE as _OUTCOME,
    clean_plugin_output as _clean,
    fastest_in,
    fresh_case,
    plugin_case_both,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "reruns"


def _both(tmp_path: Path, venv_pytest, args, edit=None):
    return plugin_case_both(CASE, tmp_path, venv_pytest, args, edit)


def _same(expected, actual) -> None:
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert "pytest would run this session" not in actual.stderr, actual.stderr
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("-q",),
        ("-v",),
        ("-rA",),
        ("-q", "-rfR"),
        ("-q", "-rR", "--rerun-show-tracebacks"),
        ("-q", "--reruns", "1"),
        ("-v", "--reruns=2", "--only-rerun", "AssertionError", "-rR"),
        ("-q", "-o", "reruns=1", "--color=yes"),
        ("-q", "--reruns", "1", "--max-suite-reruns", "1", "-rR"),
        ("-q", "-x"),
        ("-v", "-s"),
    ],
    ids=["q", "v", "rA", "rfR", "tracebacks", "reruns", "only-rerun", "ini-color",
         "max-suite", "x", "v-s"],
)
def test_reruns_print_what_pytest_prints(tmp_path, native_plugins_pytest, args):
    expected, actual = _both(tmp_path, native_plugins_pytest, args)
    assert re.search(r"\d+ rerun", expected.stdout), expected.stdout
    _same(expected, actual)


def test_rerun_options_keep_fastests_collection(tmp_path, native_plugins_pytest):
    """The plugin's options are read off its ``pytest_addoption``: given on the command
    line they leave the collection to fastest (pytest's collection of the whole session
    before)."""
    args = ("-q", "--reruns", "1", "--only-rerun", "AssertionError", "--reruns-delay=0")
    expected, actual = plugin_case_both(
        CASE, tmp_path, native_plugins_pytest, args,
        fastest_env={"FASTEST_LOG": "fastest_cli=debug"},
    )
    _same(expected, actual)
    assert "pytest collects the whole session" not in actual.stderr, actual.stderr
    assert "collected items=" in actual.stderr, actual.stderr


def test_a_flaky_mark_moves_only_its_module(tmp_path, native_plugins_pytest):
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-v",))
    _same(expected, actual)
    note = [l for l in actual.stdout.splitlines() if l.startswith("fastest: ")]
    assert any("test_flaky.py" in l and "flaky mark" in l for l in note), actual.stdout
    assert any("native engine runs the other modules" in l for l in note), actual.stdout


@pytest.mark.parametrize("args", [("-v",), ("-q", "-rR"), ("-q", "--reruns", "2")],
                         ids=["v", "rR", "reruns"])
def test_reruns_under_workers_match_pytest_xdist(tmp_path, native_plugins_pytest, args):
    # Which worker runs what differs: every verbose line, the rerun summary's lines and
    # the final counts are compared as sets.
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-n", "2", *args))
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert "INTERNALERROR" not in actual.stdout, actual.stdout

    def lines(out: str):
        return sorted(
            re.sub(r"\[gw\d\]", "[gw?]", re.sub(r"\[gw\d\] \[\s*\d+%\] ", "", l)).rstrip()
            for l in out.splitlines()
            if l.startswith(("[gw", "RERUN ", "PASSED ", "FAILED ", "ERROR "))
        )

    assert lines(actual.stdout) == lines(expected.stdout), (expected.stdout, actual.stdout)
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]


def test_reports_and_cache_match_pytest(tmp_path, native_plugins_pytest):
    """JUnit (a test case per attempt), pytest's ``lastfailed``, and fastest's JSON
    report (the last attempt, with a ``reruns`` count)."""
    outputs = []
    for cmd, env in ((list(native_plugins_pytest), {}), fastest_in(native_plugins_pytest)):
        root = fresh_case(CASE, tmp_path)
        extra = {**env, "FASTEST_NO_DELEGATE": "1"} if env else {}
        args = ["--junitxml", str(root / "junit.xml"), "--reruns", "1"]
        if env:
            args += ["--json-report", str(root / "report.jsonl")]
        proc = run_in(cmd, root, args, extra)
        assert proc.returncode == 1, proc.stdout
        xml = (root / "junit.xml").read_text()
        xml = re.sub(r'(time|timestamp|hostname)="[^"]*"', r'\1="?"', xml)
        lastfailed = json.loads((root / ".pytest_cache/v/cache/lastfailed").read_text())
        outputs.append((root, xml, lastfailed))
    (_, xml_p, lf_p), (root, xml_f, lf_f) = outputs
    assert xml_f == xml_p
    assert xml_p.count('name="test_passes_on_second_attempt"') == 2
    assert lf_f == lf_p
    lines = [json.loads(l) for l in (root / "report.jsonl").read_text().splitlines()]
    tests = {l["nodeid"]: l for l in lines if l["type"] == "test"}
    flaky = tests["test_flaky.py::test_passes_on_second_attempt"]
    assert (flaky["outcome"], flaky["reruns"]) == ("passed", 1)
    assert "Captured stdout call" in {s["name"] for s in flaky["sections"]}
    assert tests["test_flaky.py::test_always_fails"]["reruns"] == 2
    assert "reruns" not in tests["test_flaky.py::test_steady"]
    assert tests["test_plain.py::test_fails_once_globally"]["outcome"] == "passed"
    finish = lines[-1]
    assert finish["type"] == "session_finish"
    assert sum(finish["totals"].values()) == len(tests)


@pytest.mark.parametrize(
    "args",
    [("-q", "--reruns", "1", "--fail-on-flaky", "-k", "steady or second_attempt or recovers")],
    ids=["fail-on-flaky"],
)
def test_what_only_pytests_session_gives_is_handed_over(tmp_path, native_plugins_pytest, args):
    """Exit code 7 for a flaky pass comes from the plugin's ``pytest_sessionfinish``:
    the session is pytest's (refused here, as ``FASTEST_NO_DELEGATE`` asks), and
    delegated it ends as pytest's does."""
    expected, refused = _both(tmp_path, native_plugins_pytest, args)
    assert expected.returncode == 7, expected.stdout
    assert refused.returncode == 3
    assert "pytest would run this session: pytest-rerunfailures' --fail-on-flaky" in refused.stderr
    root = fresh_case(CASE, tmp_path)
    cmd, env = fastest_in(native_plugins_pytest)
    delegated = run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)
    assert delegated.returncode == 7
    assert _clean(delegated.stdout) == _clean(expected.stdout)
