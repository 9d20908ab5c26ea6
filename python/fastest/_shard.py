"""``--shard K/N`` for sessions pytest runs (``-p fastest._shard``, ``FASTEST_SHARD=K/N``).

The same split as fastest's own runs (``shard_files`` in
``crates/fastest-core/src/schedule.rs``): a file's items stay together; with history for
any item, files go longest first onto the least-loaded shard (an item without history
costs the mean); without, a 64-bit FNV-1a hash of the file's path picks the shard.
Floats are summed in the same fixed order as the Rust side, so both agree exactly.
Items of other shards are deselected, as pytest-split deselects them.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Tuple

import pytest

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x00000100000001B3
_MASK = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = _FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * _FNV_PRIME) & _MASK
    return h


def parse(text: str) -> Tuple[int, int]:
    k, _, n = text.strip().partition("/")
    try:
        ki, ni = int(k.strip()), int(n.strip())
    except ValueError:
        ki = ni = 0
    if not (1 <= ki <= ni):
        raise pytest.UsageError(
            f"FASTEST_SHARD: invalid shard: {text!r} (expected K/N with 1 <= K <= N)"
        )
    return ki, ni


def _history(rootdir: str) -> Dict[str, float]:
    path = os.path.join(rootdir, ".fastest_cache", "history-v1.json")
    try:
        with open(path, encoding="utf-8") as f:
            tests = json.load(f).get("tests", {})
        return {k: float(v["duration"]) for k, v in tests.items()}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def shard_files(nodeids: List[str], history: Dict[str, float], shards: int) -> Dict[str, int]:
    files: List[str] = [n.split("::")[0] for n in nodeids]
    order: List[str] = list(dict.fromkeys(files))
    if not any(n in history for n in nodeids):
        return {f: fnv1a64(f.encode("utf-8")) % shards for f in order}
    total = 0.0
    values = sorted(history.values())
    for d in values:
        total += d
    mean = total / len(values)
    costs = [0.0] * len(order)
    index = {f: i for i, f in enumerate(order)}
    for f, n in zip(files, nodeids):
        costs[index[f]] += history.get(n, mean)
    by_cost = sorted(range(len(order)), key=lambda i: -costs[i])
    loads = [0.0] * shards
    split: Dict[str, int] = {}
    for i in by_cost:
        best = 0
        for s, load in enumerate(loads):
            if load < loads[best]:
                best = s
        split[order[i]] = best
        loads[best] += costs[i]
    return split


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: List[Any]) -> None:
    raw: Optional[str] = os.environ.get("FASTEST_SHARD")
    if not raw or not raw.strip():
        return
    k, n = parse(raw)
    history = {} if os.environ.get("FASTEST_SHARD_NO_HISTORY") else _history(str(config.rootpath))
    split = shard_files([i.nodeid for i in items], history, n)
    keep = [i for i in items if split.get(i.nodeid.split("::")[0]) == k - 1]
    drop = [i for i in items if split.get(i.nodeid.split("::")[0]) != k - 1]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
