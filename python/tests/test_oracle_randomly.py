"""pytest-randomly under fastest against real pytest with the plugin (issue 5).

fastest computes the plugin's order itself (``randomly.rs``: modules, classes and items
sorted by CRC-32 of the seed and their names), draws its ``Using --randomly-seed=N``
header line, stores the seed where ``--randomly-seed=last`` finds it, and runs the items
in the native engine, which reseeds ``random`` (the plugin's own ``_reseed``) at the
session's start and before each phase with the coordinator's seed. ``plugin_cases/randomly``'s tests print and assert on random values,
so a wrong seed or order shows up as different output or outcomes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Sequence

import pytest

from oracle_harness import (
    FINAL_LINE as _FINAL,
    OUTCOME_LINE as _OUTCOME,
    clean_plugin_output as _clean,
    fastest_in,
    fresh_case,
    require_fastest,
    run_in as _run,
)

CASE = Path(__file__).resolve().parent / "plugin_cases" / "randomly"



def _case(tmp_path: Path) -> Path:
    return fresh_case(CASE, tmp_path)


def _both(tmp_path: Path, randomly_pytest: List[str], args: Sequence[str], delegate_ok=False):
    """pytest's run, then fastest's on a fresh copy at the same path (fastest may not
    hand the session to pytest)."""
    require_fastest()
    expected = _run(randomly_pytest, _case(tmp_path), args, {})
    cmd, env = fastest_in(randomly_pytest)
    if not delegate_ok:
        env = {**env, "FASTEST_NO_DELEGATE": "1"}
    actual = _run(cmd, _case(tmp_path), args, env)
    return expected, actual


@pytest.mark.parametrize("seed", ["1", "123", "4242", "-7"])
@pytest.mark.parametrize("form", [("-q",), ()], ids=["q", "tree"])
def test_collect_only_order_is_the_plugins(tmp_path, randomly_pytest, seed, form):
    args = ["-p", "no:cacheprovider", "--collect-only", f"--randomly-seed={seed}",
            "--doctest-modules", *form]
    expected, actual = _both(tmp_path, randomly_pytest, args)
    assert actual.returncode == expected.returncode == 0, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert _clean(actual.stdout) == _clean(expected.stdout)


@pytest.mark.parametrize("seed", ["3", "98765"])
def test_serial_run_prints_what_pytest_prints(tmp_path, randomly_pytest, seed):
    """Same order, same values drawn from ``random`` in each test (``-s`` shows them),
    same failures."""
    args = ["-p", "no:cacheprovider", "-v", "-s", "-rA", f"--randomly-seed={seed}"]
    expected, actual = _both(tmp_path, randomly_pytest, args)
    assert actual.returncode == expected.returncode, (expected.stdout, actual.stdout)
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    # The native engine runs them, reseeding with the plugin's own `_reseed`.
    assert "the pytest engine runs the items" not in actual.stdout, actual.stdout


def test_distributed_run_matches_pytest_xdist(tmp_path, randomly_pytest):
    args = ["-p", "no:cacheprovider", "-n", "2", "-v", "--randomly-seed=3"]
    expected, actual = _both(tmp_path, randomly_pytest, args)
    assert actual.returncode == expected.returncode == 1, (expected.stdout, actual.stdout)
    assert set(_OUTCOME.findall(actual.stdout)) == set(_OUTCOME.findall(expected.stdout))
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]
    assert "Using --randomly-seed=3" in actual.stdout


def test_last_seed_round_trips_through_pytests_cache(tmp_path, randomly_pytest):
    """fastest stores the seed it chose where the plugin keeps it, so pytest's
    ``--randomly-seed=last`` reuses it, and the other way round."""
    require_fastest()
    root = _case(tmp_path)
    cmd, env = fastest_in(randomly_pytest)
    env = {**env, "FASTEST_NO_DELEGATE": "1"}
    first = _run(cmd, root, ["--collect-only"], env)
    seed = re.search(r"Using --randomly-seed=(\d+)", first.stdout)
    assert seed, first.stdout
    assert (root / ".pytest_cache" / "v" / "randomly_seed").read_text() == seed.group(1)
    again = _run(randomly_pytest, root, ["--collect-only", "-q", "--randomly-seed=last"], {})
    mine = _run(cmd, root, ["--collect-only", "-q", "--randomly-seed=last"], env)
    assert _clean(mine.stdout) == _clean(again.stdout)
    ran = _run(randomly_pytest, root, ["-q", "--randomly-seed=11", "-p", "no:xdist"], {})
    assert "Using --randomly-seed=11" not in ran.stdout  # -q: no header
    last = _run(cmd, root, ["--collect-only", "--randomly-seed=last"], env)
    assert "Using --randomly-seed=11" in last.stdout, last.stdout


@pytest.mark.parametrize(
    "extra",
    [("-p", "no:randomly"), ("--randomly-dont-reorganize", "--randomly-seed=5")],
    ids=["blocked", "dont-reorganize"],
)
def test_plugin_switched_off(tmp_path, randomly_pytest, extra):
    """``-p no:randomly`` is pytest without the plugin (and no reason to hand the
    session over); ``--randomly-dont-reorganize`` keeps pytest's order. (Unseeded,
    the tests whose outcome depends on ``random`` are left out.)"""
    args = ["-p", "no:cacheprovider", "-v", "-k", "not param and not test_c and not test_y",
            *extra]
    expected, actual = _both(tmp_path, randomly_pytest, args)
    assert actual.returncode == expected.returncode
    assert _clean(actual.stdout) == _clean(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    col_expected, col_actual = _both(
        tmp_path, randomly_pytest, ["-p", "no:cacheprovider", "--collect-only", "-q", *extra]
    )
    assert _clean(col_actual.stdout) == _clean(col_expected.stdout)


def test_bad_seed_is_the_plugins_usage_error(tmp_path, randomly_pytest):
    expected, actual = _both(tmp_path, randomly_pytest, ["--randomly-seed=x"])
    assert actual.returncode == expected.returncode == 4
    assert actual.stderr.splitlines()[-1] == expected.stderr.splitlines()[-1]


LF_FILES = {
    "test_aaa.py": "def test_a1():\n    assert 0\n\n\ndef test_a2():\n    pass\n",
    "test_bbb.py": "def test_b1():\n    assert 0\n\n\ndef test_b2():\n    pass\n",
    "test_ccc.py": "def test_c1():\n    pass\n",
}


@pytest.mark.parametrize("flag", ["--lf", "--ff"])
def test_last_failed_runs_in_the_plugins_order(tmp_path, randomly_pytest, flag):
    """pytest's collection puts the files with failures first; the plugin's shuffle
    then orders the modules by the seed (seed 1: test_bbb.py before test_aaa.py), and
    `--ff` puts the failures first within that."""
    require_fastest()
    cmd, env = fastest_in(randomly_pytest)
    env = {**env, "FASTEST_NO_DELEGATE": "1"}
    runs = []
    for tool, tool_env in ((randomly_pytest, {}), (cmd, env)):
        root = tmp_path / ("fastest" if tool_env else "pytest")
        root.mkdir()
        (root / "pytest.ini").write_text("[pytest]\n")
        for name, text in LF_FILES.items():
            (root / name).write_text(text)
        first = _run(tool, root, ["-q", "--randomly-seed=1"], tool_env)
        assert first.returncode == 1, first.stdout + first.stderr
        again = _run(tool, root, ["-v", flag, "--randomly-seed=1", "-p", "no:xdist"], tool_env)
        runs.append(again)
    expected, actual = runs
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    order = lambda out: _OUTCOME.findall(out)  # noqa: E731
    assert order(actual.stdout) == order(expected.stdout), actual.stdout
    assert order(expected.stdout)[0] == ("FAILED", "test_bbb.py::test_b1")


RANDOMLY_3 = "pytest-randomly==3.16.0"


@pytest.fixture(scope="session")
def randomly3_pytest(request: pytest.FixtureRequest) -> List[str]:
    """``pytest`` of a venv with pytest-randomly 3.x, which sorts by MD5 digests where
    4.0 and later sort by CRC-32 (``randomly::KeyHash``)."""
    from conftest import PYTEST, _venv_pytest

    return _venv_pytest(request, "fastest-randomly3-venv", [PYTEST, RANDOMLY_3])


@pytest.mark.parametrize("seed", ["1", "12345"])
@pytest.mark.parametrize("form", [("--collect-only", "-q"), ("-q",)], ids=["collect", "run"])
def test_the_order_of_pytest_randomly_3_is_its_own(tmp_path, randomly3_pytest, seed, form):
    args = ["-p", "no:cacheprovider", f"--randomly-seed={seed}", "--doctest-modules", *form]
    expected, actual = _both(tmp_path, randomly3_pytest, args)
    assert actual.returncode == expected.returncode, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    assert _clean(actual.stdout) == _clean(expected.stdout)
