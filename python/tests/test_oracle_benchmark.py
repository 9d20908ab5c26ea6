"""pytest-benchmark installed, against real pytest (issue 5).

Its hooks act only on benchmarks (tests requesting its `benchmark` fixture or
carrying its mark, and the table of their timings at the end); beyond them it adds a
header line and registers its session object. A session where no test file or
conftest names `benchmark`, and none of its options is given, keeps fastest's
collection and the native engine, which loads the plugin's module (its options, mark,
`pytest_configure`, header line). In a session of one worker, the modules that name
it run in the worker's pytest engine, and the table of their timings is its plugin's
(``WORD_GATED_PLUGINS`` in invocation.rs, ``WordScan`` in run.rs); under `-n`, or with
its options, the session is pytest's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    FINAL_LINE,
    assert_native_like_pytest,
    clean_plugin_output,
    fastest_in,
    plugin_case_both,
    run_in,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "benchmark_idle"
BENCHMARK = "pytest-benchmark==5.3.1"


@pytest.fixture(scope="session")
def benchmark_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-benchmark (and pytest-xdist)."""
    return _venv_pytest(request, "fastest-benchmark-venv", [PYTEST, XDIST, BENCHMARK])


@pytest.mark.parametrize(
    "args",
    [(), ("-v",), ("-q", "-rA"), ("--collect-only", "-q"), ("-n", "2")],
)
def test_an_idle_benchmark_plugin_keeps_the_native_engine(tmp_path, benchmark_pytest, args):
    expected, actual = plugin_case_both(CASE, tmp_path, benchmark_pytest, args)
    if "-q" not in args:
        assert "benchmark: 5.3.1 (defaults:" in expected.stdout, expected.stdout
    assert_native_like_pytest(expected, actual, args)


_BENCHMARKS = """import pytest


def test_sum(benchmark):
    assert benchmark(sum, [1, 2]) == 3


@pytest.mark.parametrize("n", [10, 100])
def test_range(benchmark, n):
    benchmark(lambda: list(range(n)))


@pytest.mark.benchmark(group="strings")
def test_join(benchmark):
    benchmark("".join, ["a", "b"])


def test_fails(benchmark):
    benchmark(sum, [1])
    assert False
"""


def _add_benchmarks(root: Path) -> None:
    (root / "tests" / "test_bench.py").write_text(_BENCHMARKS)


def _table_shape(stdout: str) -> str:
    """The output with pytest-benchmark's tables reduced to what does not depend on
    the timings: each table's title, column names and row names (sorted: rows are in
    the order of their minimum times), in order (the numbers, their units, and the
    widths they give the columns and rules, differ from run to run)."""
    out: List[str] = []
    rows: List[str] = []
    in_table = False
    for line in stdout.splitlines():
        if in_table and line.strip() and not re.match(r"^-+( benchmark.*-+)?$", line) and \
                not line.startswith("Name (time in "):
            rows.append("ROW " + line.split()[0])
            continue
        out.extend(sorted(rows))
        rows = []
        if re.match(r"^-+ benchmark.*-+$", line):
            in_table = True
            out.append("TABLE " + line.strip("-").strip())
        elif in_table and re.match(r"^-+$", line):
            continue
        elif in_table and line.startswith("Name (time in "):
            # (The units follow the timings too: `time in ns`, `OPS (Kops/s)`.)
            out.append("COLUMNS " + " ".join(re.sub(r"\([^)]*\)", "(unit)", line).split()))
        else:
            in_table = False
            out.append(line)
    out.extend(sorted(rows))
    return "\n".join(out)


@pytest.mark.parametrize("args", [(), ("-v",), ("-q", "--tb=short", "-rA")])
def test_a_session_with_benchmarks_keeps_fastests_session(tmp_path, benchmark_pytest, args):
    """Tests that measure (the `benchmark` fixture or mark) run in the worker's pytest
    engine, whose pytest-benchmark keeps their timings; its table is written where
    pytest writes it (before the short summary), the other modules stay native."""
    expected, actual = plugin_case_both(CASE, tmp_path, benchmark_pytest, args, _add_benchmarks)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 1
    shape = _table_shape(clean_plugin_output(expected.stdout))
    assert "TABLE benchmark 'strings': 1 tests" in shape, shape
    assert "ROW test_range[100]" in shape, shape
    got = _table_shape(clean_plugin_output(actual.stdout))
    if "-v" in args:
        # fastest's notes on which engine runs which module.
        assert "the pytest engine runs tests/test_bench.py" in actual.stdout, actual.stdout
    assert got == shape, f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"


