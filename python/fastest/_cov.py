"""pytest-cov's measuring and reporting for a fastest session (``crates/fastest-cli/src/cov.rs``
decides when and with what settings).

Each worker measures with :class:`Measure`, started before the worker imports any
conftest or test module (pytest-cov starts before pytest loads the initial conftests),
and saves its own data file into the session's data directory when its session ends.
The coordinator's interpreter then calls :func:`report`: it combines those files into
the project's data file and writes the reports as pytest-cov's controller does with
pytest-xdist's workers (the same coverage.py calls, in the same order), returning the
text pytest-cov would put in the terminal summary.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from typing import Any, Iterator

#: fastest's own package: not the project's code, whatever ``--cov`` asks for (an
#: editable install is not under site-packages, which coverage.py leaves out itself).
_FASTEST_DIR = os.path.dirname(os.path.abspath(__file__))


@contextlib.contextmanager
def _in(topdir: str) -> Iterator[None]:
    """pytest-cov's ``ensure_topdir``: relative paths (data file, config file, sources,
    report destinations) are the invocation directory's, whatever a test did to the
    working directory."""
    try:
        before = os.getcwd()
    except OSError:  # a test removed it
        before = None
    os.chdir(topdir)
    try:
        yield
    finally:
        if before is not None:
            os.chdir(before)


def _coverage(settings: dict[str, Any], **kwargs: Any) -> Any:
    import coverage

    return coverage.Coverage(
        source=settings["source"],
        branch=settings["branch"],
        config_file=settings["config"],
        **kwargs,
    )


class Measure:
    """One worker's measuring (pytest-cov's ``DistWorker``, collocated). Also what the
    pytest engine hands pytest-cov's plugin as its controller: its ``cov`` fixture
    returns :attr:`cov`, and its ``no_cover`` wrapper calls :meth:`pause` and
    :meth:`resume`.

    ``settings`` are pytest-cov's (``cov.rs``), or with ``"outer"`` the measuring of a
    ``coverage run -m fastest`` (:func:`outer_settings`): the same options as the
    coverage.py that runs the coordinator."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.topdir = settings["topdir"]
        with _in(self.topdir):
            if settings.get("outer"):
                import coverage

                cov = coverage.Coverage(config_file=settings["config"], data_suffix=True)
                for option, value in settings["options"].items():
                    cov.set_option(option, value)
            else:
                cov = _coverage(settings, data_suffix=True)
            # The data file goes to the session's directory, named as the project's
            # (the report combines files named after it).
            name = os.path.basename(cov.config.data_file)
            cov.set_option("run:data_file", os.path.join(settings["data_dir"], name))
            cov.set_option("run:omit", [*(cov.config.run_omit or ()), os.path.join(_FASTEST_DIR, "*")])
            # A worker sees part of the session: what it did not import or measure
            # says nothing (pytest-cov's workers keep quiet about it too). The one
            # worker of a session without `-n` sees it all, as pytest-cov's measuring
            # in pytest's own process does: saving its data warns about a source
            # package never imported, or nothing measured at all.
            if not settings.get("whole_session"):
                cov._warn_no_data = False
                cov._warn_unimported_source = False
            cov._warn_preimported_source = False
            cov.start()
        self.cov = cov
        self.settings = settings
        self.started = True

    def pause(self) -> None:
        with _in(self.topdir):
            self.started = False
            self.cov.stop()

    def resume(self) -> None:
        with _in(self.topdir):
            self.cov.start()
            self.started = True

    def finish(self) -> None:
        with _in(self.topdir):
            self.started = False
            self.cov.stop()
            if not (self.settings.get("outer") and self.settings.get("whole_session")):
                self.cov.save()
                return
            # `coverage run -m fastest`: what saving warns (a source package never
            # imported) is coverage.py's at the coordinator's exit, after pytest's last
            # line; the coordinator warns it again (`merge_outer`).
            import warnings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.cov.save()
            kept = [
                {"message": str(w.message), "filename": w.filename, "lineno": w.lineno,
                 "category": f"{w.category.__module__}.{w.category.__qualname__}"}
                for w in caught
            ]
            if kept:
                path = os.path.join(self.settings["data_dir"], f"warnings-{os.getpid()}.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(kept, f)


def attach(engine: Any, measure: Measure, settings: dict[str, Any]) -> None:
    """Save ``measure``'s data once ``engine``'s session is over (before the worker says
    it finished: the coordinator then combines), and give pytest's pytest-cov plugin,
    when the pytest engine runs (with ``--no-cov``), the measuring as its controller.
    ``--cov-context=test``: each phase of a test measures under the context
    ``NODEID|setup``, ``|run`` or ``|teardown``, as pytest-cov's ``TestContextPlugin``
    switches it."""
    finish = engine.finish

    def finish_and_save() -> None:
        try:
            finish()
        finally:
            measure.finish()

    engine.finish = finish_and_save
    contexts = settings.get("context") == "test"
    if hasattr(engine, "cov_contexts"):
        # The native engine switches the context at each phase of a test itself.
        if contexts:
            engine.cov_contexts = measure
        return
    manager = engine.config.pluginmanager
    plugin = manager.get_plugin("_cov")
    if plugin is not None:
        plugin.cov_controller = measure
        if contexts:
            from pytest_cov.plugin import TestContextPlugin

            manager.register(TestContextPlugin(measure), "_cov_contexts")


def _fail_under(raw: str | None, config: Any) -> Any:
    """pytest-cov's ``validate_fail_under`` value (an int when it reads as one: the
    message shows it as given), else the coverage config's ``fail_under``."""
    if raw is None:
        return getattr(config, "fail_under", None)
    try:
        return int(raw)
    except ValueError:
        return float(raw)


def _sep(stream: Any, ch: str, text: str) -> None:
    """pytest-cov's separator line over its report stream: pytest's `sep` as wide as
    the terminal (80 when that reads under 40), then a blank line."""
    import shutil

    from _pytest._io import TerminalWriter

    width = shutil.get_terminal_size(fallback=(80, 24))[0]
    tw = TerminalWriter(file=stream)
    tw.hasmarkup = False
    tw.fullwidth = width if width >= 40 else 80
    tw.sep(ch, text)
    stream.write("\n")


class _Null:
    @staticmethod
    def write(_: str) -> None:
        pass


def _summary(cov: Any, reports: dict[str, Any], precision: int, stream: Any) -> float:
    """pytest-cov's ``CovController.summary`` for one platform: the total, the section
    heading, the terminal table and the file reports with their one-line notes."""
    total = cov.report(ignore_errors=True, output_format="total", precision=precision, file=_Null)
    v = sys.version_info
    _sep(stream, "_", f"coverage: platform {sys.platform}, python {v[0]}.{v[1]}.{v[2]}-{v[3]}-{v[4]}")
    if "term" in reports or "term-missing" in reports:
        cov.report(
            show_missing=("term-missing" in reports) or None,
            ignore_errors=True,
            file=stream,
            precision=precision,
            skip_covered=("skip-covered" in reports.values()) or None,
        )
    if "annotate" in reports:
        directory = reports["annotate"]
        cov.annotate(ignore_errors=True, directory=directory)
        cov.report(ignore_errors=True, file=_Null)
        if directory:
            stream.write(f"Coverage annotated source written to dir {directory}\n")
        else:
            stream.write("Coverage annotated source written next to source\n")
    if "html" in reports:
        out = reports["html"]
        cov.html_report(ignore_errors=True, directory=out)
        stream.write(f"Coverage HTML written to dir {cov.config.html_dir if out is None else out}\n")
    if "xml" in reports:
        out = reports["xml"]
        cov.xml_report(ignore_errors=True, outfile=out)
        stream.write(f"Coverage XML written to file {cov.config.xml_output if out is None else out}\n")
    if "json" in reports:
        out = reports["json"]
        cov.json_report(ignore_errors=True, outfile=out)
        stream.write(f"Coverage JSON written to file {cov.config.json_output if out is None else out}\n")
    for kind, mode, verb in (("markdown", "w", "written to"), ("markdown-append", "a", "appended to")):
        if kind in reports:
            out = reports[kind]
            with open(out, mode) as f:
                cov.report(ignore_errors=True, file=f, output_format="markdown")
            stream.write(f"Coverage Markdown information {verb} file {out}\n")
    if "lcov" in reports:
        out = reports["lcov"]
        cov.lcov_report(ignore_errors=True, outfile=out)
        cov.report(ignore_errors=True, file=_Null)
        stream.write(f"Coverage LCOV written to file {cov.config.lcov_output if out is None else out}\n")
    return total


def warm(_: str) -> str:
    """Import what :func:`report` needs (the coordinator does it while the tests run)."""
    import coverage.control  # noqa: F401
    import coverage.results  # noqa: F401
    import coverage.sqldata  # noqa: F401

    return "{}"


def _warn_report_failed(message: str) -> None:
    """pytest-cov's ``CovReportWarning`` for a report that failed, as its plugin warns
    it: from its own line (``warnings.warn(CovReportWarning(message), stacklevel=1)``
    in ``pytest_runtestloop``, outside any warnings capture: Python prints it on
    stderr)."""
    import warnings

    try:
        import pytest_cov.plugin as plugin
        from pytest_cov import CovReportWarning

        with open(plugin.__file__, encoding="utf-8") as f:
            lineno = next(n for n, line in enumerate(f, 1)
                          if "warnings.warn(CovReportWarning(message)" in line)
    except Exception:  # noqa: BLE001 - a pytest-cov without that line: no warning
        return
    warnings.warn_explicit(
        CovReportWarning(message), CovReportWarning, plugin.__file__, lineno,
        module=plugin.__name__, registry=plugin.__dict__.setdefault("__warningregistry__", {}),
        module_globals=plugin.__dict__,
    )


def report(request_json: str) -> str:
    """Combine the workers' data into the project's data file and report, as pytest-cov's
    controller does at the end of its run loop. Returns JSON: ``early`` (what it writes
    right then), ``text`` (its terminal summary section), ``required`` (the fail-under
    line and whether it failed), ``failed`` (the total is below ``--cov-fail-under``)."""
    req = json.loads(request_json)
    from coverage.exceptions import CoverageException
    from coverage.results import display_covered, should_fail_under
    from coverage.sqldata import filename_suffix

    out: dict[str, Any] = {"early": None, "text": "", "required": None, "failed": False}
    with _in(req["topdir"]):
        cov = _coverage(req, data_suffix=True)
        precision = req["precision"]
        if precision is None:
            precision = getattr(cov.config, "precision", 0)
        fail_under = _fail_under(req["fail_under"], cov.config)
        data_file = os.path.abspath(cov.config.data_file)
        combining = _coverage(req, data_suffix=f"{filename_suffix(True)}.combine", data_file=data_file)
        if not req["append"]:
            cov.erase()
        combining.load()
        try:
            combining.combine(data_paths=[os.path.dirname(data_file), req["data_dir"]])
        except CoverageException:  # nothing measured anywhere: the report says so
            pass
        combining.save()
        reports = req["report"]
        if not (reports or fail_under) or (req["tests_failed"] and req["no_cov_on_fail"]):
            return json.dumps(out)
        early = ""
        stream = io.StringIO()
        try:
            total = _summary(combining, reports, precision, stream)
        except CoverageException as exc:
            early += f"\nWARNING: Failed to generate report: {exc}\n\n"
            _warn_report_failed(f"Failed to generate report: {exc}\n")
            total = 0
    if fail_under is not None and should_fail_under(total, fail_under, precision):
        shown = display_covered(total, precision)
        early += f"\nERROR: Coverage failure: total of {shown} is less than fail-under={fail_under:.{precision}f}\n"
        out["failed"] = True
    out["early"] = early or None
    out["text"] = stream.getvalue()
    if fail_under is not None and fail_under > 0:
        failed = total < fail_under
        out["required"] = [
            "{}Required test coverage of {}% {}. Total coverage: {:.2f}%".format(
                "FAIL " if failed else "", fail_under, "not reached" if failed else "reached", total
            ),
            failed,
        ]
    return json.dumps(out)


#: The environment variable that tells the workers of a ``coverage run -m fastest`` to
#: measure (:func:`outer_settings`, JSON).
OUTER_ENV = "FASTEST_OUTER_COVERAGE"

#: The measuring options of coverage.py's config a worker copies from the coordinator's
#: (``coverage run --source/--branch/--include/--omit/...`` set them).
_OUTER_OPTIONS = {
    "run:branch": "branch",
    "run:source": "source",
    "run:source_pkgs": "source_pkgs",
    "run:include": "run_include",
    "run:omit": "run_omit",
    "run:cover_pylib": "cover_pylib",
    "run:timid": "timid",
    "run:concurrency": "concurrency",
    "run:context": "context",
    "run:dynamic_context": "dynamic_context",
    "run:relative_files": "relative_files",
    "run:plugins": "plugins",
    "run:disable_warnings": "disable_warnings",
}


def outer_settings() -> tuple[Any, dict[str, Any]] | None:
    """``coverage run -m fastest``: coverage.py measures this interpreter, where pytest
    would run every test; fastest's tests run in worker processes. Returns the running
    ``Coverage`` and the settings its workers measure with (the same options, a data
    directory of the session), or ``None`` when nothing measures this process or
    coverage.py already measures subprocesses itself (``COVERAGE_PROCESS_START``,
    ``COVERAGE_PROCESS_CONFIG``: its ``patch = subprocess``)."""
    module = sys.modules.get("coverage")
    current = getattr(getattr(module, "Coverage", None), "current", None)
    outer = current() if callable(current) else None
    if outer is None or os.environ.get("COVERAGE_PROCESS_START") or os.environ.get("COVERAGE_PROCESS_CONFIG"):
        return None
    import tempfile

    # No test runs in this process: what would be measured here is fastest itself (its
    # console script; installed, coverage.py leaves it out as third-party code).
    outer.stop()
    config = outer.config
    options = {}
    for option, attr in _OUTER_OPTIONS.items():
        value = getattr(config, attr, None)
        if value is not None:
            options[option] = list(value) if isinstance(value, (list, tuple)) else value
    settings = {
        "outer": True,
        "topdir": os.getcwd(),
        "config": getattr(config, "config_file", None) or False,
        "options": options,
        "data_dir": tempfile.mkdtemp(prefix="fastest-coverage-"),
    }
    return outer, settings


def merge_outer(outer: Any, settings: dict[str, Any]) -> None:
    """Add what the workers measured to the running coverage.py's data (it saves it at
    this interpreter's exit, as it would pytest's), then drop their directory. The
    coordinator imports none of the measured code: coverage.py's warnings about that
    ("never imported", "no data") would be about this process alone."""
    import glob
    import shutil

    from coverage import CoverageData

    try:
        outer._warn_no_data = False
        outer._warn_unimported_source = False
        data = outer.get_data()
        for path in sorted(glob.glob(os.path.join(settings["data_dir"], ".*"))):
            part = CoverageData(basename=path)
            part.read()
            data.update(part)
        # What the one worker's coverage.py warned as it saved (`Measure.finish`).
        for path in sorted(glob.glob(os.path.join(settings["data_dir"], "warnings-*.json"))):
            with open(path, encoding="utf-8") as f:
                for w in json.load(f):
                    _rewarn(w)
    finally:
        shutil.rmtree(settings["data_dir"], ignore_errors=True)


def _rewarn(w: dict[str, Any]) -> None:
    """Warn again, here, what a worker's coverage.py warned (its category, text and
    place), under this interpreter's filters."""
    import importlib
    import warnings

    module, _, name = w["category"].rpartition(".")
    try:
        category = getattr(importlib.import_module(module), name)
    except Exception:  # noqa: BLE001 - a category this interpreter cannot import
        category = UserWarning
    if not (isinstance(category, type) and issubclass(category, Warning)):
        category = UserWarning
    warnings.warn_explicit(w["message"], category, w["filename"], w["lineno"])


def measured_main() -> int:
    """pytest's console script, measured as a worker of a ``coverage run -m fastest``
    session is (fastest handed the session to pytest)."""
    import json

    try:
        from _pytest.config import _console_main as main
    except ImportError:  # pytest < 9
        from pytest import console_main as main
    # pytest's whole session runs here: saving warns as under `coverage run -m pytest`.
    measure = Measure({**json.loads(os.environ[OUTER_ENV]), "whole_session": True})
    try:
        return main()
    finally:
        measure.finish()
