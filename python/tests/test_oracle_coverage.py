"""pytest-cov served by fastest (issue 5): ``--cov`` runs in fastest's workers, each
measuring its own tests, and the coordinator combines their data into the project's
data file and prints the report where pytest-cov prints it. Compared with real pytest
and pytest-cov on the same project: the whole output, the exit code, and the files the
reports write.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import List, Sequence

import pytest

from oracle_harness import (
    clean_plugin_output as _clean,
    fastest_in,
    fresh_case,
    plugin_case_both,
    require_fastest,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "coverage"
_ENGINE_NOTE = "fastest: the pytest engine runs the items"


def _both(tmp_path: Path, venv_pytest: List[str], args: Sequence[str], edit=None):
    return plugin_case_both(CASE, tmp_path, venv_pytest, args, edit)


def _same_output(expected, actual) -> None:
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout, actual.stderr)
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}\n{actual.stderr}"
    )


def _failing_test(root: Path) -> None:
    (root / "tests" / "test_failing.py").write_text("def test_fails():\n    assert 1 == 2\n")


def _collection_error(root: Path) -> None:
    (root / "tests" / "test_broken.py").write_text("import pkg.missing_module\n")


def _no_cover(root: Path) -> None:
    (root / "tests" / "test_paused.py").write_text(
        "import pytest\n\nimport pkg.core\n\n\n@pytest.mark.no_cover\n"
        "def test_paused():\n    assert pkg.core.never_called() == 1\n\n\n"
        "def test_cov_fixture(cov):\n    assert cov is not None\n"
    )


def _measured_lines(data_file: Path) -> dict:
    """What a coverage data file holds: per measured file (its name) and context, the
    lines."""
    con = sqlite3.connect(data_file)
    try:
        files = dict(con.execute("select id, path from file"))
        contexts = dict(con.execute("select id, context from context"))
        out = {}
        rows = con.execute("select file_id, context_id, numbits from line_bits")
        for file_id, context_id, numbits in rows:
            # coverage.py's numbits: bit j of byte i is line i * 8 + j.
            lines = [i * 8 + j for i, b in enumerate(numbits) for j in range(8) if b >> j & 1]
            out[Path(files[file_id]).name, contexts[context_id]] = lines
        return out
    finally:
        con.close()


@pytest.mark.parametrize(
    "args",
    [
        ("--cov=pkg",),
        ("--cov=pkg", "--cov-report=term-missing", "--cov-branch", "-v"),
        ("--cov", "--cov-report=term-missing:skip-covered", "-q"),
        ("--cov=pkg", "--cov-fail-under=95", "-rA"),
        ("--cov=pkg", "--cov-fail-under=10.5", "--cov-precision=1"),
        ("--cov=pkg", "-n", "2"),
        ("--cov=pkg", "--cov-report="),
        ("--cov=pkg", "--cov-report=", "--cov-fail-under=99"),
        ("--cov=pkg", "--no-cov"),
        ("--cov=pkg", "--cov-reset"),
        ("--cov=pkg", "--cov-report=term", "--durations=2", "--durations-min=100", "--junitxml=out.xml"),
    ],
    ids=[
        "source", "missing-branch-v", "all-skip-covered-q", "fail-under-fails",
        "fail-under-reached", "n2", "no-report", "no-report-fail-under", "no-cov",
        "reset", "junit-durations",
    ],
)
def test_coverage_report_matches_pytest_cov(tmp_path, native_plugins_pytest, args):
    expected, actual = _both(tmp_path, native_plugins_pytest, args)
    _same_output(expected, actual)
    assert _ENGINE_NOTE not in actual.stdout
    if "--no-cov" not in args and "--cov-reset" not in args:
        assert "coverage" in expected.stdout


@pytest.mark.parametrize(
    "args, edit",
    [
        (("--cov=pkg", "-q"), _failing_test),
        (("--cov=pkg", "--no-cov-on-fail"), _failing_test),
        (("--cov=pkg", "-x"), _failing_test),
        (("--cov=pkg",), _collection_error),
    ],
    ids=["failing", "no-cov-on-fail", "exitfirst", "collection-error"],
)
def test_a_failing_session_reports_as_pytest_cov_does(tmp_path, native_plugins_pytest, args, edit):
    """A failing test: the report all the same, none under ``--no-cov-on-fail``, and
    none when ``-x`` stops the run loop or a collection error keeps pytest from
    entering it (pytest-cov's wrapper never gets there)."""
    expected, actual = _both(tmp_path, native_plugins_pytest, args, edit)
    assert expected.returncode in (1, 2)
    _same_output(expected, actual)


def _each_tool(tmp_path: Path, venv_pytest: List[str], runs, edit=None):
    """For pytest, then fastest (with the venv's interpreter, never handing the session
    to pytest): a fresh copy of the case at the same path, ``edit``ed, then each
    argument list of ``runs`` in turn; yields the copy and the last run's result."""
    require_fastest()
    for cmd, env in ((list(venv_pytest), {}), fastest_in(venv_pytest)):
        root = fresh_case(CASE, tmp_path)
        if edit:
            edit(root)
        extra = {**env, "FASTEST_NO_DELEGATE": "1"} if env else {}
        for args in runs:
            res = run_in(cmd, root, ["-p", "no:cacheprovider", *args], extra)
        yield root, res


@pytest.mark.parametrize(
    "args, edit",
    [
        (("--cov=pkg", "-n", "2"), None),
        (("--cov=pkg", "--cov-context=test"), None),
        (("--cov=pkg", "--cov-context=test"), _no_cover),
    ],
    ids=["n2", "contexts", "contexts-pytest-engine"],
)
def test_the_combined_data_file_is_pytest_covs(tmp_path, native_plugins_pytest, args, edit):
    """The project's `.coverage` holds what pytest-cov's holds (every worker's lines,
    under each test phase's context with `--cov-context=test`), and no worker's data
    file is left behind."""
    measured, results = [], []
    for root, res in _each_tool(tmp_path, native_plugins_pytest, [args], edit):
        results.append(res)
        measured.append(_measured_lines(root / ".coverage"))
        assert sorted(p.name for p in root.glob(".coverage*")) == [".coverage"]
    _same_output(*results)
    assert measured[1] == measured[0]
    assert measured[0]["core.py", ""], measured
    if "--cov-context=test" in args:
        assert measured[0]["core.py", "tests/test_more.py::test_zero|run"], measured


def _reports_config(root: Path) -> None:
    (root / ".coveragerc").write_text(
        "[run]\nomit = pkg/extra.py\n\n[report]\nprecision = 2\nfail_under = 50\n"
        "show_missing = True\n"
    )


def test_coverage_config_and_file_reports(tmp_path, native_plugins_pytest):
    """`.coveragerc` settings (omit, precision, fail_under, show_missing) and the file
    reports: the same output, and the same XML and JSON apart from timestamps."""
    args = (
        "--cov=pkg", "--cov-report=term", "--cov-report=xml", "--cov-report=json:cov.json",
        "--cov-report=html:html", "--cov-report=markdown",
    )
    results, files = [], []
    for root, res in _each_tool(tmp_path, native_plugins_pytest, [args], _reports_config):
        results.append(res)
        assert (root / "html" / "index.html").exists()
        xml = re.sub(r'timestamp="\d+"', "", (root / "coverage.xml").read_text())
        js = json.loads((root / "cov.json").read_text())
        js["meta"].pop("timestamp")
        files.append((xml, js, (root / "coverage.md").read_text()))
    _same_output(*results)
    assert "Required test coverage of 50.0% reached" in results[1].stdout
    assert files[1] == files[0]


def _addopts(root: Path) -> None:
    (root / "pytest.ini").write_text(
        "[pytest]\npythonpath = .\naddopts = --cov=pkg --cov-report=term-missing\n"
    )


def test_coverage_from_addopts(tmp_path, native_plugins_pytest):
    expected, actual = _both(tmp_path, native_plugins_pytest, ("-q",), _addopts)
    _same_output(expected, actual)
    assert "Missing" in actual.stdout


def test_no_cover_and_the_cov_fixture_in_the_pytest_engine(tmp_path, native_plugins_pytest):
    """A ``no_cover`` test is not measured (``never_called`` stays missed) and the
    ``cov`` fixture is the worker's coverage object: pytest-cov's own hooks and fixture
    in the pytest engine, measuring through fastest's worker."""
    expected, actual = _both(
        tmp_path, native_plugins_pytest, ("--cov=pkg", "--cov-report=term-missing", "-v"),
        _no_cover,
    )
    _same_output(expected, actual)
    assert _ENGINE_NOTE in actual.stdout
    assert re.search(r"pkg/core\.py .* 14-15", actual.stdout), actual.stdout


def test_append_adds_to_the_previous_data(tmp_path, native_plugins_pytest):
    """``--cov-append`` keeps what the last run measured: a run of one module, then an
    appending run of the other, reports both."""
    runs = [("--cov=pkg", "tests/test_core.py"), ("--cov=pkg", "--cov-append", "tests/test_more.py")]
    results = [res for _, res in _each_tool(tmp_path, native_plugins_pytest, runs)]
    _same_output(*results)
    alone = [res for _, res in _each_tool(tmp_path, native_plugins_pytest, runs[1:])]
    assert _clean(alone[1].stdout) != _clean(results[1].stdout)


@pytest.mark.parametrize(
    "args, why",
    [
        (("--no-cov", "--cov=pkg"), "pytest-cov warns that --no-cov disables coverage"),
        (("--cov=pkg", "-k", "nomatch"), "pytest-cov measures a collection only"),
        # (Collection errors under -n are pytest's session anyway.)
        (("--cov=pkg", "-n", "2"), "collection errors under -n"),
    ],
    ids=["no-cov-warning", "nothing-runs", "collection-error-n2"],
)
def test_what_only_pytest_cov_words_is_pytests_session(tmp_path, native_plugins_pytest, args, why):
    """The warning a `--cov` after `--no-cov` gets, and the report of a session that
    runs no test (what pytest's collection imported), are pytest's session: refused when
    fastest may not hand it over, pytest's output when it may."""
    edit = _collection_error if "-n" in args else None
    expected, refused = _both(tmp_path, native_plugins_pytest, args, edit)
    assert refused.returncode == 3
    assert f"pytest would run this session: {why}" in refused.stderr, refused.stderr
    root = fresh_case(CASE, tmp_path)
    if edit:
        edit(root)
    cmd, env = fastest_in(native_plugins_pytest)
    delegated = run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)
    _same_output(expected, delegated)