@pytest.mark.parametrize("edit_kind", ["option", "parallel", "parallel_options"])
def test_a_session_with_benchmarks_is_pytests(tmp_path, benchmark_pytest, edit_kind):
    """`--benchmark-*` options, and `-n` (one worker's table would miss the others'
    timings; pytest-xdist switches the benchmarks off with a warning), hand the
    session to pytest."""
    def edit(root: Path) -> None:
        _add_benchmarks(root)
        if edit_kind == "option":
            # `--benchmark-only` skips every test without the fixture.
            (root / "pytest.ini").write_text("[pytest]\naddopts = --benchmark-only\n")
        elif edit_kind == "parallel_options":
            (root / "pytest.ini").write_text(f"[pytest]\naddopts = {_DISPLAY_ADDOPTS}\n")

    args = ("-q",) if edit_kind == "option" else ("-q", "-n", "2")
    expected, _ = plugin_case_both(CASE, tmp_path, benchmark_pytest, args, edit)
    cmd, env = fastest_in(benchmark_pytest)
    actual = run_in(cmd, tmp_path / "case", ["-p", "no:cacheprovider", *args], env)
    assert "pytest runs this session" in actual.stderr or "running pytest itself" in actual.stderr
    assert actual.returncode == expected.returncode
    assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
    if edit_kind == "option":
        assert "5 skipped" in expected.stdout, expected.stdout


#: pydantic's addopts: options that change only how benchmarks measure and how the
#: table looks (`BENCHMARK_DISPLAY_OPTIONS` in invocation.rs).
_DISPLAY_ADDOPTS = (
    "--benchmark-columns min,mean,stddev,outliers,rounds,iterations "
    "--benchmark-group-by group --benchmark-warmup on"
)


@pytest.mark.parametrize("disabled", [False, True], ids=["measured", "disabled"])
def test_display_options_keep_fastests_session(tmp_path, benchmark_pytest, disabled):
    """With options that change only the measuring and the table (in addopts, as
    pydantic has them), the session stays fastest's; `--benchmark-disable` runs each
    benchmarked function once and shows no table: the whole output is pytest's."""
    addopts = _DISPLAY_ADDOPTS + (" --benchmark-disable" if disabled else "")

    def edit(root: Path) -> None:
        _add_benchmarks(root)
        (root / "pytest.ini").write_text(f"[pytest]\naddopts = {addopts}\n")

    expected, actual = plugin_case_both(CASE, tmp_path, benchmark_pytest, (), edit)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 1
    assert "warmup=True" in expected.stdout, expected.stdout
    if disabled:
        assert "TABLE" not in _table_shape(expected.stdout)
        assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
            f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
        )
    else:
        shape = _table_shape(clean_plugin_output(expected.stdout))
        assert "COLUMNS Name (unit) Min Mean StdDev Outliers Rounds Iterations" in shape
        assert _table_shape(clean_plugin_output(actual.stdout)) == shape


@pytest.mark.parametrize("cli", [(), ("--benchmark-skip",)], ids=["addopts", "skip"])
def test_its_options_keep_fastests_collection(tmp_path, benchmark_pytest, cli):
    """pytest-benchmark's options (added through helpers its `pytest_addoption` hands
    `addoption` to, so they are listed in invocation.rs) are known to the parser: the
    collection stays fastest's instead of pytest's collecting the whole session, and
    the values (`--benchmark-warmup on`, an optional one) are no paths."""
    def edit(root: Path) -> None:
        _add_benchmarks(root)
        (root / "pytest.ini").write_text(f"[pytest]\naddopts = {_DISPLAY_ADDOPTS}\n")

    args = ("--collect-only", "-q", *cli)
    expected, actual = plugin_case_both(
        CASE, tmp_path, benchmark_pytest, args, edit, {"FASTEST_LOG": "fastest_cli=debug"}
    )
    assert "pytest collects the whole session" not in actual.stderr, actual.stderr
    assert_native_like_pytest(expected, actual, args)


