"""The native engine: runs items with pytest's semantics inside a worker process.

The Rust side of the worker (``fastest._fastest.worker_main``) owns the protocol: it
reads batches from the coordinator and calls :meth:`Engine.run` for each item with the
item that follows it, and sends back the reports this module returns. This module owns
what happens to one item: importing its module (and conftests) the first time a test
of it runs, resolving fixtures (every scope, the conftest hierarchy, autouse,
overriding, parametrized and indirect fixtures, yield teardown in LIFO order, teardown
of scopes the next item does not share), marks (skip, skipif, xfail), per-phase output
capture, warnings, and the failure text.

Where pytest has a public or self-contained object for a job, it is used as is so the
behaviour is pytest's: ``MonkeyPatch``, ``TempPathFactory``, ``WarningsRecorder``,
``CaptureFixture``, the assertion rewriter, and ``ExceptionInfo`` for tracebacks.
What pytest ties to its plugin manager (the runtest protocol, the fixture manager,
``SetupState``) is re-built here in the same shape, with the same names.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import json
import logging
import os
import re
import sys
import threading
import types
import warnings
from time import perf_counter as _perf_counter
from time import time as _time
from pathlib import Path
from typing import Any, Iterable

import pytest

from fastest import _pyc
from _pytest.warning_types import PytestRemovedIn10Warning
import _pytest.fixtures as _pytest_fixtures
import _pytest.unittest as _pytest_unittest
from _pytest import outcomes
from _pytest._code import ExceptionInfo, getfslineno
from _pytest._code.code import Traceback, filter_traceback
from _pytest._io import TerminalWriter
from _pytest.assertion import rewrite as _rewrite
from _pytest.assertion import truncate as _truncate
from _pytest.assertion import util as _assert_util
from _pytest.capture import FDCapture, MultiCapture, SysCapture, CaptureFixture
from _pytest.capture import FDCaptureBinary, SysCaptureBinary
from _pytest.compat import get_real_func, getfuncargnames
from _pytest.fixtures import FixtureFunctionDefinition
from _pytest.mark.structures import Mark, ParameterSet, get_unpacked_marks, normalize_mark_list
from _pytest.pathlib import import_path, resolve_package_path
from _pytest.python import pytest_pyfunc_call
from _pytest.skipping import evaluate_skip_marks, evaluate_xfail_marks
from _pytest.config import _get_plugin_specs_as_list, apply_warning_filters, parse_warning_filter
from _pytest.warnings import warning_record_to_str

from _pytest.logging import caplog_handler_key as _caplog_handler_key
from _pytest.logging import caplog_records_key as _caplog_records_key


def _caller_in(module: types.ModuleType, name: str) -> Any:
    """``name(func, *args, **kwargs)``: calls ``func`` from a frame whose globals are
    ``module``'s, as the frame of pytest's own caller would be. Code that looks up the
    stack for pytest (freezegun's ``freeze_time(ignore=["_pytest"])``) sees it above a
    fixture or a unittest test as it does under pytest. The file name marks the frame
    as generated, so pytest's traceback filter drops it as it drops its own frames."""
    code = compile(
        f"def {name}(func, /, *args, **kwargs):\n    return func(*args, **kwargs)\n",
        f"<fastest: {module.__name__}.{name}>",
        "exec",
    )
    body = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return types.FunctionType(body, vars(module), name)


# pytest calls fixture functions (and resumes their generators) from
# `_pytest.fixtures`, and a unittest test from `_pytest.unittest`.
_call_fixture = _caller_in(_pytest_fixtures, "call_fixture_func")
_call_testcase = _caller_in(_pytest_unittest, "runtest")

# Class collectors: pytest's `Class` and its `UnitTestCase` subclass.
CLASS_KINDS = ("Class", "UnitTestCase")
# The doctest plugin's collectors (pytest's `Module` subclasses): a file collected as a
# test module and for its doctests has two collectors with one node id.
DOCTEST_COLLECTORS = ("DoctestModule", "DoctestTextfile")
MODULE_KINDS = ("Module", *DOCTEST_COLLECTORS)

SCOPES = ("session", "package", "module", "class", "function")
SCOPE_RANK = {s: i for i, s in enumerate(SCOPES)}

# What `pytest.skip`, `pytest.fail`, `pytest.xfail` and `pytest.exit` raise: outcomes,
# not errors of the harness (they derive from BaseException).
TEST_OUTCOME = (outcomes.OutcomeException, Exception)


class _Stash(dict):
    """pytest's ``Stash`` is a typed dict; a plain dict keyed the same way serves."""


class _Trace:
    """pytest's tracer, silenced (``--debug`` is pytest's own)."""

    def __call__(self, *args: object) -> None:
        return None

    def get(self, *names: str) -> _Trace:
        return self

    root = property(lambda self: self)


# The ini values the engine (and the pytest functions it calls) read: type and default,
# as pytest 9.2 registers them.
INI_TYPES: dict[str, tuple[str, Any]] = {
    "python_files": ("args", ["test_*.py", "*_test.py"]),
    "filterwarnings": ("linelist", []),
    "strict_xfail": ("bool", None),
    "xfail_strict": ("bool", None),
    "strict": ("bool", False),
    "strict_markers": ("bool", None),
    "enable_assertion_pass_hook": ("bool", False),
    "tmp_path_retention_count": (("int", "string"), 3),
    "tmp_path_retention_policy": ("string", "all"),
    "consider_namespace_packages": ("bool", False),
    "log_format": ("string", "%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"),
    "log_date_format": ("string", "%H:%M:%S"),
    "log_level": ("string", None),
    "log_cli_level": ("string", None),
    "log_file_level": ("string", None),
    "truncation_limit_lines": ("string", None),
    "truncation_limit_chars": ("string", None),
    "assertion_text_diff_style": ("string", "ndiff"),
    "verbosity_assertions": ("string", "auto"),
    "verbosity_test_cases": ("string", "auto"),
    "verbosity_subtests": ("string", "auto"),
    "console_output_style": ("string", "progress"),
    "usefixtures": ("args", []),
    "doctest_optionflags": ("args", ["ELLIPSIS"]),
    "doctest_encoding": ("string", "utf-8"),
    "empty_parameter_set_mark": ("string", "skip"),
    "testpaths": ("args", []),
    "norecursedirs": ("args", ["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules",
                               "venv", "{arch}"]),
    "python_classes": ("args", ["Test"]),
    "python_functions": ("args", ["test"]),
    "minversion": ("string", ""),
    "required_plugins": ("args", []),
    "pythonpath": ("paths", []),
    "addopts": ("args", []),
    "junit_family": ("string", "xunit2"),
    "junit_suite_name": ("string", "pytest"),
    # pytest-mock's (registered without a type: strings, or the typed defaults).
    "mock_traceback_monkeypatch": ("string", True),
    "mock_use_standalone_module": ("string", False),
    # pytest-asyncio's (its defaults as it registers them: `asyncio_debug`'s is the
    # string it reads as false).
    "asyncio_mode": ("string", "strict"),
    "asyncio_debug": ("bool", "false"),
    "asyncio_default_fixture_loop_scope": ("string", None),
    "asyncio_default_test_loop_scope": ("string", "function"),
    # pytest-timeout's (untyped keys default to the empty string).
    "timeout": ("string", ""),
    "timeout_method": ("string", ""),
    "timeout_func_only": ("bool", False),
    "timeout_disable_debugger_detection": ("bool", False),
    "session_timeout": ("string", ""),
    # pytest-env's.
    "env": ("linelist", []),
    "env_files": ("linelist", []),
    "env_files_skip_if_set": ("bool", False),
}

# `config.getoption` by option string: the destinations plugins ask for that way.
_OPTION_DESTS = {"--tb": "tbstyle"}


def _convert_ini(kind: Any, value: Any, inipath: Path | None = None) -> Any:
    """pytest's ``getini`` conversions of a raw ini string (TOML values are typed):
    a union of types (a tuple) takes the first member that accepts the value, a
    ``Literal`` of choices the string itself."""
    if isinstance(kind, tuple):
        for member in kind:
            try:
                return _convert_ini(member, value, inipath)
            except (TypeError, ValueError):
                continue
        return value
    if not isinstance(kind, str):
        return value
    if kind in ("paths", "pathlist"):
        base = inipath.parent if inipath is not None else Path.cwd()
        if isinstance(value, str):
            import shlex

            value = shlex.split(value)
        paths = [base / str(v) for v in value]
        if kind == "pathlist":
            from _pytest._py.path import LocalPath

            return [LocalPath(p) for p in paths]
        return paths
    if kind in ("int", "float") and isinstance(value, str):
        return int(value) if kind == "int" else float(value)
    if not isinstance(value, str):
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind in ("args", "linelist") and isinstance(value, list):
            return [str(v) for v in value]
        return value
    if kind == "bool":
        from _pytest.config import _strtobool

        return bool(_strtobool(value.strip()))
    if kind == "linelist":
        return [t for t in map(lambda x: x.strip(), value.split("\n")) if t]
    if kind == "args":
        import shlex

        return shlex.split(value)
    return value


def decode_value(value: Any) -> Any:
    """A value the import fallback encoded (``fastest._collect._encode_value``): JSON,
    with lists, tuples and dicts tagged."""
    if isinstance(value, dict):
        ((kind, inner),) = value.items()
        if kind == "list":
            return [decode_value(v) for v in inner]
        if kind == "tuple":
            return tuple(decode_value(v) for v in inner)
        return {k: decode_value(v) for k, v in inner.items()}
    return value


#: The engine's config, whose ``_pytest_option`` finds the options no one set
#: (``_Namespace.__getattr__``): one per worker.
_OPTIONS_OWNER: list[Any] = [None]


class _Namespace(types.SimpleNamespace):
    """``config.option``: what the coordinator set, and for any other name the value
    pytest's parser gives it from the session's command line (``None`` for an option
    no default plugin registers)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        owner = _OPTIONS_OWNER[0]
        if owner is None:
            return None
        found, value = owner._pytest_option(name)
        if found:
            setattr(self, name, value)
        return value


#: Of the conftest hooks the native engine calls itself (the setup's ``runtest_hooks``,
#: the coordinator's ``NATIVE_ITEM_HOOKS``), those pytest calls inside its capture wrapper: a conftest's
#: wrapper of one is outside the phase's capture.
_CAPTURED_HOOKS = frozenset(("pytest_runtest_setup", "pytest_runtest_call", "pytest_runtest_teardown"))

#: pluggy's ``HookimplOpts`` for an implementation of each kind.
_PLAIN: dict[str, Any] = {
    "wrapper": False, "hookwrapper": False, "optionalhook": False,
    "tryfirst": False, "trylast": False, "specname": None,
}
_TRYFIRST = dict(_PLAIN, tryfirst=True)
_TRYLAST = dict(_PLAIN, trylast=True)
_WRAPPER = dict(_PLAIN, wrapper=True)


class EngineConfig:
    """The part of pytest's ``Config`` the native engine's users reach: ini values and
    options, as the coordinator read them."""

    def __repr__(self) -> str:
        # What a failing test's `pytestconfig` argument shows in its traceback.
        return f"<_pytest.config.Config object at {id(self):#x}>"

    def __init__(self, setup: dict[str, Any]) -> None:
        self.rootpath = Path(setup["rootdir"])
        self.inipath = Path(setup["inipath"]) if setup.get("inipath") else None
        self.invocation_params = types.SimpleNamespace(
            dir=Path(setup["invocation_dir"]), args=tuple(setup.get("args") or ())
        )
        self._ini: dict[str, Any] = setup["ini"]
        self.option = _Namespace(**setup["options"])
        # Options installed plugins and conftests register (`pytest_addoption`), as the
        # import fallback's pytest parsed the command line.
        added = setup.get("added_options") or {}
        self._opt2dest = {**_OPTION_DESTS, **added.get("dests", {})}
        for dest, value in added.get("values", {}).items():
            # What the coordinator set from the command line (`--timeout`) stands: the
            # fallback's pytest was not given the options that only act on a run.
            if setup["options"].get(dest) is None:
                setattr(self.option, dest, decode_value(value))
        # Those values are pytest's reading of the whole command line: what the engine
        # registers later (`_adopt_options`) keeps them.
        self._parsed_dests = frozenset(added.get("values", {}))
        # Options the coordinator set (`--timeout`): a plugin registering them later
        # keeps their values.
        self._setup_dests = frozenset(k for k, v in setup["options"].items() if v is not None)
        self.known_args_namespace = self.option
        self._full_options: Any = None
        _OPTIONS_OWNER[0] = self
        # pytest's `config.args` and where they came from (`Config.ArgsSource`).
        self.args: list[str] = list(setup.get("config_args") or ())
        self._args_source = setup.get("args_source") or "ARGS"
        self.stash = _Stash()
        self.trace = _Trace()
        # pytest's assertion plugin highlights comparison diffs through the terminal
        # reporter's writer (see `get_terminal_writer`).
        self._plugins: dict[str, Any] = {"logging-plugin": _LOGGING_PLUGIN}
        self._plugin_setup = setup
        self._plugin_modules: dict[str, str] | None = None
        #: Whether a word-gated plugin's `pytest_configure` is running (`_register`).
        self._loading_gated = False
        self.pluginmanager = types.SimpleNamespace(
            has_plugin=self._has_plugin,
            hasplugin=self._has_plugin,
            getplugin=self._get_plugin,
            get_plugin=self._get_plugin,
            hook=types.SimpleNamespace(),
            add_hookspecs=self._add_hookspecs,
            register=self._register,
            unregister=self._unregister,
        )
        self._color = bool(setup.get("color"))
        self._code_highlight = bool(setup.get("code_highlight", True))
        self._width = int(setup.get("width") or 80)
        self._pytest_cache_dir = setup.get("pytest_cache_dir")
        self._cache: Any = None
        self._cleanup: list[Any] = []
        self._registered_markers: list[str] = list(setup.get("registered_markers") or ())
        # Ini keys initial conftests register (`parser.addini`): name -> (type, default).
        self._added_ini: dict[str, tuple[str, Any]] = {}
        # Those installed plugins and conftests registered, as the import fallback's
        # pytest read them, with pytest's default for each: `getini` of one the ini file
        # does not set.
        for name, (kind, default) in added.get("ini", {}).items():
            self._added_ini[name] = (kind, decode_value(default))
        self._terminal_writer: TerminalWriter | None = None

    def _has_plugin(self, name: str) -> bool:
        """``pluginmanager.has_plugin``: ``bool(get_plugin(name))``; the terminal
        reporter is always there."""
        return name == "terminalreporter" or bool(self._get_plugin(name))

    def _get_plugin(self, name: str) -> Any:
        """``pluginmanager.get_plugin`` for the plugins pytest registers as modules under
        a name: its default plugins, installed plugins by entry-point name, ``-p`` and
        ``pytest_plugins`` modules (discovery leaves lookups of the objects pytest
        registers, such as ``terminalreporter``, to the pytest engine). A plugin the
        native engine stands in for is still imported and returned: pytest would have
        loaded it."""
        if name in self._plugins:
            return self._plugins[name]
        module = self._plugin_module_names().get(name)
        if module is None:
            return None
        try:
            return importlib.import_module(module)
        except Exception:  # noqa: BLE001 - pytest's own start would have failed on it
            return None

    def _plugin_module_names(self) -> dict[str, str]:
        """Plugin name -> module, as pytest's start registers them, worked out on the
        first lookup."""
        if self._plugin_modules is not None:
            return self._plugin_modules
        from _pytest.config import default_plugins

        setup = self._plugin_setup
        blocked = set(setup.get("blocked_plugins") or ())
        names: dict[str, str] = {n: "_pytest." + n for n in default_plugins}
        named = list(setup.get("cli_plugins") or ())
        named += [n for ns in (setup.get("project_plugins") or {}).values() for n in ns]
        named += [n.strip() for n in os.environ.get("PYTEST_PLUGINS", "").split(",") if n.strip()]
        if setup.get("plugin_autoload", True):
            from importlib.metadata import entry_points

            for ep in entry_points(group="pytest11"):
                names.setdefault(ep.name, ep.value.split(":")[0].strip())
        for module in named:
            names.setdefault(module, module)
        # `-p no:NAME` blocks NAME and `pytest_NAME`.
        self._plugin_modules = {
            n: m for n, m in names.items()
            if n not in blocked and not (n.startswith("pytest_") and n[len("pytest_"):] in blocked)
        }
        return self._plugin_modules

    def unknown_key_warnings(self, keys: list[str]) -> list[warnings.WarningMessage]:
        """pytest's ``Config._validate_config_options`` over ``keys`` (config keys
        nothing registers), run by pytest's own code so that each warning has its
        message and place (pytest's source line) under the configured filters. A
        strict config never gets here: the coordinator fails such a session."""
        from _pytest.config import Config as PytestConfig

        records: list[warnings.WarningMessage] = []

        def issue(warning: Warning, stacklevel: int) -> None:
            # pytest's `Config.issue_config_time_warning`, one frame for one frame.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", type(warning))
                apply_warning_filters(self.getini("filterwarnings"), self.option.pythonwarnings or [])
                warnings.warn(warning, stacklevel=stacklevel)
            records.extend(caught)

        shim = types.SimpleNamespace(
            _get_unknown_ini_keys=lambda: set(keys),
            getini=lambda name: False,
            issue_config_time_warning=issue,
        )
        shim._warn_or_fail_if_strict = functools.partial(PytestConfig._warn_or_fail_if_strict, shim)
        PytestConfig._validate_config_options(shim)  # type: ignore[arg-type]
        return records

    def missing_assertion_warnings(self, mode: str) -> list[warnings.WarningMessage]:
        """pytest's ``Config._warn_about_missing_assertion`` (``python -O``: asserts do
        not run), by pytest's own code, placed where pytest's ``_consider_importhook``
        calls it (the warning's place in the summary)."""
        import inspect

        from _pytest.config import Config as PytestConfig

        records: list[warnings.WarningMessage] = []

        def issue(warning: Warning, stacklevel: int) -> None:
            caller = PytestConfig._consider_importhook
            try:
                lines, start = inspect.getsourcelines(caller)
            except (OSError, TypeError):
                lines, start = [], caller.__code__.co_firstlineno
            lineno = next(
                (start + i for i, line in enumerate(lines) if "_warn_about_missing_assertion" in line),
                start,
            )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", type(warning))
                apply_warning_filters(self.getini("filterwarnings"), self.option.pythonwarnings or [])
                warnings.warn_explicit(warning, type(warning), caller.__code__.co_filename, lineno,
                                       module="_pytest.config")
            records.extend(caught)

        try:
            assert False  # noqa: B011 - whether asserts run in this interpreter
        except AssertionError:
            return records
        shim = types.SimpleNamespace(issue_config_time_warning=issue)
        PytestConfig._warn_about_missing_assertion(shim, mode)  # type: ignore[arg-type]
        return records

    @property
    def logging_registered(self) -> bool:
        """Whether pytest's logging plugin (the engine's log capture stands in for it)
        is registered: a test may take it away for a while (``unregister(name=
        "logging-plugin")``) to keep its handlers off the root logger."""
        return self._plugins.get("logging-plugin") is _LOGGING_PLUGIN

    def _unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        """``pluginmanager.unregister`` of the logging plugin (discovery sends any other
        use of the plugin manager to the pytest engine): the plugin, or ``None`` when
        it is not registered."""
        if name is None and plugin is _LOGGING_PLUGIN:
            name = "logging-plugin"
        if name != "logging-plugin":
            raise ValueError(f"fastest's native engine cannot unregister {name or plugin!r}")
        return self._plugins.pop(name, None)

    def _register(self, plugin: Any, name: str | None = None) -> str | None:
        """``pluginmanager.register`` of the logging plugin taken away before, or of an
        object with no hook a loaded plugin keeps its state in (pytest-codspeed's),
        found again by name (``get_plugin``). A word-gated plugin's own object (see
        ``_WORD_GATED_PLUGINS``) may have hooks: they act on nothing this session."""
        if plugin is _LOGGING_PLUGIN:
            name = name or "logging-plugin"
        elif name is None or (
            not self._loading_gated and any(a.startswith("pytest_") for a in dir(plugin))
        ):
            raise ValueError(f"fastest's native engine cannot register {plugin!r}")
        if name != "logging-plugin" and plugin is _LOGGING_PLUGIN:
            raise ValueError(f"fastest's native engine cannot register {plugin!r}")
        if name in self._plugins:
            raise ValueError(f"Plugin name already registered: {name}={plugin!r}")
        self._plugins[name] = plugin
        return name

    def _add_hookspecs(self, specs: Any) -> None:
        """A loaded plugin's own hooks (``pytest_addhooks``): each is called on the
        plugin module that declares it, its only implementation in the engine (the
        coordinator hands a session whose conftests implement others to pytest)."""
        module = sys.modules.get(getattr(specs, "__module__", ""))
        for name in dir(specs):
            impl = getattr(module, name, None) if name.startswith("pytest_") else None
            if impl is not None:
                setattr(self.pluginmanager.hook, name, impl)

    @property
    def cache(self) -> Any:
        """pytest's ``Cache`` over the session's cache dir (built on first use)."""
        if self._cache is None and self._pytest_cache_dir:
            from _pytest.cacheprovider import Cache

            self._cache = Cache(Path(self._pytest_cache_dir), self, _ispytest=True)  # type: ignore[arg-type]
        return self._cache

    def make_writer(self, file: Any = None) -> TerminalWriter:
        """A writer over ``file`` (a new buffer by default) with the session's markup,
        code highlighting and width, as pytest's terminal reporter has them."""
        tw = TerminalWriter(file=io.StringIO() if file is None else file)
        tw.hasmarkup = self._color
        tw.code_highlight = self._code_highlight
        tw.fullwidth = self._width
        return tw

    def cwd_relative_nodeid(self, nodeid: str) -> str:
        """pytest's ``Config.cwd_relative_nodeid``: the node id as the terminal shows
        it, its path relative to the invocation directory."""
        from _pytest.pathlib import bestrelpath

        invocation = self.invocation_params.dir
        if invocation != self.rootpath:
            path, *rest = nodeid.split("::")
            nodeid = "::".join([bestrelpath(invocation, self.rootpath / path), *rest])
        return nodeid

    def get_terminal_writer(self) -> TerminalWriter:
        """pytest's ``Config.get_terminal_writer``: what highlights assertion diffs, and
        what plugins write on (pytest-timeout's stack dumps). pytest's terminal writer
        holds the ``sys.stdout`` of its start, file descriptor 1, which fd capture
        redirects while a test runs: what is written in a phase is that phase's
        captured output, and otherwise reaches the terminal (the worker's descriptor 1
        is the session's)."""
        if self._terminal_writer is None:
            self._terminal_writer = self.make_writer(sys.__stdout__ or io.StringIO())
        return self._terminal_writer

    def _iter_registered_markers(self) -> Any:
        """What pytest's ``MarkGenerator`` checks a ``pytest.mark.NAME`` against."""
        for name in self._registered_markers:
            yield types.SimpleNamespace(name=name)

    @property
    def rootdir(self) -> Any:
        """pytest's legacy ``py.path.local`` of ``rootpath``."""
        from _pytest._py.path import LocalPath

        return LocalPath(self.rootpath)

    @property
    def invocation_dir(self) -> Any:
        from _pytest._py.path import LocalPath

        return LocalPath(self.invocation_params.dir)

    @property
    def inifile(self) -> Any:
        from _pytest._py.path import LocalPath

        return LocalPath(self.inipath) if self.inipath is not None else None

    def getini(self, name: str) -> Any:
        try:
            kind, default = INI_TYPES.get(name) or self._added_ini[name]
        except KeyError:
            # pytest's other keys, as its default plugins register them.
            registered = self._pytest_parser()[2].get(name)
            if registered is None:
                raise ValueError(f"unknown configuration value: {name!r}") from None
            _help, kind, default = registered
        if name not in self._ini:
            return default
        return _convert_ini(kind, self._ini[name], self.inipath)

    def _pytest_parser(self) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
        """pytest's reading of the session's command line with the options of its
        default plugins (those ``-p no:`` leaves): the values, the destination of each
        option string, and the ini keys they register. Worked out on first use only:
        importing every default plugin costs ~0.1 s, and most sessions never ask."""
        if self._full_options is not None:
            return self._full_options
        from _pytest.config import builtin_plugins
        from _pytest.config.argparsing import Parser

        setup = self._plugin_setup
        blocked = set(setup.get("blocked_plugins") or ())
        parser = Parser(_ispytest=True)
        for name in sorted(builtin_plugins):
            if name in blocked or name == "pytester":
                continue
            try:
                module = importlib.import_module("_pytest." + name)
            except Exception:  # noqa: BLE001 - pytest's own start would have failed
                continue
            addoption = getattr(module, "pytest_addoption", None)
            if addoption is None:
                continue
            wanted = inspect.signature(addoption).parameters
            arguments = {"parser": parser, "pluginmanager": self.pluginmanager}
            try:
                addoption(**{k: v for k, v in arguments.items() if k in wanted})
            except Exception:  # noqa: BLE001 - an option taken twice: the first stands
                continue
        tokens = [str(t) for t in setup.get("option_tokens") or ()]
        try:
            namespace = parser.parse_known_and_unknown_args(tokens)[0]
        except BaseException:  # noqa: BLE001 - argparse exits on what it refuses
            namespace = parser.parse_known_and_unknown_args([])[0]
        options = [*parser._anonymous.options, *(o for g in parser._groups for o in g.options)]
        dests = {name: o.dest for o in options for name in o.names()}
        self._full_options = (vars(namespace), dests, dict(parser._inidict))
        return self._full_options

    def _pytest_option(self, name: str) -> tuple[bool, Any]:
        """``(found, value)`` of the option ``name`` (a destination) as pytest's parser
        reads the command line (see ``_pytest_parser``)."""
        values = self._pytest_parser()[0]
        return (name in values, values.get(name))

    def addinivalue_line(self, name: str, line: str) -> None:
        """pytest's ``Config.addinivalue_line``: a line more for a ``linelist`` ini
        value (``markers`` registers a marker)."""
        if name == "markers":
            self._registered_markers.append(line.split(":")[0].split("(")[0].strip())
            return
        kind = INI_TYPES.get(name, (None, None))[0]
        if kind != "linelist":
            raise ValueError(f"fastest: addinivalue_line({name!r}) outside the native engine's reach")
        self._ini[name] = [*self.getini(name), line]

    @property
    def args_source(self) -> Any:
        return getattr(pytest.Config.ArgsSource, self._args_source)

    def getvalue(self, name: str) -> Any:
        return self.getoption(name)

    def getoption(self, name: str, default: Any = None, skip: bool = False) -> Any:
        dest = self._opt2dest.get(name)
        if dest is None:
            # An option string (`-k`, `--strict-markers`): its destination as pytest's
            # parser has it.
            dest = self._pytest_parser()[1].get(name, name) if name.startswith("-") else name
        value = getattr(self.option, dest, None)
        return default if value is None else value

    def add_cleanup(self, func: Any) -> None:
        """Run at the end of the session (pytest's ``Config.add_cleanup``)."""
        self._cleanup.append(func)

    def run_cleanups(self) -> None:
        while self._cleanup:
            try:
                self._cleanup.pop()()
            except Exception:  # noqa: BLE001 - the session is over; nothing to report to
                pass

    def get_verbosity(self, verbosity_type: str | None = None) -> int:
        """pytest's ``Config.get_verbosity``: ``verbosity_<type>`` from the ini unless
        ``auto``, else ``-v``'s level."""
        level = int(self.option.verbose or 0)
        name = f"verbosity_{verbosity_type}"
        if verbosity_type is None or name not in INI_TYPES:
            return level
        value = self.getini(name)
        return level if value == "auto" else int(value)

    def issue_config_time_warning(self, warning: Warning, stacklevel: int) -> None:
        warnings.warn(warning, stacklevel=stacklevel)


class RewriteHook(_rewrite.AssertionRewritingHook):
    """pytest's assertion-rewriting import hook, fed by the engine's config.

    Under ``PYTHONDONTWRITEBYTECODE`` pytest rewrites every test module again on every
    run; the rewritten code is then kept under fastest's cache directory instead
    (``fastest._pyc``).
    """

    def __init__(self, config: EngineConfig, rootdir: Path) -> None:
        super().__init__(config)  # type: ignore[arg-type]
        _pyc.install(lambda: rootdir)


def _make_dumps() -> Any:
    """``json.dumps`` for reports with one C encoder made once: ``json.dumps`` builds a
    new one per call, which costs more than encoding a passing test's report."""
    import json
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return json.dumps

    def default(o: Any) -> Any:
        raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    # json.dumps's defaults: ASCII output, ", " and ": ", NaN allowed; no circular
    # check (reports are trees).
    encode = make(None, default, encoder.encode_basestring_ascii, None, ": ", ", ",
                  False, False, True)

    def dumps(obj: Any) -> str:
        return "".join(encode(obj, 0))

    return dumps


_dumps = _make_dumps()

try:
    from json.encoder import encode_basestring_ascii as _json_str
except ImportError:  # pragma: no cover - json's C accelerator is always there in CPython
    _json_str = None  # type: ignore[assignment]

_PLAIN_WHEN = ("setup", "call", "teardown")
#: The last plain report's (nodeid, location) and the JSON text before its duration.
_plain_head: list[Any] = [None, None, ""]


def _report_json(rep: dict[str, Any]) -> str:
    """``_dumps(rep)``; a passed phase with nothing to show (most reports) is written
    from a template instead, its node id and location encoded once for the item's
    three phases: serializing reports was a sixth of a trivial test's cost."""
    if (
        _json_str is None
        or len(rep) != 11
        or rep["outcome"] != "passed"
        or rep["sections"]
        or rep["longrepr"] is not None
        or rep["crash"] is not None
        or rep["skip"] is not None
        or rep["wasxfail"] is not None
        or rep["fold_no_line"] is not False
        or rep["when"] not in _PLAIN_WHEN
        or type(rep["duration"]) is not float
    ):
        return _dumps(rep)
    nodeid, location = rep["nodeid"], rep["location"]
    if _plain_head[0] != nodeid or _plain_head[1] != location:
        _plain_head[0], _plain_head[1] = nodeid, list(location)
        _plain_head[2] = (
            '{"nodeid": ' + _json_str(nodeid) + ', "location": ' + _dumps(location) + ', "when": "'
        )
    return (
        _plain_head[2] + rep["when"] + '", "outcome": "passed", "longrepr": null, "crash": null, '
        '"skip": null, "wasxfail": null, "duration": ' + float.__repr__(rep["duration"])
        + ', "sections": [], "fold_no_line": false}'
    )


class _Keywords(dict):
    """pytest's ``NodeKeywords``: a node's own keywords, then its parents' (a module's
    ``pytestmark`` is in its tests' keywords)."""

    def __init__(self, own: dict[str, Any], parent: Node | None) -> None:
        super().__init__(own)
        self._parent = parent

    def __getitem__(self, key: str) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            if self._parent is None:
                raise
            return self._parent.keywords[key]

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (
            self._parent is not None and key in self._parent.keywords
        )

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def _seen(self) -> list[str]:
        names = list(super().keys())
        if self._parent is not None:
            names += [k for k in self._parent.keywords._seen() if k not in names]
        return names

    def __iter__(self) -> Any:
        return iter(self._seen())

    def keys(self) -> Any:  # type: ignore[override]
        return self._seen()

    def __len__(self) -> int:
        return len(self._seen())


class Node:
    """A collector or item of the session tree (pytest's ``Node``), as far as scopes,
    finalizers and ``request.node`` need one."""

    def __init__(self, kind: str, nodeid: str, name: str, parent: Node | None) -> None:
        self.kind = kind
        self.nodeid = nodeid
        self.name = name
        self.parent = parent
        self.stash = _Stash()
        self.keywords: dict[str, Any] = _Keywords({name: 1}, parent)
        self.own_markers: list[Mark] = []
        self.obj: Any = None
        self.path: Path | None = None
        self._visible: Any = None
        self._chain: tuple[Node, ...] | None = None
        # Every node of pytest's tree has the session's config.
        self.config: Any = getattr(parent, "config", None)

    @property
    def id(self) -> str:
        """pytest's structured node id; the junitxml fixtures use it as a key."""
        return self.nodeid

    def listchain(self) -> list[Node]:
        # A node's parents never change: the chain is walked once.
        chain = self._chain
        if chain is None:
            found: list[Node] = []
            node: Node | None = self
            while node is not None:
                found.append(node)
                node = node.parent
            found.reverse()
            chain = self._chain = tuple(found)
        return list(chain)

    def iter_parents(self):
        node: Node | None = self
        while node is not None:
            yield node
            node = node.parent

    def getparent(self, cls: type) -> Node | None:
        """pytest's ``Node.getparent``: the nearest node (itself included) of the class
        ``cls`` (``pytest.Module``, ``pytest.Class``, ...), by its kind's name."""
        kinds = {cls.__name__}
        if cls.__name__ == "Class":
            kinds.add("UnitTestCase")
        if cls.__name__ == "Module":
            kinds.update(MODULE_KINDS)
        for node in self.iter_parents():
            if node.kind in kinds:
                return node
        return None

    @property
    def fspath(self) -> Any:
        """pytest's legacy ``py.path.local`` of the node's path."""
        from _pytest._py.path import LocalPath

        path = next((n.path for n in self.iter_parents() if n.path is not None), None)
        return LocalPath(path) if path is not None else None

    def iter_markers(self, name: str | None = None):
        return iter(self._markers(name))

    def _markers(self, name: str | None) -> list[Mark]:
        """The marks of this node and its parents, nearest first (a list: the runtest
        loop asks for them several times per item, and a walk beats nested generators)."""
        found = []
        node: Node | None = self
        while node is not None:
            if node.own_markers:
                if name is None:
                    found.extend(node.own_markers)
                else:
                    found.extend([m for m in node.own_markers if m.name == name])
            node = node.parent
        return found

    def iter_markers_with_node(self, name: str | None = None):
        for node in self.iter_parents():
            for mark in node.own_markers:
                if name is None or mark.name == name:
                    yield node, mark

    def get_closest_marker(self, name: str, default: Any = None) -> Any:
        found = self._markers(name)
        return found[0] if found else default

    def add_marker(self, marker: Any, append: bool = True) -> None:
        mark = marker.mark if hasattr(marker, "mark") else marker
        if isinstance(marker, str):
            mark = getattr(pytest.mark, marker).mark
        self.keywords[mark.name] = mark
        if append:
            self.own_markers.append(mark)
        else:
            self.own_markers.insert(0, mark)

    @property
    def session(self) -> Node:
        return self.listchain()[0]

    def addfinalizer(self, fin: Any) -> None:
        """pytest's ``Node.addfinalizer``: ``fin`` runs when this node is torn down."""
        engine = getattr(self.session, "_engine", None)
        if engine is None:
            raise RuntimeError(f"fastest: {self!r} is not in the session's tree")
        engine.setupstate.addfinalizer(fin, self)

    def listnames(self) -> list[str]:
        return [n.name for n in self.listchain()]

    def getmodpath(self, stopatmodule: bool = True, includemodule: bool = False) -> str:
        """pytest's ``PyobjMixin.getmodpath``: the dotted names from the module down
        (the module's own with ``includemodule``; above it too without ``stopatmodule``)."""
        parts = []
        for node in reversed(self.listchain()):
            name = node.name
            if node.kind in MODULE_KINDS:
                name = os.path.splitext(name)[0]
                if stopatmodule:
                    if includemodule:
                        parts.append(name)
                    break
            parts.append(name)
        parts.reverse()
        return ".".join(parts)

    def warn(self, warning: Warning) -> None:
        """pytest's ``Node.warn``: a warning located at the node."""
        if not isinstance(warning, Warning):
            raise ValueError(f"warning must be an instance of Warning or subclass, got {warning!r}")
        location = getattr(self, "_location", None)
        if location is not None:
            path, lineno = location[0], location[1]
        elif self.obj is not None:
            path, lineno = getfslineno(self.obj)
        else:
            path, lineno = (self.path or "unknown location"), -1
        warnings.warn_explicit(warning, category=None, filename=str(path), lineno=(lineno or 0) + 1)

    def _closest_obj(self, kind: str) -> Any:
        kinds = MODULE_KINDS if kind == "Module" else CLASS_KINDS if kind == "Class" else (kind,)
        for node in self.iter_parents():
            if node.kind in kinds:
                return node.obj
        return None

    @property
    def module(self) -> Any:
        return self._closest_obj("Module")

    @property
    def cls(self) -> Any:
        return self._closest_obj("Class")

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name}>"


