//! A run (no `--collect-only`): the selected items go to the native engine in a worker
//! of the user's interpreter, and the terminal reporter prints what pytest prints.
//!
//! What the native engine does not do yet, pytest does: a session whose items discovery
//! could not prove (import fallback), that has collection errors, uses a builtin fixture
//! the engine does not provide, or conftest hooks, is handed to pytest whole before anything
//! is printed (`--engine native` refuses instead, with the reason).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use fastest_core::config::{Config, Untyped};
use fastest_core::history::History;
use fastest_core::item::{Item, NodeKind};
use fastest_core::report::{Event, Interruption, Outcome, Phase};
use fastest_core::schedule;
use fastest_report::live::{Live, LiveOptions, StdoutTerm};
use fastest_report::terminal::{TerminalOptions, TerminalReporter};
use fastest_report::text::{markup, Header, Style};
use fastest_runner::pool::{run_pool, Flow, Group, PoolOptions, Prestarted, WorkerCommand};
use fastest_runner::protocol::ItemSpec;
use serde_json::{json, Map, Value};

use crate::app::exit;
use crate::args;
use crate::args::Opt;
use crate::host::Host;
use crate::invocation::{self, Invocation, Prepared};

/// pytest's builtin fixtures the native engine does not provide (`UNSERVED_BUILTINS` in
/// `python/fastest/_engine.py`). Every other fixture an item needs is the engine's
/// to find: its builtins (`BUILTIN_FIXTURES`), the conftests', the module's and classes'
/// (also those discovery cannot see, such as imported ones), or none, which it reports
/// as pytest does (`fixture 'x' not found` and the available fixtures).
const UNSERVED_BUILTINS: &[&str] = &[];

/// The ini values the engine reads, by pytest's type (`INI_TYPES` in `_engine.py`).
const ENGINE_INI: &[(&str, &str)] = &[
    ("python_files", "args"),
    ("filterwarnings", "linelist"),
    ("strict_xfail", "bool"),
    ("xfail_strict", "bool"),
    ("strict", "bool"),
    ("strict_markers", "bool"),
    ("enable_assertion_pass_hook", "bool"),
    ("tmp_path_retention_count", "string"),
    ("tmp_path_retention_policy", "string"),
    ("consider_namespace_packages", "bool"),
    ("log_format", "string"),
    ("log_date_format", "string"),
    ("log_level", "string"),
    ("log_cli_level", "string"),
    ("log_file_level", "string"),
    ("truncation_limit_lines", "string"),
    ("truncation_limit_chars", "string"),
    ("assertion_text_diff_style", "string"),
    ("verbosity_assertions", "string"),
    ("verbosity_test_cases", "string"),
    ("verbosity_subtests", "string"),
    ("console_output_style", "string"),
    ("usefixtures", "args"),
    ("doctest_optionflags", "args"),
    ("doctest_encoding", "string"),
    ("empty_parameter_set_mark", "string"),
    // What tests and conftests read with `getini` (pytest's own keys).
    ("testpaths", "args"),
    ("norecursedirs", "args"),
    ("python_classes", "args"),
    ("python_functions", "args"),
    ("minversion", "string"),
    ("required_plugins", "args"),
    ("addopts", "args"),
    ("junit_family", "string"),
    ("junit_suite_name", "string"),
    // pytest-mock's (`invocation::NATIVE_PLUGIN_MODULES`), untyped: read as strings.
    ("mock_traceback_monkeypatch", "string"),
    // pytest-asyncio's (`pytest_asyncio.plugin`, loaded in its strict mode).
    ("asyncio_mode", "string"),
    ("asyncio_debug", "bool"),
    ("asyncio_default_fixture_loop_scope", "string"),
    ("asyncio_default_test_loop_scope", "string"),
    ("mock_use_standalone_module", "string"),
    // pytest-timeout's (`pytest_timeout`, loaded with a limit set or not).
    ("timeout", "string"),
    ("timeout_method", "string"),
    ("timeout_func_only", "bool"),
    ("timeout_disable_debugger_detection", "bool"),
    // pytest-env's (`pytest_env.plugin`).
    ("env", "linelist"),
    ("env_files", "linelist"),
    ("env_files_skip_if_set", "bool"),
];

/// The names `doctest_optionflags` may hold (pytest's `_get_flag_lookup`); any other is
/// a collection error pytest reports.
const DOCTEST_FLAGS: &[&str] = &[
    "DONT_ACCEPT_TRUE_FOR_1",
    "DONT_ACCEPT_BLANKLINE",
    "NORMALIZE_WHITESPACE",
    "ELLIPSIS",
    "IGNORE_EXCEPTION_DETAIL",
    "COMPARISON_FLAGS",
    "ALLOW_UNICODE",
    "ALLOW_BYTES",
    "NUMBER",
];

/// `doctest_encoding` values besides UTF-8 (Python's codec names, normalised) that
/// decode every byte, so no text file pytest collects fails to read: latin-1's aliases.
/// With them, a text doctest file that runs must be ASCII (read as discovery read it).
const LATIN1_ENCODINGS: &[&str] = &["latin1", "latin", "iso88591", "l1"];

/// Workers started while the session is still being collected ([`prestart`]), until
/// the run takes them ([`run`]) or they are discarded ([`discard_prestarted`]).
static PRESTARTED: std::sync::Mutex<Option<Prestarted>> = std::sync::Mutex::new(None);

/// What a worker of this session imports before its setup arrives: coverage.py when it
/// measures (`cov.rs`).
fn preload(inv: &Invocation) -> Vec<String> {
    if inv.args.cov.measures() {
        vec!["coverage".to_string()]
    } else {
        Vec::new()
    }
}

/// Start the run's workers now, `files` at most (no more groups than files), while
/// what comes next (discovery, pytest's collection in the import fallback) takes its
/// time: the workers' interpreters start and import the engine meanwhile. A second
/// call keeps the workers the first started and starts more, up to `files`.
pub(crate) fn prestart(inv: &Invocation, host: &Host, files: usize) {
    let Some(python) = host.python.clone().filter(|_| inv.run && files > 0) else {
        return;
    };
    let dist = worker_count(inv).filter(|n| *n >= 1);
    let cmd = WorkerCommand {
        python,
        cwd: host.cwd.clone(),
        preload: preload(inv),
    };
    let workers = dist.unwrap_or(1);
    let mut slot = PRESTARTED.lock().unwrap_or_else(|e| e.into_inner());
    match slot.as_ref() {
        // Started before discovery already (the import fallback asks again, for more
        // workers): those stand, more may start.
        Some(pre) => pre.extend(files),
        None => {
            *slot = Some(Prestarted::start(
                &cmd,
                workers,
                dist.is_some(),
                &testrun_uid(inv),
                files,
            ));
        }
    }
}

/// Have the workers [`prestart`] started rewrite `files` (test modules) while the
/// coordinator waits for pytest's collection of others: a cold run's imports then find
/// the rewritten code ready. Returns once each worker got its share (or once
/// `still_waiting` turned false: the wait was over before a worker was ready), with
/// the number of workers that got one.
pub(crate) fn warm_rewrites(
    inv: &Invocation,
    rootdir: &Path,
    pass_hook: bool,
    files: &[PathBuf],
    still_waiting: &std::sync::atomic::AtomicBool,
) -> usize {
    if !inv.run || files.is_empty() {
        return 0;
    }
    let Some(settings) = rewrite_settings(inv, rootdir, pass_hook) else {
        return 0;
    };
    let slot = PRESTARTED.lock().unwrap_or_else(|e| e.into_inner());
    let Some(pre) = slot.as_ref() else { return 0 };
    pre.warm(files, &settings, still_waiting)
}

/// The settings `fastest._pyc.warm` rewrites with, or `None` when pytest would not
/// rewrite test modules (`--assert=plain`, `PYTEST_DONT_REWRITE`).
fn rewrite_settings(
    inv: &Invocation,
    rootdir: &Path,
    pass_hook: bool,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let rewrites = inv.args.assert_mode.as_deref().unwrap_or("rewrite") == "rewrite"
        && std::env::var_os("PYTEST_DONT_REWRITE").is_none_or(|v| v.is_empty());
    if !rewrites {
        return None;
    }
    let mut settings = serde_json::Map::new();
    settings.insert("rootdir".into(), serde_json::json!(rootdir));
    settings.insert("enable_assertion_pass_hook".into(), pass_hook.into());
    Some(settings)
}

/// A process that rewrites the session's test modules (pytest's assertion rewriting,
/// what a cold run's worker spends most of its imports on) on a core the workers leave
/// idle: from the last module backwards, while the worker imports them from the first,
/// so each finds the other's work done where they have passed (nothing is imported or
/// run there; the worker checks each rewritten module against its source as ever).
/// Only for modules discovery read this time: an earlier run left the others' code.
/// Dropping it stops the process.
pub(crate) struct RewriteHelper(std::process::Child);

/// What the helper runs: `fastest._pyc.warm` on the settings its stdin holds, with the
/// directory it starts in off `sys.path` (a user's `fastest/` there must not shadow it).
const REWRITE_HELPER: &str = "import sys\n\
if not getattr(sys.flags, 'safe_path', False):\n    del sys.path[0]\n\
from fastest import _pyc\n\
_pyc.warm(sys.stdin.read())\n";

/// The test code (bytes) a [`RewriteHelper`] is started for at least.
const HELPER_MIN_BYTES: u64 = 100_000;

impl RewriteHelper {
    /// Start one for `modules` (in the order the workers import them) when a core is
    /// free beside `workers` and at least two of them are new or changed.
    fn start(s: &Session<'_>, workers: usize, python: &Path, modules: &[PathBuf]) -> Option<Self> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if workers >= cores {
            return None;
        }
        // The first is the worker's own first import: the helper starts from the other end.
        let files: Vec<&PathBuf> = modules
            .iter()
            .skip(1)
            .filter(|m| s.changed_modules.contains(*m))
            .rev()
            .collect();
        // Starting an interpreter and pytest's rewriter costs about what rewriting
        // 30 KB of tests does: below this the helper is more load than help.
        let bytes: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        if bytes < HELPER_MIN_BYTES {
            return None;
        }
        let pass_hook = s
            .config
            .get_bool("enable_assertion_pass_hook")
            .ok()
            .flatten()
            .unwrap_or(false);
        let mut spec = rewrite_settings(s.inv, &s.config.rootdir, pass_hook)?;
        spec.insert("files".into(), serde_json::json!(files));
        let body = serde_json::to_vec(&spec).ok()?;
        let mut child = std::process::Command::new(python)
            .args(fastest_core::interpreter::flags())
            .arg("-c")
            .arg(REWRITE_HELPER)
            // What compiling a module warns is stored for this session's workers to
            // warn again (`fastest._pyc._replay`).
            .env(
                fastest_core::report::SESSION_ENV,
                fastest_core::report::session_id(),
            )
            .current_dir(&s.host.cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| tracing::debug!("no rewrite helper: {e}"))
            .ok()?;
        if let Some(mut stdin) = child.stdin.take() {
            // Closed when dropped: the helper reads to the end.
            let _ = stdin.write_all(&body);
        }
        tracing::debug!(files = files.len(), "rewrite helper started");
        Some(Self(child))
    }
}

