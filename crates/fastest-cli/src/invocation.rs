//! From argv to a session fastest can serve, or to pytest's own answer.
//!
//! pytest reads its command line in stages, and each stage has its own errors: the
//! `$PYTEST_ADDOPTS` options alone (errors name `config source: via PYTEST_ADDOPTS`),
//! then with argv, then the configfile is found, then the ini `addopts` alone (errors
//! name the config source, inifile and rootdir), then the whole command line; then
//! `minversion` and `required_plugins` are checked, conftests are loaded and unknown
//! options are rejected; unknown ini keys are reported after collection. [`prepare`]
//! follows the same order with the same messages, and decides how the session runs:
//!
//! - fastest collects and renders it ([`Invocation::fallback`] empty: static discovery,
//!   with the import fallback for uncertain files);
//! - fastest renders it but pytest collects all of it (`fallback` set): for what only
//!   pytest can word (unknown ini keys' warnings, values of the wrong type, options a
//!   conftest or plugin registers);
//! - pytest runs the command line itself ([`Prepared::Delegate`]): runs that are not
//!   `--collect-only`, and options whose output fastest does not render (`--fixtures`,
//!   `--help`, `--lf`, `--junitxml`, ...).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use fastest_core::discovery::options::{addoption_options, CliOption, Nargs};

use fastest_core::config::{
    determine_setup, shlex_split, Config, ConfigRequest, PytestInstall, Startup,
};

use crate::app::{exit, normalize};
use crate::args::{self, blocked_plugins, ArgError, Args, Opt, Parsed, Parser, Served};
use crate::collect_only::Summary;
use crate::host::{FixturePlugin, Host};

/// A `--collect-only` session fastest renders.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `addopts`, `$PYTEST_ADDOPTS` and argv, parsed as one command line.
    pub args: Args,
    /// argv alone: the fallback worker runs pytest, which reads `addopts` and
    /// `$PYTEST_ADDOPTS` itself.
    pub cli: Parsed,
    /// Terminal width for separators (`$COLUMNS`, else the tty's, else 80).
    pub width: usize,
    /// stdout is a terminal: pytest rewrites its `collecting ...` line in place.
    pub isatty: bool,
    /// Colours and bold in the output (pytest's `should_do_markup` after `--color`).
    pub markup: bool,
    /// Set when pytest must collect the whole session; the reason (shown with `-v`).
    pub fallback: Option<String>,
    /// pytest-randomly, when it loads: the session's seed and whether it reorders.
    pub randomly: Option<crate::randomly::Randomly>,
    /// The command line has options no core plugin registers: pytest must read all of
    /// argv (an unknown option's value would otherwise be taken for a path).
    pub raw_cli: bool,
    /// With `strict_config`, the unknown ini key pytest fails on after collection.
    pub strict_unknown_key: Option<String>,
    /// Config keys nothing registers (pytest warns about each at its start), for a run:
    /// only the native engine warns about them as pytest does; a session that needs
    /// the pytest engine goes to pytest.
    pub unknown_ini_keys: Vec<String>,
    /// Core plugins `-p no:NAME` on the command line keeps pytest from loading.
    pub blocked: Vec<String>,
    /// A run (not `--collect-only`): the native engine runs the selected items.
    pub run: bool,
    /// argv for pytest, should the run turn out to need it after discovery.
    pub pytest_argv: Vec<String>,
    /// `--engine native` (or `FASTEST_ENGINE=native`): never hand the run to pytest.
    pub native_only: bool,
    /// Why, before anything is collected, the run needs the pytest engine in the
    /// workers (`--engine pytest`, an installed plugin it runs, options a conftest or
    /// plugin registers); `None` lets the items decide.
    pub pytest_engine: Option<String>,
    /// The command line for the pytest engine's `Config` in each worker: argv without
    /// fastest's options or pytest-xdist's (the coordinator schedules).
    pub worker_argv: Vec<String>,
    /// The command line as given (the JSON report's `args`).
    pub argv: Vec<String>,
    /// `addopts`, `$PYTEST_ADDOPTS` and argv as one list of tokens: what pytest's parser
    /// reads into `config.option` (the native engine's values for the options it is not
    /// told of).
    pub tokens: Vec<String>,
    /// Modules `-p NAME` loads that fastest knows nothing of (the project's own plugin
    /// modules): pytest collects the session, whose report says what they define.
    pub cli_plugins: Vec<String>,
}

impl Invocation {
    /// The item listing's verbosity: the `verbosity_test_cases` ini value unless it is
    /// `auto` (pytest's `Config.get_verbosity`), else the global verbosity.
    pub fn listing_verbosity(&self, config: &Config) -> i32 {
        listing_verbosity(&self.args, config)
    }

    /// The `cachedir:` header line's path: shown from `-v` on or when `cache_dir` is not
    /// the default, unless the cacheprovider plugin is blocked.
    pub fn cachedir_line(&self, config: &Config) -> Option<String> {
        if self.blocked.iter().any(|b| b == "cacheprovider") {
            return None;
        }
        let (dir, custom) = config.cache_dir();
        if !(custom || self.args.verbose > 0) {
            return None;
        }
        // A lexical `relative_to`, as pytest's (`../x` stays `../x`).
        Some(match dir.strip_prefix(&config.rootdir) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => dir.display().to_string(),
        })
    }

    /// Which summary sections pytest prints.
    pub fn summary(&self) -> Summary {
        let a = &self.args;
        Summary {
            fold_skipped: !a.has(Opt::NoFoldSkipped),
            ..Summary::new(&a.reportchars, a.disable_warnings, &a.tbstyle, a.no_summary)
        }
    }

    /// Whether collection errors end the session with pytest's `Interrupted` banner.
    pub fn interrupted(&self, errors: usize) -> bool {
        errors > 0
            && !self.args.continue_on_collection_errors
            && self.strict_unknown_key.is_none()
            && !self.stops_at(errors)
    }

    /// Whether `-x`/`--maxfail` stopped collection after `errors` errors (pytest's
    /// `stopping after N failures`, exit code 1).
    pub fn stops_at(&self, errors: usize) -> bool {
        self.args.maxfail > 0 && i64::try_from(errors).is_ok_and(|n| n >= self.args.maxfail)
    }

    /// `--max-warnings`, else the `max_warnings` ini value.
    pub fn max_warnings(&self, config: &Config) -> Option<i64> {
        self.args.max_warnings.or_else(|| {
            config
                .get_str("max_warnings")
                .and_then(|v| v.trim().parse().ok())
        })
    }

    /// pytest's exit code for a collection that ran to its end.
    pub fn exit_code(&self, errors: usize, selected: usize) -> i32 {
        if errors > 0 {
            if self.interrupted(errors) {
                exit::INTERRUPTED
            } else {
                exit::TESTS_FAILED
            }
        } else if selected == 0 {
            exit::NO_TESTS_COLLECTED
        } else {
            exit::OK
        }
    }
}

fn listing_verbosity(args: &Args, config: &Config) -> i32 {
    config
        .get_str("verbosity_test_cases")
        .filter(|v| v != "auto")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(args.verbose)
}

/// What [`prepare`] decided.
#[derive(Debug)]
pub enum Prepared {
    /// Collect and render the session.
    Collect(Box<Invocation>, Box<Config>),
    /// Run pytest itself with these arguments (argv without fastest's own options).
    Delegate(Vec<String>),
    /// Done: the output is written; exit with this code.
    Exit(i32),
}

/// Options whose effect on a `--collect-only` run fastest does not render: extra
/// header or summary lines, other output entirely, or arguments read as packages.
const PYTEST_ONLY_OPTIONS: &[Opt] = &[
    Opt::Help,
    Opt::Version,
    Opt::Fixtures,
    Opt::FixturesPerTest,
    Opt::Markers,
    Opt::CacheShow,
    Opt::JunitXml,
    Opt::JsonReport,
    Opt::FastestJsonReport,
    Opt::Pastebin,
    Opt::LastFailed,
    Opt::FailedFirst,
    Opt::NewFirst,
    Opt::StepWise,
    Opt::StepWiseSkip,
    Opt::StepWiseReset,
    Opt::TraceConfig,
    Opt::Debug,
    Opt::PyArgs,
    // Interactive on collection errors.
    Opt::Pdb,
];

/// Core plugins whose absence changes nothing fastest renders itself (what they change
/// in collection errors, the fallback worker reproduces: it gets the `-p`). Not
/// `warnings`: without it Python prints warnings on stderr itself.
const NEUTRAL_PLUGINS: &[&str] = &[
    "assertion",
    "cacheprovider",
    "capture",
    "debugging",
    "faulthandler",
    "junitxml",
    "legacypath",
    "logging",
    "monkeypatch",
    "pastebin",
    "recwarn",
    "setuponly",
    "setupplan",
    "skipping",
    "stepwise",
    "subtests",
    "terminalprogress",
    "threadexception",
    "tmpdir",
    "unraisableexception",
];

/// Whether `name` is one of pytest's own plugins (`-p no:` of any other name blocks
/// nothing of pytest's): its default ones and the terminal's progress plugin, which
/// the terminal plugin imports at configure time.
fn core_plugin(name: &str) -> bool {
    crate::host::PYTEST_DEFAULT_PLUGINS.contains(&name) || name == "terminalprogress"
}

/// Logging level names pytest accepts for `--log-level` and friends (any integer too).
const LOG_LEVELS: &[&str] = &[
    "CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET",
];