class _Session(Node):
    """The session node: ``request.session`` (its counts, pytest's repr)."""

    def __init__(self, engine: Any, testscollected: int) -> None:
        super().__init__("Session", "", "", None)
        self._engine = engine
        self.config = engine.config
        self.testscollected = testscollected
        self.shouldstop: bool | str = False
        self.exitstatus = pytest.ExitCode.OK
        self.startpath = engine.config.invocation_params.dir
        # pytest's session node is at the rootdir.
        self.path = engine.config.rootpath
        self._shouldfail: bool | str = False
        self._initialpaths: frozenset[Path] | None = None

    @property
    def startdir(self) -> Any:
        from _pytest._py.path import LocalPath

        return LocalPath(self.startpath)

    def isinitpath(self, path: Any, *, with_parents: bool = False) -> bool:
        """pytest's ``Session.isinitpath``: whether ``path`` is one of the session's
        initial paths (the arguments, without their ``::`` parts), or with
        ``with_parents`` a directory above one."""
        from _pytest.pathlib import absolutepath

        if self._initialpaths is None:
            base = self.config.invocation_params.dir
            self._initialpaths = frozenset(
                absolutepath(base / str(a).split("::")[0]) for a in self.config.args
            )
        path = absolutepath(path)
        if path in self._initialpaths:
            return True
        return with_parents and any(path in p.parents for p in self._initialpaths)

    @property
    def shouldfail(self) -> bool | str:
        """pytest's ``Session.shouldfail``: the ``--maxfail`` message once reached."""
        if self._shouldfail or not self._engine.shouldfail:
            return self._shouldfail
        return f"stopping after {self._engine.testsfailed} failures"

    @shouldfail.setter
    def shouldfail(self, value: bool | str) -> None:
        self._shouldfail = value

    @property
    def testsfailed(self) -> int:
        return self._engine.testsfailed

    def __repr__(self) -> str:
        return (
            f"<Session  exitstatus=<ExitCode.OK: 0> testsfailed={self.testsfailed}"
            f" testscollected={self.testscollected}>"
        )


class Item(Node):
    """A test function (pytest's ``Function``)."""

    def __init__(self, spec: dict[str, Any], parent: Node, engine: Engine) -> None:
        name = spec["name"]
        super().__init__("Function", spec["nodeid"], name, parent)
        self.spec = spec
        self.config = engine.config
        self._engine = engine
        self.originalname = spec["function"]
        self.user_properties: list[tuple[str, object]] = []
        self._report_sections: list[tuple[str, str, str]] = []
        self.callspec_params: dict[str, Any] = {}
        self.fixture_params: dict[str, tuple[Any, int]] = {}
        self._indices: dict[str, int] = {}
        self.instance: Any = None
        self.function: Any = None
        # A unittest item's outcomes as its TestCase reported them (pytest's
        # `TestCaseFunction._excinfo`); None for other items.
        self._excinfo: list[Any] | None = None

    @property
    def location(self) -> tuple[str, int | None, str]:
        return self._location

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """pytest's ``PyobjMixin.reportinfo``: the function's file and 0-based line,
        and its dotted path below the module."""
        path, lineno = getfslineno(self.obj)
        return path, lineno, self.getmodpath()

    @property
    def callspec(self) -> Any:
        """pytest's ``CallSpec2`` of a parametrized item: every parameter's value (direct,
        indirect and fixture ``params``), index and the ID."""
        params = dict(self.callspec_params)
        params.update((name, value) for name, (value, _) in self.fixture_params.items())
        if not params and not self.name.endswith("]"):
            raise AttributeError("'Function' object has no attribute 'callspec'")
        ident = self.name[len(self.originalname) + 1 : -1] if self.name.endswith("]") else ""
        return types.SimpleNamespace(
            params=params,
            indices=dict(getattr(self, "_indices", {})),
            id=ident,
            marks=[m for m in self.own_markers],
            _idlist=[ident],
        )

    def add_report_section(self, when: str, key: str, content: str) -> None:
        if content:
            self._report_sections.append((when, key, content))

    def repr_failure(self, excinfo: Any) -> Any:
        """pytest's ``Function.repr_failure`` (what hypothesis prints each failing
        example with): the failure as the call phase's report shows it."""
        return self._engine._repr_failure(self, excinfo, "call")[0]

    @property
    def ihook(self) -> Any:
        return types.SimpleNamespace(pytest_markeval_namespace=lambda config: [])


class DoctestItem(Item):
    """pytest's ``DoctestItem``: the examples of one docstring or one text file, found by
    name with pytest's own finder or parser (``Engine.prepare_doctest``)."""

    def __init__(self, spec: dict[str, Any], parent: Node, engine: Engine) -> None:
        super().__init__(spec, parent, engine)
        self.kind = "DoctestItem"
        self.runner: Any = None
        self.dtest: Any = None

    def _disable_output_capturing_for_darwin(self) -> None:
        """Called by pytest's ``DoctestItem.runtest``; the coordinator hands doctest
        sessions on macOS (where pytest suspends its capture here) to pytest."""


class _DoctestCollector:
    """What pytest's ``DoctestModule.collect``/``DoctestTextfile.collect`` read of their
    collector: the module, the path, the config; fixtures are the engine's to parse."""

    def __init__(self, engine: Engine, node: Node) -> None:
        self.obj = node.obj
        self.path = node.path
        self.config = engine.config
        self.session = types.SimpleNamespace(
            _fixturemanager=types.SimpleNamespace(parsefactories=lambda *a, **k: None)
        )


class _FoundDoctest:
    """Stands in for pytest's ``DoctestItem`` while its collectors run: records the
    runner and ``DocTest`` each item would get."""

    @classmethod
    def from_parent(cls, parent: Any, *, name: str, runner: Any, dtest: Any) -> tuple[str, Any, Any]:
        return name, runner, dtest


class FixtureDef:
    """One fixture definition and its cached value (pytest's ``FixtureDef``)."""

    def __init__(self, name: str, func: Any, scope: str, params: Any, ids: Any,
                 autouse: bool, holder: str, baseid_path: Path | None, node_key: str | None,
                 cls: type | None = None) -> None:
        self.argname = name
        self.func = func
        self.scope = scope
        # A module's setup_module/setup_function fixture: pytest registers it when the
        # `Module` collects, after the doctest items of the same file got their closure.
        self.xunit = False
        self.params = params
        self.ids = ids
        self.autouse = autouse
        # Where it is visible: a conftest's directory (`baseid_path`), or a module/class
        # node (`node_key`), or everywhere (builtins).
        self.holder = holder
        self.baseid_path = baseid_path
        self.node_key = node_key
        self.cls = cls
        self.argnames = getfuncargnames(func, name=name, cls=cls)
        self.cached_result: tuple[Any, Any, Any] | None = None
        self._finalizers: list[Any] = []

    def addfinalizer(self, fin: Any) -> None:
        self._finalizers.append(fin)

    def finish(self, request: SubRequest) -> None:
        exceptions: list[BaseException] = []
        while self._finalizers:
            fin = self._finalizers.pop()
            try:
                fin()
            except BaseException as e:
                exceptions.append(e)
        self.cached_result = None
        self._finalizers.clear()
        if len(exceptions) == 1:
            raise exceptions[0]
        if exceptions:
            raise BaseExceptionGroup(f"errors while tearing down {self!r}", exceptions[::-1])

    def visible_to(self, item: Item, chain_keys: set[str]) -> bool:
        if self.node_key is not None:
            return self.node_key in chain_keys
        if self.baseid_path is not None:
            p = item.path
            return p is not None and (self.baseid_path == p.parent or self.baseid_path in p.parents)
        return True

    def __repr__(self) -> str:
        return f"<FixtureDef argname={self.argname!r} scope={self.scope!r}>"


class FuncInfo:
    """What every item of one test function shares (marks, location, argnames, parsed
    parametrize marks): computed for its first item."""

    __slots__ = ("func", "marks", "_parametrize", "_parsed", "relpath", "lineno", "argnames")

    def __init__(self, func: Any, marks: list[Mark], parametrize: list[Mark], relpath: str,
                 lineno: int, argnames: tuple[str, ...]) -> None:
        self.func = func
        self.marks = marks
        self._parametrize = parametrize
        self._parsed: dict[int, tuple[Mark, Any, Any]] = {}
        self.relpath = relpath
        self.lineno = lineno
        self.argnames = argnames

    def parametrize(self, index: int, config: Any, nodeid: str) -> tuple[Mark, Any, Any]:
        parsed = self._parsed.get(index)
        if parsed is None:
            mark = self._parametrize[index]
            with warnings.catch_warnings():
                # An iterator's PytestRemovedIn10Warning is pytest's collection's to
                # report (the coordinator has it from the import fallback).
                warnings.simplefilter("ignore", PytestRemovedIn10Warning)
                argnames, params = ParameterSet._for_parametrize(
                    mark.args[0], mark.args[1], self.func, config, nodeid
                )
            parsed = self._parsed[index] = (mark, argnames, params)
        return parsed


class FixtureLookupError(LookupError):
    """pytest's ``FixtureLookupError``: a fixture that is missing (``argname``) or an
    error a fixture raised through ``request.raiseerror`` (``msg``), with the fixtures
    that were being set up on the way (outermost first)."""

    def __init__(self, argname: str | None, fixturestack: list[FixtureDef], msg: str | None = None) -> None:
        super().__init__(msg if msg is not None else f"fixture '{argname}' not found")
        self.argname = argname
        self.fixturestack = fixturestack
        self.msg = msg


class FixtureRequest:
    """``request``: the item's own request, or a fixture's (``SubRequest``)."""

    def __init__(self, item: Item, engine: Engine, fixturedef: FixtureDef | None = None,
                 parent: FixtureRequest | None = None, param: Any = None,
                 param_index: int = 0, has_param: bool = False) -> None:
        self._item = item
        self._engine = engine
        self._fixturedef = fixturedef
        self._parent = parent
        self.fixturename = fixturedef.argname if fixturedef else None
        self.scope = fixturedef.scope if fixturedef else "function"
        if has_param:
            self.param = param
        self.param_index = param_index
        self.config = engine.config

    def __repr__(self) -> str:
        if self._fixturedef is None:
            return f"<FixtureRequest for {self._item!r}>"
        return f"<SubRequest {self.fixturename!r} for {self._item!r}>"

    # -- what tests and fixtures read ------------------------------------------------
    @property
    def node(self) -> Node:
        return self._engine.scope_node(self._item, self.scope, self._fixturedef)

    @property
    def function(self) -> Any:
        if self.scope != "function":
            raise AttributeError(f"function not available in {self.scope}-scoped context")
        return self._item.function

    @property
    def cls(self) -> Any:
        if self.scope not in ("class", "function"):
            raise AttributeError(f"cls not available in {self.scope}-scoped context")
        return self._item.cls

    @property
    def instance(self) -> Any:
        if self.scope != "function":
            return None
        return self._item.instance

    @property
    def module(self) -> Any:
        if self.scope not in ("function", "class", "module"):
            raise AttributeError(f"module not available in {self.scope}-scoped context")
        return self._item.module

    @property
    def path(self) -> Path:
        return self._item.path  # type: ignore[return-value]

    @property
    def fspath(self) -> Any:
        """pytest's legacy ``py.path.local`` of ``path``."""
        from _pytest._py.path import LocalPath

        return LocalPath(self.path)

    @property
    def keywords(self) -> Any:
        return self.node.keywords

    @property
    def session(self) -> Node:
        return self._item.session

    @property
    def fixturenames(self) -> list[str]:
        return list(self._item.fixturenames)

    def addfinalizer(self, finalizer: Any) -> None:
        if self._fixturedef is not None:
            self._fixturedef.addfinalizer(finalizer)
        else:
            self._engine.setupstate.addfinalizer(finalizer, self._item)

    def applymarker(self, marker: Any) -> None:
        self._item.add_marker(marker)

    def raiseerror(self, msg: str | None) -> None:
        raise FixtureLookupError(None, self._fixturestack(), msg)

    def getfixturevalue(self, argname: str) -> Any:
        return self._engine.getfixturevalue(self, argname)

    def _fixturestack(self) -> list[FixtureDef]:
        defs = []
        req: FixtureRequest | None = self
        while req is not None and req._fixturedef is not None:
            defs.append(req._fixturedef)
            req = req._parent
        defs.reverse()
        return defs

    # -- what plugins read of pytest's fixture machinery (hypothesis's health check) --
    @property
    def _fixturemanager(self) -> Any:
        engine = self._engine

        def getfixtureinfo(node: Item, func: Any, cls: Any) -> Any:
            # The item's closure is the function's: its definitions, override chains
            # whole, as pytest's `FuncFixtureInfo.name2fixturedefs` has them.
            name2fixturedefs = {}
            for name in node.fixturenames:
                defs = engine.visible_defs(node, name)
                # pytest registers no `request` fixture: it is the request itself.
                if defs and name not in node.callspec_params and name != "request":
                    name2fixturedefs[name] = tuple(defs)
            return types.SimpleNamespace(name2fixturedefs=name2fixturedefs)

        return types.SimpleNamespace(getfixtureinfo=getfixtureinfo)

    def _get_active_fixturedef(self, argname: str) -> FixtureDef:
        defs = self._engine.visible_defs(self._item, argname)
        if not defs:
            raise FixtureLookupError(argname, self._fixturestack())
        return defs[-1]

    def _stack(self) -> list[str]:
        names = []
        req: FixtureRequest | None = self
        while req is not None:
            if req.fixturename:
                names.append(req.fixturename)
            req = req._parent
        return names


SubRequest = FixtureRequest


