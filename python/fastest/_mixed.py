"""Both engines in one worker: the native engine runs most modules, the pytest engine
the modules the coordinator chose for it (``run::Engines::modules``: an item discovery
did not prove, a fixture only pytest has, a conftest hook of the items below it).

The coordinator marks each of those items' specs ``"engine": "pytest"``; a module's
items are all one engine's. The pytest engine starts (pytest's config, plugins,
conftests) only when the worker has such a module to import. The coordinator split the
session only where the two cannot tell each other apart: no fixture that outlives a
module is in scope of both, and no conftest ``pytest_configure`` runs in both.

Between the engines the session goes on: when the next item is the other engine's, an
engine tears down only what that item does not share with it (its module and class,
and the directories it is not under), as pytest's ``SetupState.teardown_exact`` does
for the next item; what stays set up is torn down at the session's end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastest._engine import Engine

#: What marks a spec (JSON) as the pytest engine's.
_PYTEST_MARK = '"engine":"pytest"'


def _is_pytest(spec: str | None) -> bool:
    return spec is not None and _PYTEST_MARK in spec


def _share_conftests() -> None:
    """One module object per conftest, whichever engine imports it first: pytest has
    one, and its globals (a registry, a counter) are the session's. Both engines import
    conftests through ``import_path`` (each first drops a rootdir-less ``conftest``
    from ``sys.modules``, which would make a second module of the same file)."""
    import os

    import _pytest.config

    import fastest._engine

    original = fastest._engine.import_path
    if getattr(original, "_fastest_shared", False):
        return
    modules: dict[str, Any] = {}

    def import_path(path: Any, **kwargs: Any) -> Any:
        if Path(path).name != "conftest.py":
            return original(path, **kwargs)
        key = os.path.realpath(path)
        mod = modules.get(key)
        if mod is None:
            mod = modules[key] = original(path, **kwargs)
        return mod

    import_path._fastest_shared = True  # type: ignore[attr-defined]
    fastest._engine.import_path = import_path
    _pytest.config.import_path = import_path


def _shown_already(*args: Any, **kwargs: Any) -> None:
    """``warnings.showwarning`` while the pytest engine starts beside the native one."""


def _exception_hooks() -> tuple[Any, Any]:
    import sys
    import threading

    return sys.unraisablehook, threading.excepthook


def _set_exception_hooks(hooks: tuple[Any, Any]) -> None:
    import sys
    import threading

    sys.unraisablehook, threading.excepthook = hooks


class _Boundary:
    """The successor pytest's protocol is given when the next item is the native
    engine's: the nodes of pytest's setup stack above that item (the session, the
    directories it is under), so ``teardown_exact`` keeps those and tears down the
    rest."""

    def __init__(self, chain: list[Any]) -> None:
        self._chain = chain
        self.nodeid = ""

    def listchain(self) -> list[Any]:
        return list(self._chain)


class MixedEngine:
    """The worker's engine (see the module's docstring): the native engine's
    interface, each item handed to the engine its spec names."""

    def __init__(self, setup: dict[str, Any], channel: Any = None) -> None:
        self.setup = setup
        self.channel = channel
        _share_conftests()
        self.native = Engine(setup, channel)
        self._pytest: Any = None
        self._native_hooks = _exception_hooks()
        self._pytest_hooks: tuple[Any, Any] | None = None
        # The engine of the item running now (an interruption is its to handle).
        self._active: Any = self.native

    # -- what the worker loop and the coordinator's attachments read ------------------
    def __getattr__(self, name: str) -> Any:
        # `header_json` and the rest of the native engine's session interface.
        return getattr(self.native, name)

    @property
    def shouldfail(self) -> bool:
        return bool(self.native.shouldfail or (self._pytest is not None and self._pytest.shouldfail))

    @property
    def pytest(self) -> Any:
        """The pytest engine, started at its first use."""
        if self._pytest is None:
            from fastest._pytest_engine import PytestEngine

            # What importing the conftests and configuring the plugins warned is the
            # native engine's to report (shown once, by it).
            import warnings

            from _pytest.assertion.rewrite import AssertionRewritingHook

            shown = warnings.showwarning
            warnings.showwarning = _shown_already
            # The plugins pytest marks for rewriting at its start were imported by the
            # native engine's session already (a package above the module it loads,
            # `pytest_asyncio` for `pytest_asyncio.plugin`): pytest, starting first in
            # its own process, would not find them imported, and its "already
            # imported" warning must not fail this start (`filterwarnings = error`).
            warn = AssertionRewritingHook._warn_already_imported
            AssertionRewritingHook._warn_already_imported = lambda hook, name: None  # type: ignore[method-assign]
            try:
                engine = PytestEngine(dict(self.setup), self.channel, startup_warnings=False)
            finally:
                warnings.showwarning = shown
                AssertionRewritingHook._warn_already_imported = warn  # type: ignore[method-assign]
            # pytest's unraisable and thread exception hooks record into its config;
            # each engine's are installed while its items run.
            self._pytest_hooks = _exception_hooks()
            _set_exception_hooks(self._native_hooks)
            # One temporary directory tree per worker: pytest's `tmp_path_factory`
            # is the native engine's.
            engine.config._tmp_path_factory = self.native.tmp_path_factory()
            self._pytest = engine
            self._restore_native()
        return self._pytest

    def _restore_native(self) -> None:
        """What pytest's plugins leave set for their own session that the native engine
        set for its: assertion explanations' config (reset by pytest after each item)."""
        from _pytest.assertion import util

        util._config = self.native.config
        util._reprcompare = self.native._reprcompare

    # -- the session ------------------------------------------------------------------
    def preimport(self) -> list[str]:
        """Each engine imports its modules, in the session's collection order (one
        module's import never sees what the tests of a later one did)."""
        specs = list(self.native._preimport)
        self.native._preimport = []
        failed: list[str] = []
        run: list[dict[str, Any]] = []
        run_pytest = False

        def flush() -> None:
            if not run:
                return
            engine = self.pytest if run_pytest else self.native
            engine._preimport = list(run)
            failed.extend(engine.preimport())
            run.clear()

        for spec in specs:
            is_pytest = spec.get("engine") == "pytest"
            if run and is_pytest != run_pytest:
                flush()
                if self._interrupted():
                    break
            run_pytest = is_pytest
            run.append(spec)
        else:
            flush()
        if self._pytest is not None:
            self._restore_native()
        return failed

    def _interrupted(self) -> bool:
        return self.native._interrupted_import is not None or (
            self._pytest is not None and self._pytest._interrupted_import is not None
        )

    def phases_json(self, spec: str, next_spec: str | None, known: bool = True):
        if _is_pytest(spec):
            return self._pytest_phases(spec, next_spec, known)
        return self._native_phases(spec, next_spec, known)

    def _native_phases(self, spec: str, next_spec: str | None, known: bool):
        # The native engine builds its nodes for any spec without importing anything:
        # the other engine's next item keeps the directories both are under set up.
        native = self.native
        if self._active is not native:
            self._active = native
            _set_exception_hooks(self._native_hooks)
            # What the native engine kept for the pytest engine's item in between
            # that this one is not under (the scheduler may have moved elsewhere).
            item = native.node_for(json.loads(spec))
            native._next = item
            self._settle(lambda: native.setupstate.teardown_exact(item))
            # `--maxfail` counts the session's failures, the other engine's too.
            if self._pytest is not None:
                native.testsfailed = self._pytest.session.testsfailed
        yield from native.phases_json(spec, next_spec, known)

    @staticmethod
    def _settle(teardown: Any) -> None:
        """Tear down what an item is not under. Only directories (packages) can be left
        there, whose fixtures are in scope of one engine's modules only: what fails is
        written to stderr, as the worker has no item to report it on."""
        import sys
        import traceback

        try:
            teardown()
        except Exception:  # noqa: BLE001 - see above
            traceback.print_exc(file=sys.__stderr__)

    def _pytest_phases(self, spec: str, next_spec: str | None, known: bool):
        engine = self.pytest
        if self._active is not engine:
            self._active = engine
            if self._pytest_hooks is not None:
                _set_exception_hooks(self._pytest_hooks)
            item, _ = engine._item(json.loads(spec))
            if item is not None:
                state = engine.session._setupstate
                self._settle(lambda: state.teardown_exact(item))
            # `--maxfail` counts the session's failures, the native engine's too.
            engine.session.testsfailed = self.native.testsfailed
        if not known:
            next_spec = yield None
            known = True
        if next_spec is not None and not _is_pytest(next_spec) and not engine.shouldfail:
            boundary = self._boundary(json.loads(next_spec)["path"])
            engine.next_override = boundary
        try:
            yield from engine.phases_json(spec, next_spec, known)
        finally:
            engine.next_override = None
            self._restore_native()

    def _boundary(self, path: str) -> _Boundary:
        """pytest's set-up nodes the native item at ``path`` is under."""
        import pytest

        parents = set(Path(path).parents)
        chain: list[Any] = []
        for node in self._pytest.session._setupstate.stack:
            if node is self._pytest.session or (
                isinstance(node, (pytest.Dir, pytest.Package)) and node.path in parents
            ):
                chain.append(node)
            else:
                break
        return _Boundary(chain)

    def finish(self) -> None:
        """The session's end: what either engine still has set up is torn down (the
        one whose item ran last did so already), then each ends its session."""
        errors: list[BaseException] = []
        try:
            self.native.setupstate.teardown_exact(None)
        except BaseException as e:  # noqa: BLE001 - reported below, after the rest
            errors.append(e)
        try:
            self.native.finish()
        finally:
            if self._pytest is not None:
                self._pytest.finish()
        if errors:
            raise errors[0]

    def terminal_summary(self) -> str | None:
        """The pytest engine's plugins' summary text (see its ``terminal_summary``)."""
        return self._pytest.terminal_summary() if self._pytest is not None else None

    def interruption(self, exc: BaseException) -> str | None:
        described = self._active.interruption(exc)
        other = self._pytest if self._active is self.native else self.native
        if described is not None and other is not None:
            try:
                if other is self.native:
                    self.native.capture.stop()
                    self.native.setupstate.teardown_exact(None)
                else:
                    other.finish()
            except BaseException:  # noqa: BLE001 - the interruption is the news
                pass
        return described