def _uncertain_and_addopts(root: Path) -> None:
    # Parameters only an import tells: pytest's collection (the import fallback) runs
    # with the ini's `--cov`, and must neither measure nor report there.
    (root / "tests" / "test_dynamic.py").write_text(
        "import pytest\n\nimport pkg.core\n\nVALUES = [n * 2 for n in range(3)]\n\n\n"
        "@pytest.mark.parametrize('n', VALUES)\ndef test_dynamic(n):\n"
        "    assert pkg.core.classify(n) in ('zero', 'positive')\n"
    )
    _addopts(root)


def test_pytests_collection_of_uncertain_files_measures_nothing(tmp_path, native_plugins_pytest):
    results = []
    for root, res in _each_tool(tmp_path, native_plugins_pytest, [("-v",)], _uncertain_and_addopts):
        results.append(res)
        assert sorted(p.name for p in root.glob(".coverage*")) == [".coverage"]
    _same_output(*results)
    assert "test_dynamic[4] PASSED" in results[1].stdout


@pytest.mark.parametrize(
    "cov_args, args",
    [
        (["--source=pkg"], ["-q"]),
        (["--branch", "--source=pkg,tests"], ["-q", "-n", "2"]),
        (["--include=pkg/*,tests/*"], ["-v"]),
        # A session fastest hands to pytest (blocking a plugin nobody installed): pytest
        # measures itself in its process.
        (["--source=pkg"], ["-q", "-p", "no:randomly"]),
    ],
    ids=["source", "branch-n2", "include", "pytests-session"],
)
def test_coverage_run_measures_the_workers(tmp_path, native_plugins_pytest, cov_args, args):
    """`coverage run -m fastest` in place of `coverage run -m pytest`: the tests run in
    fastest's workers, which measure with the coordinator's coverage.py options, and
    their data joins what `coverage run` saves: `coverage report` is the same, and
    coverage.py says nothing more (no "never imported", no "no data"). With `-n 2` the
    report is a serial pytest run's (pytest-xdist's workers would go unmeasured)."""
    require_fastest()
    python = str(Path(native_plugins_pytest[0]).with_name("python"))
    _, env = fastest_in(native_plugins_pytest)
    reports, outputs = [], []
    for tool, extra in (("pytest", {}), ("fastest", env)):
        root = fresh_case(CASE, tmp_path)
        cmd = [python, "-m", "coverage", "run", *cov_args, "-m", tool]
        tool_args = [a for a in args if a not in ("-n", "2")] if tool == "pytest" else args
        ran = run_in(cmd, root, ["-p", "no:cacheprovider", *tool_args], extra)
        outputs.append(ran)
        # (Only fastest's own log of its decisions, which `run_in` asks for.)
        assert not [l for l in ran.stderr.splitlines() if " fastest_cli" not in l], ran.stderr
        report = run_in([python, "-m", "coverage", "report", "-m"], root, [], extra)
        assert report.returncode == 0, report.stdout + report.stderr
        reports.append(report.stdout)
    assert "pkg/core.py" in reports[0]
    assert reports[1] == reports[0]
    if "-n" not in args:
        _same_output(*outputs)