class SetupState:
    """pytest's ``SetupState``: the stack of set-up nodes and their finalizers."""

    def __init__(self) -> None:
        # Each node's finalizers, and what its setup raised (with its traceback).
        self.stack: dict[Node, tuple[list[Any], tuple[BaseException, Any] | None]] = {}
        #: A package's own setup (pytest's ``Package.setup``), given the node.
        self.setup_package: Any = None

    def setup(self, item: Item) -> None:
        needed = item.listchain()
        # A collector whose setup failed fails every item below it, with that exception.
        for col, (_, exc) in self.stack.items():
            if exc is not None:
                raise exc[0].with_traceback(exc[1])
        for col in needed[len(self.stack):]:
            self.stack[col] = ([], None)
            if col.kind == "Package" and self.setup_package is not None:
                try:
                    self.setup_package(col)
                except TEST_OUTCOME as e:
                    self.stack[col] = (self.stack[col][0], (e, e.__traceback__))
                    raise

    def addfinalizer(self, finalizer: Any, node: Node) -> None:
        if node not in self.stack:
            # A node not yet set up (a session fixture requested before the first item
            # is pushed): pytest's stack always holds it by then; push it.
            for col in node.listchain():
                self.stack.setdefault(col, ([], None))
        self.stack[node][0].append(finalizer)

    def teardown_exact(self, nextitem: Item | None) -> None:
        needed = nextitem.listchain() if nextitem is not None else []
        exceptions: list[BaseException] = []
        stack = self.stack
        while stack:
            # The stack is kept where it is a prefix of the next item's chain (its last
            # node is compared first: the whole comparison only when that matches).
            depth = len(stack)
            if (
                depth <= len(needed)
                and needed[depth - 1] is next(reversed(stack))
                and list(stack) == needed[:depth]
            ):
                break
            node, (finalizers, _) = self.stack.popitem()
            these: list[BaseException] = []
            while finalizers:
                fin = finalizers.pop()
                try:
                    fin()
                except TEST_OUTCOME as e:
                    these.append(e)
            if len(these) == 1:
                exceptions.extend(these)
            elif these:
                msg = f"errors while tearing down {node!r}"
                exceptions.append(BaseExceptionGroup(msg, these[::-1]))
        if len(exceptions) == 1:
            raise exceptions[0]
        if exceptions:
            raise BaseExceptionGroup("errors during test teardown", exceptions[::-1])


# -- builtin fixtures -------------------------------------------------------------------

def _fx_request(request: FixtureRequest) -> Any:
    return request._parent if request._parent is not None else request


def _fx_monkeypatch():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _fx_recwarn():
    rec = pytest.WarningsRecorder(_ispytest=True)
    with rec:
        warnings.simplefilter("default")
        yield rec


# The factories that made a session's shared base directory: each holds what pytest
# undoes at exit (its lock, the cleanup of old numbered directories).
_BASETEMP_MAKERS: list[Any] = []


def share_basetemp(factory: Any, setup: dict[str, Any]) -> Any:
    """Under ``-n``, ``factory`` (pytest's ``TempPathFactory``) as a pytest-xdist
    worker's: its base is ``popen-gwN`` below one base for the session, which its
    controller makes (the next numbered ``pytest-N``, or ``--basetemp`` emptied). Here
    the first worker that needs it makes it, with pytest's own code, under a lock in the
    coordinator's directory ``setup["xdist_basetemp"]``, where it leaves its path for
    the others; before, each worker made a numbered directory of its own, and with
    ``--basetemp`` each emptied the others'."""
    shared = setup.get("xdist_basetemp")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not shared or not worker:
        return factory
    own = factory.getbasetemp

    def getbasetemp() -> Path:
        if factory._basetemp is None:
            base = _session_basetemp(Path(shared), factory)
            factory._given_basetemp = base / f"popen-{worker}"
        return own()

    factory.getbasetemp = getbasetemp
    return factory


def _session_basetemp(shared: Path, factory: Any) -> Path:
    import fcntl

    with open(shared / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / "basetemp"
        if made.exists():
            return Path(made.read_text())
        maker = pytest.TempPathFactory(
            factory._given_basetemp,
            factory._retention_count,
            factory._retention_policy,
            trace=factory._trace,
            _ispytest=True,
        )
        base = maker.getbasetemp()
        _BASETEMP_MAKERS.append(maker)
        made.write_text(str(base))
        return base


def _fx_tmp_path_factory(request: FixtureRequest) -> Any:
    return request._engine.tmp_path_factory()


def _fx_tmp_path(request: FixtureRequest, tmp_path_factory: Any):
    name = re.sub(r"[\W]", "_", request._item.name)[:30]
    path = tmp_path_factory.mktemp(name, numbered=True)
    yield path
    policy = tmp_path_factory._retention_policy
    result = request._item.stash.get("_fastest_phase_passed", {})
    if policy == "failed" and result.get("call", True):
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def _capture_fixture(cls: type, tee: bool = False):
    def fixture(request: FixtureRequest):
        engine = request._engine
        cf = CaptureFixture(cls, request, config=dict(tee=True) if tee else None, _ispytest=True)
        if engine.capture_fixture is not None:
            # pytest's `CaptureManager.set_fixture`: one capture fixture per test.
            current = engine.capture_fixture.request.fixturename
            request.raiseerror(
                f"cannot use {request.fixturename} and {current} at the same time"
            )
        engine.capture_fixture = cf
        cf._start()
        yield cf
        cf.close()
        engine.capture_fixture = None

    return fixture


def _fx_tmpdir_factory(request: FixtureRequest) -> Any:
    from _pytest.legacypath import TempdirFactory

    return TempdirFactory(request._engine.tmp_path_factory(), _ispytest=True)


def _fx_tmpdir(tmp_path: Path) -> Any:
    from _pytest.compat import legacy_path

    return legacy_path(tmp_path)


def _set_by_values(params: Any, index: int, values: str) -> int | None:
    """The index of the parameter set whose values' repr is ``values`` (the import
    fallback's): ``index`` when it is that one, else the first that is. Argvalues
    iterated from a ``set`` of strings come in the order of the process's string
    hashes, which differ between the fallback and this worker. ``None`` when no set
    has those values: the module computed others on this import (a time, a random
    number)."""
    if index < len(params) and repr(tuple(params[index].values)) == values:
        return index
    for i, pset in enumerate(params):
        if repr(tuple(pset.values)) == values:
            return i
    return None


def mark_volatile(rootdir: Path, module: str) -> None:
    """Note that ``module``'s parametrization differs from one import to the next: the
    coordinator no longer answers its collection from the import fallback's cache (its
    IDs would be an earlier run's). One file per module under the cache directory,
    written atomically; a failure only costs the note."""
    import hashlib

    folder = rootdir / ".fastest_cache" / "volatile"
    name = hashlib.sha1(module.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(module, encoding="utf-8", errors="surrogateescape")
        os.replace(tmp, folder / name)
    except OSError:
        pass


#: Each class's own namespace as the session first saw it (a copy).
_FIRST_VARS: dict[Any, dict[str, Any]] = {}


def _class_attributes(cls: Any) -> dict[str, Any]:
    """The class's attributes through its MRO (raw: descriptors unbound), each class's
    own as the session first saw them: a base's `setUpClass` that replaced its tests
    before a subclass was bound changed no test pytest's collection bound."""
    found: dict[str, Any] = {}
    for klass in reversed(getattr(cls, "__mro__", (cls,))):
        own = _FIRST_VARS.get(klass)
        if own is None:
            own = _FIRST_VARS[klass] = dict(getattr(klass, "__dict__", {}))
        found.update(own)
    return found


def _as_collected(node: Node, instance: Any, name: str) -> Any:
    """``getattr(instance or class, name)`` as it was when the class was first bound
    (pytest's collection), where the attribute is a plain descriptor then and the class
    changed it since; else as it is now."""
    cls = node.obj
    live = getattr(cls if instance is None else instance, name)
    raw = (getattr(node, "_collected", None) or {}).get(name)
    if raw is None or not hasattr(raw, "__get__") or _mro_lookup(cls, name) is raw:
        return live
    return raw.__get__(instance, cls)


@functools.lru_cache(maxsize=None)
def _fixture_setup_call_line() -> int:
    """The line of ``pytest_fixture_setup`` that calls ``resolve_fixture_function``:
    where pytest's deprecation warning about instance-method fixtures points."""
    from _pytest import fixtures

    try:
        lines, start = inspect.getsourcelines(fixtures.pytest_fixture_setup)
    except (OSError, TypeError):
        return 0
    return next((start + i for i, line in enumerate(lines) if "resolve_fixture_function(" in line), start)


def _warn_instance_method_fixture(fd: Any) -> None:
    """pytest 9's ``CLASS_FIXTURE_INSTANCE_METHOD`` deprecation: a fixture of a higher
    scope than the function defined as a plain method of a class (its instance is one
    test's, its value outlives it), warned from where pytest's ``resolve_fixture_function``
    warns it (an error under an error filter, as there)."""
    from _pytest import fixtures
    from _pytest.deprecated import CLASS_FIXTURE_INSTANCE_METHOD

    message = CLASS_FIXTURE_INSTANCE_METHOD.format(scope=fd.scope.capitalize(), fixturename=fd.argname)
    warnings.warn_explicit(
        message, type(message), fixtures.__file__, _fixture_setup_call_line(),
        module="_pytest.fixtures", module_globals=vars(fixtures),
    )


def _mro_lookup(cls: Any, name: str) -> Any:
    """The raw attribute `name` of the first class of `cls`'s MRO defining it."""
    for klass in getattr(cls, "__mro__", (cls,)):
        d = getattr(klass, "__dict__", {})
        if name in d:
            return d[name]
    return None


def _log_targets(root: logging.Logger) -> list[logging.Logger]:
    """The loggers pytest's ``catching_logs`` puts a handler on: the root logger, then
    each existing one that does not propagate (its records would never reach root)."""
    targets = [root]
    for logger in root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and not logger.propagate and logger is not root:
            targets.append(logger)
    return targets


def _fx_caplog(request: FixtureRequest):
    from _pytest.logging import LogCaptureFixture

    item = request._item
    # Requested by name from a fixture or the test (`getfixturevalue`): the handler
    # records from now on (a closure that names caplog attaches it before setup).
    engine = request._engine
    engine.caplog_attach(item, engine._when)
    result = LogCaptureFixture(item, _ispytest=True)
    yield result
    result._finalize()


def _fx_pytestconfig(request: FixtureRequest) -> Any:
    return request.config


def _fx_cache(request: FixtureRequest) -> Any:
    return request.config.cache


def _fx_doctest_namespace() -> dict[str, Any]:
    return dict()


def _pytest_fixture(module: str, name: str) -> Any:
    """A fixture function of pytest's own, unwrapped (so its behaviour, warnings and
    errors are pytest's), imported when a test first requests it."""

    def fixture(request: FixtureRequest) -> Any:
        import importlib

        obj = getattr(importlib.import_module(module), name)
        return obj._get_wrapped_function()(request)

    return fixture


def _fx_worker_id() -> str:
    """pytest-xdist's ``worker_id``: ``gwN`` in a worker of ``-n``, else ``master``."""
    return os.environ.get("PYTEST_XDIST_WORKER", "master")


def _fx_testrun_uid() -> str:
    """pytest-xdist's ``testrun_uid``: shared by a run's workers, else fresh."""
    import uuid

    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


# Fixtures pytest-xdist registers, served when it is installed (fastest runs `-n`).
XDIST_FIXTURES: dict[str, tuple[Any, str]] = {
    "worker_id": (_fx_worker_id, "session"),
    "testrun_uid": (_fx_testrun_uid, "session"),
}

# pytest's builtin fixtures the engine does not serve (a session using one goes to
# pytest: `UNSERVED_BUILTINS` in crates/fastest-cli/src/run.rs); listed as available
# in a missing fixture's error, as pytest lists them.
UNSERVED_BUILTINS: tuple[str, ...] = ()


try:
    from _pytest.subtests import Subtests as _PytestSubtests
except ImportError:  # pytest before 9.0 has no subtests
    _PytestSubtests = object  # type: ignore[assignment,misc]


class _Subtests(_PytestSubtests):
    """pytest's ``subtests`` fixture (``_pytest.subtests.Subtests``, whose name and
    ``repr`` it keeps: tracebacks show the fixture's value): ``test()`` opens a block
    whose outcome is reported on its own."""

    def __init__(self, request: Any) -> None:
        self._request = request

    def test(self, msg: str | None = None, **kwargs: Any) -> "_SubtestBlock":
        return _SubtestBlock(self._request, msg, kwargs)


class _SubtestBlock:
    """pytest's ``_SubTestContextManager``: the block's output and logs are captured on
    their own, its exception becomes a ``SubtestReport`` and is swallowed (unless it
    stops the session)."""

    def __init__(self, request: Any, msg: str | None, kwargs: dict[str, Any]) -> None:
        self.request = request
        self.msg = msg
        self.kwargs = kwargs

    def __enter__(self) -> None:
        import time

        from _pytest.logging import LogCaptureHandler, catching_logs

        engine = self.request._engine
        self._start = time.perf_counter()
        # pytest's `capturing_output`: not while capsys/capfd captures the test.
        self._capture = None
        method = engine.capture.method
        if engine.capture_fixture is None and method in ("fd", "sys"):
            cls = FDCapture if method == "fd" else SysCapture
            self._capture = CaptureFixture(cls, self.request, _ispytest=True)
            self._capture._start()
        self._handler = LogCaptureHandler()
        self._handler.setFormatter(engine.log_handler.formatter)
        self._logs = catching_logs(self._handler)
        self._logs.__enter__()

    def __exit__(self, exc_type: Any, exc_val: BaseException | None, exc_tb: Any) -> bool:
        __tracebackhide__ = True
        import time

        engine = self.request._engine
        item = self.request.node
        excinfo = ExceptionInfo.from_exception(exc_val) if exc_val is not None else None
        self._logs.__exit__(None, None, None)
        sections = []
        if self._capture is not None:
            out, err = self._capture.readouterr()
            self._capture.close()
            if out:
                sections.append(["Captured stdout call", out])
            if err:
                sections.append(["Captured stderr call", err])
        log = self._handler.stream.getvalue()
        if log:
            sections.append(["Captured log call", log])
        duration = time.perf_counter() - self._start
        rep = engine.subtest_report(item, excinfo, duration, self.msg, self.kwargs, sections)
        if rep["outcome"] == "failed":
            engine.failed_subtests[item.nodeid] = engine.failed_subtests.get(item.nodeid, 0) + 1
        engine.send_subtest_report(rep)
        if exc_val is not None:
            reraise: tuple[type[BaseException], ...] = (outcomes.Exit,)
            if not engine.config.getoption("usepdb", False):
                reraise += (KeyboardInterrupt,)
            if isinstance(exc_val, reraise) or engine.shouldfail:
                return False
        return True


if _PytestSubtests is not object:
    _Subtests.__module__ = _PytestSubtests.__module__
    _Subtests.__qualname__ = _Subtests.__name__ = _PytestSubtests.__name__


def _fx_subtests(request: FixtureRequest) -> _Subtests:
    return _Subtests(request)

BUILTIN_FIXTURES: dict[str, tuple[Any, str]] = {
    "tmpdir_factory": (_fx_tmpdir_factory, "session"),
    "tmpdir": (_fx_tmpdir, "function"),
    "caplog": (_fx_caplog, "function"),
    "pytestconfig": (_fx_pytestconfig, "session"),
    "cache": (_fx_cache, "function"),
    "doctest_namespace": (_fx_doctest_namespace, "session"),
    "record_property": (_pytest_fixture("_pytest.junitxml", "record_property"), "function"),
    "record_xml_attribute": (_pytest_fixture("_pytest.junitxml", "record_xml_attribute"), "function"),
    "record_testsuite_property": (
        _pytest_fixture("_pytest.junitxml", "record_testsuite_property"), "session"
    ),
    "request": (_fx_request, "function"),
    "monkeypatch": (_fx_monkeypatch, "function"),
    "recwarn": (_fx_recwarn, "function"),
    "tmp_path_factory": (_fx_tmp_path_factory, "session"),
    "tmp_path": (_fx_tmp_path, "function"),
    "capsys": (_capture_fixture(SysCapture), "function"),
    "capsysbinary": (_capture_fixture(SysCaptureBinary), "function"),
    "capfd": (_capture_fixture(FDCapture), "function"),
    "capfdbinary": (_capture_fixture(FDCaptureBinary), "function"),
    "capteesys": (_capture_fixture(SysCapture, tee=True), "function"),
    "subtests": (_fx_subtests, "function"),
}
if _PytestSubtests is object:
    # pytest before 9.0: no `subtests` fixture.
    del BUILTIN_FIXTURES["subtests"]


class _JunitRecorder:
    """What pytest's ``record_xml_attribute`` and ``record_testsuite_property`` fixtures
    find under ``config.stash[xml_key]`` with ``--junitxml`` (pytest's ``LogXML``): the
    family they warn about, and where their records go. The coordinator writes the file
    (``crates/fastest-report/src/junit.rs``); the records travel with the report of the
    phase that made them, as ``str(name), str(value)``."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.attributes: dict[str, list[list[str]]] = {}
        self.suite_properties: list[list[str]] = []

    def node_reporter(self, node_id: Any) -> Any:
        records = self.attributes.setdefault(str(node_id), [])

        def add_attribute(name: str, value: object) -> None:
            records.append([str(name), str(value)])

        return types.SimpleNamespace(add_attribute=add_attribute)

    def add_global_property(self, name: str, value: object) -> None:
        __tracebackhide__ = True
        from _pytest.junitxml import _check_record_param_type

        _check_record_param_type("name", name)
        self.suite_properties.append([name, str(value)])

    def take(self, nodeid: str, rep: dict[str, Any]) -> None:
        """Move what was recorded since the last report into ``rep``."""
        attrs = self.attributes.get(nodeid)
        if attrs:
            rep["xml_attributes"] = list(attrs)
            attrs.clear()
        if self.suite_properties:
            rep["testsuite_properties"] = self.suite_properties
            self.suite_properties = []


class _GlobalCapture:
    """The session's fd/sys capture (pytest's ``CaptureManager``, reduced to what the
    runtest phases use).

    pytest suspends its capture between phases so its own terminal output gets through;
    a worker prints nothing itself, so the capture stays on for the whole session and a
    phase's output is read at its end, and only when something was written.
    """

    def __init__(self, method: str) -> None:
        self.method = method
        self._cap: MultiCapture[str] | None = None
        if method == "fd":
            self._cap = MultiCapture(in_=FDCapture(0), out=FDCapture(1), err=FDCapture(2))
        elif method == "sys":
            self._cap = MultiCapture(in_=SysCapture(0), out=SysCapture(1), err=SysCapture(2))
        elif method == "tee-sys":
            self._cap = MultiCapture(
                in_=None, out=SysCapture(1, tee=True), err=SysCapture(2, tee=True)
            )
        #: `(name, stream)`: what the capture put in `sys` (pytest's global capture puts
        #: them back at every phase's resume, over what a test left there).
        self._sys: tuple[tuple[str, Any], ...] = ()
        if self._cap is not None:
            self._cap.start_capturing()
            streams = (("stdin", self._cap.in_), ("stdout", self._cap.out), ("stderr", self._cap.err))
            self._sys = tuple(
                (name, getattr(c, "syscapture", c).tmpfile) for name, c in streams if c is not None
            )

    def reassert(self) -> None:
        """pytest's ``resume_global_capture`` before each phase: the session's capture
        streams back in ``sys`` (a test's monkeypatch of ``sys.stdout``, undone after a
        capture fixture's own restore, leaves the fixture's closed stream there)."""
        for name, stream in self._sys:
            if getattr(sys, name) is not stream:
                setattr(sys, name, stream)

    @staticmethod
    def _snap(cap: Any) -> str:
        if cap is None:
            return ""
        tmp = cap.tmpfile
        try:
            if isinstance(cap, FDCapture):
                written = os.lseek(tmp.fileno(), 0, os.SEEK_CUR)
            else:
                written = tmp.tell()
        except (OSError, ValueError):
            written = 1
        return cap.snap() if written else ""

    def read(self) -> tuple[str, str]:
        if self._cap is None:
            return "", ""
        return self._snap(self._cap.out), self._snap(self._cap.err)

    def stop(self) -> None:
        if self._cap is not None:
            self._cap.stop_capturing()
            self._cap = None


class _CaptureManager:
    """What pytest's capture fixtures ask of its ``capturemanager`` plugin
    (``capsys.disabled()``): the session's and the fixture's capture suspended."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    @contextlib.contextmanager
    def global_and_fixture_disabled(self) -> Any:
        if self._engine.channel is not None:
            # What the test writes now must follow what the coordinator has yet to show
            # (the previous tests' letters), as in pytest's one process.
            self._engine.channel.flush()
        fixture = self._engine.capture_fixture
        do_fixture = fixture is not None and fixture._is_started()
        if do_fixture:
            fixture._suspend()
        cap = self._engine.capture._cap
        if cap is not None:
            cap.suspend_capturing(in_=False)
        try:
            yield
        finally:
            if cap is not None:
                cap.resume_capturing()
            if do_fixture:
                fixture._resume()


#: Plugin modules whose runtest hooks (``pytest_runtest_protocol``, the phases'
#: wrappers) do nothing for any item while the coordinator lets the native engine stand
#: in for the plugin: pytest-codspeed's and logfire's, while they are disabled.
_IDLE_RUNTEST_HOOKS = frozenset({"pytest_codspeed.plugin", "logfire._internal.integrations.pytest"})

#: Plugin modules whose hooks act only on tests that name the plugin's word, which the
#: coordinator lets the native engine load only for sessions that never do
#: (``WORD_GATED_PLUGINS`` in invocation.rs): pytest-benchmark's, whose
#: ``pytest_configure`` registers its session object (with hooks of its own).
_WORD_GATED_PLUGINS = frozenset({"pytest_benchmark.plugin"})


class _LoggingPluginStandIn:
    """What ``pluginmanager.get_plugin("logging-plugin")`` returns in the native engine,
    whose own log capture does the logging plugin's work."""

    def __repr__(self) -> str:
        return "<_pytest.logging.LoggingPlugin (fastest's native engine)>"


_LOGGING_PLUGIN = _LoggingPluginStandIn()


def _drop_legacy_paths() -> None:
    """`-p no:legacypath`: the `py.path` attributes that pytest's legacypath plugin
    gives nodes, requests and the config do not exist (the worker's process is the
    session's: they are not put back)."""
    for cls, names in ((Node, ("fspath",)), (FixtureRequest, ("fspath",)),
                       (EngineConfig, ("rootdir", "inifile", "invocation_dir"))):
        for name in names:
            if name in cls.__dict__:
                delattr(cls, name)


def _mark_plugins_for_rewrite(hook: Any, dists: Iterable[str]) -> None:
    """pytest's ``Config._mark_plugins_for_rewrite``: the top-level modules of every
    installed plugin's distribution (``dists``: their metadata directories, which the
    coordinator found) are rewritten when imported, marked before any plugin loads, so
    that a plugin importing another's package (pytest-httpx imports anyio) neither
    misses its rewriting nor warns that it came too late."""
    if not dists:
        return
    from importlib.metadata import PathDistribution

    from _pytest.config import _iter_rewritable_modules

    files = [str(f) for d in dists for f in PathDistribution(Path(d)).files or ()]
    for name in _iter_rewritable_modules(files):
        hook.mark_rewrite(name)


class _LogHandler(logging.Handler):
    """Records of one phase, formatted as pytest's ``Captured log`` section."""

    def __init__(self, fmt: str, datefmt: str | None, color: bool = False) -> None:
        super().__init__()
        self.stream = io.StringIO()
        from _pytest.logging import ColoredLevelFormatter, DatetimeFormatter

        # pytest's `LoggingPlugin._create_formatter`: level names coloured when the
        # format shows them and its writer has markup.
        if color and ColoredLevelFormatter.LEVELNAME_FMT_REGEX.search(fmt):
            tw = TerminalWriter(file=io.StringIO())
            tw.hasmarkup = True
            self.setFormatter(ColoredLevelFormatter(tw, fmt, datefmt))
        else:
            self.setFormatter(DatetimeFormatter(fmt, datefmt))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # pytest fails the test on logging errors

    def take(self) -> str:
        """The phase's records, and a clean slate for the next phase."""
        text = self.stream.getvalue()
        if text:
            self.stream.seek(0)
            self.stream.truncate()
        return text


# pytest's default plugins the engine does not import for its own use, and what their
# `pytest_configure` imports. pytest imports them all at start-up, so a test module that
# reaches `xml.etree` through `import xml` alone, or `pdb.Pdb` through `sys.modules`,
# works under pytest; it must work here too.
_CORE_PLUGIN_IMPORTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # pytest's argument parser, and the capture plugin's `_readline_workaround`.
    ("", ("_pytest._argcomplete",)),
    ("capture", ("readline",)),
    ("helpconfig", ("_pytest.helpconfig",)),
    ("debugging", ("_pytest.debugging", "pdb")),
    ("pastebin", ("_pytest.pastebin",)),
    ("junitxml", ("_pytest.junitxml",)),
    ("setuponly", ("_pytest.setuponly",)),
    ("setupplan", ("_pytest.setupplan",)),
    ("faulthandler", ("_pytest.faulthandler", "faulthandler")),
)


def _import_core_plugins(blocked: Any) -> None:
    """Import what pytest's default plugins import, except those ``-p no:`` blocks
    (pytest never imports a blocked plugin)."""
    blocked = set(blocked)
    for plugin, modules in _CORE_PLUGIN_IMPORTS:
        if plugin in blocked:
            continue
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001 - pytest's own start would have failed
                pass


