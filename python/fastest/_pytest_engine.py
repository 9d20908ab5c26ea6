"""The pytest engine: a worker's items run through pytest's own machinery.

For sessions the native engine (``fastest._engine``) cannot vouch for (conftest hooks,
installed plugins, items only pytest's collection finds), the worker builds pytest's
real ``Config`` from the user's command line once, with every plugin and conftest
loaded, configures it and starts a ``Session``, as ``pytest.main`` does. Each item the
coordinator sends is then found in pytest's own collection tree (the module is collected
when its first item arrives, and the collectors above it are kept, so package and
session fixtures are not set up twice) and run by ``pytest_runtest_protocol``: every
hook and plugin wrapper sees it as under pytest. pytest's reports become fastest's
report JSON, the same the native engine sends.

The interface is the native engine's (``phases_json``, ``shouldfail``, ``finish``,
``interruption``), so the worker loop (``crates/fastest-runner/src/worker.rs``) drives
either. What the coordinator does itself is switched off here: the terminal reporter
writes to nowhere, and ``--lf``/``--ff``/``--sw``, ``--junitxml``, pytest-xdist's
options and ``--cache-clear`` are the coordinator's, so their plugins stay inert.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from _pytest._io import TerminalWriter
from _pytest.config import ExitCode, _prepareconfig
from _pytest.main import Session
from _pytest.nodes import File
from _pytest.warnings import warning_record_to_str

from fastest._engine import crash_line, describe_interruption, render_longrepr, share_basetemp

#: Option destinations whose behaviour belongs to the coordinator, and the value that
#: switches them off in a worker (pytest-xdist's worker does the same for its own).
COORDINATOR_OPTIONS: dict[str, Any] = {
    # pytest-xdist: the coordinator is the scheduler.
    "numprocesses": None,
    "dist": "no",
    "tx": [],
    "maxprocesses": None,
    "looponfail": False,
    # cacheprovider and stepwise: selection and the cache files are the coordinator's.
    "lf": False,
    "failedfirst": False,
    "newfirst": False,
    "cacheclear": False,
    "stepwise": False,
    "stepwise_skip": False,
    "stepwise_reset": False,
    # junitxml: the coordinator writes the file.
    "xmlpath": None,
    # The pytest engine never stops for a debugger in a worker.
    "usepdb": False,
    "trace": False,
}

#: Plugins that act on the session as a whole; the coordinator does their work.
COORDINATOR_PLUGINS = ("lfplugin", "nfplugin", "stepwiseplugin")



#: The methods with which pytest's terminal reporter writes its own end-of-session
#: sections (each looks only at the reports its own `stats` holds).
_OWN_SUMMARY_SECTIONS = (
    "summary_errors",
    "summary_failures",
    "summary_xfailures",
    "summary_warnings",
    "summary_passes",
    "summary_xpasses",
    "short_test_summary",
    "summary_stats",
)


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for a section nobody reads."""

class _Bridge:
    """A plugin in the worker's pytest: what the running item reports."""

    def __init__(self) -> None:
        self.reports: list[Any] = []
        self.warnings: list[dict[str, Any]] = []
        #: What collecting a module warned (its node id's file part), while the engine
        #: collects one whose warnings are this worker's to report; else ``None``.
        self.collecting: str | None = None
        self.collect_warnings: list[dict[str, Any]] = []
        #: Whether what pytest's start-up warns (a conftest's import) is this worker's
        #: to report: no import fallback met it first, and it is the first worker.
        self.config_warnings = False
        #: Called with each setup and call report as pytest logs it (capture off: the
        #: coordinator prints the outcome before the test's teardown output).
        self.stream: Any = None
        self.streamed = 0
        #: Called with each report as pytest logs it, while the test may still run.
        self.echo: Any = None

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.reports.append(report)
        if self.echo is not None:
            self.echo(report)
        if self.stream is not None and (report.when != "teardown" or self.again(report)):
            self.stream(report)
            self.streamed = len(self.reports)

    def again(self, report: Any) -> bool:
        """Whether ``report`` is the teardown of an attempt pytest-rerunfailures runs
        again: it logs each attempt's reports once the attempt is over, and an attempt
        with a ``rerun`` outcome is followed by another."""
        attempt = getattr(report, "rerun", None)
        if attempt is None or report.when != "teardown":
            return False
        return any(
            r.outcome == "rerun" and getattr(r, "rerun", None) == attempt
            for r in self.reports
            if r.nodeid == report.nodeid
        )

    def pytest_warning_recorded(self, warning_message: Any, when: str, nodeid: str, location: Any) -> None:
        # Configuration warnings, and those of collecting the files the import fallback
        # collected, are the coordinator's (it met them first).
        report = {
            "nodeid": nodeid,
            "message": warning_record_to_str(warning_message),
            "fslocation": [warning_message.filename, warning_message.lineno],
        }
        if when == "config" and self.config_warnings:
            self.collect_warnings.append(report)
        elif when == "collect" and self.collecting is not None:
            report["file"] = self.collecting
            self.collect_warnings.append(report)
        elif when == "runtest":
            self.warnings.append(report)