/// Where a usage error's options came from, for pytest's context lines.
enum Context<'a> {
    /// Nothing: argv (with `$PYTEST_ADDOPTS`) before the configfile is known.
    None,
    /// `$PYTEST_ADDOPTS` on its own.
    EnvAddopts,
    /// The ini `addopts` on its own.
    IniAddopts(&'a Config),
    /// After the configfile is known.
    Config(&'a Config),
}

/// Read the command line and the configuration, check them as pytest does at start-up,
/// and decide how the session runs. Errors are written to `err` (the version to `out`).
pub fn prepare(argv: &[String], host: &Host, out: &mut dyn Write, err: &mut dyn Write) -> Prepared {
    // pytest answers a lone `--version`/`-V` before reading anything else.
    let versions = argv
        .iter()
        .filter(|a| *a == "--version" || *a == "-V")
        .count();
    if versions == 1 {
        return match host.pytest_version() {
            Some(v) => {
                let _ = writeln!(out, "pytest {v}");
                Prepared::Exit(exit::OK)
            }
            None => Prepared::Delegate(argv.to_vec()),
        };
    }
    let env = match std::env::var("PYTEST_ADDOPTS") {
        Ok(s) => match shlex_split(&s) {
            Ok(tokens) => tokens,
            // pytest crashes with a traceback here; let it.
            Err(_) => return Prepared::Delegate(argv.to_vec()),
        },
        Err(_) => Vec::new(),
    };
    // argparse reads `@file` arguments from files, and what follows `--` depends on the
    // Python version (3.11's `parse_intermixed_args` still reads options there): rare
    // enough to leave to pytest.
    if env
        .iter()
        .chain(argv)
        .any(|a| a.starts_with('@') || a == "--")
    {
        return Prepared::Delegate(argv.to_vec());
    }
    let blocked = blocked_plugins(argv);
    // With pytest-json-report installed, `--json-report` is its flag (see
    // `args::JSON_REPORT_SPELLING`): unknown to fastest, passed on to pytest.
    let json_report_plugin = crate::json_report::plugin_installed(&host.pytest11_plugins());
    let parser_blocks = |blocked: &[String]| {
        let mut b = blocked.to_vec();
        if json_report_plugin {
            b.push(crate::args::JSON_REPORT_SPELLING.to_string());
        }
        b
    };
    let early_blocks = parser_blocks(&blocked);
    let parser = Parser::new(&host.cwd, &early_blocks);
    if let Err(e) = parser.parse(&env) {
        return Prepared::Exit(usage_error(err, &e, &Context::EnvAddopts));
    }
    let env_argv: Vec<String> = env.iter().chain(argv).cloned().collect();
    let pre = match parser.parse(&env_argv) {
        Ok(p) => p.args,
        Err(e) => return Prepared::Exit(usage_error(err, &e, &Context::None)),
    };
    let req = ConfigRequest {
        invocation_dir: host.cwd.clone(),
        args: pre.paths.clone(),
        inifile: pre.inifile.as_ref().map(|p| host.cwd.join(p)),
        rootdir: pre.rootdir.clone(),
        overrides: pre.override_ini.clone(),
    };
    let mut config = match determine_setup(&req) {
        Ok(c) => c,
        Err(e) => return Prepared::Exit(config_error(err, &e)),
    };
    let addopts = config.addopts();
    if addopts.iter().any(|a| a.starts_with('@') || a == "--") {
        return Prepared::Delegate(argv.to_vec());
    }
    // `-p no:NAME` anywhere (addopts too) keeps an installed plugin from loading: for
    // the session it is not installed. Its options are then unknown, as are those of a
    // plugin fastest serves that is not installed.
    let all_tokens: Vec<String> = addopts.iter().chain(&env_argv).cloned().collect();
    host.block_plugins(blocked_plugins(&all_tokens));
    let plugins = host.pytest11_plugins();
    let entry_points = host.pytest11_entry_points();
    let autoload = std::env::var_os("PYTEST_DISABLE_PLUGIN_AUTOLOAD").is_none()
        && !all_tokens.iter().any(|t| t == "--disable-plugin-autoload");
    let mut blocked = blocked;
    if !crate::randomly::active(&plugins, autoload) {
        blocked.push("randomly".to_string());
    }
    // pytest-cov's options are fastest's to read only for a version it serves; else
    // they stay unknown and pytest reads them.
    if !(autoload
        && plugins
            .iter()
            .any(|(n, v)| n == "pytest-cov" && crate::cov::served_version(v)))
    {
        blocked.push(crate::cov::PLUGIN.to_string());
    }
    let parser_blocked = parser_blocks(&blocked);
    let parser = Parser::new(&host.cwd, &parser_blocked);
    if let Err(e) = parser.parse(&addopts) {
        return Prepared::Exit(usage_error(err, &e, &Context::IniAddopts(&config)));
    }
    let all: Vec<String> = addopts.iter().chain(&env_argv).cloned().collect();
    let args = match parser.parse(&all) {
        Ok(p) => p.args,
        Err(e) => return Prepared::Exit(usage_error(err, &e, &Context::Config(&config))),
    };
    let Ok(cli) = parser.parse(argv) else {
        // Only an option split across `$PYTEST_ADDOPTS` and argv gets here.
        return Prepared::Delegate(argv.to_vec());
    };
    // Options the initial conftests register, read off their source: with them known,
    // their values are no paths, and the session stays fastest's.
    let (args, cli) = if args.unknown.is_empty() {
        (args, cli)
    } else {
        // (And those of the worker plugins, which run as they are in the workers'
        // pytest: its parse of the command line gives them their values.)
        let plugin_modules = if plugin_autoload(&args) {
            let served = OPTION_PLUGIN_MODULES
                .iter()
                .filter(|(project, _)| plugins.iter().any(|(name, _)| name == project))
                .filter_map(|(_, m)| host.module_file(m));
            worker_plugins(host)
                .iter()
                .flat_map(|p| p.modules.iter().filter_map(|m| host.module_file(m)))
                .chain(served)
                .collect()
        } else {
            Vec::new()
        };
        let plugin_options = read_options(&plugin_modules).map(|mut options| {
            // pytest-benchmark's, which its source adds through helper functions.
            if plugin_autoload(&args) && plugins.iter().any(|(name, _)| name == "pytest-benchmark")
            {
                options.extend(benchmark_options());
            }
            options
        });
        plugin_options
            .and_then(|options| {
                with_conftest_options(
                    &args,
                    &parser_blocked,
                    &all,
                    argv,
                    &config,
                    &host.cwd,
                    &options,
                )
            })
            .unwrap_or((args, cli))
    };
    // `-o` given through addopts counts too.
    if let Err(e) = config.apply_overrides(&args.override_ini) {
        return Prepared::Exit(config_error(err, &e));
    }
    // `-n` is pytest-xdist's when it is installed, else fastest's own.
    let xdist = Served {
        xdist: plugins.iter().any(|(name, _)| name == "pytest-xdist"),
        timeout: plugins.iter().any(|(name, _)| name == "pytest-timeout"),
    };
    let run = !args.collect_only;
    let native_only = native_only(&args);
    let verbose = args.verbosity() > 0;
    if let Some((k, n)) = args.shard {
        // A session pytest runs splits by the same rule (`fastest._shard`, which
        // `run_pytest` loads when this is set).
        std::env::set_var(crate::shard::ENV, format!("{k}/{n}"));
        if args.no_cache {
            std::env::set_var(crate::shard::NO_HISTORY_ENV, "1");
        }
    }
    crate::json_report::hand_over(&args, argv, host);
    let mut pytest_engine = None;
    if run {
        if let Some(why) = startup_usage_error(&args, &cli, &config) {
            return delegate_run(err, native_only, verbose, &why, cli.pytest_argv(xdist));
        }
        match run_blocker(&args, &config, &plugins, &entry_points, host) {
            Err(why) => {
                return delegate_run(err, native_only, verbose, &why, cli.pytest_argv(xdist))
            }
            Ok(Some(why)) if native_only => {
                return delegate_run(err, true, verbose, &why, Vec::new())
            }
            Ok(engine) => pytest_engine = engine,
        }
    }
    let pytest_version = host.pytest_version();
    let install = PytestInstall {
        version: pytest_version.as_deref(),
        plugins: &plugins,
    };
    match config.validate_startup(install) {
        Ok(Startup::Ok) => {}
        Ok(Startup::Undecided(why)) => {
            tracing::info!("pytest decides: {why}");
            return delegate_run(
                err,
                native_only && run,
                verbose,
                &why,
                cli.pytest_argv(xdist),
            );
        }
        Err(e) => return Prepared::Exit(config_error(err, &e)),
    }
    if let Some(why) = pytest_only(&args, &cli, &config, &plugins, &entry_points, host) {
        if !run {
            tracing::info!("running pytest itself: {why}");
            return Prepared::Delegate(cli.pytest_argv(xdist));
        }
    }
    // Whether something loaded before pytest checks options (plugins, initial conftests)
    // may register options or ini keys. Asked only when something is unknown.
    // `-p NAME` loads a plugin before the command line is checked (pytester's
    // `--runpytest`, a project's own plugin module); so are the initial conftests.
    let loaded_early_may_register = || {
        args.plugins.iter().any(|p| {
            let p = p.trim();
            !p.starts_with("no:") && !core_plugin(p)
        }) || initial_conftests(&args, &config, &host.cwd)
            .iter()
            .any(|c| may_register_options(c))
    };
    let may_register =
        || (plugin_autoload(&args) && !plugins.is_empty()) || loaded_early_may_register();
    let mut fallback = None;
    let mut raw_cli = false;
    // pytest warns (quoting its own source line) when `testpaths` matches nothing.
    let testpaths = config.testpaths();
    if args.paths.is_empty()
        && host.cwd == config.rootdir
        && !testpaths.is_empty()
        && crate::app::expand_testpaths(&config.rootdir, &testpaths).is_empty()
    {
        fallback = Some("testpaths match nothing".to_string());
    }
    if !args.unknown.is_empty() {
        if !may_register() {
            let e = ArgError::Argparse(format!(
                "unrecognized arguments: {}",
                args.unknown.join(" ")
            ));
            return Prepared::Exit(usage_error(err, &e, &Context::Config(&config)));
        }
        raw_cli = true;
        fallback = Some(format!(
            "options a conftest or plugin registers: {}",
            args.unknown.join(" ")
        ));
    }
    let mut strict_unknown_key = None;
    let mut unknown_keys = config.unknown_keys(&blocked);
    // Every installed plugin whose ini keys its source names (`None` if one cannot be
    // read so): asked only when a key is unknown.
    let mut all_keys_read = true;
    if plugin_autoload(&args) && !unknown_keys.is_empty() {
        unknown_keys.retain(|k| !registered_by_plugin(k, &plugins));
        let known: Vec<FixturePlugin> = fixture_plugins(host)
            .into_iter()
            .chain(worker_plugins(host))
            .collect();
        unknown_keys.retain(|k| {
            !known
                .iter()
                .any(|p| p.ini_keys.as_ref().is_some_and(|keys| keys.contains(k)))
        });
        match plugin_ini_keys(host, &known) {
            Some(keys) => unknown_keys.retain(|k| !keys.contains(k)),
            None => all_keys_read = false,
        }
    }
    // Whether something loaded before pytest reads its ini may register keys: a plugin
    // whose keys were not all read from its source, `-p`, an initial conftest.
    let may_register_ini = || {
        (plugin_autoload(&args) && !plugins.is_empty() && !all_keys_read)
            || loaded_early_may_register()
    };
    // Config keys nothing registers, which pytest warns about at its start: a native
    // run's engine warns through pytest's own code (`Engine._unknown_key_warnings`).
    let mut unknown_ini_keys = Vec::new();
    if !unknown_keys.is_empty() && !raw_cli {
        match config.strict_config() {
            Ok(true) if !may_register_ini() => {
                strict_unknown_key = unknown_keys.first().cloned();
                // pytest's usage error comes once collection is over, before any test
                // runs ("no tests ran"): a collection's report is fastest's to give,
                // that of a run which stops there is pytest's.
                if run {
                    fallback.get_or_insert_with(|| {
                        format!(
                            "unknown config options under strict_config: {}",
                            unknown_keys.join(", ")
                        )
                    });
                }
            }
            // (Not when a warning filter may make it an error: pytest's start fails.)
            Ok(false) if run && !may_register_ini() && !warnings_may_fail(&args, &config) => {
                unknown_ini_keys = unknown_keys.clone();
            }
            // pytest's warning quotes its own source line; let it print it.
            _ => {
                fallback.get_or_insert_with(|| {
                    format!("unknown config options: {}", unknown_keys.join(", "))
                });
            }
        }
    }
    let invalid = config.invalid_keys();
    if fallback.is_none() && !invalid.is_empty() {
        fallback = Some(format!(
            "config values pytest rejects when read: {}",
            invalid.join(", ")
        ));
    }
    // pytest-xdist's `pytest_configure` warns that its rsync and loop-on-fail settings
    // are deprecated: a warning of pytest's configuration, in its summary.
    if fallback.is_none()
        && plugin_autoload(&args)
        && plugins.iter().any(|(n, _)| n == "pytest-xdist")
    {
        if let Some(key) = ["rsyncdirs", "looponfailroots"]
            .into_iter()
            .find(|k| config.get_args(k).is_some_and(|v| !v.is_empty()))
        {
            fallback = Some(format!("pytest-xdist warns that `{key}` is deprecated"));
        }
    }
    if run {
        if let Some(why) = &fallback {
            // Options a conftest or plugin registers reach the workers' pytest; other
            // reasons are warnings only pytest's own session prints.
            let registered_options = raw_cli && !why.starts_with("testpaths");
            if !registered_options || native_only {
                return delegate_run(err, native_only, verbose, why, cli.pytest_argv(xdist));
            }
            pytest_engine.get_or_insert_with(|| why.clone());
        }
    }
    // Configure time: `--cache-clear` empties pytest's cache (cacheprovider's
    // `tryfirst` configure), then pytest-randomly resolves its seed and stores it there.
    let pytest_cache = (!blocked.iter().any(|b| b == "cacheprovider"))
        .then(|| fastest_core::cache::PytestCache::new(config.cache_dir().0));
    if let Some(c) = pytest_cache.as_ref().filter(|_| args.has(Opt::CacheClear)) {
        c.clear();
    }
    let randomly = crate::randomly::installed_hash(&plugins)
        .filter(|_| crate::randomly::active(&plugins, autoload))
        .map(|hash| crate::randomly::Randomly::configure(&args, pytest_cache.as_ref(), hash));
    let isatty = std::io::stdout().is_terminal();
    let inv = Invocation {
        randomly,
        run,
        pytest_argv: cli.pytest_argv(xdist),
        worker_argv: cli.pytest_argv(Served {
            xdist: false,
            timeout: xdist.timeout,
        }),
        pytest_engine,
        native_only,
        raw_cli,
        fallback,
        strict_unknown_key,
        unknown_ini_keys,
        width: terminal_width(),
        isatty,
        markup: should_markup(&args, isatty),
        blocked,
        cli_plugins: cli_plugins(&args, &entry_points),
        args,
        cli,
        argv: argv.to_vec(),
        tokens: all,
    };
    Prepared::Collect(Box::new(inv), Box::new(config))
}

/// Whether a warning filter (the `filterwarnings` ini, `-W`) turns warnings into errors.
fn warnings_may_fail(args: &Args, config: &Config) -> bool {
    let error = |f: &str| f.trim_start().starts_with("error");
    config
        .get_linelist("filterwarnings")
        .is_some_and(|lines| lines.iter().any(|l| error(l)))
        || args.pythonwarnings.iter().any(|w| error(w))
}

/// Options a native run honours (anything else is pytest's run, for now).
const NATIVE_RUN_OPTIONS: &[Opt] = &[
    Opt::ExitFirst,
    Opt::MaxFail,
    Opt::Keyword,
    Opt::MarkExpr,
    Opt::Verbose,
    Opt::Quiet,
    Opt::Verbosity,
    Opt::ReportChars,
    Opt::DisableWarnings,
    Opt::Tb,
    Opt::Capture,
    Opt::NoCapture,
    Opt::ShowLocals,
    Opt::NoShowLocals,
    Opt::FullTrace,
    Opt::RunXfail,
    Opt::BaseTemp,
    Opt::PythonWarnings,
    Opt::OverrideIni,
    Opt::ConfigFile,
    Opt::RootDir,
    Opt::Deselect,
    Opt::Ignore,
    Opt::IgnoreGlob,
    Opt::ConfCutDir,
    Opt::NoConftest,
    Opt::ImportMode,
    Opt::Plugin,
    Opt::NoHeader,
    Opt::NoSummary,
    Opt::NoFoldSkipped,
    Opt::ForceShortSummary,
    Opt::StrictMarkers,
    Opt::Strict,
    Opt::StrictConfig,
    Opt::Color,
    Opt::CodeHighlight,
    Opt::ShowCapture,
    Opt::Assert,
    Opt::Engine,
    Opt::NoFastestCache,
    Opt::NoProgressBar,
    Opt::CollectInVirtualenv,
    Opt::ContinueOnCollectionErrors,
    Opt::KeepDuplicates,
    Opt::NumProcesses,
    Opt::MaxWorkerRestart,
    Opt::Dist,
    Opt::MaxProcesses,
    Opt::TestRunUid,
    Opt::MaxSchedChunk,
    Opt::LoadscopeReorder,
    Opt::NoLoadscopeReorder,
    Opt::DistLoad,
    Opt::Timeout,
    Opt::Shard,
    Opt::JsonReport,
    Opt::FastestJsonReport,
    // pytest's cacheprovider and stepwise plugins (`cacheprovider.rs`).
    Opt::LastFailed,
    Opt::FailedFirst,
    Opt::NewFirst,
    Opt::CacheClear,
    Opt::LastFailedNoFailures,
    Opt::StepWise,
    Opt::StepWiseSkip,
    Opt::StepWiseReset,
    Opt::Durations,
    Opt::DurationsMin,
    // pytest-randomly's (the order is `randomly.rs`'s; the pytest engine reseeds).
    Opt::RandomlySeed,
    Opt::RandomlyDontResetSeed,
    Opt::RandomlyDontReorganize,
    // pytest's junitxml plugin (`fastest_report::junit`).
    Opt::JunitXml,
    Opt::JunitPrefix,
    // pytest's doctest plugin (items run by the engine with `_pytest.doctest`'s runner).
    Opt::DoctestModules,
    Opt::DoctestGlob,
    Opt::DoctestReport,
    Opt::DoctestContinueOnFailure,
    // A doctest module that fails to import is skipped: pytest's collection (the
    // import fallback, or a worker's failed import sending the session back to it)
    // makes the skip report.
    Opt::DoctestIgnoreImportErrors,
    // pytest's logging plugin: the level and format of the captured log sections (the
    // engine reads each before its ini key, as `get_option_ini` does).
    Opt::LogLevel,
    Opt::LogFormat,
    Opt::LogDateFormat,
    // pytest-cov's (`cov.rs`; `run_blocker` leaves the `--no-cov` warning to pytest).
    Opt::Cov,
    Opt::CovReset,
    Opt::CovReport,
    Opt::CovConfig,
    Opt::NoCovOnFail,
    Opt::NoCov,
    Opt::CovFailUnder,
    Opt::CovAppend,
    Opt::CovBranch,
    Opt::CovPrecision,
    Opt::CovContext,
];

/// `--engine native`, or `FASTEST_ENGINE=native` when `--engine` is not given.
fn native_only(args: &Args) -> bool {
    match args.engine.as_deref() {
        Some(e) => e == "native",
        None => std::env::var("FASTEST_ENGINE").is_ok_and(|v| v == "native"),
    }
}

/// Hand a run to pytest, or refuse to when only the native engine may run it. Under
/// `-v` the user is told why (as for a module the pytest engine runs).
pub fn delegate_run(
    err: &mut dyn Write,
    native_only: bool,
    verbose: bool,
    why: &str,
    argv: Vec<String>,
) -> Prepared {
    if native_only {
        let _ = writeln!(err, "fastest: cannot run natively: {why}");
        return Prepared::Exit(exit::INTERNAL_ERROR);
    }
    // The oracle tests' switch: fail instead of handing the session to pytest (either
    // engine may run it).
    if std::env::var_os("FASTEST_NO_DELEGATE").is_some_and(|v| !v.is_empty() && v != "0") {
        let _ = writeln!(err, "fastest: pytest would run this session: {why}");
        return Prepared::Exit(exit::INTERNAL_ERROR);
    }
    tracing::info!("pytest runs this session: {why}");
    if verbose {
        let _ = writeln!(err, "fastest: pytest runs this session: {why}");
    }
    Prepared::Delegate(argv)
}

/// Whether `-p no:warnings` blocks pytest's warnings plugin, which registers the
/// `filterwarnings` mark (and applies it).
pub(crate) fn warnings_blocked(args: &Args) -> bool {
    args.plugins.iter().any(|p| p.trim() == "no:warnings")
}

/// Whether installed plugins load (no `PYTEST_DISABLE_PLUGIN_AUTOLOAD`, no
/// `--disable-plugin-autoload`).
pub(crate) fn plugin_autoload(args: &Args) -> bool {
    std::env::var_os("PYTEST_DISABLE_PLUGIN_AUTOLOAD").is_none()
        && !args.has(Opt::DisablePluginAutoload)
}

/// Installed plugins whose run-time features fastest provides itself: pytest-xdist
/// (`-n`, its report forms and environment, the `worker_id` and `testrun_uid` fixtures).
/// Its other options are unknown to fastest's parser and still hand the run to pytest.
pub(crate) const SERVED_PLUGINS: &[&str] = &["pytest-xdist"];

/// Installed plugins the pytest engine runs in the workers with pytest's results (each
/// has an oracle test in `python/tests/test_oracle_plugins.py`): they act inside the
/// runtest protocol and print nothing the coordinator's reporter would have to draw.
/// Any other installed plugin hands the session to pytest.
pub(crate) const PYTEST_ENGINE_PLUGINS: &[&str] = &[
    "pytest-mock",
    "pytest-asyncio",
    "hypothesis",
    "pytest-timeout",
    // The order is fastest's (`randomly.rs`, the plugin's rule); the workers' plugin
    // reseeds `random` and friends around each test with the coordinator's seed.
    "pytest-randomly",
    // Only while it measures nothing: `--cov` (see `run_blocker`) hands the session to
    // pytest, whose report combines what every process measured.
    "pytest-cov",
    // Only while it is disabled (no `--codspeed`, an option fastest does not know, and
    // no `CODSPEED_ENV`): then its hooks do nothing but add its marks and header line,
    // and its `benchmark` fixture calls the function once.
    "pytest-codspeed",
    // Only while it is disabled (`logfire_enabled`): its hooks then return at once.
    "logfire-sdk",
    // Only while no test of the session names it ([`WORD_GATED_PLUGINS`]) and none of
    // its options is given: its hooks then act on nothing.
    "pytest-benchmark",
];

/// Installed plugins the native engine stands in for while they are configured to do
/// nothing at run time beyond what it serves:
/// - pytest-mock: its fixtures (`mocker` and the scoped ones) and its `pytest_configure`
///   (the wrapped `assert_called_*` methods) come from the plugin's own module, which
///   the native engine loads (`NATIVE_PLUGIN_MODULES`);
/// - pytest-cov without `--cov`: it measures nothing (its `cov`/`no_cover` fixtures are
///   `run.rs`'s business: an item using one runs in the pytest engine);
/// - pytest-timeout: its module is loaded, its timer armed around each test
///   ([`timeout_stands_in`]);
/// - pytest-env: its module is loaded and its `pytest_load_initial_conftests` sets the
///   worker's environment (its `env` ini lines, `[tool.pytest_env]`, `.env` files)
///   before any conftest is imported; not with its options on the command line
///   (`--envfile`, `--pytest-env-verbose`, which adds header lines).
/// - pytest-rerunfailures while it reruns nothing (no `--reruns`, `reruns` ini or
///   `flaky` mark: `run.rs` hands a session with one to pytest).
/// - hypothesis: its plugin module is loaded (its `pytest_configure`, header line,
///   `pytest_runtest_call` wrapper with the fixture health check, and the `hypothesis`
///   mark its collection hook adds), unless the session needs what the engine does
///   not serve of it ([`hypothesis_stands_in`]).
/// - pytest-randomly: the seed, the order and the header line are `randomly.rs`'s; the
///   native engine reseeds `random` (and numpy, Faker, ...) with the plugin's own
///   `_reseed` where its hooks do (session start, before each phase) and registers its
///   `faker_seed` fixture.
/// - pytest-codspeed while it is disabled (no `--codspeed` option, no `CODSPEED_ENV`):
///   its module is loaded (its options, marks, header line, the registered plugin
///   object its `benchmark` fixture reads, which then calls the function once); its
///   hooks do nothing while it is disabled and are not called.
/// - logfire's pytest plugin while it is disabled ([`logfire_enabled`]): its modules
///   are loaded (the `capfire` and `logfire_pytest` fixtures, its options and ini keys,
///   a `pytest_configure` that returns at once); its hooks return at once while it is
///   disabled and are not called.
/// - pytest-benchmark while no test file or conftest of the session names `benchmark`
///   ([`WORD_GATED_PLUGINS`]) and none of its options is given: its module is loaded
///   (its options, mark, header line and the session object its `pytest_configure`
///   registers); its hooks act only on benchmarks (the `benchmark` fixture or mark,
///   the table of their timings) and are not called.
pub(crate) const NATIVE_PLUGINS: &[&str] = &[
    "pytest-env",
    "pytest-mock",
    "pytest-cov",
    "pytest-timeout",
    "pytest-rerunfailures",
    "hypothesis",
    "pytest-randomly",
    "pytest-codspeed",
    "logfire-sdk",
    "pytest-benchmark",
];

/// Installed plugins the native engine loads in full ([`NATIVE_PLUGINS`]) whose hooks
/// act only on tests that name them, with the word such a test or conftest cannot do
/// without: a session whose test file or conftest mentions it is pytest's
/// ([`idle_plugin_used`]).
const WORD_GATED_PLUGINS: &[(&str, &str)] = &[("pytest-benchmark", "benchmark")];

/// Installed plugins whose hooks act only on tests that name them, and the word such a
/// test or conftest cannot do without. Unless switched on for every test
/// ([`idle_plugin_active`]), such a plugin keeps the native engine and fastest's
/// collection, which load its module's fixtures and nothing else; a test file or
/// conftest of the session that mentions the word hands the session to pytest
/// ([`idle_plugin_used`]). anyio's plugin runs the coroutine tests marked `anyio` (or
/// all of them in its auto mode) and the async fixtures of tests that request
/// `anyio_backend`: it has no word here, the modules that name it are collected by
/// import and run by the pytest engine ([`COLLECTING_PLUGINS`]); its module gives the
/// native engine `free_tcp_port` and the like.
/// pytest-freezer's `pytest_collection_modifyitems` gives its `freezer` fixture to the
/// items marked `freeze_time`; a test that requests `freezer` itself needs only the
/// fixture (its distribution is named `pytest_freezer`). Some act on no test at all
/// unless switched on ([`idle_plugin_active`]), and have no word (`""`):
/// pytest-github-actions-annotate-failures without `GITHUB_ACTIONS=true`; pytest-instafail,
/// pytest-split and pytest-custom-exit-code without their options ([`SWITCHING_OPTIONS`],
/// which fastest does not know: given, pytest runs the session); so do the linters'
/// collectors pytest-ruff, pytest-mypy, pytest-isort and pytest-pylint. pytest-repeat,
/// pytest-order and pytest-forked act only on tests marked `repeat`, `order` and
/// `forked`. `(project, module,
/// word)`; a word `mark:NAME` is a mark's name, which a file names as `mark.NAME` (the
/// decorator, `pytestmark`, an alias of it) or as a string (`add_marker("NAME")`):
/// `order` or `repeat` alone occur in many a test that has no such mark.
pub(crate) const IDLE_PLUGINS: &[(&str, &str, &str)] = &[
    ("anyio", "anyio.pytest_plugin", ""),
    ("pytest_freezer", "pytest_freezer", "mark:freeze_time"),
    ("pytest-freezer", "pytest_freezer", "mark:freeze_time"),
    (
        "pytest-github-actions-annotate-failures",
        "pytest_github_actions_annotate_failures.plugin",
        "",
    ),
    ("pytest-instafail", "pytest_instafail", ""),
    ("pytest-split", "pytest_split.plugin", ""),
    ("pytest-custom-exit-code", "pytest_custom_exit_code", ""),
    // Its `pytest_generate_tests` repeats only tests marked `repeat` (or all with
    // `--count`, an option fastest does not know).
    ("pytest-repeat", "pytest_repeat", "mark:repeat"),
    // Its collection hook moves only tests marked `order` (options that choose other
    // marks or orders are unknown to fastest).
    ("pytest-order", "pytest_order.plugin", "mark:order"),
    // Its `pytest_runtest_protocol` forks only for tests marked `forked` (or all with
    // `--forked`).
    ("pytest-forked", "pytest_forked", "mark:forked"),
    // Its hooks act on `lf(...)` values, which only modules naming the package (or
    // below a conftest that does) can hold: [`COLLECTING_PLUGINS`].
    ("pytest-lazy-fixtures", "pytest_lazy_fixtures.plugin", ""),
    // Its hooks act on tests marked `trio` (every coroutine test in its `trio_mode`),
    // which only modules naming trio can mark: [`COLLECTING_PLUGINS`]. Its module
    // gives the native engine `mock_clock` and the like.
    ("pytest-trio", "pytest_trio.plugin", ""),
    // Its `pytest_collection_modifyitems` gives its `time_machine` fixture to the items
    // marked `time_machine`, which only modules naming it can mark:
    // [`COLLECTING_PLUGINS`]. Its module gives the native engine the fixture.
    ("time-machine", "time_machine", ""),
    // Linters' collectors: their `pytest_collect_file` makes items (a file's check)
    // only with their options. No fixtures: no module for the engine to load (`""`).
    ("pytest-ruff", "", ""),
    ("pytest-mypy", "", ""),
    ("pytest-isort", "", ""),
    // Its `pytest_configure` registers its `pylint` marker (`PLUGIN_MARKERS`), and its
    // collector only with `--pylint`.
    ("pytest-pylint", "", ""),
];

/// The options that switch on a plugin [`idle_plugin_active`] knows by its options
/// (unknown to fastest: given, the session is pytest's anyway).
const SWITCHING_OPTIONS: &[(&str, &[&str])] = &[
    ("pytest-instafail", &["--instafail"]),
    ("pytest-repeat", &["--count", "--repeat-scope"]),
    ("pytest-forked", &["--forked"]),
    (
        "pytest-order",
        &[
            "--indulgent-ordering",
            "--order-scope",
            "--order-group-scope",
            "--sparse-ordering",
            "--order-dependencies",
            "--order-marker-prefix",
            "--error-on-failed-ordering",
            "--fail-all-on-failed-ordering",
            "--order-after-ff",
        ],
    ),
    (
        "pytest-split",
        &[
            "--splits",
            "--group",
            "--store-durations",
            "--durations-path",
            "--splitting-algorithm",
            "--clean-durations",
        ],
    ),
    (
        "pytest-custom-exit-code",
        &[
            "--suppress-no-test-exit-code",
            "--suppress-tests-failed-exit-code",
        ],
    ),
    // (Options are matched by prefix: each of theirs counts.)
    ("pytest-ruff", &["--ruff"]),
    ("pytest-mypy", &["--mypy"]),
    ("pytest-isort", &["--isort"]),
    ("pytest-pylint", &["--pylint"]),
];

/// Whether the installed idle plugin `project` is switched on for every test of the
/// session (anyio's auto mode, by its ini key or its option).
fn idle_plugin_active(project: &str, args: &Args, config: &Config) -> bool {
    match project {
        "anyio" => {
            config.get_str("anyio_mode").is_some()
                || args.plugin_options().any(|a| a.starts_with("--anyio-mode"))
        }
        // No option or ini key of its own: only its marker switches it on.
        "pytest_freezer" | "pytest-freezer" => false,
        // Only its `lf(...)` values (its `--deadfixtures` hook is pytest-deadfixtures',
        // another plugin, which hands the session to pytest).
        "pytest-lazy-fixtures" => false,
        // Only its marker, which modules name.
        "time-machine" => false,
        // Its trio mode makes every coroutine test its own, in modules that need not
        // name trio.
        "pytest-trio" => config
            .get_bool("trio_mode")
            .map_or(true, |mode| mode.unwrap_or(false)),
        // It prints workflow commands only inside a GitHub Actions job.
        "pytest-github-actions-annotate-failures" => {
            std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
        }
        // Only their options (unknown here: given, pytest runs the session anyway).
        "pytest-instafail"
        | "pytest-split"
        | "pytest-custom-exit-code"
        | "pytest-repeat"
        | "pytest-forked"
        | "pytest-order"
        | "pytest-ruff"
        | "pytest-mypy"
        | "pytest-isort"
        | "pytest-pylint" => SWITCHING_OPTIONS
            .iter()
            .filter(|(p, _)| *p == project)
            .flat_map(|(_, options)| options.iter())
            .any(|o| args.plugin_options().any(|a| a.starts_with(o))),
        _ => true,
    }
}

/// Installed plugins whose collection hooks act on the modules that name a word (or
/// lie below a conftest that does), with the word: anyio's `pytest_pycollect_makeitem`
/// gives a coroutine test marked `anyio` its module-scoped `anyio_backend` fixture,
/// parametrized by the async backends installed (`[asyncio]`, `[trio]`), and its
/// `pytest_fixture_setup` and `pytest_pyfunc_call` run such tests and their async
/// fixtures. Discovery leaves those modules to the import fallback, whose items with
/// `anyio_backend` in their closure the pytest engine runs; the rest of the session
/// stays native. (In its auto mode every coroutine test is its: the session is
/// pytest's, [`idle_plugin_active`].) pytest-lazy-fixtures' `pytest_generate_tests`
/// and `pytest_fixture_setup` resolve its `lf(...)` values (parameters of tests and
/// fixtures), which only the modules naming `pytest_lazy_fixtures` hold; the import
/// fallback gives their items no run spec. pytest-trio's `pytest_runtest_call` and
/// `pytest_fixture_setup` run the tests marked `trio` and their async fixtures (the
/// import fallback gives such items no run spec). time-machine's
/// `pytest_collection_modifyitems` puts its `time_machine` fixture first in the closure
/// of the items marked `time_machine` (the import fallback gives them no run spec: the
/// pytest engine's collection calls the hook). `(project, word)`.
const COLLECTING_PLUGINS: &[(&str, &str)] = &[
    ("anyio", "anyio"),
    ("pytest-lazy-fixtures", "pytest_lazy_fixtures"),
    ("pytest-trio", "trio"),
    ("time-machine", "time_machine"),
];

/// The `(plugin, word)` pairs of [`COLLECTING_PLUGINS`] installed and loading this
/// session, for discovery's certainty check.
pub(crate) fn collection_plugin_words(
    args: &Args,
    config: &Config,
    host: &Host,
) -> Vec<(String, String)> {
    if !plugin_autoload(args) {
        return Vec::new();
    }
    let installed = host.pytest11_plugins();
    COLLECTING_PLUGINS
        .iter()
        .filter(|(p, _)| installed.iter().any(|(name, _)| name == p))
        .filter(|(p, _)| idle_this_session(p, args, config))
        .map(|(p, w)| ((*p).to_string(), (*w).to_string()))
        .collect()
}

fn is_idle_plugin(project: &str) -> bool {
    IDLE_PLUGINS.iter().any(|(p, _, _)| *p == project)
}

/// An idle plugin ([`IDLE_PLUGINS`]) that stays idle this session, as far as the
/// command line and the configuration tell.
fn idle_this_session(project: &str, args: &Args, config: &Config) -> bool {
    is_idle_plugin(project) && !idle_plugin_active(project, args, config)
}

/// Whether a session with benchmarks stays fastest's: pytest-benchmark's table is of
/// the timings one process kept, so only without `-n` (the modules that name
/// `benchmark` then run in the worker's pytest engine, `run::WordScan`).
pub(crate) fn benchmarks_in_session(args: &Args) -> bool {
    args.numprocesses.is_none()
}

/// Why the session needs an installed idle plugin ([`IDLE_PLUGINS`]) or a word-gated
/// one ([`WORD_GATED_PLUGINS`]) after all: the first of `files` (test files and
/// conftests) that mentions its word. (pytest-benchmark's word does not when
/// [`benchmarks_in_session`].)
pub(crate) fn idle_plugin_used<'p>(
    args: &Args,
    host: &Host,
    files: impl Iterator<Item = &'p Path>,
) -> Option<String> {
    if !plugin_autoload(args) {
        return None;
    }
    let installed = host.pytest11_plugins();
    let words: Vec<(&str, &[u8])> = IDLE_PLUGINS
        .iter()
        .map(|(p, _, w)| (*p, *w))
        .chain(
            WORD_GATED_PLUGINS
                .iter()
                .copied()
                .filter(|(p, _)| *p != "pytest-benchmark" || !benchmarks_in_session(args)),
        )
        .filter(|(p, w)| !w.is_empty() && installed.iter().any(|(name, _)| name == p))
        .map(|(p, w)| (p, w.as_bytes()))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    for file in files.filter(|f| seen.insert(*f)) {
        // Unreadable here, unreadable for pytest too: its collection reports that.
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        if let Some((project, _)) = words.iter().find(|(_, w)| names_word(&bytes, w)) {
            return Some(format!(
                "installed pytest plugin {project} ({} names it)",
                file.display()
            ));
        }
    }
    None
}

