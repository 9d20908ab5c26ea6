//! The command line, parsed the way pytest 9.2's argparse parser parses it.
//!
//! Every option pytest core registers is accepted with the same spelling, aliases and
//! value arity (`pytest --help`), so a pytest command line means the same thing to
//! fastest: repeated options override each other (`addopts`, `$PYTEST_ADDOPTS` and argv
//! are one concatenated command line), short flags combine (`-qq`, `-xk expr`,
//! `-rfE`), `--opt=value` and `-kvalue` work, and `--` ends the options. Options fastest
//! does not act on are still parsed (and type-checked, with argparse's messages) and
//! recorded in [`Args::given`], so the caller can pass them on to pytest.
//!
//! Unknown options are not an error here: pytest only rejects them after the conftests
//! and plugins that may register them are loaded, so they are kept in
//! [`Args::unknown`] for the caller to decide. Likewise `-p` is only recorded.
//!
//! What is deliberately not emulated: argparse's `@file` argument expansion (the caller
//! hands such command lines to pytest itself) and option-name abbreviations (pytest
//! disables them).

use std::path::Path;

use fastest_core::discovery::options::{CliOption, Nargs};

/// The program name in usage errors when nothing else is known. pytest 9.2 prints a
/// fixed `pytest` (not `argv[0]`) unless started as `python -m pytest`; fastest stands
/// in for the `pytest` command, so its messages read the same.
pub const PROG: &str = "pytest";

static PROG_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the program name usage errors give (`python -m pytest` under `python -m
/// fastest`, as pytest's `_get_prog_name` decides for `python -m pytest`), once.
pub fn set_prog(prog: String) {
    let _ = PROG_NAME.set(prog);
}

/// The program name usage errors give (see [`set_prog`]).
pub fn prog() -> &'static str {
    PROG_NAME.get().map_or(PROG, String::as_str)
}

/// argparse's usage line for pytest's parser.
pub fn usage() -> String {
    format!(
        "usage: {} [options] [file_or_dir] [file_or_dir] [...]",
        prog()
    )
}

/// Every option pytest core knows, plus fastest's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Opt {
    Keyword,
    MarkExpr,
    Markers,
    ExitFirst,
    MaxFail,
    StrictConfig,
    StrictMarkers,
    Strict,
    PythonWarnings,
    MaxWarnings,
    CollectOnly,
    PyArgs,
    Ignore,
    IgnoreGlob,
    Deselect,
    ConfCutDir,
    NoConftest,
    KeepDuplicates,
    CollectInVirtualenv,
    ContinueOnCollectionErrors,
    ImportMode,
    ConfigFile,
    RootDir,
    BaseTemp,
    Durations,
    DurationsMin,
    Fixtures,
    FixturesPerTest,
    Version,
    Help,
    Plugin,
    DisablePluginAutoload,
    TraceConfig,
    Debug,
    OverrideIni,
    Verbose,
    NoHeader,
    NoSummary,
    NoFoldSkipped,
    ForceShortSummary,
    Quiet,
    Verbosity,
    ReportChars,
    DisableWarnings,
    ShowLocals,
    NoShowLocals,
    Tb,
    XfailTb,
    ShowCapture,
    FullTrace,
    Color,
    CodeHighlight,
    Pdb,
    PdbCls,
    Trace,
    Capture,
    NoCapture,
    RunXfail,
    Pastebin,
    Assert,
    JunitXml,
    JunitPrefix,
    DoctestModules,
    DoctestReport,
    DoctestGlob,
    DoctestIgnoreImportErrors,
    DoctestContinueOnFailure,
    LastFailed,
    FailedFirst,
    NewFirst,
    CacheShow,
    CacheClear,
    LastFailedNoFailures,
    SetupOnly,
    SetupShow,
    SetupPlan,
    StepWise,
    StepWiseSkip,
    StepWiseReset,
    LogLevel,
    LogFormat,
    LogDateFormat,
    LogCliLevel,
    LogCliFormat,
    LogCliDateFormat,
    LogFile,
    LogFileMode,
    LogFileLevel,
    LogFileFormat,
    LogFileDateFormat,
    LogAutoIndent,
    LogDisable,
    /// fastest: the execution engine.
    Engine,
    /// fastest: skip the discovery cache.
    NoFastestCache,
    /// fastest: pytest's plain progress lines on a terminal, without the live display.
    NoProgressBar,
    JsonReport,
    FastestJsonReport,
    /// fastest: number of workers.
    NumProcesses,
    Dist,
    MaxWorkerRestart,
    /// pytest-xdist's cap on `-n`, and its run id.
    MaxProcesses,
    TestRunUid,
    /// pytest-xdist's scheduling details, which fastest's own
    /// scheduling has no use for: accepted so that an `addopts` naming them stays native.
    MaxSchedChunk,
    LoadscopeReorder,
    NoLoadscopeReorder,
    DistLoad,
    Timeout,
    Shard,
    /// pytest-randomly's options (known only while the plugin loads).
    RandomlySeed,
    RandomlyDontResetSeed,
    RandomlyDontReorganize,
    /// pytest-cov's options (known only while a version fastest serves loads:
    /// [`crate::cov`]).
    Cov,
    CovReset,
    CovReport,
    CovConfig,
    NoCovOnFail,
    NoCov,
    CovFailUnder,
    CovAppend,
    CovBranch,
    CovPrecision,
    CovContext,
}

/// How many values an option takes (argparse's `nargs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    /// A flag.
    Zero,
    /// Exactly one value.
    One,
    /// `nargs="?"`: the next argument if it is not an option.
    Optional,
}

/// One option: its spellings (argparse prints them `/`-joined in errors), what it is,
/// how many values it takes, and the pytest plugin that registers it (`-p no:NAME` given
/// on the command line removes the plugin, and with it its options).
struct Spec {
    names: &'static [&'static str],
    opt: Opt,
    arity: Arity,
    plugin: &'static str,
}

/// The plugin name of fastest's own options (never blocked, never passed to pytest).
pub const FASTEST: &str = "fastest";

/// The owner of fastest's `--json-report=PATH` spelling. pytest-json-report registers
/// `--json-report` as a flag (with `--json-report-file`): when it is installed the
/// caller blocks this name, so the spelling is the plugin's (an unknown option passed
/// on to pytest), and fastest's report stays reachable as `--fastest-json-report`.
pub const JSON_REPORT_SPELLING: &str = "fastest-json-report";

macro_rules! spec {
    ($plugin:literal, $opt:ident, $arity:ident, [$($name:literal),+]) => {
        Spec { names: &[$($name),+], opt: Opt::$opt, arity: Arity::$arity, plugin: $plugin }
    };
}