def _rerun_status_server(config: Any) -> None:
    """pytest-rerunfailures on a worker (``workerinput`` set): with pytest-xdist
    installed it asks the controller's status server (its port and token, put in
    ``workerinput`` by the plugin's ``pytest_configure_node``) how often each test
    already failed, which pytest-xdist's controller counts for a crashed worker's
    test. Here a worker's crash is the coordinator's to report: a server of this
    worker's own stands in. Without pytest-xdist the plugin takes the worker for an
    old pytest-xdist's and keeps an attempt's reports to itself; fastest's workers
    report every one, as a current pytest-xdist's do."""
    pm = config.pluginmanager
    if not pm.hasplugin("rerunfailures"):
        return
    try:
        import pytest_rerunfailures as plugin
    except ImportError:
        return
    if not pm.hasplugin("xdist"):
        if getattr(plugin, "works_with_current_xdist", None) is not None:
            plugin.works_with_current_xdist = lambda: True
        return
    db = plugin.ServerStatusDB()
    # Its thread starts listening in its own time; the plugin connects at once.
    db.sock.listen()
    config.workerinput["sock_port"] = db.sock_port
    token = getattr(db, "token", None)
    if token is not None:
        config.workerinput["statusdb_token"] = token


class _SummaryReporter:
    """What a plugin's ``pytest_terminal_summary`` writes with on pytest's terminal
    reporter (its writing methods, as ``TerminalReporter`` has them), on a writer."""

    def __init__(self, tw: TerminalWriter, config: Any) -> None:
        self._tw = tw
        self.config = config

    def ensure_newline(self) -> None:
        # At the summary the reporter's line is always finished.
        pass

    def write(self, content: str, *, flush: bool = False, **markup: bool) -> None:
        self._tw.write(content, flush=flush, **markup)

    def write_line(self, line: str | bytes, **markup: bool) -> None:
        if not isinstance(line, str):
            line = str(line, errors="replace")
        self._tw.line(line, **markup)

    def line(self, msg: str, **kw: bool) -> None:
        self._tw.line(msg, **kw)

    def rewrite(self, line: str, **markup: bool) -> None:
        erase = markup.pop("erase", False)
        fill = " " * (self._tw.fullwidth - len(line) - 1) if erase else ""
        self._tw.write("\r" + str(line) + fill, **markup)

    def section(self, title: str, sep: str = "=", **kw: bool) -> None:
        self._tw.sep(sep, title, **kw)

    def write_sep(self, sep: str, title: str | None = None, **markup: bool) -> None:
        self._tw.sep(sep, title, **markup)


