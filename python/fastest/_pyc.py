"""Rewritten test modules kept under fastest's cache directory when Python writes no
bytecode (``PYTHONDONTWRITEBYTECODE``, common in containers): pytest then rewrites
every test module and conftest on every run. The native engine and the import
fallback's pytest session (which imports the same files first) share these files, so a
cold run rewrites each module once and a warm run not at all.

pytest's own ``AssertionRewritingHook.exec_module`` keeps running the modules (a
failing import's traceback shows pytest's frame, as under pytest): only the two
functions it calls before it executes anything are wrapped, the one that reads a
rewritten pyc (which here also looks in fastest's directory) and the one that rewrites
(which here also stores the result there).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from _pytest.assertion import rewrite as _rewrite

#: The session's rootdir, once known (the fallback learns it from pytest's config).
_rootdir: Callable[[], Optional[Path]] = lambda: None


def cache_dir(rootdir: Path) -> Path:
    """Where a session rooted at ``rootdir`` keeps rewritten modules."""
    return Path(rootdir) / ".fastest_cache" / "rewrite"


def _cached(rootdir: Path, fn: Path) -> Path:
    key = re.sub(r"[^\w.-]", "_", str(fn))
    return cache_dir(rootdir) / (key[-200:] + "." + _rewrite.PYC_TAIL)


def install(rootdir: Callable[[], Optional[Path]]) -> None:
    """Keep rewritten modules under ``rootdir()``'s cache directory from now on, when
    Python writes no bytecode (checked at each import)."""
    global _rootdir
    _rootdir = rootdir
    if getattr(_rewrite, "_fastest_pyc", False):
        return
    read_pyc = _rewrite._read_pyc
    rewrite_test = _rewrite._rewrite_test

    def cached_read_pyc(source: Path, pyc: Path, trace: Any = lambda x: None) -> Any:
        co = read_pyc(source, pyc, trace)
        root = _rootdir() if co is None and sys.dont_write_bytecode else None
        if root is not None:
            co = read_pyc(source, _cached(root, Path(source)), trace)
        return co

    def storing_rewrite_test(fn: Path, config: Any) -> Any:
        # A module that does not parse raises here: pytest's collection error shows
        # its own frames only (its traceback filter drops this one).
        __tracebackhide__ = True
        source_hash, co = rewrite_test(fn, config)
        root = (_rootdir() or getattr(config, "rootpath", None)) if sys.dont_write_bytecode else None
        if root is not None and _rewrite.try_makedirs(cache_dir(root)):
            try:
                state = config.stash[_rewrite.assertstate_key]
                _rewrite._write_pyc(state, co, source_hash, _cached(root, Path(fn)))
            except Exception:  # noqa: BLE001 - only costs a rewrite next time
                pass
        return source_hash, co

    _rewrite._read_pyc = cached_read_pyc
    _rewrite._rewrite_test = storing_rewrite_test
    _rewrite._fastest_pyc = True  # type: ignore[attr-defined]
