//! `--json-report=PATH`: fastest's JSON Lines report (schema [`SCHEMA_VERSION`],
//! documented in `docs/json-report.md`).
//!
//! This module owns the format: the three line types ([`SessionStart`], [`TestLine`],
//! [`SessionFinish`]), how a test's phase reports fold into one line with pytest's final
//! outcome ([`TestFolder`]), the totals, and the writer ([`JsonReport`]), which writes
//! and flushes each line as soon as it is known, so a run killed midway still leaves a
//! file whose every line parses. The same lines come from `python/fastest/_json_report.py`
//! in sessions pytest runs; a change here is a change there (and, when incompatible, a
//! new schema version).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use fastest_core::report::{Outcome, Phase, TestReport};
use serde::{Deserialize, Serialize};

/// The schema's version: every line's consumer checks `session_start.schema`. Bumped on
/// any incompatible change (a field removed, renamed or retyped, a value's meaning
/// changed); adding a field is compatible.
pub const SCHEMA_VERSION: u32 = 1;

/// The outcome words a test line may carry (pytest's final outcomes), in the order the
/// totals are written.
pub const OUTCOMES: [&str; 6] = ["passed", "failed", "skipped", "xfailed", "xpassed", "error"];

/// Why the report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum JsonReportError {
    #[error("cannot write the JSON report {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The first line: what ran, where, how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionStart {
    pub schema: u32,
    pub fastest_version: String,
    pub python_version: String,
    pub rootdir: String,
    /// The command-line arguments as given (without the program name).
    pub args: Vec<String>,
    /// ISO 8601 with the local UTC offset (as JUnit's `timestamp`).
    pub started: String,
    /// `-n`'s worker count; 0 when the session runs without `-n`.
    pub workers: usize,
    /// `"K/N"` under `--shard`, else null.
    pub shard: Option<String>,
    /// `"fastest"` when fastest's coordinator ran the session, `"pytest"` when it was
    /// handed to pytest (the `fastest._json_report` plugin wrote the lines).
    pub runner: String,
}

/// One phase of a test, as the test line shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseLine {
    /// The phase report's raw outcome: passed, failed or skipped.
    pub outcome: String,
    pub duration: f64,
}

/// A captured section (`Captured stdout call`, `Captured log setup`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub content: String,
}

/// pytest's `item.location`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Relative to the rootdir.
    pub path: String,
    /// 0-based (pytest's convention), null when unknown.
    pub lineno: Option<u32>,
    pub domain: String,
}

/// One finished test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestLine {
    pub nodeid: String,
    /// One of [`OUTCOMES`] (rules: [`final_outcome`]).
    pub outcome: String,
    pub location: Location,
    /// The phases that reported, each null when it did not run.
    pub setup: Option<PhaseLine>,
    pub call: Option<PhaseLine>,
    pub teardown: Option<PhaseLine>,
    /// The sum of the phases' durations.
    pub duration: f64,
    /// The failure text fastest prints under FAILURES/ERRORS (pytest's long repr) of
    /// every failed phase, in phase order, joined by a blank line; for an xfailed test
    /// the expected failure's text; else null.
    pub longrepr: Option<String>,
    /// The short message: the crash line of the deciding failure (the short test
    /// summary's text), the skip reason, or the xfail reason; else null.
    pub message: Option<String>,
    pub sections: Vec<Section>,
    /// `gwN` under `-n`, else null.
    pub worker: Option<String>,
    pub shard: Option<String>,
    /// How many times pytest-rerunfailures ran the test again before the attempt
    /// this line describes (absent when it did not).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reruns: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The last line: how the session ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionFinish {
    /// pytest's exit code.
    pub exitcode: i32,
    /// Test lines per outcome (every key of [`OUTCOMES`] present).
    pub totals: BTreeMap<String, u64>,
    /// Seconds from the session's start to its end.
    pub duration: f64,
}

/// Any line of the report; `type` names the variant and comes first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    SessionStart(SessionStart),
    Test(TestLine),
    SessionFinish(SessionFinish),
}