/// Whether `source` names `word` (see [`IDLE_PLUGINS`] for a `mark:` word).
fn names_word(source: &[u8], word: &[u8]) -> bool {
    let contains = |needle: &[u8]| source.windows(needle.len()).any(|w| w == needle);
    match word.strip_prefix(b"mark:") {
        Some(mark) => [&b"mark."[..], b"\"", b"'"].iter().any(|before| {
            let mut needle = before.to_vec();
            needle.extend_from_slice(mark);
            if *before != b"mark." {
                needle.extend_from_slice(before);
            }
            contains(&needle)
        }),
        None => contains(word),
    }
}

/// pytest-benchmark's options that change only how a benchmark measures or how its
/// table looks: what the worker's pytest engine does with them is all there is (the
/// others select tests in its collection hook, or write and compare files, and leave
/// the session to pytest). pydantic's addopts name several.
const BENCHMARK_DISPLAY_OPTIONS: &[&str] = &[
    "--benchmark-min-time",
    "--benchmark-max-time",
    "--benchmark-min-rounds",
    "--benchmark-timer",
    "--benchmark-calibration-precision",
    "--benchmark-warmup",
    "--benchmark-warmup-iterations",
    "--benchmark-disable-gc",
    "--benchmark-disable",
    "--benchmark-enable",
    "--benchmark-sort",
    "--benchmark-group-by",
    "--benchmark-columns",
    "--benchmark-name",
    "--benchmark-time-unit",
    "--benchmark-quiet",
];

