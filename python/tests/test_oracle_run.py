"""Oracle: running tests. ``fastest ARGS`` must print exactly what ``pytest ARGS`` prints.

Every case under ``run_cases/`` is a small self-contained project (its own
``pytest.ini`` or ``pyproject.toml``, so the case directory is the rootdir) that
exercises one area of running tests; ``test_project/`` (the demo suite) is one
more case.  For each case x argument set the harness copies the project to a
fresh directory, runs ``pytest -p no:cacheprovider ARGS`` there (the ``pytest``
console script next to this interpreter, so that neither side gets the cwd on
``sys.path`` from ``python -m``), wipes and re-copies it, runs
``fastest -p no:cacheprovider ARGS`` at the same path, and compares the exit
code, stdout and stderr after normalising run times, ``pytest-of-<user>/pytest-<N>``
temp dirs and object addresses (see ``normalise_run``).

Test ids read ``<case>-argset<N>``; ``ARGSETS[case][N]`` is the argument set.
``-k fixtures`` runs one case, ``-k "basic-argset3"`` one argument set.

Native engine: today fastest hands every run to pytest, so these comparisons
pass trivially.  A case (``"basic"``) or a single argument set
(``"basic-argset3"``) listed in ``NATIVE_CASES`` runs fastest with
``FASTEST_ENGINE=native``: fastest must then run it itself (it refuses to
delegate, exiting 3 with ``fastest: cannot run natively: ...`` on stderr), so
the comparison proves the native engine produced pytest's output.
``FASTEST_ORACLE_NATIVE=1`` in the environment treats every case as native (a
survey of what the engine supports so far).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
from oracle_harness import (
    HERE,
    RUN_TIMEOUT,
    Result,
    _diff,
    child_env,
    require_fastest,
    find_pytest,
    normalise,
    PrefetchingOracle,
    run_process,
)

pytestmark = pytest.mark.oracle

# --------------------------------------------------------------------------
# Which comparisons must be run by the native engine (FASTEST_ENGINE=native).
# Entries are case names ("basic": every argument set of the case) or test
# ids ("basic-argset3": one argument set).  Grow this as the engine grows.
# --------------------------------------------------------------------------

NATIVE_CASES: List[str] = [
    "subtests_in_threads",
    # Test methods a class setup replaced after pytest's collection bound them.
    "collected_methods",
    # `pythonpath = .`: the rootdir itself on `sys.path`, no `/./` in `__file__`.
    "pythonpath_dot",
    # Test methods made at import from `collections.abc.Sequence`'s cache, which
    # pytest's plugin manager fills with `list` at its start.
    "abc_cache",
    # Conftest runtest hooks (setup, call, teardown, makereport; plain, tryfirst,
    # trylast, old- and new-style wrappers) called by the native engine in pluggy's
    # order, with pytest's capture around each, and a report wrapper's changes kept;
    # pytest_pyfunc_call running coroutine tests, pytest_assertrepr_compare explaining;
    # pytest_runtest_logstart/logfinish with the item's location, outside its phases;
    # an initial conftest's import warning first in the summary (pytest imports it at
    # its start: `test_a.py sub`).
    "runtest_hooks",
    # Conftest session hooks that write nothing: the initial conftests'
    # pytest_sessionstart at the worker's start, every imported conftest's
    # pytest_sessionfinish and pytest_unconfigure at its end (test_run_native_gate.py
    # compares what they record); PYTEST_CURRENT_TEST and PYTEST_VERSION set, and no
    # variable of fastest's own in the tests' environment.
    "session_hooks",
    # Config keys nothing registers: the native engine warns about each through
    # pytest's own code (its source line in the summary), first among the warnings.
    "unknown_config_keys",
    "capture_restore",
    "class_fixture_wrappers",
    "async_tests",
    # The frames above a test, a fixture and a unittest test belong to pytest's modules.
    "call_stack",
    # What pytest's default plugins import (xml.etree, pdb, readline), unless blocked.
    "core_imports",
    # Modules with no test are imported before the first test, as collection does.
    "itemless_modules",
    "itemless_broken",
    # pytest's pytester, named by an initial conftest's pytest_plugins.
    "pytester_native-argset0",
    "pytester_native-argset1",
    "pytester_native-argset2",
    "pytester_native-argset4",
    "pytester_native-argset5",
    # Initial conftests' pytest_report_header, asked by the native engine.
    "header_native",
    # ... also when a collection error interrupts the session (no test runs).
    "header_native_errors",
    # pytest's session-long logging handlers on the root logger.
    "session_logging",
    # An initial conftest's `logging.basicConfig`, before those handlers.
    "conftest_logging",
    # Conftests' pytest_configure, called by the native engine.
    "configure_native",
    # Conftest hooks (and a fixture) that arrive by `from module import *` from a
    # module discovery can read.
    "star_hooks-argset0",
    "star_hooks-argset1",
    "star_hooks-argset2",
    # An initial conftest's options and ini keys, at their defaults.
    "options_native",
    # Fixtures parametrized with a higher scope (indirect and `params`; module, class,
    # session): discovery's order (pytest's `reorder_items`), the fixtures set up again
    # per parameter.
    "higher_scope_params",
    "higher_scope_session",
    # Direct parameters with a higher `scope=` that no fixture requests.
    "higher_scope_direct-argset2",
    # What initial conftests warn at import, met by the import fallback too.
    "conftest_import_warnings",
    "basic-argset0",
    "basic-argset1",
    "basic-argset2",
    "basic-argset3",
    "basic-argset4",
    "basic-argset5",
    # `--tb=line`: each failure's lines, then its crash line; no headline.
    "basic-argset6",
    "basic-argset7",
    "basic-argset8",
    "basic-argset9",
    "basic-argset10",
    # --import-mode=importlib: modules and conftests imported as pytest imports them
    # there (no sys.path entries), doctests too.
    "basic-argset11",
    "fixtures-argset6",
    # pytest's markup (--color=yes) from the coordinator and the workers.
    "basic-argset12",
    "basic-argset13",
    "basic-argset14",
    "basic-argset15",
    "basic-argset16",
    "fixtures-argset7",
    "errors-argset4",
    "errors-argset5",
    "exitcodes-argset7",
    "errors-argset2",
    "errors-argset3",
    "exitcodes-argset0",
    "exitcodes-argset1",
    "exitcodes-argset2",
    "exitcodes-argset3",
    "exitcodes-argset4",
    "exitcodes-argset6",
    "marks_xfail_strict",
    "output",
    "xunit",
    "package_xunit",
    "legacypath_blocked",
    "builtins",
    "unittest_cases",
    "fixtures_missing",
    "interrupt",
    "doctests",
    "doctests_ini",
    # An overriding fixture that requests its own name (`greeting(greeting)`): the
    # closure follows the override chain as pytest's `traverse_fixture_closure` does.
    "fixtures-argset0",
    "fixtures-argset1",
    "fixtures-argset2",
    "fixtures-argset4",
    "fixtures-argset5",
    # Files only an import can collect (bases and tests imported from other modules,
    # computed parameters, ids callables): the import fallback's run specs let the
    # native engine run their items.
    "imported",
    # A conftest `pytest_configure` that only registers markers is no hook to run.
    "markers_conftest",
    # Warnings raised while importing modules and conftests are collection warnings.
    "import_warnings",
    # Every test module is imported before the first test runs, as pytest's collection
    # imports them (without capture, what the imports print comes before the collected line).
    "import_order",
    # A module whose tests discovery proved but whose import fails (or skips) when it
    # runs is a collection error, as pytest's collection reports it: the session starts
    # over with it collected by pytest. (-x and --maxfail sessions with collection
    # errors are pytest's: argset7.)
    "import_errors-argset0",
    "import_errors-argset1",
    "import_errors-argset2",
    "import_errors-argset3",
    "import_errors-argset4",
    "import_errors-argset5",
    "import_errors-argset6",
    # What compiling a module warns (invalid escape sequences) shows in every run where
    # pytest compiles it, although the import fallback compiled it first; an error
    # filter turns it into pytest's SyntaxError at collection.
    "compile_warnings",
    # pytest's collector warnings (test classes it cannot collect) come from the import
    # fallback; the run stays native.
    "collect_warnings",
    # Modules skipped at collection (module-level pytest.skip, importorskip) count on
    # the collected line, the final line and -rs, as pytest's collect reports do.
    "marks",
    # Collection errors: the session interrupted before the first test, or (with
    # --continue-on-collection-errors) the ERRORS section led by the collect reports.
    "errors-argset0",
    "errors-argset1",
    # Warnings raised by importing a module the fallback collected are raised again by
    # the native run's import (unknown marks: pytest.mark has the session's markers).
    "unknown_marks-argset0",
    "unknown_marks-argset1",
    "unknown_marks-argset2",
    # Parameter sets from iterators run natively (the fallback records what pytest made
    # of the consumed iterator); pytest's warnings about them come from the coordinator,
    # placed among the run's import warnings in collection order.
    "collection_warnings",
    "durations",
    "engine_api",
    "engine_options",
    # `-p no:warnings` (on the command line, or in addopts).
    "warnings_blocked",
    "warnings_blocked_addopts",
    # `-p no:logging`.
    "logging_blocked",
    "class_fixture_methods",
    # Subtests (unittest's subTest on Python 3.11+, the subtests fixture).
    "unittest_subtests",
    "log_levels-argset0",
    "log_levels-argset1",
    "log_levels-argset2",
    "log_levels-argset3",
    "log_levels-argset4",
    "log_levels-argset5",
    "log_levels-argset7",
    "log_levels-argset8",
    "log_levels-argset9",
    # Deselected modules imported before the first test (their warnings), and one
    # failing to import under --continue-on-collection-errors.
    "deselected_imports-argset0",
    "deselected_imports-argset1",
    "deselected_imports-argset2",
    "deselected_imports-argset5",
    "deselected_imports-argset7",
    "deselected_imports-argset8",
    "empty_module_imports-argset1",
    "logging_plugin-argset0",
    "logging_plugin-argset1",
    # A module broken by another module's import: collected by import in order.
    "import_side_effects",
]

# --------------------------------------------------------------------------
# Comparisons fastest must serve itself, with either engine (FASTEST_NO_DELEGATE=1:
# handing the session to pytest fails the run): sessions with conftest hooks, which
# the pytest engine runs in fastest's workers.
# --------------------------------------------------------------------------

ENGINE_CASES: List[str] = [
    # Ini keys the conftest registers, their defaults from the import fallback's pytest
    # (argset3 sets them with -o, which only pytest's session knows).
    "conftest_ini_defaults-argset0",
    "conftest_ini_defaults-argset1",
    "conftest_ini_defaults-argset2",
    "doctest_import_errors",
    # Tracebacks with pytest's own frames (`--tb=native`, `--full-trace`): the pytest
    # engine runs the session (the native engine's frames were its own).
    "basic-argset17",
    "basic-argset18",
    "fixtures-argset8",
    "hooks",
    # A conftest's `pytest_generate_tests` acting only on tests using given names: the
    # modules with such a test (directly, through a fixture, an autouse one) are the
    # pytest engine's, the others native (test_run_native_gate.py).
    "generate_tests_guard",
    # Modules with no test the fallback imported under a conftest's collection hook.
    "empty_module_imports-argset0",
    "empty_module_imports-argset2",
    # Test classes conftest hooks make and bind on the module while collecting
    # (pytest_pycollect_makeitem) or after (pytest_collection_modifyitems, the items
    # replaced): not in the module the native engine imports, so the pytest engine
    # runs them, and finds the items the hook put in place.
    "hook_made_classes",
    # Collection hooks a conftest imports from another module (or assigns from one).
    "imported_hooks",
    "mixed_engines",
    # Conftest hooks making collectors and items (pytest_pycollect_makemodule,
    # pytest_collect_file, pytest_pycollect_makeitem): pytest's collection in the
    # fallback; the items of pytest's own classes native, a custom item class's file and
    # a module whose hook-made item wraps its function in the pytest engine.
    "collector_hooks",
    "hooks_modifyitems",
    # `--runslow` (pytest_addoption, a markers-only pytest_configure and a
    # pytest_collection_modifyitems adding marks, reordering, deselecting): the native
    # engine runs the items (test_run_native_gate.py); `--runslow` itself, the pytest engine.
    "hooks_runslow",
    # A module failing to import under the pytest engine: the header (with a conftest's
    # line) stays, the session starts over with the module collected by pytest.
    "import_errors_hooks",
    # pytest's plugin machinery in a test module (a fixture unregistering the logging
    # plugin, `ihook`, `config.hook`) and in a conftest fixture: the pytest engine runs
    # those items, with the logging plugin's session handlers on the root logger.
    "plugin_machinery",
    # A session-scoped parametrized fixture and a session-scoped parametrize: pytest's
    # `reorder_items` interleaves the modules' items, in the order of its collection.
    "session_params",
    "session_params_conftest",
    # Import warnings under the pytest engine: of modules the fallback collected (the
    # coordinator's) and of proven ones and conftests (the worker's collection), and of
    # a conftest pytest's start-up loads (the first worker's).
    "engine_import_warnings",
    "engine_conftest_warning",
    # A `pytest_report_header` that prints: shown once, below the platform line, only
    # where pytest writes a header.
    "header_print",
    # A class whose parametrize warns at collection, in a file the import fallback
    # collects: the warning is in the summary once, and not on stderr.
    "engine_collect_warning",
    # Conftest hooks that only decide what pytest's collection finds: the import
    # fallback collects the session, the native engine runs its items (which engine
    # ran: test_run_native_gate.py).
    "collection_hooks_native",
    # The project's own fixture modules named by the root conftest's pytest_plugins (and
    # by theirs): pytest's collection registers them, the native engine loads them with
    # the conftest (fixtures below every conftest's, autouse first, rewritten asserts);
    # one with a runtest hook is the pytest engine's (one drawing a terminal summary,
    # argset3, pytest's session: so is --setup-show, argset5).
    "project_plugins-argset0",
    "project_plugins-argset1",
    "project_plugins-argset2",
    "project_plugins-argset4",
]

#: Cases whose native comparisons run a second time with the pytest engine forced
#: (``FASTEST_ENGINE=pytest``, id suffix ``-pytest-engine``): pytest's own runtest
#: protocol in fastest's workers must print what pytest prints, too.
PYTEST_ENGINE_VARIANTS: List[str] = [
    "subtests_in_threads",
    "basic",
    "call_stack",
    "output",
    "builtins",
    "xunit",
    "package_xunit",
    "unittest_cases",
    "marks_xfail_strict",
    "async_tests",
    "interrupt",
    "doctests",
    "import_order",
    "import_errors",
    "log_levels",
    # A unittest subtest's letter written into the test's captured output under fd
    # capture (`_pytest_engine._echo_subtest`; not its verbose line).
    "unittest_subtests-argset0",
    "unittest_subtests-argset1",
    "unittest_subtests-argset3",
    "unittest_subtests-argset4",
    "unittest_subtests-argset5",
    "unittest_subtests-argset6",
]

RUN_CASES_DIR = HERE / "run_cases"
TEST_PROJECT = HERE.parent.parent / "test_project"

#: Prepended to every argument set, for pytest and fastest alike: no
#: ``.pytest_cache`` writes (and no ``--lf`` state) in the copies.
BASE_ARGS: Tuple[str, ...] = ("-p", "no:cacheprovider")

#: Environment of both runs, on top of ``oracle_harness.child_env`` (which
#: drops ``PYTEST_*``, colour and CI variables and sets ``COLUMNS=80``).
#: ``PYTHONHASHSEED``: pytest's coloured log levels iterate a set of markup names
#: (``{"red", "bold"}``), whose order follows the process's string hashing.
RUN_ENV: Dict[str, str] = {"NO_COLOR": "1", "PYTHONHASHSEED": "0"}

# --------------------------------------------------------------------------
# Case -> argument sets (argv after BASE_ARGS).
# --------------------------------------------------------------------------

ARGSETS: Dict[str, List[List[str]]] = {
    # assertion diffs (ints, strings, lists, dicts), multi-frame traceback,
    # classes, parametrize; every traceback style
    "basic": [
        [],
        ["-q"],
        ["-v"],
        ["-vv"],
        ["-rA"],
        ["--tb=short"],
        ["--tb=line"],
        ["--tb=no"],
        ["-l"],
        ["-x"],
        ["-k", "TestMath or square"],
        ["--import-mode=importlib", "-rA"],
        # pytest's markup: coloured letters, progress and final line, bold red
        # headlines, pygments-highlighted tracebacks and assertion diffs
        ["--color=yes", "-rA"],
        ["--color=yes", "-v", "--tb=short"],
        ["--color=yes", "-q", "-x"],
        # console_output_style = count: `[ N/M]` progress
        ["-o", "console_output_style=count"],
        ["-o", "console_output_style=count", "-v"],
        # every frame from pytest's `CallInfo.from_call` down: the pytest engine's
        ["--tb=native"],
        ["--full-trace"],
    ],
    "pythonpath_dot": [[], ["-rA"]],
    "abc_cache": [["-v"]],
    # scopes, yield teardown, autouse, override, usefixtures, params,
    # indirect, request attributes, errors at setup/teardown, missing fixture
    "fixtures": [
        [],
        ["-v"],
        ["-rA"],
        ["--setup-show"],
        ["-x", "--tb=short"],
        ["-k", "param or pkg"],
        ["--import-mode=importlib"],
        ["--color=yes", "-rA"],
        # errors in setup and teardown drawn with pytest's own frames
        ["--tb=native"],
    ],
    # skip/skipif/xfail marks, pytest.param marks, pytestmark, class marks,
    # imperative skip/fail/xfail, module-level skip, importorskip
    "marks": [
        [],
        ["-v"],
        ["-rA"],
        ["--runxfail"],
        ["-m", "slow"],
        ["--color=yes", "-rA"],
        ["--color=yes", "-v", "-rs", "--no-fold-skipped"],
        # -vv: long skip and xfail reasons wrapped as pytest's `wrap_write` wraps them
        ["-vv"],
    ],
    "marks_xfail_strict": [[], ["-rxX"], ["--tb=line"]],
    # uncertain files (imported bases, tests and fixtures; computed, stacked, duplicate,
    # empty and indirect parameters; computed fixture params) run natively
    "imported": [[], ["-v"], ["-rA"], ["-k", "values or Cache", "-m", "not slow"]],
    # markers registered by conftests' pytest_configure, under --strict-markers
    # a conftest hook raising while pytest collects: INTERNALERROR, exit 3
    "internal_error": [[], ["-q"], ["--co"]],
    # import-time warnings of conftests and test modules (collection warnings in pytest)
    "collect_warnings": [[], ["-rA"], ["-q"], ["-W", "error::DeprecationWarning"], ["-q", "-k", "plain or client"]],
    # a conftest's pytest_configure raising (a warning under filterwarnings=error):
    # pytest's INTERNALERROR at start-up, exit 3 (the pytest engine hands it to pytest)
    "configure_error": [[], ["-q"], ["-v"]],
    # a module's import-time code runs before any test (state tests leave behind)
    "compile_warnings": [[], ["-W", "error::DeprecationWarning"], ["-rA"]],
    "import_errors": [
        [],
        ["-v"],
        ["-s"],
        ["-s", "-v"],
        ["-rA"],
        ["--continue-on-collection-errors", "-v"],
        ["--doctest-modules"],
        ["-x"],
    ],
    "import_errors_hooks": [[], ["-v"], ["-s"], ["--continue-on-collection-errors"]],
    # A module whose import fails only after another module's import changed the
    # process (its tests are no tests: one collection error), collected alone it is fine.
    "import_side_effects": [[], ["--continue-on-collection-errors"], ["--continue-on-collection-errors", "-rA", "-v"]],
    # Reporting hooks next to a collection hook, and session hooks that write: pytest's
    # session places their output (fastest hands such sessions to it).
    "hooks_reporting": [[], ["-v"]],
    "session_output_hooks": [[], ["-q"]],
    "plugin_machinery": [[], ["test_logging_plugin.py", "-rA"], ["sub", "-v"]],
    # (also their listings: pytest interleaves the modules' items there too)
    "session_params": [
        [],
        ["-v"],
        ["-rA"],
        ["-k", "store or mode"],
        ["--collect-only"],
        ["--collect-only", "-q", "pkg"],
        ["--collect-only", "-q", "test_b.py", "pkg"],
    ],
    "session_params_conftest": [[], ["-v"], ["--collect-only", "-q", "test_two.py", "test_one.py"]],
    "engine_import_warnings": [[], ["-v"], ["-rA"], ["test_z.py", "sub"], ["-k", "z or s"]],
    "engine_conftest_warning": [[], ["-rA"]],
    "header_print": [[], ["-v"], ["-q"], ["--no-header"], ["-rA"]],
    "engine_collect_warning": [[], ["-v"]],
    "collection_hooks_native": [[], ["-v"], ["-rA"]],
    # A class setup replacing test methods (unittest's `setUpClass` wrapping them in
    # `skip`/`expectedFailure`, an xunit `setup_class`): pytest runs the methods its
    # collection bound.
    "collected_methods": [[], ["-rA"]],
    "generate_tests_guard": [[], ["-v"], ["-rA"], ["-k", "plain or version"]],
    "unknown_config_keys": [[], ["-rA"], ["-q"], ["-W", "ignore::pytest.PytestConfigWarning"]],
    "session_hooks": [[], ["-v"], ["sub"], ["test_a.py", "sub"], ["-x"], ["-k", "started"]],
    # A pytest_sessionfinish setting the exit status (no tests: exit 0): pytest's session.
    "exit_status_hook": [[], ["-k", "nothing"], ["--collect-only", "-q", "-k", "nothing"], ["-q", "-k", "one"]],
    "imported_hooks": [[], ["-v"], ["--collect-only", "-q"], ["-rA", "-k", "n"], ["docs"]],
    "star_hooks": [[], ["-v"], ["-rA"], ["--collect-only", "-q"]],
    "hook_made_classes": [[], ["-v"], ["--collect-only", "-q"]],
    # A star import from a module found only through a path the conftest adds: its
    # hooks (one writes to the terminal, one reorders) make the session pytest's.
    "star_hooks_unknown": [[], ["-v"], ["--collect-only", "-q"]],
    # A pytest_runtest_logstart/logfinish that prints: pytest's session.
    "logstart_output": [[], ["-v"], ["-q", "sub"], ["--collect-only", "-q"]],
    "runtest_hooks": [[], ["-rA"], ["-v"], ["-s"], ["--runslow", "-q"], ["-x"], ["-rs", "-k", "b_ or flip"],
                      ["--tb=short", "-rA", "sub"], ["test_a.py", "sub"], ["-v", "aio", "test_money.py"]],
    "collector_hooks": [[], ["-v"], ["-rA"], ["-q", "-k", "check or answer"], ["-x"]],
    # unittest subtests reported from threads the test starts (the worker's channel
    # belongs to its own thread).
    "subtests_in_threads": [[], ["-rA"], ["-v"], ["-s"]],
    # Ini keys a conftest registers (`parser.addini`), read with their defaults by a
    # fixture, in a session pytest's collection collects (a conftest collection hook).
    "conftest_ini_defaults": [[], ["-rA"], ["--runslow", "-v"], ["-o", "my_number=7", "-o", "my_flag=false", "-rA"]],
    # `--doctest-ignore-import-errors`: a doctest module failing to import with an
    # ImportError is skipped, one failing otherwise (or a test module) is an error.
    "doctest_import_errors": [
        ["--doctest-modules", "--doctest-ignore-import-errors", "-rA"],
        ["--doctest-modules", "--doctest-ignore-import-errors", "-rs", "-q", "mod_bad.py", "mod_ok.py"],
        ["--doctest-modules", "--doctest-ignore-import-errors", "--continue-on-collection-errors"],
    ],
    # The log_level ini (and the session levels defaulting to it), overridden with -o.
    "log_levels": [
        [],
        ["-rA"],
        ["-o", "log_level=DEBUG"],
        ["-o", "log_level=warning"],
        ["-o", "log_level=", "-o", "log_file_level=DEBUG"],
        ["-o", "log_cli_level=10"],
        # pytest's logging plugin in the pytest engine: a log file, indented lines.
        ["-o", "log_file=run.log", "-o", "log_auto_indent=on"],
        # The logging plugin's options, read before their ini keys (`get_option_ini`).
        ["--log-level=DEBUG", "-rA"],
        ["-o", "log_level=DEBUG", "--log-level", "warning", "--log-format=%(levelname)s|%(message)s"],
        ["--log-date-format=%Y", "--log-format=%(asctime)s %(name)s %(message)s", "--log-level=10"],
        # Values pytest's start-up rejects: its usage errors, not the engine's failure.
        ["--log-level=loud"],
        ["-o", "log_level=loud"],
        ["-W", "bogus::UserWarning"],
        ["-o", "filterwarnings=ignore::NoSuchWarning"],
    ],
    # Modules whose tests are all deselected are still imported, as pytest's collection
    # imports them: their import warnings count, and a failing import interrupts the
    # session (pytest then reports every module's import).
    # Modules with no test that pytest's collection in the import fallback imported: the
    # run's process imports them too, in their place (their import's effects are the
    # session's).
    "empty_module_imports": [["hooked"], ["mixed"], ["-v", "hooked", "mixed"]],
    # A fixture taking pytest's logging plugin away for its tests and putting it back:
    # those tests' phases after it capture no logs and leave the root logger alone.
    "logging_plugin": [[], ["-rA"], ["-rA", "-p", "no:logging"]],
    "deselected_imports": [
        ["warns", "-m", "not slow"],
        ["warns", "-k", "fast", "-rA"],
        ["warns", "--deselect", "warns/test_legacy.py"],
        ["broken", "-m", "not slow"],
        ["broken", "-v", "-k", "fast"],
        ["broken", "--continue-on-collection-errors", "-k", "fast"],
        ["broken", "-k", "fast", "-s"],
        # Every test deselected: the imports happen all the same (in a worker that
        # runs nothing), what they warn is in the summary.
        ["warns", "-k", "nomatch"],
        ["warns", "-rA", "--deselect", "warns/test_fast.py", "--deselect", "warns/test_legacy.py"],
        ["broken", "-k", "nomatch"],
    ],
    "import_order": [[], ["-v"], ["-rA"], ["-s"], ["-s", "-v"], ["--capture=tee-sys", "-q"], ["-k", "test_b"]],
    "import_warnings": [[], ["-rA"], ["-W", "error::UserWarning:test_aa"], ["--disable-warnings"]],
    # unregistered marks (PytestUnknownMarkWarning at import): the import fallback collects
    # the module, the native run's pytest.mark warns again when it imports it; with the
    # module deselected (argset3) pytest alone knows its import warnings
    "unknown_marks": [[], ["-rA"], ["-v", "-m", "registered"], ["-k", "other"]],
    # parameters from iterators (pytest 9's PytestRemovedIn10Warning at collection),
    # import warnings of static and collected modules: the summary in collection order
    "collection_warnings": [[], ["-rA"], ["-v"], ["--color=yes"]],
    # the import of a slow module and conftest is no part of a setup's duration
    "durations": [["--durations=3", "--durations-min=0.04"]],
    # the ini's usefixtures and verbosity_assertions, capsys.disabled(), request.node's
    # callspec/getparent/fspath/keywords, session and config attributes, request reprs
    "engine_api": [[], ["-rA", "-s"]],
    # config.getoption/option of every pytest option (`-k` and `-m` as given, defaults
    # as pytest's parser makes them), getini of pytest's keys, config.args and its
    # source, the session's path and isinitpath
    # pytest 9's deprecation of higher-scoped fixtures defined as plain methods (class
    # and class methods, static methods and function scope warn nothing)
    "class_fixture_methods": [[], ["-rA", "-v"]],
    "warnings_blocked": [
        ["-p", "no:warnings"],
        ["-p", "no:warnings", "-rA"],
        ["-p", "no:warnings", "--strict-markers"],
        ["-p", "no:warnings", "-W", "error", "-v"],
        ["-p", "no:warnings", "-m", "filterwarnings"],
    ],
    "warnings_blocked_addopts": [["-rA"], ["-x", "--tb=short"]],
    "logging_blocked": [
        ["-p", "no:logging", "-rA"],
        ["-p", "no:logging", "-v"],
        ["-p", "no:logging", "-p", "no:warnings", "-rA"],
    ],
    "engine_options": [
        ["-s"],
        ["-s", "-k", "probe or other", "-m", "not slow", "--durations=2", "--durations-min=1", "-x", "--tb=short"],
        ["-s", "tests/test_options.py::test_probe", "-W", "ignore::DeprecationWarning", "-rA"],
        ["-s", "tests", "--maxfail=3", "--import-mode=importlib", "-o", "log_cli_level=WARNING"],
    ],
    # a collection hook that reorders and marks (deselects nothing), a runtest hook
    "hooks_modifyitems": [[], ["-rA"], ["-v"]],
    # a collection hook reading each item's `location` (a cached property: no change)
    # and marking by the whole session's list (test_run_native_gate.py: native engine)
    "modifyitems_whole_list": [[], ["-rs"], ["tests/integration/test_a.py"]],
    # a hook removing items without deselecting them: pytest's collected line counts them
    "hook_drops_items": [[], ["-k", "drop"], ["-q"], ["--collect-only", "-q"],
                         ["--collect-only", "-q", "-k", "keep"]],
    # hooks a conftest star-imports inside a block (try/with): from a module beside it,
    # or from one its own code made (SQLAlchemy's bootstrap)
    "block_star_hooks_file": [[], ["-rs"]],
    "block_star_hooks_made": [[], ["-rs"]],
    # a conftest's pytest_configure choosing the mark expression (poetry-core's):
    # pytest's session, whatever -m says
    "configure_sets_options": [[], ["--integration"], ["-m", "integration"], ["--collect-only", "-q"]],
    # a collection hook whose marks send the items to the pytest engine and depend on
    # the whole list: called once over every module's items, as pytest calls it
    "modifyitems_engine_whole_list": [[], ["-rx"], ["test_a.py"], ["-k", "divides", "-rx"]],
    "hooks_runslow": [
        [],
        ["-rA"],
        ["-v"],
        ["-m", "tagged", "-v"],
        ["-k", "not first", "-q"],
        ["--runslow", "-rs"],
        ["--level", "5", "test_runslow.py", "--runslow", "-v"],
    ],
    "markers_conftest": [[], ["-m", "slow", "-v"], ["-m", "not db and not network"], ["-m", "api or db", "-rA"]],
    # missing fixtures (argument, in a fixture, usefixtures, class, TestCase, cache
    # without the cacheprovider, getfixturevalue), request.raiseerror: pytest's
    # FixtureLookupError text with the available fixtures
    "fixtures_missing": [[], ["-rA"], ["-x"], ["sub"], ["--tb=line"]],
    # captured stdout/stderr/log sections, capsys, warnings summary,
    # non-None return, unicode, no capture
    "output": [
        [],
        ["-q"],
        ["-rA"],
        ["-s"],
        ["--show-capture=no"],
        ["-W", "error::DeprecationWarning"],
        ["--color=yes", "-rA"],
        # tee-sys: each outcome is out before the next phase's copy of its output;
        # East Asian wide characters trimmed by columns (-v reasons, -r messages)
        ["--capture=tee-sys", "-q"],
        ["-v", "-rA"],
        # Loading plugins pytest loads anyway (mako's addopts has `-p warnings`).
        ["-p", "warnings", "-p", "logging", "-q"],
    ],
    # tmp_path(_factory), monkeypatch, recwarn, capsys, capfd, caplog,
    # request, pytestconfig
    "builtins": [[], ["-v"], ["-rA"]],
    # unittest.TestCase: setUp(Class), failures, skips, expectedFailure, SkipTest,
    # setUpModule, errors in setUpClass/tearDown/tearDownClass, cleanups, runTest,
    # pytest marks, autouse fixtures and usefixtures on TestCase classes, async
    "unittest_cases": [[], ["-v"], ["-rA"], ["--tb=short"], ["-x"], ["--tb=no", "-rsx"]],
    # unittest subTest and the subtests fixture: pytest 9.2's SUBFAILED reports, the
    # letters pytest writes into a unittest test's captured output, "contains N failed
    # subtests", -x counting a failed subtest, quiet and verbose subtests
    "unittest_subtests": [
        [],
        ["-rA"],
        ["-v"],
        ["-q"],
        ["-x"],
        ["--capture=sys", "-rA"],
        ["-s"],
        ["-v", "-o", "verbosity_subtests=0"],
        ["-o", "verbosity_subtests=1", "-rA"],
    ],
    # setup_module/function/class/method and their teardowns
    "xunit": [[], ["-v"], ["-rA"]],
    # pytest's Package.setup: a package's `setup_module`/`teardown_module` (a failing
    # one fails every item below it), and an `__init__.py` whose directory is no
    # importable name executed at its first item's setup.
    "package_xunit": [[], ["-rA"], ["-s"], ["-v"]],
    # `-p no:legacypath` in addopts (nox's): no `tmpdir` fixtures, no `py.path`
    # attributes, served natively.
    "legacypath_blocked": [[], ["-rA"], ["-p", "no:legacypath", "-v"]],
    "call_stack": [[], ["-rA"], ["--tb=long"]],
    "core_imports": [["-q"], ["-rA"]],
    "itemless_modules": [[], ["-rA", "-W", "ignore::DeprecationWarning"], ["--doctest-modules"]],
    "itemless_broken": [[], ["--continue-on-collection-errors"], ["-k", "ok"]],
    "itemless_hooked": [["-v"]],
    # argset3: a conftest pytest imports while collecting sets pytest_plugins (pytest's
    # collection error; pytest runs that session).
    # argset4: `-p pytester` instead of a conftest; argset5: without it; argset6: with
    # one of its options.
    # A conftest's item hooks below one directory: the pytest engine runs those modules,
    # the native engine the others, in one worker (`fastest._mixed`) or several.
    # A test leaving a capture fixture's closed stream in `sys.stdout` (monkeypatch's
    # undo after capsys's): the session's capture is back at the next phase.
    "capture_restore": [[], ["-rA"]],
    # `@pytest.fixture` over `@staticmethod` (a plain function: every argument a
    # fixture) and over `@classmethod` (bound to the class) in a test class.
    "class_fixture_wrappers": [[], ["-v"]],
    "mixed_engines": [
        [],
        ["-v", "-rA"],
        ["-x"],
        ["-q", "-k", "hooked or after", "-rP"],
        ["-s", "-q"],
        ["-q", "tests/test_z_native.py", "tests/hooked/test_h2.py"],
    ],
    "project_plugins": [
        [],
        ["-v", "-s"],
        # An initial conftest's plugin with a runtest hook: the pytest engine.
        ["hooked", "-rA"],
        # One drawing a terminal summary: pytest's session.
        ["summary"],
        ["tests", "hooked", "-q"],
        ["--setup-show", "-k", "resource or flavour"],
    ],
    "pytester_native": [
        ["tests"],
        ["tests", "-v"],
        ["tests", "-rA", "--strict-markers"],
        ["late"],
        ["popt", "-p", "pytester", "--strict-markers"],
        ["popt"],
        # An option of the plugin `-p` loads (pytest's collection reads the command line).
        ["popt", "-p", "pytester", "--runpytest=subprocess", "-rA"],
    ],
    "header_native": [[], ["-v"], ["-q"], ["--no-header"], ["tests/sub"]],
    "header_native_errors": [[], ["-v"], ["--continue-on-collection-errors"], ["test_ok.py"]],
    "session_logging": [[], ["-rA"], ["-o", "log_level=DEBUG"], ["-s"]],
    "conftest_logging": [[], ["-rA"], ["-s"], ["sub", "-rA"], ["-o", "log_level=WARNING", "-rA"]],
    "configure_native": [[], ["-v"], ["-q", "--strict-markers"], ["sub"]],
    # The conftest's options on the command line (values separate or attached, a value
    # that looks like a path, between paths): the parser knows them from the source.
    "higher_scope_params": [[], ["-v"], ["-x", "-q"]],
    "higher_scope_session": [[], ["-v"], ["-k", "a1 or zz"]],
    "higher_scope_direct": [[], ["-v", "-s"], ["-q", "test_plain.py"]],
    "conftest_import_warnings": [[], ["-v"], ["-W", "ignore::UserWarning"], ["sub"]],
    "options_native": [
        [],
        ["-v"],
        ["-rA"],
        ["--db-url", "postgres://", "--fast", "--retries", "5", "--tag", "a", "--tag=b", "-rA"],
        ["tests", "--db-url=postgres://", "-q"],
        ["--db-url", "tests", "--retries=7", "tests/test_options.py::test_fails", "-v"],
    ],
    # collection errors (syntax error, yield test), SystemExit in tests
    "errors": [
        [],
        ["--continue-on-collection-errors"],
        ["test_exit.py", "test_good.py"],
        ["-x", "test_exit.py"],
        ["--color=yes"],
        ["--color=yes", "--continue-on-collection-errors", "-rA"],
    ],
    # async def tests without a plugin
    "async_tests": [[], ["-v"]],
    # conftest hooks (pytest_addoption's --runslow, pytest_report_header,
    # pytest_collection_modifyitems adding marks and deselecting, pytest_runtest_setup
    # and _call): the pytest engine runs them in fastest's workers
    "hooks": [[], ["-v"], ["-rA"], ["--runslow", "-q"], ["-x"], ["--color=yes", "-rA"]],
    # KeyboardInterrupt raised by a test and pytest.exit (with and without a
    # returncode): the session stops, fixtures are torn down uncaptured, pytest's
    # banner and exit code
    "interrupt": [
        ["tests/test_a.py", "tests/test_ki.py"],
        ["-v", "-rA", "-s", "tests/test_a.py", "tests/test_ki.py"],
        ["-q", "tests/test_ki.py"],
        ["tests/test_exit.py"],
        ["-q", "tests/test_exit_code.py"],
        ["-rA", "tests/test_a.py", "tests/test_exit_one.py"],
        ["--color=yes", "tests/test_a.py", "tests/test_ki.py"],
    ],
    # exit codes 0 (all pass), 5 (nothing collected / all deselected), 4 (usage)
    "exitcodes": [
        [],
        ["-q"],
        ["docs"],
        ["-k", "nomatch"],
        ["-q", "-m", "nomatch"],
        ["missing_dir"],
        ["--no-such-option"],
        ["--color=yes", "-k", "nomatch"],
    ],
    # doctests: --doctest-modules (module docstrings, functions, classes, methods,
    # properties, nested classes, wrapped functions, packages), text files (default
    # glob, --doctest-glob), failures and unexpected exceptions, every --doctest-report,
    # --doctest-continue-on-failure, +SKIP, pytest.skip inside, doctest_namespace from
    # an autouse conftest fixture, getfixture, module marks, modules with tests too
    "doctests": [
        [],
        ["--doctest-modules"],
        ["--doctest-modules", "-v"],
        ["--doctest-modules", "-rA"],
        ["--doctest-modules", "--doctest-continue-on-failure"],
        ["--doctest-modules", "--doctest-report", "ndiff"],
        ["--doctest-modules", "--doctest-report=CDIFF", "--doctest-continue-on-failure"],
        ["--doctest-modules", "--doctest-report", "none"],
        ["--doctest-modules", "--doctest-report", "only_first_failure",
         "--doctest-continue-on-failure"],
        ["--doctest-glob=*.rst", "--doctest-glob=test_*.txt", "-v"],
        ["--doctest-modules", "-x"],
        ["--doctest-modules", "-k", "add or Square"],
        ["--doctest-modules", "--tb=no", "-rfs"],
        ["--doctest-modules", "-o", "doctest_optionflags=ELLIPSIS", "calc.py"],
        ["--doctest-modules", "pkg", "test_mixed.py::test_mixed.double", "test_notes.txt"],
        ["--doctest-modules", "-m", "skip"],
        ["--doctest-modules", "--import-mode=importlib"],
        ["--doctest-modules", "--color=yes", "-rA"],
        # A module collected twice: each copy's doctests have their own globals.
        ["--doctest-modules", "--keep-duplicates", "-rA", "registry.py", "registry.py"],
    ],
    # doctest options from the ini: addopts, doctest_optionflags (pytest's NUMBER,
    # ALLOW_UNICODE, ALLOW_BYTES; IGNORE_EXCEPTION_DETAIL; no ELLIPSIS), doctest_encoding
    "doctests_ini": [[], ["-rA"], ["--doctest-continue-on-failure", "-v"]],
    # the demo suite (./dev demo): must stay green
    "test_project": [[], ["-q"], ["-v"], ["-rA"]],
}

# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# pytest's temp dirs: <tmp>/pytest-of-<user>/pytest-<N>/<test name><M>.  N
# counts the runs sharing one base dir, so it is a per-run value.  (The harness
# also gives each run a fresh empty TMPDIR, which makes N 0 for both tools.)
_TMP_RUN = re.compile(r"(/pytest-of-[^/\s]+/pytest-)\d+\b")
# Default reprs carry the object's address: `<X object at 0x7f...>`, shown for
# `self` and fixtures in every traceback of a method.
_ADDRESS = re.compile(r"\bat 0x[0-9a-f]+\b")
# `--durations` lines and `(0.12s)`-style times.
_DURATIONS_LINE = re.compile(r"^\d+\.\d\ds(?= +(?:setup|call|teardown) )", re.M)
_PAREN_SECONDS = re.compile(r"\(\d+\.\d\ds\)")
# `-v` headers end with `-- sys.executable`: the console scripts' interpreter paths
# differ in spelling (`bin/python` vs `bin/python3`) depending on what installed them.
_EXECUTABLE = re.compile(r"^(platform .*) -- \S+$", re.M)


#: fastest's note under ``-v`` on which engine ran (pytest prints no such line).
_ENGINE_NOTE = re.compile(
    r"^fastest: the (pytest engine runs .* \(.*\)|native engine runs the other modules)\n", re.M
)


def normalise_run(text: str, width: int = 80) -> str:
    """What may differ between two identical runs, replaced by placeholders.

    * the run time on the final summary line (``in 0.12s`` and the ``=`` fill
      around it, as in the collect oracle: ``oracle_harness.normalise``),
      ``(0.12s)`` and ``--durations`` times;
    * the run number of pytest's temp dirs (``/pytest-of-root/pytest-17/``);
    * object addresses (``<Foo object at 0x7f3a...>``).
    """
    text = normalise(text, width)
    text = _ENGINE_NOTE.sub("", text)
    text = _TMP_RUN.sub(r"\1<N>", text)
    text = _ADDRESS.sub("at 0x<ADDR>", text)
    text = _EXECUTABLE.sub(r"\1 -- <PYTHON>", text)
    text = _DURATIONS_LINE.sub("<DURATION>", text)
    return _PAREN_SECONDS.sub("(<DURATION>)", text)


# --------------------------------------------------------------------------
# Specs, running, comparing
# --------------------------------------------------------------------------

NATIVE_REFUSAL = "fastest: cannot run natively:"
DELEGATION_REFUSAL = "fastest: pytest would run this session:"


@dataclass(frozen=True)
class RunSpec:
    test_id: str  # "<case>-argset<N>"
    case: str
    source: Path
    args: Tuple[str, ...]
    #: "pytest": the pytest engine is forced (a ``-pytest-engine`` variant).
    engine: str = "auto"

    @property
    def native(self) -> bool:
        if self.engine == "pytest":
            return False
        if os.environ.get("FASTEST_ORACLE_NATIVE", "") not in ("", "0"):
            return True
        return self.case in NATIVE_CASES or self.test_id in NATIVE_CASES

    @property
    def fastest_env(self) -> Dict[str, str]:
        """How fastest must serve the comparison."""
        if self.engine == "pytest":
            return {"FASTEST_ENGINE": "pytest", "FASTEST_NO_DELEGATE": "1"}
        if self.native:
            return {"FASTEST_ENGINE": "native"}
        if self.case in ENGINE_CASES or self.test_id in ENGINE_CASES:
            return {"FASTEST_NO_DELEGATE": "1"}
        return {}

    def __repr__(self) -> str:
        return f"RunSpec({self.test_id}: {shlex.join(self.args) or '(no args)'})"


def _copy_project(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        src,
        dst,
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".fastest_cache"),
    )


def _env(extra: Dict[str, str]) -> Dict[str, str]:
    env = child_env({**RUN_ENV, **extra})
    env.pop("FASTEST_ENGINE", None)
    env.update(extra)
    return env


class RunOracle(PrefetchingOracle):
    """Runs pytest (ahead of time, on a thread pool) and fastest on fresh copies."""

    def _slot(self, spec: RunSpec) -> Path:
        return self.base / spec.test_id

    def run(self, cmd: List[str], spec: RunSpec, extra_env: Dict[str, str]) -> Result:
        """Run ``cmd`` on a pristine copy at the spec's fixed path."""
        slot = self._slot(spec)
        root = slot / spec.case
        _copy_project(spec.source, root)
        # A fresh, empty TMPDIR per run: pytest's temp dirs are then
        # <slot>/tmp/pytest-of-<user>/pytest-0/... for both tools, and no run
        # pays for (or races with) the cleanup of other runs' temp dirs.
        tmp = slot / "tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        full = [*cmd, *BASE_ARGS, *spec.args]
        env = _env({"TMPDIR": str(tmp), **extra_env})
        return run_process(full, root, env)

    def _run_pytest(self, spec: RunSpec) -> Result:
        return self.run(self.pytest_cmd, spec, {})

    def check(self, spec: RunSpec) -> None:
        expected = self.expected(spec)
        native_env = spec.fastest_env
        actual = self.run(self.fastest_cmd, spec, native_env)
        compare_run(spec, expected, actual, native_env)

    def close(self) -> None:
        if self.pool is not None:
            for fut in self._futures.values():
                fut.cancel()
            self.pool.shutdown(wait=True)