/// pytest 9.2's options in registration order, from each core plugin's `pytest_addoption`.
static SPECS: &[Spec] = &[
    spec!("mark", Keyword, One, ["-k"]),
    spec!("mark", MarkExpr, One, ["-m"]),
    spec!("mark", Markers, Zero, ["--markers"]),
    spec!("main", ExitFirst, Zero, ["-x", "--exitfirst"]),
    spec!("main", MaxFail, One, ["--maxfail"]),
    spec!("main", StrictConfig, Zero, ["--strict-config"]),
    spec!("main", StrictMarkers, Zero, ["--strict-markers"]),
    spec!("main", Strict, Zero, ["--strict"]),
    spec!("main", PythonWarnings, One, ["-W", "--pythonwarnings"]),
    spec!("main", MaxWarnings, One, ["--max-warnings"]),
    spec!(
        "main",
        CollectOnly,
        Zero,
        ["--collectonly", "--collect-only", "--co"]
    ),
    spec!("main", PyArgs, Zero, ["--pyargs"]),
    spec!("main", Ignore, One, ["--ignore"]),
    spec!("main", IgnoreGlob, One, ["--ignore-glob"]),
    spec!("main", Deselect, One, ["--deselect"]),
    spec!("main", ConfCutDir, One, ["--confcutdir"]),
    spec!("main", NoConftest, Zero, ["--noconftest"]),
    spec!(
        "main",
        KeepDuplicates,
        Zero,
        ["--keepduplicates", "--keep-duplicates"]
    ),
    spec!(
        "main",
        CollectInVirtualenv,
        Zero,
        ["--collect-in-virtualenv"]
    ),
    spec!(
        "main",
        ContinueOnCollectionErrors,
        Zero,
        ["--continue-on-collection-errors"]
    ),
    spec!("main", ImportMode, One, ["--import-mode"]),
    spec!("main", ConfigFile, One, ["-c", "--config-file"]),
    spec!("main", RootDir, One, ["--rootdir"]),
    spec!("main", BaseTemp, One, ["--basetemp"]),
    spec!("runner", Durations, One, ["--durations"]),
    spec!("runner", DurationsMin, One, ["--durations-min"]),
    spec!("fixtures", Fixtures, Zero, ["--fixtures", "--funcargs"]),
    spec!("fixtures", FixturesPerTest, Zero, ["--fixtures-per-test"]),
    spec!("helpconfig", Version, Zero, ["-V", "--version"]),
    spec!("helpconfig", Help, Zero, ["-h", "--help"]),
    spec!("helpconfig", Plugin, One, ["-p"]),
    spec!(
        "helpconfig",
        DisablePluginAutoload,
        Zero,
        ["--disable-plugin-autoload"]
    ),
    spec!(
        "helpconfig",
        TraceConfig,
        Zero,
        ["--traceconfig", "--trace-config"]
    ),
    spec!("helpconfig", Debug, Optional, ["--debug"]),
    spec!("helpconfig", OverrideIni, One, ["-o", "--override-ini"]),
    spec!("terminal", Verbose, Zero, ["-v", "--verbose"]),
    spec!("terminal", NoHeader, Zero, ["--no-header"]),
    spec!("terminal", NoSummary, Zero, ["--no-summary"]),
    spec!("terminal", NoFoldSkipped, Zero, ["--no-fold-skipped"]),
    spec!(
        "terminal",
        ForceShortSummary,
        Zero,
        ["--force-short-summary"]
    ),
    spec!("terminal", Quiet, Zero, ["-q", "--quiet"]),
    spec!("terminal", Verbosity, One, ["--verbosity"]),
    spec!("terminal", ReportChars, One, ["-r", "--report-chars"]),
    spec!(
        "terminal",
        DisableWarnings,
        Zero,
        ["--disable-warnings", "--disable-pytest-warnings"]
    ),
    spec!("terminal", ShowLocals, Zero, ["-l", "--showlocals"]),
    spec!("terminal", NoShowLocals, Zero, ["--no-showlocals"]),
    spec!("terminal", Tb, One, ["--tb"]),
    spec!("terminal", XfailTb, Zero, ["--xfail-tb"]),
    spec!("terminal", ShowCapture, One, ["--show-capture"]),
    spec!("terminal", FullTrace, Zero, ["--fulltrace", "--full-trace"]),
    spec!("terminal", Color, One, ["--color"]),
    spec!("terminal", CodeHighlight, One, ["--code-highlight"]),
    spec!("debugging", Pdb, Zero, ["--pdb"]),
    spec!("debugging", PdbCls, One, ["--pdbcls"]),
    spec!("debugging", Trace, Zero, ["--trace"]),
    spec!("capture", Capture, One, ["--capture"]),
    spec!("capture", NoCapture, Zero, ["-s"]),
    spec!("skipping", RunXfail, Zero, ["--runxfail"]),
    spec!("pastebin", Pastebin, One, ["--pastebin"]),
    spec!("assertion", Assert, One, ["--assert"]),
    spec!("junitxml", JunitXml, One, ["--junitxml", "--junit-xml"]),
    spec!(
        "junitxml",
        JunitPrefix,
        One,
        ["--junitprefix", "--junit-prefix"]
    ),
    spec!("doctest", DoctestModules, Zero, ["--doctest-modules"]),
    spec!("doctest", DoctestReport, One, ["--doctest-report"]),
    spec!("doctest", DoctestGlob, One, ["--doctest-glob"]),
    spec!(
        "doctest",
        DoctestIgnoreImportErrors,
        Zero,
        ["--doctest-ignore-import-errors"]
    ),
    spec!(
        "doctest",
        DoctestContinueOnFailure,
        Zero,
        ["--doctest-continue-on-failure"]
    ),
    spec!("cacheprovider", LastFailed, Zero, ["--lf", "--last-failed"]),
    spec!(
        "cacheprovider",
        FailedFirst,
        Zero,
        ["--ff", "--failed-first"]
    ),
    spec!("cacheprovider", NewFirst, Zero, ["--nf", "--new-first"]),
    spec!("cacheprovider", CacheShow, Optional, ["--cache-show"]),
    spec!("cacheprovider", CacheClear, Zero, ["--cache-clear"]),
    spec!(
        "cacheprovider",
        LastFailedNoFailures,
        One,
        ["--lfnf", "--last-failed-no-failures"]
    ),
    spec!(
        "setuponly",
        SetupOnly,
        Zero,
        ["--setuponly", "--setup-only"]
    ),
    spec!(
        "setuponly",
        SetupShow,
        Zero,
        ["--setupshow", "--setup-show"]
    ),
    spec!(
        "setupplan",
        SetupPlan,
        Zero,
        ["--setupplan", "--setup-plan"]
    ),
    spec!("stepwise", StepWise, Zero, ["--sw", "--stepwise"]),
    spec!(
        "stepwise",
        StepWiseSkip,
        Zero,
        ["--sw-skip", "--stepwise-skip"]
    ),
    spec!(
        "stepwise",
        StepWiseReset,
        Zero,
        ["--sw-reset", "--stepwise-reset"]
    ),
    spec!("logging", LogLevel, One, ["--log-level"]),
    spec!("logging", LogFormat, One, ["--log-format"]),
    spec!("logging", LogDateFormat, One, ["--log-date-format"]),
    spec!("logging", LogCliLevel, One, ["--log-cli-level"]),
    spec!("logging", LogCliFormat, One, ["--log-cli-format"]),
    spec!("logging", LogCliDateFormat, One, ["--log-cli-date-format"]),
    spec!("logging", LogFile, One, ["--log-file"]),
    spec!("logging", LogFileMode, One, ["--log-file-mode"]),
    spec!("logging", LogFileLevel, One, ["--log-file-level"]),
    spec!("logging", LogFileFormat, One, ["--log-file-format"]),
    spec!(
        "logging",
        LogFileDateFormat,
        One,
        ["--log-file-date-format"]
    ),
    spec!("logging", LogAutoIndent, One, ["--log-auto-indent"]),
    spec!("logging", LogDisable, One, ["--log-disable"]),
    spec!("fastest", Engine, One, ["--engine"]),
    spec!("fastest", NoFastestCache, Zero, ["--no-fastest-cache"]),
    spec!("fastest", NoProgressBar, Zero, ["--no-progress-bar"]),
    spec!("fastest", Shard, One, ["--shard"]),
    spec!("fastest-json-report", JsonReport, One, ["--json-report"]),
    spec!("fastest", FastestJsonReport, One, ["--fastest-json-report"]),
    // pytest-xdist's spelling: fastest's own worker count, pytest-xdist's when installed.
    spec!("xdist", NumProcesses, One, ["-n", "--numprocesses"]),
    spec!("xdist", MaxWorkerRestart, One, ["--max-worker-restart"]),
    spec!("xdist", Dist, One, ["--dist"]),
    spec!("xdist", MaxProcesses, One, ["--maxprocesses"]),
    spec!("xdist", TestRunUid, One, ["--testrunuid"]),
    spec!("xdist", MaxSchedChunk, One, ["--maxschedchunk"]),
    spec!("xdist", LoadscopeReorder, Zero, ["--loadscope-reorder"]),
    spec!(
        "xdist",
        NoLoadscopeReorder,
        Zero,
        ["--no-loadscope-reorder"]
    ),
    spec!("xdist", DistLoad, Zero, ["-d"]),
    // pytest-timeout's spelling: fastest's own per-test limit, pytest-timeout's when
    // installed.
    spec!("timeout", Timeout, One, ["--timeout"]),
    // pytest-randomly's, served by fastest (`randomly.rs`) while the plugin loads; the
    // parser blocks them otherwise, as pytest without the plugin rejects them.
    spec!("randomly", RandomlySeed, One, ["--randomly-seed"]),
    spec!(
        "randomly",
        RandomlyDontResetSeed,
        Zero,
        ["--randomly-dont-reset-seed"]
    ),
    spec!(
        "randomly",
        RandomlyDontReorganize,
        Zero,
        ["--randomly-dont-reorganize"]
    ),
    // pytest-cov's, served by fastest (`cov.rs`) while the plugin loads.
    spec!("pytest_cov", Cov, Optional, ["--cov"]),
    spec!("pytest_cov", CovReset, Zero, ["--cov-reset"]),
    spec!("pytest_cov", CovReport, One, ["--cov-report"]),
    spec!("pytest_cov", CovConfig, One, ["--cov-config"]),
    spec!("pytest_cov", NoCovOnFail, Zero, ["--no-cov-on-fail"]),
    spec!("pytest_cov", NoCov, Zero, ["--no-cov"]),
    spec!("pytest_cov", CovFailUnder, One, ["--cov-fail-under"]),
    spec!("pytest_cov", CovAppend, Zero, ["--cov-append"]),
    spec!("pytest_cov", CovBranch, Zero, ["--cov-branch"]),
    spec!("pytest_cov", CovPrecision, One, ["--cov-precision"]),
    spec!("pytest_cov", CovContext, One, ["--cov-context"]),
];