impl Drop for RewriteHelper {
    fn drop(&mut self) {
        // What it did not rewrite yet the workers did, or a later run does.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kill the workers [`prestart`] started that no run took.
pub(crate) fn discard_prestarted() {
    let pre = PRESTARTED.lock().unwrap_or_else(|e| e.into_inner()).take();
    drop(pre);
}

/// Run the session through pytest (or refuse, under `--engine native`).
pub(crate) fn with_pytest(inv: &Invocation, host: &Host, err: &mut dyn Write, why: &str) -> i32 {
    hand_to_pytest(inv, host, err, why, false)
}

/// [`with_pytest`] from a second attempt (`Reimport`) whose first wrote the header
/// already: pytest writes the rest (`fastest._continued`).
fn with_pytest_after_header(s: &Session<'_>, err: &mut dyn Write, why: &str) -> i32 {
    let continued = !s.reimport.shown.is_empty();
    hand_to_pytest(s.inv, s.host, err, why, continued)
}

fn hand_to_pytest(
    inv: &Invocation,
    host: &Host,
    err: &mut dyn Write,
    why: &str,
    continued: bool,
) -> i32 {
    // pytest runs it: workers started ahead are of no use.
    discard_prestarted();
    let mut argv = inv.pytest_argv.clone();
    if continued {
        argv.splice(0..0, ["-p".to_string(), "fastest._continued".to_string()]);
    }
    match invocation::delegate_run(err, inv.native_only, inv.args.verbosity() > 0, why, argv) {
        Prepared::Delegate(argv) => invocation::run_pytest(&argv, host, err),
        Prepared::Exit(code) => code,
        Prepared::Collect(..) => exit::INTERNAL_ERROR,
    }
}

/// Conftest hooks that only decide what pytest's collection finds, which the import
/// fallback's pytest session applied (it collects the whole session when a conftest
/// defines one): the items it found run in the native engine. A
/// `pytest_collection_modifyitems` reorders and deselects there; the marks it adds
/// travel in each item's run spec, and an item it changed otherwise has none (the
/// pytest engine runs it). Hooks that make collectors or items (`pytest_collect_file`,
/// `pytest_pycollect_makemodule`, `pytest_pycollect_makeitem`) decide only what pytest
/// collects too: the fallback gives run specs to the items of pytest's own classes
/// (`Module`, `Class`, `Function`, whose function is the one the module or class
/// binds), and the modules of any other item (a plugin-made or custom item class) run
/// in the pytest engine (`module_blockers`). (`pytest_generate_tests` stays the pytest
/// engine's: its parametrizations are no marks the native engine could redo.)
const COLLECTION_ONLY_HOOKS: &[&str] = &[
    "pytest_ignore_collect",
    "pytest_make_parametrize_id",
    "pytest_collection_modifyitems",
    "pytest_collect_file",
    "pytest_pycollect_makemodule",
    "pytest_pycollect_makeitem",
];

/// `pytest_addoption`: the native engine's `config` has the options' values as the
/// import fallback's pytest parsed them, when it ran (`Session::added_options`); else,
/// when only initial conftests define it, their values, which the native engine's
/// pytest `Parser` reads off the hooks and the command line's tokens for them
/// (`Args::conftest_options`; see [`option_conftests`]).
const OPTION_HOOK: &str = "pytest_addoption";

/// Tags the path of a [`Session::conftest_hooks`] entry for a hook of a module a
/// conftest's `pytest_plugins` registered (`path (plugin): hook`): the native engine
/// calls no hook of such a module, so only what pytest's collection already applied
/// ([`COLLECTION_ONLY_HOOKS`], the options of `pytest_addoption` it parsed) leaves the
/// session native.
pub const PLUGIN_HOOK: &str = " (plugin)";

/// The conftests whose `hook` discovery saw (`Session::conftest_hooks`).
fn defining<'s>(s: &'s Session<'_>, hook: &str) -> Vec<&'s str> {
    s.conftest_hooks
        .iter()
        .filter(|h| fastest_core::discovery::hook_name(h) == hook)
        .filter_map(|h| h.rsplit_once(": ").map(|(path, _)| path))
        .filter(|path| !path.ends_with(PLUGIN_HOOK))
        .collect()
}

/// The session's initial conftests, in pytest's order of registration.
fn initial_conftests(s: &Session<'_>) -> Vec<String> {
    invocation::initial_conftests(&s.inv.args, s.config, &s.host.cwd)
        .into_iter()
        .map(|p| p.display().to_string())
        .collect()
}

/// The conftests defining `pytest_addoption`, when all are initial conftests (in
/// pytest's order of registration); `None` when one is not.
fn option_conftests(s: &Session<'_>) -> Option<Vec<String>> {
    let defining = defining(s, OPTION_HOOK);
    let initial = initial_conftests(s);
    defining
        .iter()
        .all(|d| initial.iter().any(|i| i == d))
        .then(|| {
            initial
                .into_iter()
                .filter(|i| defining.contains(&i.as_str()))
                .collect()
        })
}

/// `pytest_report_header`: the native engine asks the initial conftests' (pytest asks
/// no other conftest: the header is written before collection), see [`header_conftests`].
const HEADER_HOOK: &str = "pytest_report_header";

/// `pytest_configure`: the native engine calls the conftests' at its start (see
/// [`configure_conftests`]); under `-n` in each worker, whose `config` has pytest-xdist's
/// `workerinput` (what such hooks look for to leave the controller's work alone).
const CONFIGURE_HOOK: &str = "pytest_configure";

/// Session hooks the native engine calls in each worker, as pytest-xdist's workers do:
/// the initial conftests' `pytest_sessionstart` at its start (only they are registered
/// by then; see [`sessionstart_conftests`]), and `pytest_sessionfinish` then
/// `pytest_unconfigure` of every conftest it imported at its end. Those that may write
/// to the terminal are pytest's session's (`WRITES_OUTPUT`).
const SESSION_HOOKS: &[&str] = &[
    "pytest_sessionstart",
    "pytest_sessionfinish",
    "pytest_unconfigure",
];

/// pytest-xdist's own hooks its controller calls (besides the `pytest_xdist_*` ones):
/// what they do for the workers (`pytest_configure_node` filling `workerinput`) no
/// process of fastest's does.
const XDIST_CONTROLLER_HOOKS: &[&str] = &[
    "pytest_configure_node",
    "pytest_testnodeready",
    "pytest_testnodedown",
    "pytest_handlecrashitem",
];

/// Under `-n`: an initial conftest's hook that pytest-xdist's controller calls too, in a
/// conftest telling the controller from a worker (`discovery::TELLS_CONTROLLER`), or one
/// of pytest-xdist's controller hooks (`XDIST_CONTROLLER_HOOKS`). What it
/// does for the controller (set up once before the workers start, clean up once after
/// them) no process of fastest's would do: pytest's session serves it (pytest-xdist's
/// when installed).
fn controller_hook<'s>(s: &'s Session<'_>) -> Option<&'s str> {
    let marked: Vec<&String> = s
        .conftest_hooks
        .iter()
        .filter(|h| {
            let name = fastest_core::discovery::hook_name(h);
            h.ends_with(fastest_core::discovery::TELLS_CONTROLLER)
                || XDIST_CONTROLLER_HOOKS.contains(&name)
                || name.starts_with("pytest_xdist_")
        })
        .collect();
    if marked.is_empty() {
        return None;
    }
    let initial = initial_conftests(s);
    marked
        .into_iter()
        .find(|h| {
            h.rsplit_once(": ")
                .is_some_and(|(path, _)| initial.iter().any(|i| i == path))
        })
        .map(String::as_str)
}

/// The initial conftests defining `pytest_sessionstart`, in the order pytest calls them
/// (the last registered first).
fn sessionstart_conftests(s: &Session<'_>) -> Vec<String> {
    let defining = defining(s, SESSION_HOOKS[0]);
    initial_conftests(s)
        .into_iter()
        .rev()
        .filter(|p| defining.contains(&p.as_str()))
        .collect()
}

/// The conftests defining `pytest_configure` (discovery lists only those that do more
/// than register markers), in the order pytest calls them: the initial conftests last
/// registered first (`_do_configure`), then the others as collection registers them.
fn configure_conftests(s: &Session<'_>) -> Vec<String> {
    let defining = defining(s, CONFIGURE_HOOK);
    if defining.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<String> = initial_conftests(s)
        .into_iter()
        .rev()
        .filter(|p| defining.contains(&p.as_str()))
        .collect();
    for p in defining {
        if !order.iter().any(|o| o == p) {
            order.push(p.to_string());
        }
    }
    order
}

/// The initial conftests (pytest's order of registration) that define
/// `pytest_report_header`, when the session shows a header: the native engine asks
/// them for their lines, the header waits for the first worker's answer.
fn header_conftests(s: &Session<'_>) -> Vec<String> {
    let args = &s.inv.args;
    let defining = defining(s, HEADER_HOOK);
    if args.verbosity() < 0 || args.no_header || defining.is_empty() {
        return Vec::new();
    }
    initial_conftests(s)
        .into_iter()
        .filter(|p| defining.contains(&p.as_str()))
        .collect()
}

/// Conftest hooks whose effect is on what the coordinator draws or decides (summary
/// lines, progress letters, the session loop itself): with them pytest runs the session.
/// Every other hook runs in the workers under the pytest engine (header lines from
/// `pytest_report_header` come back from the first worker).
const COORDINATOR_HOOKS: &[&str] = &[
    "pytest_report_collectionfinish",
    "pytest_terminal_summary",
    "pytest_report_teststatus",
    "pytest_report_to_serializable",
    "pytest_report_from_serializable",
    "pytest_runtestloop",
    "pytest_collection",
    "pytest_cmdline_main",
    "pytest_cmdline_parse",
    "pytest_cmdline_preparse",
    "pytest_load_initial_conftests",
];

/// Why the native engine cannot run a session.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    /// Only pytest's own session gives pytest's output: it runs the session.
    Pytest(String),
    /// The pytest engine in the workers runs the items.
    Engine(String),
}

/// The plugins `-p NAME` and the initial conftests' `pytest_plugins` name that the
/// native engine loads itself, once each, in pytest's order of registration
/// (`-p no:NAME` blocks one).
fn conftest_plugin_names(s: &Session<'_>) -> Vec<String> {
    // `-p NAME` plugins register first (before the initial conftests).
    let mut names: Vec<String> = s
        .inv
        .args
        .plugins
        .iter()
        .map(|p| p.trim())
        .filter(|p| fastest_core::discovery::NATIVE_CONFTEST_PLUGINS.contains(p))
        .filter(|p| !s.inv.blocked.iter().any(|b| b == p))
        .map(str::to_string)
        .collect();
    names.dedup();
    for conftest in initial_conftests(s) {
        let specs = s
            .conftest_plugins
            .iter()
            .filter(|(c, _)| c.as_path() == Path::new(&conftest))
            .flat_map(|(_, specs)| specs);
        for spec in specs {
            if !names.contains(spec) && !s.inv.blocked.contains(spec) {
                names.push(spec.clone());
            }
        }
    }
    names
}

/// A conftest setting `pytest_plugins` that pytest imports only while collecting:
/// pytest fails its collection ("no longer supported"), in its own words.
fn late_plugins_conftest(s: &Session<'_>) -> Option<String> {
    let initial = initial_conftests(s);
    s.conftest_plugins
        .iter()
        .chain(&s.project_plugins)
        .find(|(c, _)| !initial.iter().any(|i| Path::new(i) == c.as_path()))
        .map(|(c, _)| format!("{} sets pytest_plugins", c.display()))
}

/// Which engine runs which items (`run::engine_for`).
#[derive(Debug, Default)]
pub(crate) struct Engines {
    /// `Some(why)`: the pytest engine runs every item.
    pub session: Option<String>,
    /// The test files (node id file parts) the pytest engine runs while the native
    /// engine runs the others, each with why, in collection order: issue 5's choice
    /// per module. Empty when `session` decides.
    pub modules: Vec<(String, String)>,
}

/// Which engine runs these items: `Ok` with the pytest engine for every item, for
/// some modules, or for none; `Err(why)` pytest's own session.
fn engine_for(s: &Session<'_>) -> Result<Engines, String> {
    if let Some(why) = late_plugins_conftest(s) {
        return Err(why);
    }
    if worker_count(s.inv).is_some_and(|n| n >= 1) {
        if let Some(h) = controller_hook(s) {
            return Err(format!("conftest hook {h}"));
        }
    }
    let mut engine = s
        .inv
        .pytest_engine
        .clone()
        .or_else(|| s.pytest_engine.clone());
    let plugins = if invocation::plugin_autoload(&s.inv.args) {
        s.host.pytest11_plugins()
    } else {
        Vec::new()
    };
    match blocker(
        &s.items,
        &s.conftest_hooks,
        s.added_options.is_some() || option_conftests(s).is_some(),
        s.config,
        &s.host.python_version,
    ) {
        Some(Block::Pytest(why)) => return Err(why),
        Some(Block::Engine(why)) => {
            engine.get_or_insert(why);
        }
        None => {}
    }
    // `--tb=native` draws each traceback from pytest's `CallInfo.from_call` down, and
    // `--full-trace` filters no frame out: both show the frames of pytest's own runtest
    // protocol and pluggy's hook calls, which only the pytest engine has.
    if s.inv.args.tbstyle == "native" || s.inv.args.has(Opt::FullTrace) {
        engine.get_or_insert(
            "tracebacks with pytest's own frames (--tb=native, --full-trace)".into(),
        );
    }
    // pytest-cov pauses measuring around a `no_cover` test's call: its own hook
    // wrapper does, in the pytest engine (the worker hands it the measuring).
    if s.inv.args.cov.measures() {
        if let Some(it) = s
            .items
            .iter()
            .find(|it| it.marks.iter().any(|m| m.name == "no_cover"))
        {
            engine.get_or_insert(format!("{} has a no_cover mark (pytest-cov)", it.nodeid));
        }
    }
    // What pytest-cov measures includes the conftests' hooks pytest ran in its process;
    // the native engine calls few of them (the import fallback ran the collection's).
    if s.inv.args.cov.measures() {
        if let Some(h) = s.conftest_hooks.first() {
            engine.get_or_insert(format!("pytest-cov measures conftest hook {h}"));
        }
    }
    // pytest-asyncio's auto mode runs any coroutine fixture, a plugin module's too: the
    // modules the native engine may run are known only when every fixture source is
    // one of the session's files.
    if has_plugin(&plugins, "pytest-asyncio") && invocation::asyncio_mode(s.config) == Some(true) {
        let fixture_plugin = invocation::fixture_plugins(s.host)
            .iter()
            .any(|p| has_plugin(&plugins, &p.project));
        if fixture_plugin
            || !s.cli_plugins.is_empty()
            || s.project_plugins.iter().any(|(_, names)| !names.is_empty())
        {
            engine.get_or_insert(
                "installed pytest plugin pytest-asyncio (auto mode) with plugin modules".into(),
            );
        }
    }
    let mut modules = if engine.is_none() {
        module_blockers(
            &s.items,
            &s.conftest_hooks,
            &plugins,
            s.config,
            &s.config.rootdir,
            invocation::benchmarks_in_session(&s.inv.args),
        )
    } else {
        Vec::new()
    };
    if let Some((_, why)) = modules.first() {
        let files: std::collections::HashSet<&str> =
            modules.iter().map(|(f, _)| f.as_str()).collect();
        let all = s.items.iter().all(|it| files.contains(it.file_part()));
        let refused = if all {
            None
        } else {
            split_refused(s, &modules)
        };
        if all || refused.is_some() {
            engine = Some(match refused {
                Some(refused) => format!("{why}; one engine for the session: {refused}"),
                None => why.clone(),
            });
            modules.clear();
        }
    }
    if s.inv.native_only {
        if let Some(why) = engine {
            return Err(why);
        }
        if let Some((_, why)) = modules.first() {
            return Err(why.clone());
        }
    }
    Ok(Engines {
        session: engine,
        modules,
    })
}

/// Hooks pytest calls through an item's own hook proxy (`item.ihook`): a conftest's
/// reach only the items below its directory, so only those modules need the pytest
/// engine for them.
const ITEM_HOOKS: &[&str] = &[
    "pytest_runtest_protocol",
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_pyfunc_call",
    "pytest_assertrepr_compare",
    "pytest_exception_interact",
];

/// The [`ITEM_HOOKS`] the native engine calls itself for the items below a conftest
/// defining them, through pluggy in pytest's order (`Engine._item_hooks` in
/// `python/fastest/_engine.py`, which gets this list in its setup): plain, ordered and
/// wrapping implementations alike.
const NATIVE_ITEM_HOOKS: &[&str] = &[
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    "pytest_pyfunc_call",
    "pytest_assertrepr_compare",
    "pytest_runtest_logreport",
];

/// The test files whose items the native engine cannot run while it can run the
/// others' (in collection order, each with the first reason): an item discovery did
/// not prove, a module using pytest's plugin machinery, a fixture only pytest or a
/// plugin has, a `timeout` mark for pytest-timeout, or a conftest above it whose
/// [`ITEM_HOOKS`] pytest calls for it.
fn module_blockers(
    items: &[Item],
    conftest_hooks: &[String],
    plugins: &[(String, String)],
    config: &Config,
    rootdir: &Path,
    benchmarks: bool,
) -> Vec<(String, String)> {
    let item_hooks: Vec<(&Path, &str)> = conftest_hooks
        .iter()
        .filter(|h| {
            let name = fastest_core::discovery::hook_name(h);
            ITEM_HOOKS.contains(&name) && !NATIVE_ITEM_HOOKS.contains(&name)
        })
        .filter_map(|h| h.rsplit_once(": "))
        .filter(|(path, _)| !path.ends_with(PLUGIN_HOOK))
        .filter_map(|(path, hook)| Path::new(path).parent().map(|dir| (dir, hook)))
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    // Files already sent to the pytest engine, and files whose source was scanned.
    let mut blocked: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut scanned: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut names_plugin = WordScan::new(plugins, config, rootdir, benchmarks);
    for it in items {
        let file = it.file_part();
        if blocked.contains(file) {
            continue;
        }
        let mut block = |why: String| {
            blocked.insert(file);
            out.push((file.to_string(), why));
        };
        if let Some(why) = item_blocker(it, plugins) {
            block(why);
            continue;
        }
        // A benchmark through a conftest's fixture: the item's closure has the plugin's
        // fixture (a conftest's mere mention of the word is no benchmark: pydantic's
        // root conftest lists fixture names).
        if names_plugin.benchmarks
            && (it.marks.iter().any(|m| m.name == "benchmark")
                || it
                    .run
                    .as_ref()
                    .is_some_and(|r| r.external_fixtures.iter().any(|f| f == "benchmark")))
        {
            block(format!(
                "{} uses pytest-benchmark's benchmark (installed pytest plugin pytest-benchmark)",
                it.nodeid
            ));
            continue;
        }
        // The rest depends on the file only.
        if !scanned.insert(file) {
            continue;
        }
        let path = rootdir.join(file);
        if let Some(why) = names_plugin.module(&path) {
            block(why);
        } else if let Some((dir, hook)) = item_hooks.iter().find(|(dir, _)| path.starts_with(dir)) {
            block(format!(
                "conftest hook {}: {hook}",
                dir.join("conftest.py").display()
            ));
        }
    }
    out
}

/// Plugins whose hooks act on the modules that name them, each module read once: a
/// test file that says one of the words, or a conftest above it (up to the rootdir)
/// that does, is the pytest engine's.
/// - pytest-asyncio installed ([`invocation::asyncio_stands_in`]): such modules may
///   have coroutine tests it runs or fixtures it makes.
/// - pytest-benchmark installed, in a session of one worker: a test file that names
///   `benchmark` may measure (conftests are not read for it: an item whose closure has
///   the `benchmark` fixture, or with its mark, is found by `module_blockers`), and the
///   pytest engine's plugin keeps the timings for its table
///   (`PytestEngine.terminal_summary`).
struct WordScan<'r> {
    /// `(plugin, words, whether conftests count)` of the plugins installed.
    plugins: Vec<(&'static str, Vec<&'static [u8]>, bool)>,
    /// pytest-benchmark's scan is on.
    benchmarks: bool,
    rootdir: &'r Path,
    /// What each conftest says: the index in `plugins` of the first plugin it names.
    conftests: std::collections::HashMap<PathBuf, Option<usize>>,
}

