//! A run (no `--collect-only`): the selected items go to the native engine in a worker
//! of the user's interpreter, and the terminal reporter prints what pytest prints.
//!
//! What the native engine does not do yet, pytest does: a session whose items discovery
//! could not prove (import fallback), that has collection errors, uses fixtures the
//! engine does not provide, or conftest hooks, is handed to pytest whole before anything
//! is printed (`--engine native` refuses instead, with the reason).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fastest_core::config::Config;
use fastest_core::item::Item;
use fastest_report::terminal::{TerminalOptions, TerminalReporter};
use fastest_report::text::Header;
use fastest_runner::pool::{run_serial, WorkerCommand};
use fastest_runner::protocol::ItemSpec;
use serde_json::{json, Map, Value};

use crate::app::exit;
use crate::args;
use crate::args::Opt;
use crate::host::Host;
use crate::invocation::{self, Invocation, Prepared};

/// Builtin fixtures the engine provides (`python/fastest/_engine.py`, `BUILTIN_FIXTURES`).
const ENGINE_FIXTURES: &[&str] = &[
    "request",
    "monkeypatch",
    "recwarn",
    "tmp_path",
    "tmp_path_factory",
    "capsys",
    "capsysbinary",
    "capfd",
    "capfdbinary",
];

/// The ini values the engine reads, by pytest's type (`INI_TYPES` in `_engine.py`).
const ENGINE_INI: &[(&str, &str)] = &[
    ("python_files", "args"),
    ("filterwarnings", "linelist"),
    ("strict_xfail", "bool"),
    ("xfail_strict", "bool"),
    ("strict", "bool"),
    ("enable_assertion_pass_hook", "bool"),
    ("tmp_path_retention_count", "string"),
    ("tmp_path_retention_policy", "string"),
    ("consider_namespace_packages", "bool"),
    ("log_format", "string"),
    ("log_date_format", "string"),
    ("truncation_limit_lines", "string"),
    ("truncation_limit_chars", "string"),
    ("assertion_text_diff_style", "string"),
    ("verbosity_assertions", "string"),
];

/// Run the session through pytest (or refuse, under `--engine native`).
pub(crate) fn with_pytest(inv: &Invocation, host: &Host, err: &mut dyn Write, why: &str) -> i32 {
    match invocation::delegate_run(err, inv.native_only, why, inv.pytest_argv.clone()) {
        Prepared::Delegate(argv) => invocation::run_pytest(&argv, host, err),
        Prepared::Exit(code) => code,
        Prepared::Collect(..) => exit::INTERNAL_ERROR,
    }
}

/// Why the native engine cannot run these items, if it cannot.
fn blocker(items: &[Item], conftest_hooks: &[String]) -> Option<String> {
    if let Some(h) = conftest_hooks.first() {
        return Some(format!("conftest hook {h}"));
    }
    for it in items {
        let Some(run) = &it.run else {
            return Some(format!("{} is not proved by discovery", it.nodeid));
        };
        if let Some(f) = run
            .external_fixtures
            .iter()
            .find(|f| !ENGINE_FIXTURES.contains(&f.as_str()))
        {
            return Some(format!("{} uses fixture {f}", it.nodeid));
        }
    }
    None
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
    /// Set when something only pytest can report happened in collection.
    pub pytest_needed: Option<String>,
    /// pytest's cacheprovider/stepwise state (`None` under `-p no:cacheprovider`).
    pub cache: Option<crate::cacheprovider::CacheSession>,
}