/// A command-line problem, worded as pytest words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    /// argparse's own error: pytest prints the usage line, `pytest: error: {0}` and the
    /// context lines (`config source`, `inifile`, `rootdir`).
    #[error("{0}")]
    Argparse(String),
    /// A `UsageError` raised by one of pytest's value validators (`--confcutdir`,
    /// `--junitxml`): printed as `ERROR: {0}` without the usage line.
    #[error("{0}")]
    Usage(String),
}

/// What a command-line token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An option (maybe with its value attached: `--tb=short`, `-kexpr`).
    Option(Opt),
    /// The separate value of the option before it.
    Value(Opt),
    /// A `file_or_dir` argument.
    Positional,
    /// An option no core plugin registers (a conftest or plugin may).
    Unknown,
    /// The `--` that ends the options.
    Separator,
}

/// The parsed command line. Fields hold pytest's defaults until an option sets them;
/// later options override earlier ones, as in argparse.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Args {
    /// `file_or_dir` arguments, in order.
    pub paths: Vec<String>,
    pub collect_only: bool,
    /// pytest's `config.option.verbose`: `-v` adds one, `-q` subtracts one and
    /// `--verbosity=N` sets it, in command-line order.
    pub verbose: i32,
    pub keyword: Option<String>,
    pub markexpr: Option<String>,
    /// `-c`.
    pub inifile: Option<String>,
    pub rootdir: Option<String>,
    /// `-o` values in order, including the `strict*=true` that `--strict-config`,
    /// `--strict-markers` and `--strict` stand for.
    pub override_ini: Vec<String>,
    pub ignore: Vec<String>,
    pub ignore_glob: Vec<String>,
    pub deselect: Vec<String>,
    pub strict_markers: bool,
    pub strict: bool,
    pub doctest_modules: bool,
    pub doctest_glob: Vec<String>,
    /// `--doctest-report`, lowercased (pytest's `type=str.lower`).
    pub doctest_report: Option<String>,
    pub import_mode: Option<String>,
    pub confcutdir: Option<String>,
    pub noconftest: bool,
    pub keep_duplicates: bool,
    pub collect_in_virtualenv: bool,
    /// `-p` values in order.
    pub plugins: Vec<String>,
    pub continue_on_collection_errors: bool,
    /// `-x`/`--maxfail`; 0 is unlimited.
    pub maxfail: i64,
    pub max_warnings: Option<i64>,
    pub pythonwarnings: Vec<String>,
    pub no_header: bool,
    pub no_summary: bool,
    /// `-r`; pytest's default is `fE`.
    pub reportchars: String,
    pub disable_warnings: bool,
    pub tbstyle: String,
    /// `--log-level`, `--log-format`, `--log-date-format`: pytest's logging plugin
    /// reads each before its ini key (`get_option_ini`).
    pub log_level: Option<String>,
    pub log_format: Option<String>,
    pub log_date_format: Option<String>,
    /// `-h`/`--help`.
    pub help: bool,
    /// How often `-V`/`--version` was given.
    pub version: u32,
    /// fastest: `--engine`.
    pub engine: Option<String>,
    /// fastest: `--no-fastest-cache`.
    pub no_cache: bool,
    /// fastest: `--shard K/N` (1-based).
    pub shard: Option<(usize, usize)>,
    /// pytest-randomly's `--randomly-seed` (the last one given).
    pub randomly_seed: Option<crate::randomly::SeedArg>,
    /// fastest: `--json-report=PATH` / `--fastest-json-report=PATH`, as given.
    pub json_report: Option<String>,
    /// `--lfnf`/`--last-failed-no-failures`: `all` (default) or `none`.
    pub last_failed_no_failures: Option<String>,
    /// `--durations=N` (0: all).
    pub durations: Option<i64>,
    /// `--durations-min=S`.
    pub durations_min: Option<f64>,
    /// `--max-worker-restart=N` (pytest-xdist's option).
    pub max_worker_restart: Option<i64>,
    /// `--timeout=SEC` (pytest-timeout's option).
    pub timeout: Option<f64>,
    /// fastest: `-n`.
    pub numprocesses: Option<String>,
    /// pytest-xdist's `--dist`: `loadscope`, `loadfile` and `loadgroup` keep every module
    /// whole in one worker; otherwise a long module whose tests share no state may be
    /// spread over several.
    pub dist: Option<String>,
    /// pytest-xdist's `--maxprocesses`: at most this many workers, whatever `-n` says.
    pub maxprocesses: Option<i64>,
    /// pytest-xdist's `--testrunuid`: the `testrun_uid` fixture's value (else fresh).
    pub testrunuid: Option<String>,
    /// `--color`: `yes`, `no` or `auto`.
    pub color: String,
    /// `--code-highlight`: `yes` or `no` (pygments in tracebacks, with markup).
    pub code_highlight: Option<String>,
    /// `--capture`/`-s`: the last one given.
    pub capture: Option<String>,
    /// `--show-capture`.
    pub showcapture: Option<String>,
    /// `--assert`.
    pub assert_mode: Option<String>,
    /// `--basetemp`.
    pub basetemp: Option<String>,
    /// `--junitxml`/`--junit-xml`, as given.
    pub junitxml: Option<String>,
    /// `--junitprefix`/`--junit-prefix`.
    pub junit_prefix: Option<String>,
    /// `-l`/`--showlocals` (`--no-showlocals` turns it off again).
    pub showlocals: bool,
    /// pytest-cov's options.
    pub cov: crate::cov::CovArgs,
    /// Every option given, in order.
    pub given: Vec<Opt>,
    /// Option-like arguments no core option matches, in order.
    pub unknown: Vec<String>,
    /// The options (with their values) of the initial conftests' `pytest_addoption`
    /// the parser was given ([`Parser::with_conftest_options`]), in order.
    pub conftest_options: Vec<String>,
    /// The options (with their values) of installed plugins' `pytest_addoption`
    /// the parser was given ([`Parser::with_plugin_options`]), in order.
    pub plugin_option_tokens: Vec<String>,
}

impl Args {
    /// The options no core option matches, with their values where a plugin's or
    /// conftest's `pytest_addoption` read off its source gave their arity: what the
    /// plugins' checks look at, whether the parser knew the option or not.
    pub fn plugin_options(&self) -> impl Iterator<Item = &String> {
        self.unknown
            .iter()
            .chain(&self.conftest_options)
            .chain(&self.plugin_option_tokens)
    }
}

impl Default for Args {
    fn default() -> Self {
        Self {
            paths: Vec::new(),
            collect_only: false,
            verbose: 0,
            keyword: None,
            markexpr: None,
            inifile: None,
            rootdir: None,
            override_ini: Vec::new(),
            ignore: Vec::new(),
            ignore_glob: Vec::new(),
            deselect: Vec::new(),
            strict_markers: false,
            strict: false,
            doctest_modules: false,
            doctest_glob: Vec::new(),
            doctest_report: None,
            import_mode: None,
            confcutdir: None,
            noconftest: false,
            keep_duplicates: false,
            collect_in_virtualenv: false,
            plugins: Vec::new(),
            continue_on_collection_errors: false,
            maxfail: 0,
            max_warnings: None,
            pythonwarnings: Vec::new(),
            no_header: false,
            no_summary: false,
            reportchars: "fE".to_string(),
            disable_warnings: false,
            tbstyle: "auto".to_string(),
            log_level: None,
            log_format: None,
            log_date_format: None,
            help: false,
            version: 0,
            engine: None,
            capture: None,
            showcapture: None,
            assert_mode: None,
            basetemp: None,
            junitxml: None,
            junit_prefix: None,
            showlocals: false,
            no_cache: false,
            last_failed_no_failures: None,
            durations: None,
            durations_min: None,
            max_worker_restart: None,
            shard: None,
            randomly_seed: None,
            json_report: None,
            timeout: None,
            numprocesses: None,
            dist: None,
            maxprocesses: None,
            testrunuid: None,
            color: "auto".to_string(),
            code_highlight: None,
            cov: crate::cov::CovArgs::default(),
            given: Vec::new(),
            unknown: Vec::new(),
            conftest_options: Vec::new(),
            plugin_option_tokens: Vec::new(),
        }
    }
}

