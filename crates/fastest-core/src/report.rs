//! The run's events: what the runner emits and reporters consume (pytest's `TestReport`,
//! `WarningReport` and the session milestones), with pytest's nouns.
//!
//! A report is what pytest's `pytest_runtest_logreport` receives, already rendered where
//! rendering needs the live exception (the failure text is produced in the worker by
//! pytest's own `ExceptionInfo.getrepr`, at the session's terminal width).

use serde::{Deserialize, Serialize};

/// A phase of the runtest protocol, or `Collect` for a collector's report (pytest's
/// `CollectReport`, whose `when` is "collect": a module skipped or failing at collection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Setup,
    Call,
    Teardown,
    Collect,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Call => "call",
            Phase::Teardown => "teardown",
            Phase::Collect => "collect",
        }
    }
}

/// A report's raw outcome (xfail is a `skipped` report with `wasxfail`, xpass a `passed`
/// one, as in pytest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
    /// pytest-rerunfailures' outcome for a failed phase of an attempt it runs again
    /// (neither a pass nor a failure: only its own category, "rerun").
    Rerun,
}

/// One phase of one test (pytest's `TestReport`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    pub nodeid: String,
    pub when: Phase,
    pub outcome: Outcome,
    /// The failure text as pytest's `longrepr.toterminal` draws it on the terminal
    /// (with pytest's markup when the output has it).
    #[serde(default)]
    pub longrepr: Option<String>,
    /// `str(report.longrepr)` where it differs from [`Self::longrepr`]: without the
    /// terminal's markup (the JUnit and JSON reports' text). See [`Self::longrepr_text`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longrepr_str: Option<String>,
    /// `longrepr.reprcrash.message` (the short summary's text), or the string longrepr.
    #[serde(default)]
    pub crash: Option<String>,
    /// Under `--tb=line`: pytest's `_getcrashline` of a failure (`path:lineno: message`,
    /// or the first 50 characters of a longrepr without a crash entry), which its
    /// FAILURES section writes after the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashline: Option<String>,
    /// A skip's `(path, lineno, reason)`.
    #[serde(default)]
    pub skip: Option<(String, u32, String)>,
    /// Set on xfailed (skipped) and xpassed (passed) reports: the reason.
    #[serde(default)]
    pub wasxfail: Option<String>,
    pub duration: f64,
    /// `(rootdir-relative path, 0-based line, domain)`: pytest's `item.location`.
    pub location: (String, Option<u32>, String),
    /// `(title, content)`: "Captured stdout call", ...
    #[serde(default)]
    pub sections: Vec<(String, String)>,
    /// A skip mark's skip, folded by location without the line (pytest's `_folded_skips`).
    #[serde(default)]
    pub fold_no_line: bool,
    /// Warnings recorded while the item ran (attached to its last report).
    #[serde(default)]
    pub warnings: Vec<WarningReport>,
    /// The worker that ran it (`gw0`, ...) when several workers run the session (the
    /// coordinator sets it; pytest-xdist's `report.node`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// `record_property`'s `(name, str(value))` pairs so far (pytest's
    /// `report.user_properties`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_properties: Vec<(String, String)>,
    /// `record_xml_attribute`'s `(name, str(value))` pairs recorded during this phase
    /// (pytest hands them to its JUnit reporter as they are recorded; the worker sends
    /// them with the phase's report). Only with `--junitxml` in a one-worker run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xml_attributes: Vec<(String, String)>,
    /// `record_testsuite_property`'s `(name, str(value))` pairs recorded during this
    /// phase, as [`Self::xml_attributes`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub testsuite_properties: Vec<(String, String)>,
    /// A subtest's report (pytest's `SubtestReport`: a `subtests.test()` block or a
    /// unittest `subTest`): its message and keyword arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtest: Option<SubtestContext>,
    /// What `pytest_report_teststatus` says when it is not the default for the
    /// outcome (a subtest's `SUBFAILED(i=1)`, or nothing for a quiet passing one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// pytest's terminal wrote this report while the test's output was captured (a
    /// unittest `subTest`, reported from inside the test): it went into the test's
    /// captured output, not to the terminal, though the reporter counted it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub under_capture: bool,
    /// pytest-rerunfailures' `report.rerun`: which attempt of the item this is (0 for
    /// the first), on every report of an item its protocol ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun: Option<u32>,
    /// This teardown report ends an attempt, not the item: pytest-rerunfailures runs
    /// it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub again: bool,
}

/// A subtest's identity (pytest's `SubtestContext`): `kwargs` values are `saferepr`s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubtestContext {
    pub msg: Option<String>,
    #[serde(default)]
    pub kwargs: Vec<(String, String)>,
}