impl SessionStart {
    /// The line's fields, `type` set.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        fastest_version: &str,
        python_version: &str,
        rootdir: &str,
        args: &[String],
        started: &str,
        workers: usize,
        shard: Option<String>,
        runner: &str,
    ) -> Self {
        SessionStart {
            schema: SCHEMA_VERSION,
            fastest_version: fastest_version.into(),
            python_version: python_version.into(),
            rootdir: rootdir.into(),
            args: args.to_vec(),
            started: started.into(),
            workers,
            shard,
            runner: runner.into(),
        }
    }
}

/// Totals with every outcome present (zero when none).
pub fn empty_totals() -> BTreeMap<String, u64> {
    OUTCOMES.iter().map(|o| ((*o).to_string(), 0)).collect()
}

/// pytest's final outcome of one test from its phase reports (in phase order):
///
/// - a failed setup is `error` (the call never ran);
/// - a skipped setup is `skipped`, or `xfailed` when it carries an xfail reason;
/// - otherwise the call decides: `passed`, `failed`, `skipped`, `xfailed`, `xpassed`
///   (pytest's `pytest_report_teststatus` categories);
/// - a failed teardown turns any of those but `failed` into `error` (pytest counts
///   both the call's outcome and an error on its final line; JUnit adds an `<error>`):
///   a test that failed and then errored in teardown stays `failed`.
///
/// Subtests' reports do not decide it: the test's own call report does.
pub fn final_outcome<'a>(reports: &[&'a TestReport]) -> &'a str {
    let mut outcome: &'a str = "passed";
    for r in reports {
        match (r.when, r.outcome) {
            (Phase::Setup, Outcome::Failed) => return "error",
            (Phase::Setup, Outcome::Skipped) => {
                outcome = if r.wasxfail.is_some() {
                    "xfailed"
                } else {
                    "skipped"
                };
            }
            (Phase::Call, _) if r.subtest.is_none() => {
                let c = r.category();
                if !c.is_empty() {
                    outcome = c;
                }
            }
            (Phase::Teardown, Outcome::Failed) if outcome != "failed" => outcome = "error",
            _ => {}
        }
    }
    outcome
}

/// Folds the phase reports of each test into its line, emitted at its teardown.
#[derive(Debug, Default)]
pub struct TestFolder {
    /// Reports of tests whose teardown has not come yet, by node id (a test's phases
    /// arrive in order; several tests are open at once under `-n`).
    open: HashMap<String, Vec<TestReport>>,
    /// Node ids in the order their first report came (the order of an interrupted
    /// run's leftover lines).
    order: Vec<String>,
    /// Attempts pytest-rerunfailures ended and ran again, by node id: the line
    /// describes the last attempt and counts the others.
    reruns: HashMap<String, u32>,
}

impl TestFolder {
    /// Take one report; returns the test's line when this report ends the test.
    pub fn report(&mut self, r: &TestReport, shard: Option<&str>) -> Option<TestLine> {
        if !self.open.contains_key(&r.nodeid) {
            self.order.push(r.nodeid.clone());
        }
        let reports = self.open.entry(r.nodeid.clone()).or_default();
        if r.again {
            // An attempt is over and the test runs again: the next attempt decides.
            reports.clear();
            *self.reruns.entry(r.nodeid.clone()).or_default() += 1;
            return None;
        }
        reports.push(r.clone());
        if r.when != Phase::Teardown {
            return None;
        }
        let reports = self.open.remove(&r.nodeid)?;
        self.order.retain(|n| n != &r.nodeid);
        let mut line = fold(&reports, shard);
        line.reruns = self.reruns.remove(&r.nodeid).unwrap_or(0);
        Some(line)
    }

    /// Lines for tests that reported an outcome but never their teardown (an
    /// interrupted run, a crash): a passed setup alone says nothing and is dropped.
    pub fn leftovers(&mut self, shard: Option<&str>) -> Vec<TestLine> {
        let mut out = Vec::new();
        for id in std::mem::take(&mut self.order) {
            let Some(reports) = self.open.remove(&id) else {
                continue;
            };
            let decided = reports
                .iter()
                .any(|r| r.when != Phase::Setup || r.outcome != Outcome::Passed);
            if decided {
                let mut line = fold(&reports, shard);
                line.reruns = self.reruns.remove(&id).unwrap_or(0);
                out.push(line);
            }
        }
        out
    }
}