fn benchmark_display_option(arg: &str) -> bool {
    let name = arg.split_once('=').map_or(arg, |(n, _)| n);
    BENCHMARK_DISPLAY_OPTIONS.contains(&name)
}

/// pytest-benchmark's options (its `pytest_addoption` and the helpers it hands
/// `addoption` to, which [`addoption_options`] does not follow), with argparse's arity
/// for each. Known to the parser, they keep fastest's collection: none changes which
/// items pytest collects (`--benchmark-skip`/`--benchmark-only` add skip marks). What
/// each does to the run is [`run_blocker`]'s to decide.
fn benchmark_options() -> Vec<CliOption> {
    const ONE: &[&str] = &[
        "min-time",
        "max-time",
        "min-rounds",
        "precision",
        "confidence",
        "timer",
        "calibration-precision",
        "warmup-iterations",
        "save",
        "json",
        "cprofile",
        "cprofile-loops",
        "cprofile-top",
        "sort",
        "group-by",
        "columns",
        "name",
        "time-unit",
        "storage",
    ];
    const NONE: &[&str] = &[
        "disable-gc",
        "skip",
        "disable",
        "enable",
        "only",
        "autosave",
        "save-data",
        "verbose",
        "quiet",
    ];
    const OPTIONAL: &[&str] = &[
        "warmup",
        "compare",
        "cprofile-dump",
        "histogram",
        "csv",
        "netrc",
    ];
    const AT_LEAST_ONE: &[&str] = &["compare-fail"];
    [
        (ONE, Nargs::Exact(1)),
        (NONE, Nargs::Exact(0)),
        (OPTIONAL, Nargs::Optional),
        (AT_LEAST_ONE, Nargs::AtLeast(1)),
    ]
    .iter()
    .flat_map(|(names, nargs)| {
        names.iter().map(|n| CliOption {
            names: vec![format!("--benchmark-{n}")],
            nargs: *nargs,
        })
    })
    .collect()
}

/// Installed plugins fastest serves whose options the coordinator reads off their
/// `pytest_addoption` (the module named), so that giving one keeps fastest's collection:
/// none of them changes which items pytest collects. What each option does to the run
/// is decided from its text ([`Args::plugin_options`]). (pytest-benchmark's are listed:
/// [`benchmark_options`].)
const OPTION_PLUGIN_MODULES: &[(&str, &str)] = &[("pytest-rerunfailures", "pytest_rerunfailures")];

/// pytest-rerunfailures' options that make it rerun (or count reruns).
const RERUN_OPTIONS: &[&str] = &[
    "--reruns",
    "--force-reruns",
    "--only-rerun",
    "--rerun-except",
    "--max-suite-reruns",
    "--fail-on-flaky",
];

/// The modules the native engine loads for a plugin it stands in for (its `pytest11`
/// entry point): fixtures are registered and `pytest_configure` is called.
pub(crate) const NATIVE_PLUGIN_MODULES: &[(&str, &str)] = &[
    ("pytest-mock", "pytest_mock"),
    ("hypothesis", "_hypothesis_pytestplugin"),
    ("pytest-asyncio", "pytest_asyncio.plugin"),
    ("pytest-timeout", "pytest_timeout"),
    ("pytest-env", "pytest_env.plugin"),
    ("pytest-codspeed", "pytest_codspeed.plugin"),
    ("logfire-sdk", "logfire.testing"),
    ("logfire-sdk", "logfire._internal.integrations.pytest"),
    ("pytest-benchmark", "pytest_benchmark.plugin"),
];