class Engine:
    """One worker's session: imported modules, fixture definitions, the setup stack."""

    def __init__(
        self, setup: dict[str, Any], channel: Any = None, plugins_loaded: Any = None
    ) -> None:
        self.config = EngineConfig(setup)
        self.setup = setup
        # pytest's plugin manager reads every conftest's and plugin module's
        # `pytest_plugins` (`[]` when it has none) through this check of
        # `collections.abc.Sequence`, which leaves `list` in that ABC's cache: a module
        # building its tests from the cache (zope.interface's) sees it there.
        _get_plugin_specs_as_list([])
        # The worker loop's link to the coordinator (`Channel.flush`), when there is one.
        self.channel = channel
        # Failed `subtests` blocks per node id (pytest's `failed_subtests_key`): a test
        # that passes with some fails.
        self.failed_subtests: dict[str, int] = {}
        # Subtests' reports made without a channel, sent before their test's call report.
        self._subtest_reports: list[dict[str, Any]] = []
        # Items begun in this worker (pytest's count of reported items, for the progress
        # text pytest's terminal writes into a unittest test's output; one worker only).
        self._items_begun = 0
        self._distributed = bool(setup.get("distributed"))
        if self._distributed:
            # pytest-xdist's worker (the coordinator set its environment): a conftest's
            # `pytest_configure` that leaves the controller's work to the controller
            # sees one, as in the pytest engine.
            env = os.environ
            self.config.workerinput = {
                "workerid": env.get("PYTEST_XDIST_WORKER", "gw0"),
                "workercount": int(env.get("PYTEST_XDIST_WORKER_COUNT", "1")),
                "testrunuid": env.get("PYTEST_XDIST_TESTRUNUID", ""),
                "mainargv": list(setup.get("args") or ()),
            }
            self.config.workeroutput = {}
        self.rootdir = Path(setup["rootdir"])
        self.import_mode = setup["import_mode"]
        self.width = int(setup["width"])
        self.color = bool(setup["color"])
        self.confcutdir = Path(setup["confcutdir"]) if setup.get("confcutdir") else None
        self.noconftest = bool(setup.get("noconftest"))
        self.session = _Session(self, int(setup.get("testscollected") or 0))
        self.nodes: dict[str, Node] = {"": self.session}
        self.modules: dict[str, Any] = {}
        # Warnings raised while importing test modules and conftests: pytest records them
        # at collection (no node id, the warning's own file and line), not on a test.
        self._collect_warnings: list[tuple[str, warnings.WarningMessage]] = []
        #: The initial conftests' files (as warnings name them).
        self._initial_conftests = frozenset(setup.get("initial_conftests") or ())
        #: Those not imported yet (`_import_initial_conftests`).
        self._initial_pending: Any = tuple(setup.get("initial_conftests") or ())
        # `_ItemWarnings`: per filters list an item starts from, what it becomes (an
        # item's, and a module import's inside it).
        self._item_filters: dict[tuple[Any, ...], list[Any]] = {}
        # `conftests_for`: per directory, its conftest modules outermost first.
        self._dir_conftests: dict[Path, tuple[Any, ...]] = {}
        # `node_for`: the innermost collector of a chain, by its (kind, key).
        self._parents: dict[Any, Node] = {}
        # `phases_json`: the last successor's spec, as JSON and decoded.
        self._decoded: tuple[str, dict[str, Any]] | None = None
        # `preimport`: the first item of every test module, in collection order, and a
        # `KeyboardInterrupt` or `pytest.exit` that arrived while importing them.
        self._preimport: list[dict[str, Any]] = list(setup.get("preimport") or [])
        self._interrupted_import: BaseException | None = None
        self.conftests: dict[Path, Any] = {}
        self.fixturedefs: dict[str, list[FixtureDef]] = {}
        self.autouse: list[FixtureDef] = []
        self.parsed: set[str] = set()
        # The modules initial conftests' `pytest_plugins` name, by the conftest's real
        # path (`_import_conftest` loads them).
        self._project_plugins: dict[str, list[str]] = {
            os.path.realpath(c): names for c, names in (setup.get("project_plugins") or {}).items()
        }
        self.setupstate = SetupState()
        self.setupstate.setup_package = self._setup_package
        self._defs_gen = 0
        self._funcs: dict[tuple[str, str], FuncInfo] = {}
        self._closures: dict[Any, list[str]] = {}
        self._paths: dict[str, tuple[Path, tuple[Path, ...]]] = {}
        self._no_conftest: set[Path] = set()
        self.testsfailed = 0
        self.shouldfail = False
        self._relpaths: dict[str, str] = {}
        self._next: Item | None = None
        # The item whose phases run now (`phases`).
        self._current: Item | None = None
        # The conftests' `pytest_sessionfinish` and `pytest_unconfigure` were called.
        self._session_ended = False
        # Conftests' `pytest_runtest_logreport` implementations pytest calls after its
        # terminal reporter's, with the report: run once it is sent (`_logreport`).
        self._pending_logreport: tuple[list[Any], Any] | None = None
        self.capture_fixture: CaptureFixture[Any] | None = None
        self._tmp_factory: Any = None
        self._caplog_handler: Any = None
        # The loggers the phase's log handlers are on (`_phase`).
        self._log_targets: Any = ()
        self._when = "setup"
        # Seconds the current setup phase spent on what pytest does at collection.
        self._collecting = 0.0
        # Installed plugins' modules the engine loaded (`_load_plugin`), and their
        # `pytest_runtest_call` hook wrappers, which `_call` drives around the test.
        self._plugins: list[Any] = []
        self._call_wrappers: list[Any] = []
        # Their `pytest_runtest_protocol` hook wrappers (pytest-timeout's timer), which
        # `phases` drives around the item's three phases.
        self._protocol_wrappers: list[Any] = []
        # Conftests' runtest hooks (of `_hook_names`), by the directory whose conftests
        # they are: `None` until a conftest defining one is imported.
        self._runtest_hooks: dict[Path, dict[str, list[Any]]] | None = None
        #: The conftest hooks the engine calls itself, through pluggy, as pytest calls
        #: them through an item's hook proxy (the coordinator's list).
        self._hook_names: tuple[str, ...] = tuple(setup.get("runtest_hooks") or ())
        # The failure repr behind the last report's `longrepr` (`_make_report`), for
        # the `TestReport` conftests' `pytest_runtest_makereport` wrappers see.
        self._last_repr: Any = None
        # A worker started after a crash (`pool.rs`).
        self._replacement = bool(setup.get("replacement"))
        # pytest's start-up warnings about config keys nothing registers, which go with
        # the first item's last report (from one worker).
        self._config_warnings: list[warnings.WarningMessage] = []
        # Those started for the current item (`None` without any).
        self._protocol: list[Any] | None = None
        # hypothesis's plugin, when loaded (`_hypothesis_pytestplugin`).
        self._hypothesis: Any = None
        blocked = setup.get("blocked_plugins") or ()
        _import_core_plugins(blocked)
        #: `-p no:warnings`: nothing records warnings; Python's own filters and
        #: ``showwarning`` see them (what a phase warns lands in its captured stderr).
        self._warnings_blocked = "warnings" in blocked
        for path in reversed(setup.get("pythonpath", [])):
            sys.path.insert(0, path)
        self.config.stash[_rewrite.assertstate_key] = types.SimpleNamespace(
            trace=lambda *a: None, mode="rewrite", hook=None
        )
        if setup["options"].get("assertmode", "rewrite") == "rewrite" and not os.environ.get(
            "PYTEST_DONT_REWRITE"
        ):
            self.hook = RewriteHook(self.config, self.rootdir)
            sys.meta_path.insert(0, self.hook)
            _mark_plugins_for_rewrite(self.hook, setup.get("plugin_dists") or ())
        _assert_util._reprcompare = self._reprcompare
        _assert_util._config = self.config
        self.junit: _JunitRecorder | None = None
        if setup.get("junit"):
            from _pytest.junitxml import xml_key

            self.junit = _JunitRecorder(setup["junit"]["family"])
            self.config.stash[xml_key] = self.junit
        builtins = dict(BUILTIN_FIXTURES)
        # `-p no:legacypath`: no `tmpdir`/`tmpdir_factory` fixtures, no `py.path`
        # attributes (`fspath`, `config.rootdir`, ...).
        self._legacy_paths = "legacypath" not in blocked
        if not self._legacy_paths:
            _drop_legacy_paths()
            for name in ("tmpdir", "tmpdir_factory"):
                builtins.pop(name, None)
        if setup.get("xdist"):
            builtins.update(XDIST_FIXTURES)
        #: `-p no:logging`.
        self._logging_blocked = "logging" in blocked
        if self._logging_blocked:
            # `-p no:logging`: no log capture, no `caplog` fixture.
            self.config._plugins.pop("logging-plugin", None)
            builtins.pop("caplog", None)
        for name, (func, scope) in builtins.items():
            if name == "cache" and not setup.get("cacheprovider", True):
                continue  # `-p no:cacheprovider`: pytest has no `cache` fixture
            fd = FixtureDef(name, func, scope, None, None, False, "builtin", None, None)
            self.fixturedefs.setdefault(name, []).append(fd)
        if "registered_markers" in setup:
            # pytest's `pytest.mark` warns about unregistered names once it has a
            # config (PytestUnknownMarkWarning at the decorator, raised on import).
            from _pytest.mark.structures import MARK_GEN

            MARK_GEN._config = self.config  # type: ignore[assignment]
        if self.config.option.runxfail:
            # pytest's skipping plugin under `--runxfail`: `pytest.xfail` does nothing
            # (the worker's process ends with the session, so it is never restored).
            def nop(*args: Any, **kwargs: Any) -> None:
                pass

            nop.Exception = outcomes.XFailed  # type: ignore[attr-defined]
            pytest.xfail = nop  # type: ignore[assignment]
        for module in setup.get("cli_plugins", ()):
            # `-p` modules register before installed plugins (pytest's `consider_preparse`).
            self._load_conftest_plugin(module)
        for module in setup.get("plugin_modules", ()):
            self._load_plugin(module)
        unknown_keys = setup.get("unknown_ini_keys")
        started_warnings = 0
        if not self._replacement and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
            # At start-up (`python -O`), then after collection (unknown ini keys).
            mode = setup["options"].get("assertmode", "rewrite")
            self._config_warnings = self.config.missing_assertion_warnings(mode)
            started_warnings = len(self._config_warnings)
            if unknown_keys:
                self._config_warnings += self.config.unknown_key_warnings(unknown_keys)
        for module in setup.get("fixture_modules", ()):
            self._load_plugin_fixtures(module)
        if setup.get("builtin_plugins"):
            self._load_builtin_plugins(setup["builtin_plugins"])
        # pytest-cov's `--cov-context=test`: the worker's measuring (`fastest._cov`),
        # switched to each phase's context.
        self.cov_contexts: Any = None
        # pytest-randomly's module, when the plugin loads (`_load_randomly`).
        self._randomly: Any = None
        if setup.get("randomly") is not None:
            self._load_randomly(setup["randomly"])
        self.capture = _GlobalCapture(setup["options"].get("capture", "fd"))
        self.config._plugins["capturemanager"] = _CaptureManager(self)
        self._watch_unraisable()
        self.log_handler = _LogHandler(
            self._log_setting("log_format"),
            self._log_setting("log_date_format"),
            bool(setup.get("log_color")),
        )
        # pytest's logging plugin: `log_level` is the level of its per-phase handlers and
        # lowers the root logger's level while a phase runs; the live-log and log-file
        # handlers (their levels defaulting to `log_level`) lower it for the session.
        self._log_level = self._ini_log_level("log_level")
        if self._log_level is not None:
            self.log_handler.setLevel(self._log_level)
        root = logging.getLogger()
        #: The root logger's level before the session's handlers lowered it: what the
        #: initial conftests see as they import (`_import_initial_conftests`).
        self._root_level_at_start = root.level
        # Its live-log and log-file handlers (`log_cli` and `log_file` hand the session
        # to pytest: here a null handler and one writing to os.devnull) stay on the root
        # logger while pytest's session collects and runs: a module's
        # `logging.basicConfig` at import is then a no-op, and a record no phase
        # handler takes goes to them, not to logging's last resort on stderr.
        from _pytest.logging import _FileHandler, _LiveLoggingNullHandler

        session_handlers: tuple[tuple[str, logging.Handler], ...] = (
            ("log_cli_level", _LiveLoggingNullHandler()),
            ("log_file_level", _FileHandler(os.devnull, mode="w", encoding="UTF-8")),
        )
        if self._logging_blocked:
            # No logging plugin: a record nothing handles goes to logging's last resort
            # (stderr, captured by the phase).
            session_handlers = ()
            self._log_level = None
        #: The session's handlers on the root logger, and the lowest level they lower it
        #: to (`None`: they leave it).
        self._session_log_handlers = [handler for _, handler in session_handlers]
        self._session_log_floor: int | None = None
        for name, handler in session_handlers:
            level = self._ini_log_level(name)
            if level is None:
                level = self._log_level
            if level is not None:
                handler.setLevel(level)
                root.setLevel(min(root.level, level))
                floor = self._session_log_floor
                self._session_log_floor = level if floor is None else min(floor, level)
            root.addHandler(handler)
        options = setup.get("option_conftests")
        if options:
            self._conftest_options(options, setup.get("option_argv") or [])
        configure = setup.get("configure_conftests")
        if configure or options:
            self._configure(configure or [])
            # Sent, lines or none: the header waits for this worker's start.
            self.header_json = json.dumps({"before": [], "after": [], "printed": ""})
        if plugins_loaded is not None:
            # pytest-cov starts measuring here (`pytest_load_initial_conftests`): after
            # the plugins, before any conftest. What coverage.py warns as it starts (a
            # `core` this Python lacks) is a config-stage warning of pytest's summary,
            # between the start-up ones and the unknown ini keys. Under pytest-xdist
            # the controller's start warns, and each worker's (sent to the controller):
            # the first worker reports it twice.
            log: list[warnings.WarningMessage] = []
            with _ItemWarnings(self, log):
                plugins_loaded()
            if log and not self._replacement:
                copies = 2 if os.environ.get("PYTEST_XDIST_WORKER") == "gw0" else 1
                self._config_warnings[started_warnings:started_warnings] = [
                    w for w in log for _ in range(copies)
                ]
        # The conftests whose `pytest_plugins` name modules are initial ones, imported
        # now as pytest imports them at its start: the modules' fixtures are visible
        # everywhere, whichever items run.
        for conftest in setup.get("project_plugins") or {}:
            self.conftests_for(Path(conftest))
        header = setup.get("header_conftests")
        plugin_headers = [m for m in self._plugins if hasattr(m, "pytest_report_header")]
        if plugin_headers or header or setup.get("sessionstart_conftests"):
            # pytest imports the initial conftests before it writes the header, and a
            # plugin's answer may depend on what they did (hypothesis's profile).
            self._import_initial_conftests()
        if header or plugin_headers:
            #: The lines the initial conftests' and loaded plugins' `pytest_report_header`
            #: add (JSON), which the worker sends before anything runs; the header waits
            #: for them.
            self.header_json = json.dumps(self._header_lines(header or [], plugin_headers))
        start = setup.get("sessionstart_conftests")
        if start:
            # The initial conftests' (the only ones registered by then), before the
            # plugins' (pluggy calls the last registered first).
            for hook, kwargs in self._conftest_hooks(start, "pytest_sessionstart",
                                                     {"session": self.session}):
                hook(**kwargs)
            if not hasattr(self, "header_json"):
                # The header waits for this worker's start (a hook that fails hands
                # the session to pytest before anything is printed).
                self.header_json = json.dumps({"before": [], "after": [], "printed": ""})
        for module in self._plugins:
            # After the header, before collection (hypothesis ends its initialization).
            sessionstart = getattr(module, "pytest_sessionstart", None)
            if sessionstart is not None:
                sessionstart(self.session)

    def _import_initial_conftests(self) -> None:
        """Import the initial conftests (once, before any test module), as pytest's
        start does; what that warns is the config stage's (listed before every
        module's warnings), under the same filters as a module's import. Under
        pytest-xdist the controller's start imports them too: the first worker reports
        its warnings twice."""
        conftests, self._initial_pending = self._initial_pending, ()
        if not conftests:
            return
        log: list[warnings.WarningMessage] = []
        # pytest imports them before its logging plugin puts a handler on the root
        # logger or lowers its level: a conftest's `logging.basicConfig` (rope's) then
        # installs its handler and level, which the session keeps.
        root = logging.getLogger()
        attached = [h for h in self._session_log_handlers if h in root.handlers]
        for handler in attached:
            root.removeHandler(handler)
        root.setLevel(self._root_level_at_start)
        try:
            with _ItemWarnings(self, log):
                for conftest in conftests:
                    self.conftests_for(Path(conftest))
        finally:
            for handler in attached:
                root.addHandler(handler)
            if self._session_log_floor is not None:
                root.setLevel(min(root.level, self._session_log_floor))
            copies = 2 if os.environ.get("PYTEST_XDIST_WORKER") == "gw0" else 1
            self._collect_warnings.extend(("", w) for w in log for _ in range(copies))

    def _conftest_hooks(self, conftests: list[str], name: str,
                        arguments: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
        """The ``name`` hook of each of ``conftests`` (imported here) that defines it,
        with the ``arguments`` it asks for, as pluggy passes them. A hook asking for one
        its hookspec lacks (pytest refuses the conftest), or marked with
        ``pytest.hookimpl`` (ordered or wrapping), raises: the engine's start fails and
        pytest's start-up says what happens."""
        from pluggy._hooks import varnames

        hooks = []
        for path in conftests:
            conftest = Path(path)
            self.conftests_for(conftest)
            hook = getattr(self.conftests.get(conftest), name, None)
            if hook is None:
                continue
            names = varnames(hook)[0]
            if not set(names) <= arguments.keys() or getattr(hook, "pytest_impl", None):
                raise RuntimeError(f"fastest: {path}: {name}{tuple(names)}")
            hooks.append((hook, {n: arguments[n] for n in names}))
        return hooks

    def _conftest_options(self, conftests: list[str], argv: list[str]) -> None:
        """The options and ini keys the initial conftests' ``pytest_addoption``
        registers (``conftests`` in their order of registration), with the values pytest's
        parser gives them from ``argv`` (the command line's tokens for them, which the
        coordinator told from paths by the hooks' source) or their defaults. Any failure
        (a value argparse refuses, a token left over) fails the engine's start: pytest
        runs the session and says what is wrong."""
        from _pytest.config.argparsing import Parser

        parser = Parser(_ispytest=True)
        arguments = {"parser": parser, "pluginmanager": self.config.pluginmanager}
        for hook, kwargs in self._conftest_hooks(conftests, "pytest_addoption", arguments):
            hook(**kwargs)
        self._adopt_options(parser, argv)

    def _adopt_options(self, parser: Any, argv: list[str], strict: bool = True) -> None:
        """The options and ini keys registered with ``parser``, with the values it gives
        them from ``argv`` (or their defaults), into the engine's ``config``; an option
        the import fallback's pytest parsed keeps that value. ``strict``: a token
        ``parser`` does not take fails."""
        namespace, rest = parser.parse_known_and_unknown_args(argv)
        if strict and (rest or getattr(namespace, "file_or_dir", None)):
            raise RuntimeError(f"fastest: options the conftests do not take: {rest}")
        for option in [*parser._anonymous.options, *(o for g in parser._groups for o in g.options)]:
            for name in option.names():
                self.config._opt2dest[name] = option.dest
            if option.dest not in self.config._parsed_dests and option.dest not in self.config._setup_dests:
                setattr(self.config.option, option.dest, getattr(namespace, option.dest, None))
        for name, (_help, kind, default) in parser._inidict.items():
            # pytest 9.2 stores the default for the type already; a key in the ini file
            # is unknown to the coordinator, which hands the session to pytest.
            self.config._added_ini[name] = (kind if isinstance(kind, str) else "string", default)

    def _configure(self, conftests: list[str]) -> None:
        """The conftests' ``pytest_configure`` (``conftests`` in the order pytest calls
        them: the initial ones, innermost first, then the others), with the engine's
        ``config``. Anything pytest's own start-up would show (what a hook prints or
        warns) or the engine's ``config`` lacks (an ``AttributeError``), and any
        failure, fails the engine's start: pytest then runs the session."""
        out, err = io.StringIO(), io.StringIO()
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            arguments = {"config": self.config}
            for hook, kwargs in self._conftest_hooks(conftests, "pytest_configure", arguments):
                hook(**kwargs)
        if caught or out.getvalue() or err.getvalue():
            raise RuntimeError("fastest: a conftest's pytest_configure printed or warned")

    def _header_lines(self, conftests: list[str], plugins: list[Any] = ()) -> dict[str, Any]:
        """pytest's terminal reporter asks ``pytest_report_header`` while it writes the
        header, before collection: of the conftests, only the initial ones (``conftests``,
        in their order of registration, which is the order pytest writes their answers
        in) have registered, all before the terminal reporter. What they print is kept
        (``printed``), for the place where the coordinator writes the header. Whatever
        fails here (a conftest's import, the hook, a hook pytest would refuse) fails the
        engine's start, and pytest runs the session."""
        arguments = {"config": self.config, "start_path": self.config.invocation_params.dir}
        hooks = self._conftest_hooks(conftests, "pytest_report_header", arguments)
        # Installed plugins registered before the conftests: asked after them.
        from pluggy._hooks import varnames

        def tryfirst(m: Any) -> bool:
            return bool((getattr(m.pytest_report_header, "pytest_impl", None) or {}).get("tryfirst"))

        hooks[:0] = [
            (m.pytest_report_header,
             {n: arguments[n] for n in varnames(m.pytest_report_header)[0]})
            for m in plugins
            if not tryfirst(m)
        ]
        # pluggy calls the last registered first; pytest writes the answers reversed.
        answers = []
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            for hook, kwargs in reversed(hooks):
                answers.append(hook(**kwargs))
        lines: list[str] = []
        for answer in reversed(answers):
            if answer is not None:
                lines.extend([answer] if isinstance(answer, str) else list(answer))
        # A `tryfirst` implementation comes after the terminal reporter's own among
        # pluggy's, and its lines below the `plugins:` line (pytest-asyncio's).
        after: list[str] = []
        with contextlib.redirect_stdout(printed):
            for m in plugins:
                if tryfirst(m):
                    hook = m.pytest_report_header
                    answer = hook(**{n: arguments[n] for n in varnames(hook)[0]})
                    if answer is not None:
                        after.extend([answer] if isinstance(answer, str) else list(answer))
        # Registered before the terminal reporter: above its `rootdir:` line.
        return {"before": lines, "after": after, "printed": printed.getvalue()}

    def _log_setting(self, name: str) -> Any:
        """pytest's ``get_option_ini``: the logging plugin's option (``--log-level``,
        ``--log-format``, ``--log-date-format``), else its ini key."""
        value = getattr(self.config.option, name, None)
        if value is None:
            value = self.config.getini(name)
        return value

    def _ini_log_level(self, name: str) -> int | None:
        """pytest's ``get_log_level_for_setting``: the option, else the ini value
        (`log_cli_level` and `log_file_level` options hand the session to pytest); a
        level name or a number."""
        value = self._log_setting(name)
        if not value:
            return None
        value = str(value).upper()
        return int(getattr(logging, value, value))

    def _watch_unraisable(self) -> None:
        """pytest's unraisableexception and threadexception plugins: exceptions in
        ``__del__`` and in threads are recorded as they happen and become pytest's
        warnings at the end of the phase (``Engine._phase``)."""
        import collections
        import threading

        from _pytest import threadexception as _te
        from _pytest import unraisableexception as _ue

        unraisable: collections.deque[Any] = collections.deque()
        self.config.stash[_ue.unraisable_exceptions] = unraisable
        sys.unraisablehook = functools.partial(_ue.unraisable_hook, append=unraisable.append)
        threads: collections.deque[Any] = collections.deque()
        self.config.stash[_te.thread_exceptions] = threads
        threading.excepthook = functools.partial(_te.thread_exception_hook, append=threads.append)
        def collect() -> None:
            # Both plugins' functions do nothing on empty queues: skipped then.
            if unraisable:
                _ue.collect_unraisable(self.config)
            if threads:
                _te.collect_thread_exception(self.config)

        self._collect_unraisable = collect

    def _load_randomly(self, settings: dict[str, Any]) -> None:
        """pytest-randomly, loaded as pytest loads it (rewritten, its ``faker_seed``
        fixture registered), configured with the coordinator's seed and flags instead of
        its ``pytest_configure`` (which would draw a seed of its own and write the
        cache); its ``pytest_sessionstart`` reseeds at once (``tryfirst``). Its
        ``pytest_runtest_*`` hooks are called where pluggy calls them, before pytest's
        own (registered later, called first): ahead of the setup state, the test, the
        teardown."""
        hook = getattr(self, "hook", None)
        if hook is not None:
            hook.mark_rewrite("pytest_randomly")
        module = importlib.import_module("pytest_randomly")
        option = self.config.option
        option.randomly_seed = int(settings["seed"])
        option.randomly_reset_seed = bool(settings["reset"])
        option.randomly_reorganize = bool(settings["reorganize"])
        self.config._opt2dest.update({
            "--randomly-seed": "randomly_seed",
            "--randomly-dont-reset-seed": "randomly_reset_seed",
            "--randomly-dont-reorganize": "randomly_reorganize",
        })
        self.parse_factories(module, "plugin:pytest_randomly")
        module._reseed(self.config)
        self._randomly = module

    def _load_builtin_plugins(self, names: list[str]) -> None:
        """pytest's own plugins the initial conftests' ``pytest_plugins`` name
        (``pytester``), as pytest's ``import_plugin`` loads them: ``_pytest.NAME``, the
        plugins its ``pytest_plugins`` names marked for assertion rewriting (pytester's
        assertions), its fixtures visible everywhere (conftests' override them), its
        options and ini keys at their defaults (the coordinator hands a command line
        that sets one to pytest), then its ``pytest_configure``. With ``pytester``,
        pytest's legacypath plugin adds the ``testdir`` fixture."""
        from _pytest.config.argparsing import Parser

        parser = Parser(_ispytest=True)
        hook = getattr(self, "hook", None)
        loaded = []
        for name in names:
            module = importlib.import_module(f"_pytest.{name}")
            if hook is not None:
                for spec in getattr(module, "pytest_plugins", ()):
                    hook.mark_rewrite(f"_pytest.{spec}")
            self.parse_factories(module, f"plugin:{name}")
            addoption = getattr(module, "pytest_addoption", None)
            if addoption is not None:
                addoption(parser)
            loaded.append(module)
        if "pytester" in names and self._legacy_paths:
            from _pytest.legacypath import LegacyTestdirPlugin

            holder = types.ModuleType("legacypath-pytester")
            holder.testdir = LegacyTestdirPlugin.__dict__["testdir"]  # type: ignore[attr-defined]
            self.parse_factories(holder, "plugin:legacypath-pytester")
        self._adopt_options(parser, [])
        for module in loaded:
            configure = getattr(module, "pytest_configure", None)
            if configure is not None:
                configure(self.config)

    def _load_plugin_fixtures(self, name: str) -> None:
        """An installed plugin that is idle this session (``IDLE_PLUGINS`` in
        invocation.rs: no test names it): its module rewritten and imported as pytest
        loads a ``pytest11`` plugin, its fixtures registered; none of its hooks has
        anything to act on."""
        hook = getattr(self, "hook", None)
        if hook is not None:
            # pytest marks the distribution's top-level packages.
            hook.mark_rewrite(name.partition(".")[0])
        self.parse_factories(importlib.import_module(name), f"plugin:{name}")

    def _load_plugin(self, name: str) -> None:
        """An installed plugin the engine stands in for (``NATIVE_PLUGIN_MODULES`` in
        invocation.rs): rewritten as pytest rewrites ``pytest11`` plugins, its fixtures
        registered after the builtins (visible everywhere, overridable by conftests),
        then its ``pytest_configure``."""
        hook = getattr(self, "hook", None)
        if hook is not None:
            hook.mark_rewrite(name)
        module = importlib.import_module(name)
        self._plugins.append(module)
        self.parse_factories(module, f"plugin:{name}")
        addhooks = getattr(module, "pytest_addhooks", None)
        if addhooks is not None:
            # Its own hooks (pytest-timeout's timer hooks), answered by its module.
            addhooks(self.config.pluginmanager)
        from _pytest.config.argparsing import Parser
        from pluggy._hooks import varnames

        parser = Parser(_ispytest=True)
        given = {
            "parser": parser,
            "pluginmanager": self.config.pluginmanager,
            "early_config": self.config,
            "args": list(self.config.invocation_params.args),
        }
        addoption = getattr(module, "pytest_addoption", None)
        if addoption is not None:
            # Its options (the coordinator's values for those it reads: `--timeout`)
            # and ini keys, as `getoption` and `getini` find them.
            addoption(**{n: given[n] for n in varnames(addoption)[0]})
            # The values given on the command line (addopts too) for its options: the
            # coordinator's tokens for installed plugins' options (other plugins' are
            # left over here).
            self._adopt_options(parser, list(self.setup.get("plugin_option_tokens") or ()), strict=False)
        initial = getattr(module, "pytest_load_initial_conftests", None)
        if initial is not None:
            # Before any conftest is imported, as pytest calls it (pytest-env sets the
            # environment here).
            initial(**{n: given[n] for n in varnames(initial)[0]})
        configure = getattr(module, "pytest_configure", None)
        if configure is not None:
            # pytest's `Config._do_configure`: the configured warning filters on top of
            # always showing deprecations (pytest-asyncio's warns of an unset ini key;
            # shown on stderr, or raised by an `error` filter).
            with warnings.catch_warnings():
                self._apply_session_filters()
                if self._replacement:
                    # The crashed worker before this one showed them.
                    warnings.simplefilter("ignore")
                self.config._loading_gated = name in _WORD_GATED_PLUGINS
                try:
                    configure(self.config)
                finally:
                    self.config._loading_gated = False
        idle = name in _IDLE_RUNTEST_HOOKS
        call = None if idle else getattr(module, "pytest_runtest_call", None)
        if call is not None:
            # Only old-style wrappers (`hookwrapper=True`) are known to the coordinator;
            # anything else fails the engine's start, and pytest runs the session.
            if not (getattr(call, "pytest_impl", None) or {}).get("hookwrapper"):
                raise RuntimeError(f"fastest: {name}.pytest_runtest_call is no hookwrapper")
            self._call_wrappers.append(call)
        # Disabled (the coordinator stands in only then), an idle plugin leaves every
        # item to the default protocol.
        protocol = None if idle else getattr(module, "pytest_runtest_protocol", None)
        if protocol is not None:
            if not (getattr(protocol, "pytest_impl", None) or {}).get("hookwrapper"):
                raise RuntimeError(f"fastest: {name}.pytest_runtest_protocol is no hookwrapper")
            self._protocol_wrappers.append(protocol)
        if name == "_hypothesis_pytestplugin":
            self._hypothesis = module

    # -- assertion comparison explanations (pytest's `callbinrepr`) -----------------
    def _reprcompare(self, op: str, left: object, right: object) -> str | None:
        from _pytest.assertion import pytest_assertrepr_compare

        kwargs = {"config": self.config, "op": op, "left": left, "right": right}
        item = self._current
        hooks = self._item_hooks(item, "pytest_assertrepr_compare") if item is not None else None
        if hooks:
            # The conftests' first (pluggy's order), then pytest's: the first answer.
            answers = self._call_hook("pytest_assertrepr_compare",
                                      [(pytest_assertrepr_compare, _PLAIN)], hooks, kwargs)
        else:
            answers = [pytest_assertrepr_compare(**kwargs)]
        for new_expl in answers:
            if new_expl:
                new_expl = _truncate.materialize_with_truncation(new_expl, self.config)
                if new_expl:
                    new_expl = [line.replace("\n", "\\n") for line in new_expl]
                    res = "\n~".join(new_expl)
                    return res.replace("%", "%%")
        return None

    def caplog_attach(self, item: Item, when: str) -> Any:
        """pytest's logging plugin around a phase: caplog's handler, reset, on the root
        logger, its records kept per phase (``caplog.get_records(when)``)."""
        handler = item.stash.get(_caplog_handler_key)
        if handler is not None and item.stash[_caplog_records_key].get(when) is handler.records:
            return handler  # already attached for this phase
        if self._caplog_handler is None:
            from _pytest.logging import LogCaptureHandler

            self._caplog_handler = LogCaptureHandler()
            self._caplog_handler.setFormatter(self.log_handler.formatter)
        handler = self._caplog_handler
        handler.reset()
        # A new handler per phase in pytest, at the `log_level` (`caplog.set_level`
        # changed it for one test only).
        handler.setLevel(self._log_level if self._log_level is not None else logging.NOTSET)
        item.stash.setdefault(_caplog_records_key, {})[when] = handler.records
        item.stash[_caplog_handler_key] = handler
        for logger in self._log_targets or (logging.getLogger(),):
            logger.addHandler(handler)
        return handler

    def tmp_path_factory(self) -> Any:
        if self._tmp_factory is None:
            basetemp = self.config.option.basetemp
            self._tmp_factory = share_basetemp(
                pytest.TempPathFactory(
                    Path(basetemp) if basetemp else None,
                    int(self.config.getini("tmp_path_retention_count")),
                    self.config.getini("tmp_path_retention_policy"),
                    trace=_Trace(),
                    _ispytest=True,
                ),
                self.setup,
            )
        return self._tmp_factory

    # -- the tree: nodes, modules, conftests -----------------------------------------
    def node_for(self, spec: dict[str, Any]) -> Item:
        chain = spec["chain"]
        # Items of one collector share its chain: found by its innermost key.
        pkey = (chain[-1][0], chain[-1][1]) if chain else None
        parent = self._parents.get(pkey)
        if parent is not None:
            item = (DoctestItem if parent.kind in DOCTEST_COLLECTORS else Item)(spec, parent, self)
            item.path = self._paths[spec["path"]][0]
            return item
        parent = self.session
        cached = self._paths.get(spec["path"])
        if cached is None:
            p = Path(spec["path"])
            cached = self._paths[spec["path"]] = (p, tuple(p.parents))
        path, parents = cached
        dirs = sum(1 for kind, _, _ in spec["chain"] if kind in ("Dir", "Package"))
        seen_dirs = 0
        for kind, key, name in spec["chain"]:
            nkey = f"{kind}:{key}" if kind in DOCTEST_COLLECTORS else key
            node = self.nodes.get(nkey)
            if node is None:
                node = Node(kind, key, name, parent)
                if kind in ("Dir", "Package"):
                    node.path = parents[dirs - 1 - seen_dirs]
                elif kind in DOCTEST_COLLECTORS:
                    node.path = path
                self.nodes[nkey] = node
            if kind in ("Dir", "Package"):
                seen_dirs += 1
            parent = node
        self._parents[pkey] = parent
        item = (DoctestItem if parent.kind in DOCTEST_COLLECTORS else Item)(spec, parent, self)
        item.path = path
        return item

    @classmethod
    def from_json(cls, setup: str) -> Engine:
        import json

        return cls(json.loads(setup))

    def conftests_for(self, path: Path) -> list[Any]:
        if self.noconftest:
            return []
        # Once a directory's conftests are imported, they are the same for every module
        # in it.
        directory = path.parent
        found = self._dir_conftests.get(directory)
        if found is not None:
            return list(found)
        mods = []
        for parent in reversed((directory, *directory.parents)):
            if self.confcutdir is not None and parent in self.confcutdir.parents:
                continue
            conftest = parent / "conftest.py"
            if conftest in self.conftests:
                mod = self.conftests[conftest]
            elif conftest in self._no_conftest:
                continue
            elif conftest.is_file():
                mod = self._import_conftest(conftest)
            else:
                self._no_conftest.add(conftest)
                continue
            mods.append(mod)
        self._dir_conftests[directory] = tuple(mods)
        return mods

    def _import_conftest(self, conftest: Path) -> Any:
        if resolve_package_path(conftest) is None:
            sys.modules.pop(conftest.stem, None)
        mod = import_path(conftest, mode=self.import_mode, root=self.rootdir,
                          consider_namespace_packages=self.config.getini("consider_namespace_packages"))
        self.conftests[conftest] = mod
        if self._runtest_hooks is None and any(hasattr(mod, h) for h in self._hook_names):
            self._runtest_hooks = {}
        self.parse_factories(mod, str(conftest), baseid_path=conftest.parent)
        if self._project_plugins:
            for name in self._project_plugins.get(os.path.realpath(conftest), ()):
                self._load_conftest_plugin(name)
        return mod

    def _load_conftest_plugin(self, name: str) -> None:
        """A module a conftest's ``pytest_plugins`` names, loaded as pytest's
        ``import_plugin`` loads it right after registering the conftest: marked for
        assertion rewriting, imported, its fixtures visible everywhere and overridden by
        every conftest's and module's (pytest's fixtures without a location). The
        coordinator passes only modules whose hooks pytest's collection already applied,
        in pytest's order of registration (a module's own ``pytest_plugins`` after it).
        Its autouse fixtures are the session node's: before every conftest's."""
        hook = getattr(self, "hook", None)
        if hook is not None:
            hook.mark_rewrite(name)
        module = importlib.import_module(name)
        self.parse_factories(module, f"plugin:{name}")

    def module_node(self, item: Item) -> Node:
        node: Node | None = item
        while node is not None:
            if node.kind in MODULE_KINDS:
                return node
            node = node.parent
        raise RuntimeError(f"no module above {item.nodeid}")

    def load_module(self, item: Item) -> Any:
        modnode = self.module_node(item)
        if modnode.obj is not None:
            return modnode.obj
        path = item.path
        assert path is not None
        self._import_initial_conftests()
        log: list[warnings.WarningMessage] = []
        try:
            with _ItemWarnings(self, log):
                self.conftests_for(path)
                # A conftest's doctests (`--doctest-modules`): pytest's collection reaches
                # the file right after it loaded it as its directory's conftest, whose
                # module its import then finds under that name. Imported by basename now,
                # another directory's conftest (loaded since) would hold the name.
                mod = self.conftests.get(path) if path.name == "conftest.py" else None
                if mod is None:
                    mod = import_path(path, mode=self.import_mode, root=self.rootdir,
                                      consider_namespace_packages=self.config.getini("consider_namespace_packages"))
        finally:
            # Tagged with the module's file: the summary lists them at its place in
            # the collection, whichever test's report carries them. An initial
            # conftest's come before every module's (pytest imports it at its start).
            initial = self._initial_conftests
            self._collect_warnings.extend(
                ("" if w.filename in initial else modnode.nodeid, w) for w in log)
        modnode.obj = mod
        modnode.path = path
        modnode.own_markers = get_unpacked_marks(mod)
        for m in modnode.own_markers:
            modnode.keywords[m.name] = m
        if modnode.kind == "Module":
            # pytest's `DoctestModule.collect` registers no xunit fixtures.
            self._xunit_module(mod, modnode)
        self.parse_factories(mod, modnode.nodeid, node_key=modnode.nodeid)
        return mod

    def parse_factories(self, holder: Any, holder_key: str, *, baseid_path: Path | None = None,
                        node_key: str | None = None) -> None:
        if holder_key in self.parsed:
            return
        self.parsed.add(holder_key)

        for name, obj in _holder_attributes(holder):
            # `@staticmethod`/`@classmethod` around or inside `@pytest.fixture`.
            kind: Any = None
            if isinstance(obj, (staticmethod, classmethod)):
                kind, obj = type(obj), obj.__func__
            if not isinstance(obj, FixtureFunctionDefinition):
                continue
            marker = obj._fixture_function_marker
            fname = marker.name or name
            func = obj._get_wrapped_function()
            scope = marker.scope
            if callable(scope):
                scope = scope(fixture_name=fname, config=self.config)
            cls = holder if isinstance(holder, type) else None
            if isinstance(func, (staticmethod, classmethod)):
                kind, func = type(func), func.__func__
            # pytest looks a class's fixture up on the instance: a static method is the
            # plain function (every argument a fixture), a class method is bound to the
            # class; only a plain method is bound to the test's instance (`cls`).
            if kind is staticmethod:
                cls = None
            elif kind is classmethod and cls is not None:
                func, cls = types.MethodType(func, cls), None
            fd = FixtureDef(fname, func, scope, marker.params, marker.ids, marker.autouse,
                            holder_key, baseid_path, node_key, cls)
            self._register(fd)

    def _register(self, fd: FixtureDef) -> None:
        defs = self.fixturedefs.setdefault(fd.argname, [])
        if fd.holder.startswith("plugin:") and defs:
            # pytest's `_register_fixture`: a plugin's definition goes after the other
            # plugins' (and the builtins') but before every conftest's and module's.
            at = 0
            while at < len(defs) and (defs[at].holder == "builtin" or defs[at].holder.startswith("plugin:")):
                at += 1
            defs.insert(at, fd)
        else:
            defs.append(fd)
        if fd.autouse:
            self.autouse.append(fd)
        self._defs_gen += 1

    def _setup_package(self, node: Node) -> None:
        """pytest's ``Package.setup``: the package's ``__init__.py`` imported as a test
        module is (already done, as a rule, by importing a module inside it; executed
        here when its directory is no importable package name), then its
        ``setup_module``/``setUpModule``, with ``teardown_module``/``tearDownModule`` as
        the node's finalizer."""
        from _pytest.python import _call_with_optional_argument, _get_first_non_fixture_func

        mod = import_path(node.path / "__init__.py", mode=self.import_mode, root=self.rootdir,
                          consider_namespace_packages=self.config.getini("consider_namespace_packages"))
        setup = _get_first_non_fixture_func(mod, ("setUpModule", "setup_module"))
        if setup is not None:
            _call_with_optional_argument(setup, mod)
        teardown = _get_first_non_fixture_func(mod, ("tearDownModule", "teardown_module"))
        if teardown is not None:
            self.setupstate.addfinalizer(
                functools.partial(_call_with_optional_argument, teardown, mod), node)

    def _xunit_module(self, mod: Any, modnode: Node) -> None:
        setup = _first_attr(mod, ("setUpModule", "setup_module"))
        teardown = _first_attr(mod, ("tearDownModule", "teardown_module"))
        if setup is not None or teardown is not None:
            def xunit_setup_module_fixture(request: FixtureRequest):
                if setup is not None:
                    _call_optional(setup, request.module, "module")
                yield
                if teardown is not None:
                    _call_optional(teardown, request.module, "module")

            name = f"_xunit_setup_module_fixture_{mod.__name__}"
            fd = FixtureDef(name, xunit_setup_module_fixture, "module", None, None, True,
                            modnode.nodeid, None, modnode.nodeid)
            fd.xunit = True
            self._register(fd)
        setup_f = _first_attr(mod, ("setup_function",))
        teardown_f = _first_attr(mod, ("teardown_function",))
        if setup_f is not None or teardown_f is not None:
            def xunit_setup_function_fixture(request: FixtureRequest):
                if request.instance is not None:
                    yield
                    return
                function = request.function
                if setup_f is not None:
                    _call_optional(setup_f, function, "function")
                yield
                if teardown_f is not None:
                    _call_optional(teardown_f, function, "function")

            name = f"_xunit_setup_function_fixture_{mod.__name__}"
            fd = FixtureDef(name, xunit_setup_function_fixture, "function", None, None, True,
                            modnode.nodeid, None, modnode.nodeid)
            fd.xunit = True
            self._register(fd)

    def _unittest_class(self, cls: type, clsnode: Node) -> None:
        """pytest's ``UnitTestCase.collect``: autouse fixtures for a skipped class, or
        for ``setup_method``, ``setUpClass``/``tearDownClass`` and ``setup_class``."""
        qualname = cls.__qualname__

        def register(name: str, func: Any, scope: str) -> None:
            self._register(FixtureDef(name, func, scope, None, None, True, clsnode.nodeid,
                                      None, clsnode.nodeid))

        if getattr(cls, "__unittest_skip__", False):
            def unittest_skip_fixture(request: FixtureRequest) -> None:
                raise outcomes.Skipped(getattr(cls, "__unittest_skip_why__", ""),
                                       _use_item_location=True)

            register(f"_unittest_skip_fixture_{qualname}", unittest_skip_fixture, "class")
            return
        setup_m = getattr(cls, "setup_method", None)
        teardown_m = getattr(cls, "teardown_method", None)
        if setup_m is not None or teardown_m is not None:
            def unittest_setup_method_fixture(request: FixtureRequest):
                instance = request.instance
                if getattr(instance, "__unittest_skip__", False):
                    raise outcomes.Skipped(instance.__unittest_skip_why__, _use_item_location=True)
                if setup_m is not None:
                    setup_m(instance, request.function)
                yield
                if teardown_m is not None:
                    teardown_m(instance, request.function)

            register(f"_unittest_setup_method_fixture_{qualname}", unittest_setup_method_fixture,
                     "function")
        setup = getattr(cls, "setUpClass", None)
        teardown = getattr(cls, "tearDownClass", None)
        cleanup = getattr(cls, "doClassCleanups", lambda: None)

        def class_cleanup_errors() -> None:
            # unittest keeps errors of class cleanups in `tearDown_exceptions`.
            errors = [exc for (_, exc, _) in getattr(cls, "tearDown_exceptions", None) or ()]
            if len(errors) == 1:
                raise errors[0]
            if errors:
                raise ExceptionGroup("Unittest class cleanup errors", errors)

        def unittest_setup_class_fixture(request: FixtureRequest):
            klass = request.cls
            if getattr(klass, "__unittest_skip__", False):
                raise outcomes.Skipped(klass.__unittest_skip_why__, _use_item_location=True)
            if setup is not None:
                try:
                    setup()
                except Exception:
                    # unittest runs class cleanups after a failed setUpClass, not
                    # after other BaseExceptions.
                    cleanup()
                    class_cleanup_errors()
                    raise
            yield
            try:
                if teardown is not None:
                    teardown()
            finally:
                cleanup()
                class_cleanup_errors()

        register(f"_unittest_setUpClass_fixture_{qualname}", unittest_setup_class_fixture, "class")
        self._xunit_class(cls, clsnode, methods=False)

    def _xunit_class(self, cls: type, clsnode: Node, methods: bool = True) -> None:
        setup = getattr(cls, "setup_class", None)
        teardown = getattr(cls, "teardown_class", None)
        if setup is not None or teardown is not None:
            def xunit_setup_class_fixture(request: FixtureRequest):
                klass = request.cls
                if setup is not None:
                    func = getattr(setup, "__func__", setup)
                    _call_optional(func, klass, "class")
                yield
                if teardown is not None:
                    func = getattr(teardown, "__func__", teardown)
                    _call_optional(func, klass, "class")

            name = f"_xunit_setup_class_fixture_{cls.__qualname__}"
            fd = FixtureDef(name, xunit_setup_class_fixture, "class", None, None, True,
                            clsnode.nodeid, None, clsnode.nodeid)
            self._register(fd)
        setup_m = getattr(cls, "setup_method", None) if methods else None
        teardown_m = getattr(cls, "teardown_method", None) if methods else None
        if setup_m is not None or teardown_m is not None:
            def xunit_setup_method_fixture(request: FixtureRequest):
                method = request.function
                if setup_m is not None:
                    func = getattr(request.instance, "setup_method")
                    _call_optional(func, method, "method")
                yield
                if teardown_m is not None:
                    func = getattr(request.instance, "teardown_method")
                    _call_optional(func, method, "method")

            name = f"_xunit_setup_method_fixture_{cls.__qualname__}"
            fd = FixtureDef(name, xunit_setup_method_fixture, "function", None, None, True,
                            clsnode.nodeid, None, clsnode.nodeid)
            self._register(fd)

    def prepare(self, item: Item) -> None:
        """Bind the item to its live objects: module, classes, function, marks, params."""
        if isinstance(item, DoctestItem):
            self.prepare_doctest(item)
            return
        mod = self.load_module(item)
        obj: Any = mod
        holder_nodes = []
        for node in item.listchain():
            if node.kind in CLASS_KINDS:
                if node.obj is None:
                    node.obj = getattr(obj, node.name)
                    # pytest's collection binds every test of the class before any runs:
                    # what a class setup later puts in their place (argcomplete's
                    # `setUpClass` wraps tests in `unittest.skip`) is not what runs.
                    node._collected = _class_attributes(node.obj)
                    node.own_markers = get_unpacked_marks(node.obj, consider_mro=True)
                    for m in node.own_markers:
                        node.keywords[m.name] = m
                    if node.kind == "UnitTestCase":
                        self._unittest_class(node.obj, node)
                    else:
                        self._xunit_class(node.obj, node)
                    self.parse_factories(node.obj, node.nodeid, node_key=node.nodeid)
                obj = node.obj
                holder_nodes.append(node)
        info = self._func_info(item, obj, holder_nodes)
        func = info.func
        if holder_nodes and holder_nodes[-1].kind == "UnitTestCase":
            # pytest's `TestCaseFunction`: an instance per test, made with the test's name.
            item._excinfo = []
            item.instance = holder_nodes[-1].obj(item.name)
            item.function = _as_collected(holder_nodes[-1], item.instance, item.originalname)
        elif holder_nodes:
            item.instance = holder_nodes[-1].obj()
            item.function = _as_collected(holder_nodes[-1], item.instance, item.originalname)
        else:
            item.function = func
        item.obj = item.function
        item.own_markers = list(info.marks)
        item.keywords.update(func.__dict__)
        # Parametrization: the coordinator says which argvalue of which call.
        for source, key, index, *check in item.spec["callspec"]:
            if source == "mark":
                mark, argnames, params = info.parametrize(key, self.config, item.nodeid)
                if check and check[0] is not None:
                    found = _set_by_values(params, index, check[0])
                    if found is None:
                        mark_volatile(self.rootdir, str(item.path))
                    else:
                        index = found
                pset = params[index]
                indirect = mark.kwargs.get("indirect", False)
                for name, value in zip(argnames, pset.values):
                    is_indirect = indirect is True or (
                        isinstance(indirect, (list, tuple)) and name in indirect
                    )
                    if is_indirect:
                        item.fixture_params[name] = (value, index)
                    else:
                        item.callspec_params[name] = value
                    item._indices[name] = index
                item.own_markers.extend(pset.marks)
            else:
                defs = self.visible_defs(item, key)
                fd = defs[-1]
                param = fd.params[index]
                if isinstance(param, ParameterSet):
                    # `params=[pytest.param(value, id=..., marks=...)]`: pytest's
                    # parametrize unwraps it; its marks join the item's.
                    item.own_markers.extend(normalize_mark_list(param.marks))
                    param = param.values[0]
                item.fixture_params[key] = (param, index)
                item._indices[key] = index
        added = item.spec.get("added_marks")
        if added:
            # What a conftest's `pytest_collection_modifyitems` added (`add_marker`):
            # before the item's own marks, or after them.
            first, last = [], []
            for text in added:
                position, m = json.loads(text)
                mark = Mark(m["name"], decode_value(m["args"]), decode_value(m["kwargs"]),
                            _ispytest=True)
                (first if position == 0 else last).append(mark)
            item.own_markers[:0] = first
            item.own_markers.extend(last)
        if self._hypothesis is not None and "hypothesis" in sys.modules and not any(
            json.loads(text)[1]["name"] == "hypothesis" for text in added or ()
        ):
            # hypothesis's `pytest_collection_modifyitems` marks its tests (after the
            # conftests' hooks; the import fallback's pytest ran it when it collected).
            from hypothesis import is_hypothesis_test

            if is_hypothesis_test(item.obj):
                item.own_markers.append(Mark("hypothesis", (), {}, _ispytest=True))
        for m in item.own_markers:
            item.keywords[m.name] = m
        domain = ".".join([n.name for n in holder_nodes] + [item.name])
        item._location = (info.relpath, info.lineno, domain)
        # TestCase methods take no fixture arguments (pytest's `nofuncargs`).
        item.argnames = () if item._excinfo is not None else info.argnames
        usefixtures = tuple(
            name for mark in item._markers("usefixtures") for name in mark.args
        )
        # The closure depends on the collectors above, the names the test asks for
        # and which of them parametrize sets directly (not on the function itself).
        ckey = (item.parent.nodeid, item.argnames, tuple(item.callspec_params),
                usefixtures, self._defs_gen)
        closure = self._closures.get(ckey)
        if closure is None:
            closure = self._closures[ckey] = self.closure(item, usefixtures)
        item.fixturenames = closure

    def prepare_doctest(self, item: DoctestItem) -> None:
        """pytest's ``DoctestModule``/``DoctestTextfile`` collection, once per file: the
        module imported as a test module is (marks and fixtures included), then pytest's
        own ``collect`` finds the doctests (its mock-aware finder, option flags, runner
        and checker); the item takes the one named as discovery named it."""
        collector = item.parent
        assert collector is not None
        if collector.kind == "DoctestModule":
            self.load_module(item)
        else:
            self.conftests_for(item.path)
        found = collector.stash.get("doctests")
        used = collector.stash.setdefault("doctests_used", set())
        if found is None or item.name in used:
            # A file collected twice (`--keep-duplicates`, a conftest's own collector
            # beside `--doctest-modules`) has a collector, and doctests, per collection
            # under pytest: a doctest run clears its globals.
            found = collector.stash["doctests"] = self._collect_doctests(collector)
            used.clear()
        used.add(item.name)
        try:
            item.runner, item.dtest = found[item.name]
        except KeyError:
            raise RuntimeError(
                f"fastest: pytest's doctest collection of {collector.nodeid} has no "
                f"{item.name!r} (found: {', '.join(found) or 'none'})"
            ) from None
        # pytest's `NodeKeywords` reach the collectors' (the module's marks).
        for node in item.listchain()[:-1]:
            for key, value in node.keywords.items():
                item.keywords.setdefault(key, value)
        rel = self._relpath(str(item.path))
        item._location = (rel, item.dtest.lineno, f"[doctest] {item.name}")
        item.argnames = ()
        usefixtures = tuple(
            name for mark in item.iter_markers(name="usefixtures") for name in mark.args
        )
        ckey = ("doctest", collector.nodeid, usefixtures, self._defs_gen)
        closure = self._closures.get(ckey)
        if closure is None:
            closure = self._closures[ckey] = self.closure(item, usefixtures)
        item.fixturenames = closure

    def _collect_doctests(self, collector: Node) -> dict[str, tuple[Any, Any]]:
        from _pytest import doctest as pytest_doctest

        cls = (pytest_doctest.DoctestModule if collector.kind == "DoctestModule"
               else pytest_doctest.DoctestTextfile)
        # The collectors build `DoctestItem`s by that module-level name: while they run,
        # it names a recorder instead (a worker runs no pytest session of its own).
        real = pytest_doctest.DoctestItem
        pytest_doctest.DoctestItem = _FoundDoctest  # type: ignore[misc,assignment]
        # doctest's finder keeps the objects whose `__module__` names the module in
        # `sys.modules`: under pytest, the module holds its name while its file is
        # collected. A conftest's may have passed to another directory's since.
        module = collector.obj if collector.kind == "DoctestModule" else None
        name = getattr(module, "__name__", None)
        held = sys.modules.get(name) if name else None
        swap = name is not None and held is not module
        if swap:
            sys.modules[name] = module
        try:
            found = list(cls.collect(_DoctestCollector(self, collector)))  # type: ignore[arg-type]
        finally:
            pytest_doctest.DoctestItem = real  # type: ignore[misc]
            if swap:
                if held is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = held
        return {name: (runner, dtest) for name, runner, dtest in found}

    def _relpath(self, filename: str) -> str:
        rel = self._relpaths.get(filename)
        if rel is None:
            rel = os.path.relpath(os.path.abspath(filename), str(self.rootdir)).replace(os.sep, "/")
            self._relpaths[filename] = rel
        return rel

    def _func_info(self, item: Item, holder: Any, holder_nodes: list[Node]) -> FuncInfo:
        key = (item.parent.nodeid, item.originalname)
        info = self._funcs.get(key)
        if info is None:
            if holder_nodes:
                func = _as_collected(holder_nodes[-1], None, item.originalname)
            else:
                func = getattr(holder, item.originalname)
            marks = list(get_unpacked_marks(func))
            parametrize = [m for m in marks if m.name == "parametrize"]
            parametrize += list(item.parent.iter_markers(name="parametrize"))
            cls = holder_nodes[-1].obj if holder_nodes else None
            rel, lineno = self._location(func)
            argnames = _argnames(func, item.originalname, cls)
            info = self._funcs[key] = FuncInfo(func, marks, parametrize, rel, lineno, argnames)
        return info

    def _location(self, func: Any) -> tuple[str, int]:
        """pytest's `getfslineno`, with the path relative to the rootdir; plain
        functions read straight off their code object."""
        code = getattr(func, "__code__", None)
        if (
            type(func) is types.FunctionType
            and code is not None
            and not hasattr(func, "__wrapped__")
            and not hasattr(func, "place_as")
        ):
            filename, lineno = code.co_filename, code.co_firstlineno - 1
        else:
            path, lineno = getfslineno(func)
            filename = str(path)
        return self._relpath(filename), lineno

    def visible_defs(self, item: Item, name: str) -> list[FixtureDef]:
        # Visibility depends on the collectors above the item, not on the item: cached
        # per parent node until a new definition is registered.
        parent = item.parent
        cache = parent._visible if parent is not None else None
        if cache is None or cache[0] != self._defs_gen:
            cache = (self._defs_gen, {}, {n.nodeid for n in item.listchain()})
            if parent is not None:
                parent._visible = cache
        found = cache[1].get(name)
        if found is None:
            keys = cache[2]
            found = cache[1][name] = [
                fd for fd in self.fixturedefs.get(name, []) if fd.visible_to(item, keys)
            ]
        return found

    def closure(self, item: Item, usefixtures: tuple[str, ...]) -> list[str]:
        keys = {n.nodeid for n in item.listchain()}
        chain = item.listchain()
        autouse: list[str] = []
        # pytest orders autouse names by the node that defines them, outermost first.
        by_holder: dict[str, list[str]] = {}
        doctest = isinstance(item, DoctestItem)
        # The ini's `usefixtures` are the session's autouse names, before all others.
        autouse.extend(self.config.getini("usefixtures"))
        for fd in self.autouse:
            if fd.visible_to(item, keys) and not (doctest and fd.xunit):
                by_holder.setdefault(fd.holder, []).append(fd.argname)
        # Installed plugins' autouse fixtures are the session node's, registered before
        # any conftest's (pytest-mock's, Faker's), in their order of registration.
        for h, names in by_holder.items():
            if h.startswith("plugin:"):
                autouse.extend(names)
        conftest_holders = sorted(
            (h for h in by_holder if h.endswith("conftest.py")), key=lambda h: len(Path(h).parts)
        )
        for h in conftest_holders:
            autouse.extend(by_holder[h])
        for node in chain:
            autouse.extend(by_holder.get(node.nodeid, []))
        initial = autouse + list(usefixtures) + list(item.argnames)
        direct = set(item.callspec_params)
        order: list[str] = []
        # pytest's `traverse_fixture_closure`: depth first, each name once, following
        # override chains (a fixture requesting its own name reaches the one it hides).
        indices: dict[str, int] = {}

        def visit(name: str) -> None:
            index = indices.get(name)
            if index == -1:
                return
            if index is None:
                order.append(name)
                indices[name] = -1
            if name in direct:
                return
            defs = self.visible_defs(item, name)
            if not defs:
                return
            index = indices.get(name, -1)
            if -index > len(defs):
                return
            fd = defs[index]
            indices[name] = index - 1
            for dep in fd.argnames:
                visit(dep)
            indices[name] = index

        for name in initial:
            visit(name)

        def scope_of(name: str) -> int:
            defs = self.visible_defs(item, name)
            return SCOPE_RANK[defs[-1].scope] if defs and name not in direct else SCOPE_RANK["function"]

        return sorted(order, key=scope_of)

    def scope_node(self, item: Item, scope: str, fixturedef: FixtureDef | None) -> Node:
        if scope == "function":
            return item
        if scope == "class":
            for node in item.iter_parents():
                if node.kind in CLASS_KINDS:
                    return node
            return item
        if scope == "module":
            return self.module_node(item)
        if scope == "package":
            if fixturedef is not None and fixturedef.baseid_path is not None:
                for node in item.iter_parents():
                    if node.kind == "Package" and node.path == fixturedef.baseid_path:
                        return node
            return self.session
        return self.session

    # -- fixtures -----------------------------------------------------------------------
    def getfixturevalue(self, request: FixtureRequest, argname: str) -> Any:
        item = request._item
        if argname in item.callspec_params:
            return item.callspec_params[argname]
        defs = self.visible_defs(item, argname)
        # A fixture requesting its own name gets the definition it overrides.
        depth = request._stack().count(argname)
        if not defs or depth >= len(defs):
            raise FixtureLookupError(argname, request._fixturestack())
        fd = defs[-1 - depth]
        if argname == "request" and fd.holder == "builtin":
            return request
        has_param = argname in item.fixture_params
        param, index = item.fixture_params.get(argname, (None, 0))
        sub = FixtureRequest(item, self, fd, request, param, index, has_param)
        self._check_scope(request, fd)
        return self.execute(fd, sub)

    def _check_scope(self, request: FixtureRequest, fd: FixtureDef) -> None:
        if request._fixturedef is None:
            return
        if SCOPE_RANK[fd.scope] > SCOPE_RANK[request.scope]:
            raise ScopeMismatch(request, fd)

    def execute(self, fd: FixtureDef, request: FixtureRequest) -> Any:
        # The fixtures this one needs finalize it when they are torn down.
        needed = []
        for arg in fd.argnames:
            if arg in request._item.callspec_params:
                continue
            defs = self.visible_defs(request._item, arg)
            depth = request._stack().count(arg)
            if defs and depth < len(defs) and not (arg == "request" and defs[-1 - depth].holder == "builtin"):
                needed.append(defs[-1 - depth])
        key = getattr(request, "param", None)
        if fd.cached_result is not None:
            if _same_key(key, fd.cached_result[1]):
                if fd.cached_result[2] is not None:
                    exc, tb = fd.cached_result[2]
                    raise exc.with_traceback(tb)
                return fd.cached_result[0]
            fd.finish(request)
        finalizer = functools.partial(fd.finish, request=request)
        for parent in needed:
            parent.addfinalizer(finalizer)
        try:
            kwargs = {arg: request.getfixturevalue(arg) for arg in fd.argnames}
            func = fd.func
            if fd.cls is not None and not isinstance(
                inspect.getattr_static(fd.cls, fd.func.__name__, None), staticmethod
            ):
                # pytest binds a class's fixture to the test's own instance.
                instance = request._item.instance
                if not isinstance(instance, fd.cls):
                    instance = fd.cls()
                func = func.__get__(instance)
                if fd.scope != "function":
                    _warn_instance_method_fixture(fd)
            try:
                if inspect.isgeneratorfunction(fd.func):
                    gen = _call_fixture(func, **kwargs)
                    try:
                        result = _call_fixture(next, gen)
                    except StopIteration:
                        raise ValueError(f"{fd.argname} did not yield a value") from None
                    fd.addfinalizer(functools.partial(_teardown_yield, fd.func, gen))
                else:
                    result = _call_fixture(func, **kwargs)
            except TEST_OUTCOME as e:
                if isinstance(e, outcomes.Skipped):
                    # pytest's `pytest_fixture_setup`: the skip is reported at the
                    # test that requested the fixture, not inside the fixture.
                    e._use_item_location = True
                fd.cached_result = (None, key, (e, e.__traceback__))
                raise
            fd.cached_result = (result, key, None)
            return result
        finally:
            self.setupstate.addfinalizer(finalizer, request.node)

    def preimport(self) -> list[str]:
        """Import the session's test modules (and their conftests) in collection order
        before the first test runs, as pytest's collection does: a module's import-time
        code never sees what earlier modules' tests did. What an import prints is
        collection's, shown nowhere. Returns the node ids of the specs whose module
        failed to import (or skipped itself): the coordinator may have pytest's
        collection report them; otherwise each is tried again when its first test runs,
        which reports the failure. (The worker calls this once the engine is made and
        its header lines are sent.)"""
        specs, self._preimport = self._preimport, []
        failed: list[str] = []
        for spec in specs:
            try:
                # (A module with no item, `import_only`, is imported all the same.)
                self.load_module(self.node_for(spec))
            except (KeyboardInterrupt, outcomes.Exit) as e:
                # Raised at the first test, where the session's interruption is handled.
                self._interrupted_import = e
                break
            except BaseException:
                failed.append(spec["nodeid"])
            finally:
                self.capture.read()
        return failed

    # -- one item -------------------------------------------------------------------
    def run(self, spec: dict[str, Any], next_spec: dict[str, Any] | None) -> list[dict[str, Any]]:
        """All of an item's reports at once (tests and tools; the worker streams)."""
        return list(self.phases(spec, next_spec))

    def phases(self, spec: dict[str, Any], next_spec: dict[str, Any] | None, known: bool = True):
        """Run one item, yielding each phase's report as soon as the phase is over
        (pytest logs a test's outcome before its teardown runs). Warnings recorded
        anywhere in the item go with its last report.

        With ``known`` false the successor is not known yet: before the teardown (the
        only phase that needs pytest's ``nextitem``) the generator yields ``None`` and
        expects the successor's spec (or ``None``: the session ends) through ``send``.
        """
        if self._interrupted_import is not None:
            e, self._interrupted_import = self._interrupted_import, None
            raise e
        cached = self._next
        item = cached if cached is not None and cached.nodeid == spec["nodeid"] else self.node_for(spec)
        self._current = item
        self._items_begun += 1
        log: list[warnings.WarningMessage] = []
        ctx = self._catch_warnings(item, log)
        ctx.__enter__()
        # Started by `_setup` once the item is bound (its marks known), as pytest's
        # collection precedes the protocol.
        wrappers = self._protocol = [] if self._protocol_wrappers else None
        try:
            rep = self._phase(item, "setup", self._setup)
            self._count_failure(rep)
            if rep["outcome"] == "passed":
                yield from self._between(wrappers, rep)
                rep = self._phase(item, "call", self._call)
                self._count_failure(rep)
                pending, self._subtest_reports = self._subtest_reports, []
                for sub in pending:
                    yield from self._between(wrappers, sub)
            yield from self._between(wrappers, rep)
            # Stopping (`-x`, `--maxfail`): everything is torn down now.
            if self.shouldfail:
                nextitem = None
            else:
                if not known:
                    next_spec = yield from self._between(wrappers, None)
                nextitem = self.node_for(next_spec) if next_spec is not None else None
            self._next = nextitem
            hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_teardown")
            if hooks:
                def teardown(it: Item) -> None:
                    self._call_hook("pytest_runtest_teardown", [(self._teardown, _PLAIN)],
                                    hooks, {"item": it, "nextitem": nextitem})
            else:
                def teardown(it: Item) -> None:
                    self._teardown(it, nextitem)
            last = self._phase(item, "teardown", teardown)
            self._count_failure(last)
        finally:
            if wrappers:
                self._finish_wrappers(wrappers)
            ctx.__exit__(None, None, None)
        pending = self._pending_warnings() + [
            {"nodeid": item.nodeid, "message": warning_record_to_str(w),
             "fslocation": [w.filename, w.lineno]}
            for w in log
        ]
        if pending:
            last["warnings"] = pending
        yield last
        if self._pending_logreport is not None:
            self._logreport_later()
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_logfinish")
        if hooks and getattr(item, "_location", None) is not None:
            self._log_hook(item, "pytest_runtest_logfinish", hooks)

    def _pending_warnings(self) -> list[dict[str, Any]]:
        """The configuration's and the imports' warnings no report has carried yet
        (they go with the next item's last report), as report warnings."""
        collected, self._collect_warnings = self._collect_warnings, []
        configured, self._config_warnings = self._config_warnings, []
        if self._warnings_blocked:
            # No warnings plugin, no `pytest_warning_recorded`: nothing to summarise.
            return []
        return [
            {"nodeid": "", "message": warning_record_to_str(w),
             "fslocation": [w.filename, w.lineno]}
            for w in configured
        ] + [
            {"nodeid": "", "file": file, "message": warning_record_to_str(w),
             "fslocation": [w.filename, w.lineno]}
            for file, w in collected
        ]

    def terminal_summary(self) -> str | None:
        """What plugins add to the terminal summary from this worker: nothing of the
        native engine's (the pytest engine's has pytest-benchmark's table)."""
        return None

    def unreported_warnings(self) -> str:
        """Called before ``finish``: the warnings no item's report took (the imports
        of modules whose tests were all deselected raised them), as JSON."""
        return json.dumps(self._pending_warnings())

    def _item_hooks(self, item: Item, name: str) -> list[Any] | None:
        """The ``name`` implementations (``_hook_names``) of the conftests above
        ``item``, as pluggy ``HookImpl``s in pytest's order of registration (outermost
        conftest first), or ``None``. pytest calls these through the item's hook proxy,
        which leaves out the conftests of other directories."""
        found = self._runtest_hooks
        if found is None:
            return None
        directory = item.path.parent
        hooks = found.get(directory)
        if hooks is None:
            from pluggy import HookImpl

            hooks = {}
            for mod in self.conftests_for(item.path):
                for hook in self._hook_names:
                    func = getattr(mod, hook, None)
                    if func is None:
                        continue
                    opts = dict(_PLAIN, **(getattr(func, "pytest_impl", None) or {}))
                    impl = HookImpl(mod, str(mod.__file__), func, opts)
                    if hook in _CAPTURED_HOOKS and (impl.wrapper or impl.hookwrapper):
                        impl = self._uncaptured(impl)
                    hooks.setdefault(hook, []).append(impl)
            found[directory] = hooks
        return hooks.get(name)

    def _to_terminal(self, out: str, err: str) -> None:
        """Writes what pytest would have written with its capture suspended, after
        what the coordinator has yet to show."""
        if not out and not err:
            return
        with self.config._plugins["capturemanager"].global_and_fixture_disabled():
            for stream, text in ((sys.stdout, out), (sys.stderr, err)):
                if text:
                    stream.write(text)
                    stream.flush()

    def _uncaptured(self, impl: Any) -> Any:
        """A conftest's wrapper of a runtest phase, run as pytest runs it: outside
        the capture of the phase (pytest's capture wrapper is registered first, so
        inside every conftest's but a ``trylast`` one's)."""
        if impl.trylast or self.capture._cap is None:
            return impl
        func = impl.function
        manager = self.config._plugins["capturemanager"]

        def step(gen: Any, how: Any, value: Any) -> Any:
            with manager.global_and_fixture_disabled():
                return how(value) if how is not None else next(gen)

        def proxy(*args: Any) -> Any:
            gen = func(*args)
            sent = step(gen, None, None)
            while True:
                try:
                    value = yield sent
                except BaseException as e:
                    how, value = gen.throw, e
                else:
                    how = gen.send
                try:
                    sent = step(gen, how, value)
                except StopIteration as stop:
                    return stop.value

        import copy

        wrapped = copy.copy(impl)
        wrapped.function = proxy
        return wrapped

    @staticmethod
    def _call_hook(name: str, own: list[tuple[Any, dict[str, Any]]], conftests: list[Any],
                   kwargs: dict[str, Any], firstresult: bool = False) -> Any:
        """Calls hook ``name`` as pluggy would with pytest's own implementations
        (``own``: the engine's parts standing for pytest's plugins, registered before
        any conftest) and the conftests' (``_item_hooks``), in pluggy's order: wrappers
        around the rest, ``tryfirst`` first, ``trylast`` last, and otherwise the last
        registered first."""
        from pluggy import HookImpl
        from pluggy._callers import _multicall

        impls = [HookImpl(None, f"fastest-{i}", func, opts) for i, (func, opts) in enumerate(own)]
        impls += conftests

        def arranged(group: list[Any]) -> list[Any]:
            # pluggy's `HookCaller._add_hookimpl`: `_multicall` calls from the end.
            return ([i for i in reversed(group) if i.trylast]
                    + [i for i in group if not i.trylast and not i.tryfirst]
                    + [i for i in group if i.tryfirst])

        wrappers = [i for i in impls if i.hookwrapper or i.wrapper]
        plain = [i for i in impls if not (i.hookwrapper or i.wrapper)]
        return _multicall(name, arranged(plain) + arranged(wrappers), kwargs, firstresult)

    def _logreport(self, item: Item, rep: dict[str, Any], when: str, duration: float,
                   hooks: list[Any]) -> None:
        """The conftests' ``pytest_runtest_logreport`` with the phase's ``TestReport``,
        each on the side of pytest's terminal reporter (a plain implementation,
        registered at ``pytest_configure``: after the initial conftests, before the
        others) pluggy puts it: those called before it now (what they print comes
        before the outcome's letter), the others once the report is sent."""
        report = self._test_report(item, rep, when, duration, self._last_repr)
        initial = self._initial_conftests
        if any(h.wrapper or h.hookwrapper for h in hooks):
            now, later = hooks, []
        else:
            now = [h for h in hooks
                   if h.tryfirst or (not h.trylast and h.plugin_name not in initial)]
            later = [h for h in hooks if h not in now]
        if later:
            self._pending_logreport = (later, report)
        if now:
            try:
                self._call_hook("pytest_runtest_logreport", [], now, {"report": report})
            finally:
                self._to_terminal(*self.capture.read())

    def _log_hook(self, item: Item, name: str, hooks: list[Any]) -> None:
        """The conftests' ``pytest_runtest_logstart`` or ``pytest_runtest_logfinish``:
        pytest calls them outside any phase, its capture suspended."""
        with self.config._plugins["capturemanager"].global_and_fixture_disabled():
            self._call_hook(name, [], hooks, {"nodeid": item.nodeid, "location": item.location})

    def _logreport_later(self) -> None:
        """The ``pytest_runtest_logreport`` implementations pytest calls after its
        terminal reporter's, now that the report is out."""
        hooks, report = self._pending_logreport
        self._pending_logreport = None
        try:
            self._call_hook("pytest_runtest_logreport", [], hooks, {"report": report})
        finally:
            self._to_terminal(*self.capture.read())

    @staticmethod
    def _test_report(item: Item, rep: dict[str, Any], when: str, duration: float,
                     failure: Any) -> Any:
        """pytest's ``TestReport`` for the phase report ``rep`` (``failure``: the
        failure's repr behind its ``longrepr``, if any), for conftests' hooks."""
        import time

        from _pytest.reports import TestReport

        if rep["skip"] is not None:
            longrepr: Any = tuple(rep["skip"])
        elif failure is not None:
            longrepr = failure
        else:
            longrepr = rep["longrepr"]
        stop = time.time()
        report = TestReport(
            rep["nodeid"], tuple(rep["location"]), {k: 1 for k in item.keywords},
            rep["outcome"], longrepr, when, [tuple(s) for s in rep["sections"]], duration,
            stop - duration, stop, list(item.user_properties),
        )
        if rep["wasxfail"] is not None:
            report.wasxfail = rep["wasxfail"]
        return report

    def _hooked_report(self, item: Item, when: str, excinfo: Any, duration: float,
                       hooks: list[Any]) -> dict[str, Any]:
        """The phase's report through the conftests' ``pytest_runtest_makereport``:
        pytest's ``CallInfo`` for the phase, and the ``TestReport`` pytest's runner
        makes (after the conftests' plain implementations: the sections they add are
        in it), which their wrappers see and may change (what they change goes into
        the report)."""
        import time

        from _pytest.runner import CallInfo

        stop = time.time()
        call = CallInfo(None, excinfo, stop - duration, stop, duration, when, _ispytest=True)
        made: dict[str, Any] = {}

        def runner(item: Item, call: Any) -> Any:
            rep = made["rep"] = self._make_report(item, when, excinfo, duration)
            report = self._test_report(item, rep, when, duration, self._last_repr)
            made["longrepr"] = report.longrepr
            made["sections"] = list(report.sections)
            return report

        try:
            got = self._call_hook("pytest_runtest_makereport", [(runner, _PLAIN)], hooks,
                                  {"item": item, "call": call}, firstresult=True)
        finally:
            # pytest calls the hook with its capture suspended: what the conftests
            # write goes to the terminal, before the phase's outcome.
            self._to_terminal(*self.capture.read())
        rep = made.get("rep")
        if rep is None:
            # A conftest's implementation made the report (pytest's never ran).
            rep = self._make_report(item, when, excinfo, duration)
            made["longrepr"], made["sections"] = object(), None
        if got is None:
            return rep
        rep["outcome"] = got.outcome
        if got.longrepr is not made["longrepr"]:
            new = got.longrepr
            rep["skip"] = rep["longrepr"] = rep["crash"] = None
            rep.pop("longrepr_str", None)
            if isinstance(new, tuple) and len(new) == 3:
                rep["skip"] = [str(new[0]), new[1], str(new[2])]
            elif new is not None:
                text = new if isinstance(new, str) or hasattr(new, "toterminal") else str(new)
                rep["longrepr"], text_str = render_longrepr(text, self.config.make_writer)
                if text_str is not None:
                    rep["longrepr_str"] = text_str
                rep["crash"] = getattr(getattr(new, "reprcrash", None), "message", None)
        if list(got.sections) != made["sections"]:
            rep["sections"] = [[str(t), str(c)] for t, c in got.sections]
        rep["wasxfail"] = getattr(got, "wasxfail", None)
        if list(got.user_properties) != list(item.user_properties):
            rep["user_properties"] = [[str(n), str(v)] for n, v in got.user_properties]
        return rep

    @staticmethod
    def _start_wrappers(wrappers: list[Any], item: Item, started: list[Any]) -> None:
        """Plugins' old-style hook wrappers (``pytest_runtest_protocol``: pytest-timeout
        arms its timer before the setup's fixtures; ``pytest_runtest_call``), started
        as pluggy starts them, the last registered outermost, into ``started``."""
        for wrapper in reversed(wrappers):
            gen = wrapper(item=item)
            next(gen)
            started.append(gen)

    @staticmethod
    def _finish_wrappers(started: list[Any]) -> None:
        """Resumes the started wrappers, innermost first, once what they wrap is over
        (pytest-timeout cancels its timer)."""
        for gen in reversed(started):
            try:
                gen.send(None)
            except StopIteration:
                pass
            else:
                raise RuntimeError(f"fastest: {gen} did not stop")

    def _between(self, wrappers: list[Any] | None, rep: Any):
        """Yields ``rep`` (a report, or ``None`` to ask for the successor) out of the
        item's protocol. While the worker sends it or waits for the coordinator, a
        protocol timer (pytest-timeout's ``SIGALRM``) is held: its handler raises
        where Python runs next, which is the engine's code between two phases, where
        pytest has nothing of the test's running either."""
        if not wrappers or threading.current_thread() is not threading.main_thread():
            got = yield rep
            if self._pending_logreport is not None:
                self._logreport_later()
            return got
        import signal

        remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            got = yield rep
        finally:
            if remaining:
                signal.setitimer(signal.ITIMER_REAL, remaining)
        if self._pending_logreport is not None:
            self._logreport_later()
        return got

    def phases_json(self, spec: str, next_spec: str | None, known: bool = True):
        """The worker loop's entry: JSON in, each phase's report as JSON out, and
        ``None`` when the successor is needed (see ``phases``; it comes back by
        ``send`` as JSON or ``None``)."""
        import json

        # An item's spec arrives twice: as the successor of the item before it, then as
        # its own; it is decoded once.
        cached = self._decoded
        parsed = cached[1] if cached is not None and cached[0] == spec else json.loads(spec)
        nxt = None
        if next_spec is not None:
            nxt = json.loads(next_spec)
            self._decoded = (next_spec, nxt)
        gen = self.phases(parsed, nxt, known)
        reply = None
        while True:
            try:
                rep = gen.send(reply)
            except StopIteration:
                return
            if rep is None:
                got = yield None
                reply = json.loads(got) if got is not None else None
                if got is not None:
                    self._decoded = (got, reply)
            else:
                reply = None
                yield _report_json(rep)

    def _count_failure(self, rep: dict[str, Any]) -> None:
        """pytest's `Session.pytest_runtest_logreport`: count failures for `--maxfail`."""
        if rep["outcome"] == "failed" and rep["wasxfail"] is None:
            self.testsfailed += 1
            maxfail = int(self.config.option.maxfail or 0)
            if maxfail and self.testsfailed >= maxfail:
                self.shouldfail = True

    def _catch_warnings(self, item: Item, log: list[warnings.WarningMessage]) -> Any:
        if self._warnings_blocked:
            # pytest's warnings plugin is what catches a test's warnings.
            return contextlib.nullcontext()
        return _ItemWarnings(self, log)

    def _setup(self, item: Item) -> None:
        start = _perf_counter()
        bound = False
        try:
            self.prepare(item)
            bound = True
        finally:
            # What pytest does at collection (importing the module and conftests, binding
            # the item) is no part of the setup's duration there.
            self._collecting = _perf_counter() - start
            if self.cov_contexts is not None:
                self._switch_context(item, "setup")
            if self._randomly is not None:
                self._randomly.pytest_runtest_setup(item)
            if bound and self._protocol is not None:
                self._start_wrappers(self._protocol_wrappers, item, self._protocol)
            try:
                # pytest's `pytest_runtest_logstart`, between the protocol's start and
                # the setup (what it costs is no part of the setup's duration there).
                hooks = bound and self._runtest_hooks is not None and self._item_hooks(
                    item, "pytest_runtest_logstart")
                if hooks:
                    began = _perf_counter()
                    self._log_hook(item, "pytest_runtest_logstart", hooks)
                    self._collecting += _perf_counter() - began
            finally:
                self.setupstate.setup(item)
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_setup")
        if hooks:
            # The skipping plugin's tryfirst evaluation, then the runner's fixtures,
            # with the conftests' implementations where pluggy orders them.
            self._call_hook("pytest_runtest_setup", [
                (self._setup_marks, _TRYFIRST), (self._setup_fixtures, _PLAIN),
            ], hooks, {"item": item})
            return
        self._setup_marks(item)
        self._setup_fixtures(item)

    def _setup_marks(self, item: Item) -> None:
        """pytest's skipping plugin at the setup: skip marks, then xfail's ``run=False``."""
        # One walk over the item's marks says which of pytest's evaluations have work.
        names = {m.name for m in item._markers(None)}
        if "filterwarnings" in names and not self._warnings_blocked:
            # (pytest's warnings plugin applies them, within its catch of the item's.)
            for mark in item.iter_markers(name="filterwarnings"):
                for arg in mark.args:
                    warnings.filterwarnings(*parse_warning_filter(arg, escape=False))
        if "skip" in names or "skipif" in names:
            skipped = evaluate_skip_marks(item)
            if skipped:
                raise outcomes.Skipped(skipped.reason, _use_item_location=True)
        item.stash["xfailed"] = xfailed = evaluate_xfail_marks(item) if "xfail" in names else None
        if xfailed and not self.config.option.runxfail and not xfailed.run:
            outcomes.xfail("[NOTRUN] " + xfailed.reason)

    def _setup_fixtures(self, item: Item) -> None:
        """pytest's runner at the setup: the item's fixtures."""
        _current_test(item, "setup")
        request = FixtureRequest(item, self)
        item._request = request
        if "caplog" in item.fixturenames and not self._logging_blocked:
            self.caplog_attach(item, "setup")
        for argname in item.fixturenames:
            if argname in item.callspec_params:
                continue
            self.getfixturevalue(request, argname)
        if isinstance(item, DoctestItem):
            # pytest's `DoctestItem.setup`: `getfixture` and the doctest namespace.
            globs = dict(getfixture=request.getfixturevalue)
            for name, value in request.getfixturevalue("doctest_namespace").items():
                globs[name] = value
            item.dtest.globs.update(globs)

    def _call(self, item: Item) -> None:
        try:
            self._call_protocol(item)
        finally:
            # pytest's skipping wrapper, as the call ends: the test may have added an
            # xfail mark (`request.applymarker`), which its report then honours.
            if item.stash.get("xfailed") is None:
                item.stash["xfailed"] = evaluate_xfail_marks(item)

    def _call_protocol(self, item: Item) -> None:
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_call")
        if not self._call_wrappers:
            if hooks:
                self._runtest_hooked(item, hooks)
            else:
                self._runtest(item)
            return
        # Plugins' `pytest_runtest_call` wrappers, as pluggy drives old-style ones: the
        # last registered outermost; each resumes once the test is over, whatever its
        # outcome, and what one raises is the phase's outcome.
        started: list[Any] = []
        try:
            self._start_wrappers(self._call_wrappers, item, started)
            if hooks:
                self._runtest_hooked(item, hooks)
            else:
                self._runtest(item)
        finally:
            self._finish_wrappers(started)

    def _runtest_hooked(self, item: Item, hooks: list[Any]) -> None:
        """The call through the conftests' ``pytest_runtest_call`` implementations, with
        the skipping plugin's wrapper and the runner's call where pytest has them."""
        self._call_hook("pytest_runtest_call", [
            (self._runtest_marks, _WRAPPER), (self._runtest_body, _PLAIN),
        ], hooks, {"item": item})

    def _runtest_marks(self, item: Item) -> Any:
        """The skipping plugin's ``pytest_runtest_call`` wrapper (before everything
        else of the hook's): xfail's ``run=False``."""
        self._runtest_start(item)
        return (yield)

    def _runtest_body(self, item: Item) -> None:
        """The runner's ``pytest_runtest_call``: the test itself."""
        self._runtest(item, started=True)

    def _runtest_start(self, item: Item) -> None:
        if self.cov_contexts is not None:
            self._switch_context(item, "run")
        if self._randomly is not None:
            self._randomly.pytest_runtest_call(item)
        xfailed = item.stash.get("xfailed")
        if xfailed is None:
            item.stash["xfailed"] = xfailed = evaluate_xfail_marks(item)
        if xfailed and not self.config.option.runxfail and not xfailed.run:
            outcomes.xfail("[NOTRUN] " + xfailed.reason)

    def _runtest(self, item: Item, started: bool = False) -> None:
        # Inside the plugins' call wrappers, as pytest's own `pytest_runtest_call`.
        if not started:
            self._runtest_start(item)
        _current_test(item, "call")
        if item._excinfo is not None:
            self._run_testcase(item)
            return
        if isinstance(item, DoctestItem):
            from _pytest.doctest import DoctestItem as PytestDoctestItem

            PytestDoctestItem.runtest(item)  # type: ignore[arg-type]
            return
        request = item._request
        item.funcargs = {
            arg: item.callspec_params[arg] if arg in item.callspec_params else request.getfixturevalue(arg)
            for arg in item.argnames
        }
        item._fixtureinfo = types.SimpleNamespace(argnames=item.argnames)
        # pytest's own call, so the test's caller is a frame of `_pytest.python` as
        # under pytest (freezegun's `ignore=["_pytest"]` looks up the stack for it);
        # async tests fail and non-None returns warn in its words.
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_pyfunc_call")
        if hooks:
            self._call_hook("pytest_pyfunc_call", [(pytest_pyfunc_call, _TRYLAST)], hooks,
                            {"pyfuncitem": item}, firstresult=True)
        else:
            pytest_pyfunc_call(item)

    def _run_testcase(self, item: Item) -> None:
        """pytest's ``TestCaseFunction.runtest``: unittest runs the test (setUp, the
        method, tearDown, cleanups) and reports to a result object that records each
        outcome as an ``ExceptionInfo`` for the phase reports."""
        testcase = item.instance
        result = _UnitTestResult(item, self)
        if inspect.iscoroutinefunction(item.obj):
            _call_testcase(testcase, result=result)
            return
        setattr(testcase, item.name, item.obj)
        try:
            _call_testcase(testcase, result=result)
        finally:
            delattr(testcase, item.name)

    def _switch_context(self, item: Item, when: str) -> None:
        # pytest-cov's `TestContextPlugin` (registered after the installed plugins:
        # its hooks run before theirs).
        if self.cov_contexts.started:
            self.cov_contexts.cov.switch_context(f"{item.nodeid}|{when}")

    def _teardown(self, item: Item, nextitem: Item | None) -> None:
        if self.cov_contexts is not None:
            self._switch_context(item, "teardown")
        if self._randomly is not None:
            self._randomly.pytest_runtest_teardown(item)
        _current_test(item, "teardown")
        self.setupstate.teardown_exact(nextitem)
        _current_test_done()

    def _phase(self, item: Item, when: str, func: Any) -> dict[str, Any]:
        handler = self.log_handler
        root = logging.root
        # pytest's logging plugin captures a phase only when it is registered as the
        # phase starts (its hook wrapper, once entered, finishes the phase).
        logging_on = self.config.logging_registered
        if logging_on:
            # A fresh handler per phase in pytest: what reached this one while it was
            # not the phase's (a test put it back on the root logger) is not shown.
            handler.take()
            # pytest's `catching_logs`: the root logger and every logger that does not
            # propagate to it as the phase starts (uvicorn's access log).
            self._log_targets = _log_targets(root)
            for logger in self._log_targets:
                logger.addHandler(handler)
        else:
            self._log_targets = ()
        root_level = root.level
        if self._log_level is not None and logging_on:
            root.setLevel(min(root_level, self._log_level))
        # caplog's handler: only for items whose closure holds caplog.
        self._when = when
        if when != "setup" and _caplog_handler_key in item.stash and logging_on:
            self.caplog_attach(item, when)
        self.capture.reassert()
        # pytest's `item_capture`: a capture fixture's capture on top of the session's
        # (and closed again at the end of the phase).
        if self.capture_fixture is not None:
            self.capture_fixture._start()
        self._collecting = 0.0
        # pytest's `CallInfo.from_call` takes `time.time()` and then the performance
        # counter as the phase starts and as it ends: a clock a test or fixture mocks
        # (time-machine's `travel` ticks from its first reading) sees those calls.
        _time()
        start = _perf_counter()
        excinfo = None
        try:
            func(item)
            # pytest's trylast `pytest_runtest_<phase>` of the two plugins: after the
            # phase did its work, within its warnings capture (an error filter fails it).
            self._collect_unraisable()
        except BaseException:
            excinfo = ExceptionInfo.from_current()
        _time()
        duration = max(_perf_counter() - start - self._collecting, 0.0)
        if item._excinfo:
            # pytest's unittest `pytest_runtest_makereport`: each phase reports the next
            # outcome the TestCase recorded.
            excinfo = item._excinfo.pop(0)
        if excinfo is not None:
            ut = sys.modules.get("unittest")
            if ut is not None and isinstance(excinfo.value, ut.SkipTest):
                excinfo = _skiptest_as_skip(item, excinfo, when)
        if self.capture_fixture is not None:
            # pytest closes a capture fixture after every phase: what the test did not
            # read goes to the phase's own captured output.
            self.capture_fixture.close()
        out, err = self.capture.read()
        if self.capture.method == "no":
            # Uncaptured output reaches the terminal before the coordinator prints the
            # test's outcome (pytest writes both from one process).
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
        if logging_on:
            for logger in self._log_targets:
                logger.removeHandler(handler)
            if self._log_level is not None:
                root.setLevel(root_level)
            caplog = item.stash.get(_caplog_handler_key)
            if caplog is not None:
                for logger in self._log_targets:
                    logger.removeHandler(caplog)
                if when == "teardown":
                    del item.stash[_caplog_handler_key]
                    del item.stash[_caplog_records_key]
        sections = item._report_sections
        if out:
            sections.append((when, "stdout", out))
        if err:
            sections.append((when, "stderr", err))
        # pytest's logging plugin strips the phase's log text (none without it: what a
        # test put back on the root logger is another handler to pytest).
        log_text = handler.take()
        if log_text and logging_on:
            item.add_report_section(when, "log", log_text.strip())
        if excinfo is not None and isinstance(excinfo.value, (KeyboardInterrupt, outcomes.Exit)):
            raise excinfo.value
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_makereport")
        if hooks:
            rep = self._hooked_report(item, when, excinfo, duration, hooks)
        else:
            rep = self._make_report(item, when, excinfo, duration)
        hooks = self._runtest_hooks is not None and self._item_hooks(item, "pytest_runtest_logreport")
        if hooks:
            self._logreport(item, rep, when, duration, hooks)
        failed_subtests = self.failed_subtests.pop(item.nodeid, 0) if when == "call" else 0
        if failed_subtests and rep["outcome"] == "passed":
            # pytest's subtests `pytest_report_teststatus`: a passing test with failed
            # subtests fails.
            suffix = "s" if failed_subtests > 1 else ""
            rep["outcome"] = "failed"
            rep["longrepr"] = rep["crash"] = f"contains {failed_subtests} failed subtest{suffix}"
        item.stash.setdefault("_fastest_phase_passed", {})[when] = rep["outcome"] == "passed"
        return rep

    def _terminal_text(self, rep: dict[str, Any]) -> str:
        """What pytest's ``TerminalReporter.pytest_runtest_logreport`` writes for ``rep``
        (the current item's): its letter, or with ``-v`` its verbose line, from where
        the reporter's own line stands (the item's location line, written when it
        started, then each line it wrote before). Under several workers the progress
        count is not this worker's to know: nothing but letters is written."""
        from _pytest._io.wcwidth import wcswidth
        from _pytest.terminal import _format_trimmed

        status = rep.get("status") or {}
        letter, word = status.get("letter", ""), status.get("word", "")
        if not letter and not word:
            return ""
        outcome = rep["outcome"]
        if outcome == "passed" and rep["wasxfail"] is None:
            markup = {"green": True}
        elif outcome == "failed":
            markup = {"red": True}
        else:
            markup = {"yellow": True}
        tw = self.config.make_writer()
        if self.config.get_verbosity("test_cases") <= 0:
            return tw.markup(letter, **markup)
        if self._distributed:
            return ""
        item = self._current
        prefix = self.config.cwd_relative_nodeid(item.nodeid) + " "
        state = item.stash.setdefault("_fastest_terminal_line", [prefix, wcswidth(prefix)])
        text = ""
        if state[0] != prefix:
            text += "\n" + prefix
            state[1] = wcswidth(prefix)
        text += tw.markup(word, **markup)
        state[1] += wcswidth(word)
        if outcome == "skipped" or rep["wasxfail"] is not None:
            reason = rep["wasxfail"] if rep["wasxfail"] is not None else (rep["skip"] or ["", 0, ""])[2]
            reason = reason.removeprefix("Skipped: ")
            if self.config.get_verbosity("test_cases") < 2:
                available = self.config._width - state[1] - len(" [100%]") - 1
                formatted = _format_trimmed(" ({})", reason, available)
            else:
                formatted = f" ({reason})"
            if reason and formatted is not None:
                text += formatted
                state[1] += wcswidth(formatted)
        style = self.config.getini("console_output_style")
        if style != "classic":
            collected = self.session.testscollected
            done = self._items_begun
            if style == "count":
                digits = len(str(collected))
                msg = f" [{done:{digits}d}/{collected}]" if collected else f" [ {collected} / {collected} ]"
            else:
                msg = f" [{done * 100 // collected:3d}%]" if collected else " [100%]"
            fill = msg.rjust(self.config._width - state[1] - 1)
            color = "red" if self.testsfailed else "green"
            text += tw.markup(fill, **{color: True})
            state[1] += wcswidth(fill)
        state[0] = None
        return text

    def subtest_report(
        self, item: Item, excinfo: Any, duration: float, msg: str | None,
        kwargs: dict[str, Any], sections: list[list[str]] = (),
    ) -> dict[str, Any]:
        """A subtest's report (pytest's ``SubtestReport``): the call report
        ``pytest_runtest_makereport`` makes for the item from the block's outcome, its
        own captured sections added, and the status pytest's subtests plugin gives it."""
        from _pytest._io.saferepr import saferepr

        if excinfo is not None:
            ut = sys.modules.get("unittest")
            if ut is not None and isinstance(excinfo.value, ut.SkipTest):
                excinfo = _skiptest_as_skip(item, excinfo, "call")
        rep = self._make_report(item, "call", excinfo, duration)
        rep["sections"].extend(sections)
        shown = {str(k): saferepr(v) for k, v in kwargs.items()}
        if self._distributed:
            # pytest-xdist's controller rebuilds the report's context from its JSON,
            # and the context's `saferepr` of each value runs again: `(i='1')`.
            shown = {k: saferepr(v) for k, v in shown.items()}
        # (`subtests.test(False)`: pytest formats any message into the description.)
        text = None if msg is None else f"{msg}"
        rep["subtest"] = {"msg": text, "kwargs": [[k, v] for k, v in shown.items()]}
        parts = []
        if msg is not None:
            parts.append(f"[{msg}]")
        if kwargs:
            parts.append("(" + ", ".join(f"{k}={v}" for k, v in rep["subtest"]["kwargs"]) + ")")
        desc = " ".join(parts) or "(<subtest>)"
        quiet = self.config.get_verbosity("subtests") == 0
        outcome = rep["outcome"]
        status: tuple[str, str, str] | None
        if rep["wasxfail"] is not None:
            if quiet:
                status = ("", "", "")
            elif outcome == "skipped":
                status = ("xfailed", "y", f"SUBXFAIL{desc}")
            else:
                status = None
        elif outcome == "failed":
            status = ("failed", "u", f"SUBFAILED{desc}")
        elif quiet:
            status = ("", "", "")
        elif outcome == "passed":
            status = ("subtests passed", "u", f"SUBPASSED{desc}")
        else:
            status = ("skipped", "-", f"SUBSKIPPED{desc}")
        if status is not None:
            rep["status"] = {"category": status[0], "letter": status[1], "word": status[2]}
        return rep

    def send_subtest_report(self, rep: dict[str, Any], from_unittest: bool = False) -> None:
        """Report a subtest now (pytest logs it as the block ends). A unittest subtest
        is logged from inside the test, so under fd capture pytest's terminal writes
        its letter into the test's captured output: so does the worker, and the
        coordinator only counts it (``under_capture``), but under ``-n``."""
        import json

        self._count_failure(rep)
        if from_unittest and self.capture.method == "fd":
            # pytest-xdist's controller logs it as any report (its worker's terminal
            # wrote into the capture).
            rep["under_capture"] = not self._distributed
            text = self._terminal_text(rep)
            if text:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except Exception:
                        pass
                os.write(1, text.encode("utf-8"))
        if self.channel is not None:
            self.channel.report(_dumps(rep))
        else:
            self._subtest_reports.append(rep)

    def _make_report(self, item: Item, when: str, excinfo: Any, duration: float) -> dict[str, Any]:
        self._last_repr = None
        rep: dict[str, Any] = {
            "nodeid": item.nodeid,
            "when": when,
            "outcome": "passed",
            "longrepr": None,
            "crash": None,
            "skip": None,
            "wasxfail": None,
            "duration": duration,
            "location": list(getattr(item, "_location", (item.spec["path"], None, item.name))),
            "sections": [[f"Captured {key} {rwhen}", content] for rwhen, key, content in item._report_sections]
            if item._report_sections else [],
            "fold_no_line": False,
        }
        info = getattr(item, "hypothesis_report_information", None)
        if info is not None:
            # hypothesis's `pytest_runtest_makereport` wrapper: what it reported.
            rep["sections"].append(["Hypothesis", info])
        if item.user_properties:
            rep["user_properties"] = [[str(n), str(v)] for n, v in item.user_properties]
        if self.junit is not None:
            if when == "teardown" and not self._distributed:
                stats = getattr(item, "hypothesis_statistics", None)
                if stats is not None:
                    # hypothesis's `pytest_runtest_makereport` wrapper: the test's
                    # statistics become a property of the JUnit test suite (not under
                    # pytest-xdist, whose workers have no `LogXML`).
                    import base64

                    self.junit.add_global_property(
                        "hypothesis-statistics-" + item.nodeid,
                        base64.b64encode(stats.encode()).decode(),
                    )
            self.junit.take(item.nodeid, rep)
        if excinfo is None and item.stash.get("xfailed") is None:
            # Passed, and no xfail mark to turn it into an XPASS.
            return rep
        if excinfo is not None:
            value = excinfo.value
            if isinstance(value, outcomes.Skipped):
                rep["outcome"] = "skipped"
                r = excinfo._getreprcrash()
                if value._use_item_location:
                    path, line = item._location[0], item._location[1]
                    rep["skip"] = [str(self.rootdir / path), (line or 0) + 1, r.message]
                else:
                    rep["skip"] = [str(r.path), r.lineno, r.message]
                rep["fold_no_line"] = (
                    when == "setup" and "skip" in item.keywords and "pytestmark" not in item.keywords
                )
            else:
                rep["outcome"] = "failed"
                repr_, rep["crash"] = self._repr_failure(item, excinfo, when)
                self._last_repr = repr_
                rep["longrepr"], text_str = render_longrepr(repr_, self.config.make_writer)
                if text_str is not None:
                    rep["longrepr_str"] = text_str
                if self.config.option.tbstyle == "line":
                    rep["crashline"] = crash_line(repr_)
        xfailed = item.stash.get("xfailed")
        if self.config.option.runxfail:
            pass
        elif excinfo is not None and isinstance(excinfo.value, outcomes.XFailed):
            rep["wasxfail"] = excinfo.value.msg
            rep["outcome"] = "skipped"
            rep["skip"] = None
        elif rep["outcome"] != "skipped" and xfailed:
            if excinfo is not None:
                raises = xfailed.raises
                if raises is None or (
                    isinstance(raises, (type, tuple)) and isinstance(excinfo.value, raises)
                ) or (hasattr(raises, "matches") and raises.matches(excinfo.value)):
                    rep["outcome"] = "skipped"
                    rep["wasxfail"] = xfailed.reason
                else:
                    rep["outcome"] = "failed"
            elif when == "call":
                if xfailed.strict:
                    rep["outcome"] = "failed"
                    rep["longrepr"] = "[XPASS(strict)] " + xfailed.reason
                    rep["crash"] = rep["longrepr"]
                    if self.config.option.tbstyle == "line":
                        rep["crashline"] = crash_line(rep["longrepr"])
                else:
                    rep["outcome"] = "passed"
                    rep["wasxfail"] = xfailed.reason
        return rep

    def _repr_failure(self, item: Item, excinfo: Any, when: str) -> tuple[Any, str | None]:
        """pytest's ``repr_failure`` for the item: the failure's repr and its crash
        message."""
        tbstyle = self.config.option.tbstyle or "auto"
        style: str | None = tbstyle
        if when == "call" and style == "auto":
            style = "long"
        if isinstance(excinfo.value, outcomes.Failed) and not excinfo.value.pytrace:
            style = "value"
        if isinstance(excinfo.value, FixtureLookupError):
            return self._lookup_error_repr(item, excinfo.value), None
        if isinstance(item, DoctestItem):
            doctest_repr = self._doctest_repr(item, excinfo, when)
            if doctest_repr is not None:
                return doctest_repr
            # `Node.repr_failure` for anything else a doctest raises in its call, with
            # no style (traceback: `_doctest_traceback`).
            if when == "call" and style != "value":
                style = "short" if tbstyle == "short" else "long"
        if self.config.option.fulltrace:
            style = "long"
            tbfilter: Any = False
        elif isinstance(item, DoctestItem):
            tbfilter = _doctest_traceback
            if style == "auto":
                style = "long"
        else:
            tbfilter = functools.partial(self._traceback_filter, item)
            if style == "auto":
                style = "long"
        verbosity = self.config.get_verbosity()
        try:
            abspath = Path(os.getcwd()) != self.config.invocation_params.dir
        except OSError:
            abspath = True
        repr_ = excinfo.getrepr(
            funcargs=True,
            abspath=abspath,
            showlocals=bool(self.config.option.showlocals),
            style=style,
            tbfilter=tbfilter,
            truncate_locals=verbosity <= 1,
            truncate_args=verbosity <= 2,
        )
        crash = getattr(getattr(repr_, "reprcrash", None), "message", None)
        return repr_, crash

    def _doctest_repr(self, item: DoctestItem, excinfo: Any, when: str) -> tuple[Any, None] | None:
        """pytest's ``DoctestItem.repr_failure`` for the doctest's own failures (no
        crash entry: the short summary names the item only)."""
        import doctest

        from _pytest.doctest import DoctestItem as PytestDoctestItem
        from _pytest.doctest import MultipleDoctestFailures

        kinds = (doctest.DocTestFailure, doctest.UnexpectedException, MultipleDoctestFailures)
        if when != "call" or not isinstance(excinfo.value, kinds):
            return None
        return PytestDoctestItem.repr_failure(item, excinfo), None  # type: ignore[arg-type]

    def _lookup_error_repr(self, item: Item, err: FixtureLookupError) -> Any:
        """pytest's ``FixtureLookupError.formatrepr``: the requesting functions' source
        up to their ``def`` line, the error, and for a missing fixture the fixtures
        visible from the item's parent (what ``pytest --fixtures`` would list)."""
        from _pytest.fixtures import FixtureLookupErrorRepr

        tblines: list[str] = []
        stack = [item.obj, *(fd.func for fd in err.fixturestack)]
        msg = err.msg
        if msg is not None and len(stack) > 1:
            stack = stack[:-1]  # the fixture that raised is shown at its requester
        fspath: Any = None
        lineno = 0
        for function in stack:
            fspath, lineno = getfslineno(function)
            try:
                lines, _ = inspect.getsourcelines(get_real_func(function))
            except (OSError, IndexError, TypeError):
                tblines.append(f"file {fspath}, line {lineno + 1}: source code not available")
            else:
                tblines.append(f"file {fspath}, line {lineno + 1}")
                for line in lines:
                    line = line.rstrip()
                    tblines.append("  " + line)
                    if line.lstrip().startswith("def"):
                        break
        if msg is None:
            keys = {n.nodeid for n in item.listchain()}
            available = {
                name
                for name, defs in self.fixturedefs.items()
                if name != "request" and any(fd.visible_to(item, keys) for fd in defs)
            }
            available.update(UNSERVED_BUILTINS)
            # Installed plugins' fixtures the engine does not serve (a test using one
            # runs in the pytest engine), still pytest's to list.
            available.update(self.setup.get("plugin_fixtures", ()))
            if err.argname in available:
                msg = f" recursive dependency involving fixture '{err.argname}' detected"
            else:
                msg = f"fixture '{err.argname}' not found"
            msg += "\n available fixtures: {}".format(", ".join(sorted(available)))
            msg += "\n use 'pytest --fixtures [testpath]' for help on them."
        return FixtureLookupErrorRepr(fspath, lineno, tblines, msg, err.argname)

    def _traceback_filter(self, item: Item, excinfo: Any) -> Traceback:
        if item.function is None:
            # The module itself failed to import (an error the parser could not see,
            # such as one raised by a module it imports): from the module's own frame
            # on, every entry short, as pytest draws a module's collection error.
            traceback = excinfo.traceback
            cut = traceback.cut(path=item.spec["path"])
            ntraceback = (cut if cut != traceback else traceback.filter(_filter_traceback))
            ntraceback = ntraceback.filter(excinfo) or traceback
            return Traceback(t.with_repr_style("short") for t in ntraceback)
        code = _pytest_code_from_function(get_real_func(item.function))
        path, firstlineno = code.path, code.firstlineno
        traceback = excinfo.traceback
        ntraceback = traceback.cut(path=path, firstlineno=firstlineno)
        if ntraceback == traceback:
            ntraceback = ntraceback.cut(path=path)
            if ntraceback == traceback:
                ntraceback = ntraceback.filter(_filter_traceback)
                if not ntraceback:
                    ntraceback = traceback
        ntraceback = ntraceback.filter(excinfo)
        if (self.config.option.tbstyle or "auto") == "auto" and len(ntraceback) > 2:
            ntraceback = Traceback(
                (ntraceback[0], *(t.with_repr_style("short") for t in ntraceback[1:-1]), ntraceback[-1])
            )
        if item._excinfo is not None:
            # pytest's `TestCaseFunction._traceback_filter`: unittest's own frames go.
            filtered = ntraceback.filter(lambda x: not x.frame.f_globals.get("__unittest"))
            if filtered:
                ntraceback = filtered
        return ntraceback

    def finish(self) -> None:
        from _pytest.main import ExitCode

        if self.testsfailed:
            status = ExitCode.TESTS_FAILED
        elif self.session.testscollected == 0:
            status = ExitCode.NO_TESTS_COLLECTED
        else:
            status = ExitCode.OK
        self._session_end(status)
        ended = self._unconfigure_unraisable()
        self.capture.stop()
        self.config.run_cleanups()
        return ended

    def _apply_session_filters(self) -> None:
        """pytest's session-wide warning filters (its `Config._do_configure` and
        unconfigure run under them): always show deprecations, then the ini's
        ``filterwarnings`` and ``-W``. Call inside a ``catch_warnings``."""
        if not sys.warnoptions:
            warnings.filterwarnings("always", category=DeprecationWarning)
            warnings.filterwarnings("always", category=PendingDeprecationWarning)
        apply_warning_filters(
            self.config.getini("filterwarnings"), self.config.option.pythonwarnings or []
        )

    def _unconfigure_unraisable(self) -> str | None:
        """pytest's unraisableexception plugin at ``pytest_unconfigure``: a garbage
        collection (a socket left unclosed in a reference cycle is freed only now), then
        what ``__del__`` methods raised becomes ``PytestUnraisableExceptionWarning``s,
        under the session's warning filters. An ``error`` filter makes that an
        exception pytest's process dies with after its summary: its text (Python's
        report of an uncaught exception), or ``None``. Not under ``-n``: there each
        pytest-xdist worker's end is its own."""
        import traceback

        from _pytest import unraisableexception as _ue

        if self._distributed:
            return None
        with warnings.catch_warnings(record=True):
            self._apply_session_filters()
            try:
                # pytest's own call, so the cause's traceback names the same frame.
                _ue.gc_collect_harder(self.config.stash.get(_ue.gc_collect_iterations_key, 1))
                if self.config.stash.get(_ue.unraisable_exceptions, None):
                    _ue.collect_unraisable(self.config)
            except Exception as e:  # noqa: BLE001 - reported as Python reports it
                return "".join(traceback.format_exception(e))
        return None

    def _session_end(self, status: int) -> None:
        """The conftests' ``pytest_sessionfinish`` and then ``pytest_unconfigure``, of
        every conftest imported here (pytest calls those of every conftest it
        registered), the last registered first, once."""
        if self._session_ended:
            return
        self._session_ended = True
        conftests = [m for m in reversed(self.conftests.values()) if m is not None]
        for mod in conftests:
            hook = getattr(mod, "pytest_sessionfinish", None)
            if hook is not None:
                self._call_plain(hook, session=self.session, exitstatus=status)
        for mod in conftests:
            hook = getattr(mod, "pytest_unconfigure", None)
            if hook is not None:
                self._call_plain(hook, config=self.config)

    @staticmethod
    def _call_plain(hook: Any, **arguments: Any) -> Any:
        """A conftest's hook with the arguments it asks for, as pluggy passes them (a
        wrapper, alone of its kind here, runs through: before and after its ``yield``)."""
        from pluggy._hooks import varnames

        result = hook(**{name: arguments[name] for name in varnames(hook)[0]})
        if inspect.isgenerator(result):
            for _ in result:
                pass
            return None
        return result

    def interruption(self, exc: BaseException) -> str | None:
        """What pytest's `wrap_session` does with a `KeyboardInterrupt` or `pytest.exit`
        that escaped a test: stop capturing (`pytest_keyboard_interrupt`), tear down
        everything set up (`pytest_sessionfinish`; its output is not captured), and
        describe it for the terminal summary as JSON. ``None`` for other exceptions."""
        described = describe_interruption(exc, bool(self.config.option.fulltrace), self.config.make_writer())
        if described is None:
            return None
        self.capture.stop()
        try:
            self.setupstate.teardown_exact(None)
        except BaseException:
            # pytest would end in an INTERNALERROR here; the interruption is the news.
            pass
        try:
            from _pytest.main import ExitCode

            self._session_end(ExitCode.INTERRUPTED)
        except BaseException:
            pass
        return described


_environ = os.environ
_CURRENT_TEST = "PYTEST_CURRENT_TEST"
# `os.environ` on POSIX keeps the encoded bytes in `_data`: the variable is set there and
# with `putenv` directly, without the mapping's per-call encoding functions (this runs
# three times a test).
_environ_data: Any = getattr(_environ, "_data", None) if os.name == "posix" else None
_CURRENT_TEST_KEY = _CURRENT_TEST.encode()
_fs_encoding = sys.getfilesystemencoding()


def _current_test(item: Item, when: str) -> None:
    """pytest's ``_update_current_test_var``: ``PYTEST_CURRENT_TEST`` names the item
    and its phase while the phase runs (code under test checks for it)."""
    value = f"{item.nodeid} ({when})".replace("\x00", "(null)")
    if _environ_data is None:
        _environ[_CURRENT_TEST] = value
        return
    data = value.encode(_fs_encoding, "surrogateescape")
    os.putenv(_CURRENT_TEST_KEY, data)
    _environ_data[_CURRENT_TEST_KEY] = data


def _current_test_done() -> None:
    """The end of pytest's teardown: ``PYTEST_CURRENT_TEST`` removed."""
    if _environ_data is None:
        _environ.pop(_CURRENT_TEST, None)
    elif _environ_data.pop(_CURRENT_TEST_KEY, None) is not None:
        os.unsetenv(_CURRENT_TEST_KEY)


def crash_line(repr_: Any) -> str:
    """pytest's ``TerminalReporter._getcrashline`` of a failure's repr: its crash entry
    as text (``path:lineno: message``, the message's first line), else the first 50
    characters of the repr as text."""
    try:
        return str(repr_.reprcrash)
    except AttributeError:
        return str(repr_)[:50]


def render_longrepr(repr_: Any, make_writer: Any) -> tuple[str, str | None]:
    """A failure's repr as the coordinator's terminal shows it (the session's writer:
    markup, code highlighting, width) and, when that differs, as pytest's
    ``str(report.longrepr)`` renders it: a writer over a buffer, coloured only by the
    environment (``PY_COLORS``, ``FORCE_COLOR``). The JUnit and JSON reports take that."""
    if isinstance(repr_, str):
        return repr_, None
    buf = io.StringIO()
    session_tw = make_writer(buf)
    repr_.toterminal(session_tw)
    text = buf.getvalue()
    if not session_tw.hasmarkup:
        return text, None
    buf = io.StringIO()
    tw = TerminalWriter(file=buf)
    tw.fullwidth = session_tw.fullwidth
    repr_.toterminal(tw)
    text_str = buf.getvalue()
    return text, (None if text_str == text else text_str)


def describe_interruption(exc: BaseException, fulltrace: bool, tw: TerminalWriter) -> str | None:
    """A `KeyboardInterrupt` or `pytest.exit` as the coordinator's `Interruption` JSON
    (the `!!! ... !!!` title, the crash line with pytest's hint or the whole traceback
    under `--full-trace`, `pytest.exit`'s returncode); ``None`` for other exceptions.
    Further Ctrl-Cs are ignored from here on: they must not cut the teardown short."""
    import json
    import signal

    if not isinstance(exc, (KeyboardInterrupt, outcomes.Exit)):
        return None
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):
        pass
    excinfo = ExceptionInfo.from_exception(exc)
    excrepr = excinfo.getrepr(funcargs=True)
    message = excrepr.reprcrash.message if excrepr.reprcrash is not None else str(exc)
    body = ""
    if "KeyboardInterrupt" in message:
        if fulltrace:
            excrepr.toterminal(tw)
        else:
            excrepr.reprcrash.toterminal(tw)
            tw.line("(to show a full traceback on KeyboardInterrupt use --full-trace)", yellow=True)
        body = tw._file.getvalue()
    returncode = exc.returncode if isinstance(exc, outcomes.Exit) else None
    return json.dumps({"message": message, "body": body, "returncode": returncode})