def test_benchmarks_through_a_conftest_fixture(tmp_path, benchmark_pytest):
    """A conftest that mentions the word (a fixture requesting `benchmark`, a list of
    fixture names as pydantic's has) sends no module to the pytest engine by itself:
    a test whose closure holds the plugin's fixture does, and its timings are in the
    table; the other modules stay native."""
    def edit(root: Path) -> None:
        (root / "tests" / "conftest.py").write_text(
            "import pytest\n\nUNSAFE = ('benchmark', 'tmp_path')\n\n\n"
            "@pytest.fixture\ndef timed(benchmark):\n    return benchmark\n"
        )
        (root / "tests" / "test_timed.py").write_text(
            "def test_timed(timed):\n    assert timed(sum, [1, 2]) == 3\n"
        )

    expected, actual = plugin_case_both(CASE, tmp_path, benchmark_pytest, ("-v",), edit)
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert actual.returncode == expected.returncode == 1
    assert "the pytest engine runs tests/test_timed.py" in actual.stdout, actual.stdout
    assert "tests/test_plain.py" not in actual.stdout.split("the native engine runs")[0]
    shape = _table_shape(clean_plugin_output(expected.stdout))
    assert "ROW test_timed" in shape, shape
    assert _table_shape(clean_plugin_output(actual.stdout)) == shape


@pytest.mark.parametrize("strict", [False, True], ids=["warns", "strict-config"])
def test_unknown_ini_keys_beside_plugins_whose_keys_are_read(tmp_path, benchmark_pytest,
                                                             strict):
    """pytest-xdist and pytest-benchmark name every ini key they register in their
    packages' source: a key neither registers (cattrs' `typing_checkers`, for a plugin
    installed on one Python only) is unknown for certain. The native engine warns about
    it (or `--strict-config` fails at start-up) as pytest does; any installed plugin
    used to hand such a session to pytest."""
    root = tmp_path / "case"
    root.mkdir()
    strict_line = "strict_config = true\n" if strict else ""
    (root / "pytest.ini").write_text(
        f"[pytest]\n{strict_line}typing_checkers = mypy\ntimeout = 3\n")
    (root / "test_a.py").write_text("def test_a():\n    pass\n")
    fastest, env = fastest_in(benchmark_pytest)
    expected = run_in(benchmark_pytest, root, ["-q", "-p", "no:cacheprovider"], {})
    actual = run_in(fastest, root, ["-q", "-p", "no:cacheprovider"], env)
    assert actual.returncode == expected.returncode == (4 if strict else 0), (
        expected.stderr, actual.stderr)
    # A run that `--strict-config` stops before its first test is pytest's to report
    # (it used to run the tests); the collection's is fastest's.
    handed_over = "pytest runs this session" in actual.stderr
    assert handed_over == strict, actual.stderr
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}")
    assert "Unknown config option: timeout" in actual.stderr + actual.stdout
    assert actual.stderr.splitlines()[-1:] == expected.stderr.splitlines()[-1:], (
        expected.stderr, actual.stderr)
    args = ["--collect-only", "-q", "-p", "no:cacheprovider"]
    expected = run_in(benchmark_pytest, root, args, {})
    actual = run_in(fastest, root, args, env)
    assert actual.returncode == expected.returncode, (expected.stderr, actual.stderr)
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)
    if strict:
        assert "running pytest itself" not in actual.stderr, actual.stderr


@pytest.mark.parametrize("key", ["rsyncdirs", "looponfailroots"])
def test_deprecated_xdist_settings_warn_as_pytest_xdist_warns(tmp_path, benchmark_pytest, key):
    """pytest-xdist's `pytest_configure` warns that `rsyncdirs` and `looponfailroots` are
    deprecated: the warnings summary shows it (fastest, serving pytest-xdist, did not)."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text(f"[pytest]\n{key} = .\n")
    (root / "test_a.py").write_text("def test_a():\n    pass\n")
    fastest, env = fastest_in(benchmark_pytest)
    for args in (["-q"], ["--collect-only", "-q"]):
        expected = run_in(benchmark_pytest, root, [*args, "-p", "no:cacheprovider"], {})
        actual = run_in(fastest, root, [*args, "-p", "no:cacheprovider"], env)
        assert "--collect-only" in args or "are deprecated" in expected.stdout, expected.stdout
        assert actual.returncode == expected.returncode == 0, (expected.stderr, actual.stderr)
        assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
            f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}")
