//! The command line, spelled as pytest spells it: every flag a pytest user passes is
//! accepted here (options fastest does not act on yet are accepted and passed through to
//! the pytest engine), so `fastest` can replace `pytest` in scripts unchanged.

use clap::{ArgAction, Parser};

/// A pytest-compatible test runner written in Rust.
#[derive(Debug, Parser, Default, Clone)]
#[command(
    name = "fastest",
    disable_version_flag = true,
    override_usage = "fastest [options] [file_or_dir] [file_or_dir] [...]"
)]
#[allow(clippy::struct_excessive_bools)]
pub struct Args {
    /// Files, directories or node ids (`path::Class::test[id]`) to collect.
    #[arg(value_name = "file_or_dir")]
    pub paths: Vec<String>,

    /// Only collect tests, don't execute them.
    #[arg(long = "collect-only", visible_alias = "co")]
    pub collect_only: bool,
    /// Decrease verbosity (repeatable).
    #[arg(short = 'q', long = "quiet", action = ArgAction::Count)]
    pub quiet: u8,
    /// Increase verbosity (repeatable).
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
    /// Set verbosity to N.
    #[arg(long = "verbosity", value_name = "VERBOSE")]
    pub verbosity: Option<i32>,
    /// Only run tests matching the keyword expression.
    #[arg(short = 'k', value_name = "EXPRESSION")]
    pub keyword: Option<String>,
    /// Only run tests matching the mark expression.
    #[arg(short = 'm', value_name = "MARKEXPR")]
    pub markexpr: Option<String>,
    /// Load configuration from FILE instead of trying to locate one.
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    pub inifile: Option<String>,
    /// Define the root directory for tests.
    #[arg(long = "rootdir", value_name = "ROOTDIR")]
    pub rootdir: Option<String>,
    /// Override ini option with "option=value" style.
    #[arg(short = 'o', long = "override-ini", value_name = "OVERRIDE_INI")]
    pub override_ini: Vec<String>,
    /// Ignore path during collection (multi-allowed).
    #[arg(long = "ignore", value_name = "path")]
    pub ignore: Vec<String>,
    /// Ignore path pattern during collection (multi-allowed).
    #[arg(long = "ignore-glob", value_name = "path")]
    pub ignore_glob: Vec<String>,
    /// Deselect item (via node id prefix) during collection (multi-allowed).
    #[arg(long = "deselect", value_name = "nodeid_prefix")]
    pub deselect: Vec<String>,
    /// Markers not registered in the `markers` section of the configuration are errors.
    #[arg(long = "strict-markers")]
    pub strict_markers: bool,
    /// Enable strict mode.
    #[arg(long = "strict")]
    pub strict: bool,
    /// Run doctests in all .py modules.
    #[arg(long = "doctest-modules")]
    pub doctest_modules: bool,
    /// Doctests file matching pattern, default: test*.txt.
    #[arg(long = "doctest-glob", value_name = "pat")]
    pub doctest_glob: Vec<String>,
    /// Prepend/append to sys.path when importing test modules and conftest files.
    #[arg(long = "import-mode", value_name = "importmode")]
    pub import_mode: Option<String>,
    /// Only load conftest.py's relative to specified dir.
    #[arg(long = "confcutdir", value_name = "dir")]
    pub confcutdir: Option<String>,
    /// Don't load any conftest.py files.
    #[arg(long = "noconftest")]
    pub noconftest: bool,
    /// Keep duplicate tests.
    #[arg(long = "keep-duplicates")]
    pub keep_duplicates: bool,
    /// Don't ignore tests in a local virtualenv directory.
    #[arg(long = "collect-in-virtualenv")]
    pub collect_in_virtualenv: bool,
    /// Early-load plugin module name or entry point (`no:name` disables).
    #[arg(short = 'p', value_name = "name")]
    pub plugins: Vec<String>,

    // Options of a run, accepted everywhere so scripts keep working; they reach the
    // execution engine.
    /// Exit instantly on first error or failed test.
    #[arg(short = 'x', long = "exitfirst")]
    pub exitfirst: bool,
    /// Exit after first num failures or errors.
    #[arg(long = "maxfail", value_name = "num")]
    pub maxfail: Option<u32>,
    /// Shortcut for --capture=no.
    #[arg(short = 's')]
    pub no_capture: bool,
    /// Per-test capturing method: one of fd|sys|no|tee-sys.
    #[arg(long = "capture", value_name = "method")]
    pub capture: Option<String>,
    /// Traceback print mode (auto/long/short/line/native/no).
    #[arg(long = "tb", value_name = "style")]
    pub tb: Option<String>,
    /// Show extra test summary info as specified by chars.
    #[arg(short = 'r', value_name = "chars")]
    pub report_chars: Option<String>,
    /// Set which warnings to report.
    #[arg(short = 'W', long = "pythonwarnings", value_name = "PYTHONWARNINGS")]
    pub pythonwarnings: Vec<String>,
    /// Color terminal output (yes/no/auto).
    #[arg(long = "color", value_name = "color")]
    pub color: Option<String>,
    /// Number of workers (`auto` or N).
    #[arg(short = 'n', long = "numprocesses", value_name = "numprocesses")]
    pub numprocesses: Option<String>,
    /// Rerun only the tests that failed at the last run.
    #[arg(long = "lf", visible_alias = "last-failed")]
    pub last_failed: bool,
    /// Run all tests, but run the last failures first.
    #[arg(long = "ff", visible_alias = "failed-first")]
    pub failed_first: bool,
    /// Create junit-xml style report file at given path.
    #[arg(long = "junitxml", visible_alias = "junit-xml", value_name = "path")]
    pub junitxml: Option<String>,
    /// Disable header.
    #[arg(long = "no-header")]
    pub no_header: bool,
    /// Disable summary.
    #[arg(long = "no-summary")]
    pub no_summary: bool,
    /// Show N slowest setup/test durations (N=0 for all).
    #[arg(long = "durations", value_name = "N")]
    pub durations: Option<u32>,
    /// Remove all cache contents at start of test run.
    #[arg(long = "cache-clear")]
    pub cache_clear: bool,
    /// Base temporary directory for this test run.
    #[arg(long = "basetemp", value_name = "dir")]
    pub basetemp: Option<String>,
    /// Run tests even if they are marked xfail.
    #[arg(long = "runxfail")]
    pub runxfail: bool,
    /// Disable warnings summary.
    #[arg(long = "disable-warnings", visible_alias = "disable-pytest-warnings")]
    pub disable_warnings: bool,
    /// Show locals in tracebacks.
    #[arg(short = 'l', long = "showlocals")]
    pub showlocals: bool,
    /// fastest: which execution engine runs the tests (auto, native, pytest).
    #[arg(long = "engine", value_name = "engine")]
    pub engine: Option<String>,
    /// fastest: do not read or write the discovery cache.
    #[arg(long = "no-fastest-cache")]
    pub no_cache: bool,
}

impl Args {
    /// pytest's verbosity number: `-v` adds, `-q` subtracts, `--verbosity` sets.
    pub fn verbosity(&self) -> i32 {
        self.verbosity.unwrap_or(0) + i32::from(self.verbose) - i32::from(self.quiet)
    }
}