impl<'r> WordScan<'r> {
    fn new(
        plugins: &[(String, String)],
        config: &Config,
        rootdir: &'r Path,
        benchmarks: bool,
    ) -> Self {
        let mut scans: Vec<(&'static str, Vec<&'static [u8]>, bool)> = Vec::new();
        if has_plugin(plugins, "pytest-asyncio") {
            // `asyncio` in strict mode; `async` in auto mode (any coroutine test or
            // fixture). And in both `event_loop_policy`: its autouse fixture overridden
            // (defined or imported there), the plugin's `pytest_fixture_setup` warns
            // at every test.
            let auto = invocation::asyncio_mode(config) == Some(true);
            let word: &'static [u8] = if auto { b"async" } else { b"asyncio" };
            scans.push(("pytest-asyncio", vec![word, b"event_loop_policy"], true));
        }
        let benchmarks = benchmarks && has_plugin(plugins, "pytest-benchmark");
        if benchmarks {
            scans.push(("pytest-benchmark", vec![b"benchmark"], false));
        }
        Self {
            plugins: scans,
            benchmarks,
            rootdir,
            conftests: std::collections::HashMap::new(),
        }
    }

    /// The index of the first plugin whose word the file at `path` says (of those whose
    /// conftests count, for a conftest).
    fn says(&self, path: &Path, conftest: bool) -> Option<usize> {
        // Unreadable here, unreadable for pytest too: its collection reports that.
        let b = std::fs::read(path).ok()?;
        self.plugins.iter().position(|(_, words, conftests)| {
            (*conftests || !conftest)
                && words
                    .iter()
                    .any(|word| b.windows(word.len()).any(|w| w == *word))
        })
    }

    /// Why the module at `path` is a plugin's to run, if it may be.
    fn module(&mut self, path: &Path) -> Option<String> {
        if self.plugins.is_empty() {
            return None;
        }
        let why = |scan: &Self, i: usize, file: &Path| {
            format!(
                "installed pytest plugin {} ({} names it)",
                scan.plugins[i].0,
                file.display()
            )
        };
        if let Some(i) = self.says(path, false) {
            return Some(why(self, i, path));
        }
        for dir in path.ancestors().skip(1) {
            if !dir.starts_with(self.rootdir) {
                break;
            }
            let conftest = dir.join("conftest.py");
            let says = match self.conftests.get(&conftest) {
                Some(says) => *says,
                None => {
                    let says = self.says(&conftest, true);
                    self.conftests.insert(conftest.clone(), says);
                    says
                }
            };
            if let Some(i) = says {
                return Some(why(self, i, &conftest));
            }
        }
        None
    }
}

/// Why the native engine cannot run this item, if it cannot (see [`module_blockers`]).
fn item_blocker(it: &Item, plugins: &[(String, String)]) -> Option<String> {
    let Some(run) = &it.run else {
        return Some(format!("{} is not proved by discovery", it.nodeid));
    };
    if let Some(what) = &run.pytest_machinery {
        return Some(format!("{} uses {what}", it.file_part()));
    }
    // pytest-rerunfailures reruns a test with a `flaky` mark through its own
    // `pytest_runtest_protocol`, which the pytest engine runs.
    if has_plugin(plugins, "pytest-rerunfailures") && it.marks.iter().any(|m| m.name == "flaky") {
        return Some(format!(
            "{} has a flaky mark (pytest-rerunfailures)",
            it.nodeid
        ));
    }
    if let Some(f) = run
        .external_fixtures
        .iter()
        .find(|f| UNSERVED_BUILTINS.contains(&f.as_str()) || plugin_fixture(f, plugins))
    {
        return Some(format!("{} uses fixture {f}", it.nodeid));
    }
    None
}

/// Why the session cannot be split between the engines (`modules` the pytest
/// engine's, the rest native), if it cannot. Each engine in a worker keeps its own
/// fixtures, so a fixture whose one instance may outlive a module (a conftest's
/// session or package fixture, a project plugin's) must not be in the closures of
/// items of both (a `request.getfixturevalue` in a test's body is not seen); the
/// conftests' `pytest_configure`, which the native engine calls itself, would run
/// twice; and pytest-cov's measuring and the warnings of imports the import fallback
/// saw are reported by one engine's rules.
fn split_refused(s: &Session<'_>, modules: &[(String, String)]) -> Option<String> {
    let Some(shared) = &s.shared_fixtures else {
        return Some("the conftests are not all known".into());
    };
    if !defining(s, CONFIGURE_HOOK).is_empty() {
        return Some("a conftest defines pytest_configure".into());
    }
    if let Some(hook) = SESSION_HOOKS.iter().find(|h| !defining(s, h).is_empty()) {
        return Some(format!("a conftest defines {hook}"));
    }
    if s.project_plugins.iter().any(|(_, names)| !names.is_empty()) || !s.cli_plugins.is_empty() {
        return Some("plugin modules of the project".into());
    }
    if s.inv.args.cov.measures() {
        return Some("pytest-cov measures".into());
    }
    if !s.import_warning_reports.is_empty() {
        return Some("warnings at import".into());
    }
    let pytest_files: std::collections::HashSet<&str> =
        modules.iter().map(|(f, _)| f.as_str()).collect();
    let rootdir = &s.config.rootdir;
    for (conftest, name) in shared {
        let Some(dir) = conftest.parent() else {
            continue;
        };
        // Whether an item may set the fixture up: its name is in the item's closure
        // (an override of it is counted too), or the closure is not known.
        let uses = |it: &Item| {
            it.run
                .as_ref()
                .is_none_or(|run| run.fixtures.iter().any(|f| f == name))
        };
        let (mut pytest, mut native) = (false, false);
        for it in s.items.iter() {
            if !rootdir.join(it.file_part()).starts_with(dir) || !uses(it) {
                continue;
            }
            if pytest_files.contains(it.file_part()) {
                pytest = true;
            } else {
                native = true;
            }
            if pytest && native {
                return Some(format!(
                    "fixture {name} of {} is used by modules of both engines",
                    conftest.display()
                ));
            }
        }
    }
    None
}

/// Why the native engine cannot run these items, if it cannot.
fn blocker(
    items: &[Item],
    conftest_hooks: &[String],
    options_known: bool,
    config: &Config,
    python_version: &str,
) -> Option<Block> {
    let rootdir = &config.rootdir;
    if let Some(h) = conftest_hooks.iter().find(|h| {
        COORDINATOR_HOOKS.contains(&fastest_core::discovery::hook_name(h))
            || h.ends_with(fastest_core::discovery::WRITES_OUTPUT)
    }) {
        return Some(Block::Pytest(format!("conftest hook {h}")));
    }
    if let Some(why) = unittest_blocker(items, rootdir, python_version) {
        return Some(Block::Pytest(why));
    }
    if let Some(h) = conftest_hooks.iter().find(|h| {
        let name = fastest_core::discovery::hook_name(h);
        let plugin = h
            .rsplit_once(": ")
            .is_some_and(|(path, _)| path.ends_with(PLUGIN_HOOK));
        // A conftest's item hooks decide per module (`module_blockers`). A
        // `pytest_generate_tests` acting only on tests using given names leaves the
        // others to discovery: the items it parametrized have no run spec (the pytest
        // engine runs their modules), the rest are proved.
        let native = COLLECTION_ONLY_HOOKS.contains(&name)
            || (!plugin && fastest_core::discovery::generate_tests_guard(h).is_some())
            || (!plugin && ITEM_HOOKS.contains(&name))
            || (options_known && name == OPTION_HOOK)
            || (!plugin && name == HEADER_HOOK)
            || (!plugin && name == CONFIGURE_HOOK)
            || (!plugin && SESSION_HOOKS.contains(&name));
        !native
    }) {
        return Some(Block::Engine(format!("conftest hook {h}")));
    }
    if let Some(why) = doctest_blocker(items, config) {
        return Some(Block::Engine(why));
    }
    None
}

fn has_plugin(plugins: &[(String, String)], project: &str) -> bool {
    plugins.iter().any(|(name, _)| name == project)
}

/// Whether an installed plugin provides fixture `f`, which the native engine does not.
fn plugin_fixture(f: &str, plugins: &[(String, String)]) -> bool {
    invocation::PLUGIN_FIXTURES
        .iter()
        .any(|(project, fixtures)| fixtures.contains(&f) && has_plugin(plugins, project))
}