impl SubtestContext {
    /// pytest's `_sub_test_description`: `[msg] (k=v, ...)`, or `(<subtest>)`.
    pub fn description(&self) -> String {
        let mut parts = Vec::new();
        if let Some(msg) = &self.msg {
            parts.push(format!("[{msg}]"));
        }
        if !self.kwargs.is_empty() {
            let params: Vec<String> = self
                .kwargs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            parts.push(format!("({})", params.join(", ")));
        }
        if parts.is_empty() {
            "(<subtest>)".into()
        } else {
            parts.join(" ")
        }
    }
}

/// `pytest_report_teststatus`'s `(category, letter, word)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub category: String,
    pub letter: String,
    pub word: String,
}

impl TestReport {
    /// A report with nothing but its identity, phase, outcome and location: no text,
    /// sections, warnings or properties, a zero duration (fill in the rest by field).
    pub fn new(
        nodeid: &str,
        when: Phase,
        outcome: Outcome,
        location: (String, Option<u32>, String),
    ) -> Self {
        TestReport {
            nodeid: nodeid.to_string(),
            when,
            outcome,
            longrepr: None,
            longrepr_str: None,
            crash: None,
            crashline: None,
            skip: None,
            wasxfail: None,
            duration: 0.0,
            location,
            sections: Vec::new(),
            fold_no_line: false,
            warnings: Vec::new(),
            worker: None,
            user_properties: Vec::new(),
            xml_attributes: Vec::new(),
            testsuite_properties: Vec::new(),
            subtest: None,
            status: None,
            under_capture: false,
            rerun: None,
            again: false,
        }
    }

    /// The failure text for files: `str(report.longrepr)` as pytest renders it.
    pub fn longrepr_text(&self) -> Option<&str> {
        self.longrepr_str.as_deref().or(self.longrepr.as_deref())
    }

    /// pytest's `pytest_report_teststatus` category: passed, failed, skipped, error,
    /// xfailed, xpassed, or "" for a passing setup/teardown.
    pub fn category(&self) -> &str {
        if let Some(s) = &self.status {
            return &s.category;
        }
        match (self.outcome, self.when, self.wasxfail.is_some()) {
            (Outcome::Skipped, _, true) => "xfailed",
            (Outcome::Passed, Phase::Call, true) => "xpassed",
            (Outcome::Passed, Phase::Call, false) => "passed",
            (Outcome::Passed, _, _) => "",
            (Outcome::Failed, Phase::Call, _) => "failed",
            (Outcome::Failed, _, _) => "error",
            (Outcome::Skipped, _, false) => "skipped",
            (Outcome::Rerun, _, _) => "rerun",
        }
    }

    /// The progress letter and the verbose word.
    pub fn letter_word(&self) -> (&str, &str) {
        if let Some(s) = &self.status {
            return (&s.letter, &s.word);
        }
        match self.category() {
            "xfailed" => ("x", "XFAIL"),
            "xpassed" => ("X", "XPASS"),
            "passed" => (".", "PASSED"),
            "failed" => ("F", "FAILED"),
            "error" => ("E", "ERROR"),
            "skipped" => ("s", "SKIPPED"),
            "rerun" => ("R", "RERUN"),
            _ => ("", ""),
        }
    }
}

/// A warning recorded during the run (pytest's `WarningReport`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningReport {
    pub nodeid: String,
    /// `warnings.formatwarning` text.
    pub message: String,
    #[serde(default)]
    pub fslocation: Option<(String, u32)>,
    /// For a warning raised by importing a test module (or a conftest above it): that
    /// module's file (its node id), whose place in the collection orders the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// What the runner tells reporters, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A test is about to run (`pytest_runtest_logstart`).
    TestStarted { nodeid: String },
    /// One phase finished.
    Report(Box<TestReport>),
    /// A worker died while running `nodeid` (signal or exit status in `reason`).
    Crashed { nodeid: String, reason: String },
    /// A line pytest-xdist's controller prints as it happens (`replacing crashed worker
    /// gw0`), in `-n` runs with a verbosity of 0 or more.
    Note(String),
    /// A line pytest-xdist's controller prints as it happens whatever the verbosity
    /// (`[gw0] node down: ...`, its `pytest_testnodedown`).
    NodeDown(String),
    /// A `KeyboardInterrupt` (Ctrl-C, or raised by a test) or `pytest.exit` ended the
    /// session: nothing more is dispatched.
    Interrupted(Interruption),
    /// Every selected test has been dealt with.
    Finished,
    /// A worker is about to write to the terminal itself (`capsys.disabled()`): what
    /// came before is out, and a live display must be gone before it writes.
    WorkerWrites,
    /// What plugins and conftests add to the session header (the pytest engine's
    /// first worker asked pytest's `pytest_report_header` hook).
    Header(HeaderLines),
    /// A worker imported the session's test modules before its first test (what
    /// pytest's collection does); the node ids of the items whose module failed to.
    Imported(Vec<String>),
    /// Warnings no report carried: what importing the modules of a session whose
    /// tests were all deselected raised (pytest's collection imports them all).
    Warnings(Vec<WarningReport>),
    /// What the end of a worker's session raised, as Python prints an uncaught
    /// exception: pytest's `pytest_unconfigure` collects the garbage left and turns an
    /// unraisable exception (a socket left open in a reference cycle) into an error
    /// under a `filterwarnings = error`; pytest's process dies with it after the
    /// summary (exit status 1).
    SessionEndError(String),
    /// What plugins wrote in a worker at pytest's `pytest_terminal_summary` (the pytest
    /// engine's pytest-benchmark table), with the terminal's markup: written after the
    /// coverage report, before `--durations`.
    PluginSummary(String),
}