@pytest.mark.parametrize(
    "cov_args, args",
    [
        (["--source=pkg,not_a_package"], ["-q"]),
        (["--source=not_a_package"], ["-q"]),
        (["--source=pkg,not_a_package"], ["-q", "-p", "no:randomly"]),
    ],
    ids=["never-imported", "no-data", "pytests-session"],
)
def test_coverage_run_warns_at_exit_as_under_pytest(tmp_path, native_plugins_pytest, cov_args, args):
    """`coverage run -m fastest` with a source package nothing imports: coverage.py's
    warnings ("never imported", "No data was collected") come at the end, after the
    last line, as `coverage run -m pytest` gives them (glom's tox command)."""
    require_fastest()
    python = str(Path(native_plugins_pytest[0]).with_name("python"))
    _, env = fastest_in(native_plugins_pytest)
    outputs = []
    for tool, extra in (("pytest", {}), ("fastest", env)):
        root = fresh_case(CASE, tmp_path)
        cmd = [python, "-m", "coverage", "run", *cov_args, "-m", tool]
        outputs.append(run_in(cmd, root, ["-p", "no:cacheprovider", *args], extra))
    expected, actual = outputs
    _same_output(expected, actual)
    warned = lambda ran: [l for l in ran.stderr.splitlines() if " fastest_cli" not in l]  # noqa: E731
    assert any("Module not_a_package was never imported" in l for l in warned(expected))
    assert warned(actual) == warned(expected)