_FASTEST_DIR = str(Path(__file__).parent)


def _filter_traceback(entry: Any) -> bool:
    """pytest's ``filter_traceback`` (no pytest, pluggy or generated-code frames), and
    no frames of fastest's engine, which stands where pytest's runner and fixture
    machinery stand in pytest's tracebacks."""
    if not filter_traceback(entry):
        return False
    return not str(entry.path).startswith(_FASTEST_DIR + os.sep)


class _ItemWarnings:
    """pytest's ``catch_warnings_for_item`` around one item's phases: record everything,
    with the configured filters (ini ``filterwarnings``, ``-W``) on top of the
    always-show-deprecations default."""

    def __init__(self, engine: Engine, log: list[warnings.WarningMessage]) -> None:
        self.engine = engine
        self.log = log

    def __enter__(self) -> _ItemWarnings:
        if self.engine._warnings_blocked:
            # `-p no:warnings`: what importing a module or conftest warns goes, in
            # pytest, to its collection's captured output, never shown. Discarded
            # without touching the filters (a filter change makes Python show every
            # "default" warning again, whose locations were shown once already).
            self.cm = None
            self.shown = warnings.showwarning
            warnings.showwarning = _discard_warning
            return self
        self.cm = warnings.catch_warnings(record=True)
        self.recorded = recorded = self.cm.__enter__()
        # The filters this makes of a given list are always the same: made once, and
        # reused while the list they start from is unchanged (parsing each ini filter
        # again for every item is most of the cost of a trivial test's warnings capture).
        before = tuple(warnings.filters)
        cache = self.engine._item_filters
        cached = cache.get(before)
        if cached is not None:
            warnings.filters[:] = cached
            warnings._filters_mutated()  # type: ignore[attr-defined]
            return self
        if not sys.warnoptions:
            warnings.filterwarnings("always", category=DeprecationWarning)
            warnings.filterwarnings("always", category=PendingDeprecationWarning)
        config = self.engine.config
        apply_warning_filters(config.getini("filterwarnings"), config.option.pythonwarnings or [])
        if not recorded:
            # Not when applying them warned (a filter's module failed to import): pytest
            # warns again for every item.
            if len(cache) > 16:
                cache.clear()
            cache[before] = list(warnings.filters)
        return self

    def __exit__(self, *exc: Any) -> Any:
        if self.cm is None:
            warnings.showwarning = self.shown
            return None
        self.log.extend(self.recorded)
        return self.cm.__exit__(*exc)