def compare_run(spec: RunSpec, expected: Result, actual: Result, native_env: Dict[str, str]) -> None:
    problems = []
    refusal = next(
        (line for line in actual.stderr.splitlines() if line.startswith(NATIVE_REFUSAL)), None
    )
    if spec.native and refusal is not None:
        problems.append(
            f"the native engine refused this run (FASTEST_ENGINE=native):\n  {refusal}\n"
            f"  (drop {spec.test_id!r} / {spec.case!r} from NATIVE_CASES, or teach the engine)\n"
        )
    delegated = next(
        (line for line in actual.stderr.splitlines() if line.startswith(DELEGATION_REFUSAL)), None
    )
    if delegated is not None:
        problems.append(f"fastest would have handed this run to pytest:\n  {delegated}\n")
    if expected.returncode != actual.returncode:
        problems.append(f"exit code: pytest {expected.returncode}, fastest {actual.returncode}\n")
    width = int(_env({})["COLUMNS"])
    for stream in ("stdout", "stderr"):
        e = normalise_run(getattr(expected, stream), width)
        a = normalise_run(getattr(actual, stream), width)
        if e != a:
            problems.append(_diff(stream, e, a))
    if problems:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**RUN_ENV, **native_env}.items())
        header = (
            f"fastest differs from pytest for {spec.test_id} "
            f"({'native engine' if spec.native else spec.engine + ' engine'})\n"
            f"  args:      {shlex.join(spec.args) or '(no args)'}\n"
            f"  reproduce: cd {shlex.quote(str(actual.cwd))} && {env} {shlex.join(actual.cmd)}\n"
            f"  oracle:    {shlex.join(expected.cmd)}\n"
        )
        pytest.fail(header + "\n" + "\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------
# Parametrisation and fixtures
# --------------------------------------------------------------------------


def _source(case: str) -> Path:
    return TEST_PROJECT if case == "test_project" else RUN_CASES_DIR / case


def _all_params() -> list:
    on_disk = {p.name for p in RUN_CASES_DIR.iterdir() if p.is_dir() and p.name != "__pycache__"}
    listed = set(ARGSETS) - {"test_project"}
    if on_disk != listed:
        raise RuntimeError(
            f"ARGSETS and run_cases/ disagree: missing dirs {sorted(listed - on_disk)}, "
            f"no argsets {sorted(on_disk - listed)}"
        )
    known = set(ARGSETS) | {f"{c}-argset{i}" for c, sets in ARGSETS.items() for i in range(len(sets))}
    unknown = sorted((set(NATIVE_CASES) | set(ENGINE_CASES) | set(PYTEST_ENGINE_VARIANTS)) - known)
    if unknown:
        raise RuntimeError(f"NATIVE_CASES names unknown cases or argsets: {unknown}")
    params = []
    for case in sorted(ARGSETS):
        for i, args in enumerate(ARGSETS[case]):
            spec = RunSpec(f"{case}-argset{i}", case, _source(case), tuple(args))
            params.append(pytest.param(spec, id=spec.test_id))
            variants = PYTEST_ENGINE_VARIANTS
            if (case in variants or spec.test_id in variants) and spec.native:
                variant = RunSpec(
                    f"{spec.test_id}-pytest-engine", case, spec.source, spec.args, "pytest"
                )
                params.append(pytest.param(variant, id=variant.test_id))
    return params


@pytest.fixture(scope="session")
def run_oracle(tmp_path_factory: pytest.TempPathFactory, selected_items):
    fastest = require_fastest()
    jobs = int(os.environ.get("FASTEST_ORACLE_JOBS") or 0) or (os.cpu_count() or 2)
    o = RunOracle(find_pytest(), fastest, tmp_path_factory.mktemp("oracle-run"), jobs)
    specs = []
    for item in selected_items:
        callspec = getattr(item, "callspec", None)
        spec = callspec.params.get("case") if callspec is not None else None
        if isinstance(spec, RunSpec):
            specs.append(spec)
    o.prefetch(specs)
    yield o
    o.close()


@pytest.mark.parametrize("case", _all_params())
def test_run_matches_pytest(case: RunSpec, run_oracle: RunOracle) -> None:
    run_oracle.check(case)


# --------------------------------------------------------------------------
# Self-checks of the normalisation (no fastest needed)
# --------------------------------------------------------------------------


def test_normalise_run_placeholders() -> None:
    text = (
        "tmp_path = PosixPath('/tmp/pytest-of-root/pytest-17/test_a0')\n"
        "self = <test_x.TestA object at 0x7f8e544f0310>\n"
        "0.52s call     test_x.py::test_slow\n"
        "========================= 1 failed, 2 passed in 0.05s ==========================\n"
        "1 failed in 12.34s\n"
    )
    assert normalise_run(text) == (
        "tmp_path = PosixPath('/tmp/pytest-of-root/pytest-<N>/test_a0')\n"
        "self = <test_x.TestA object at 0x<ADDR>>\n"
        "<DURATION> call     test_x.py::test_slow\n"
        "= 1 failed, 2 passed in <DURATION> =\n"
        "1 failed in <DURATION>\n"
    )


def test_normalise_run_keeps_the_rest() -> None:
    # Test output that merely looks like a number, a path or an address stays.
    text = "pytest-17 at 0xZZ in 0.05s or so\n/tmp/pytest-17/x\n"
    assert normalise_run(text) == text