impl Args {
    /// pytest's verbosity number.
    pub fn verbosity(&self) -> i32 {
        self.verbose
    }

    /// Whether `opt` was given.
    pub fn has(&self, opt: Opt) -> bool {
        self.given.contains(&opt)
    }
}

/// A parsed command line and the role of each of its tokens.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub args: Args,
    /// `(token, role)` in command-line order.
    pub tokens: Vec<(String, Role)>,
}

impl Parsed {
    /// The tokens to hand to pytest to stand for this command line's options: everything
    /// but the `file_or_dir` arguments and fastest's own options, in order and spelled as
    /// given (so an option pytest resolves, such as `--rootdir=$VAR`, means the same).
    /// `-n` goes along only for pytest-xdist (`xdist`).
    pub fn pytest_options(&self, served: Served) -> Vec<String> {
        self.for_pytest(served, false)
    }

    /// The whole command line for pytest, `file_or_dir` arguments in place, without
    /// fastest's own options: what to run when pytest must interpret it all (an option
    /// a conftest registers may take a value fastest would read as a path).
    pub fn pytest_argv(&self, served: Served) -> Vec<String> {
        self.for_pytest(served, true)
    }

    /// [`Parsed::pytest_options`] for pytest's collection in the import fallback: without
    /// the options of the cache and stepwise plugins that choose or order the items
    /// (`--lf`, `--ff`, `--nf`, `--lfnf`, `--sw`...), which fastest applies to the whole
    /// collection itself (pytest's own `--lf` would leave out, uncounted, the files it
    /// skips).
    pub fn pytest_collection_options(&self, served: Served) -> Vec<String> {
        const OWN: &[Opt] = &[
            Opt::LastFailed,
            Opt::FailedFirst,
            Opt::NewFirst,
            Opt::LastFailedNoFailures,
            Opt::StepWise,
            Opt::StepWiseSkip,
            Opt::StepWiseReset,
        ];
        self.tokens
            .iter()
            .filter(|(_, role)| match role {
                Role::Option(o) | Role::Value(o) => !OWN.contains(o),
                _ => true,
            })
            .filter(|(_, role)| Self::for_pytest_role(role, served, false))
            .map(|(t, _)| t.clone())
            .collect()
    }

    fn for_pytest_role(role: &Role, served: Served, positionals: bool) -> bool {
        match role {
            Role::Positional | Role::Separator => positionals,
            Role::Option(o) | Role::Value(o) => match plugin_of(*o) {
                FASTEST | JSON_REPORT_SPELLING => false,
                "xdist" => served.xdist,
                "timeout" => served.timeout,
                _ => true,
            },
            Role::Unknown => true,
        }
    }

    fn for_pytest(&self, served: Served, positionals: bool) -> Vec<String> {
        self.tokens
            .iter()
            .filter(|(_, role)| Self::for_pytest_role(role, served, positionals))
            .map(|(t, _)| t.clone())
            .collect()
    }
}

/// Which plugins whose options fastest also serves are installed: their options go to
/// pytest only then (pytest without them rejects `-n` and `--timeout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Served {
    pub xdist: bool,
    pub timeout: bool,
}

/// The plugin that registers `opt`.
pub fn plugin_of(opt: Opt) -> &'static str {
    SPECS
        .iter()
        .find(|s| s.opt == opt)
        .map_or(FASTEST, |s| s.plugin)
}

/// The plugins `-p no:NAME` arguments on this command line block before pytest imports
/// its default plugins (pytest's `consider_preparse(exclude_only=True)`, which scans the
/// raw arguments: `-p NAME` and `-pNAME`). Blocking `cacheprovider` blocks `stepwise` too.
pub fn blocked_plugins(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = argv.iter();
    while let Some(tok) = it.next() {
        let parg = if tok == "-p" {
            match it.next() {
                Some(p) => p.as_str(),
                None => break,
            }
        } else if let Some(rest) = tok.strip_prefix("-p") {
            rest
        } else {
            continue;
        };
        if let Some(name) = parg.trim().strip_prefix("no:") {
            if name == "cacheprovider" {
                out.push("stepwise".to_string());
            }
            out.push(name.to_string());
        }
    }
    out
}

/// The parser; `blocked` plugins' options are unknown to it.
pub struct Parser<'a> {
    cwd: &'a Path,
    blocked: &'a [String],
    /// Options conftests register, read off their source (long spellings only).
    conftest: &'a [CliOption],
    /// Options installed plugins register, read off their source likewise.
    plugin: &'a [CliOption],
}

/// How one token looks to argparse (`_parse_optional`).
enum Class<'s> {
    Positional,
    Separator,
    Unknown,
    /// A conftest's option (or a plugin's: `plugin`), with a value attached
    /// (`--db-url=x`) or not.
    Conftest {
        nargs: Nargs,
        attached: bool,
        plugin: bool,
    },
    Option {
        spec: &'s Spec,
        name: &'static str,
        attached: Option<String>,
    },
}

impl<'a> Parser<'a> {
    /// A parser resolving relative paths in values (`--confcutdir`, `--junitxml`,
    /// `--basetemp`) against `cwd`, without the options of the `blocked` plugins.
    pub fn new(cwd: &'a Path, blocked: &'a [String]) -> Self {
        Self {
            cwd,
            blocked,
            conftest: &[],
            plugin: &[],
        }
    }

    /// The same parser, also knowing the long options of installed plugins' `options`
    /// (their tokens go to [`Args::plugin_option_tokens`]).
    pub fn with_plugin_options(self, options: &'a [CliOption]) -> Self {
        Self {
            plugin: options,
            ..self
        }
    }

    /// The same parser, also knowing the long options of `options` (which the initial
    /// conftests register): each is taken with its values, which are then no paths.
    pub fn with_conftest_options(self, options: &'a [CliOption]) -> Self {
        Self {
            conftest: options,
            ..self
        }
    }

    fn conftest_nargs(&self, name: &str) -> Option<Nargs> {
        self.conftest
            .iter()
            .find(|o| o.names.iter().any(|n| n == name))
            .map(|o| o.nargs)
    }

    fn lookup(&self, name: &str) -> Option<(&'static Spec, &'static str)> {
        SPECS.iter().find_map(|s| {
            let n = s.names.iter().find(|n| **n == name)?;
            (!self.blocked.iter().any(|b| b == s.plugin)).then_some((s, *n))
        })
    }