def _discard_warning(*args: Any, **kwargs: Any) -> None:
    """A ``warnings.showwarning`` that shows nothing."""


class _UnitTestResult:
    """The result object unittest reports to (pytest's ``TestCaseFunction`` plays this
    part): every outcome becomes an ``ExceptionInfo`` on the item, as pytest's would."""

    # unittest reads it after a failed subtest (pytest's `TestCaseFunction.failfast`).
    failfast = False

    def __init__(self, item: Item, engine: Any) -> None:
        self.item = item
        self.engine = engine

    def _add(self, rawexcinfo: Any) -> None:
        try:
            excinfo = ExceptionInfo.from_exc_info(rawexcinfo)
            # Touch the value and traceback now, as pytest does.
            _ = excinfo.value
            _ = excinfo.traceback
        except TypeError:
            try:
                try:
                    import traceback

                    values = traceback.format_exception(*rawexcinfo)
                    values.insert(0, "NOTE: Incompatible Exception Representation, "
                                     "displaying natively:\n\n")
                    outcomes.fail("".join(values), pytrace=False)
                except (outcomes.Failed, KeyboardInterrupt):
                    raise
                except BaseException:
                    outcomes.fail(f"ERROR: Unknown Incompatible Exception representation:\n"
                                  f"{rawexcinfo!r}", pytrace=False)
            except KeyboardInterrupt:
                raise
            except outcomes.Failed:
                excinfo = ExceptionInfo.from_current()
        assert self.item._excinfo is not None
        self.item._excinfo.append(excinfo)

    def startTest(self, testcase: Any) -> None:
        pass

    def stopTest(self, testcase: Any) -> None:
        pass

    def addSuccess(self, testcase: Any) -> None:
        pass

    def addDuration(self, testcase: Any, elapsed: float) -> None:
        pass

    def addError(self, testcase: Any, rawexcinfo: Any) -> None:
        try:
            if isinstance(rawexcinfo[1], outcomes.Exit):
                outcomes.exit(rawexcinfo[1].msg)
        except TypeError:
            pass
        self._add(rawexcinfo)

    def addFailure(self, testcase: Any, rawexcinfo: Any) -> None:
        self._add(rawexcinfo)

    def addSkip(self, testcase: Any, reason: str) -> None:
        try:
            raise outcomes.Skipped(reason, _use_item_location=True)
        except outcomes.Skipped:
            self._add(sys.exc_info())
        from unittest.case import _SubTest  # type: ignore[attr-defined]

        # A skip inside `subTest` is the subtest's (pytest's `addSkip`).
        if isinstance(testcase, _SubTest) and self.item._excinfo:
            self.addSubTest(testcase.test_case, testcase, self.item._excinfo[-1])

    def addSubTest(self, test_case: Any, test: Any, exc_info: Any) -> None:
        """pytest's ``TestCaseFunction.addSubTest``: each subtest's outcome is a report
        of its own, made by ``pytest_runtest_makereport`` (which takes the outcome the
        TestCase recorded first, when there is one)."""
        from unittest.case import _subtest_msg_sentinel  # type: ignore[attr-defined]

        excinfo = ExceptionInfo(exc_info, _ispytest=True) if isinstance(exc_info, tuple) else exc_info
        if self.item._excinfo:
            excinfo = self.item._excinfo.pop(0)
        msg = None if test._message is _subtest_msg_sentinel else str(test._message)
        rep = self.engine.subtest_report(self.item, excinfo, 0.0, msg, dict(test.params))
        self.engine.send_subtest_report(rep, from_unittest=True)

    def addExpectedFailure(self, testcase: Any, rawexcinfo: Any, reason: str = "") -> None:
        try:
            outcomes.xfail(str(reason))
        except outcomes.XFailed:
            self._add(sys.exc_info())

    def addUnexpectedSuccess(self, testcase: Any, reason: Any = None) -> None:
        msg = "Unexpected success"
        if reason:
            msg += f": {reason.reason}"
        # unittest's verdict: a failure, not an XPASS.
        try:
            outcomes.fail(msg, pytrace=False)
        except outcomes.Failed:
            self._add(sys.exc_info())