/// Lines of the session header that come from plugins and conftests
/// (`pytest_report_header`), in pytest's order around the lines fastest draws itself:
/// `before` go between `cachedir:` and `rootdir:`, `after` below `plugins:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderLines {
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// What the implementations printed while they were asked: pytest asks them as it
    /// writes the header, so it shows right after the `platform` line.
    #[serde(default)]
    pub printed: String,
}

/// How a session was interrupted, as pytest's terminal summary shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interruption {
    /// The crash message: the title of the `!` separator (`KeyboardInterrupt`,
    /// `_pytest.outcomes.Exit: msg`).
    pub message: String,
    /// What follows the separator: the crash line and pytest's hint, or the whole
    /// traceback under `--full-trace` (empty for `pytest.exit`).
    pub body: String,
    /// `pytest.exit(returncode=N)`: the session's exit code (otherwise 2).
    pub returncode: Option<i32>,
}

/// pytest's hint below a `KeyboardInterrupt`'s crash line.
pub const FULL_TRACE_HINT: &str =
    "(to show a full traceback on KeyboardInterrupt use --full-trace)";

impl Interruption {
    /// A Ctrl-C that reached the coordinator but no test: pytest's text without a
    /// location in a test.
    pub fn ctrl_c() -> Self {
        Interruption {
            message: "KeyboardInterrupt".into(),
            body: format!("{FULL_TRACE_HINT}\n"),
            returncode: None,
        }
    }
}

/// The environment variable naming this fastest invocation to its Python processes
/// (the import fallback and the workers): what one of them stored in the session (the
/// warnings of a module it compiled) is told apart from what an earlier session stored.
pub const SESSION_ENV: &str = "FASTEST_SESSION";

/// This invocation's id (see [`SESSION_ENV`]): the start time and process id, in hex.
pub fn session_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{:x}-{:x}", nanos, std::process::id())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(msg: Option<&str>, kwargs: &[(&str, &str)]) -> SubtestContext {
        SubtestContext {
            msg: msg.map(str::to_string),
            kwargs: kwargs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn subtest_descriptions_read_as_pytest_writes_them() {
        assert_eq!(ctx(None, &[]).description(), "(<subtest>)");
        assert_eq!(ctx(Some("check"), &[]).description(), "[check]");
        assert_eq!(
            ctx(Some("check"), &[("i", "1"), ("s", "'a'")]).description(),
            "[check] (i=1, s='a')"
        );
    }

    #[test]
    fn a_rerun_report_has_pytest_rerunfailures_category_letter_and_word() {
        for when in [Phase::Setup, Phase::Call, Phase::Teardown] {
            let r = TestReport::new("t", when, Outcome::Rerun, ("t.py".into(), None, "t".into()));
            assert_eq!((r.category(), r.letter_word()), ("rerun", ("R", "RERUN")));
        }
        let json = r#"{"nodeid":"t","when":"call","outcome":"rerun","duration":0.0,
            "location":["t.py",null,"t"],"rerun":1,"again":true}"#;
        let r: TestReport = serde_json::from_str(json).expect("a rerun report");
        assert_eq!(
            (r.outcome, r.rerun, r.again),
            (Outcome::Rerun, Some(1), true)
        );
    }

    #[test]
    fn a_status_overrides_the_outcome_s_category_letter_and_word() {
        let mut r = TestReport::new(
            "t.py::t",
            Phase::Call,
            Outcome::Passed,
            ("t.py".into(), None, "t".into()),
        );
        assert_eq!((r.category(), r.letter_word()), ("passed", (".", "PASSED")));
        r.status = Some(Status {
            category: "subtests passed".into(),
            letter: "u".into(),
            word: "SUBPASSED(i=1)".into(),
        });
        assert_eq!(
            (r.category(), r.letter_word()),
            ("subtests passed", ("u", "SUBPASSED(i=1)"))
        );
    }
}
