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

import importlib
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Optional

from _pytest.assertion import rewrite as _rewrite

#: The session's rootdir, once known (the fallback learns it from pytest's config).
_rootdir: Callable[[], Optional[Path]] = lambda: None

#: The fastest invocation this process serves (the import fallback and the workers
#: share it); taken out of the environment the tests see.
_session: Optional[str] = os.environ.pop("FASTEST_SESSION", None)


def cache_dir(rootdir: Path) -> Path:
    """Where a session rooted at ``rootdir`` keeps rewritten modules."""
    return Path(rootdir) / ".fastest_cache" / "rewrite"


def _cached(rootdir: Path, fn: Path) -> Path:
    key = re.sub(r"[^\w.-]", "_", str(fn))
    return cache_dir(rootdir) / (key[-200:] + "." + _rewrite.PYC_TAIL)


def _warnings_file(cached: Path) -> Path:
    return cached.with_name(cached.name + ".warnings")


def _write_warnings(cached: Path, caught: list[warnings.WarningMessage]) -> None:
    """Keep what compiling a stored module warned beside it (nothing: no file)."""
    path = _warnings_file(cached)
    if not caught:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return
    rows = [
        [w.category.__module__, w.category.__qualname__, str(w.message), w.filename, w.lineno]
        for w in caught
    ]
    path.write_text(json.dumps({"session": _session, "warnings": rows}))


def _replay(cached: Path, session: Optional[str]) -> bool:
    """Warn again what compiling the stored module warned (when ``session`` is given,
    only if that session compiled it); false (nothing warned) when the filters in force
    make one of those an error."""
    try:
        stored = json.loads(_warnings_file(cached).read_text())
    except (OSError, ValueError):
        return True
    if not isinstance(stored, dict) or (session is not None and stored.get("session") != session):
        return True
    found = []
    for module, qualname, message, filename, lineno in stored.get("warnings") or []:
        try:
            found.append((message, getattr(importlib.import_module(module), qualname), filename, lineno))
        except (ImportError, AttributeError):
            continue
    try:
        with warnings.catch_warnings(record=True):
            for args in found:
                warnings.warn_explicit(*args)
    except Warning:
        return False
    for args in found:
        warnings.warn_explicit(*args)
    return True


def _reads_hashed_pycs(read_pyc: Any) -> bool:
    """Whether pytest's ``_read_pyc`` is the one ``_fast_read_pyc`` reads as: the pyc
    header with flags 3 and the source's hash (pytest 9)."""
    code = getattr(read_pyc, "__code__", None)
    return (
        code is not None
        and "source_hash" in code.co_names
        # Compared as bytes only: `python -bb` makes bytes == str an error.
        and any(type(c) is bytes and c == b"\x03\x00\x00\x00" for c in code.co_consts)
        and hasattr(_rewrite, "_fix_code_filename")
    )


def _fast_read_pyc(source: Path, pyc: Path, trace: Any = lambda x: None) -> Any:
    """pytest's ``_read_pyc``, the same checks in the same order, reading the file at
    once: ``marshal.load`` on a file object reads it piece by piece through Python
    calls, six times slower than ``marshal.loads`` of its bytes (a rewritten test
    module takes it from about 160 to 25 microseconds)."""
    import importlib.util
    import marshal
    import types

    try:
        fp = open(pyc, "rb")
    except OSError:
        return None
    with fp:
        try:
            data = fp.read()
        except OSError as e:
            trace(f"_read_pyc({source}): OSError {e}")
            return None
    if len(data) < 16:
        trace(f"_read_pyc({source}): invalid pyc (too short)")
        return None
    if data[:4] != importlib.util.MAGIC_NUMBER:
        trace(f"_read_pyc({source}): invalid pyc (bad magic number)")
        return None
    if data[4:8] != b"\x03\x00\x00\x00":
        trace(f"_read_pyc({source}): invalid pyc (unsupported flags)")
        return None
    try:
        source_hash = importlib.util.source_hash(Path(source).read_bytes())
    except OSError as e:
        trace(f"_read_pyc({source}): OSError {e}")
        return None
    if source_hash[:8] != data[8:16]:
        trace(f"_read_pyc({source}): out of date")
        return None
    try:
        co = marshal.loads(memoryview(data)[16:])
    except Exception as e:
        trace(f"_read_pyc({source}): marshal.load error {e}")
        return None
    if not isinstance(co, types.CodeType):
        trace(f"_read_pyc({source}): not a code object")
        return None
    return _rewrite._fix_code_filename(co, str(source))