if _PytestSubtests is object:
    # pytest before 9.0 has no `addSubTest`: unittest then lets a subtest's exception
    # fail the test itself, as under that pytest.
    del _UnitTestResult.addSubTest


def _doctest_traceback(excinfo: Any) -> Traceback:
    """A doctest item's traceback for what is not a doctest failure (a fixture's error):
    pytest's ``Node._traceback_filter`` cuts nothing, so pytest shows its own runner and
    pluggy frames there, which a worker does not have; the user's frames are kept (known
    difference)."""
    here = __file__
    tb = excinfo.traceback.filter(lambda e: str(e.path) != here).filter(filter_traceback)
    return tb.filter(excinfo) or excinfo.traceback


def _skiptest_as_skip(item: Item, excinfo: Any, when: str) -> Any:
    """A ``unittest.SkipTest`` raised anywhere is a skip: pytest's unittest plugin
    converts it (and the skip is located where that plugin raises it)."""
    from _pytest.unittest import pytest_runtest_makereport

    call = types.SimpleNamespace(excinfo=excinfo, when=when)
    pytest_runtest_makereport(item, call)
    return call.excinfo


class ScopeMismatch(Exception):
    def __init__(self, request: FixtureRequest, fd: FixtureDef) -> None:
        super().__init__(
            f"You tried to access the {fd.scope} scoped fixture {fd.argname} with a "
            f"{request.scope} scoped request object."
        )


