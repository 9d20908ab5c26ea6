"""A worker process: ``python -c "...; from fastest._worker import main; main(...)" ARGS``.

Started by the coordinator (``crates/fastest-runner/src/pool.rs``) in the user's
interpreter; the protocol loop is Rust (``fastest._fastest.worker_main``), the test
semantics are ``fastest._engine`` (the native engine) or ``fastest._pytest_engine``
(pytest's own runtest protocol), as the session's setup says.

``FASTEST_WORKER_PROFILE=FILE`` writes a cProfile of the worker to FILE (for
``python -m pstats FILE``): the engine's per-test cost is measured this way.
"""

from __future__ import annotations

import os
import sys


def _as_pytest_main(settings: dict) -> None:
    """``sys.argv`` and ``__main__`` as a test sees them under pytest: the ``pytest``
    script (or ``pytest/__main__.py`` under ``python -m``) then the command line, and a
    ``__main__`` module with that ``__file__`` (multiprocessing's spawn, and helpers
    that find the program by it, read it). A pytest-xdist worker is a ``python -c``
    process with ``sys.argv == ['-c']``: so stay the workers under ``-n``."""
    if settings.get("distributed") or "argv" not in settings:
        return
    if settings.get("main") == "script":
        main = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "pytest")
    else:
        try:
            import pytest
        except Exception:  # noqa: BLE001 - the engine reports it
            return
        main = os.path.join(os.path.dirname(pytest.__file__), "__main__.py")
    sys.argv[:] = [main, *settings["argv"]]
    module = sys.modules.get("__main__")
    if module is None or hasattr(module, "__file__"):
        return
    # What runpy (`-m pytest`) or running the script leaves on `__main__`: its file,
    # loader and spec (its repr and multiprocessing's spawn read them; the `-c`
    # module's built-in loader warns in `repr` on Python 3.11).
    from importlib.machinery import ModuleSpec, SourceFileLoader

    module.__file__ = main
    if settings.get("main") == "script":
        module.__loader__ = SourceFileLoader("__main__", main)
        module.__spec__ = None
    else:
        loader = SourceFileLoader("pytest.__main__", main)
        module.__loader__ = loader
        module.__spec__ = ModuleSpec("pytest.__main__", loader, origin=main)
        module.__spec__.has_location = True
        module.__package__ = "pytest"


def make_engine(setup: str, channel=None):
    """The engine the setup (JSON) asks for: ``"engine": "pytest"`` or the native one.
    ``channel`` (the worker loop's) lets the pytest engine send a report the moment
    pytest logs it."""
    import json

    settings = json.loads(setup)
    _as_pytest_main(settings)
    owned = _OwnedChannel(channel) if channel is not None else None
    channel = owned
    measure = None
    cov_settings = settings.get("coverage")
    if not cov_settings:
        # `coverage run -m fastest`: the coordinator's coverage.py asks the same of us.
        outer = os.environ.get("FASTEST_OUTER_COVERAGE")
        cov_settings = json.loads(outer) if outer else None
        if cov_settings is not None:
            # The one worker of a session without `-n` sees all of it: it warns about a
            # source package never imported, as coverage.py in pytest's process does.
            cov_settings["whole_session"] = not settings.get("distributed")
    native = settings.get("engine") != "pytest" and not settings.get("pytest_modules")
    # `coverage run` measures pytest's whole process; pytest's start, within the pytest
    # engine, imports the initial conftests: both measure from here.
    early = bool(cov_settings) and (not native or bool(cov_settings.get("outer")))
    if early:
        from fastest._cov import Measure

        measure = Measure(cov_settings)
    if settings.get("engine") == "pytest":
        from fastest._pytest_engine import PytestEngine

        engine = PytestEngine(settings, channel)
    elif settings.get("pytest_modules"):
        from fastest._mixed import MixedEngine

        engine = MixedEngine(settings, channel)
    else:
        from fastest._engine import Engine

        started: list = []

        def plugins_loaded() -> None:
            # pytest-cov measures from `pytest_load_initial_conftests`: after pytest's
            # start imported the plugins (`-p`, entry points), before any conftest.
            if cov_settings and not early:
                from fastest._cov import Measure

                started.append(Measure(cov_settings))

        engine = Engine(settings, channel, plugins_loaded)
        if started:
            measure = started[0]
    if measure is not None:
        from fastest._cov import attach

        attach(engine, measure, cov_settings)
    if owned is not None:
        owned.drain_after(engine)
    return _frozen(engine)