def test_coverage_warnings_on_stderr_are_pytest_covs(tmp_path, native_plugins_pytest):
    """What measuring the whole session warns when it saves (a source package never
    imported, no data at all) and pytest-cov's warning that the report failed: on
    stderr, from coverage.py's and pytest-cov's own lines."""
    expected, actual = _both(tmp_path, native_plugins_pytest, ("--cov=email.mime", "-q"))
    _same_output(expected, actual)
    for warning in ("was never imported", "No data was collected", "CovReportWarning"):
        assert warning in expected.stderr, expected.stderr
    assert actual.stderr == expected.stderr


def _plugin_module(root: Path) -> None:
    (root / "pkg" / "plugin.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef greeting():\n    return 'hello'\n"
    )
    (root / "tests" / "test_plugin.py").write_text(
        "def test_greeting(greeting):\n    assert greeting == 'hello'\n"
    )


@pytest.mark.parametrize("args", [(), ("-n", "2")], ids=["serial", "n2"])
def test_plugins_are_imported_before_measuring_starts(tmp_path, native_plugins_pytest, args):
    """pytest imports `-p` and installed (entry-point) plugins at its start, before
    pytest-cov starts measuring: a project measuring its own plugin module sees its
    top-level lines missed (platformdirs' `pytest11` plugin). The native engine's
    workers load the plugins first too."""
    expected, actual = _both(
        tmp_path, native_plugins_pytest,
        ("-p", "pkg.plugin", "--cov=pkg", "--cov-report=term-missing", *args), _plugin_module)
    _same_output(expected, actual)
    assert "pkg/plugin.py" in expected.stdout