class PytestEngine:
    """One worker's pytest session."""

    def __init__(
        self, setup: dict[str, Any], channel: Any = None, startup_warnings: bool = True
    ) -> None:
        self.setup = setup
        #: The successor to give pytest's protocol instead of the next spec's item
        #: (``fastest._mixed``: the next item is the native engine's).
        self.next_override: Any = None
        self.width = int(setup["width"])
        self.color = bool(setup.get("color"))
        self.code_highlight = bool(setup.get("code_highlight", True))
        self.rootdir = Path(setup["rootdir"])
        self.bridge = _Bridge()
        self.bridge.config_warnings = (
            startup_warnings
            and setup.get("fallback_files") == []
            and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"
        )
        if channel is not None and channel.sync:
            # The teardown report waits for the item's warnings (they go with it).
            self.bridge.stream = lambda rep: channel.report(json.dumps(self._report(rep)))
        self.bridge.echo = self._echo_subtest
        # Rewritten modules (the initial conftests' too, which `_prepareconfig` imports)
        # kept in fastest's cache under `PYTHONDONTWRITEBYTECODE`, as the native engine
        # and the import fallback keep them: shared with both.
        from fastest import _pyc

        rootdir = self.rootdir
        _pyc.install(lambda: rootdir)
        config = _prepareconfig(list(setup["pytest_args"]), plugins=[self.bridge])
        for dest, off in COORDINATOR_OPTIONS.items():
            if hasattr(config.option, dest):
                setattr(config.option, dest, off)
        # `--sw` stops the session at its failure as `--maxfail` does: the coordinator
        # (whose stepwise plugin this is) passes the limit on.
        maxfail = setup.get("options", {}).get("maxfail")
        if isinstance(maxfail, int) and maxfail > 0:
            config.option.maxfail = maxfail
        if setup.get("distributed"):
            # pytest-xdist's worker (the coordinator set its environment): plugins that
            # know one, and the `worker_id` fixture, see one.
            env = os.environ
            config.workerinput = {
                "workerid": env.get("PYTEST_XDIST_WORKER", "gw0"),
                "workercount": int(env.get("PYTEST_XDIST_WORKER_COUNT", "1")),
                "testrunuid": env.get("PYTEST_XDIST_TESTRUNUID", ""),
                "mainargv": list(setup["pytest_args"]),
            }
            # What plugins' `pytest_configure_node` would have put there on
            # pytest-xdist's controller: pytest-randomly's seed (the coordinator's, on
            # every worker's command line).
            seed = getattr(config.option, "randomly_seed", None)
            if isinstance(seed, int):
                config.workerinput["randomly_seed"] = seed
            _rerun_status_server(config)
            config.workeroutput = {}
        self.config = config
        self._distributed = bool(setup.get("distributed"))
        self.junit = None
        if setup.get("junit"):
            # `record_xml_attribute` and `record_testsuite_property` record into the
            # coordinator's file through the reports, as in the native engine.
            from _pytest.junitxml import xml_key

            from fastest._engine import _JunitRecorder

            self.junit = _JunitRecorder(setup["junit"]["family"])
            config.stash[xml_key] = self.junit
        session = Session.from_config(config)
        session.exitstatus = ExitCode.OK
        self.session = session
        config._do_configure()
        factory = getattr(config, "_tmp_path_factory", None)
        if factory is not None:
            share_basetemp(factory, setup)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            # The coordinator draws the session; pytest's reporter writes to nowhere.
            # Its writer keeps the session's markup: assertion explanations highlight
            # their diffs through it.
            reporter._tw = self._writer(open(os.devnull, "w"))  # noqa: SIM115
            # Nor does it build pytest's own sections, which nobody reads: with `-rA`
            # its PASSES section looks up each report's teardown among all of them,
            # quadratic in the worker's tests (minutes on 18,000). Other plugins'
            # `pytest_terminal_summary` still run.
            for name in _OWN_SUMMARY_SECTIONS:
                if hasattr(reporter, name):
                    setattr(reporter, name, _nothing)
        for name in COORDINATOR_PLUGINS:
            plugin = config.pluginmanager.get_plugin(name)
            if plugin is not None:
                config.pluginmanager.unregister(plugin)
        initial = []
        invocation = config.invocation_params.dir
        for arg in config.args:
            p = Path(os.path.abspath(invocation / arg.split("::")[0]))
            initial.append(p)
        session._initialpaths = frozenset(initial)
        session._initialpaths_with_parents = frozenset(
            [*initial, *(parent for p in initial for parent in p.parents)]
        )
        self._path_cache: dict[Path, Any] = {}
        # `_collect`: a directory collector's children by path (its result is pytest's
        # cached one); filtering them anew per file was quadratic in a directory's size.
        self._children: dict[Any, dict[Path, list[Any]]] = {}
        self._items: dict[str, Any] = {}
        # A doctest item's globals when it was first handed out: an item run twice
        # (`--keep-duplicates`) starts again from them, as pytest's second collection
        # of the file would (a doctest run clears its globals).
        self._doctest_globs: dict[int, dict[str, Any]] = {}
        self._collected: dict[str, Any] = {}
        # `preimport`: the first item of every test module, in collection order, and a
        # `KeyboardInterrupt` or `pytest.exit` that arrived while collecting them.
        self._preimport: list[dict[str, Any]] = list(setup.get("preimport") or [])
        # The files whose collection warnings the coordinator has (`None`: all).
        fallback = setup.get("fallback_files")
        self._fallback_files: set[str] | None = None if fallback is None else set(fallback)
        self._interrupted_import: BaseException | None = None
        # While `preimport` collects the session's modules: their items, for one
        # `pytest_collection_modifyitems` call over all of them (as pytest's collection
        # and each pytest-xdist worker's make it: a hook may read the whole list).
        self._modify_batch: list[Any] | None = None
        # The terminal reporter's session start asks `pytest_report_header` for the
        # header it would write: the coordinator draws the header, from what
        # `_header_lines` asks (once, with what the implementations print kept).
        no_header = config.option.no_header
        config.option.no_header = True
        try:
            config.hook.pytest_sessionstart(session=session)
        finally:
            config.option.no_header = no_header
        self._session_logging = self._catch_session_logs(config)
        #: The header lines plugins and conftests add, for the coordinator (JSON).
        self.header_json = json.dumps(self._header_lines())

    @staticmethod
    def _catch_session_logs(config: Any) -> Any:
        """pytest's logging plugin keeps its live-log and log-file handlers on the root
        logger while the session collects and runs (``pytest_runtestloop``, a loop the
        worker does not run): a record that no test-phase handler takes (the plugin
        unregistered, say) goes to them, not to logging's last resort on stderr. They
        stay for the worker's life."""
        import contextlib

        from _pytest.logging import catching_logs

        stack = contextlib.ExitStack()
        plugin = config.pluginmanager.get_plugin("logging-plugin")
        if plugin is not None:
            stack.enter_context(catching_logs(plugin.log_cli_handler, level=plugin.log_cli_level))
            stack.enter_context(catching_logs(plugin.log_file_handler, level=plugin.log_file_level))
        return stack

    def _header_lines(self) -> dict[str, Any]:
        """What ``pytest_report_header`` adds to the header besides pytest's own lines
        (which the coordinator draws): pytest writes the implementations' answers in
        the order of ``get_hookimpls()``; those before the terminal reporter's own go
        above ``rootdir:``, the rest below ``plugins:``. What an implementation prints
        is kept (``printed``): pytest asks them while it writes the header, where the
        coordinator shows it (and nowhere when there is no header)."""
        import contextlib
        import io

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            lines = self._header_answers()
        return {**lines, "printed": printed.getvalue()}

    def _header_answers(self) -> dict[str, list[str]]:
        config = self.config
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        kwargs = {"config": config, "start_path": config.invocation_params.dir}
        lines: dict[str, list[str]] = {"before": [], "after": []}
        target = lines["before"]
        for impl in config.hook.pytest_report_header.get_hookimpls():
            if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False):
                continue
            plugin = impl.plugin
            if plugin is reporter:
                target = lines["after"]
                continue
            module = getattr(plugin, "__name__", None) or type(plugin).__module__
            if module.startswith("_pytest."):
                continue  # pytest's own lines (cachedir): the coordinator's
            try:
                res = impl.function(*[kwargs[name] for name in impl.argnames])
            except KeyError:
                continue
            if res is None:
                continue
            target.extend([res] if isinstance(res, str) else list(res))
        return lines

    @classmethod
    def from_json(cls, setup: str) -> PytestEngine:
        return cls(json.loads(setup))

    @property
    def shouldfail(self) -> bool:
        return bool(self.session.shouldfail or self.session.shouldstop)

    # -- collection: pytest's tree, kept across the worker's groups --------------------
    def _collect(self, path: Path) -> Any:
        """Collect the file at ``path`` (every collector pytest makes for it: a module,
        its doctests) and index its items by node id. Returns the failed or skipped
        collect report that kept items away, if any."""
        session = self.session
        pm = self.config.pluginmanager
        parts = [path]
        for parent in path.parents:
            if not pm._is_in_confcutdir(parent):
                break
            parts.insert(0, parent)
        nodes = list(session._collect_path(parts[0], self._path_cache))
        problem = None
        for part in parts[1:]:
            found = []
            for node in nodes:
                if not isinstance(node, pytest.Collector):
                    continue
                by_path = self._children.get(node)
                if by_path is None:
                    rep, duplicate = session._collect_one_node(node, True)
                    if not rep.passed:
                        if not duplicate:
                            node.ihook.pytest_collectreport(report=rep)
                        problem = rep
                        continue
                    by_path = {}
                    for child in rep.result:
                        by_path.setdefault(child.path, []).append(child)
                    self._children[node] = by_path
                found.extend(by_path.get(part, ()))
            nodes = found
        items: list[Any] = []
        for node in nodes:
            problem = self._genitems(node, items) or problem
        for item in items:
            self._items.setdefault(item.nodeid, item)
        if self._modify_batch is not None:
            self._modify_batch.extend(items)
        elif items:
            self._modify(items)
        return problem

    def _modify(self, items: list[Any]) -> None:
        """Marks and deselection from conftests and plugins, as after pytest's
        collection (the coordinator already chose which items run). The items the hook
        put in place of others (SQLAlchemy's plugin makes a subclass per database
        backend) are found too."""
        modified = list(items)
        self.config.hook.pytest_collection_modifyitems(
            session=self.session, config=self.config, items=modified
        )
        for item in modified:
            self._items.setdefault(item.nodeid, item)

    def _genitems(self, node: Any, out: list[Any]) -> Any:
        """``Session.genitems``, also returning the first collect report that failed or
        skipped."""
        if isinstance(node, pytest.Item):
            node.ihook.pytest_itemcollected(item=node)
            out.append(node)
            return None
        rep, duplicate = self.session._collect_one_node(node, not isinstance(node, File))
        problem = None
        if rep.passed:
            for sub in rep.result:
                problem = self._genitems(sub, out) or problem
        else:
            problem = rep
        if not duplicate:
            node.ihook.pytest_collectreport(report=rep)
        return problem

    def _item(self, spec: dict[str, Any]) -> tuple[Any, Any]:
        """The item for a spec, or ``(None, report)`` with what kept it from existing."""
        nodeid = spec["nodeid"]
        item = self._items.get(nodeid)
        if item is not None:
            self._fresh_doctest(item)
            return item, None
        path = spec["path"]
        if path not in self._collected:
            file = nodeid.split("::")[0]
            known = self._fallback_files
            if known is not None and file not in known:
                # pytest's `pytest_collection` wrapper: what collecting (importing) the
                # module warns is recorded as a collection warning.
                from _pytest.warnings import catch_warnings_for_item

                self.bridge.collecting = file
                try:
                    with catch_warnings_for_item(
                        self.config, ihook=self.config.hook, when="collect", item=None
                    ):
                        self._collected[path] = self._collect(Path(path))
                finally:
                    self.bridge.collecting = None
            else:
                # The import fallback's pytest collected this file: the coordinator has
                # what it warned, and reports it. Collecting it again warns the same,
                # into nothing (not onto stderr, where pytest writes none).
                import warnings

                with warnings.catch_warnings(record=True):
                    self._collected[path] = self._collect(Path(path))
        item = self._items.get(nodeid)
        if item is not None:
            self._fresh_doctest(item)
        return item, self._collected[path]

    def _fresh_doctest(self, item: Any) -> None:
        dtest = getattr(item, "dtest", None)
        if dtest is None:
            return
        snapshot = self._doctest_globs.get(id(item))
        if snapshot is None:
            self._doctest_globs[id(item)] = dict(dtest.globs)
        else:
            dtest.globs.clear()
            dtest.globs.update(snapshot)

    def preimport(self) -> list[str]:
        """Collect the session's test modules in collection order before the first test
        runs, as pytest's collection does (importing them): a module's import-time code
        never sees what earlier modules' tests did. Returns the node ids of the specs
        whose module's collection failed or skipped (see ``Engine.preimport``); such a
        module is collected again at its first test, which reports it."""
        from _pytest.outcomes import Exit

        specs, self._preimport = self._preimport, []
        failed: list[str] = []
        missing: list[str] = []
        self._modify_batch = batch = []
        collected_before = set(self._collected)
        try:
            for spec in specs:
                try:
                    item, problem = self._item(spec)
                except (KeyboardInterrupt, Exit) as e:
                    # Raised at the first test, where the session's interruption is
                    # handled.
                    self._interrupted_import = e
                    break
                except BaseException:
                    failed.append(spec["nodeid"])
                    continue
                # A module with no item (`import_only`) is collected all the same: what
                # fails is its collection. An item the hook puts in place of another
                # (below) is known only after it ran.
                if (problem is not None) if spec.get("import_only") else item is None:
                    missing.append(spec["nodeid"])
        finally:
            self._modify_batch = None
        if batch and self._interrupted_import is None:
            try:
                self._modify(batch)
            except (KeyboardInterrupt, Exit) as e:
                self._interrupted_import = e
            except BaseException:
                # Each module is collected again at its first test, whose own call of
                # the hook fails there and is reported.
                for path in set(self._collected) - collected_before:
                    del self._collected[path]
                for item in batch:
                    self._items.pop(item.nodeid, None)
                failed.extend(spec["nodeid"] for spec in specs if spec["nodeid"] not in failed)
        elif batch:
            for path in set(self._collected) - collected_before:
                del self._collected[path]
            for item in batch:
                self._items.pop(item.nodeid, None)
        by_id = {spec["nodeid"]: spec for spec in specs}
        failed.extend(
            nodeid for nodeid in missing
            if nodeid not in failed
            and (by_id[nodeid].get("import_only") or nodeid not in self._items)
        )
        return failed

    # -- running -------------------------------------------------------------------
    def phases_json(self, spec: str, next_spec: str | None, known: bool = True):
        """Run one item through ``pytest_runtest_protocol`` and yield its reports as
        JSON. pytest's protocol takes the successor up front, so when it is not known
        the generator first yields ``None`` and gets it (JSON or ``None``) back."""
        if self._interrupted_import is not None:
            e, self._interrupted_import = self._interrupted_import, None
            raise e
        spec_d = json.loads(spec)
        item, problem = self._item(spec_d)
        if not known and not self.shouldfail:
            next_spec = yield None
        nextitem = None
        if next_spec is not None and not self.shouldfail:
            if self.next_override is not None:
                nextitem = self.next_override
            else:
                nextitem, _ = self._item(json.loads(next_spec))
        if item is None:
            yield json.dumps(self._missing(spec_d, problem))
            return
        bridge = self.bridge
        bridge.reports = []
        bridge.warnings = []
        bridge.streamed = 0
        item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        reports = [self._report(r) for r in bridge.reports[bridge.streamed :]]
        if reports and (bridge.warnings or bridge.collect_warnings):
            reports[-1]["warnings"] = bridge.collect_warnings + bridge.warnings
            bridge.collect_warnings = []
        for rep in reports:
            yield json.dumps(rep)

    def _echo_subtest(self, rep: Any) -> None:
        """A unittest subtest is logged from inside the test, so under fd capture
        pytest's terminal writes its letter into the test's captured output: so does
        this worker (as the native engine's ``send_subtest_report``; with ``-v`` its
        verbose line is not written)."""
        context = getattr(rep, "context", None)
        if context is None or not hasattr(context, "kwargs") or rep.when != "call":
            return
        if self.config.getoption("capture") != "fd" or self.config.get_verbosity() > 0:
            return
        from _pytest.unittest import TestCaseFunction

        if not isinstance(self._items.get(rep.nodeid), TestCaseFunction):
            return
        _category, letter, _word = self.config.hook.pytest_report_teststatus(
            report=rep, config=self.config
        )
        if not letter:
            return
        if rep.passed and getattr(rep, "wasxfail", None) is None:
            markup = {"green": True}
        elif rep.failed:
            markup = {"red": True}
        else:
            markup = {"yellow": True}
        import sys

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a test's replacement stream
                pass
        os.write(1, self._writer(io.StringIO()).markup(letter, **markup).encode("utf-8"))

    def _writer(self, file: Any) -> TerminalWriter:
        """A writer with the coordinator's markup, code highlighting and width."""
        tw = TerminalWriter(file=file)
        tw.hasmarkup = self.color
        tw.code_highlight = self.code_highlight
        tw.fullwidth = self.width
        return tw

    def _report(self, rep: Any) -> dict[str, Any]:
        """pytest's ``TestReport`` as fastest's report JSON (see ``report.rs``)."""
        out: dict[str, Any] = {
            "nodeid": rep.nodeid,
            "when": rep.when,
            "outcome": rep.outcome,
            "longrepr": None,
            "crash": None,
            "skip": None,
            "wasxfail": getattr(rep, "wasxfail", None),
            "duration": rep.duration,
            "location": [rep.location[0], rep.location[1], rep.location[2]],
            "sections": [[title, content] for title, content in rep.sections],
            "fold_no_line": False,
        }
        longrepr = rep.longrepr
        if rep.skipped and isinstance(longrepr, tuple) and out["wasxfail"] is None:
            path, lineno, reason = longrepr
            out["skip"] = [str(path), lineno, reason]
            keywords = rep.keywords
            out["fold_no_line"] = (
                rep.when == "setup" and "skip" in keywords and "pytestmark" not in keywords
            )
        elif longrepr is not None:
            out["longrepr"], text_str = render_longrepr(longrepr, self._writer)
            if text_str is not None:
                out["longrepr_str"] = text_str
            crash = getattr(longrepr, "reprcrash", None)
            if crash is not None:
                out["crash"] = crash.message
            elif isinstance(longrepr, str):
                out["crash"] = longrepr
            if rep.failed and self.config.option.tbstyle == "line":
                out["crashline"] = crash_line(longrepr)
        if rep.user_properties:
            out["user_properties"] = [[str(n), str(v)] for n, v in rep.user_properties]
        attempt = getattr(rep, "rerun", None)
        if isinstance(attempt, int):
            # pytest-rerunfailures' attempt number, and whether the item runs again.
            out["rerun"] = attempt
            if self.bridge.again(rep):
                out["again"] = True
        context = getattr(rep, "context", None)
        if context is not None and hasattr(context, "kwargs") and self._distributed:
            # pytest-xdist's controller rebuilds the context from the report's JSON,
            # and the context's `saferepr` of each value runs again: `(i='1')`.
            context = rep.context = type(context)(msg=context.msg, kwargs=context.kwargs)
        if context is not None and hasattr(context, "kwargs"):
            # pytest's `SubtestReport`: its identity and the status pytest's subtests
            # plugin gives it (`SUBFAILED(i=1)`, or nothing for a quiet pass).
            out["subtest"] = {
                # (`subtests.test(False)`: pytest formats any message into the
                # description, `[False]`.)
                "msg": None if context.msg is None else f"{context.msg}",
                "kwargs": [[str(k), str(v)] for k, v in context.kwargs.items()],
            }
            category, letter, word = self.config.hook.pytest_report_teststatus(
                report=rep, config=self.config
            )
            if isinstance(word, tuple):
                word = word[0]
            out["status"] = {"category": category, "letter": letter, "word": word}
            # A unittest subtest is logged from inside the test: under fd capture
            # pytest's terminal writes it into the test's output (see the native
            # engine's `send_subtest_report`); this worker's terminal writes nowhere.
            from _pytest.unittest import TestCaseFunction

            item = self._items.get(rep.nodeid)
            if (
                isinstance(item, TestCaseFunction)
                and self.config.getoption("capture") == "fd"
                and not self._distributed
            ):
                out["under_capture"] = True
        if self.junit is not None:
            self.junit.take(rep.nodeid, out)
        return out

    def _missing(self, spec: dict[str, Any], problem: Any) -> dict[str, Any]:
        """A setup report for an item pytest's collection in this worker did not make:
        its module failed to import or was skipped here, or it does not exist."""
        rep: dict[str, Any] = {
            "nodeid": spec["nodeid"],
            "when": "setup",
            "outcome": "failed",
            "longrepr": None,
            "crash": None,
            "skip": None,
            "wasxfail": None,
            "duration": 0.0,
            "location": [os.path.relpath(spec["path"], self.rootdir), None, spec["name"]],
            "sections": [],
            "fold_no_line": False,
        }
        if problem is not None and problem.skipped and isinstance(problem.longrepr, tuple):
            path, lineno, reason = problem.longrepr
            rep["outcome"] = "skipped"
            rep["skip"] = [str(path), lineno, reason]
        elif problem is not None and problem.longrepr is not None:
            rep["longrepr"], text_str = render_longrepr(problem.longrepr, self._writer)
            if text_str is not None:
                rep["longrepr_str"] = text_str
            crash = getattr(problem.longrepr, "reprcrash", None)
            rep["crash"] = crash.message if crash is not None else None
        else:
            text = f"fastest: pytest's collection in this worker did not find {spec['nodeid']}"
            rep["longrepr"] = text
            rep["crash"] = text
        return rep

    # -- the end -------------------------------------------------------------------
    def unreported_warnings(self) -> str:
        """Called before ``finish``: the collection warnings no item's report took
        (the imports of modules whose tests were all deselected raised them), as JSON."""
        pending, self.bridge.collect_warnings = self.bridge.collect_warnings, []
        return json.dumps(pending)

    def finish(self) -> None:
        session = self.session
        if session.testsfailed:
            session.exitstatus = ExitCode.TESTS_FAILED
        self.config.hook.pytest_sessionfinish(session=session, exitstatus=session.exitstatus)
        self._summary = self._plugin_summary()
        self._unconfigure()

    def terminal_summary(self) -> str | None:
        """What the plugins whose ``pytest_terminal_summary`` fastest leaves to this
        worker wrote (see ``_plugin_summary``), once the session has finished."""
        return getattr(self, "_summary", None)

    def _plugin_summary(self) -> str | None:
        """pytest-benchmark's table of the timings this worker measured: its
        ``pytest_terminal_summary`` displays them on the terminal reporter; here on a
        writer with the coordinator's width and markup, whose text the coordinator
        writes where pytest's reporter calls that hook (one worker ran every
        benchmark: the coordinator sees to it)."""
        bs = getattr(self.config, "_benchmarksession", None)
        if bs is None or not getattr(bs, "groups", None):
            return None
        buf = io.StringIO()
        bs.display(_SummaryReporter(self._writer(buf), self.config))
        return buf.getvalue()

    def _unconfigure(self) -> None:
        """pytest's ``_ensure_unconfigure``, without the junitxml plugin's part for the
        recorder the engine put where its ``LogXML`` would be (it is no plugin to
        unregister: the coordinator writes the file)."""
        if self.junit is not None:
            from _pytest.junitxml import xml_key

            if self.config.stash.get(xml_key, None) is self.junit:
                del self.config.stash[xml_key]
        self.config._ensure_unconfigure()

    def interruption(self, exc: BaseException) -> str | None:
        """``wrap_session``'s handling of a ``KeyboardInterrupt`` or ``pytest.exit``:
        the plugins hear of it, everything set up is torn down (``pytest_sessionfinish``),
        and the coordinator gets the description as JSON. ``None`` for other exceptions."""
        described = describe_interruption(
            exc, bool(self.config.option.fulltrace), self._writer(io.StringIO())
        )
        if described is None:
            return None
        from _pytest._code import ExceptionInfo

        self.config.hook.pytest_keyboard_interrupt(excinfo=ExceptionInfo.from_exception(exc))
        self.session.exitstatus = (
            exc.returncode if isinstance(exc, pytest.exit.Exception) and exc.returncode is not None
            else ExitCode.INTERRUPTED
        )
        try:
            self.config.hook.pytest_sessionfinish(
                session=self.session, exitstatus=self.session.exitstatus
            )
            self._unconfigure()
        except BaseException:
            # pytest would end in an INTERNALERROR here; the interruption is the news.
            pass
        return described
