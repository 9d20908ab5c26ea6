//! `--json-report=PATH` (also `--fastest-json-report=PATH`) on the command line: the
//! report's first line for a run fastest's coordinator drives, and the hand-over to
//! `python/fastest/_json_report.py` for a session pytest runs, so the flag never does
//! nothing. The format itself is `fastest_report::json`.
//!
//! The hand-over is one environment variable, [`ENV`], holding a JSON object (`path`,
//! `args`, `version`, `shard`); `invocation::run_pytest` adds `-p fastest._json_report`
//! when it is set. It is cleared at every start, so a fastest started by a test never
//! writes into its parent's report.

use std::path::{Path, PathBuf};

use fastest_report::json::SessionStart;
use serde_json::json;

use crate::args::Args;
use crate::host::Host;

/// The variable that carries the report's settings to pytest's session.
pub const ENV: &str = "FASTEST_JSON_REPORT";

/// The third-party plugin that also spells an option `--json-report` (a flag, with
/// `--json-report-file`): when installed, that spelling is its own.
pub const THIRD_PARTY_PLUGIN: &str = "pytest-json-report";

/// Whether pytest-json-report is among the installed pytest11 plugins.
pub fn plugin_installed(plugins: &[(String, String)]) -> bool {
    plugins.iter().any(|(name, _)| name == THIRD_PARTY_PLUGIN)
}

/// The report's path: relative to the invocation directory, `~` expanded as pytest
/// expands `--junitxml`.
pub fn resolve(raw: &str, cwd: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    fastest_report::junit::resolve_path(raw, cwd, home.as_deref())
}

/// The shard this run is, as the report writes it (`K/N`).
pub fn shard_text(args: &Args) -> Option<String> {
    crate::shard::requested(args.shard)
        .ok()
        .flatten()
        .map(|(k, n)| format!("{k}/{n}"))
}

/// Set (or clear) [`ENV`] for a session pytest may run.
pub fn hand_over(args: &Args, argv: &[String], host: &Host) {
    std::env::remove_var(ENV);
    let Some(raw) = &args.json_report else {
        return;
    };
    let settings = json!({
        "path": resolve(raw, &host.cwd).display().to_string(),
        "args": argv,
        "version": env!("CARGO_PKG_VERSION"),
        "shard": shard_text(args),
    });
    std::env::set_var(ENV, settings.to_string());
}

/// The first line of a run fastest's coordinator drives.
pub fn session_start(
    args: &Args,
    argv: &[String],
    rootdir: &Path,
    host: &Host,
    started: &str,
    workers: usize,
) -> SessionStart {
    SessionStart::new(
        env!("CARGO_PKG_VERSION"),
        &host.python_version,
        &rootdir.display().to_string(),
        argv,
        started,
        workers,
        shard_text(args),
        "fastest",
    )
}