/// Fixtures installed plugins provide that the native engine does not.
pub(crate) const PLUGIN_FIXTURES: &[(&str, &[&str])] = &[("pytest-cov", &["cov", "no_cover"])];

/// Whether logfire's pytest plugin traces this session (its `_is_enabled`): `--logfire`
/// (any of its options, which fastest does not know, counts), the `logfire` ini key,
/// or a CI environment with a `LOGFIRE_TOKEN`.
fn logfire_enabled(args: &Args, config: &Config) -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| matches!(v.to_lowercase().as_str(), "true" | "1"));
    args.plugin_options()
        .any(|a| a.starts_with("--logfire") || a.starts_with("--no-logfire"))
        || config.get_bool("logfire").ok().flatten().unwrap_or(false)
        || (ci && std::env::var_os("LOGFIRE_TOKEN").is_some_and(|t| !t.is_empty()))
}

/// Whether the native engine can stand in for the installed plugin `name` this session.
fn native_stands_in(name: &str, args: &Args, config: &Config, host: &Host) -> bool {
    if name == "pytest-asyncio" {
        return asyncio_stands_in(args, config, host);
    }
    NATIVE_PLUGINS.contains(&name)
        && (name != "pytest-timeout" || timeout_stands_in(args, config))
        && (name != "pytest-env"
            || !args
                .plugin_options()
                .any(|a| a.starts_with("--envfile") || a.starts_with("--pytest-env-verbose")))
        && (name != "hypothesis" || hypothesis_stands_in(args, config, host))
        // Both add header lines, in the order their entry points load: the pytest
        // engine's pytest words that.
        && (name != "pytest-randomly"
            || !(host.pytest11_plugins().iter().any(|(n, _)| n == "hypothesis")
                && hypothesis_stands_in(args, config, host)))
}

/// Whether the native engine serves pytest-timeout this session: its module is loaded
/// (`NATIVE_PLUGIN_MODULES`), and the engine drives its `pytest_runtest_protocol` and
/// `pytest_runtest_call` wrappers, which arm and cancel its timer around each test with
/// the limit of `--timeout`, `PYTEST_TIMEOUT`, the `timeout` ini key or a `timeout`
/// mark. Not with a session limit (`--session-timeout`, the `session_timeout` key),
/// which stops pytest's session loop, or its other options on the command line, which
/// only pytest's parser reads.
fn timeout_stands_in(args: &Args, config: &Config) -> bool {
    config
        .get_str("session_timeout")
        .is_none_or(|v| v.trim().is_empty())
        && !args.plugin_options().any(|a| {
            a.starts_with("--session-timeout")
                || a.starts_with("--timeout-")
                || a.starts_with("--timeout_")
        })
}

/// Whether pytest-timeout has a session-wide limit (its option, `PYTEST_TIMEOUT` or its
/// ini key): its header lines say so.
pub(crate) fn timeout_configured(args: &Args, config: &Config) -> bool {
    args.timeout.is_some()
        || std::env::var_os("PYTEST_TIMEOUT").is_some()
        || config
            .get_str("timeout")
            .is_some_and(|v| !v.trim().is_empty())
}

/// Whether pytest-asyncio acts only on what names it this session: in its strict mode
/// (the default) it runs the coroutine tests marked `asyncio` and the fixtures
/// `pytest_asyncio.fixture` made, so a module whose source (or a conftest above it)
/// never says `asyncio` is untouched by it; in its auto mode it runs every coroutine
/// test and fixture, so one that never says `async` is. The native engine runs such
/// modules with the plugin's module loaded (its fixtures, `pytest_configure`, header
/// line), and the pytest engine the others (`run::module_blockers`). Any of its options
/// on the command line leaves the session to the pytest engine; so do its versions
/// before 1.0, whose `event_loop` fixture its own `pytest_fixture_setup` prepares for
/// any test.
fn asyncio_stands_in(args: &Args, config: &Config, host: &Host) -> bool {
    let major = host
        .pytest11_plugins()
        .into_iter()
        .find(|(name, _)| name == "pytest-asyncio")
        .and_then(|(_, v)| v.split('.').next().and_then(|m| m.parse::<u32>().ok()));
    major.is_some_and(|m| m >= 1)
        && !args.plugin_options().any(|a| a.starts_with("--asyncio-"))
        && asyncio_mode(config).is_some()
}

/// Why `-k`/`-m` needs pytest's collection, if it does: an installed plugin marks items
/// while pytest collects them, which no source shows (pytest-asyncio's auto mode gives
/// every coroutine test its `asyncio` mark, hypothesis's hook gives `@given` tests its
/// `hypothesis` mark), and the expression names that mark.
pub(crate) fn selection_names_plugin_marks(
    args: &Args,
    config: &Config,
    host: &Host,
) -> Option<String> {
    if !plugin_autoload(args) {
        return None;
    }
    let installed = host.pytest11_plugins();
    let has = |p: &str| installed.iter().any(|(name, _)| name == p);
    let marks: &[(&str, &str, bool)] = &[
        (
            "pytest-asyncio",
            "asyncio",
            asyncio_mode(config) == Some(true),
        ),
        ("hypothesis", "hypothesis", true),
    ];
    let exprs = [args.keyword.as_deref(), args.markexpr.as_deref()];
    marks
        .iter()
        .filter(|(project, _, on)| *on && has(project))
        .find(|(_, mark, _)| exprs.iter().flatten().any(|e| e.contains(mark)))
        .map(|(project, mark, _)| {
            format!("-k/-m names {mark}, which {project} marks at collection")
        })
}

/// pytest-asyncio's mode from the ini (`-o` included): `Some(false)` strict (the
/// default), `Some(true)` auto, `None` another value (its own error to give).
pub(crate) fn asyncio_mode(config: &Config) -> Option<bool> {
    match config.get_str("asyncio_mode").as_deref().map(str::trim) {
        None | Some("strict") => Some(false),
        Some("auto") => Some(true),
        Some(_) => None,
    }
}

/// Whether the native engine serves all hypothesis's plugin does this session (with
/// `--junitxml`, each test's statistics become a property of the test suite, as its
/// report hook records them). Not:
/// - with libcst installed: a failing test's examples become a patch file, which its
///   terminal summary names;
/// - when `-k` or `-m` names `hypothesis`: its collection hook marks its tests, which
///   only an import shows;
/// - when `norecursedirs` lets pytest into an existing `.hypothesis` directory: its
///   `pytest_ignore_collect` warns.
fn hypothesis_stands_in(args: &Args, config: &Config, host: &Host) -> bool {
    let named = |e: &Option<String>| e.as_deref().is_some_and(|e| e.contains("hypothesis"));
    let enters_database = config.get_args("norecursedirs").is_some_and(|patterns| {
        !patterns
            .iter()
            .any(|p| fastest_core::glob::fnmatch(p, ".hypothesis"))
            && [&host.cwd, &config.rootdir]
                .iter()
                .any(|d| d.join(".hypothesis").is_dir())
    });
    host.dist_version("libcst").is_none()
        && !named(&args.keyword)
        && !named(&args.markexpr)
        && !enters_database
}

/// The ini keys installed plugins register (`parser.addini`), for the plugins fastest
/// knows: with the plugin loaded, pytest does not warn about them.
const PLUGIN_INI_KEYS: &[(&str, &[&str])] = &[
    ("anyio", &["anyio_mode"]),
    (
        "logfire-sdk",
        &["logfire", "logfire_service_name", "logfire_trace_phases"],
    ),
    (
        "pytest-asyncio",
        &[
            "asyncio_mode",
            "asyncio_debug",
            "asyncio_default_fixture_loop_scope",
            "asyncio_default_test_loop_scope",
        ],
    ),
    (
        "pytest-mock",
        &["mock_traceback_monkeypatch", "mock_use_standalone_module"],
    ),
    ("pytest-env", &["env", "env_files", "env_files_skip_if_set"]),
    ("pytest-isort", &["isort_ignore"]),
    (
        "pytest-timeout",
        &[
            "timeout",
            "timeout_method",
            "timeout_func_only",
            "timeout_disable_debugger_detection",
            "session_timeout",
        ],
    ),
    (
        "pytest-xdist",
        &["rsyncdirs", "rsyncignore", "looponfailroots"],
    ),
    (
        "pytest-rerunfailures",
        &[
            "reruns",
            "reruns_delay",
            "reruns_delay_backoff_factor",
            "only_rerun",
            "rerun_except",
        ],
    ),
];

/// Installed plugins known to add lines to the session header (`pytest_report_header`)
/// whatever the options: a `--collect-only` that prints the header is theirs to word.
/// (pytest-randomly's seed line fastest draws itself: `randomly.rs`.)
const HEADER_PLUGINS: &[&str] = &[
    "pytest-asyncio",
    "pytest-django",
    "pytest-benchmark",
    "pytest-codspeed",
];

/// The marks installed plugins register (`config.addinivalue_line("markers", ...)` in
/// their `pytest_configure`), for the plugins fastest knows, as ini `markers` lines.
const PLUGIN_MARKERS: &[(&str, &[&str])] = &[
    ("pytest-pylint", &["pylint: Tests which run pylint."]),
    (
        "anyio",
        &["anyio: mark the (coroutine function) test to be run asynchronously via anyio."],
    ),
    (
        "pytest-asyncio",
        &["asyncio: run the test in an asyncio event loop"],
    ),
    (
        "pytest-timeout",
        &["timeout(timeout, method=None, func_only=False): time limit"],
    ),
    ("hypothesis", &["hypothesis: Tests which use hypothesis."]),
    (
        "pytest-trio",
        &["trio: mark the test as an async trio test; it will be run using trio.run"],
    ),
    (
        "time-machine",
        &["time_machine(...): set the time with time-machine"],
    ),
    (
        "pytest-codspeed",
        &[
            "codspeed_benchmark: mark an entire test for codspeed benchmarking",
            "benchmark: mark an entire test for codspeed benchmarking",
        ],
    ),
    ("pytest-cov", &["no_cover: disable coverage for this test."]),
    (
        "pytest-benchmark",
        &["benchmark: mark a test with custom benchmark settings."],
    ),
    (
        "pytest-rerunfailures",
        &["flaky(reruns=1, reruns_delay=0, reruns_delay_backoff_factor=1.0): mark test to re-run up to 'reruns' times. Add a delay of 'reruns_delay' seconds between re-runs, multiplied by 'reruns_delay_backoff_factor' after each attempt for an exponential backoff."],
    ),
];

/// The `markers` lines of the installed plugins fastest knows (none when plugins do not
/// load).
pub(crate) fn plugin_markers(args: &Args, host: &Host) -> Vec<String> {
    // `-p pytester`: its `pytest_configure` registers its marker.
    let pytester = args
        .plugins
        .iter()
        .any(|p| p.trim() == "pytester")
        .then(|| PYTESTER_MARKER_LINE.to_string());
    if !plugin_autoload(args) {
        return pytester.into_iter().collect();
    }
    let installed = host.pytest11_plugins();
    let mut markers: Vec<String> = PLUGIN_MARKERS
        .iter()
        .filter(|(plugin, _)| installed.iter().any(|(name, _)| name == plugin))
        .flat_map(|(_, marks)| marks.iter().map(|m| (*m).to_string()))
        .collect();
    for p in fixture_plugins(host).iter().chain(&worker_plugins(host)) {
        markers.extend(p.markers.iter().cloned());
    }
    markers.extend(pytester);
    markers
}

/// The `markers` line pytester's `pytest_configure` adds.
const PYTESTER_MARKER_LINE: &str = "pytester_example_path(*path_segments): join the given path segments to `pytester_example_dir` for this test.";

/// The installed plugins fastest does not know whose modules provide nothing but
/// fixtures, options, ini keys and what their `pytest_configure` sets up: the native
/// engine loads those modules and stands in for them (see `parse::quiet_plugin`). Read
/// once per invocation.
pub(crate) fn fixture_plugins(host: &Host) -> Vec<FixturePlugin> {
    host.fixture_plugins
        .get_or_init(|| {
            unknown_plugins_that(host, fastest_core::discovery::parse::quiet_plugin, &[])
        })
        .clone()
}

/// The `@pytest.fixture` definitions of the installed plugins whose modules the engines
/// load as they are ([`fixture_plugins`], [`worker_plugins`]), for discovery's closures
/// (`Certainty::plugin_fixtures`): pytest looks a fixture up there below every conftest.
pub(crate) fn plugin_fixture_defs(
    args: &Args,
    host: &Host,
) -> Vec<fastest_core::discovery::parse::Fixture> {
    if !plugin_autoload(args) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for plugin in fixture_plugins(host)
        .iter()
        .chain(worker_plugins(host).iter())
    {
        for module in &plugin.modules {
            let Some(source) = host.module_file(module).and_then(|f| std::fs::read(f).ok()) else {
                continue;
            };
            out.extend(fastest_core::discovery::parse::parse_outline(&source, false).fixtures);
        }
    }
    out
}