    fn classify(&self, tok: &str) -> Class<'static> {
        if !tok.starts_with('-') {
            return Class::Positional;
        }
        if let Some((spec, name)) = self.lookup(tok) {
            return Class::Option {
                spec,
                name,
                attached: None,
            };
        }
        if tok.len() == 1 {
            return Class::Positional;
        }
        if let Some((opt, value)) = tok.split_once('=') {
            if let Some((spec, name)) = self.lookup(opt) {
                return Class::Option {
                    spec,
                    name,
                    attached: Some(value.to_string()),
                };
            }
        }
        // A single dash: `-kexpr` is `-k` with a value attached (long options are never
        // abbreviated: pytest sets `allow_abbrev=False`).
        if !tok.starts_with("--") {
            let split = tok.char_indices().nth(2).map_or(tok.len(), |(i, _)| i);
            if let Some((spec, name)) = self.lookup(&tok[..split]) {
                return Class::Option {
                    spec,
                    name,
                    attached: Some(tok[split..].to_string()),
                };
            }
        }
        if is_negative_number(tok) || tok.contains(' ') {
            return Class::Positional;
        }
        if tok.starts_with("--") {
            let (name, attached) = tok.split_once('=').map_or((tok, false), |(n, _)| (n, true));
            if let Some(nargs) = self.conftest_nargs(name) {
                return Class::Conftest {
                    nargs,
                    attached,
                    plugin: false,
                };
            }
            if let Some(o) = self
                .plugin
                .iter()
                .find(|o| o.names.iter().any(|n| n == name))
            {
                return Class::Conftest {
                    nargs: o.nargs,
                    attached,
                    plugin: true,
                };
            }
        }
        Class::Unknown
    }

    /// Parse one command line. Errors are argparse's (or pytest's validators'), for the
    /// first offending option from the left; unknown options are collected, not errors.
    pub fn parse(&self, tokens: &[String]) -> Result<Parsed, ArgError> {
        let mut classes: Vec<Class<'static>> = Vec::with_capacity(tokens.len());
        let mut rest_positional = false;
        for tok in tokens {
            if rest_positional {
                classes.push(Class::Positional);
            } else if tok == "--" {
                rest_positional = true;
                classes.push(Class::Separator);
            } else {
                classes.push(self.classify(tok));
            }
        }
        let mut args = Args::default();
        let mut roles: Vec<Role> = vec![Role::Positional; tokens.len()];
        let mut i = 0;
        while i < tokens.len() {
            match &classes[i] {
                Class::Positional => {
                    args.paths.push(tokens[i].clone());
                    roles[i] = Role::Positional;
                    i += 1;
                }
                Class::Separator => {
                    roles[i] = Role::Separator;
                    i += 1;
                }
                Class::Unknown => {
                    args.unknown.push(tokens[i].clone());
                    roles[i] = Role::Unknown;
                    i += 1;
                }
                Class::Conftest {
                    nargs,
                    attached,
                    plugin,
                } => {
                    // Its values, as argparse matches them: the tokens up to the next
                    // option. A count argparse would refuse stays unknown: pytest says so.
                    let free = classes[i + 1..]
                        .iter()
                        .take_while(|c| matches!(c, Class::Positional))
                        .count();
                    let take = match (*nargs, *attached) {
                        (Nargs::Exact(1) | Nargs::Optional | Nargs::AtLeast(0 | 1), true) => {
                            Some(0)
                        }
                        (_, true) => None,
                        (Nargs::Exact(n), false) => (free >= n).then_some(n),
                        (Nargs::Optional, false) => Some(free.min(1)),
                        (Nargs::AtLeast(n), false) => (free >= n).then_some(free),
                    };
                    roles[i] = Role::Unknown;
                    let Some(take) = take else {
                        args.unknown.push(tokens[i].clone());
                        i += 1;
                        continue;
                    };
                    let into = if *plugin {
                        &mut args.plugin_option_tokens
                    } else {
                        &mut args.conftest_options
                    };
                    for (tok, role) in tokens[i..=i + take].iter().zip(&mut roles[i..]) {
                        into.push(tok.clone());
                        *role = Role::Unknown;
                    }
                    i += take + 1;
                }
                Class::Option {
                    spec,
                    name,
                    attached,
                } => {
                    roles[i] = Role::Option(spec.opt);
                    i = self.consume(
                        spec,
                        name,
                        attached.clone(),
                        tokens,
                        &classes,
                        i,
                        &mut args,
                        &mut roles,
                    )?;
                }
            }
        }
        Ok(Parsed {
            args,
            tokens: tokens.iter().cloned().zip(roles).collect(),
        })
    }

    /// argparse's `consume_optional`: the option at `start`, flags combined into it
    /// (`-qx`), and its value. Nothing is applied if any part is wrong.
    #[allow(clippy::too_many_arguments)]
    fn consume(
        &self,
        spec: &'static Spec,
        name: &'static str,
        attached: Option<String>,
        tokens: &[String],
        classes: &[Class<'static>],
        start: usize,
        args: &mut Args,
        roles: &mut [Role],
    ) -> Result<usize, ArgError> {
        let mut actions: Vec<(&'static Spec, &'static str, Option<String>)> = Vec::new();
        let (mut spec, mut name, mut attached) = (spec, name, attached);
        let stop = loop {
            match attached {
                Some(value) if spec.arity == Arity::Zero => {
                    // `-qx`: a single-dash flag with more letters after it.
                    if !name.starts_with("--") && !value.is_empty() {
                        actions.push((spec, name, None));
                        let mut chars = value.chars();
                        let first = chars.next().map(String::from).unwrap_or_default();
                        let tail: String = chars.collect();
                        match self.lookup(&format!("-{first}")) {
                            Some((next, next_name)) => {
                                spec = next;
                                name = next_name;
                                attached = (!tail.is_empty()).then_some(tail);
                            }
                            None => {
                                return Err(argparse_error(
                                    spec,
                                    &format!("ignored explicit argument {}", py_repr(&value)),
                                ))
                            }
                        }
                    } else {
                        return Err(argparse_error(
                            spec,
                            &format!("ignored explicit argument {}", py_repr(&value)),
                        ));
                    }
                }
                Some(value) => {
                    actions.push((spec, name, Some(value)));
                    break start + 1;
                }
                None => {
                    let mut next = start + 1;
                    let value = match spec.arity {
                        Arity::Zero => None,
                        Arity::One | Arity::Optional => {
                            // A `--` right after the option is swallowed by argparse's
                            // pattern match; the value is the argument after it.
                            let at = if matches!(classes.get(next), Some(Class::Separator))
                                && matches!(classes.get(next + 1), Some(Class::Positional))
                            {
                                next + 1
                            } else {
                                next
                            };
                            match classes.get(at) {
                                Some(Class::Positional) => {
                                    for r in roles.iter_mut().take(at + 1).skip(next) {
                                        *r = Role::Value(spec.opt);
                                    }
                                    next = at + 1;
                                    Some(tokens[at].clone())
                                }
                                _ if spec.arity == Arity::One => {
                                    return Err(argparse_error(spec, "expected one argument"))
                                }
                                _ => None,
                            }
                        }
                    };
                    actions.push((spec, name, value));
                    break next;
                }
            }
        };
        for (spec, _, value) in actions {
            self.apply(spec, value, args)?;
        }
        Ok(stop)
    }

    /// argparse's `take_action`: convert and check the value, then store it.
    fn apply(&self, spec: &Spec, value: Option<String>, args: &mut Args) -> Result<(), ArgError> {
        use Opt::*;
        args.given.push(spec.opt);
        // pytest-cov warns that coverage is disabled when a `--cov...` option follows
        // `--no-cov`.
        if args.cov.no_cov && (spec.names[0].starts_with("--cov")) {
            args.cov.warn_disabled = true;
        }
        let value_given = value.clone();
        let v = value.unwrap_or_default();
        match spec.opt {
            Keyword => args.keyword = Some(v),
            MarkExpr => args.markexpr = Some(v),
            ExitFirst => args.maxfail = 1,
            MaxFail => args.maxfail = parse_int(spec, &v)?,
            StrictConfig => args.override_ini.push("strict_config=true".into()),
            StrictMarkers => {
                args.strict_markers = true;
                args.override_ini.push("strict_markers=true".into());
            }
            Strict => {
                args.strict = true;
                args.override_ini.push("strict=true".into());
            }
            PythonWarnings => args.pythonwarnings.push(v),
            MaxWarnings => args.max_warnings = Some(parse_int(spec, &v)?),
            CollectOnly => args.collect_only = true,
            Ignore => args.ignore.push(v),
            IgnoreGlob => args.ignore_glob.push(v),
            Deselect => args.deselect.push(v),
            ConfCutDir => {
                if !self.cwd.join(&v).is_dir() {
                    return Err(ArgError::Usage(format!(
                        "--confcutdir must be a directory, given: {v}"
                    )));
                }
                args.confcutdir = Some(v);
            }
            NoConftest => args.noconftest = true,
            KeepDuplicates => args.keep_duplicates = true,
            CollectInVirtualenv => args.collect_in_virtualenv = true,
            ContinueOnCollectionErrors => args.continue_on_collection_errors = true,
            ImportMode => {
                check_choice(spec, &v, &["prepend", "append", "importlib"])?;
                args.import_mode = Some(v);
            }
            ConfigFile => args.inifile = Some(v),
            RootDir => args.rootdir = Some(v),
            BaseTemp => {
                check_basetemp(spec, &v, self.cwd)?;
                args.basetemp = Some(v);
            }
            Durations => args.durations = Some(parse_int(spec, &v)?),
            DurationsMin => {
                parse_float(spec, &v)?;
                args.durations_min = Some(py_float(&v));
            }
            Version => args.version += 1,
            Help => args.help = true,
            Plugin => args.plugins.push(v),
            OverrideIni => args.override_ini.push(v),
            Verbose => args.verbose += 1,
            Quiet => args.verbose -= 1,
            Verbosity => args.verbose = i32::try_from(parse_int(spec, &v)?).unwrap_or(i32::MAX),
            NoHeader => args.no_header = true,
            NoSummary => args.no_summary = true,
            ReportChars => args.reportchars = v,
            DisableWarnings => args.disable_warnings = true,
            Tb => {
                check_choice(spec, &v, &["auto", "long", "short", "no", "line", "native"])?;
                args.tbstyle = v;
            }
            LogLevel => args.log_level = Some(v),
            LogFormat => args.log_format = Some(v),
            LogDateFormat => args.log_date_format = Some(v),
            ShowCapture => {
                check_choice(spec, &v, &["no", "stdout", "stderr", "log", "all"])?;
                args.showcapture = Some(v);
            }
            Color => {
                check_choice(spec, &v, &["yes", "no", "auto"])?;
                args.color = v;
            }
            CodeHighlight => {
                check_choice(spec, &v, &["yes", "no"])?;
                args.code_highlight = Some(v);
            }
            PdbCls => {
                if v.split(':').count() != 2 {
                    return Err(argparse_error(
                        spec,
                        &format!("{} is not in the format 'modname:classname'", py_repr(&v)),
                    ));
                }
            }
            Capture => {
                check_choice(spec, &v, &["fd", "sys", "no", "tee-sys"])?;
                args.capture = Some(v);
            }
            Pastebin => check_choice(spec, &v, &["failed", "all"])?,
            Assert => {
                check_choice(spec, &v, &["rewrite", "plain"])?;
                args.assert_mode = Some(v);
            }
            NoCapture => args.capture = Some("no".into()),
            JunitPrefix => args.junit_prefix = Some(v),
            ShowLocals => args.showlocals = true,
            NoShowLocals => args.showlocals = false,
            JunitXml => {
                if self.cwd.join(&v).is_dir() {
                    return Err(ArgError::Usage(format!(
                        "--junitxml must be a filename, given: {v}"
                    )));
                }
                args.junitxml = Some(v);
            }
            DoctestModules => args.doctest_modules = true,
            DoctestReport => {
                let v = v.to_lowercase();
                check_choice(
                    spec,
                    &v,
                    &["none", "cdiff", "ndiff", "udiff", "only_first_failure"],
                )?;
                args.doctest_report = Some(v);
            }
            DoctestGlob => args.doctest_glob.push(v),
            LastFailedNoFailures => {
                check_choice(spec, &v, &["all", "none"])?;
                args.last_failed_no_failures = Some(v);
            }
            LogFileMode => check_choice(spec, &v, &["w", "a"])?,
            Engine => args.engine = Some(v),
            NoFastestCache => args.no_cache = true,
            RandomlySeed => {
                args.randomly_seed = Some(
                    crate::randomly::SeedArg::parse(&v).map_err(|e| argparse_error(spec, &e))?,
                )
            }
            JsonReport | FastestJsonReport => {
                if self.cwd.join(&v).is_dir() {
                    return Err(ArgError::Usage(format!(
                        "{} must be a filename, given: {v}",
                        spec.names[0]
                    )));
                }
                args.json_report = Some(v);
            }
            Cov => args.cov.add_source(value_given),
            CovReset => args.cov.source.clear(),
            CovReport => args.cov.add_report(&v).map_err(|e| match e {
                Ok(whole) => ArgError::Argparse(whole),
                Err(msg) => argparse_error(spec, &msg),
            })?,
            CovConfig => args.cov.config = v,
            NoCovOnFail => args.cov.no_cov_on_fail = true,
            NoCov => args.cov.no_cov = true,
            CovFailUnder => args
                .cov
                .set_fail_under(&v)
                .map_err(|e| argparse_error(spec, &e))?,
            CovAppend => args.cov.append = true,
            CovBranch => args.cov.branch = true,
            CovPrecision => args.cov.precision = Some(parse_int(spec, &v)?),
            CovContext => args
                .cov
                .set_context(&v)
                .map_err(|e| argparse_error(spec, &e))?,
            Shard => {
                args.shard = Some(crate::shard::parse(&v).map_err(|e| argparse_error(spec, &e))?);
            }
            NumProcesses => {
                // pytest-xdist's `type=parse_numprocesses`: auto, logical or an int.
                if v != "auto" && v != "logical" && parse_int(spec, &v).is_err() {
                    return Err(argparse_error(
                        spec,
                        &format!("invalid parse_numprocesses value: {}", py_repr(&v)),
                    ));
                }
                args.numprocesses = Some(v)
            }
            Dist => {
                check_choice(
                    spec,
                    &v,
                    &[
                        "each",
                        "load",
                        "loadscope",
                        "loadfile",
                        "loadgroup",
                        "worksteal",
                        "no",
                    ],
                )?;
                args.dist = Some(v);
            }
            // pytest-xdist's `--max-worker-restart` is a string it converts later (a
            // bad value is its INTERNALERROR); a count is all fastest accepts.
            MaxWorkerRestart => args.max_worker_restart = Some(parse_int(spec, &v)?),
            MaxProcesses => args.maxprocesses = Some(parse_int(spec, &v)?),
            TestRunUid => args.testrunuid = Some(v),
            MaxSchedChunk => {
                parse_int(spec, &v)?;
            }
            Timeout => {
                parse_float(spec, &v)?;
                args.timeout = Some(py_float(&v));
            }
            // Accepted and recorded in `given`; they only matter to pytest.
            Markers
            | LoadscopeReorder
            | NoLoadscopeReorder
            | DistLoad
            | PyArgs
            | Fixtures
            | FixturesPerTest
            | DisablePluginAutoload
            | TraceConfig
            | Debug
            | NoFoldSkipped
            | ForceShortSummary
            | NoProgressBar
            | XfailTb
            | FullTrace
            | Pdb
            | Trace
            | RunXfail
            | DoctestIgnoreImportErrors
            | DoctestContinueOnFailure
            | LastFailed
            | FailedFirst
            | NewFirst
            | CacheShow
            | CacheClear
            | SetupOnly
            | SetupShow
            | SetupPlan
            | StepWise
            | StepWiseSkip
            | StepWiseReset
            | LogCliLevel
            | LogCliFormat
            | LogCliDateFormat
            | LogFile
            | LogFileLevel
            | LogFileFormat
            | LogFileDateFormat
            | LogAutoIndent
            | LogDisable
            | RandomlyDontResetSeed
            | RandomlyDontReorganize => {}
        }
        Ok(())
    }
}

