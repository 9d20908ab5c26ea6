//! pytest-cov served by fastest: its command-line options (read here as the plugin's
//! argparse actions and validators read them), what the workers measure, and the
//! combined report the coordinator prints where pytest-cov prints it.
//!
//! Each worker measures its own tests (`fastest/_cov.py`, started before the worker
//! imports any conftest) and saves a data file of its own into a directory of the
//! session; once every worker is done, the coordinator's interpreter combines them into
//! the project's data file and writes the reports, as pytest-cov's controller does with
//! pytest-xdist's workers. Served for pytest-cov 7 and later (earlier versions measure
//! subprocesses through their own `.pth` hook and word the report otherwise): with an
//! older one the options stay unknown and pytest runs the session.

use std::path::Path;

use serde::Deserialize;
use serde_json::json;

/// The first pytest-cov major version fastest serves.
pub const SERVED_MAJOR: u32 = 7;

/// Set by the console script under `coverage run -m fastest` (`fastest._cov.OUTER_ENV`):
/// the workers, and pytest when it runs the session, measure with these settings.
pub const OUTER_ENV: &str = "FASTEST_OUTER_COVERAGE";

/// The plugin name its options belong to (`-p no:pytest_cov` removes them).
pub const PLUGIN: &str = "pytest_cov";

/// pytest-cov's report types with an output destination.
const FILE_CHOICES: &[&str] = &[
    "annotate",
    "html",
    "xml",
    "json",
    "markdown",
    "markdown-append",
    "lcov",
];
const TERM_CHOICES: &[&str] = &["term", "term-missing"];

/// pytest-cov's options as its argparse actions leave them.
#[derive(Debug, Clone, PartialEq)]
pub struct CovArgs {
    /// `--cov[=SOURCE]`, in order (`None`: `--cov` without a value, "measure all");
    /// `--cov-reset` empties it.
    pub source: Vec<Option<String>>,
    /// `--cov-report=TYPE[:DEST]`: pytest-cov's dict (a later type replaces the
    /// destination of an earlier one).
    pub report: Vec<(String, Option<String>)>,
    /// `--cov-config` (default `.coveragerc`, which coverage.py reads as "the usual
    /// places").
    pub config: String,
    pub no_cov_on_fail: bool,
    pub no_cov: bool,
    /// `--cov-fail-under`, as given (validated as pytest-cov validates it).
    pub fail_under: Option<String>,
    pub append: bool,
    pub branch: bool,
    pub precision: Option<i64>,
    /// `--cov-context` (only `test` is valid).
    pub context: Option<String>,
    /// A `--cov...` option came after `--no-cov`: pytest-cov warns (its
    /// `no_cov_should_warn`).
    pub warn_disabled: bool,
}

impl Default for CovArgs {
    fn default() -> Self {
        Self {
            source: Vec::new(),
            report: Vec::new(),
            config: ".coveragerc".into(),
            no_cov_on_fail: false,
            no_cov: false,
            fail_under: None,
            append: false,
            branch: false,
            precision: None,
            context: None,
            warn_disabled: false,
        }
    }
}

impl CovArgs {
    /// Whether pytest-cov registers its plugin (a `--cov` not reset) and does not
    /// disable it (`--no-cov`): the session measures coverage.
    pub fn measures(&self) -> bool {
        !self.source.is_empty() && !self.no_cov
    }

    /// `--cov[=SOURCE]`.
    pub fn add_source(&mut self, value: Option<String>) {
        self.source.push(value);
    }

