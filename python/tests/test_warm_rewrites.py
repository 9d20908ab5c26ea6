"""A cold run whose session needs pytest's collection of some files (the import
fallback): the workers, started and idle meanwhile, rewrite the other test modules
(`fastest._pyc.warm`). Whatever they prepared, the run shows what pytest shows, run
after run: the rewriter's warnings (an assert on a tuple) on the runs where pytest
rewrites the module, in both bytecode modes."""

import pstats
import shutil
from pathlib import Path
from typing import List

import pytest

from oracle_harness import child_env, find_pytest, normalise, require_fastest, run_process

SENT = "warm-up sent"


def _project(root: Path) -> None:
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_a.py").write_text(
        'def test_tuple():\n    assert (1, "never fails")\n\n\ndef test_plain():\n    assert 1\n'
    )
    for k in range(3):
        (root / f"test_plain_{k}.py").write_text(f"def test_{k}():\n    assert {k} + 1\n")
    # An ids callable: only pytest's collection names these tests. Its slow import
    # keeps the coordinator waiting while the worker has nothing else to do.
    (root / "test_b.py").write_text(
        "import time\n\nimport pytest\n\ntime.sleep(0.6)\n\n\n"
        '@pytest.mark.parametrize("v", [1, 2], ids=lambda v: f"v{v}")\n'
        "def test_v(v):\n    assert v >= 0\n"
    )


def _runs(cmd: List[str], root: Path, env: dict, n: int) -> List[str]:
    out = []
    for _ in range(n):
        r = run_process([*cmd, "-p", "no:cacheprovider", "-q"], root, env)
        out.append((r.returncode, normalise(r.stdout, 80), r.stderr))
    return out


def _both_tools(tmp_path: Path, make, dont_write: str):
    """Two cold-then-warm runs of each tool on a fresh copy of ``make``'s project in one
    place (a warning names the file): ``(root, pytest's runs, fastest's runs)``, each
    run ``(exit code, normalised stdout, stderr)``; fastest's output checked against
    pytest's."""
    env = child_env({"PYTHONDONTWRITEBYTECODE": dont_write, "FASTEST_LOG": "fastest_cli=debug"})
    if not dont_write:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    root = tmp_path / "proj"
    make(root)
    expected = _runs(find_pytest(), root, env, 2)
    shutil.rmtree(root)
    make(root)
    actual = _runs(require_fastest(), root, env, 2)
    for (e_code, e_out, _), (a_code, a_out, a_err) in zip(expected, actual):
        assert (a_code, a_out) == (e_code, e_out), a_err
    return root, expected, actual


@pytest.mark.parametrize("dont_write", ["1", ""], ids=["no-bytecode", "bytecode"])
def test_cold_runs_with_the_fallback_match_pytest(tmp_path: Path, dont_write: str) -> None:
    root, expected, actual = _both_tools(tmp_path, _project, dont_write)
    # The rewriter's warning: on every run without bytecode, on the first one only
    # with pytest's pyc files written.
    assert "assertion is always true" in expected[0][1]
    assert ("assertion is always true" in expected[1][1]) == bool(dont_write)
    # The first run's worker got the other test modules to rewrite.
    assert SENT in actual[0][2], actual[0][2]
    if dont_write:
        assert (root / ".fastest_cache" / "rewrite").is_dir()
    else:
        assert list((root / "__pycache__").glob("test_plain_0.*-pytest-*.pyc"))


HELPER = "rewrite helper started"


def _big_project(root: Path) -> None:
    """Test modules past the size a rewrite helper starts for (100 KB), the last one
    with a failing assert's explanation. (A module the rewriter warns about is the
    import fallback's: see above.)"""
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    body = "".join(
        f"def test_{i}():\n    x = [{i}, {i + 1}]\n    assert x[0] + 1 == x[1], 'never'\n\n\n"
        for i in range(200)
    )
    for k in range(12):
        (root / f"test_m{k:02}.py").write_text(body)
    (root / "test_z.py").write_text(
        "def test_fails():\n    a = {'k': [1, 2]}\n    assert a == {'k': [1, 3]}\n"
    )


@pytest.mark.parametrize("dont_write", ["1", ""], ids=["no-bytecode", "bytecode"])
def test_cold_sequential_runs_with_a_rewrite_helper_match_pytest(tmp_path: Path, dont_write: str) -> None:
    _, expected, actual = _both_tools(tmp_path, _big_project, dont_write)
    assert "AssertionError: assert {'k': [1, 2]} == {'k': [1, 3]}" in expected[0][1]
    # Every module was new to the first run; the second found them all as they were.
    assert HELPER in actual[0][2], actual[0][2]
    assert HELPER not in actual[1][2], actual[1][2]


def test_no_rewrite_helper_for_little_test_code(tmp_path: Path) -> None:
    env = child_env({"FASTEST_LOG": "fastest_cli=debug"})
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    for k in range(5):
        (root / f"test_{k}.py").write_text(f"def test_{k}():\n    assert {k} + 1\n")
    r = run_process([*require_fastest(), "-q", "-p", "no:cacheprovider"], root, env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert HELPER not in r.stderr


def test_the_pytest_engine_keeps_rewritten_modules_without_bytecode(tmp_path: Path) -> None:
    """`--engine pytest` under PYTHONDONTWRITEBYTECODE: the workers' pytest keeps what
    it rewrites in fastest's cache (as the native engine does), and each run still
    shows what pytest shows (the rewriter's warning, which pytest repeats every run)."""
    def make(root: Path) -> None:
        root.mkdir()
        (root / "pytest.ini").write_text("[pytest]\n")
        (root / "conftest.py").write_text("import pytest\n")
        (root / "test_a.py").write_text(
            'def test_tuple():\n    assert (1, "never fails")\n\n\n'
            "def test_fails():\n    x = [1, 2]\n    assert x == [1, 3]\n"
        )

    env = child_env({"PYTHONDONTWRITEBYTECODE": "1"})
    fastest = [*require_fastest(), "--engine", "pytest"]
    root = tmp_path / "proj"
    make(root)
    expected = _runs(find_pytest(), root, env, 2)
    shutil.rmtree(root)
    make(root)
    actual = _runs(fastest, root, env, 1)
    cached = sorted(p.name for p in (root / ".fastest_cache" / "rewrite").glob("*.pyc"))
    assert any("test_a.py" in name for name in cached), cached
    assert any("conftest.py" in name for name in cached), cached
    # The warm run's worker rewrites nothing (its profile shows no call of pytest's
    # rewriter).
    profile = tmp_path / "worker.prof"
    actual += _runs(fastest, root, {**env, "FASTEST_WORKER_PROFILE": str(profile)}, 1)
    called = {func for (_, _, func) in pstats.Stats(str(profile)).stats}
    assert "pytest_runtest_protocol" in called
    assert "_rewrite_test" not in called
    assert "assertion is always true" in expected[1][1]
    for (e_code, e_out, _), (a_code, a_out, a_err) in zip(expected, actual):
        assert (a_code, a_out) == (e_code, e_out), a_err
