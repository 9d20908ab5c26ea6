"""pytest-json-report installed: ``--json-report`` is its flag, not fastest's option.

fastest's own report is spelled ``--json-report=PATH``; with pytest-json-report
installed that spelling belongs to the plugin (a flag, with ``--json-report-file``),
on the command line and in ``addopts`` alike, and fastest's report stays reachable as
``--fastest-json-report=PATH`` (``args::JSON_REPORT_SPELLING``). The plugin writes
its report from pytest's session, which fastest hands the run to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, _venv_pytest
from oracle_harness import FINAL_LINE, fastest_in, require_fastest, run_in

JSON_REPORT = "pytest-json-report==1.5.0"


@pytest.fixture(scope="session")
def json_report_pytest(request: pytest.FixtureRequest) -> List[str]:
    return _venv_pytest(request, "fastest-json-report-venv", [PYTEST, JSON_REPORT])


def _project(root: Path, addopts: str = "") -> Path:
    root.mkdir()
    if addopts:
        (root / "pytest.ini").write_text(f"[pytest]\naddopts = {addopts}\n")
    (root / "test_it.py").write_text(
        "import pytest\n\n\n"
        "def test_ok():\n    pass\n\n\n"
        "def test_bad():\n    assert 1 == 2\n\n\n"
        "@pytest.mark.parametrize('x', [1, 2])\n"
        "def test_p(x):\n    pass\n"
    )
    return root


def _summary(root: Path, name: str) -> dict:
    report = json.loads((root / name).read_text())
    return {"summary": {k: v for k, v in report["summary"].items() if k != "duration"},
            "tests": sorted((t["nodeid"], t["outcome"]) for t in report["tests"])}


@pytest.mark.parametrize(
    "args, addopts, report",
    [
        (["--json-report"], "", ".report.json"),
        (["--json-report", "--json-report-file=out.json"], "", "out.json"),
        ([], "--json-report", ".report.json"),
    ],
    ids=["flag", "file", "addopts"],
)
def test_the_plugins_flag_is_the_plugins(tmp_path, json_report_pytest, args, addopts, report):
    require_fastest()
    fastest, env = fastest_in(json_report_pytest)
    runs = []
    for cmd, extra, where in ((json_report_pytest, {}, "pytest"), (fastest, env, "fastest")):
        root = _project(tmp_path / where, addopts)
        run = run_in(cmd, root, ["-q", "-p", "no:cacheprovider", *args], extra)
        runs.append((root, run))
    (p_root, expected), (f_root, actual) = runs
    assert "error" not in actual.stderr.lower(), actual.stderr
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
    assert _summary(f_root, report) == _summary(p_root, report)


def test_fastests_own_report_keeps_its_other_spelling(tmp_path, json_report_pytest):
    require_fastest()
    fastest, env = fastest_in(json_report_pytest)
    root = _project(tmp_path / "proj")
    run = run_in(fastest, root, ["-q", "-p", "no:cacheprovider", "--json-report",
                                 "--fastest-json-report=fastest.jsonl"], env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert (root / ".report.json").is_file()
    lines = [json.loads(l) for l in (root / "fastest.jsonl").read_text().splitlines()]
    outcomes = sorted((l["nodeid"], l["outcome"]) for l in lines if l.get("type") == "test")
    assert outcomes == [
        ("test_it.py::test_bad", "failed"),
        ("test_it.py::test_ok", "passed"),
        ("test_it.py::test_p[1]", "passed"),
        ("test_it.py::test_p[2]", "passed"),
    ]