/// The value of the last `opt` in a parsed command line (`--log-level=X`), if any.
pub fn last_value(parsed: &Parsed, opt: Opt) -> Option<String> {
    let mut out = None;
    let mut iter = parsed.tokens.iter().peekable();
    while let Some((tok, role)) = iter.next() {
        if *role != Role::Option(opt) {
            continue;
        }
        if let Some((_, value)) = tok.split_once('=').filter(|_| tok.starts_with("--")) {
            out = Some(value.to_string());
        } else if let Some((v, Role::Value(_))) = iter.peek() {
            out = Some(v.clone());
        }
    }
    out
}

/// `argument -x/--exitfirst: {msg}`: argparse names an option by all its spellings.
fn argparse_error(spec: &Spec, msg: &str) -> ArgError {
    ArgError::Argparse(format!("argument {}: {msg}", spec.names.join("/")))
}

fn check_choice(spec: &Spec, value: &str, choices: &[&str]) -> Result<(), ArgError> {
    if choices.contains(&value) {
        return Ok(());
    }
    let listed: Vec<String> = choices.iter().map(|c| py_repr(c)).collect();
    Err(argparse_error(
        spec,
        &format!(
            "invalid choice: {} (choose from {})",
            py_repr(value),
            listed.join(", ")
        ),
    ))
}

