"""pytest-benchmark installed, against real pytest (issue 5).

Its hooks act only on benchmarks (tests requesting its `benchmark` fixture or
carrying its mark, and the table of their timings at the end); beyond them it adds a
header line and registers its session object. A session where no test file or
conftest names `benchmark`, and none of its options is given, keeps fastest's
collection and the native engine, which loads the plugin's module (its options, mark,
`pytest_configure`, header line); one that does is pytest's (``NATIVE_PLUGINS`` and
``WORD_GATED_PLUGINS`` in invocation.rs).
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import PYTEST, XDIST, _venv_pytest
from oracle_harness import (
    FINAL_LINE,
    assert_native_like_pytest,
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


@pytest.mark.parametrize(
    "edit_kind", ["fixture", "option"],
)
def test_a_session_with_benchmarks_is_pytests(tmp_path, benchmark_pytest, edit_kind):
    def edit(root: Path) -> None:
        if edit_kind == "fixture":
            (root / "tests" / "test_bench.py").write_text(
                "def test_sum(benchmark):\n    assert benchmark(sum, [1, 2]) == 3\n"
            )
        else:
            # `--benchmark-only` skips every test without the fixture.
            (root / "pytest.ini").write_text("[pytest]\naddopts = --benchmark-only\n")

    expected, _ = plugin_case_both(CASE, tmp_path, benchmark_pytest, ("-q",), edit)
    cmd, env = fastest_in(benchmark_pytest)
    actual = run_in(cmd, tmp_path / "case", ["-p", "no:cacheprovider", "-q"], env)
    assert "pytest runs this session" in actual.stderr or "running pytest itself" in actual.stderr
    assert actual.returncode == expected.returncode
    assert FINAL_LINE.findall(actual.stdout) == FINAL_LINE.findall(expected.stdout)
    if edit_kind == "option":
        assert "5 skipped" in expected.stdout, expected.stdout