class _OwnedChannel:
    """The worker loop's channel, which only the worker's own thread may use (the Rust
    object is bound to it). A subtest a test's own thread reports (unittest's
    ``subTest`` inside a thread the test started) waits here and goes out from the
    worker's thread before anything else it sends, and at the latest before the item's
    reports: pytest logs it the moment it ends, before the test's call report."""

    def __init__(self, channel) -> None:
        import threading

        self._channel = channel
        self._owner = threading.get_ident()
        self._get_ident = threading.get_ident
        self._waiting: list = []

    @property
    def sync(self):
        return self._channel.sync

    def report(self, report: str) -> None:
        if self._get_ident() != self._owner:
            self._waiting.append(report)
            return
        self.drain()
        self._channel.report(report)

    def flush(self) -> None:
        if self._get_ident() != self._owner:
            return
        self.drain()
        self._channel.flush()

    def drain(self) -> None:
        """Send what other threads reported, in their order."""
        while self._waiting:
            self._channel.report(self._waiting.pop(0))

    def drain_after(self, engine) -> None:
        """Drain before each report ``phases_json`` of ``engine`` yields (the worker
        loop sends it) and once it is done."""
        phases = engine.phases_json

        def phases_json(*args, **kwargs):
            reports = phases(*args, **kwargs)
            return self._draining(reports) if hasattr(reports, "send") else reports

        engine.phases_json = phases_json

    def _draining(self, reports):
        reply = None
        while True:
            try:
                report = reports.send(reply)
            except StopIteration as stop:
                self.drain()
                return stop.value
            self.drain()
            reply = yield report


def _frozen(engine):
    """``engine``, with everything made so far (pytest, the engine, plugins and their
    configuration) moved out of the collector's way: ``gc.freeze`` keeps the full
    collections that a long run triggers from walking these objects again and again.
    They live as long as the worker anyway."""
    import gc

    gc.freeze()
    return engine


def _preload(preload: str) -> None:
    """Import the engine (and pytest with it) before the session's setup arrives: a
    worker started ahead of the run does this while the coordinator still collects."""
    try:
        import fastest._engine  # noqa: F401
    except Exception:  # noqa: BLE001 - make_engine imports it again and reports why
        pass
    # What the coordinator knows the setup will need (coverage.py, to measure).
    for name in filter(None, preload.split(",")):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - the setup's own import reports why
            pass


def _exit(fastest_ext) -> None:
    """End the worker once the session is over and said so: what the interpreter's own
    exit does first (wait for the threads tests left running, then the ``atexit``
    functions: coverage's data file, logging's shutdown, weakref finalizers; flush the
    streams), then the process ends without tearing down the interpreter's modules and
    objects, which after a long session took longer than many of its tests while the
    coordinator waited for the process."""
    import sys

    exit_now = getattr(fastest_ext, "exit_now", None)
    if exit_now is None:
        return
    try:
        import threading

        shutdown = getattr(threading, "_shutdown", None)
        if shutdown is not None:
            shutdown()
        import atexit

        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - the interpreter's own exit deals with it
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a stream a test closed or replaced
            pass
    exit_now(0)


def main(socket: str, preload: str = "") -> None:
    """The worker on the coordinator's ``socket``, ``preload`` (comma-separated modules)
    imported first."""
    from fastest import _fastest

    _preload(preload)
    # pytest's `main` sets it for the session: code under test may look. (A pytest
    # that cannot be imported is the engine's to report, from `make_engine`.)
    try:
        from pytest import __version__
    except Exception:  # noqa: BLE001
        pass
    else:
        os.environ["PYTEST_VERSION"] = __version__

    profile = os.environ.get("FASTEST_WORKER_PROFILE")
    if not profile:
        _fastest.worker_main(make_engine, socket)
        _exit(_fastest)
        return
    import cProfile

    prof = cProfile.Profile()
    try:
        prof.runcall(_fastest.worker_main, make_engine, socket)
    finally:
        prof.dump_stats(profile)


if __name__ == "__main__":
    main()