/// pytest 9.2 reports each `subTest` as its own report; the engine does as pytest does
/// on Python 3.11 and later. Before 3.11 unittest reports subtests' outcomes otherwise
/// and pytest works around it (`_obtain_errors_and_skips`): such sessions stay pytest's.
/// Any mention in a module with TestCase items counts (the call may sit in a helper);
/// reading happens only for such modules.
fn unittest_blocker(items: &[Item], rootdir: &Path, python_version: &str) -> Option<String> {
    let mut parts = python_version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    if (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (3, 11) {
        return None;
    }
    let mut unittest_files: Vec<&str> = Vec::new();
    for it in items {
        if it.chain.iter().any(|n| n.kind == NodeKind::UnitTestCase)
            && unittest_files.last() != Some(&it.file_part())
        {
            unittest_files.push(it.file_part());
        }
    }
    unittest_files.dedup();
    for file in unittest_files {
        let mentions = std::fs::read(rootdir.join(file))
            .map(|src| src.windows(7).any(|w| w == b"subTest"))
            .unwrap_or(true);
        if mentions {
            return Some(format!("{file} uses unittest subTest"));
        }
    }
    None
}

/// Why the doctest settings need pytest: an option flag pytest rejects at collection,
/// a platform where pytest's doctest run differs, or a `doctest_encoding` under which discovery's reading (UTF-8) of a text file may
/// differ from pytest's.
fn doctest_blocker(items: &[Item], config: &Config) -> Option<String> {
    // On macOS pytest's `DoctestItem.runtest` suspends the output capture.
    if cfg!(target_os = "macos")
        && items.iter().any(|it| {
            it.chain
                .last()
                .is_some_and(|n| n.kind == NodeKind::DoctestItem)
        })
    {
        return Some("doctests on macOS".into());
    }
    if let Some(flag) = config
        .get_args("doctest_optionflags")
        .unwrap_or_default()
        .into_iter()
        .find(|f| !DOCTEST_FLAGS.contains(&f.as_str()))
    {
        return Some(format!("doctest_optionflags {flag}"));
    }
    let encoding = config.get_str("doctest_encoding")?;
    let norm: String = encoding
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect();
    if norm == "utf8" {
        return None;
    }
    if !LATIN1_ENCODINGS.contains(&norm.as_str()) {
        return Some(format!("doctest_encoding {encoding}"));
    }
    let textfiles = items
        .iter()
        .filter(|it| it.chain.iter().any(|n| n.kind == NodeKind::DoctestTextfile));
    for it in textfiles {
        let ascii = std::fs::read(config.rootdir.join(it.file_part())).is_ok_and(|b| b.is_ascii());
        if !ascii {
            return Some(format!(
                "{} read with doctest_encoding {encoding}",
                it.file_part()
            ));
        }
    }
    None
}

/// A collector's failed or skipped report (pytest's `CollectReport`): what the terminal
/// and the cache take, and the text of its JUnit element.
pub(crate) struct CollectorReport {
    pub report: fastest_core::report::TestReport,
    pub junit: String,
}

/// What the session computed, for the run.
pub(crate) struct Session<'a> {
    pub inv: &'a Invocation,
    pub config: &'a Config,
    pub host: &'a Host,
    pub start: Instant,
    pub items: Vec<Item>,
    pub total: usize,
    pub deselected: usize,
    pub used_testpaths: bool,
    /// `pytest_*` hooks conftests define (the engine does not call them yet).
    pub conftest_hooks: Vec<String>,
    /// Conftests' `pytest_plugins` the native engine loads itself (pytest's own
    /// `pytester`), see `Discovery::conftest_plugins`.
    pub conftest_plugins: Vec<(PathBuf, Vec<String>)>,
    /// The conftests' fixtures that may outlive a module (`Discovery::shared_fixtures`;
    /// `None`: not known): see [`split_refused`].
    pub shared_fixtures: Option<Vec<(PathBuf, String)>>,
    /// The modules the initial conftests' `pytest_plugins` registered in the import
    /// fallback's pytest, per conftest: the native engine loads them with the conftest.
    pub project_plugins: Vec<(PathBuf, Vec<String>)>,
    /// The modules `-p` loaded in the import fallback's pytest: the native engine loads
    /// them at its start.
    pub cli_plugins: Vec<String>,
    /// The options plugins and conftests registered, with their values, as pytest's
    /// collection in the import fallback parsed them (`None`: no fallback ran, or a
    /// value is not JSON): the native engine's `config` has them.
    pub added_options: Option<serde_json::Value>,
    /// Set when something only pytest can report happened in collection.
    pub pytest_needed: Option<String>,
    /// Set when collection showed the pytest engine must run the items (why).
    pub pytest_engine: Option<String>,
    /// Warnings pytest's collector issued in the import fallback (see
    /// [`crate::fallback::RawWarning::from_collector`]): the summary lists them first.
    /// With their place in pytest's collection, when known (see
    /// `TerminalReporter::add_ordered_warnings`).
    pub collect_warnings: Vec<(fastest_core::report::WarningReport, Option<(usize, u8)>)>,
    /// The session's files in collection order (before deselection).
    pub file_order: Vec<String>,
    /// The files the import fallback collected (all of them: `None`): what their
    /// collection warned is the coordinator's already.
    pub fallback_files: Option<Vec<String>>,
    /// The first item of each file whose items are all deselected: pytest still
    /// imports the module at collection (its import warnings and errors count).
    pub deselected_files: Vec<Item>,
    /// Stand-ins for the modules with no item pytest imports while collecting (see
    /// `app::module_import`): imported, never run.
    pub empty_files: Vec<Item>,
    /// Warnings the import fallback saw raised by importing modules or conftests (a
    /// native run issues them again when it imports them, see `app::reimported`), each
    /// with its place in collection order and whether the module or conftest whose
    /// import raised it is known: the pytest engine's workers drop what their own
    /// collection of those files warns, so the coordinator reports these.
    pub import_warning_reports: Vec<ImportWarning>,
    /// Every registered marker name (ini, plugins, conftests, pytest's own): the native
    /// engine's `pytest.mark` warns about the others, as pytest's does.
    pub registered_markers: Vec<String>,
    /// Modules skipped or failing at collection (from the import fallback), in
    /// pytest's order.
    pub collect_reports: Vec<CollectorReport>,
    /// pytest's cacheprovider/stepwise state (`None` under `-p no:cacheprovider`).
    pub cache: Option<crate::cacheprovider::CacheSession>,
    /// `--shard K/N`: which slice runs (printed under the header).
    pub shard_note: Option<String>,
    /// Test modules found failing to import by a worker (see [`Reimport`]).
    pub reimport: &'a mut Reimport,
    /// Test modules discovery read this time (new or changed): their rewritten code is
    /// not there yet (see [`RewriteHelper`]).
    pub changed_modules: std::collections::HashSet<PathBuf>,
}

/// A warning raised by an import in the fallback: the report, its place in collection
/// order, and whether the file whose import raised it is known.
pub(crate) type ImportWarning = (
    fastest_core::report::WarningReport,
    Option<(usize, u8)>,
    bool,
);

/// Why a session with collection errors is pytest's to run, if it is. Under the pytest
/// engine the header has lines only pytest's hooks can give (`header_known`: a first
/// attempt's worker gave them, see [`Reimport`]).
fn collection_errors_need_pytest(
    s: &Session<'_>,
    pytest_engine: bool,
    header_known: bool,
) -> Option<&'static str> {
    let (inv, args) = (s.inv, &s.inv.args);
    if worker_count(inv).is_some_and(|n| n >= 1) {
        Some("collection errors under -n")
    } else if args.maxfail > 0 || s.cache.as_ref().is_some_and(|c| c.stop_after().is_some()) {
        Some("collection errors with --maxfail or --sw")
    } else if inv.strict_unknown_key.is_some() {
        Some("collection errors with an unknown ini key")
    } else if pytest_engine && !args.continue_on_collection_errors && !header_known {
        Some("collection errors under the pytest engine")
    } else {
        None
    }
}

/// Test modules that failed to import in a worker before the first test, where pytest's
/// collection would have reported them (static discovery proved their items without
/// importing them). The session then starts over with those files collected by pytest
/// in the import fallback, which reports each as pytest does (an error or a skip).
#[derive(Debug, Default)]
pub(crate) struct Reimport {
    /// The file node ids this attempt collects by import (a second attempt's).
    pub forced: std::collections::HashSet<String>,
    /// Set by a second attempt: whatever its workers find, it runs to the end (unless
    /// `partial`).
    pub retried: bool,
    /// This attempt collects by import only the modules that failed to import in the
    /// first (--continue-on-collection-errors): if one of them fails again in a worker
    /// (it fails only after the modules before it changed the process), a third attempt
    /// collects every module by import, in order, in one process.
    pub partial: bool,
    /// What this attempt found: the files to collect by import in the next.
    pub request: Option<Vec<String>>,
    /// What the first attempt had written (its header): not written again.
    pub shown: String,
    /// The header lines the first attempt's pytest engine gave (`pytest_report_header`).
    pub header: Option<fastest_core::report::HeaderLines>,
}

