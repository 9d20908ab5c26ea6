//! `fastest-cli`: the `fastest` command. pytest-compatible arguments ([`args`]), the
//! start-up checks and how a session runs ([`invocation`]), one invocation from argv to
//! exit code ([`app`]), the `--collect-only` renderer
//! ([`collect_only`]), the import fallback bridge ([`fallback`]) and facts about the host
//! interpreter ([`host`]). With the `python` feature it is also the `fastest._fastest`
//! extension module whose `main()` the `fastest` console script calls.

pub mod app;
pub mod args;
pub mod cacheprovider;
pub mod collect_args;
pub mod collect_only;
pub mod cov;
pub mod fallback;
pub mod host;
pub mod invocation;
pub mod json_report;
pub mod merge;
pub mod randomly;
pub mod run;
pub mod shard;

#[cfg(feature = "python")]
mod python;

/// Run fastest with `argv` (without the program name) against `host`, writing to the
/// process's stdout/stderr. Returns pytest's exit code.
pub fn main_with(argv: &[String], host: &host::Host) -> i32 {
    init_tracing();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut err = stderr.lock();
    let code = if merge::is_merge(argv, &host.cwd) {
        merge::run(&argv[1..], &host.cwd, &mut out, &mut err)
    } else {
        app::run(argv, host, &mut out, &mut err)
    };
    let _ = std::io::Write::flush(&mut out);
    tracing::debug!(code, "done");
    code
}

fn init_tracing() {
    // `FASTEST_LOG=debug` turns on diagnostics; they go to stderr, never stdout.
    let filter = tracing_subscriber::EnvFilter::try_from_env("FASTEST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}