/// The installed plugins fastest does not know, not [`fixture_plugins`], whose modules
/// can run as they are in the workers' pytest engine while fastest collects, schedules
/// and reports (see `parse::worker_plugin`): pytest-socket, pytest-icdiff,
/// pytest-httpserver. A session with one runs in the pytest engine. Read once per
/// invocation.
pub(crate) fn worker_plugins(host: &Host) -> Vec<FixturePlugin> {
    host.worker_plugins
        .get_or_init(|| {
            let quiet = fixture_plugins(host);
            let quiet: Vec<&str> = quiet.iter().map(|p| p.project.as_str()).collect();
            unknown_plugins_that(host, fastest_core::discovery::parse::worker_plugin, &quiet)
        })
        .clone()
}

/// The installed plugins fastest does not know (but those in `skip`) each of whose
/// entry point modules passes `check`, with what the modules register.
fn unknown_plugins_that(
    host: &Host,
    check: fn(&[u8]) -> Result<fastest_core::discovery::parse::QuietPlugin, String>,
    skip: &[&str],
) -> Vec<FixturePlugin> {
    host.pytest11_plugins()
        .into_iter()
        .filter(|(name, _)| {
            let n = name.as_str();
            !SERVED_PLUGINS.contains(&n)
                && !PYTEST_ENGINE_PLUGINS.contains(&n)
                && !NATIVE_PLUGINS.contains(&n)
                && !is_idle_plugin(n)
                && !skip.contains(&n)
        })
        .filter_map(|(project, _)| {
            let modules = host.plugin_targets(&project);
            let mut markers = Vec::new();
            let mut header = false;
            let mut ini_keys = Some(Vec::new());
            for module in &modules {
                // `module:attr` registers an object pytest finds hooks on.
                if module.contains(':') {
                    return None;
                }
                let source = std::fs::read(host.module_file(module)?).ok()?;
                match check(&source) {
                    Ok(found) => {
                        header |= found.header;
                        markers.extend(found.markers);
                        ini_keys = ini_keys.zip(found.ini_keys).map(|(mut a, b)| {
                            a.extend(b);
                            a
                        });
                    }
                    Err(why) => {
                        tracing::debug!("plugin {project} ({module}): {why}");
                        return None;
                    }
                }
            }
            (!modules.is_empty()).then_some(FixturePlugin {
                project,
                modules,
                markers,
                ini_keys,
                header,
            })
        })
        .collect()
}

/// Whether fastest knows what this version of a plugin it serves does: pytest-randomly
/// before 3.10 shuffles with `random.shuffle`, an order only its own session computes.
fn served_version(name: &str, version: &str) -> bool {
    name != crate::randomly::PROJECT || crate::randomly::KeyHash::of_version(version).is_some()
}

/// Whether pytest-asyncio's `pytest_configure` neither warns nor fails on its loop
/// scope ini keys: the fixture loop scope set to a scope (or `fixture-scope`), the test
/// loop scope unset or a scope.
fn asyncio_configures_quietly(config: &Config) -> bool {
    const SCOPES: &[&str] = &["function", "class", "module", "package", "session"];
    let fixture = config.get_str("asyncio_default_fixture_loop_scope");
    let test = config.get_str("asyncio_default_test_loop_scope");
    fixture.is_some_and(|f| f == "fixture-scope" || SCOPES.contains(&f.as_str()))
        && test.is_none_or(|t| SCOPES.contains(&t.as_str()))
}

/// Whether an installed plugin registers the ini key `key`.
/// The ini keys every installed plugin registers, when each one's are known: a plugin
/// fastest has read (`read`: [`fixture_plugins`], [`worker_plugins`]), or one whose
/// package (the top-level package, or module, of each of its entry points) names every
/// key it registers literally (`parser.addini("name", ...)`, wherever in the package).
/// `None` when some plugin may register keys this does not see.
fn plugin_ini_keys(host: &Host, read: &[FixturePlugin]) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for (project, _) in host.pytest11_plugins() {
        if let Some(p) = read.iter().find(|p| p.project == project) {
            match &p.ini_keys {
                Some(found) => keys.extend(found.iter().cloned()),
                None => {
                    tracing::debug!("plugin {project} registers ini keys of computed names");
                    return None;
                }
            }
            continue;
        }
        for module in host.plugin_targets(&project) {
            let top = module.split([':', '.']).next().unwrap_or_default();
            let found = match host.module_file(top) {
                Some(file) if file.ends_with("__init__.py") => {
                    file.parent().and_then(|dir| package_addini_names(dir, 0))
                }
                Some(file) => std::fs::read(&file)
                    .ok()
                    .and_then(|source| fastest_core::discovery::parse::addini_names(&source)),
                None => None,
            };
            match found {
                Some(found) => keys.extend(found),
                None => {
                    tracing::debug!("plugin {project} ({module}) may register ini keys");
                    return None;
                }
            }
        }
    }
    Some(keys)
}

/// [`fastest_core::discovery::parse::addini_names`] over every `.py` file under `dir`.
fn package_addini_names(dir: &Path, depth: usize) -> Option<Vec<String>> {
    if depth > 8 {
        return None;
    }
    let mut keys = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if path.join("__init__.py").is_file() {
                keys.extend(package_addini_names(&path, depth + 1)?);
            }
        } else if path.extension().is_some_and(|e| e == "py") {
            let source = std::fs::read(&path).ok()?;
            keys.extend(fastest_core::discovery::parse::addini_names(&source)?);
        }
    }
    Some(keys)
}

fn registered_by_plugin(key: &str, installed: &[(String, String)]) -> bool {
    PLUGIN_INI_KEYS.iter().any(|(plugin, keys)| {
        keys.contains(&key) && installed.iter().any(|(name, _)| name == plugin)
    })
}

/// Before anything is collected: `Err` when pytest must run the session itself
/// (options, plugins), `Ok(Some(why))` when the workers need the pytest engine.
fn run_blocker(
    args: &Args,
    config: &Config,
    installed: &[(String, String)],
    entry_points: &[String],
    host: &Host,
) -> Result<Option<String>, String> {
    if let Some(opt) = args.given.iter().find(|o| !NATIVE_RUN_OPTIONS.contains(o)) {
        return Err(format!("option {opt:?}"));
    }
    // pytest's warnings plugin blocked: the engines record no warning (a test's go to
    // its captured stderr through Python's own `showwarning`) and the summary has none.
    // Not without capture: what pytest's collection warns then reaches the terminal,
    // among its lines.
    let captured = matches!(args.capture.as_deref(), None | Some("fd") | Some("sys"));
    // pytest's logging plugin blocked: the engines capture no log records and have no
    // `caplog` fixture; its options and ini keys are unknown to the parser and config.
    // Its pastebin plugin acts only with `--pastebin` (pytest's to run). Its legacypath
    // plugin blocked: the engines have no `tmpdir`/`tmpdir_factory` fixtures and no
    // `py.path` attributes (nox's addopts block it). (Not its faulthandler plugin: the
    // workers rely on it to tell a crash.)
    let neutral: &[&str] = if captured {
        &[
            "cacheprovider",
            "stepwise",
            "logging",
            "pastebin",
            "legacypath",
            "warnings",
        ]
    } else {
        &[
            "cacheprovider",
            "stepwise",
            "logging",
            "pastebin",
            "legacypath",
        ]
    };
    if let Some(p) = blocking_plugin(args, installed, entry_points, neutral, host) {
        return Err(p);
    }
    if std::env::var_os("PYTEST_PLUGINS").is_some_and(|v| !v.is_empty())
        && env_plugins(args, entry_points).is_none()
    {
        return Err("$PYTEST_PLUGINS".into());
    }
    // Live logs print while the tests run, between the coordinator's lines.
    if config.get_bool("log_cli").ok().flatten() == Some(true) {
        return Err("log_cli (live logs)".into());
    }
    // Per-file durations in the progress column.
    if config.get_str("console_output_style").as_deref() == Some("times") {
        return Err("console_output_style = times".into());
    }
    let autoload = plugin_autoload(args);
    let forced = match args.engine.as_deref() {
        Some(e) => e == "pytest",
        None => std::env::var("FASTEST_ENGINE").is_ok_and(|v| v == "pytest"),
    };
    let mut engine = forced.then(|| "--engine pytest".into());
    // What pytest's logging plugin does with these the native engine does not: a log
    // file written, multi-line messages indented.
    if let Some(ini) = ["log_file", "log_auto_indent"]
        .into_iter()
        .find(|k| config.get_str(k).is_some_and(|v| !v.trim().is_empty()))
    {
        engine.get_or_insert_with(|| format!("the {ini} ini"));
    }
    for (name, version) in installed
        .iter()
        .filter(|(name, _)| autoload && !SERVED_PLUGINS.contains(&name.as_str()))
    {
        if !served_version(name, version) {
            return Err(format!("installed pytest plugin {name} {version}"));
        }
        if !PYTEST_ENGINE_PLUGINS.contains(&name.as_str())
            && !NATIVE_PLUGINS.contains(&name.as_str())
        {
            if fixture_plugins(host).iter().any(|p| &p.project == name)
                || idle_this_session(name, args, config)
            {
                continue;
            }
            if worker_plugins(host).iter().any(|p| &p.project == name) {
                engine.get_or_insert_with(|| format!("installed pytest plugin {name}"));
                continue;
            }
            return Err(format!("installed pytest plugin {name}"));
        }
        // Reruns come from the plugin's own `pytest_runtest_protocol`: every module is
        // the pytest engine's (a `flaky` mark alone moves its module: `run.rs`).
        if name == "pytest-rerunfailures"
            && (config.get_str("reruns").is_some()
                || args
                    .plugin_options()
                    .any(|a| RERUN_OPTIONS.iter().any(|o| a.starts_with(o))))
        {
            // Exit code 7 for a flaky pass is set by its `pytest_sessionfinish`, and
            // the suite-wide limit is counted by one process.
            let option = |o: &str| args.plugin_options().any(|a| a.starts_with(o));
            if option("--fail-on-flaky") {
                return Err("pytest-rerunfailures' --fail-on-flaky".into());
            }
            if option("--max-suite-reruns") && args.numprocesses.is_some() {
                return Err("pytest-rerunfailures' --max-suite-reruns under -n".into());
            }
            engine.get_or_insert_with(|| "pytest-rerunfailures reruns failed tests".into());
        }
        if name == "pytest-codspeed"
            && (std::env::var_os("CODSPEED_ENV").is_some()
                || args.plugin_options().any(|a| a.starts_with("--codspeed")))
        {
            return Err("pytest-codspeed measures benchmarks".into());
        }
        // (Its `--benchmark-only` skips every other test in its collection hook.) Under
        // `-n` any of its options does, as without them a session with benchmarks does
        // (`idle_plugin_used`).
        if name == "pytest-benchmark"
            && args.plugin_options().any(|a| {
                a.starts_with("--benchmark")
                    && !(benchmark_display_option(a) && benchmarks_in_session(args))
            })
        {
            return Err("pytest-benchmark's options".into());
        }
        if name == "logfire-sdk" && logfire_enabled(args, config) {
            return Err("logfire traces the tests".into());
        }
        if name == "pytest-cov" {
            // A version fastest does not serve: its options are unknown here.
            if args.plugin_options().any(|a| a.starts_with("--cov")) {
                return Err("pytest-cov measures coverage (--cov)".into());
            }
            // The warning and heading for `--no-cov` are only pytest-cov's to give.
            if args.cov.warn_disabled && !args.cov.source.is_empty() {
                return Err("pytest-cov warns that --no-cov disables coverage".into());
            }
        }
        if native_stands_in(name, args, config, host) {
            continue;
        }
        engine.get_or_insert_with(|| format!("installed pytest plugin {name}"));
    }
    Ok(engine)
}

/// The first `-p` that changes what fastest would do: loading a plugin, or blocking a
/// core plugin not in `neutral` (blocking a plugin nobody installed changes nothing).
fn blocking_plugin(
    args: &Args,
    installed: &[(String, String)],
    entry_points: &[String],
    neutral: &[&str],
    host: &Host,
) -> Option<String> {
    args.plugins.iter().map(|p| p.trim()).find_map(|p| {
        // Blocking an installed plugin's entry point: the host leaves it out of
        // `installed`, and everything after is decided without it.
        let harmless = match p.strip_prefix("no:") {
            Some(name) => {
                neutral.contains(&name)
                    || (!core_plugin(name)
                        && (installed.is_empty() || !names_installed_code(name, host)))
                    || entry_points.iter().any(|e| e == name)
            }
            // Loading a plugin pytest loads by default (mako's `-p warnings`) changes
            // nothing; the native engine loads pytester itself. Naming an installed
            // plugin's entry point (multidict's `-p pytest_cov`) loads that entry point,
            // which autoloading loads anyway.
            None => {
                core_plugin(p)
                    || fastest_core::discovery::NATIVE_CONFTEST_PLUGINS.contains(&p)
                    || (plugin_autoload(args) && entry_points.iter().any(|e| e == p))
                    || project_plugin(args, p, entry_points)
            }
        };
        (!harmless).then(|| format!("-p {p}"))
    })
}