/// One test's line from its reports.
pub fn fold(reports: &[TestReport], shard: Option<&str>) -> TestLine {
    let refs: Vec<&TestReport> = reports.iter().collect();
    let outcome = final_outcome(&refs);
    let phase = |p: Phase| {
        reports
            .iter()
            .rev()
            .find(|r| r.when == p)
            .map(|r| PhaseLine {
                outcome: outcome_word(r.outcome).to_string(),
                duration: r.duration,
            })
    };
    let failed: Vec<&TestReport> = reports
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .collect();
    let texts: Vec<&str> = if failed.is_empty() {
        // An xfailed test keeps the expected failure's text.
        reports
            .iter()
            .filter(|r| r.wasxfail.is_some())
            .filter_map(|r| r.longrepr_text())
            .collect()
    } else {
        failed.iter().filter_map(|r| r.longrepr_text()).collect()
    };
    let longrepr = (!texts.is_empty()).then(|| {
        texts
            .iter()
            .map(|t| t.trim_end_matches('\n'))
            .collect::<Vec<_>>()
            .join("\n\n")
    });
    let message = message_of(reports, outcome);
    let mut sections: Vec<Section> = Vec::new();
    // The test's own phases: a subtest's report repeats the item's sections with its
    // block's own output under the same names.
    for r in reports.iter().filter(|r| r.subtest.is_none()) {
        for (name, content) in &r.sections {
            // pytest hands each later phase's report the earlier phases' sections too.
            if !sections.iter().any(|s| &s.name == name) {
                sections.push(Section {
                    name: name.clone(),
                    content: content.clone(),
                });
            }
        }
    }
    let first = &reports[0];
    TestLine {
        nodeid: first.nodeid.clone(),
        outcome: outcome.into(),
        location: Location {
            path: first.location.0.clone(),
            lineno: first.location.1,
            domain: first.location.2.clone(),
        },
        setup: phase(Phase::Setup),
        call: phase(Phase::Call),
        teardown: phase(Phase::Teardown),
        duration: reports.iter().map(|r| r.duration).sum(),
        longrepr,
        message,
        sections,
        worker: reports.iter().find_map(|r| r.worker.clone()),
        shard: shard.map(str::to_string),
        reruns: 0,
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Skipped => "skipped",
        Outcome::Rerun => "rerun",
    }
}

/// The short message for a test whose final outcome is `outcome`.
fn message_of(reports: &[TestReport], outcome: &str) -> Option<String> {
    match outcome {
        "failed" | "error" => {
            // The first failure decided (a setup error, else the call's failure, else
            // the teardown's).
            let r = reports.iter().find(|r| r.outcome == Outcome::Failed)?;
            r.crash.clone().or_else(|| {
                r.longrepr_text()
                    .and_then(|l| l.lines().last())
                    .map(str::to_string)
            })
        }
        "skipped" => reports
            .iter()
            .find_map(|r| r.skip.as_ref().map(|(_, _, reason)| reason.clone())),
        "xfailed" | "xpassed" => reports.iter().find_map(|r| r.wasxfail.clone()),
        _ => None,
    }
}

/// The report file being written: one line per call, flushed at once.
pub struct JsonReport {
    path: PathBuf,
    out: BufWriter<File>,
    folder: TestFolder,
    shard: Option<String>,
    totals: BTreeMap<String, u64>,
}

