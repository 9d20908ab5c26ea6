//! `fastest merge`: one report from the reports of N shards (`--shard K/N` jobs).
//!
//! This module owns the subcommand: when `merge` is one (only when no file or
//! directory named `merge` exists in the invocation directory; then `fastest merge`
//! runs those tests, as `pytest merge` would), its command line (clap), reading the
//! inputs and writing the output. What a merge means per format is
//! `fastest_report::merge` (JUnit XML, JSON reports) and
//! `fastest_core::history::History::merge_newest` (histories).
//!
//! Exit codes: 0 merged, 1 an input could not be read or merged, 4 a usage error (as
//! pytest's).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use fastest_core::history::History;

use crate::app::exit;

/// The subcommand's name (the first argument).
pub const NAME: &str = "merge";

/// Combine the reports of several `--shard K/N` runs into one.
#[derive(Debug, Parser)]
#[command(
    name = "fastest merge",
    about = "Combine the reports of several `--shard K/N` runs into one.",
    group(clap::ArgGroup::new("kind").required(true).args(["junitxml", "json_report", "history"]))
)]
struct MergeArgs {
    /// Merge JUnit XML files into OUT: counts summed, testcases concatenated.
    #[arg(long, value_name = "OUT")]
    junitxml: Option<PathBuf>,
    /// Merge `--json-report` files into OUT: one session, totals recounted, the worst
    /// exit code.
    #[arg(long = "json-report", value_name = "OUT")]
    json_report: Option<PathBuf>,
    /// Merge `.fastest_cache/history-v1.json` files into OUT: each test's newest entry.
    #[arg(long, value_name = "OUT")]
    history: Option<PathBuf>,
    /// The shards' files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

/// Whether `argv` is the merge subcommand in `cwd`.
pub fn is_merge(argv: &[String], cwd: &Path) -> bool {
    argv.first().is_some_and(|a| a == NAME) && !cwd.join(NAME).exists()
}

/// Run `fastest merge ARGS` (`argv` without `merge`). Returns the exit code.
pub fn run(argv: &[String], cwd: &Path, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let args = match MergeArgs::try_parse_from(
        std::iter::once("fastest merge".to_string()).chain(argv.iter().cloned()),
    ) {
        Ok(a) => a,
        Err(e) => {
            let rendered = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(err, "{rendered}");
                return exit::USAGE_ERROR;
            }
            // --help / --version.
            let _ = write!(out, "{rendered}");
            return exit::OK;
        }
    };
    match merge(&args, cwd, err) {
        Ok(summary) => {
            let _ = writeln!(out, "{summary}");
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(err, "fastest merge: {e:#}");
            exit::TESTS_FAILED
        }
    }
}

fn read_all(inputs: &[PathBuf], cwd: &Path) -> anyhow::Result<Vec<(String, String)>> {
    use anyhow::Context;
    inputs
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(cwd.join(p))
                .with_context(|| format!("cannot read {}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

fn write_out(path: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn merge(args: &MergeArgs, cwd: &Path, err: &mut dyn Write) -> anyhow::Result<String> {
    let n = args.inputs.len();
    let files = if n == 1 { "file" } else { "files" };
    if let Some(out) = &args.junitxml {
        let merged = fastest_report::merge::merge_junit(&read_all(&args.inputs, cwd)?)?;
        write_out(&cwd.join(out), &merged)?;
        return Ok(format!("merged {n} JUnit {files} into {}", out.display()));
    }
    if let Some(out) = &args.json_report {
        let merged = fastest_report::merge::merge_json(&read_all(&args.inputs, cwd)?)?;
        for w in &merged.warnings {
            let _ = writeln!(err, "fastest merge: warning: {w}");
        }
        write_out(&cwd.join(out), &merged.text)?;
        return Ok(format!("merged {n} JSON {files} into {}", out.display()));
    }
    if let Some(out) = &args.history {
        let histories = args
            .inputs
            .iter()
            .map(|p| History::load_file(&cwd.join(p)))
            .collect::<Result<Vec<_>, _>>()?;
        let merged = History::merge_newest(&histories);
        merged.write_file(&cwd.join(out))?;
        return Ok(format!(
            "merged {n} history {files} ({} tests) into {}",
            merged.tests.len(),
            out.display()
        ));
    }
    // clap's group makes one of the three required.
    anyhow::bail!("nothing to merge into")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn merge_is_a_subcommand_only_without_such_a_path() {
        let dir = tempfile::tempdir().unwrap();
        assert!(is_merge(&argv(&["merge", "--junitxml", "o"]), dir.path()));
        assert!(!is_merge(&argv(&["tests", "merge"]), dir.path()));
        std::fs::create_dir(dir.path().join("merge")).unwrap();
        assert!(!is_merge(&argv(&["merge"]), dir.path()));
    }

    #[test]
    fn usage_errors_exit_4() {
        let dir = tempfile::tempdir().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&argv(&["a.xml"]), dir.path(), &mut out, &mut err), 4);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let two = argv(&["--junitxml", "o", "--history", "h", "a"]);
        assert_eq!(run(&two, dir.path(), &mut out, &mut err), 4);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&argv(&["--help"]), dir.path(), &mut out, &mut err), 0);
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("--json-report <OUT>"));
    }

    #[test]
    fn histories_merge_into_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = History::default();
        a.record("t.py::a", 1.0, "passed");
        a.write_file(&dir.path().join("a.json")).unwrap();
        let mut b = History::default();
        b.record("t.py::b", 2.0, "failed");
        b.write_file(&dir.path().join("b.json")).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            &argv(&["--history", "out/h.json", "a.json", "b.json"]),
            dir.path(),
            &mut out,
            &mut err,
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        let merged = History::load_file(&dir.path().join("out/h.json")).unwrap();
        assert_eq!(merged.tests.len(), 2);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let missing = argv(&["--history", "h.json", "nope.json", "a.json"]);
        // An absent history is an empty one (a shard that ran nothing wrote none).
        assert_eq!(run(&missing, dir.path(), &mut out, &mut err), 0);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let bad = argv(&["--junitxml", "j.xml", "nope.xml"]);
        assert_eq!(run(&bad, dir.path(), &mut out, &mut err), 1);
        assert!(String::from_utf8(err)
            .unwrap()
            .contains("cannot read nope.xml"));
    }
}
