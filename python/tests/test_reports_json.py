"""``--json-report``, ``fastest merge`` and GitHub Actions annotations.

Every report line is validated against ``docs/json-report.schema.json``; the outcomes are
checked against pytest's own JUnit file for the same project; shards merged back equal
one unsharded run (and pytest's JUnit); a run killed midway leaves a parseable prefix;
a session handed to pytest writes the same lines (``fastest._json_report``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from oracle_harness import RUN_TIMEOUT, child_env, find_pytest, require_fastest

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "json-report.schema.json").read_text())


def _project(root: Path) -> Path:
    """Every final outcome, captured output, and several files (for shards)."""
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_outcomes.py").write_text(textwrap.dedent("""\
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup boom")

        @pytest.fixture
        def bad_teardown():
            yield
            raise ValueError("teardown boom")

        def test_pass():
            print("hello out")

        def test_fail():
            x = 1
            assert x == 2

        def test_skip():
            pytest.skip("nope")

        @pytest.mark.xfail(reason="known")
        def test_xfail():
            assert 0

        @pytest.mark.xfail(reason="lucky")
        def test_xpass():
            pass

        def test_setup_error(broken):
            pass

        def test_teardown_error(bad_teardown):
            pass
    """))
    for m in range(5):
        body = "".join(f"def test_{t}():\n    pass\n\n" for t in range(m + 2))
        (root / f"test_mod{m}.py").write_text(body)
    (root / "test_mod2.py").write_text(
        (root / "test_mod2.py").read_text() + "def test_bad():\n    assert [1] == [2]\n"
    )
    return root


def _fastest(root: Path, *args: str, env: Dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*require_fastest(), "-p", "no:cacheprovider", *args],
        cwd=root, env=child_env({"NO_COLOR": "1", **(env or {})}),
        capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )


def _lines(path: Path) -> List[Dict[str, Any]]:
    lines = [json.loads(l) for l in path.read_text().splitlines()]
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    return lines


def _check_report(lines: List[Dict[str, Any]], exitcode: int) -> Dict[str, str]:
    """The documented structure: start, tests, finish with matching totals. Returns
    node id -> outcome."""
    assert lines[0]["type"] == "session_start"
    assert lines[-1]["type"] == "session_finish"
    tests = lines[1:-1]
    assert all(t["type"] == "test" for t in tests)
    totals = {o: 0 for o in ("passed", "failed", "skipped", "xfailed", "xpassed", "error")}
    for t in tests:
        totals[t["outcome"]] += 1
    assert lines[-1]["totals"] == totals
    assert lines[-1]["exitcode"] == exitcode
    outcomes = {t["nodeid"]: t["outcome"] for t in tests}
    assert len(outcomes) == len(tests), "one line per test"
    return outcomes


EXPECTED = {
    "test_outcomes.py::test_pass": "passed",
    "test_outcomes.py::test_fail": "failed",
    "test_outcomes.py::test_skip": "skipped",
    "test_outcomes.py::test_xfail": "xfailed",
    "test_outcomes.py::test_xpass": "xpassed",
    "test_outcomes.py::test_setup_error": "error",
    "test_outcomes.py::test_teardown_error": "error",
}


def _junit_counts(path: Path) -> Tuple[Dict[str, int], List[Tuple[str, str]]]:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "errors", "failures", "skipped")}
    cases = sorted((c.get("classname", ""), c.get("name", "")) for c in suite.iter("testcase"))
    return counts, cases


@pytest.mark.parametrize("engine", ["native", "pytest"])
def test_every_line_follows_the_schema(tmp_path: Path, engine: str):
    root = _project(tmp_path)
    r = _fastest(root, "--engine", engine, "--json-report", "out/r.jsonl", "-q")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = _lines(root / "out" / "r.jsonl")
    outcomes = _check_report(lines, 1)
    for nodeid, outcome in EXPECTED.items():
        assert outcomes[nodeid] == outcome, nodeid
    start = lines[0]
    assert start["schema"] == 1 and start["runner"] == "fastest"
    assert start["args"] == ["-p", "no:cacheprovider", "--engine", engine, "--json-report", "out/r.jsonl", "-q"]
    assert Path(start["rootdir"]) == root
    assert start["shard"] is None and start["workers"] == 0
    by_id = {t["nodeid"]: t for t in lines[1:-1]}
    fail = by_id["test_outcomes.py::test_fail"]
    assert "assert 1 == 2" in fail["longrepr"] and fail["longrepr"] in r.stdout
    assert fail["message"].startswith("assert 1 == 2")
    assert fail["call"]["outcome"] == "failed" and fail["setup"]["outcome"] == "passed"
    err = by_id["test_outcomes.py::test_setup_error"]
    assert err["call"] is None and "setup boom" in err["message"]
    td = by_id["test_outcomes.py::test_teardown_error"]
    assert td["call"]["outcome"] == "passed" and td["teardown"]["outcome"] == "failed"
    assert "teardown boom" in td["longrepr"]
    out = by_id["test_outcomes.py::test_pass"]["sections"]
    assert {"name": "Captured stdout call", "content": "hello out\n"} in out
    assert by_id["test_outcomes.py::test_skip"]["message"] == "Skipped: nope"
    assert by_id["test_outcomes.py::test_xfail"]["message"] == "known"


def test_outcomes_agree_with_pytests_junit(tmp_path: Path):
    root = _project(tmp_path)
    _fastest(root, "--json-report", "r.jsonl", "-q")
    outcomes = _check_report(_lines(root / "r.jsonl"), 1)
    subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-q", "--junitxml", "p.xml"],
                   cwd=root, env=child_env({}), capture_output=True, timeout=RUN_TIMEOUT)
    suite = ET.parse(root / "p.xml").getroot().find("testsuite")
    assert suite is not None
    # pytest's JUnit: a test with a teardown error is one more <testcase> with <error>.
    junit: Dict[str, str] = {}
    for c in suite.iter("testcase"):
        module = c.get("classname", "").replace(".", "/") + ".py"
        nodeid = f"{module}::{c.get('name')}"
        kids = {k.tag: k for k in c}
        if "error" in kids:
            junit[nodeid] = "error"
        elif "failure" in kids:
            junit[nodeid] = "failed"
        elif "skipped" in kids:
            junit[nodeid] = "xfailed" if kids["skipped"].get("type") == "pytest.xfail" else "skipped"
        else:
            junit.setdefault(nodeid, "passed")
    # JUnit does not tell xpass from pass.
    mine = {k: ("passed" if v == "xpassed" else v) for k, v in outcomes.items()}
    assert mine == junit


def test_delegated_session_writes_the_same_lines(tmp_path: Path):
    root = _project(tmp_path)
    _fastest(root, "--engine", "native", "--json-report", "native.jsonl", "-q")
    # `-p no:faulthandler` is a session fastest hands to pytest whole.
    r = _fastest(root, "-p", "no:faulthandler", "--json-report", "pytest.jsonl", "--shard", "1/1", "-q")
    assert r.returncode == 1, r.stdout + r.stderr
    native = _lines(root / "native.jsonl")
    by_pytest = _lines(root / "pytest.jsonl")
    assert by_pytest[0]["runner"] == "pytest"
    assert by_pytest[0]["shard"] == "1/1"
    assert all(t["shard"] == "1/1" for t in by_pytest[1:-1])
    assert _check_report(by_pytest, 1) == _check_report(native, 1)
    assert [t["nodeid"] for t in by_pytest[1:-1]] == [t["nodeid"] for t in native[1:-1]]
    keys = lambda lines: [sorted(l) for l in lines]  # noqa: E731
    assert keys(by_pytest) == keys(native)


def test_collect_only_still_writes_a_report(tmp_path: Path):
    root = _project(tmp_path)
    r = _fastest(root, "--collect-only", "-q", "--json-report", "c.jsonl")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = _lines(root / "c.jsonl")
    assert [l["type"] for l in lines] == ["session_start", "session_finish"]


def test_a_killed_run_leaves_a_valid_prefix(tmp_path: Path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_a.py").write_text(
        "def test_1():\n    pass\n\ndef test_2():\n    assert 0\n\n"
        "def test_3():\n    import time\n    time.sleep(60)\n"
    )
    report = tmp_path / "r.jsonl"
    proc = subprocess.Popen(
        [*require_fastest(), "-p", "no:cacheprovider", "--json-report", str(report)],
        cwd=tmp_path, env=child_env({}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            if report.exists() and len(report.read_text().splitlines()) >= 3:
                break
            time.sleep(0.05)
        else:
            pytest.fail("no test lines appeared")
    finally:
        # The whole group: the coordinator and its worker.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    lines = _lines(report)
    assert lines[0]["type"] == "session_start"
    assert [l["type"] for l in lines[1:]] == ["test", "test"]
    assert [(l["nodeid"], l["outcome"]) for l in lines[1:]] == [
        ("test_a.py::test_1", "passed"), ("test_a.py::test_2", "failed"),
    ]
    # A killed shard's report still merges (counted as interrupted).
    m = subprocess.run([*require_fastest(), "merge", "--json-report", "m.jsonl", str(report)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert m.returncode == 0, m.stderr
    assert "no session_finish line" in m.stderr
    merged = _lines(tmp_path / "m.jsonl")
    assert merged[-1]["exitcode"] == 2 and merged[-1]["totals"]["failed"] == 1


def test_three_shards_merge_into_one_run(tmp_path: Path):
    root = _project(tmp_path)
    history = root / ".fastest_cache" / "history-v1.json"
    # The unsharded run records history; each shard starts from it, as CI jobs that
    # restore one cache do.
    whole = _fastest(root, "-q", "--junitxml", "whole.xml", "--json-report", "whole.jsonl")
    assert whole.returncode == 1
    saved = history.read_bytes()
    codes = []
    for k in (1, 2, 3):
        r = _fastest(root, "-q", "--shard", f"{k}/3", "--junitxml", f"s{k}.xml",
                     "--json-report", f"s{k}.jsonl")
        codes.append(r.returncode)
        (root / f"h{k}.json").write_bytes(history.read_bytes())
        history.write_bytes(saved)
    assert 1 in codes
    fm = [*require_fastest(), "merge"]
    for args in (
        ["--junitxml", "m.xml", "s1.xml", "s2.xml", "s3.xml"],
        ["--json-report", "m.jsonl", "s1.jsonl", "s2.jsonl", "s3.jsonl"],
        ["--history", "h.json", "h1.json", "h2.json", "h3.json"],
    ):
        m = subprocess.run([*fm, *args], cwd=root, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        assert m.returncode == 0, m.stdout + m.stderr
        assert m.stdout.startswith("merged 3 "), m.stdout
    subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-q", "--junitxml", "p.xml"],
                   cwd=root, env=child_env({}), capture_output=True, timeout=RUN_TIMEOUT)
    merged_junit = _junit_counts(root / "m.xml")
    assert merged_junit == _junit_counts(root / "whole.xml")
    assert merged_junit == _junit_counts(root / "p.xml")
    shard_times = sum(float(ET.parse(root / f"s{k}.xml").getroot()[0].get("time", "0")) for k in (1, 2, 3))
    assert abs(float(ET.parse(root / "m.xml").getroot()[0].get("time", "0")) - shard_times) < 0.01
    merged = _lines(root / "m.jsonl")
    whole_lines = _lines(root / "whole.jsonl")
    assert _check_report(merged, 1) == _check_report(whole_lines, 1)
    assert merged[-1]["totals"] == whole_lines[-1]["totals"]
    assert [l for l in merged if l["type"] == "session_start"][0]["shard"] is None
    assert sum(l["type"] == "session_start" for l in merged) == 1
    tests = json.loads((root / "h.json").read_text())["tests"]
    assert set(tests) == set(_check_report(whole_lines, 1))


def test_a_directory_named_merge_runs_as_tests(tmp_path: Path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "merge").mkdir()
    (tmp_path / "merge" / "test_m.py").write_text("def test_m():\n    pass\n")
    r = _fastest(tmp_path, "merge", "-q")
    p = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "merge", "-q"], cwd=tmp_path,
                       env=child_env({"NO_COLOR": "1"}), capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert r.returncode == p.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[0] == p.stdout.splitlines()[0]
    assert r.stdout.splitlines()[0].split()[0] == "."
    # A file named merge counts too (pytest would report it as not collected).
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "merge").write_text("")
    r = subprocess.run([*require_fastest(), "merge", "--junitxml", "o.xml"], cwd=tmp_path / "other",
                       env=child_env({}), capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert "merged" not in r.stdout


def test_merge_usage_errors(tmp_path: Path):
    r = subprocess.run([*require_fastest(), "merge", "a.xml"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert r.returncode == 4, r.stdout + r.stderr
    assert "--junitxml" in r.stderr


def test_github_actions_annotations(tmp_path: Path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    sub = tmp_path / "tests"
    sub.mkdir()
    (sub / "test_gh.py").write_text(textwrap.dedent("""\
        import pytest

        def helper(v):
            assert v == 2, "50% off,\\nreally"

        def test_ok():
            pass

        def test_crash():
            helper(1)

        @pytest.fixture
        def broken():
            raise RuntimeError("no db")

        def test_err(broken):
            pass

        @pytest.mark.parametrize("v", ["a,b"])
        def test_param(v):
            assert v == "x"
    """))
    plain = _fastest(tmp_path, "-q")
    assert "::error" not in plain.stdout
    r = _fastest(tmp_path, "-q", env={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1
    annotations = [l for l in r.stdout.splitlines() if l.startswith("::error")]
    assert annotations == [
        "::error file=tests/test_gh.py,line=4,title=tests/test_gh.py%3A%3Atest_crash::"
        "AssertionError: 50%25 off,%0A  really%0Aassert 1 == 2",
        "::error file=tests/test_gh.py,line=14,title=tests/test_gh.py%3A%3Atest_err::"
        "error at setup of tests/test_gh.py::test_err: RuntimeError: no db",
        "::error file=tests/test_gh.py,line=21,title=tests/test_gh.py%3A%3Atest_param[a%2Cb]::"
        "AssertionError: assert 'a,b' == 'x'%0A  %0A  - x%0A  + a,b",
    ], r.stdout
    # After the normal output, which is otherwise unchanged.
    assert r.stdout.splitlines()[-len(annotations):] == annotations
    body = [l for l in r.stdout.splitlines() if not l.startswith("::error")]
    assert len(body) == len(plain.stdout.splitlines())