impl JsonReport {
    /// Create (truncate) the file, its directory if needed, and write `start`.
    pub fn create(path: &Path, start: &SessionStart) -> Result<Self, JsonReportError> {
        let io = |source| JsonReportError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = File::create(path).map_err(io)?;
        let mut report = JsonReport {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            folder: TestFolder::default(),
            shard: start.shard.clone(),
            totals: empty_totals(),
        };
        report.line(&Line::SessionStart(start.clone()))?;
        Ok(report)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Take one phase report; a test's line is written when its teardown comes.
    pub fn report(&mut self, r: &TestReport) -> Result<(), JsonReportError> {
        if let Some(line) = self.folder.report(r, self.shard.as_deref()) {
            self.test(line)?;
        }
        Ok(())
    }

    /// Write the leftovers of an interrupted run, then the final line.
    pub fn finish(mut self, exitcode: i32, duration: f64) -> Result<(), JsonReportError> {
        for line in self.folder.leftovers(self.shard.as_deref()) {
            self.test(line)?;
        }
        let finish = SessionFinish {
            exitcode,
            totals: std::mem::take(&mut self.totals),
            duration,
        };
        self.line(&Line::SessionFinish(finish))
    }

    fn test(&mut self, line: TestLine) -> Result<(), JsonReportError> {
        *self.totals.entry(line.outcome.clone()).or_insert(0) += 1;
        self.line(&Line::Test(line))
    }

    fn line(&mut self, value: &Line) -> Result<(), JsonReportError> {
        let io = |source| JsonReportError::Io {
            path: self.path.clone(),
            source,
        };
        let text = serde_json::to_string(value).map_err(|e| io(std::io::Error::other(e)))?;
        // One write of the whole line, then a flush: a reader (or a kill) sees whole
        // lines only.
        self.out
            .write_all(format!("{text}\n").as_bytes())
            .map_err(io)?;
        self.out.flush().map_err(io)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rep(id: &str, when: Phase, outcome: Outcome) -> TestReport {
        let mut r = TestReport::new(id, when, outcome, ("t.py".into(), Some(3), "test_x".into()));
        r.duration = 0.5;
        r
    }

    fn failed(id: &str, when: Phase, text: &str) -> TestReport {
        let mut r = rep(id, when, Outcome::Failed);
        r.longrepr = Some(format!("{text}\nE   boom\n"));
        r.crash = Some(format!("{text}: boom"));
        r
    }

    fn outcome(reports: &[TestReport]) -> &str {
        final_outcome(&reports.iter().collect::<Vec<_>>())
    }

    #[test]
    fn a_rerun_test_has_one_line_for_its_last_attempt() {
        let mut folder = TestFolder::default();
        let attempt = |n: u32, call: TestReport, again: bool| {
            let mut reports = vec![rep("t", Phase::Setup, Outcome::Passed), call];
            let mut td = rep("t", Phase::Teardown, Outcome::Passed);
            td.again = again;
            reports.push(td);
            for r in &mut reports {
                r.rerun = Some(n);
            }
            reports
        };
        let mut rerun = failed("t", Phase::Call, "first");
        rerun.outcome = Outcome::Rerun;
        let mut lines = Vec::new();
        for reports in [
            attempt(0, rerun.clone(), true),
            attempt(1, rerun, true),
            attempt(2, failed("t", Phase::Call, "last"), false),
        ] {
            lines.extend(reports.iter().filter_map(|r| folder.report(r, None)));
        }
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!((line.outcome.as_str(), line.reruns), ("failed", 2));
        assert_eq!(line.message.as_deref(), Some("last: boom"));
        assert_eq!(line.duration, 1.5, "the last attempt's phases");
        let json = serde_json::to_value(line).unwrap();
        assert_eq!(json["reruns"], 2);
        // A test run once has no count.
        let once = folder
            .report(&rep("u", Phase::Teardown, Outcome::Passed), None)
            .unwrap();
        assert!(serde_json::to_value(&once).unwrap().get("reruns").is_none());
    }

    #[test]
    fn final_outcomes_follow_pytest_across_phases() {
        use Outcome::*;
        use Phase::*;
        let ok = |w| rep("t", w, Passed);
        assert_eq!(outcome(&[ok(Setup), ok(Call), ok(Teardown)]), "passed");
        assert_eq!(
            outcome(&[failed("t", Setup, "s"), ok(Teardown)]),
            "error",
            "a setup error is an error"
        );
        assert_eq!(
            outcome(&[failed("t", Setup, "s"), failed("t", Teardown, "t")]),
            "error"
        );
        assert_eq!(
            outcome(&[
                ok(Setup),
                failed("t", Call, "c"),
                failed("t", Teardown, "t")
            ]),
            "failed",
            "a failed test stays failed when its teardown errors too"
        );
        assert_eq!(
            outcome(&[ok(Setup), ok(Call), failed("t", Teardown, "t")]),
            "error"
        );
        let mut skip = rep("t", Setup, Skipped);
        skip.skip = Some(("t.py".into(), 3, "nope".into()));
        assert_eq!(outcome(&[skip.clone(), ok(Teardown)]), "skipped");
        let mut xfail = rep("t", Call, Skipped);
        xfail.wasxfail = Some("known".into());
        assert_eq!(
            outcome(&[ok(Setup), xfail.clone(), ok(Teardown)]),
            "xfailed"
        );
        let mut xpass = rep("t", Call, Passed);
        xpass.wasxfail = Some("".into());
        assert_eq!(outcome(&[ok(Setup), xpass, ok(Teardown)]), "xpassed");
        assert_eq!(
            outcome(&[ok(Setup), xfail, failed("t", Teardown, "t")]),
            "error"
        );
    }

    #[test]
    fn folder_emits_a_line_at_teardown_with_every_phase() {
        let mut f = TestFolder::default();
        let mut setup = rep("a", Phase::Setup, Outcome::Passed);
        setup.sections = vec![("Captured stdout setup".into(), "s\n".into())];
        let mut call = failed("a", Phase::Call, "c");
        call.sections = vec![
            ("Captured stdout setup".into(), "s\n".into()),
            ("Captured stdout call".into(), "c\n".into()),
        ];
        call.worker = Some("gw1".into());
        assert!(f.report(&setup, Some("1/2")).is_none());
        assert!(f.report(&call, Some("1/2")).is_none());
        let line = f
            .report(&failed("a", Phase::Teardown, "t"), Some("1/2"))
            .unwrap();
        assert_eq!(line.outcome, "failed");
        assert_eq!(line.message.as_deref(), Some("c: boom"));
        assert_eq!(
            line.longrepr.as_deref(),
            Some("c\nE   boom\n\nt\nE   boom"),
            "both failed phases' texts"
        );
        assert_eq!(line.duration, 1.5);
        assert_eq!(line.teardown.unwrap().outcome, "failed");
        assert_eq!(
            line.sections
                .iter()
                .map(|s| &s.name[..])
                .collect::<Vec<_>>(),
            ["Captured stdout setup", "Captured stdout call"]
        );
        assert_eq!(line.worker.as_deref(), Some("gw1"));
        assert_eq!(line.shard.as_deref(), Some("1/2"));
        assert!(f.leftovers(None).is_empty());
    }

    #[test]
    fn leftovers_keep_decided_tests_only() {
        let mut f = TestFolder::default();
        f.report(&rep("a", Phase::Setup, Outcome::Passed), None);
        f.report(&rep("b", Phase::Setup, Outcome::Passed), None);
        f.report(&failed("b", Phase::Call, "c"), None);
        let left = f.leftovers(None);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].nodeid, "b");
        assert!(left[0].teardown.is_none());
    }

    #[test]
    fn writer_flushes_every_line_and_counts_totals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/r.jsonl");
        let start = SessionStart::new(
            "0.1.0",
            "3.11.4",
            "/root",
            &["-q".into()],
            "2024-01-01T00:00:00+00:00",
            0,
            None,
            "fastest",
        );
        let mut w = JsonReport::create(&path, &start).unwrap();
        for when in [Phase::Setup, Phase::Call, Phase::Teardown] {
            w.report(&rep("a", when, Outcome::Passed)).unwrap();
        }
        // Already on disk before the session ends.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        w.report(&rep("b", Phase::Setup, Outcome::Passed)).unwrap();
        w.report(&failed("b", Phase::Call, "c")).unwrap();
        w.finish(2, 1.25).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Line> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        let Line::SessionFinish(fin) = &lines[3] else {
            panic!("last line {:?}", lines[3]);
        };
        assert_eq!(fin.exitcode, 2);
        assert_eq!(fin.totals["passed"], 1);
        assert_eq!(fin.totals["failed"], 1);
        assert_eq!(fin.totals["error"], 0);
        assert_eq!(fin.totals.len(), OUTCOMES.len());
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["type"], "session_start");
        assert_eq!(first["schema"], SCHEMA_VERSION);
    }
}