def _sysmon_core(root: Path) -> None:
    # coverage.py warns as it starts when this Python cannot give it the core it is
    # asked for (sys.monitoring is 3.12's).
    (root / ".coveragerc").write_text("[run]\ncore = sysmon\nbranch = true\n")


@pytest.mark.parametrize("args", [("--cov=pkg", "-q"), ("--cov=pkg", "-q", "-n", "2")], ids=["one", "n2"])
def test_a_warning_as_coverage_starts_is_in_the_summary(tmp_path, native_plugins_pytest, args):
    """What coverage.py warns as pytest-cov starts it (`pytest_load_initial_conftests`)
    is one of pytest's config-stage warnings: in the warnings summary and the counts,
    once, under `-n` too (pytest-xdist's controller starts it)."""
    import sys

    expected, actual = _both(tmp_path, native_plugins_pytest, args, _sysmon_core)
    _same_output(expected, actual)
    if sys.version_info < (3, 14):
        # Before 3.14, sys.monitoring cannot measure branches (or is missing).
        assert "Can't use core=sysmon" in expected.stdout, expected.stdout


def _unimportable_coverage_plugin(root: Path) -> None:
    # frozenlist's `.coveragerc` names Cython's coverage plugin, absent without Cython.
    (root / ".coveragerc").write_text("[run]\nplugins = no_such_coverage_plugin\n")


@pytest.mark.parametrize("args", [("--cov=pkg", "-q"), ("--cov=pkg", "-n", "2")], ids=["serial", "n2"])
def test_coverage_that_cannot_start_ends_as_pytests_start_does(tmp_path, native_plugins_pytest, args):
    """pytest-cov starts coverage.py before pytest writes a word: a coverage plugin
    that does not import ends pytest's start with its traceback and exit code 1 (an
    INTERNALERROR from the worker's start before). fastest's engine meets the same
    failure at its start and hands the session to pytest (refused here, as
    ``FASTEST_NO_DELEGATE`` asks; delegated, the same traceback)."""
    expected, refused = _both(tmp_path, native_plugins_pytest, args, _unimportable_coverage_plugin)
    assert expected.returncode == 1, expected.stderr
    assert "No module named 'no_such_coverage_plugin'" in expected.stderr
    assert refused.returncode == 3, (refused.stdout, refused.stderr)
    assert "the engine could not start" in refused.stderr, refused.stderr
    assert "INTERNALERROR" not in refused.stdout + refused.stderr
    root = fresh_case(CASE, tmp_path)
    _unimportable_coverage_plugin(root)
    cmd, env = fastest_in(native_plugins_pytest)
    delegated = run_in(cmd, root, ["-p", "no:cacheprovider", *args], env)
    assert delegated.returncode == 1
    assert delegated.stdout == expected.stdout == ""
    tail = lambda err: err.strip().splitlines()[-1]  # noqa: E731
    assert tail(delegated.stderr) == tail(expected.stderr)