/// Run the selected items natively and print pytest's report. Returns the exit code.
pub(crate) fn run(mut s: Session<'_>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let inv = s.inv;
    if let Some(why) = s.pytest_needed.clone() {
        return with_pytest_after_header(&s, err, &why);
    }
    // pytest-cov's report of a session that runs no test is what pytest's collection
    // imported, which no worker does.
    if inv.args.cov.measures() && s.items.is_empty() {
        return with_pytest_after_header(&s, err, "pytest-cov measures a collection only");
    }
    let (pytest_engine, pytest_modules) = match engine_for(&s) {
        Ok(engines) => (engines.session, engines.modules),
        Err(why) => return with_pytest_after_header(&s, err, &why),
    };
    if (pytest_engine.is_some() || !pytest_modules.is_empty()) && !inv.unknown_ini_keys.is_empty() {
        // The pytest engine's start would warn about them in its own words and place.
        let why = format!(
            "unknown config options: {}",
            inv.unknown_ini_keys.join(", ")
        );
        return with_pytest_after_header(&s, err, &why);
    }
    // The modules the pytest engine runs beside the native engine (by file part).
    let pytest_files: std::collections::HashSet<&str> =
        pytest_modules.iter().map(|(f, _)| f.as_str()).collect();
    // Initial conftests' `pytest_report_header`, which the native engine asks, and the
    // conftests' `pytest_configure`, which it calls: the header waits for its start.
    // The initial conftests' `pytest_addoption`, for their options' defaults, when the
    // import fallback did not parse them.
    let (native_header, native_configure, native_options) = if pytest_engine.is_none() {
        let options = match s.added_options {
            Some(_) => Vec::new(),
            None => option_conftests(&s).unwrap_or_default(),
        };
        (header_conftests(&s), configure_conftests(&s), options)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    // Conftest options on the command line reach the native engine through the initial
    // conftests' hooks it calls (or the import fallback's parse): with neither, only
    // pytest can give them their values.
    if pytest_engine.is_none()
        && s.added_options.is_none()
        && native_options.is_empty()
        && !inv.args.conftest_options.is_empty()
    {
        return with_pytest_after_header(&s, err, "conftest options on the command line");
    }
    // A loaded plugin with a header line (hypothesis's): the engine asks it at its start,
    // after importing the initial conftests.
    // pytest-timeout's lines only with a limit set.
    let plugin_header = pytest_engine.is_none()
        && invocation::plugin_autoload(&inv.args)
        && ([
            "hypothesis",
            "pytest-asyncio",
            "pytest-codspeed",
            "pytest-benchmark",
        ]
        .iter()
        .any(|p| has_plugin(&s.host.pytest11_plugins(), p))
            || (has_plugin(&s.host.pytest11_plugins(), "pytest-timeout")
                && invocation::timeout_configured(&inv.args, s.config)));
    let native_sessionstart = if pytest_engine.is_none() {
        sessionstart_conftests(&s)
    } else {
        Vec::new()
    };
    // pytest-cov starts coverage.py from `pytest_load_initial_conftests`, before
    // pytest writes anything: a configuration it cannot start with (a coverage plugin
    // that does not import) ends pytest's start with a traceback, as it ends the
    // engine's.
    let native_start = plugin_header
        || !native_sessionstart.is_empty()
        || !native_header.is_empty()
        || !native_configure.is_empty()
        || !native_options.is_empty()
        || (pytest_engine.is_none() && inv.args.cov.measures());
    // The pytest engine's workers drop what their collection warns (`_Bridge`): the
    // import fallback's collection met it first, and the coordinator reports it at its
    // place. A warning whose import is not known stays pytest's to place.
    if invocation::warnings_blocked(&s.inv.args)
        && !(s.collect_warnings.is_empty() && s.import_warning_reports.is_empty())
    {
        // Without pytest's warnings plugin Python shows what collecting warns: what a
        // class's collection warns reaches the terminal among pytest's lines.
        return with_pytest_after_header(
            &s,
            err,
            "collection warnings without pytest's warnings plugin",
        );
    }
    if pytest_engine.is_some() {
        if s.import_warning_reports.iter().any(|(_, _, known)| !known) {
            return with_pytest_after_header(&s, err, "collection warnings");
        }
        let imported = std::mem::take(&mut s.import_warning_reports);
        s.collect_warnings
            .extend(imported.into_iter().map(|(w, key, _)| (w, key)));
    }
    let Some(python) = s.host.python.clone() else {
        return with_pytest_after_header(&s, err, "no interpreter path");
    };
    let args = &inv.args;
    let collect_errors = s
        .collect_reports
        .iter()
        .filter(|c| c.report.outcome == Outcome::Failed)
        .count();
    let collect_skips = s.collect_reports.len() - collect_errors;
    // Collection errors end the session before the first test, unless
    // `--continue-on-collection-errors`. Counted as failures they stop `-x`/`--maxfail`
    // and `--sw` sessions part-way through collection, and pytest-xdist's workers
    // report them in forms of their own: those sessions stay pytest's.
    // Header lines only a worker's start gives (a loaded plugin's, the initial
    // conftests'): a session its collection errors interrupt starts a worker only to
    // ask them.
    let header_from_worker =
        plugin_header || !native_header.is_empty() || !native_sessionstart.is_empty();
    if collect_errors > 0 {
        let known = s.reimport.header.is_some();
        if let Some(why) = collection_errors_need_pytest(&s, pytest_engine.is_some(), known) {
            return with_pytest_after_header(&s, err, why);
        }
    }
    // Whether import errors found by a worker would make it pytest's session: the pytest
    // engine's header is known by then (its worker sends it first).
    let errors_need_pytest = collection_errors_need_pytest(&s, pytest_engine.is_some(), true);
    let collection_interrupted = inv.interrupted(collect_errors);
    let config = s.config;
    // Decided before anything is printed: a value pytest rejects is pytest's to word.
    let mut junit = match junit_xml(inv, config, s.host) {
        Ok(j) => j,
        Err(why) => return with_pytest_after_header(&s, err, &why),
    };
    let mut specs = Vec::with_capacity(s.items.len());
    for it in &s.items {
        let path = config.rootdir.join(it.file_part());
        if pytest_engine.is_some() {
            specs.push(ItemSpec::for_pytest(it, &path));
            continue;
        }
        if pytest_files.contains(it.file_part()) {
            let mut spec = ItemSpec::for_pytest(it, &path);
            spec.engine = Some("pytest".into());
            specs.push(spec);
            continue;
        }
        match ItemSpec::from_item(it, &path) {
            Some(spec) => specs.push(spec),
            None => return with_pytest_after_header(&s, err, "an item without a run spec"),
        }
    }
    // With pytest-timeout loaded its `--timeout` acts in the workers (either engine
    // runs its timer), as the plugin words it.
    let own_timeout = !(invocation::plugin_autoload(args)
        && s.host
            .pytest11_plugins()
            .iter()
            .any(|(name, _)| name == "pytest-timeout"));
    if let Some(limit) = timeout(args).filter(|_| own_timeout) {
        for spec in &mut specs {
            spec.timeout = Some(limit);
        }
    }
    let verbosity = args.verbosity();
    let workers = worker_count(inv);
    let history_dir =
        (!args.has(Opt::NoFastestCache)).then(|| config.rootdir.join(".fastest_cache"));
    let (history, history_stamp) = match &history_dir {
        Some(dir) => History::load_stamped(dir).unwrap_or_else(|e| {
            let _ = writeln!(err, "fastest: warning: {e}; starting a new history");
            (History::default(), None)
        }),
        None => (History::default(), None),
    };
    // pytest-xdist's scope-keeping modes keep every module whole.
    let may_cut = !matches!(
        args.dist.as_deref(),
        Some("loadscope" | "loadfile" | "loadgroup")
    );
    let groups = plan(&specs, workers, &history, may_cut);
    // pytest-xdist's `-n N` (N >= 1) runs in workers with its report forms; `-n 0` is a
    // plain run.
    let dist = workers.filter(|n| *n >= 1);
    // The header (and PYTEST_XDIST_WORKER_COUNT) name the count asked for, as
    // pytest-xdist's do, although only as many workers start as there are groups.
    let started = dist;
    // Modules whose tests are all deselected are imported too, never run.
    let deselected_specs: Vec<ItemSpec> = s
        .deselected_files
        .iter()
        .filter_map(|it| {
            let path = config.rootdir.join(it.file_part());
            if pytest_engine.is_some() {
                Some(ItemSpec::for_pytest(it, &path))
            } else {
                ItemSpec::from_item(it, &path)
            }
        })
        .chain(s.empty_files.iter().map(|it| {
            let mut spec = ItemSpec::for_pytest(it, &config.rootdir.join(it.file_part()));
            spec.import_only = true;
            spec
        }))
        .collect();
    let preimport = preimport_specs(specs.iter().chain(&deselected_specs), &s.file_order);
    let preimport_files: Vec<String> = preimport
        .iter()
        .filter_map(|spec| module_of(spec).map(|(_, key)| key.to_string()))
        .collect();
    // Held until the run ends (dropping it stops the helper).
    let _helper = (!collection_interrupted)
        .then(|| {
            let modules: Vec<PathBuf> = preimport
                .iter()
                .filter(|spec| matches!(module_of(spec), Some(("Module", _))))
                .map(|spec| PathBuf::from(&spec.path))
                .collect();
            RewriteHelper::start(&s, dist.unwrap_or(1), &python, &modules)
        })
        .flatten();
    if collection_interrupted && !preimport.is_empty() && !s.reimport.retried {
        // pytest reports every module that fails to import before it stops (and what
        // importing the others warned): with no test to run, the modules discovery
        // proved are collected by import too.
        s.reimport.request = Some(preimport_files);
        return exit::OK;
    }
    // Without capture, what importing the test modules prints comes before the collected
    // line, as pytest's collection prints it: that line waits for the worker to say its
    // imports are done (`Imported`).
    let announce_imports = !preimport.is_empty()
        && dist.is_none()
        && matches!(capture_method(inv).as_str(), "no" | "tee-sys");
    // A module that fails to import before the first test is a collection error in
    // pytest: the first worker to find one stops the session before anything past the
    // header is shown (or, when such a session is pytest's to run, before anything at
    // all), and it starts over with those files collected by pytest. Without capture the
    // imports print between the header and the collected line: there pytest's session
    // cannot be had, so none is stopped.
    let unshowable = announce_imports && errors_need_pytest.is_some();
    let check_imports =
        !preimport.is_empty() && (!s.reimport.retried || s.reimport.partial) && !unshowable;
    let hold_all = check_imports && errors_need_pytest.is_some();
    let imports_event = check_imports || announce_imports;
    let mut header_len = None;
    let mut text = String::new();
    let rootdir_s = config.rootdir.display().to_string();
    // Under the pytest engine the header waits for the first worker: plugins and
    // conftests add lines to it (`pytest_report_header`), which only pytest can ask.
    let mut deferred: Option<(Header<'_>, usize)> = None;
    // pytest-randomly's `pytest_report_header` line is the coordinator's to draw when
    // the native engine runs (`randomly.rs`): first among the lines plugins and
    // conftests add (no other plugin with a header line stands in beside it).
    let own_lines = |mut lines: fastest_core::report::HeaderLines| {
        if pytest_engine.is_none() {
            if let Some(r) = &inv.randomly {
                lines.before.insert(0, r.header_line());
            }
        }
        lines
    };
    if verbosity >= 0 {
        let header = Header {
            no_header: args.no_header,
            platform_line: match (&s.host.python, verbosity > 0) {
                (Some(py), true) => format!("{} -- {}", s.host.platform_line(), py.display()),
                _ => s.host.platform_line(),
            },
            cachedir: inv.cachedir_line(config),
            rootdir: &rootdir_s,
            configfile: config.display_inifile(),
            testpaths: s.used_testpaths.then(|| config.testpaths().join(", ")),
            plugins: s.host.plugins_line(),
            extra: own_lines(Default::default()),
        };
        header.render(&mut text, inv.width, inv.markup);
        header_len = Some(text.len());
        if (pytest_engine.is_some() || native_start) && !args.no_header {
            match &s.reimport.header {
                // A first attempt's worker gave them (there may be none to ask now).
                Some(lines) => {
                    text.clear();
                    let header = Header {
                        extra: own_lines(lines.clone()),
                        ..header
                    };
                    header.render(&mut text, inv.width, inv.markup);
                    header_len = Some(text.len());
                }
                None => deferred = Some((header, text.len())),
            }
        }
        match started {
            Some(n) => {
                let w = if n == 1 { "worker" } else { "workers" };
                let created = format!("created: {n}/{n} {w}");
                let noun = if specs.len() == 1 { "item" } else { "items" };
                let ready = format!("{n} {w} [{} {noun}]", specs.len());
                if inv.isatty {
                    // pytest-xdist rewrites one bold status line in place on a terminal.
                    let pad = " ".repeat(created.len().saturating_sub(ready.len()));
                    let bold = |t: &str| markup(inv.markup, t, &[Style::Bold]);
                    text.push_str(&bold(&format!("\r{created}")));
                    text.push_str(&bold(&format!("\r{ready}{pad}")));
                    text.push('\n');
                } else {
                    text.push_str(&format!("{created}\n{ready}\n\n"));
                }
                if verbosity > 0 {
                    // What pytest-xdist prints for the same command line: its default
                    // `--dist load` (fastest keeps a module's tests together, as
                    // `loadscope` would, but `--dist` itself is pytest-xdist's option).
                    text.push_str("scheduling tests via LoadScheduling\n");
                }
            }
            None => {
                let counts = crate::collect_only::collected_counts(
                    s.total,
                    collect_errors,
                    s.deselected,
                    collect_skips,
                );
                text.push_str(&crate::collect_only::collected_line(
                    &counts, verbosity, inv.isatty, inv.markup, inv.width,
                ));
                for line in s.cache.iter().flat_map(|c| c.collection_lines(verbosity)) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        if let Some(why) = pytest_engine.as_ref().filter(|_| verbosity >= 1) {
            text.push_str(&format!(
                "fastest: the pytest engine runs the items ({why})\n"
            ));
        }
        if verbosity >= 1 && !pytest_modules.is_empty() {
            for (file, why) in &pytest_modules {
                text.push_str(&format!("fastest: the pytest engine runs {file} ({why})\n"));
            }
            text.push_str("fastest: the native engine runs the other modules\n");
        }
        if let Some(note) = &s.shard_note {
            // Before the blank line that opens the progress under `-n`.
            if text.ends_with("\n\n") {
                text.pop();
                text.push_str(note);
                text.push_str("\n\n");
            } else {
                text.push_str(note);
                text.push('\n');
            }
        }
    } else if started.is_some() {
        // pytest-xdist's status line, written (not rewritten) when quiet.
        text.push_str("bringing up nodes...\nbringing up nodes...\n\n");
    }
    let mut deferred = deferred.map(|(header, len)| (header, text.split_off(len)));
    if deferred.is_some() {
        text.clear();
    }
    let mut after_imports = match header_len {
        Some(len) if imports_event && !hold_all && deferred.is_none() => {
            let (now, later) = before_imports(text.split_off(len), announce_imports);
            text.push_str(&now);
            Some(later)
        }
        _ => None,
    };
    // Written once the first worker's imports are done.
    let mut held = hold_all.then(|| std::mem::take(&mut text));
    // Nothing on the terminal yet (the header waits for the first worker, or there is
    // none): the pytest engine failing to start can still be pytest's own to report.
    let silent_so_far = text.is_empty() && s.reimport.shown.is_empty();
    // A second attempt (`Reimport`): the first one's header is on the terminal already.
    let mut echo = Echo {
        skip: std::mem::take(&mut s.reimport.shown),
        shown: String::new(),
    };
    let text = echo.pass(&text);
    if out.write_all(text.as_bytes()).is_err() {
        return exit::OK;
    }
    let _ = out.flush();
    let mut opts = terminal_options(inv, config);
    if started.is_some() {
        // A worker's `sys.executable`, as pytest-xdist's reports it: started by an
        // absolute path, the interpreter normalises it.
        opts.dist = Some(format!(
            "{} -- Python {} {}",
            s.host.platform,
            s.host.python_version,
            normpath(&python).display()
        ));
    }
    // `--sw` stops the session at a failure the way `--maxfail` does.
    let stepwise_stop = s.cache.as_ref().and_then(|c| c.stop_after());
    let user_maxfail = opts.maxfail;
    if let Some(n) = stepwise_stop {
        opts.maxfail = if user_maxfail > 0 {
            user_maxfail.min(n)
        } else {
            n
        };
    }
    let engine_maxfail = opts.maxfail;
    let capture = capture_method(inv);
    // pytest-xdist's session counts no deselected items (its workers deselect).
    let deselected = if started.is_some() { 0 } else { s.deselected };
    let live = live_display(inv, &opts, &capture, &specs, &history, dist.unwrap_or(1))
        .filter(|_| !collection_interrupted);
    let mut live_out = live.as_ref().map(Live::writer);
    let out: &mut dyn Write = match live_out.as_mut() {
        Some(w) => w,
        None => out,
    };
    let mut reporter = TerminalReporter::new(
        out,
        opts,
        &config.rootdir,
        &s.host.cwd,
        specs.len(),
        deselected,
    );
    if dist.is_some() {
        // pytest-xdist's controller reports a collection skip once per long
        // representation, whichever worker or collector sent it: a module skipping
        // itself at import under `--doctest-modules` (its Module and DoctestModule) is
        // one skip.
        let mut seen = std::collections::HashSet::new();
        s.collect_reports.retain(|c| match &c.report.skip {
            Some(skip) if c.report.outcome == Outcome::Skipped => seen.insert(skip.clone()),
            _ => true,
        });
    }
    let collect_reports: Vec<_> = s.collect_reports.iter().map(|c| c.report.clone()).collect();
    reporter.add_collect_reports(&collect_reports);
    reporter.set_file_order(std::mem::take(&mut s.file_order));
    let mut collect_warnings = std::mem::take(&mut s.collect_warnings);
    if let Some(n) = dist {
        // Each of pytest-xdist's workers collects the session and reports what its
        // collection warned: the summary lists each such warning once per worker.
        collect_warnings = collect_warnings
            .into_iter()
            .flat_map(|w| std::iter::repeat_n(w, n))
            .collect();
    }
    reporter.add_ordered_warnings(collect_warnings);
    if let Some(j) = &mut junit {
        for c in &s.collect_reports {
            j.collect_report(&c.report, &c.junit);
        }
    }
    if let Some(c) = &mut s.cache {
        for r in &collect_reports {
            c.on_collect_report(r);
        }
    }
    if let Some(count) = args.durations {
        reporter.set_durations(fastest_report::durations::Durations {
            count,
            min: args.durations_min,
        });
    }
    if let Some(j) = &junit {
        reporter.set_generated_xml(j.path().display().to_string());
    }
    let mut setup = engine_setup(inv, config, s.host, &capture);
    setup["registered_markers"] = json!(s.registered_markers);
    setup["added_options"] = json!(s.added_options);
    if !native_header.is_empty() {
        setup["header_conftests"] = json!(native_header);
    }
    // pytest imports them at its start: a plugin's header line may depend on them, and
    // their import warnings come first in the summary.
    setup["initial_conftests"] = json!(initial_conftests(&s));
    let builtin_plugins = conftest_plugin_names(&s);
    if !builtin_plugins.is_empty() {
        setup["builtin_plugins"] = json!(builtin_plugins);
    }
    if !s.cli_plugins.is_empty() {
        setup["cli_plugins"] = json!(s.cli_plugins);
    }
    if s.project_plugins.iter().any(|(_, names)| !names.is_empty()) {
        let by_conftest: serde_json::Map<String, serde_json::Value> = s
            .project_plugins
            .iter()
            .map(|(c, names)| (c.display().to_string(), json!(names)))
            .collect();
        setup["project_plugins"] = serde_json::Value::Object(by_conftest);
    }
    if !native_configure.is_empty() {
        setup["configure_conftests"] = json!(native_configure);
    }
    if !native_sessionstart.is_empty() {
        setup["sessionstart_conftests"] = json!(native_sessionstart);
    }
    if !native_options.is_empty() {
        setup["option_conftests"] = json!(native_options);
        // What the command line gives them (the parser knew them from the source).
        setup["option_argv"] = json!(inv.args.conftest_options);
    }
    // pytest's `session.testscollected` and `config.invocation_params.args`.
    setup["testscollected"] = json!(specs.len());
    // Whether installed plugins load: `pluginmanager.hasplugin(NAME)` answers for them.
    let autoload = crate::invocation::plugin_autoload(&inv.args);
    setup["plugin_autoload"] = json!(autoload);
    if autoload {
        // pytest marks their modules for rewriting before any plugin loads.
        setup["plugin_dists"] = json!(s.host.pytest11_dists());
    }
    setup["args"] = json!(inv.argv);
    if !pytest_modules.is_empty() {
        // Both engines in each worker (`fastest._worker.MixedEngine`): the specs say
        // which runs each item.
        setup["pytest_modules"] = json!(true);
    }
    if pytest_engine.is_some() || !pytest_modules.is_empty() {
        if pytest_engine.is_some() {
            setup["engine"] = json!("pytest");
        }
        let mut argv = inv.worker_argv.clone();
        // The workers' pytest-randomly reseeds with the session's seed (the last
        // `--randomly-seed` wins).
        argv.extend(inv.randomly.iter().map(|r| r.seed_option()));
        // The worker measures for pytest-cov (`setup["coverage"]`); the plugin in its
        // pytest stays off, its `cov` fixture and `no_cover` pausing what it measures.
        argv.extend(crate::app::quiet_coverage(inv));
        setup["pytest_args"] = json!(argv);
    }
    let mut coverage = match crate::cov::Measured::start(&inv.args.cov, &s.host.cwd) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "INTERNALERROR> {e}");
            return exit::INTERNAL_ERROR;
        }
    };
    if let Some(c) = &coverage {
        setup["coverage"] = c.settings.clone();
        // One worker measures the whole session (it warns as pytest-cov's own
        // measuring does when it saves).
        setup["coverage"]["whole_session"] = json!(dist.is_none());
    }
    let mut coverage_failed = false;
    setup["distributed"] = json!(dist.is_some());
    // pytest-xdist's temporary directories: one base for the run (the numbered
    // `pytest-N`, or `--basetemp` emptied), `popen-gwN` below it for each worker. The
    // first worker that needs it makes it with pytest's own code and leaves its path
    // here for the others (`fastest._engine.share_basetemp`).
    let shared_basetemp = dist.and_then(|_| {
        tempfile::Builder::new()
            .prefix("fastest-basetemp-")
            .tempdir_in(fastest_core::temp::temp_root())
            .ok()
    });
    if let Some(dir) = &shared_basetemp {
        setup["xdist_basetemp"] = json!(dir.path().display().to_string());
    }
    setup["preimport"] = json!(preimport);
    // The pytest engine reports what its collection of the other files warns.
    setup["fallback_files"] = json!(s.fallback_files);
    setup["imports_event"] = json!(imports_event);
    setup["check_imports"] = json!(check_imports);
    // pytest-xdist's workers have no junitxml plugin object: there the record_*
    // fixtures record nothing into the file and warn about no family.
    if let Some(j) = junit.as_ref().filter(|_| dist.is_none()) {
        setup["junit"] = json!({ "family": j.family().as_str() });
    }
    if stepwise_stop.is_some() {
        setup["options"]["maxfail"] = json!(engine_maxfail);
    }
    let cmd = WorkerCommand {
        python,
        cwd: s.host.cwd.clone(),
        preload: preload(inv),
    };
    let ctrl_c = CtrlC::watch();
    let prestarted = PRESTARTED.lock().unwrap_or_else(|e| e.into_inner()).take();
    let pool = PoolOptions {
        workers: dist.unwrap_or(1),
        distributed: dist.is_some(),
        // The workers started ahead have theirs in their environment.
        testrun_uid: prestarted
            .as_ref()
            .map_or_else(|| testrun_uid(inv), |p| p.testrun_uid().to_string()),
        // pytest-xdist's default: four restarts per worker asked for.
        max_restarts: match args.max_worker_restart {
            Some(n) => Some(usize::try_from(n).unwrap_or(0)),
            None => dist.map(|n| n * 4),
        },
        interrupts: ctrl_c.as_ref().map(|c| c.count.clone()),
    };
    // `--json-report`: the first line goes out before any test runs.
    let mut json = match &inv.args.json_report {
        Some(raw) => {
            let start_line = crate::json_report::session_start(
                args,
                &inv.argv,
                &config.rootdir,
                s.host,
                &started_timestamp(s.start, s.host),
                dist.unwrap_or(0),
            );
            let path = crate::json_report::resolve(raw, &s.host.cwd);
            match fastest_report::json::JsonReport::create(&path, &start_line) {
                Ok(j) => Some(j),
                Err(e) => {
                    let _ = writeln!(err, "INTERNALERROR> {e}");
                    return exit::INTERNAL_ERROR;
                }
            }
        }
        None => None,
    };
    let mut json_error: Option<fastest_report::json::JsonReportError> = None;
    // GitHub Actions annotations, printed once the run's output is complete.
    let workspace = std::env::var_os("GITHUB_WORKSPACE")
        .map(PathBuf::from)
        .filter(|w| w.is_absolute())
        .unwrap_or_else(|| s.host.cwd.clone());
    let annotate = fastest_report::github::enabled(std::env::var("GITHUB_ACTIONS").ok().as_deref());
    let mut annotations: Vec<String> = Vec::new();
    let mut ran = Ran::default();
    let cache = &mut s.cache;
    let mut interruption: Option<Interruption> = None;
    let mut end_errors: Vec<String> = Vec::new();
    let mut events = 0usize;
    let mut imports_seen = false;
    let mut header_lines = None;
    let mut reimport_request: Option<Vec<String>> = None;
    let width = inv.width;
    // pytest's `pytest_runtestloop` raises `Interrupted` before the first test.
    let groups = if collection_interrupted {
        if header_from_worker && pytest_engine.is_none() && s.reimport.header.is_none() {
            // A worker that imports nothing, for the header lines it gives.
            setup["preimport"] = json!([]);
            vec![Group {
                items: Vec::new(),
                cost: 1.0,
            }]
        } else {
            Vec::new()
        }
    } else if groups.is_empty() && !preimport.is_empty() {
        // Every test deselected: pytest's collection imports the modules all the same
        // (what that warns is in the summary), pytest-xdist's in each worker.
        (0..dist.unwrap_or(1))
            .map(|_| Group {
                items: Vec::new(),
                cost: 1.0,
            })
            .collect()
    } else if let Some(n) = dist.filter(|n| groups.len() < *n && !preimport.is_empty()) {
        // pytest-xdist starts every worker asked for, and each one's collection imports
        // every module (what that warns is in the summary once per worker): the workers
        // left without a group only import.
        let mut groups = groups;
        groups.extend((groups.len()..n).map(|_| Group {
            items: Vec::new(),
            cost: 0.0,
        }));
        groups
    } else {
        groups
    };
    let result = run_pool(
        &cmd,
        &setup,
        groups,
        &pool,
        prestarted.as_ref(),
        &mut |ev| {
            if let Event::Imported(failed) = &ev {
                if check_imports && !failed.is_empty() && !imports_seen {
                    reimport_request = Some(failed.clone());
                    return Flow::Abort;
                }
                imports_seen = true;
            }
            events += 1;
            if !matches!(ev, Event::Header(_)) {
                if let Some(text) = held.take() {
                    reporter.write(&echo.pass(&text));
                }
            }
            if let Some(rest) = after_imports.take() {
                reporter.write(&echo.pass(&rest));
            }
            if let Some((mut header, rest)) = deferred.take() {
                if let Event::Header(lines) = &ev {
                    header.extra = own_lines(lines.clone());
                    header_lines = Some(lines.clone());
                }
                let mut text = String::new();
                header.render(&mut text, width, inv.markup);
                if imports_event && !hold_all && matches!(ev, Event::Header(_)) {
                    // The collected line waits for the imports (`Imported`).
                    let (now, later) = before_imports(rest, announce_imports);
                    text.push_str(&now);
                    after_imports = Some(later);
                } else {
                    text.push_str(&rest);
                }
                match held.as_mut() {
                    Some(h) => h.push_str(&text),
                    None => reporter.write(&echo.pass(&text)),
                }
            }
            if let Event::Header(_) | Event::Imported(_) = &ev {
                // Nothing to draw, but what was written for it goes out now: without
                // capture the worker writes next.
                reporter.event(&ev);
                return Flow::Continue;
            }
            if let Event::Interrupted(info) = &ev {
                interruption.get_or_insert_with(|| info.clone());
            }
            if let Event::SessionEndError(text) = &ev {
                end_errors.push(text.clone());
            }
            ran.note(&ev);
            if let (Some(c), Event::Report(r)) = (cache.as_mut(), &ev) {
                c.on_report(r);
            }
            if let (Some(j), Event::Report(r)) = (junit.as_mut(), &ev) {
                j.report(r);
            }
            if let Event::Report(r) = &ev {
                if let Some(j) = json.as_mut().filter(|_| json_error.is_none()) {
                    if let Err(e) = j.report(r) {
                        json_error = Some(e);
                    }
                }
                if annotate {
                    annotations.extend(fastest_report::github::annotation(
                        r,
                        &config.rootdir,
                        &workspace,
                    ));
                }
            }
            if let Some(l) = &live {
                l.event(&ev);
            }
            // pytest-cov reports at the end of a run loop that was not stopped
            // (`--maxfail`, stepwise, Ctrl-C) or never entered (collection errors).
            if let (Event::Finished, Some(c)) = (&ev, coverage.as_mut()) {
                let stopped = interruption.is_some()
                    || (engine_maxfail > 0 && reporter.failures() >= engine_maxfail)
                    || cache.as_ref().is_some_and(|c| c.stopped())
                    || collection_interrupted;
                if !stopped {
                    match c.report(reporter.failures() > 0) {
                        Ok(o) => {
                            if let Some(line) = &o.early {
                                reporter.coverage_notice(line);
                            }
                            coverage_failed = o.failed;
                            reporter.set_coverage(o.text, o.required);
                        }
                        Err(e) => {
                            reporter.coverage_notice(&format!(
                                "\nWARNING: Failed to generate report: {e}\n\n"
                            ));
                        }
                    }
                }
            }
            reporter.event(&ev);
            if engine_maxfail > 0 && reporter.failures() >= engine_maxfail {
                Flow::StopDispatch
            } else {
                Flow::Continue
            }
        },
    );
    drop(ctrl_c);
    tracing::debug!(events, "pool done");
    if let Some(failed) = reimport_request {
        // Nothing past the header was shown: the session starts over (`Reimport`).
        // A failed import interrupts pytest's session once collection is over, after it
        // imported every module (their warnings count): then all are collected by
        // import. Under --continue-on-collection-errors the session goes on: first only
        // the failed modules are; one failing again in a worker failed only after the
        // modules before it changed the process (dill's import hook), which importing it
        // alone does not show: then all are, in one process, in pytest's order.
        let partial = inv.args.continue_on_collection_errors && !s.reimport.retried;
        let files = if partial {
            failed
                .iter()
                .filter_map(|id| {
                    s.items
                        .iter()
                        .chain(&s.deselected_files)
                        .chain(&s.empty_files)
                        .find(|it| it.nodeid == *id)
                })
                .map(|it| it.file_part().to_string())
                .collect()
        } else {
            preimport_files
        };
        s.reimport.partial = partial;
        tracing::debug!(
            ?failed,
            "test modules failed to import; collecting them by import"
        );
        s.reimport.request = Some(files);
        s.reimport.shown = echo.shown;
        s.reimport.header = header_lines;
        return exit::OK;
    }
    if let (Err(fastest_runner::pool::RunnerError::Died(status)), None) = (&result, dist) {
        // Importing a test module ended the worker's process (`os._exit`, a segfault):
        // pytest's process, importing it at collection, ends the same way, with nothing
        // after what it wrote before its collection (`collecting ... `).
        let rest = held
            .take()
            .or_else(|| after_imports.take())
            .unwrap_or_default();
        if let Some(at) = rest.find("collecting ... ") {
            reporter.write(&rest[..at + "collecting ... ".len()]);
        }
        drop(reporter);
        let _ = std::io::stdout().flush();
        return fastest_runner::pool::end_like(*status).unwrap_or(exit::INTERNAL_ERROR);
    }
    if (pytest_engine.is_some() || native_start)
        && silent_so_far
        && events == 0
        && matches!(result, Err(fastest_runner::pool::RunnerError::Internal(_)))
    {
        // The pytest engine (or the native engine asking the conftests for header
        // lines) failed before anything was printed, where pytest's own start-up fails
        // (a conftest's `pytest_configure` raising, say): pytest runs the session and
        // says it in its own words and exit code.
        if let Err(e) = &result {
            tracing::debug!("the engine's start failed: {e}");
        }
        let which = if pytest_engine.is_some() {
            "the pytest engine"
        } else {
            "the engine"
        };
        return with_pytest_after_header(&s, err, &format!("{which} could not start"));
    }
    if let Some(text) = held.take() {
        reporter.write(&text);
    }
    if let Some((header, rest)) = deferred.take() {
        // No worker said anything (nothing to run).
        let mut text = String::new();
        header.render(&mut text, width, inv.markup);
        text.push_str(&rest);
        reporter.write(&text);
    }
    if let Some(dir) = &history_dir {
        let (run, rest) = ran.into_history(history);
        let base = history_stamp.map(|stamp| (rest, stamp));
        if let Err(e) = History::save_merged_since(dir, &run, base) {
            tracing::warn!("history not saved: {e}");
        }
        tracing::debug!("history saved");
    }
    let mut pool_end = match result {
        Ok(end) => end,
        Err(e) => {
            let _ = writeln!(err, "INTERNALERROR> {e}");
            return exit::INTERNAL_ERROR;
        }
    };
    let lingering = std::mem::take(&mut pool_end.lingering);
    if let Some(msg) = pool_end.restart_limit {
        reporter.add_plugin_banner(format!("xdist: {msg}"));
    }
    if let Some(j) = &junit {
        // pytest's `LogXML.pytest_sessionfinish`, before the terminal summary.
        let elapsed = s.start.elapsed();
        let started = std::time::SystemTime::now()
            .checked_sub(elapsed)
            .unwrap_or_else(std::time::SystemTime::now);
        let timestamp = fastest_report::junit::iso_timestamp(started, s.host.utc_offset);
        if let Err(e) = j.write(elapsed.as_secs_f64(), &timestamp, &s.host.hostname) {
            let _ = writeln!(err, "INTERNALERROR> {e}");
            return exit::INTERNAL_ERROR;
        }
    }
    let failed = reporter.failed();
    let ran = reporter.ran();
    // pytest's `session.shouldfail` banner, set again at each failure from the limit
    // on, so it names the count at the last one (a failed subtest and then its test:
    // 2). pytest-xdist's names the limit (with several workers, failures already
    // running elsewhere still come in after it).
    let failures = reporter.failures();
    let maxfail = user_maxfail;
    // With pytest-xdist installed, `pytest -n N --maxfail` is its controller's session:
    // the session's own banner (the count at the last failure), then its `DSession`
    // raises `Interrupted` naming the limit, and pytest exits 2 (INTERRUPTED).
    // fastest's own `-n` (pytest-xdist not installed) names the limit and exits 1.
    let xdist_controller = dist.is_some()
        && invocation::plugin_autoload(&inv.args)
        && has_plugin(&s.host.pytest11_plugins(), "pytest-xdist");
    let shown = if dist.is_some() && !xdist_controller {
        maxfail
    } else {
        failures
    };
    let maxfail_reached = maxfail > 0 && failures >= maxfail;
    let mut stopped: Vec<String> = maxfail_reached
        .then(|| format!("stopping after {shown} failures"))
        .into_iter()
        .collect();
    let xdist_interrupted = xdist_controller && maxfail_reached;
    if xdist_interrupted {
        stopped.push(format!(
            "xdist.dsession.Interrupted: stopping after {maxfail} failures"
        ));
    }
    // Stepwise's `session.shouldstop`: the session is interrupted, unless `--maxfail`'s
    // `session.shouldfail` ended it first (then both banners, exit 1).
    let sw_stopped = s.cache.as_ref().is_some_and(|c| c.stopped());
    let interrupted = (sw_stopped && stopped.is_empty()) || collection_interrupted;
    if collection_interrupted {
        let noun = if collect_errors == 1 {
            "error"
        } else {
            "errors"
        };
        stopped.push(format!(
            "Interrupted: {collect_errors} {noun} during collection"
        ));
    }
    if sw_stopped {
        let why = crate::cacheprovider::STEPWISE_STOP;
        stopped.push(if interrupted {
            format!("Interrupted: {why}")
        } else {
            why.to_string()
        });
    }
    let code = interruption
        .as_ref()
        .map(|i| i.returncode.unwrap_or(exit::INTERRUPTED));
    match (&interruption, code) {
        (Some(info), Some(code)) => {
            reporter.finish_interrupted(s.start.elapsed().as_secs_f64(), &stopped, info, code);
        }
        _ => {
            reporter.finish_with(s.start.elapsed().as_secs_f64(), &stopped);
        }
    }
    if let Some(c) = s.cache.take() {
        c.finish(false);
    }
    let code = if let Some(code) = code {
        code
    } else if interrupted || xdist_interrupted {
        exit::INTERRUPTED
    } else if failed || coverage_failed {
        exit::TESTS_FAILED
    } else if !ran && specs.is_empty() {
        exit::NO_TESTS_COLLECTED
    } else {
        exit::OK
    };
    if !annotations.is_empty() {
        let mut text = annotations.join("\n");
        text.push('\n');
        reporter.write(&text);
    }
    if let Some(j) = json {
        let done = match json_error {
            Some(e) => Err(e),
            None => j.finish(code, s.start.elapsed().as_secs_f64()),
        };
        if let Err(e) = done {
            let _ = writeln!(err, "INTERNALERROR> {e}");
            return exit::INTERNAL_ERROR;
        }
    }
    // The session's output is out: the finished workers may exit now (what they print
    // on their way out follows it).
    reporter.flush();
    // What a worker's session end raised: pytest's process dies with it after its
    // summary, Python printing the traceback (exit status 1).
    let code = if end_errors.is_empty() {
        code
    } else {
        for text in &end_errors {
            let _ = write!(err, "{text}");
        }
        exit::TESTS_FAILED
    };
    drop(lingering);
    if let Some(dir) = shared_basetemp {
        remove_passed_basetemp(dir.path(), config, args, code);
    }
    code
}

/// pytest's `pytest_sessionfinish` of its tmpdir plugin on pytest-xdist's controller:
/// with `tmp_path_retention_policy = failed` a session that passed leaves no numbered
/// base directory behind (a `--basetemp` is the user's and stays).
fn remove_passed_basetemp(shared: &Path, config: &Config, args: &crate::args::Args, code: i32) {
    let policy = config.get_str("tmp_path_retention_policy");
    if code != exit::OK || policy.as_deref() != Some("failed") || args.basetemp.is_some() {
        return;
    }
    let Ok(base) = std::fs::read_to_string(shared.join("basetemp")) else {
        return;
    };
    let base = PathBuf::from(base.trim_end());
    let _ = std::fs::remove_dir_all(&base);
    // pytest's exit cleanup of the numbered directories (which ran in the worker that
    // made them, before this) removes the links left dead: `pytest-current` now is.
    let Some(root) = base.parent() else {
        return;
    };
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let path = entry.path();
        let link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if link && std::fs::metadata(&path).is_err() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// When the session started, as JUnit's `timestamp` writes it.
fn started_timestamp(start: Instant, host: &Host) -> String {
    let started = std::time::SystemTime::now()
        .checked_sub(start.elapsed())
        .unwrap_or_else(std::time::SystemTime::now);
    fastest_report::junit::iso_timestamp(started, host.utc_offset)
}

/// Ctrl-C (SIGINT) while the workers run: counted on a thread of its own (the pool
/// looks at the count), so the coordinator can stop dispatch, let the workers' tests
/// see their `KeyboardInterrupt` and still print the summary.
struct CtrlC {
    count: Arc<AtomicUsize>,
    handle: signal_hook::iterator::Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CtrlC {
    fn watch() -> Option<Self> {
        let mut signals = match signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("Ctrl-C will not be handled: {e}");
                return None;
            }
        };
        let count = Arc::new(AtomicUsize::new(0));
        let handle = signals.handle();
        let counter = count.clone();
        let thread = std::thread::spawn(move || {
            for _ in signals.forever() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        Some(CtrlC {
            count,
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for CtrlC {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The per-test time limit: `--timeout`, else `PYTEST_TIMEOUT` (pytest-timeout's
/// spellings, served by fastest when pytest-timeout is not installed; with it installed
/// pytest runs the session). Zero or less is no limit.
fn timeout(args: &args::Args) -> Option<f64> {
    let limit = args.timeout.or_else(|| {
        std::env::var("PYTEST_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
    })?;
    (limit > 0.0 && limit.is_finite()).then_some(limit)
}

/// `--junitxml`'s plugin, if asked for; `Err` names an ini value only pytest can
/// report (it rejects it).
fn junit_xml(
    inv: &Invocation,
    config: &Config,
    host: &Host,
) -> Result<Option<fastest_report::junit::JunitXml>, String> {
    use fastest_report::junit::{resolve_path, Family, JunitOptions, JunitXml, Logging};
    let Some(raw) = inv.args.junitxml.as_deref() else {
        return Ok(None);
    };
    let ini = |name: &str, default: &str| config.get_str(name).unwrap_or_else(|| default.into());
    let family = ini("junit_family", "xunit2");
    let family = Family::parse(&family).ok_or_else(|| format!("junit_family = {family}"))?;
    let logging = ini("junit_logging", "no");
    let logging = Logging::parse(&logging).ok_or_else(|| format!("junit_logging = {logging}"))?;
    let duration = ini("junit_duration_report", "total");
    if duration != "total" && duration != "call" {
        return Err(format!("junit_duration_report = {duration}"));
    }
    let log_passing_tests = config
        .get_bool("junit_log_passing_tests")
        .map_err(|e| format!("junit_log_passing_tests: {e}"))?
        .unwrap_or(true);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    Ok(Some(JunitXml::new(JunitOptions {
        path: resolve_path(raw, &host.cwd, home.as_deref()),
        prefix: inv.args.junit_prefix.clone(),
        suite_name: ini("junit_suite_name", "pytest"),
        logging,
        log_passing_tests,
        duration_call_only: duration == "call",
        family,
    })))
}

/// `-n`: `None` without it; `auto` is the physical core count and `logical` the logical
/// one (`PYTEST_XDIST_AUTO_NUM_WORKERS` overrides both, as in pytest-xdist).
fn worker_count(inv: &Invocation) -> Option<usize> {
    let n = inv.args.numprocesses.as_deref()?;
    let auto = || {
        std::env::var("PYTEST_XDIST_AUTO_NUM_WORKERS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    let n = match n {
        "auto" => auto().unwrap_or_else(num_cpus::get_physical),
        "logical" => auto().unwrap_or_else(num_cpus::get),
        n => n
            .trim()
            .replace('_', "")
            .parse::<i64>()
            .map_or(0, |v| v.max(0) as usize),
    };
    // pytest-xdist's `--maxprocesses` caps any count but zero (it ignores zero or less).
    Some(match inv.args.maxprocesses {
        Some(max) if max > 0 && n > 0 => n.min(usize::try_from(max).unwrap_or(usize::MAX)),
        _ => n,
    })
}

/// The groups to hand out: one group in pytest's order for a single worker; scope
/// groups, longest first, for several, long modules of isolated items in pieces when
/// `may_cut` ([`schedule::split_long_groups`]).
fn plan(
    specs: &[ItemSpec],
    workers: Option<usize>,
    history: &History,
    may_cut: bool,
) -> Vec<Group> {
    if specs.is_empty() {
        return Vec::new();
    }
    if workers.unwrap_or(0) <= 1 {
        return vec![Group {
            items: specs.to_vec(),
            cost: 0.0,
        }];
    }
    let modules: Vec<&str> = specs.iter().map(|s| s.path.as_str()).collect();
    let nodeids: Vec<&str> = specs.iter().map(|s| s.nodeid.as_str()).collect();
    let mut ranges = schedule::scope_groups(&modules);
    if may_cut {
        let isolated: Vec<bool> = specs.iter().map(|s| s.isolated).collect();
        let n = workers.unwrap_or(1);
        ranges = schedule::split_long_groups(ranges, &nodeids, &isolated, history, n);
    }
    let costs = schedule::group_costs(&ranges, &nodeids, history);
    if tracing::enabled!(tracing::Level::DEBUG) {
        let assignment = schedule::lpt_assign(&costs, workers.unwrap_or(1).min(ranges.len()));
        let per_worker: Vec<String> = assignment
            .iter()
            .enumerate()
            .map(|(w, bin)| {
                let groups: Vec<String> = bin
                    .iter()
                    .map(|&i| format!("{} ({:.3}s)", nodeids[ranges[i].start], costs[i]))
                    .collect();
                format!("gw{w}: {}", groups.join(", "))
            })
            .collect();
        tracing::debug!(
            "{} scope groups, assigned longest first: {}",
            ranges.len(),
            per_worker.join("; ")
        );
    }
    ranges
        .into_iter()
        .zip(costs)
        .map(|(r, cost)| Group {
            items: specs[r].to_vec(),
            cost,
        })
        .collect()
}

/// The text a session writes before its first worker's imports are done, minus what an
/// earlier attempt of it wrote already (see [`Reimport`]); what it lets through is
/// remembered for a next attempt.
struct Echo {
    /// Still to skip: what the earlier attempt wrote and this one has not yet.
    skip: String,
    /// What this attempt has written.
    shown: String,
}

impl Echo {
    fn pass(&mut self, text: &str) -> String {
        self.shown.push_str(text);
        if self.skip.is_empty() {
            return text.to_string();
        }
        if let Some(rest) = self.skip.strip_prefix(text) {
            self.skip = rest.to_string();
            return String::new();
        }
        let skip = std::mem::take(&mut self.skip);
        text.strip_prefix(skip.as_str()).unwrap_or(text).to_string()
    }
}

/// What follows the header, split at the point where pytest imports the test modules:
/// pytest writes `collecting ... ` (verbose, no terminal) before it imports anything,
/// the collected line after. Only without capture (`announce`: the imports print in
/// between) is it split; otherwise it all waits for the imports (on a terminal the live
/// display starts meanwhile, and it must not draw behind `collecting ... `).
fn before_imports(rest: String, announce: bool) -> (String, String) {
    const COLLECTING: &str = "collecting ... ";
    match rest.strip_prefix(COLLECTING).filter(|_| announce) {
        Some(later) => (COLLECTING.to_string(), later.to_string()),
        None => (String::new(), rest),
    }
}

/// `os.path.normpath` of an absolute path: `.` components dropped, each `..` taking
/// the component before it away (none above the root).
fn normpath(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The first item of each test module the session runs, in pytest's collection order:
/// pytest imports every test module at collection, before the first test runs (and so
/// does each pytest-xdist worker), so a module's import never sees what the tests of the
/// modules before it did. The native engine imports these when the session starts.
/// Doctest text files import nothing.
fn preimport_specs<'a>(
    specs: impl Iterator<Item = &'a ItemSpec>,
    file_order: &[String],
) -> Vec<&'a ItemSpec> {
    let mut seen = std::collections::HashSet::new();
    let mut firsts: Vec<&ItemSpec> = specs
        .filter(|spec| module_of(spec).is_some_and(|(kind, key)| seen.insert((kind, key))))
        .collect();
    // `--ff`/`--nf` reorder the items, not the collection.
    let order: std::collections::HashMap<&str, usize> = file_order
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let position = |spec: &ItemSpec| {
        let file = module_of(spec).map_or("", |(_, key)| key);
        order.get(file).copied().unwrap_or(usize::MAX)
    };
    firsts.sort_by_key(|spec| position(spec));
    firsts
}

/// The kind and key of the module collector an item is in (its class, if any, is
/// below it), `None` for a doctest text file's items.
fn module_of(spec: &ItemSpec) -> Option<(&str, &str)> {
    spec.chain
        .iter()
        .find(|(kind, _, _)| matches!(kind.as_str(), "Module" | "DoctestModule"))
        .map(|(kind, key, _)| (kind.as_str(), key.as_str()))
}

/// pytest-xdist's `testrun_uid`: `--testrunuid`, else a fresh hex id per run.
fn testrun_uid(inv: &Invocation) -> String {
    if let Some(given) = &inv.args.testrunuid {
        return given.clone();
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:032x}", nanos ^ (u128::from(std::process::id()) << 64))
}

/// What this run measured, per node id: total duration over the phases and the outcome.
#[derive(Default)]
struct Ran {
    tests: HashMap<String, Measured>,
}

struct Measured {
    duration: f64,
    outcome: &'static str,
    /// More than a passed setup came in: a test interrupted in its call has no outcome
    /// to remember.
    decided: bool,
}

impl Ran {
    fn note(&mut self, ev: &Event) {
        let Event::Report(r) = ev else {
            return;
        };
        // A subtest's time is inside its test's call; the test's reports decide.
        if r.subtest.is_some() {
            return;
        }
        let entry = self.tests.entry(r.nodeid.clone()).or_insert(Measured {
            duration: 0.0,
            outcome: "passed",
            decided: false,
        });
        entry.duration += r.duration;
        entry.decided |= r.when != Phase::Setup || r.outcome != Outcome::Passed;
        let decides = r.when == Phase::Call || r.outcome == Outcome::Skipped;
        if r.outcome == Outcome::Failed {
            entry.outcome = if r.when == Phase::Call {
                "failed"
            } else {
                "error"
            };
        } else if decides && entry.outcome != "error" {
            entry.outcome = match r.category() {
                "passed" => "passed",
                "skipped" => "skipped",
                "xfailed" => "xfailed",
                "xpassed" => "xpassed",
                _ => entry.outcome,
            };
        }
    }

    /// This run's entries (smoothed against `history`, what was read at the start),
    /// and the rest of `history`.
    fn into_history(self, mut history: History) -> (History, History) {
        let mut run = History::default();
        for (id, m) in self.tests.into_iter().filter(|(_, m)| m.decided) {
            history.record(&id, m.duration, m.outcome);
            if let Some(e) = history.tests.remove(&id) {
                run.tests.insert(id, e);
            }
        }
        (run, history)
    }
}

/// The live progress display, on a terminal showing progress letters: not with `-v`
/// (a line per test says it all), `--no-progress-bar`, `TERM=dumb`, or capture off
/// (tests write to the terminal themselves).
fn live_display(
    inv: &Invocation,
    opts: &TerminalOptions,
    capture: &str,
    specs: &[ItemSpec],
    history: &History,
    workers: usize,
) -> Option<Live> {
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !inv.isatty
        || dumb
        || inv.args.has(Opt::NoProgressBar)
        || opts.test_cases_verbosity > 0
        || matches!(capture, "no" | "tee-sys")
        || specs.is_empty()
    {
        return None;
    }
    let term = match StdoutTerm::new(inv.width) {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!("no live display: {e}");
            return None;
        }
    };
    let expected = specs
        .iter()
        .filter_map(|s| Some((s.nodeid.clone(), history.duration(&s.nodeid)?)))
        .collect();
    let opts = LiveOptions {
        total: specs.len(),
        workers,
        markup: opts.markup,
        expected,
        mean: history.mean(),
    };
    Some(Live::start(opts, Arc::new(term)))
}

fn capture_method(inv: &Invocation) -> String {
    inv.args.capture.clone().unwrap_or_else(|| "fd".into())
}

fn terminal_options(inv: &Invocation, config: &Config) -> TerminalOptions {
    let args = &inv.args;
    let verbosity = args.verbosity();
    let capture = capture_method(inv);
    let style = config
        .get_str("console_output_style")
        .unwrap_or_else(|| "progress".into());
    let show_progress =
        (capture != "no" || style == "progress-even-when-capture-no") && style != "classic";
    let on_ci = ["CI", "BUILD_NUMBER"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    TerminalOptions {
        verbosity,
        test_cases_verbosity: inv.listing_verbosity(config),
        width: inv.width,
        reportchars: fastest_report::text::report_chars(&args.reportchars, args.disable_warnings),
        tbstyle: args.tbstyle.clone(),
        no_summary: args.no_summary,
        show_progress,
        progress_count: style == "count",
        on_ci,
        fold_skipped: !args.has(Opt::NoFoldSkipped),
        showcapture: args.showcapture.clone().unwrap_or_else(|| "all".into()),
        force_short_summary: args.has(Opt::ForceShortSummary),
        maxfail: usize::try_from(args.maxfail).unwrap_or(0),
        dist: None,
        markup: inv.markup,
        rerun_tracebacks: args
            .plugin_options()
            .any(|a| a == "--rerun-show-tracebacks"),
    }
}

/// The engine's settings (`Engine.__init__` in `python/fastest/_engine.py`).
fn engine_setup(inv: &Invocation, config: &Config, host: &Host, capture: &str) -> Value {
    let args = &inv.args;
    // The plugins `-p no:` blocks anywhere: the command line, `PYTEST_ADDOPTS`, addopts.
    let mut blocked = inv.blocked.clone();
    for b in crate::args::blocked_plugins(&inv.tokens) {
        if !blocked.contains(&b) {
            blocked.push(b);
        }
    }
    let plugins = if invocation::plugin_autoload(args) {
        host.pytest11_plugins()
    } else {
        Vec::new()
    };
    let mut ini = Map::new();
    for (name, kind) in ENGINE_INI {
        let v = match *kind {
            "args" => config.get_args(name).map(Value::from),
            "linelist" => config.get_linelist(name).map(Value::from),
            "bool" => config.get_bool(name).ok().flatten().map(Value::from),
            _ => config.get_str(name).map(Value::from),
        };
        if let Some(v) = v {
            ini.insert((*name).to_string(), v);
        }
    }
    // Untyped, converted in the engine by the types their `addini` registers
    // (`EngineConfig.getini`): pytest's other keys (what tests and conftests read with
    // `getini`; `markers` left out, whose value in pytest has its plugins' lines too),
    // and the keys of the quiet plugins the engine loads.
    let mut add_untyped = |key: &str| {
        if ini.contains_key(key) {
            return;
        }
        if let Some(v) = config.get_untyped(key) {
            let v = match v {
                Untyped::Str(s) => Value::from(s),
                Untyped::List(l) => Value::from(l),
                Untyped::Bool(b) => Value::from(b),
            };
            ini.insert(key.to_string(), v);
        }
    };
    Config::pytest_ini_names()
        .filter(|n| *n != "markers")
        .for_each(&mut add_untyped);
    let quiet = invocation::fixture_plugins(host);
    quiet
        .iter()
        .filter(|p| has_plugin(&plugins, &p.project))
        .flat_map(|p| p.ini_keys.iter().flatten())
        .for_each(|k| add_untyped(k));
    let pythonpath: Vec<String> = config
        .get_paths("pythonpath")
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let (cache_dir, _) = config.cache_dir();
    let fastest_cache = config.rootdir.join(".fastest_cache");
    let config_args: (Vec<String>, &str) = if !args.paths.is_empty() {
        (args.paths.clone(), "ARGS")
    } else {
        let testpaths = if host.cwd == config.rootdir {
            crate::app::expand_testpaths(&config.rootdir, &config.testpaths())
        } else {
            Vec::new()
        };
        if testpaths.is_empty() {
            (vec![host.cwd.display().to_string()], "INVOCATION_DIR")
        } else {
            (testpaths, "TESTPATHS")
        }
    };
    // What the engine reads of `config.option` (a `json!` of its own: one macro
    // this deep exceeds its recursion limit).
    let options = json!({
        "verbose": args.verbosity(),
        "tbstyle": args.tbstyle,
        "capture": capture,
        "assertmode": args.assert_mode.clone().unwrap_or_else(|| "rewrite".into()),
        "showlocals": args.showlocals,
        "fulltrace": args.has(Opt::FullTrace),
        "runxfail": args.has(Opt::RunXfail),
        // pytest's default is None (`-x` and `--maxfail` share the destination).
        "maxfail": (args.maxfail != 0).then_some(args.maxfail),
        "basetemp": args.basetemp.as_ref().map(|b| host.cwd.join(b).display().to_string()),
        // pytest's default is None, not an empty list.
        "pythonwarnings": (!args.pythonwarnings.is_empty()).then_some(&args.pythonwarnings),
        "keyword": args.keyword.clone().unwrap_or_default(),
        "markexpr": args.markexpr.clone().unwrap_or_default(),
        "file_or_dir": args.paths,
        "doctestreport": args.doctest_report.clone().unwrap_or_else(|| "udiff".into()),
        "doctest_continue_on_failure": args.has(Opt::DoctestContinueOnFailure),
        "usepdb": false,
        // pytest's logging plugin reads these before their ini keys.
        "log_level": args.log_level,
        "log_format": args.log_format,
        "log_date_format": args.log_date_format,
        // pytest-timeout's option, read by its `pytest_configure` (loaded natively).
        "timeout": args.timeout,
    });
    json!({
        "rootdir": config.rootdir.display().to_string(),
        // The conftest hooks the native engine calls itself: one list for both sides.
        "runtest_hooks": NATIVE_ITEM_HOOKS,
        // `config.inipath` (pytest-env looks for its TOML table beside it).
        "inipath": config.inipath.as_ref().map(|p| p.display().to_string()),
        "invocation_dir": host.cwd.display().to_string(),
        "import_mode": args.import_mode.clone().unwrap_or_else(|| "prepend".into()),
        "width": inv.width,
        "color": inv.markup,
        // pytest's logging plugin colours level names unless `--color=no`, with a writer
        // made at configure time for `sys.stdout`: captured (no terminal) unless `-s`.
        "log_color": match args.color.as_str() {
            "yes" => true,
            "no" => false,
            _ => invocation::markup_for(capture == "no" && inv.isatty),
        },
        // `--code-highlight`: pygments colours the source in tracebacks (with markup).
        "code_highlight": args.code_highlight.as_deref() != Some("no"),
        "confcutdir": confcutdir(args, config, &host.cwd).display().to_string(),
        "noconftest": args.noconftest,
        // pytest-xdist installed (and loaded): its fixtures exist.
        "xdist": has_plugin(&plugins, "pytest-xdist"),
        // Installed plugins whose modules the engine loads (fixtures, `pytest_configure`).
        "plugin_modules": invocation::NATIVE_PLUGIN_MODULES
            .iter()
            .filter(|(project, _)| has_plugin(&plugins, project))
            .map(|(_, module)| (*module).to_string())
            .chain(
                invocation::fixture_plugins(host)
                    .into_iter()
                    .filter(|p| has_plugin(&plugins, &p.project))
                    .flat_map(|p| p.modules),
            )
            .collect::<Vec<_>>(),
        // Installed plugins idle this session: only their modules' fixtures.
        "fixture_modules": invocation::IDLE_PLUGINS
            .iter()
            .filter(|(project, module, _)| has_plugin(&plugins, project) && !module.is_empty())
            .map(|(_, module, _)| (*module).to_string())
            .collect::<Vec<_>>(),
        // Their fixtures the engine does not serve (listed in a missing fixture's error).
        "plugin_fixtures": invocation::PLUGIN_FIXTURES
            .iter()
            .filter(|(project, _)| has_plugin(&plugins, project))
            .flat_map(|(_, fixtures)| fixtures.iter().copied())
            .collect::<Vec<_>>(),
        // What a test writes reaches the terminal as it happens (`-s`, and `tee-sys`'s
        // copy): each outcome must be out before the next phase writes.
        "sync": capture == "no" || capture == "tee-sys",
        // ... and `-v`'s line for a test is drawn as it starts, not only a new file's name.
        "sync_starts": inv.listing_verbosity(config) > 0,
        // What the tests see of the process, as under pytest: `sys.argv` (the script
        // that started pytest, then the command line) and `__main__.__file__`.
        "argv": inv.argv,
        "main": if crate::args::prog() == "pytest" { "script" } else { "module" },
        "cache_dir": fastest_cache.display().to_string(),
        "pytest_cache_dir": cache_dir.display().to_string(),
        // pytest-randomly loaded: the session's seed (a string: it may exceed JSON's
        // integers), and whether the plugin reseeds before each phase.
        "randomly": inv.randomly.as_ref().map(|r| json!({
            "seed": r.seed.to_string(),
            "reset": !args.has(crate::args::Opt::RandomlyDontResetSeed),
            "reorganize": r.reorganize,
        })),
        // `-p no:cacheprovider` takes the `cache` fixture away.
        "cacheprovider": !blocked.iter().any(|b| b == "cacheprovider"),
        // pytest imports its default plugins unless `-p no:` blocks them; the engine
        // imports what they would have (`_import_core_plugins`).
        "blocked_plugins": blocked,
        "pythonpath": pythonpath,
        "ini": ini,
        // Config keys nothing registers: the engine warns about them as pytest does.
        "unknown_ini_keys": inv.unknown_ini_keys,
        // pytest's `config.args` and `config.args_source`: the arguments, else the
        // testpaths (from the rootdir), else the invocation directory.
        "config_args": config_args.0,
        "args_source": config_args.1,
        // For the options the engine is not told of: pytest's parser reads them.
        "option_tokens": inv.tokens,
        // The tokens of the options the coordinator read off installed plugins'
        // `pytest_addoption` (or lists: pytest-benchmark's), with their values.
        "plugin_option_tokens": args.plugin_option_tokens,
        "options": options,
    })
}

/// pytest's default `confcutdir`: the configfile's directory, else the rootdir.
pub(crate) fn confcutdir(args: &args::Args, config: &Config, cwd: &Path) -> PathBuf {
    match &args.confcutdir {
        Some(c) => crate::app::normalize(&cwd.join(c)),
        None => config
            .inipath
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| config.rootdir.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(nodeid: &str, kind: &str, file: &str) -> ItemSpec {
        ItemSpec {
            nodeid: nodeid.into(),
            name: nodeid.rsplit("::").next().unwrap_or(nodeid).into(),
            function: String::new(),
            path: format!("/p/{file}"),
            chain: vec![
                ("Dir".into(), "Dir:p".into(), "p".into()),
                (kind.into(), file.into(), file.into()),
            ],
            callspec: vec![],
            timeout: None,
            added_marks: vec![],
            import_only: false,
            engine: None,
            isolated: false,
        }
    }

    #[test]
    fn a_second_attempt_writes_only_what_the_first_did_not() {
        let mut first = Echo {
            skip: String::new(),
            shown: String::new(),
        };
        assert_eq!(first.pass("header\n"), "header\n");
        assert_eq!(first.pass("collecting ... "), "collecting ... ");
        // The same text in other pieces, then what is new.
        let mut second = Echo {
            skip: first.shown,
            shown: String::new(),
        };
        assert_eq!(second.pass("head"), "");
        assert_eq!(second.pass("er\ncollecting ... "), "");
        assert_eq!(
            second.pass("collected 1 item / 1 error\n"),
            "collected 1 item / 1 error\n"
        );
        // A first attempt's text that this one does not repeat is not skipped twice.
        let mut third = Echo {
            skip: "header\n".into(),
            shown: String::new(),
        };
        assert_eq!(third.pass("header\nmore"), "more");
        assert_eq!(third.pass("header\n"), "header\n");
    }

    /// `spec` one level down, in a class of its module.
    fn in_class(mut s: ItemSpec) -> ItemSpec {
        let class = format!("{}::TestC", s.chain[1].1);
        s.chain.push(("Class".into(), class, "TestC".into()));
        s
    }

    #[test]
    fn normpath_is_pythons_for_absolute_paths() {
        for (given, want) in [
            ("/a/b/../c/./python", "/a/c/python"),
            ("/a/../../b", "/b"),
            ("/usr/bin/python3", "/usr/bin/python3"),
            ("/a/./b/", "/a/b"),
        ] {
            assert_eq!(normpath(Path::new(given)), Path::new(want), "{given}");
        }
    }

    #[test]
    fn preimport_takes_each_module_once_in_collection_order() {
        // `--ff` put test_b's failure first; the doctest text file imports nothing.
        let specs = [
            spec("test_b.py::test_fail", "Module", "test_b.py"),
            spec("test_a.py::test_1", "Module", "test_a.py"),
            spec("test_a.py::test_2", "Module", "test_a.py"),
            spec("README.txt::README.txt", "DoctestTextfile", "README.txt"),
            spec("test_b.py::test_ok", "Module", "test_b.py"),
            spec("mod.py::mod.f", "DoctestModule", "mod.py"),
            in_class(spec("test_c.py::TestC::test_m", "Module", "test_c.py")),
        ];
        let order = [
            "README.txt",
            "mod.py",
            "test_a.py",
            "test_b.py",
            "test_c.py",
        ]
        .map(String::from);
        let got: Vec<&str> = preimport_specs(specs.iter(), &order)
            .iter()
            .map(|s| s.nodeid.as_str())
            .collect();
        assert_eq!(
            got,
            [
                "mod.py::mod.f",
                "test_a.py::test_1",
                "test_b.py::test_fail",
                "test_c.py::TestC::test_m"
            ]
        );
    }
}