/// Whether `-p no:name` may block something an installed plugin registers: a module
/// its entry points load, or a package around one (plugins register helper plugins
/// under their modules' names). A name no installed plugin's code goes by (`-p
/// no:randomly` where pytest-randomly is not installed) blocks nothing.
fn names_installed_code(name: &str, host: &Host) -> bool {
    host.pytest11_modules().iter().any(|m| {
        m == name
            || m.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
            || name
                .strip_prefix(m.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
            || m.split('.').next() == name.split('.').next()
    })
}

/// Whether `-p p` loads a module fastest weighs like a conftest's `pytest_plugins`
/// (the project's own plugin module, say): pytest's collection of the session registers
/// it and reports its hooks (`Invocation::cli_plugins`).
fn project_plugin(args: &Args, p: &str, entry_points: &[String]) -> bool {
    plugin_autoload(args)
        && !p.starts_with("no:")
        && !core_plugin(p)
        && !fastest_core::discovery::NATIVE_CONFTEST_PLUGINS.contains(&p)
        && !entry_points.iter().any(|e| e == p)
        && !p.is_empty()
        && p.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_alphabetic())
                && part.chars().all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// The modules `$PYTEST_PLUGINS` names (comma-separated, as pytest's `consider_env`
/// reads it), when every one is a [`project_plugin`]; `None` otherwise (pytest runs the
/// session).
fn env_plugins(args: &Args, entry_points: &[String]) -> Option<Vec<String>> {
    let value = std::env::var("PYTEST_PLUGINS").ok()?;
    let names: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    names
        .iter()
        .all(|n| project_plugin(args, n, entry_points))
        .then_some(names)
}

/// The `-p` modules of [`project_plugin`], then `$PYTEST_PLUGINS`' (pytest registers
/// them in that order), once each.
fn cli_plugins(args: &Args, entry_points: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let env = env_plugins(args, entry_points).unwrap_or_default();
    for p in args.plugins.iter().map(|p| p.trim().to_string()).chain(env) {
        if project_plugin(args, &p, entry_points) && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Why pytest must run this `--collect-only` command line itself, if it must.
fn pytest_only(
    args: &Args,
    cli: &Parsed,
    config: &Config,
    installed: &[(String, String)],
    entry_points: &[String],
    host: &Host,
) -> Option<String> {
    if let Some(opt) = PYTEST_ONLY_OPTIONS.iter().find(|o| args.has(**o)) {
        return Some(format!("{opt:?}"));
    }
    // A plugin fastest does not know may collect more (pytest-checkdocs' item for the
    // project's metadata, a `pytest_collect_file` for other files) or change the items.
    if plugin_autoload(args) {
        if let Some((name, _)) = installed.iter().find(|(name, version)| {
            let name = name.as_str();
            (!SERVED_PLUGINS.contains(&name)
                && !PYTEST_ENGINE_PLUGINS.contains(&name)
                && !NATIVE_PLUGINS.contains(&name)
                && !fixture_plugins(host).iter().any(|p| p.project == name)
                && !worker_plugins(host).iter().any(|p| p.project == name)
                && !idle_this_session(name, args, config))
                || !served_version(name, version)
        }) {
            return Some(format!("installed pytest plugin {name}"));
        }
    }
    // Without capture, what importing the test modules prints is part of pytest's
    // listing: only a collection that imports them shows it.
    if matches!(args.capture.as_deref(), Some("no" | "tee-sys")) {
        return Some("imports print into the listing (-s)".into());
    }
    // From verbosity 1 on, the tree shows each collector's docstring.
    if listing_verbosity(args, config) >= 1 {
        return Some("docstrings in the verbose listing".into());
    }
    // Header lines only the plugin can word (a run gets them from the pytest engine).
    if args.verbosity() >= 0 && !args.no_header && plugin_autoload(args) {
        if let Some((name, _)) = installed
            .iter()
            .find(|(name, _)| HEADER_PLUGINS.contains(&name.as_str()))
        {
            return Some(format!("{name} adds lines to the header"));
        }
        if let Some(p) = worker_plugins(host).iter().find(|p| p.header) {
            return Some(format!("{} adds lines to the header", p.project));
        }
    }
    if args.numprocesses.is_some() && installed.iter().any(|(n, _)| n == "pytest-xdist") {
        return Some("-n with pytest-xdist".into());
    }
    // pytest-asyncio's `pytest_configure` warns (an error under `filterwarnings =
    // error`) while its fixture loop scope is unset, and fails on a scope it does not
    // know: only pytest's start-up shows that (a run gets it from the pytest engine).
    if plugin_autoload(args)
        && installed.iter().any(|(n, _)| n == "pytest-asyncio")
        && !asyncio_configures_quietly(config)
    {
        return Some("pytest-asyncio's pytest_configure warns or fails".into());
    }
    // Its coverage table ends a collection too.
    if plugin_autoload(args)
        && installed.iter().any(|(n, _)| n == "pytest-cov")
        && (args.cov.measures() || args.plugin_options().any(|a| a.starts_with("--cov")))
    {
        return Some("pytest-cov reports coverage (--cov)".into());
    }
    if let Some(p) = blocking_plugin(args, installed, entry_points, NEUTRAL_PLUGINS, host) {
        return Some(p);
    }
    // Plugins named in the environment load like `-p NAME`.
    if std::env::var_os("PYTEST_PLUGINS").is_some_and(|v| !v.is_empty())
        && env_plugins(args, entry_points).is_none()
    {
        return Some("$PYTEST_PLUGINS".into());
    }
    if args.has(Opt::DisablePluginAutoload) && !installed.is_empty() {
        return Some("--disable-plugin-autoload with plugins installed".into());
    }
    if let Some(why) = startup_usage_error(args, cli, config) {
        return Some(why);
    }
    None
}

/// A value pytest's start-up rejects with its own usage error (exit 4), which only
/// pytest words: a warning filter it cannot parse, a log level that is no level name or
/// number. In a run, the native engine's start would fail on it instead.
fn startup_usage_error(args: &Args, cli: &Parsed, config: &Config) -> Option<String> {
    // Warning filters are parsed at start-up; a bad one is pytest's usage error.
    let filters = config.get_linelist("filterwarnings").unwrap_or_default();
    if let Some(f) = filters
        .iter()
        .chain(&args.pythonwarnings)
        .find(|f| bad_warning_filter(f))
    {
        return Some(format!("warning filter {f:?}"));
    }
    // Log levels are checked when pytest configures logging, with its own message.
    let levels = [
        (Opt::LogLevel, "log_level"),
        (Opt::LogCliLevel, "log_cli_level"),
        (Opt::LogFileLevel, "log_file_level"),
    ];
    for (opt, ini) in levels {
        let value = args::last_value(cli, opt).or_else(|| config.get_str(ini));
        // (An empty value is no level: pytest goes on to the next setting.)
        if let Some(v) = value.filter(|v| !v.is_empty() && !is_log_level(v)) {
            return Some(format!("log level {v:?}"));
        }
    }
    None
}

/// Whether pytest colours its output: `--color=yes|no`, else its `should_do_markup`
/// (`PY_COLORS`, then `NO_COLOR`, then `FORCE_COLOR`, then a terminal on stdout that
/// is not `TERM=dumb`).
fn should_markup(args: &Args, isatty: bool) -> bool {
    match args.color.as_str() {
        "yes" => true,
        "no" => false,
        _ => markup_for(isatty),
    }
}

/// pytest's `should_do_markup` for a file that is a terminal or not (`isatty`).
pub(crate) fn markup_for(isatty: bool) -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    match std::env::var("PY_COLORS").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ if set("NO_COLOR") => false,
        _ if set("FORCE_COLOR") => true,
        _ => isatty && std::env::var("TERM").map_or(true, |t| t != "dumb"),
    }
}

/// Builtin warning categories (a category without a dot is looked up in `builtins`).
const BUILTIN_WARNINGS: &[&str] = &[
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "PendingDeprecationWarning",
    "SyntaxWarning",
    "RuntimeWarning",
    "FutureWarning",
    "ImportWarning",
    "UnicodeWarning",
    "BytesWarning",
    "ResourceWarning",
    "EncodingWarning",
];

/// Whether pytest's `parse_warning_filter` rejects `action:message:category:module:line`
/// (too many fields, an unknown action, a category no builtin names, a bad line number).
/// Dotted categories are not imported here: one that fails to import is a warning
/// fastest does not print (a known difference).
fn bad_warning_filter(filter: &str) -> bool {
    let parts: Vec<&str> = filter.split(':').map(str::trim).collect();
    if parts.len() > 5 {
        return true;
    }
    let field = |i: usize| parts.get(i).copied().unwrap_or("");
    // `warnings._getaction`: empty is `default`, `all` is `always`, else a prefix.
    let action = field(0);
    let actions = ["default", "always", "ignore", "module", "once", "error"];
    if !(action.is_empty() || action == "all" || actions.iter().any(|a| a.starts_with(action))) {
        return true;
    }
    let category = field(2);
    if !category.is_empty() && !category.contains('.') && !BUILTIN_WARNINGS.contains(&category) {
        return true;
    }
    let lineno = field(4);
    !lineno.is_empty() && lineno.parse::<u64>().is_err()
}

fn is_log_level(v: &str) -> bool {
    let t = v.trim();
    LOG_LEVELS.contains(&t.to_ascii_uppercase().as_str())
        || t.trim_start_matches(['+', '-']).parse::<u64>().is_ok()
}

/// The conftests pytest loads before it rejects unknown options
/// (`_set_initial_conftests`): for each initial argument (or `testpaths`, or the
/// invocation dir), the `conftest.py` of its directory and every ancestor not above
/// `confcutdir`, and those of its `test*` subdirectories.
pub(crate) fn initial_conftests(args: &Args, config: &Config, cwd: &Path) -> Vec<PathBuf> {
    if args.noconftest {
        return Vec::new();
    }
    let confcutdir = args.confcutdir.as_ref().map_or_else(
        || {
            config
                .inipath
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| config.rootdir.clone())
        },
        |c| normalize(&cwd.join(c)),
    );
    let mut anchors: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| normalize(&cwd.join(p.split("::").next().unwrap_or(p))))
        .collect();
    if anchors.is_empty() && cwd == config.rootdir {
        anchors = crate::app::expand_testpaths(&config.rootdir, &config.testpaths())
            .iter()
            .map(|p| config.rootdir.join(p))
            .collect();
    }
    // An argument that is no path (an option's value, read as one before the conftest
    // that registers the option is loaded) anchors nothing; with no anchor at all pytest
    // starts from the invocation dir.
    anchors.retain(|a| a.exists());
    if anchors.is_empty() {
        anchors.push(cwd.to_path_buf());
    }
    let mut found: Vec<PathBuf> = Vec::new();
    let mut add = |p: PathBuf| {
        if p.is_file() && !found.contains(&p) {
            found.push(p);
        }
    };
    for anchor in &anchors {
        let dir = if anchor.is_dir() {
            anchor.as_path()
        } else {
            anchor.parent().unwrap_or(anchor)
        };
        // Outermost first, pytest's order of registration.
        let chain: Vec<&Path> = dir.ancestors().collect();
        for d in chain.into_iter().rev() {
            // pytest skips only the directories strictly above confcutdir.
            if d != confcutdir && confcutdir.starts_with(d) {
                continue;
            }
            add(d.join("conftest.py"));
        }
        if let Ok(entries) = std::fs::read_dir(anchor) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with("test") && e.path().is_dir() {
                    add(e.path().join("conftest.py"));
                }
            }
        }
    }
    found
}

/// The options the `pytest_addoption` of `modules` register, read off their source
/// ([`addoption_options`]); `None` when one is unreadable. A module whose options the
/// source does not prove adds none: its options stay unknown, and pytest reads the
/// command line.
fn read_options(modules: &[PathBuf]) -> Option<Vec<CliOption>> {
    let mut options = Vec::new();
    for module in modules {
        let source = std::fs::read(module).ok()?;
        if let Some(found) = addoption_options(&source) {
            options.extend(found);
        }
    }
    Some(options)
}

