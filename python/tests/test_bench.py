"""The benchmark pipeline (benches/run.py) end to end on its `--tiny` configuration:
every part runs, the JSON report has the documented structure, and `--compare` passes
against the report itself and fails against a baseline whose fastest medians are ten
times smaller. Nothing here asserts how long anything took: the bench's numbers are
only checked for shape, and `--compare` runs on stored reports (`--from-report`), so its
verdict does not depend on machine noise.

Also the measuring primitives on their own: the LPT bound read from a history file,
and what `os.wait4`'s rusage covers (a reaped grandchild's peak memory).
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from oracle_harness import child_env

REPO = Path(__file__).resolve().parents[2]
BENCHES = REPO / "benches"
RUN = BENCHES / "run.py"


def _bench_module(name: str):
    if str(BENCHES) not in sys.path:
        sys.path.insert(0, str(BENCHES))
    return importlib.import_module(name)


def _bench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN), *args],
        cwd=cwd,
        env=child_env({}),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory):
    """One `--tiny` bench run (no pytest-xdist venv: creating it needs the network)."""
    if not (Path(sys.executable).parent / "fastest").exists():
        msg = f"the bench runs the fastest next to {sys.executable}, and there is none"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    base = tmp_path_factory.mktemp("bench")
    out = base / "reports"
    proc = _bench("--tiny", "--no-xdist", "--out", str(out), "--workdir", str(base / "work"), cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = sorted(out.glob("*.json"))
    return path, json.loads(path.read_text()), proc


def _check_measured(entry: dict) -> None:
    variants = set(entry["median_s"])
    assert variants, entry
    for key in ("runs_s", "cpu_s", "max_rss_mb"):
        assert set(entry[key]) == variants, key
    assert all(len(v) == 1 for v in entry["runs_s"].values())  # --tiny: one repetition
    for v in variants:
        assert entry["median_s"][v] > 0
        if hasattr(os, "wait4"):
            assert entry["cpu_s"][v] >= 0
            # Every command is at least one Python interpreter.
            assert entry["max_rss_mb"][v] > 1


def test_tiny_bench_report_structure(tiny_report):
    path, report, proc = tiny_report
    assert report["schema"] == 2
    assert {"date", "machine", "command", "rusage"} <= set(report)
    assert "--tiny" in report["command"]

    (coll,) = report["collection"].values()
    assert coll["identical_output"] is True and coll["tests"] == 200
    assert set(coll["median_s"]) == {
        "fastest_cold", "fastest_warm", "fastest_cold_no_mmap", "pytest_warm", "pytest_cold",
    }  # fmt: skip
    _check_measured(coll)

    (run,) = report["run"].values()
    assert run["same_outcome"] is True and run["tests"] == 25
    assert "pytest_xdist_2" not in run["median_s"]  # --no-xdist
    assert {"fastest", "fastest_n2", "pytest", "bare_loop", "fastest_cold", "pytest_cold"} <= set(run["median_s"])
    assert run["ratios"]["pytest_cold/fastest_cold"] > 0
    _check_measured(run)

    (skew,) = report["skew"].values()
    assert skew["same_outcome"] is True and skew["workers"] == 2
    assert set(skew["median_s"]) == {"fastest_n2_first", "fastest_n2_second"}
    _check_measured(skew)
    bound = skew["bound"]
    # 19 fast modules + the slow one, 10 + 5 tests, all in fastest's history.
    assert bound["tests"] == 19 * 10 + 5
    assert bound["longest_group"] == "tests/test_slow.py"
    assert bound["lower_bound_s"] == max(bound["longest_group_s"], bound["total_s"] / 2)
    assert set(skew["ratios"]) == {"fastest_n2_first/bound", "fastest_n2_second/bound"}

    (fix,) = report["fixtures"].values()
    assert fix["same_outcome"] is True, fix["final_lines"]
    assert set(fix["final_lines"]) == {"fastest", "fastest_n2", "pytest"}
    # The suite is built from what the native engine serves (benches/suites.py).
    assert fix["engine"] == "native"
    assert fix["tests"] > 0 and fix["final_lines"]["pytest"].startswith(f"{fix['tests']} passed")
    _check_measured(fix)

    assert report["real_projects"] == {}  # --tiny: none

    md = path.with_suffix(".md").read_text()
    for heading in ("## Collection", "## Running the tests", "## Skewed scheduling",
                    "## Fixture-heavy suite", "## CPU and peak memory"):  # fmt: skip
        assert heading in md
    assert md in proc.stdout


def test_compare_against_itself_passes(tiny_report, tmp_path):
    path, _, _ = tiny_report
    proc = _bench("--from-report", str(path), "--compare", str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "REGRESSION" not in proc.stderr


def test_compare_against_faster_baseline_fails(tiny_report, tmp_path):
    path, report, _ = tiny_report
    doctored = copy.deepcopy(report)
    changed = 0
    for part in ("collection", "run", "skew", "fixtures", "real_projects"):
        for entry in doctored[part].values():
            for k in entry.get("median_s", {}):
                if k.startswith("fastest"):
                    entry["median_s"][k] /= 10
                    changed += 1
    assert changed
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(doctored))
    # --min-delta 0: a tiny suite's medians are a few tens of milliseconds, which the
    # default absolute slack would ignore.
    proc = _bench("--from-report", str(path), "--compare", str(baseline), "--min-delta", "0", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # Every doctored median is reported, each naming its part and variant.
    regressions = [line for line in proc.stderr.splitlines() if line.startswith("REGRESSION: ")]
    assert len(regressions) == changed
    assert any(line.startswith("REGRESSION: skew ") and "fastest_n2_second" in line for line in regressions)


def test_compare_ignores_slowdowns_below_min_delta(tiny_report, tmp_path):
    path, report, _ = tiny_report
    doctored = copy.deepcopy(report)
    for entry in doctored["collection"].values():
        entry["median_s"] = {k: v - 0.01 if k.startswith("fastest") else v for k, v in entry["median_s"].items()}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(doctored))
    args = ("--from-report", str(path), "--compare", str(baseline), "--threshold", "0")
    assert _bench(*args, "--min-delta", "0.02", cwd=tmp_path).returncode == 0
    slower = _bench(*args, "--min-delta", "0", cwd=tmp_path)
    assert slower.returncode == 1 and "REGRESSION: collection 200 fastest_warm" in slower.stderr


def test_outcome_total_counts_every_outcome_but_warnings():
    run = _bench_module("run")
    assert run.outcome_total("2 failed, 598 passed, 1 warning in Xs") == 600
    assert run.outcome_total("1 passed, 11 errors in Xs") == 12
    assert run.outcome_total("no tests ran in Xs") == 0


def test_lpt_bound_from_history(tmp_path):
    run = _bench_module("run")
    history = tmp_path / "history-v1.json"
    tests = {
        "tests/test_a.py::test_1": 1.0,
        "tests/test_a.py::test_2": 1.5,
        "tests/test_b.py::TestX::test_1": 0.5,
        "tests/test_b.py::test_p[1-2]": 0.25,
        "tests/test_c.py::test_1": 0.75,
    }
    history.write_text(json.dumps({"tests": {k: {"duration": v, "outcome": "passed"} for k, v in tests.items()}}))
    bound = run.lpt_bound(history, 2)
    assert bound["longest_group"] == "tests/test_a.py"
    assert bound["longest_group_s"] == 2.5
    assert bound["total_s"] == 4.0
    assert bound["lower_bound_s"] == 2.5  # the longest group, above 4.0 / 2
    assert run.lpt_bound(history, 1)["lower_bound_s"] == 4.0


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="rusage needs os.wait4")
def test_measure_peak_memory_covers_a_reaped_grandchild(tmp_path):
    measure = _bench_module("measure")
    # The child stays small; its child (reaped by it) holds 200 MiB at its peak.
    grandchild = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)"
    m = measure.run([sys.executable, "-c", child], tmp_path)
    assert m.rc == 0, m.err
    assert m.max_rss_mb >= 200
    assert m.cpu is not None and m.cpu > 0
    # A child that never allocates much stays far below.
    small = measure.run([sys.executable, "-c", "pass"], tmp_path)
    assert small.max_rss_mb < 100


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork-server without os.fork")
def test_worker_start_measures_spawn_and_fork(tmp_path):
    """benches/worker_start.py: both strategies measured for each worker count, and a
    replacement worker's cost (shape only)."""
    out = tmp_path / "ws.json"
    proc = subprocess.run(
        [sys.executable, str(BENCHES / "worker_start.py"), "--workers", "1,2", "--repeat", "1",
         "--json", str(out)],
        cwd=REPO, env=child_env({}), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert [r["workers"] for r in report["rows"]] == [1, 2]
    for row in report["rows"]:
        assert row["spawn_s"] > 0 and row["fork_s"] > 0
    assert set(report["replacement"]) == {"spawn_s", "fork_s"}
    assert "| workers | spawn (s) | fork-server (s) | spawn / fork |" in proc.stdout


def test_coverage_part_compares_pytest_covs_report(tmp_path):
    """The `--coverage` part on its own (its venv with pytest-cov comes from the package
    index): fastest's and pytest's coverage sections are the same, each variant measured,
    and the Markdown has its table."""
    if not (Path(sys.executable).parent / "fastest").exists():
        pytest.skip(f"the bench runs the fastest next to {sys.executable}, and there is none")
    out = tmp_path / "reports"
    proc = _bench(
        "--sizes", "", "--run-sizes", "", "--no-skew", "--fixtures", "none",
        "--real-projects", "none", "--coverage", "40", "--repeat", "1",
        "--out", str(out), "--workdir", str(tmp_path / "work"), cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = sorted(out.glob("*.json"))
    report = json.loads(path.read_text())
    (cov,) = report["coverage"].values()
    assert cov["same_outcome"] is True, cov["final_lines"]
    assert set(cov["median_s"]) == {"fastest", "fastest_n2", "pytest", "pytest_xdist_2"}
    assert cov["engine"] == "native"
    _check_measured(cov)
    assert "## Coverage (`--cov`" in path.with_suffix(".md").read_text()