def install(rootdir: Callable[[], Optional[Path]]) -> None:
    """Keep rewritten modules under ``rootdir()``'s cache directory from now on, when
    Python writes no bytecode (checked at each import), and what compiling them warned
    (replayed where pytest would have compiled them: see ``cached_read_pyc``)."""
    global _rootdir
    _rootdir = rootdir
    if getattr(_rewrite, "_fastest_pyc", False):
        return
    read_pyc = _fast_read_pyc if _reads_hashed_pycs(_rewrite._read_pyc) else _rewrite._read_pyc
    rewrite_test = _rewrite._rewrite_test

    def cached_read_pyc(source: Path, pyc: Path, trace: Any = lambda x: None) -> Any:
        co = read_pyc(source, pyc, trace)
        root = _rootdir()
        if root is None:
            return co
        cached = _cached(root, Path(source))
        if co is None and sys.dont_write_bytecode:
            # pytest would compile it now, and warn what compiling warns.
            co = read_pyc(source, cached, trace)
            if co is not None and not _replay(cached, None):
                # A filter makes its warning an error: compiling raises it as pytest's
                # compile does (a SyntaxError).
                co = None
        elif co is not None and not sys.dont_write_bytecode and _session is not None:
            # Compiled earlier in this session (by the import fallback): pytest, whose
            # session compiles each module once, warned then.
            if not _replay(cached, _session):
                co = None
        return co

    def storing_rewrite_test(fn: Path, config: Any) -> Any:
        # A module that does not parse raises here: pytest's collection error shows
        # its own frames only (its traceback filter drops this one).
        __tracebackhide__ = True
        root = _rootdir() or getattr(config, "rootpath", None)
        if root is None:
            return rewrite_test(fn, config)
        # What compiling it warns (an invalid escape sequence) is kept: a process that
        # reads the code instead warns it again where pytest would have compiled. The
        # filters in force apply as ever (an error filter still fails the compile).
        with warnings.catch_warnings(record=True) as caught:
            source_hash, co = rewrite_test(fn, config)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if (caught or sys.dont_write_bytecode) and _rewrite.try_makedirs(cache_dir(root)):
            try:
                cached = _cached(root, Path(fn))
                _write_warnings(cached, caught)
                if sys.dont_write_bytecode:
                    state = config.stash[_rewrite.assertstate_key]
                    _rewrite._write_pyc(state, co, source_hash, cached)
            except Exception:  # noqa: BLE001 - only costs a rewrite next time
                pass
        return source_hash, co

    _rewrite._read_pyc = cached_read_pyc
    _rewrite._rewrite_test = storing_rewrite_test
    _rewrite._fastest_pyc = True  # type: ignore[attr-defined]


class _WarmConfig:
    """What pytest's rewriter reads of its config: the ``enable_assertion_pass_hook``
    ini value, the rootdir, and the assertion state (its ``trace``)."""

    def __init__(self, rootdir: Path, pass_hook: bool, state: Any) -> None:
        self.rootpath = rootdir
        self._pass_hook = pass_hook
        self.stash = {_rewrite.assertstate_key: state}

    def getini(self, name: str) -> Any:
        if name == "enable_assertion_pass_hook":
            return self._pass_hook
        raise ValueError(name)


def warm(spec_json: str) -> None:
    """Rewrite test modules ahead of their import (a worker waiting for its session,
    while the coordinator waits for pytest's collection of other files): what
    ``AssertionRewritingHook.exec_module`` does before it executes a module, into the
    same places (pytest's pyc beside the source, or fastest's directory when Python
    writes no bytecode). Nothing is imported or executed. What compiling a module warns
    is stored for the import to warn again, under the filters in force then (here every
    warning is kept: the session's filters are not known yet)."""
    import types

    spec = json.loads(spec_json)
    root = Path(spec["rootdir"])
    install(lambda: root)
    state = types.SimpleNamespace(trace=lambda *a: None)
    config = _WarmConfig(root, bool(spec.get("enable_assertion_pass_hook")), state)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        for name in spec.get("files") or ():
            fn = Path(name)
            try:
                write = not sys.dont_write_bytecode
                pycache = _rewrite.get_cache_dir(fn)
                if write and not _rewrite.try_makedirs(pycache):
                    write = False
                pyc = pycache / (fn.name[:-3] + _rewrite.PYC_TAIL)
                if _rewrite._read_pyc(fn, pyc, state.trace) is not None:
                    continue
                source_hash, co = _rewrite._rewrite_test(fn, config)
                if write:
                    _rewrite._write_pyc(state, co, source_hash, pyc)
            except Exception:  # noqa: BLE001 - the import does it again and reports it
                continue