/// The command line parsed again knowing the long options of the `pytest_addoption`
/// of the initial conftests ([`read_options`]) and installed plugins' `plugin_options`,
/// when that leaves no option unknown and changes no initial conftest (pytest finds
/// those before it knows these options, taking their values for paths); `None`
/// otherwise.
fn with_conftest_options(
    args: &Args,
    blocked: &[String],
    all: &[String],
    argv: &[String],
    config: &Config,
    cwd: &Path,
    plugin_options: &[CliOption],
) -> Option<(Args, Parsed)> {
    let initial = initial_conftests(args, config, cwd);
    let options = read_options(&initial)?;
    if options.is_empty() && plugin_options.is_empty() {
        return None;
    }
    let parser = Parser::new(cwd, blocked)
        .with_conftest_options(&options)
        .with_plugin_options(plugin_options);
    let again = parser.parse(all).ok()?.args;
    let cli = parser.parse(argv).ok()?;
    (again.unknown.is_empty() && initial_conftests(&again, config, cwd) == initial)
        .then_some((again, cli))
}

/// Whether a conftest may register options or ini keys: it defines `pytest_addoption`
/// or loads plugins. A text search: a false positive only costs speed.
fn may_register_options(conftest: &Path) -> bool {
    std::fs::read(conftest).is_ok_and(|b| {
        let text = String::from_utf8_lossy(&b);
        text.contains("pytest_addoption") || text.contains("pytest_plugins")
    })
}

/// pytest's terminal width (`_pytest._io.get_terminal_width`): `$COLUMNS` if it is a
/// positive integer, else the width of the terminal on stdout, else 80; below 40 counts
/// as 80.
pub fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0);
    let width = columns.or_else(tty_width).unwrap_or(80);
    if width < 40 {
        80
    } else {
        width
    }
}

#[cfg(unix)]
fn tty_width() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn tty_width() -> Option<usize> {
    None
}

/// Print an argument error as pytest does and return its exit code.
fn usage_error(err: &mut dyn Write, e: &ArgError, ctx: &Context<'_>) -> i32 {
    let msg = match e {
        // pytest's validators raise `UsageError` themselves: no usage line, no context.
        ArgError::Usage(m) => format!("ERROR: {m}\n"),
        ArgError::Argparse(m) => {
            let mut s = format!("ERROR: {}\n{}: error: {m}", args::usage(), args::prog());
            // argparse's `extra_info`, sorted by key.
            let mut lines: Vec<(&str, String)> = Vec::new();
            match ctx {
                Context::None => {}
                Context::EnvAddopts => lines.push(("config source", "via PYTEST_ADDOPTS".into())),
                Context::IniAddopts(c) | Context::Config(c) => {
                    if matches!(ctx, Context::IniAddopts(_)) {
                        lines.push(("config source", "via addopts config".into()));
                    }
                    let ini = c
                        .inipath
                        .as_ref()
                        .map_or_else(|| "None".to_string(), |p| p.display().to_string());
                    lines.push(("inifile", ini));
                    lines.push(("rootdir", c.rootdir.display().to_string()));
                }
            }
            for (k, v) in lines {
                s.push_str(&format!("\n  {k}: {v}"));
            }
            s.push('\n');
            s
        }
    };
    let _ = writeln!(err, "{msg}");
    exit::USAGE_ERROR
}

fn config_error(err: &mut dyn Write, e: &fastest_core::config::ConfigError) -> i32 {
    let _ = write!(err, "{}", e.stderr_text());
    e.exit_code()
}

/// Run pytest itself on `args`: its console script next to the interpreter when there is
/// one (exactly what the user would have run), else the same interpreter made to look
/// like it: program name `pytest` (usage errors say so), the script's directory first on
/// `sys.path`.
pub fn run_pytest(args: &[String], host: &Host, err: &mut dyn Write) -> i32 {
    let Some(py) = &host.python else {
        let _ = writeln!(err, "fastest: no Python interpreter found to run pytest");
        return exit::INTERNAL_ERROR;
    };
    tracing::info!("running pytest itself");
    let mut args = args.to_vec();
    if std::env::var(crate::shard::ENV).is_ok_and(|v| !v.trim().is_empty()) {
        args.splice(0..0, ["-p".to_string(), "fastest._shard".to_string()]);
    }
    if std::env::var_os(crate::json_report::ENV).is_some() {
        args.splice(0..0, ["-p".to_string(), "fastest._json_report".to_string()]);
    }
    let args = &args[..];
    let script = py
        .parent()
        .map(|d| d.join("pytest"))
        .filter(|p| p.is_file());
    // Under `coverage run -m fastest`, pytest measures itself as the workers would.
    let measured = std::env::var_os(crate::cov::OUTER_ENV).is_some();
    // Under `python -m fastest` (the current directory first on `sys.path`, not the
    // script's): `python -m pytest`, whose `sys.path` starts the same way.
    let as_module = std::env::var_os("FASTEST_PATH0")
        .is_some_and(|p0| py.parent().is_none_or(|bin| Path::new(&p0) != bin));
    // The script cannot take the interpreter's options (`python -bb -m fastest`).
    let flagged = !fastest_core::interpreter::flags().is_empty();
    let mut cmd = match script.filter(|_| !measured && !as_module && !flagged) {
        Some(script) => {
            // The script puts its own directory first on `sys.path`; the tests do not
            // see fastest's variable (removed here, not on the command: a changed
            // environment reaches the child in sorted order). The coordinator ends
            // with this pytest: nothing after it reads the variable.
            std::env::remove_var("FASTEST_PATH0");
            let mut cmd = std::process::Command::new(script);
            cmd.args(args);
            cmd
        }
        None => python_as_pytest(py, host, args),
    };
    match cmd.current_dir(&host.cwd).status() {
        Ok(s) => s.code().unwrap_or_else(|| died_of_signal(s, err)),
        Err(e) => {
            let _ = writeln!(err, "fastest: could not start pytest: {e}");
            exit::INTERNAL_ERROR
        }
    }
}

/// pytest died of a signal (a test crashed the interpreter with faulthandler off): this
/// process dies of it too, so the shell and CI see what running pytest shows them (a
/// segfault's status 139 and the shell's "Segmentation fault").
#[cfg(unix)]
fn died_of_signal(status: std::process::ExitStatus, err: &mut dyn Write) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    let Some(sig) = status.signal() else {
        return exit::INTERRUPTED;
    };
    let _ = std::io::stdout().flush();
    let _ = err.flush();
    // Returns only for a signal whose default action is not to end the process.
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    128 + sig
}

#[cfg(not(unix))]
fn died_of_signal(_status: std::process::ExitStatus, _err: &mut dyn Write) -> i32 {
    exit::INTERRUPTED
}

fn python_as_pytest(py: &Path, host: &Host, args: &[String]) -> std::process::Command {
    let mut cmd = std::process::Command::new(py);
    cmd.args(fastest_core::interpreter::flags());
    // `-P` (3.11+) keeps the cwd off `sys.path`; then the script's directory is added,
    // as for the `pytest` script. Older interpreters put `''` first: replace it.
    // `FASTEST_PATH0` (the console script's `__main__.py`): what the coordinator had
    // first, the current directory under `python -m fastest`, as `python -m pytest` has.
    let path_fix = if host.supports_safe_path() {
        cmd.arg("-P");
        "sys.path.insert(0, os.environ.pop('FASTEST_PATH0', None) or b)"
    } else {
        "sys.path[0] = os.environ.pop('FASTEST_PATH0', None) or b"
    };
    // `coverage run -m fastest` (`cov::OUTER_ENV`): measured as a worker would be.
    // pytest names itself after `argv[0]` (`python -m pytest` for a `__main__.py`); the
    // tests see it, and `__main__`'s file (anyio's `to_process` reads it), loader and
    // spec (its repr), as the `pytest` script or pytest's own `__main__.py` set them.
    let argv0 = if args::prog() == "pytest" {
        "os.path.join(b, 'pytest')"
    } else {
        "os.path.join(os.path.dirname(importlib.util.find_spec('pytest').origin), '__main__.py')"
    };
    let code = format!(
        "import importlib.util, os, sys\n\
         sys.executable = sys.argv.pop(1)\n\
         b = os.path.dirname(os.path.abspath(sys.executable))\n\
         {path_fix}\n\
         try:\n    sys.argv[0] = {argv0}\n\
         except Exception:\n    sys.argv[0] = os.path.join(b, '__main__.py')\n\
         m = sys.modules['__main__']\n\
         m.__file__ = sys.argv[0]\n\
         from importlib.machinery import ModuleSpec, SourceFileLoader\n\
         if os.path.basename(m.__file__) == '__main__.py':\n    \
         m.__loader__ = SourceFileLoader('pytest.__main__', m.__file__)\n    \
         m.__spec__ = ModuleSpec('pytest.__main__', m.__loader__, origin=m.__file__)\n    \
         m.__spec__.has_location = True\n    m.__package__ = 'pytest'\n\
         else:\n    m.__loader__ = SourceFileLoader('__main__', m.__file__)\n\
         if os.environ.get('{env}'):\n    from fastest._cov import measured_main\n    \
         sys.exit(measured_main())\n\
         try:\n    from _pytest.config import _console_main as main\n\
         except ImportError:\n    from pytest import console_main as main\n\
         sys.exit(main())\n",
        env = crate::cov::OUTER_ENV
    );
    // The coordinator's `sys.executable` as it was given (pytest's `-v` header shows
    // it; an interpreter started by an absolute path normalises it: `/a/./b`), as an
    // argument: a changed environment would reach pytest in sorted order.
    cmd.arg("-c").arg(code).arg(py).args(args);
    cmd
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_word_is_named_as_a_mark_or_a_string() {
        for src in [
            &b"@pytest.mark.order(1)\ndef test_a(): pass\n"[..],
            b"from pytest import mark\nfirst = mark.order(1)\n",
            b"def pytest_collection_modifyitems(items):\n    items[0].add_marker(\"order\")\n",
            b"getattr(pytest.mark, 'order')\n",
        ] {
            assert!(
                names_word(src, b"mark:order"),
                "{}",
                String::from_utf8_lossy(src)
            );
        }
        for src in [
            &b"ordered = sorted(x)  # the sort order\n"[..],
            b"def test_reorder(): pass\n",
            b"x = 'orders'\n",
        ] {
            assert!(
                !names_word(src, b"mark:order"),
                "{}",
                String::from_utf8_lossy(src)
            );
        }
        assert!(names_word(b"def test_b(benchmark): pass\n", b"benchmark"));
    }

    #[test]
    fn blocking_a_name_no_installed_plugins_code_goes_by_changes_nothing() {
        let host = Host::from_env(PathBuf::from("/"));
        let _ = host.plugins.set(vec![crate::host::Plugin {
            project: "pytest-xdist".into(),
            version: "3.8.0".into(),
            entry_points: vec!["xdist".into(), "xdist.looponfail".into()],
            targets: vec!["xdist.plugin".into(), "xdist.looponfail:main".into()],
            dist_info: PathBuf::new(),
        }]);
        for name in ["randomly", "pytest_randomly", "sugar"] {
            assert!(!names_installed_code(name, &host), "{name}");
        }
        for name in [
            "xdist",
            "xdist.dsession",
            "xdist.plugin",
            "xdist.looponfail",
        ] {
            assert!(names_installed_code(name, &host), "{name}");
        }
    }

    fn render(e: &ArgError, ctx: &Context<'_>) -> String {
        let mut buf: Vec<u8> = Vec::new();
        assert_eq!(usage_error(&mut buf, e, ctx), exit::USAGE_ERROR);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn usage_errors_read_like_pytests() {
        let e = ArgError::Argparse("argument -k: expected one argument".into());
        assert_eq!(
            render(&e, &Context::EnvAddopts),
            "ERROR: usage: pytest [options] [file_or_dir] [file_or_dir] [...]\n\
             pytest: error: argument -k: expected one argument\n  \
             config source: via PYTEST_ADDOPTS\n\n"
        );
        assert_eq!(
            render(&e, &Context::None),
            "ERROR: usage: pytest [options] [file_or_dir] [file_or_dir] [...]\n\
             pytest: error: argument -k: expected one argument\n\n"
        );
        let e = ArgError::Usage("--confcutdir must be a directory, given: x".into());
        assert_eq!(
            render(&e, &Context::None),
            "ERROR: --confcutdir must be a directory, given: x\n\n"
        );
    }

    #[test]
    fn warning_filters() {
        assert!(!bad_warning_filter("ignore::DeprecationWarning"));
        assert!(!bad_warning_filter("error"));
        assert!(!bad_warning_filter("i:some message:pkg.mod.Warn:mod:12"));
        assert!(bad_warning_filter("bogus::UserWarning"));
        assert!(bad_warning_filter("e::UserWarning:a:b:c"));
        assert!(bad_warning_filter("ignore::NoSuchWarning"));
        assert!(bad_warning_filter("ignore::UserWarning:m:-1"));
    }

    #[test]
    fn log_levels() {
        assert!(is_log_level("debug"));
        assert!(is_log_level(" 10"));
        assert!(!is_log_level("verbose"));
    }

    #[test]
    fn plugin_ini_keys_count_only_with_their_plugin() {
        let asyncio = vec![("pytest-asyncio".to_string(), "1.5.0".to_string())];
        assert!(registered_by_plugin("asyncio_mode", &asyncio));
        assert!(!registered_by_plugin("timeout", &asyncio));
        assert!(!registered_by_plugin("asyncio_mode", &[]));
    }
}