/// Python's `int(str)`: surrounding whitespace, a sign, and `_` between digits.
fn parse_int(spec: &Spec, raw: &str) -> Result<i64, ArgError> {
    let invalid = || argparse_error(spec, &format!("invalid int value: {}", py_repr(raw)));
    let s = raw.trim();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return Err(invalid());
    }
    let n: i64 = digits.replace('_', "").parse().map_err(|_| invalid())?;
    Ok(if neg { -n } else { n })
}

/// Python's `float(str)`, near enough to tell valid values from invalid ones.
/// A value [`parse_float`] accepted, as Python's `float()` reads it.
fn py_float(raw: &str) -> f64 {
    let s = raw.trim().replace('_', "");
    let lower = s.to_ascii_lowercase();
    let neg = lower.starts_with('-');
    match lower.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => {
            if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        "nan" => f64::NAN,
        _ => s.parse().unwrap_or(0.0),
    }
}

fn parse_float(spec: &Spec, raw: &str) -> Result<(), ArgError> {
    let s = raw.trim();
    let lower = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    let ok = matches!(lower.as_str(), "inf" | "infinity" | "nan")
        || (!s.contains("__")
            && !s.starts_with('_')
            && !s.ends_with('_')
            && s.replace('_', "").parse::<f64>().is_ok()
            && s.chars().any(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(argparse_error(
            spec,
            &format!("invalid float value: {}", py_repr(raw)),
        ))
    }
}

/// pytest's `validate_basetemp`: not empty, not the cwd or one of its ancestors.
fn check_basetemp(spec: &Spec, value: &str, cwd: &Path) -> Result<(), ArgError> {
    let bad = || {
        argparse_error(
            spec,
            "basetemp must not be empty, the current working directory or any parent \
             directory of it",
        )
    };
    if value.is_empty() {
        return Err(bad());
    }
    let abs = crate::app::normalize(&cwd.join(value));
    if cwd.starts_with(&abs) {
        return Err(bad());
    }
    if let (Ok(c), Ok(p)) = (cwd.canonicalize(), abs.canonicalize()) {
        if c.starts_with(&p) {
            return Err(bad());
        }
    }
    Ok(())
}

/// argparse's `_negative_number_matcher`: `-1`, `-1.5`, `-.5` are positional arguments.
fn is_negative_number(tok: &str) -> bool {
    let Some(rest) = tok.strip_prefix('-') else {
        return false;
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => !f.is_empty() && digits(f) && digits(int),
    }
}

pub(crate) fn py_repr(s: &str) -> String {
    fastest_core::config::py_repr_str(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> Result<Parsed, ArgError> {
        let toks: Vec<String> = argv.iter().map(|s| (*s).to_string()).collect();
        Parser::new(Path::new("/"), &[]).parse(&toks)
    }

    fn err(argv: &[&str]) -> String {
        parse(argv).unwrap_err().to_string()
    }

    #[test]
    fn plugin_options_are_kept_apart_from_the_conftests() {
        let opt = |n: &str, nargs| CliOption {
            names: vec![n.to_string()],
            nargs,
        };
        let conftest = [opt("--runslow", Nargs::Exact(0))];
        let plugin = [
            opt("--reruns", Nargs::Exact(1)),
            opt("--rerun-show-tracebacks", Nargs::Exact(0)),
        ];
        let toks: Vec<String> = [
            "--reruns",
            "2",
            "tests",
            "--runslow",
            "--rerun-show-tracebacks",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let p = Parser::new(Path::new("/"), &[])
            .with_conftest_options(&conftest)
            .with_plugin_options(&plugin)
            .parse(&toks)
            .unwrap();
        assert_eq!(p.args.paths, ["tests"]);
        assert!(p.args.unknown.is_empty());
        assert_eq!(p.args.conftest_options, ["--runslow"]);
        assert_eq!(
            p.args.plugin_option_tokens,
            ["--reruns", "2", "--rerun-show-tracebacks"]
        );
        let seen: Vec<&String> = p.args.plugin_options().collect();
        assert_eq!(
            seen,
            ["--runslow", "--reruns", "2", "--rerun-show-tracebacks"]
        );
    }

    #[test]
    fn conftest_options_take_their_values() {
        let opt = |n: &str, nargs| CliOption {
            names: vec![n.to_string()],
            nargs,
        };
        let options = [
            opt("--runslow", Nargs::Exact(0)),
            opt("--db-url", Nargs::Exact(1)),
            opt("--pair", Nargs::Exact(2)),
            opt("--maybe", Nargs::Optional),
            opt("--many", Nargs::AtLeast(1)),
        ];
        let run = |argv: &[&str]| {
            let toks: Vec<String> = argv.iter().map(|s| (*s).to_string()).collect();
            Parser::new(Path::new("/"), &[])
                .with_conftest_options(&options)
                .parse(&toks)
                .unwrap()
        };
        let p = run(&[
            "--runslow",
            "tests",
            "--db-url",
            "pg://",
            "-v",
            "--pair",
            "a",
            "b",
            "x.py",
        ]);
        assert_eq!(p.args.paths, ["tests", "x.py"]);
        assert!(p.args.unknown.is_empty());
        assert_eq!(
            p.args.conftest_options,
            ["--runslow", "--db-url", "pg://", "--pair", "a", "b"]
        );
        assert_eq!(p.args.verbose, 1);
        // The conftest's options reach pytest, with their values, paths left out.
        assert_eq!(
            p.pytest_options(Served::default()),
            ["--runslow", "--db-url", "pg://", "-v", "--pair", "a", "b"]
        );
        let p = run(&[
            "--db-url=pg://",
            "--maybe",
            "--many",
            "a",
            "b",
            "-q",
            "--maybe",
            "v",
            "t",
        ]);
        assert_eq!(p.args.paths, ["t"]);
        assert_eq!(
            p.args.conftest_options,
            [
                "--db-url=pg://",
                "--maybe",
                "--many",
                "a",
                "b",
                "--maybe",
                "v"
            ]
        );
        // What argparse refuses (a missing value, a value given to a flag) and the
        // unregistered stay unknown: pytest reads that command line itself.
        for argv in [
            &["--db-url", "-v"][..],
            &["--pair", "a"],
            &["--runslow=1"],
            &["--many"],
            &["--other", "x"],
            &["--db"],
        ] {
            assert!(!run(argv).args.unknown.is_empty(), "{argv:?}");
        }
    }

    #[test]
    fn later_options_override_earlier_ones() {
        let a = parse(&["-k", "beta", "-k", "alpha", "--tb=short", "--tb", "line"])
            .unwrap()
            .args;
        assert_eq!(a.keyword.as_deref(), Some("alpha"));
        assert_eq!(a.tbstyle, "line");
        let a = parse(&["--maxfail=3", "-x"]).unwrap().args;
        assert_eq!(a.maxfail, 1);
        let a = parse(&["--import-mode=importlib", "--import-mode=prepend"])
            .unwrap()
            .args;
        assert_eq!(a.import_mode.as_deref(), Some("prepend"));
    }

    #[test]
    fn verbosity_is_applied_in_order() {
        assert_eq!(parse(&["-qq"]).unwrap().args.verbose, -2);
        assert_eq!(parse(&["-v", "--verbosity=0"]).unwrap().args.verbose, 0);
        assert_eq!(
            parse(&["--verbosity=2", "-v", "-q", "-q"])
                .unwrap()
                .args
                .verbose,
            1
        );
    }

    #[test]
    fn short_options_combine_and_take_attached_values() {
        let a = parse(&["-qxk", "expr", "-rfE", "-mslow", "-k=last"])
            .unwrap()
            .args;
        assert_eq!(a.verbose, -1);
        assert_eq!(a.maxfail, 1);
        assert_eq!(a.reportchars, "fE");
        assert_eq!(a.markexpr.as_deref(), Some("slow"));
        assert_eq!(a.keyword.as_deref(), Some("last"));
        // A space after the option letter is part of the value.
        assert_eq!(
            parse(&["-k test_a"]).unwrap().args.keyword.as_deref(),
            Some(" test_a")
        );
    }

    #[test]
    fn positionals_anywhere_and_after_the_separator() {
        let p = parse(&["a", "-k", "x", "b", "--", "-c", "-1"]).unwrap();
        assert_eq!(p.args.paths, ["a", "b", "-c", "-1"]);
        assert_eq!(p.args.inifile, None);
        assert_eq!(parse(&["-1", "-.5"]).unwrap().args.paths, ["-1", "-.5"]);
    }

    #[test]
    fn pytest_cov_options_read_as_its_argparse_actions() {
        // `--cov` takes the next argument when it is no option, as `nargs="?"` does.
        let p = parse(&["--cov", "src", "tests", "--cov", "--cov-report=html:out"]).unwrap();
        assert_eq!(p.args.paths, ["tests"]);
        assert_eq!(p.args.cov.source, [Some("src".to_string()), None]);
        assert_eq!(
            p.args.cov.report,
            [("html".to_string(), Some("out".to_string()))]
        );
        assert!(p.args.cov.measures());
        assert!(!parse(&["--cov=x", "--cov-reset"])
            .unwrap()
            .args
            .cov
            .measures());
        let warned = parse(&["--no-cov", "--cov-branch"]).unwrap().args.cov;
        assert!(warned.warn_disabled && !warned.measures());
        assert_eq!(
            err(&["--cov-precision=x"]),
            "argument --cov-precision: invalid int value: 'x'"
        );
        assert_eq!(
            err(&["--cov-context=x"]),
            "argument --cov-context: The only supported value is \"test\"."
        );
        // Unknown while the plugin does not load (pytest then rejects them).
        let blocked = [crate::cov::PLUGIN.to_string()];
        let toks: Vec<String> = ["--cov", "src"].iter().map(|s| s.to_string()).collect();
        let p = Parser::new(Path::new("/"), &blocked).parse(&toks).unwrap();
        assert_eq!(p.args.unknown, ["--cov"]);
        assert_eq!(p.args.paths, ["src"]);
    }

    #[test]
    fn unknown_options_are_kept_not_rejected() {
        let p = parse(&["--runslow", "-m", "slow", "--env", "staging", "--x=1"]).unwrap();
        assert_eq!(p.args.unknown, ["--runslow", "--env", "--x=1"]);
        // Without its conftest, `staging` reads as a path, as in pytest's early parse.
        assert_eq!(p.args.paths, ["staging"]);
        assert_eq!(
            p.pytest_argv(Served::default()),
            ["--runslow", "-m", "slow", "--env", "staging", "--x=1"]
        );
        // No abbreviations: `--collect` is not `--collect-only`.
        assert_eq!(parse(&["--collect"]).unwrap().args.unknown, ["--collect"]);
    }

    #[test]
    fn argparse_messages() {
        assert_eq!(err(&["-k"]), "argument -k: expected one argument");
        assert_eq!(err(&["-k", "-x"]), "argument -k: expected one argument");
        assert_eq!(err(&["-qk"]), "argument -k: expected one argument");
        assert_eq!(
            err(&["--tb=foo"]),
            "argument --tb: invalid choice: 'foo' (choose from 'auto', 'long', 'short', 'no', 'line', 'native')"
        );
        assert_eq!(
            err(&["--maxfail=x"]),
            "argument --maxfail: invalid int value: 'x'"
        );
        assert_eq!(
            err(&["--durations-min", "x"]),
            "argument --durations-min: invalid float value: 'x'"
        );
        assert_eq!(
            err(&["--co=1"]),
            "argument --collectonly/--collect-only/--co: ignored explicit argument '1'"
        );
        assert_eq!(
            err(&["-xfoo"]),
            "argument -x/--exitfirst: ignored explicit argument 'foo'"
        );
        assert_eq!(
            err(&["--doctest-report=BAD"]),
            "argument --doctest-report: invalid choice: 'bad' (choose from 'none', 'cdiff', 'ndiff', 'udiff', 'only_first_failure')"
        );
        assert_eq!(
            err(&["--pdbcls=x"]),
            "argument --pdbcls: 'x' is not in the format 'modname:classname'"
        );
        assert_eq!(
            err(&["--confcutdir=/nonexistent-dir"]),
            "--confcutdir must be a directory, given: /nonexistent-dir"
        );
        assert!(matches!(
            parse(&["--confcutdir=/nonexistent-dir"]).unwrap_err(),
            ArgError::Usage(_)
        ));
        // The first error from the left wins.
        assert_eq!(
            err(&["--tb=x", "-k"]).split(':').next(),
            Some("argument --tb")
        );
    }

    #[test]
    fn numbers_follow_python() {
        assert_eq!(parse(&["--maxfail", " +1_0 "]).unwrap().args.maxfail, 10);
        assert!(parse(&["--maxfail", "1__0"]).is_err());
        assert!(parse(&["--durations-min", "1e-3"]).is_ok());
        assert!(parse(&["--durations-min=-inf"]).is_ok());
        // `-inf` on its own looks like an option to argparse.
        assert!(parse(&["--durations-min", "-inf"]).is_err());
        assert!(parse(&["--durations-min", "."]).is_err());
    }

    #[test]
    fn strict_flags_are_ini_overrides() {
        let a = parse(&["--strict-config", "-o", "x=1", "--strict"])
            .unwrap()
            .args;
        assert_eq!(a.override_ini, ["strict_config=true", "x=1", "strict=true"]);
    }

    #[test]
    fn optional_values_and_separator_after_option() {
        assert!(parse(&["--debug"]).is_ok());
        let p = parse(&["--debug", "x.log", "a"]).unwrap();
        assert_eq!(p.args.paths, ["a"]);
        let p = parse(&["-k", "--", "expr", "path"]).unwrap();
        assert_eq!(p.args.keyword.as_deref(), Some("expr"));
        assert_eq!(p.args.paths, ["path"]);
    }

    #[test]
    fn pytest_options_drop_paths_and_fastest_options() {
        let p = parse(&[
            "tests",
            "-k",
            "x",
            "--engine",
            "native",
            "--tb=short",
            "-n2",
            "a.py",
        ])
        .unwrap();
        assert_eq!(
            p.pytest_options(Served::default()),
            ["-k", "x", "--tb=short"]
        );
        assert_eq!(
            p.pytest_options(Served {
                xdist: true,
                timeout: false
            }),
            ["-k", "x", "--tb=short", "-n2"]
        );
        assert_eq!(
            p.pytest_argv(Served::default()),
            ["tests", "-k", "x", "--tb=short", "a.py"]
        );
        assert_eq!(last_value(&p, Opt::Tb).as_deref(), Some("short"));
        assert_eq!(last_value(&p, Opt::Keyword).as_deref(), Some("x"));
    }

    #[test]
    fn junitxml_and_prefix_keep_their_last_values() {
        let p = parse(&[
            "--junitxml=a.xml",
            "--junit-xml",
            "out/b.xml",
            "--junit-prefix=pre",
            "--junitprefix",
            "post",
        ])
        .unwrap();
        assert_eq!(p.args.junitxml.as_deref(), Some("out/b.xml"));
        assert_eq!(p.args.junit_prefix.as_deref(), Some("post"));
        assert_eq!(parse(&["-q"]).unwrap().args.junitxml, None);
    }

    #[test]
    fn blocked_plugins_remove_their_options() {
        let argv: Vec<String> = ["-p", "no:cacheprovider", "--lf", "-pno:junitxml"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let blocked = blocked_plugins(&argv);
        assert_eq!(blocked, ["stepwise", "cacheprovider", "junitxml"]);
        let p = Parser::new(Path::new("/"), &blocked).parse(&argv).unwrap();
        assert_eq!(p.args.unknown, ["--lf"]);
        assert_eq!(p.args.plugins, ["no:cacheprovider", "no:junitxml"]);
    }

    #[test]
    fn json_report_spelling_yields_to_pytest_json_report() {
        let p = parse(&["--json-report=r.jsonl"]).unwrap();
        assert_eq!(p.args.json_report.as_deref(), Some("r.jsonl"));
        // fastest's own option never reaches pytest.
        assert!(p.pytest_argv(Served::default()).is_empty());
        // With pytest-json-report installed the spelling is the plugin's flag.
        let blocked = vec![JSON_REPORT_SPELLING.to_string()];
        let argv: Vec<String> = ["--json-report", "--fastest-json-report", "f.jsonl"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let p = Parser::new(Path::new("/"), &blocked).parse(&argv).unwrap();
        assert_eq!(p.args.unknown, ["--json-report"]);
        assert_eq!(p.args.json_report.as_deref(), Some("f.jsonl"));
        assert_eq!(p.pytest_argv(Served::default()), ["--json-report"]);
    }

    #[test]
    fn every_spelling_is_unique() {
        let mut all: Vec<&str> = SPECS.iter().flat_map(|s| s.names.iter().copied()).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
