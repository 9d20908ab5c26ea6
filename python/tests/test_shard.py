"""``--shard K/N``: the N slices are disjoint, cover the selection, keep files whole, and
are the same whether fastest runs the session or pytest does (``fastest._shard``, loaded
into pytest when a session is handed to it), with and without history."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path
from typing import Dict, List, Set

import pytest

from oracle_harness import RUN_TIMEOUT, child_env, require_fastest

SHARDS = 3


def _project(root: Path) -> Path:
    (root / "pytest.ini").write_text("[pytest]\n")
    for m in range(7):
        body = "".join(f"def test_{t}():\n    pass\n\n" for t in range(m + 1))
        (root / f"test_mod{m}.py").write_text(body)
    sub = root / "pkg"
    sub.mkdir()
    (sub / "test_deep.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.parametrize("x", [0, 1, 2, 3, 4])
        def test_p(x):
            pass
    """))
    return root


_PASSED = re.compile(r"^(\S+::\S+) PASSED", re.M)


def _run(root: Path, *args: str, env: Dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*require_fastest(), "-p", "no:cacheprovider", *args],
        cwd=root, env=child_env({"NO_COLOR": "1", **(env or {})}),
        capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )


def _ran(root: Path, k: int, engine: str, *extra: str) -> Set[str]:
    """The tests shard ``k`` runs. Every shard of a CI matrix starts from the same
    history: the file is put back as it was before each run (a run records its own)."""
    history = root / ".fastest_cache" / "history-v1.json"
    saved = history.read_bytes() if history.exists() else None
    r = _run(root, "-v", "--engine", engine, "--shard", f"{k}/{SHARDS}", *extra)
    if saved is not None:
        history.write_bytes(saved)
    assert r.returncode in (0, 5), r.stdout + r.stderr
    return set(_PASSED.findall(r.stdout))


@pytest.mark.parametrize("history", [False, True], ids=["hash", "history"])
def test_slices_partition_the_suite_alike_in_both_engines(tmp_path: Path, history: bool):
    root = _project(tmp_path)
    everything = set(_PASSED.findall(_run(root, "-v", "--no-fastest-cache").stdout))
    assert len(everything) == 33
    if history:
        # A run that records durations: the split is then LPT over them.
        assert _run(root, "-q", "--engine", "native").returncode == 0
        assert (root / ".fastest_cache" / "history-v1.json").exists()
    extra = () if history else ("--no-fastest-cache",)
    slices: List[Set[str]] = []
    for k in range(1, SHARDS + 1):
        native = _ran(root, k, "native", *extra)
        by_pytest = _ran(root, k, "pytest", *extra)
        assert native == by_pytest, (k, native ^ by_pytest)
        slices.append(native)
    assert set().union(*slices) == everything
    assert sum(len(s) for s in slices) == len(everything)
    for s in slices:
        files = {n.split("::")[0] for n in s}
        for other in slices:
            if other is not s:
                assert not files & {n.split("::")[0] for n in other}


def test_the_report_names_the_slice(tmp_path: Path):
    root = _project(tmp_path)
    r = _run(root, "--shard", "1/3", "--engine", "native", "--no-fastest-cache")
    m = re.search(r"^collected 33 items / (\d+) deselected / (\d+) selected$", r.stdout, re.M)
    assert m, r.stdout
    assert re.search(
        rf"^fastest: shard 1/3: {m.group(2)} of 33 items in \d+ files? \(split by file hash, no history\)$",
        r.stdout, re.M,
    ), r.stdout


def test_shard_from_the_environment(tmp_path: Path):
    root = _project(tmp_path)
    by_flag = _ran(root, 2, "native", "--no-fastest-cache")
    r = _run(root, "-v", "--engine", "native", "--no-fastest-cache",
             env={"FASTEST_SHARD": f"2/{SHARDS}"})
    assert set(_PASSED.findall(r.stdout)) == by_flag


@pytest.mark.parametrize("value", ["0/3", "4/3", "x"])
def test_a_bad_shard_is_a_usage_error(tmp_path: Path, value: str):
    root = _project(tmp_path)
    r = _run(root, "--shard", value)
    assert r.returncode == 4, r.stdout + r.stderr
    assert f"argument --shard: invalid shard: {value!r}" in r.stderr.replace('"', "'")