def _pytest_code_from_function(func: Any) -> Any:
    from _pytest._code import Code

    return Code.from_function(func)


def _teardown_yield(fixturefunc: Any, it: Any) -> None:
    try:
        _call_fixture(next, it)
    except StopIteration:
        pass
    else:
        from _pytest._code import Source

        fs, lineno = getfslineno(fixturefunc)
        outcomes.fail(
            f"fixture function has more than one 'yield':\n\n"
            f"{Source(fixturefunc).indent()}\n"
            f"{fs}:{lineno + 1}",
            pytrace=False,
        )


def _argnames(func: Any, name: str, cls: type | None) -> tuple[str, ...]:
    """pytest's `getfuncargnames`; plain functions read straight off their code object
    (`inspect.signature` costs tens of microseconds per test)."""
    code = getattr(func, "__code__", None)
    if (
        type(func) is not types.FunctionType
        or code is None
        or hasattr(func, "__wrapped__")
        or hasattr(func, "__signature__")
        or code.co_posonlyargcount
    ):
        return getfuncargnames(func, name=name, cls=cls)
    n = code.co_argcount
    positional = code.co_varnames[:n]
    defaults = func.__defaults__ or ()
    names = list(positional[: n - len(defaults)])
    kwdefaults = func.__kwdefaults__ or {}
    names += [
        a for a in code.co_varnames[n : n + code.co_kwonlyargcount] if a not in kwdefaults
    ]
    if cls is not None and not isinstance(inspect.getattr_static(cls, name, None), staticmethod):
        names = names[1:]
    return tuple(names)


def _holder_attributes(holder: Any) -> list[tuple[str, Any]]:
    """What pytest's ``parsefactories`` looks at: each name of ``dir(holder)`` in its
    sorted order, with a class's attributes read statically (as ``getattr_static``
    reads them: the first class of the MRO that has the name) and a module's by
    ``getattr``. Read straight from the ``__dict__``s where that gives the same answer
    (a class's ``dir`` is the names of its MRO's dicts; a module's, of its own dict
    unless it defines ``__dir__``): asking ``getattr_static`` for every name, ``object``'s
    included, costs more than the test itself for a small test class."""
    if isinstance(holder, type):
        found: dict[str, Any] = {}
        try:
            mro = type.__dict__["__mro__"].__get__(holder)
            for klass in mro:
                if klass is object:
                    continue
                for name, value in type.__dict__["__dict__"].__get__(klass).items():
                    found.setdefault(name, value)
        except Exception:
            found = {}
            for name in dir(holder):
                try:
                    found[name] = inspect.getattr_static(holder, name)
                except Exception:
                    continue
        return sorted(found.items())
    own = getattr(holder, "__dict__", None)
    if isinstance(holder, types.ModuleType) and isinstance(own, dict) and "__dir__" not in own:
        return sorted(own.items())
    out = []
    for name in dir(holder):
        try:
            out.append((name, getattr(holder, name)))
        except Exception:
            continue
    return out


def _first_attr(obj: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        meth = getattr(obj, name, None)
        if meth is not None:
            return meth
    return None


def _call_optional(func: Any, arg: Any, kind: str) -> None:
    """xunit functions take their argument optionally (pytest's `_call_with_optional_argument`)."""
    code = getattr(func, "__code__", None)
    nargs = code.co_argcount if code is not None else 0
    if inspect.ismethod(func):
        nargs -= 1
    if nargs:
        func(arg)
    else:
        func()


def _same_key(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, RuntimeError):
        return a is b


def _dedup(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out