    /// `--cov-report=VALUE`: pytest-cov's `validate_report` and `StoreReport`. The
    /// error is the message argparse puts after `argument --cov-report: `, or a whole
    /// `parser.error` message (`Err(Ok(..))`).
    pub fn add_report(&mut self, value: &str) -> Result<(), Result<String, String>> {
        let all: Vec<&str> = TERM_CHOICES.iter().chain(FILE_CHOICES).copied().collect();
        let (kind, dest) = match value.split_once(':') {
            Some((k, d)) => (k, Some(d)),
            None => (value, None),
        };
        if !all.contains(&kind) && !kind.is_empty() {
            return Err(Err(format!(
                "invalid choice: \"{value}\" (choose from \"{}\")",
                py_list(&all)
            )));
        }
        let dest = match dest {
            None => None,
            Some("skip-covered") if TERM_CHOICES.contains(&kind) => Some("skip-covered".into()),
            Some(_) if !FILE_CHOICES.contains(&kind) => {
                return Err(Err(format!(
                    "output specifier not supported for: \"{value}\" (choose from \"{}\")",
                    py_list(FILE_CHOICES)
                )))
            }
            Some(d) => Some(d.to_string()),
        };
        // coverage.py has no default file for the Markdown reports.
        let dest = match (kind, dest) {
            ("markdown" | "markdown-append", None) => Some("coverage.md".to_string()),
            (_, d) => d,
        };
        match self.report.iter_mut().find(|(k, _)| k == kind) {
            Some(entry) => entry.1 = dest,
            None => self.report.push((kind.to_string(), dest)),
        }
        let get = |k: &str| self.report.iter().find(|(kk, _)| kk == k).map(|(_, d)| d);
        if let (Some(md), Some(append)) = (get("markdown"), get("markdown-append")) {
            if md == append {
                return Err(Ok(format!(
                    "markdown and markdown-append options cannot point to the same file: \
                     '{}'. Please redirect one of them using :DEST (e.g. \
                     --cov-report=markdown:dest_file.md)",
                    md.as_deref().unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// `--cov-fail-under=MIN`: pytest-cov's `validate_fail_under` (an int or a float,
    /// at most 100).
    pub fn set_fail_under(&mut self, value: &str) -> Result<(), String> {
        let v = value.trim();
        let number: Option<f64> = v
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .filter(|_| !v.starts_with('_') && !v.ends_with('_'));
        match number {
            None => Err("An integer or float value is required.".into()),
            Some(n) if n > 100.0 => Err("Your desire for over-achievement is admirable but \
                 misplaced. The maximum value is 100. Perhaps write more integration tests?"
                .into()),
            Some(_) => {
                self.fail_under = Some(v.to_string());
                Ok(())
            }
        }
    }

    /// `--cov-context=CONTEXT`: only `test`.
    pub fn set_context(&mut self, value: &str) -> Result<(), String> {
        if value != "test" {
            return Err("The only supported value is \"test\".".into());
        }
        self.context = Some(value.to_string());
        Ok(())
    }

    /// What the workers and the final report need, as JSON (`fastest/_cov.py`):
    /// pytest-cov's `cov_source` after `_prepare_cov_source` (`null`: measure all), the
    /// report dict (`term` when none was asked for; none after a lone `--cov-report=`).
    pub fn settings(&self, topdir: &Path, data_dir: &Path) -> serde_json::Value {
        let source: Option<Vec<&str>> = if self.source.iter().any(Option::is_none) {
            None
        } else {
            Some(self.source.iter().flatten().map(String::as_str).collect())
        };
        let report: serde_json::Map<String, serde_json::Value> = if self.report.is_empty() {
            std::iter::once(("term".to_string(), serde_json::Value::Null)).collect()
        } else if self.report.len() == 1 && self.report[0].0.is_empty() {
            serde_json::Map::new()
        } else {
            self.report
                .iter()
                .map(|(k, d)| (k.clone(), json!(d)))
                .collect()
        };
        json!({
            "source": source,
            "report": report,
            "config": self.config,
            "append": self.append,
            "branch": if self.branch { json!(true) } else { json!(null) },
            "precision": self.precision,
            "fail_under": self.fail_under,
            "no_cov_on_fail": self.no_cov_on_fail,
            "context": self.context,
            "topdir": topdir,
            "data_dir": data_dir,
        })
    }
}

/// Whether pytest-cov at `version` is one fastest serves.
pub fn served_version(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= SERVED_MAJOR)
}

fn py_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// What the final report produced (`fastest._cov.report`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Outcome {
    /// Written right after the run, before the summary (pytest-cov writes it from its
    /// `pytest_runtestloop` wrapper): `ERROR: Coverage failure: ...` or `WARNING:
    /// Failed to generate report: ...`.
    #[serde(default)]
    pub early: Option<String>,
    /// The coverage section of the terminal summary (after the `tests coverage`
    /// heading), empty when nothing is reported.
    #[serde(default)]
    pub text: String,
    /// `Required test coverage of N% ...`, and whether it failed.
    #[serde(default)]
    pub required: Option<(String, bool)>,
    /// The total fell short of `--cov-fail-under`: the session fails (exit 1).
    #[serde(default)]
    pub failed: bool,
}

/// A session that measures coverage: its settings for the workers and the directory
/// their data files go to (removed with it).
#[derive(Debug)]
pub struct Measured {
    pub settings: serde_json::Value,
    _data_dir: tempfile::TempDir,
    /// coverage.py imported in this interpreter while the tests run (the report needs
    /// it; the import takes as long as many tests).
    warm: Option<std::thread::JoinHandle<()>>,
}

impl Measured {
    /// `None` unless `args` measure; the workers' data directory is made here.
    pub fn start(args: &CovArgs, topdir: &Path) -> Result<Option<Self>, String> {
        if !args.measures() {
            return Ok(None);
        }
        let data_dir = tempfile::Builder::new()
            .prefix("fastest-cov-")
            .tempdir_in(fastest_core::temp::temp_root())
            .map_err(|e| format!("cannot create a directory for coverage data: {e}"))?;
        let warm = std::thread::Builder::new()
            .name("coverage-import".into())
            .spawn(|| {
                let _ = call_python("{}", "warm");
            })
            .ok();
        Ok(Some(Self {
            settings: args.settings(topdir, data_dir.path()),
            _data_dir: data_dir,
            warm,
        }))
    }

    /// Combine what the workers measured and write the reports, in the coordinator's
    /// own interpreter (`tests_failed`: pytest's `session.testsfailed` is non-zero).
    pub fn report(&mut self, tests_failed: bool) -> Result<Outcome, String> {
        self.join_warm();
        let mut request = self.settings.clone();
        request["tests_failed"] = json!(tests_failed);
        let answer = call_python(&request.to_string(), "report")?;
        serde_json::from_str(&answer).map_err(|e| format!("coverage report: {e}: {answer}"))
    }

    fn join_warm(&mut self) {
        if let Some(w) = self.warm.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Measured {
    /// The import thread holds the interpreter while it runs: it must be done before
    /// the console script returns to Python and the interpreter ends.
    fn drop(&mut self) {
        self.join_warm();
    }
}

#[cfg(feature = "python")]
fn call_python(request: &str, function: &str) -> Result<String, String> {
    crate::python::call_json("fastest._cov", function, request)
}

#[cfg(not(feature = "python"))]
fn call_python(_request: &str, _function: &str) -> Result<String, String> {
    Err("coverage needs the fastest._fastest extension module".into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reports_validate_as_pytest_cov_validates_them() {
        let mut c = CovArgs::default();
        c.add_report("term-missing:skip-covered").unwrap();
        c.add_report("html:out").unwrap();
        c.add_report("html").unwrap();
        c.add_report("markdown").unwrap();
        assert_eq!(
            c.report,
            [
                ("term-missing".to_string(), Some("skip-covered".to_string())),
                ("html".to_string(), None),
                ("markdown".to_string(), Some("coverage.md".to_string())),
            ]
        );
        assert_eq!(
            c.add_report("foo").unwrap_err().unwrap_err(),
            "invalid choice: \"foo\" (choose from \"['term', 'term-missing', 'annotate', \
             'html', 'xml', 'json', 'markdown', 'markdown-append', 'lcov']\")"
        );
        assert!(c
            .add_report("term:x")
            .unwrap_err()
            .unwrap_err()
            .starts_with("output specifier not supported for: \"term:x\""));
        let same = c.add_report("markdown-append").unwrap_err().unwrap();
        assert!(same.contains("cannot point to the same file: 'coverage.md'"));
    }

    #[test]
    fn fail_under_takes_numbers_up_to_100() {
        let mut c = CovArgs::default();
        c.set_fail_under("90").unwrap();
        c.set_fail_under("87.5").unwrap();
        assert_eq!(c.fail_under.as_deref(), Some("87.5"));
        assert!(c.set_fail_under("x").unwrap_err().starts_with("An integer"));
        assert!(c
            .set_fail_under("101")
            .unwrap_err()
            .starts_with("Your desire"));
    }

    #[test]
    fn settings_are_pytest_covs_reading() {
        let mut c = CovArgs::default();
        assert!(!c.measures());
        c.add_source(Some("pkg".into()));
        assert!(c.measures());
        let s = c.settings(std::path::Path::new("/p"), std::path::Path::new("/d"));
        assert_eq!(s["source"], json!(["pkg"]));
        assert_eq!(s["report"], json!({"term": null}));
        assert_eq!(s["branch"], json!(null));
        c.add_source(None);
        c.add_report("").unwrap();
        let s = c.settings(std::path::Path::new("/p"), std::path::Path::new("/d"));
        assert_eq!(s["source"], json!(null));
        assert_eq!(s["report"], json!({}));
        c.no_cov = true;
        assert!(!c.measures());
    }

    #[test]
    fn served_from_pytest_cov_7() {
        assert!(served_version("7.1.0"));
        assert!(!served_version("6.3.0"));
        assert!(!served_version("x"));
    }
}