/// Run the selected items natively and print pytest's report. Returns the exit code.
pub(crate) fn run(mut s: Session<'_>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let inv = s.inv;
    if let Some(why) = s
        .pytest_needed
        .clone()
        .or_else(|| blocker(&s.items, &s.conftest_hooks))
    {
        return with_pytest(inv, s.host, err, &why);
    }
    let Some(python) = s.host.python.clone() else {
        return with_pytest(inv, s.host, err, "no interpreter path");
    };
    let args = &inv.args;
    let config = s.config;
    let mut specs = Vec::with_capacity(s.items.len());
    for it in &s.items {
        let path = config.rootdir.join(it.file_part());
        match ItemSpec::from_item(it, &path) {
            Some(spec) => specs.push(spec),
            None => return with_pytest(inv, s.host, err, "an item without a run spec"),
        }
    }
    let verbosity = args.verbosity();
    let mut text = String::new();
    let rootdir_s = config.rootdir.display().to_string();
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
        };
        header.render(&mut text, inv.width);
        let collecting = if verbosity >= 1 {
            "collecting ... "
        } else {
            ""
        };
        text.push_str(collecting);
        text.push_str(&crate::collect_only::collected_counts(
            s.total,
            0,
            s.deselected,
            0,
        ));
        text.push('\n');
        for line in s.cache.iter().flat_map(|c| c.collection_lines(verbosity)) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    if out.write_all(text.as_bytes()).is_err() {
        return exit::OK;
    }
    let _ = out.flush();
    let mut opts = terminal_options(inv, config);
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
    let mut reporter = TerminalReporter::new(
        out,
        opts,
        &config.rootdir,
        &s.host.cwd,
        specs.len(),
        s.deselected,
    );
    if let Some(count) = args.durations {
        reporter.set_durations(fastest_report::durations::Durations {
            count,
            min: args.durations_min,
        });
    }
    let mut setup = engine_setup(inv, config, s.host, &capture);
    if stepwise_stop.is_some() {
        setup["options"]["maxfail"] = json!(engine_maxfail);
    }
    let cmd = WorkerCommand {
        python,
        cwd: s.host.cwd.clone(),
    };
    let cache = &mut s.cache;
    let result = run_serial(&cmd, &setup, &specs, &mut |ev| {
        if let (Some(c), fastest_core::report::Event::Report(r)) = (cache.as_mut(), &ev) {
            c.on_report(r);
        }
        reporter.event(&ev)
    });
    if let Err(e) = result {
        let _ = writeln!(err, "INTERNALERROR> {e}");
        return exit::INTERNAL_ERROR;
    }
    let failed = reporter.failed();
    let ran = reporter.ran();
    // pytest's `session.shouldfail` banner, counted as the engine counts.
    let failures = reporter.failures();
    let maxfail = usize::try_from(args.maxfail).unwrap_or(0);
    let mut stopped: Vec<String> = (maxfail > 0 && failures >= maxfail)
        .then(|| format!("stopping after {failures} failures"))
        .into_iter()
        .collect();
    // Stepwise's `session.shouldstop`: the session is interrupted, unless `--maxfail`'s
    // `session.shouldfail` ended it first (then both banners, exit 1).
    let sw_stopped = s.cache.as_ref().is_some_and(|c| c.stopped());
    let interrupted = sw_stopped && stopped.is_empty();
    if sw_stopped {
        let why = crate::cacheprovider::STEPWISE_STOP;
        stopped.push(if interrupted {
            format!("Interrupted: {why}")
        } else {
            why.to_string()
        });
    }
    reporter.finish_with(s.start.elapsed().as_secs_f64(), &stopped);
    if let Some(c) = s.cache.take() {
        c.finish(false);
    }
    if interrupted {
        exit::INTERRUPTED
    } else if failed {
        exit::TESTS_FAILED
    } else if !ran && specs.is_empty() {
        exit::NO_TESTS_COLLECTED
    } else {
        exit::OK
    }
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
        on_ci,
        fold_skipped: !args.has(Opt::NoFoldSkipped),
        showcapture: args.showcapture.clone().unwrap_or_else(|| "all".into()),
        force_short_summary: args.has(Opt::ForceShortSummary),
        maxfail: usize::try_from(args.maxfail).unwrap_or(0),
    }
}

/// The engine's settings (`Engine.__init__` in `python/fastest/_engine.py`).
fn engine_setup(inv: &Invocation, config: &Config, host: &Host, capture: &str) -> Value {
    let args = &inv.args;
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
    let pythonpath: Vec<String> = config
        .get_paths("pythonpath")
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let (cache_dir, _) = config.cache_dir();
    let fastest_cache = config.rootdir.join(".fastest_cache");
    json!({
        "rootdir": config.rootdir.display().to_string(),
        "invocation_dir": host.cwd.display().to_string(),
        "import_mode": args.import_mode.clone().unwrap_or_else(|| "prepend".into()),
        "width": inv.width,
        "color": false,
        "confcutdir": confcutdir(args, config, &host.cwd).display().to_string(),
        "noconftest": args.noconftest,
        "sync": capture == "no",
        "cache_dir": fastest_cache.display().to_string(),
        "pytest_cache_dir": cache_dir.display().to_string(),
        "pythonpath": pythonpath,
        "ini": ini,
        "options": {
            "verbose": args.verbosity(),
            "tbstyle": args.tbstyle,
            "capture": capture,
            "assertmode": args.assert_mode.clone().unwrap_or_else(|| "rewrite".into()),
            "showlocals": args.showlocals,
            "fulltrace": args.has(Opt::FullTrace),
            "runxfail": args.has(Opt::RunXfail),
            "maxfail": args.maxfail,
            "basetemp": args.basetemp.as_ref().map(|b| host.cwd.join(b).display().to_string()),
            "pythonwarnings": args.pythonwarnings,
        },
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
