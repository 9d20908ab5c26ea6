//! `--junitxml`: the JUnit XML file pytest's `junitxml` plugin writes (pytest 9.2's
//! `LogXML` and `_NodeReporter`), built from the run's reports.
//!
//! This module owns the whole plugin's coordinator side: which `<testcase>` a report
//! opens or closes (a failing call followed by a failing teardown gives two elements, a
//! passing call with a failing teardown one element and one test less in `tests`), the
//! children each outcome adds (`failure`, `error`, `skipped`, `system-out`,
//! `system-err`, `properties`), the `classname`/`name`/`file`/`line` rules
//! (`--junit-prefix`, `junit_family`), the captured output `junit_logging` and
//! `junit_log_passing_tests` select, `junit_duration_report`, the suite's counts and
//! properties, pytest's "visual" escaping of characters XML cannot hold (`#x1B`), and
//! the serialization.
//!
//! Why not a JUnit crate: `quick-junit` (nextest's) was evaluated first. Its model
//! writes its own root (`<testsuites name tests failures errors>`, pytest's has only
//! `name`), its own attribute sets and order on `<testsuite>`/`<testcase>` (pytest:
//! `name errors failures skipped tests time timestamp hostname`; `classname name
//! [file line] time`, user attributes in between under xunit1), an upper-case,
//! indented document, and it drops characters XML cannot hold where pytest writes
//! `#xNN`. None of that is configurable, so the file would differ from pytest's for
//! every run. A generic writer (`quick-xml`) fixes the element order but not the bytes
//! pytest's writer produces (ElementTree's `" />"` for empty elements, `&#10;`/`&#09;`
//! in attributes, `'` left alone), so it would need pre-escaped raw values and a
//! hand-made empty-element form: the serializer would be ours anyway. [`Element`]
//! below is the faithful one: ElementTree's `tostring` rules (insertion-ordered
//! attributes, `_escape_attrib`, `_escape_cdata`, short empty elements), small and
//! tested beside it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fastest_core::report::{Outcome, Phase, TestReport};

/// `junit_family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `xunit1` (and `legacy`): `file`, `line` and user attributes on `<testcase>`.
    Xunit1,
    /// `xunit2` (pytest's default): `classname` and `name` only.
    Xunit2,
}

impl Family {
    /// The ini value (`legacy` is `xunit1`); `None` for a value pytest rejects.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "xunit1" | "legacy" => Some(Family::Xunit1),
            "xunit2" => Some(Family::Xunit2),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Xunit1 => "xunit1",
            Family::Xunit2 => "xunit2",
        }
    }
}

/// `junit_logging`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logging {
    No,
    Log,
    SystemOut,
    SystemErr,
    OutErr,
    All,
}

impl Logging {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "no" => Logging::No,
            "log" => Logging::Log,
            "system-out" => Logging::SystemOut,
            "system-err" => Logging::SystemErr,
            "out-err" => Logging::OutErr,
            "all" => Logging::All,
            _ => return None,
        })
    }
}

/// The plugin's settings (`LogXML.__init__`'s arguments).
#[derive(Debug, Clone)]
pub struct JunitOptions {
    /// The file, absolute and normalized (see [`resolve_path`]).
    pub path: PathBuf,
    /// `--junit-prefix` (an empty prefix is none, as in pytest).
    pub prefix: Option<String>,
    /// `junit_suite_name`.
    pub suite_name: String,
    pub logging: Logging,
    /// `junit_log_passing_tests`.
    pub log_passing_tests: bool,
    /// `junit_duration_report=call`: only the call phase counts in `time`.
    pub duration_call_only: bool,
    pub family: Family,
}

/// Writing the file failed.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// One XML element, serialized as ElementTree's `tostring` does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub tag: &'static str,
    /// In insertion order; [`Element::set`] replaces a value in place.
    pub attrs: Vec<(String, String)>,
    pub text: Option<String>,
    pub children: Vec<Element>,
}

impl Element {
    pub fn new(tag: &'static str) -> Self {
        Element {
            tag,
            ..Element::default()
        }
    }

    /// Python's `dict` assignment: an existing key keeps its position.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.attrs.push((key.to_string(), value)),
        }
    }

    fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set(key, value);
        self
    }

    /// ElementTree's `_serialize_xml` (short empty elements, no declaration).
    pub fn write_to(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.tag);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_attrib(v, out);
            out.push('"');
        }
        let text = self.text.as_deref().filter(|t| !t.is_empty());
        if text.is_none() && self.children.is_empty() {
            out.push_str(" />");
            return;
        }
        out.push('>');
        if let Some(t) = text {
            escape_cdata(t, out);
        }
        for c in &self.children {
            c.write_to(out);
        }
        out.push_str("</");
        out.push_str(self.tag);
        out.push('>');
    }
}

/// ElementTree's `_escape_attrib`.
fn escape_attrib(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#09;"),
            c => out.push(c),
        }
    }
}

/// ElementTree's `_escape_cdata`.
fn escape_cdata(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// pytest's `bin_xml_escape`: characters XML 1.0 cannot hold (and DEL) become the
/// visible text `#xNN` (`#xNNNN` above 0xFF); not XML references.
pub fn bin_xml_escape(s: &str) -> String {
    let legal = |c: char| {
        matches!(c,
            '\t' | '\n' | '\r' | ' '..='~' | '\u{80}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}'
            | '\u{10000}'..='\u{10ffff}')
    };
    if s.chars().all(legal) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if legal(c) {
            out.push(c);
        } else if u32::from(c) <= 0xFF {
            out.push_str(&format!("#x{:02X}", u32::from(c)));
        } else {
            out.push_str(&format!("#x{:04X}", u32::from(c)));
        }
    }
    out
}

/// The `message` attribute's budget (pytest's `MESSAGE_ATTR_BUDGET`).
const MESSAGE_BUDGET: usize = 500;

/// pytest's `shorten_message`: whole lines while they fit the budget (a first line
/// longer than the budget is cut), and a note saying what was left out.
pub fn shorten_message(msg: &str) -> String {
    let mut lines = fastest_core::config::splitlines(msg);
    if lines.is_empty() {
        lines.push("");
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut size = 0;
    for line in &lines {
        let n = line.chars().count();
        if !kept.is_empty() && size + n + 1 > MESSAGE_BUDGET {
            break;
        }
        kept.push(line);
        size += n + 1;
    }
    let mut shortened = kept.join("\n");
    let first_line_cut = shortened.chars().count() > MESSAGE_BUDGET;
    if first_line_cut {
        shortened = shortened.chars().take(MESSAGE_BUDGET).collect::<String>() + "...";
    }
    let remaining = lines.len() - kept.len();
    let note = if remaining > 0 {
        format!(
            "+{remaining} more line{}",
            if remaining > 1 { "s" } else { "" }
        )
    } else if first_line_cut {
        "truncated".to_string()
    } else {
        return msg.to_string();
    };
    format!("{shortened}\n[{note}; full report in element text]")
}

/// pytest's `mangle_test_address`: the node id as dotted module path, class names and
/// the test's name (with its parameters as one opaque bracket).
pub fn mangle_test_address(nodeid: &str) -> Vec<String> {
    let (path, names, params) = match nodeid.split_once("::") {
        None => (nodeid, Vec::new(), None),
        Some((path, tail)) => {
            let (name_part, params) = match tail.split_once('[') {
                Some((n, p)) => (n, Some(p.strip_suffix(']').unwrap_or(p))),
                None => (tail, None),
            };
            (path, name_part.split("::").collect(), params)
        }
    };
    let dotted = path.replace('/', ".");
    let dotted = dotted.strip_suffix(".py").unwrap_or(&dotted).to_string();
    let mut out = vec![dotted];
    out.extend(names.into_iter().map(str::to_string));
    if let Some(p) = params {
        if let Some(last) = out.last_mut() {
            last.push_str(&format!("[{p}]"));
        }
    }
    out
}

/// Python's `str.center(width, fill)`.
fn py_center(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    let right = marg - left;
    format!(
        "{}{s}{}",
        fill.to_string().repeat(left),
        fill.to_string().repeat(right)
    )
}

/// Python's `str.strip()` (whitespace as `str.isspace` has it).
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// `str(report.longrepr)`: a rendered failure is stripped (`TerminalRepr.__str__`), a
/// string longrepr (a strict xpass) is itself.
/// pytest's `str(report.longrepr)` (a rendered repr is stripped; "None" without one).
pub(crate) fn longrepr_str(rep: &TestReport) -> String {
    match (rep.longrepr_text(), &rep.crash) {
        (Some(l), Some(c)) if l == c => l.to_string(),
        (Some(l), _) => py_strip(l).to_string(),
        (None, _) => "None".to_string(),
    }
}

/// `reprcrash.message`, or `str(longrepr)` when the failure has no crash entry.
fn crash_message(rep: &TestReport) -> String {
    match &rep.crash {
        Some(c) => c.clone(),
        None => longrepr_str(rep),
    }
}

/// `(node id, worker)`: pytest's reporter key (`report.node` under pytest-xdist).
type Key = (String, Option<String>);

/// One `<testcase>` in the making (pytest's `_NodeReporter`).
#[derive(Debug, Default, Clone)]
struct NodeReporter {
    duration: f64,
    properties: Vec<(String, String)>,
    nodes: Vec<Element>,
    attrs: Vec<(String, String)>,
}

/// pytest's `LogXML`: feed it every report in arrival order, then [`JunitXml::to_xml`].
pub struct JunitXml {
    opts: JunitOptions,
    /// `error`, `passed`, `failure`, `skipped`.
    stats: [usize; 4],
    /// Every reporter in creation order (the document's order).
    reporters: Vec<NodeReporter>,
    /// Beside each reporter: its element once finalized.
    done: Vec<Option<Element>>,
    /// The reporters not finalized yet, by key.
    open: HashMap<Key, usize>,
    /// Reports that failed on call, their teardown pending.
    open_reports: Vec<Key>,
    /// The failing call each open report came from (its properties finalize the
    /// element when the teardown fails too).
    open_calls: Vec<TestReport>,
    cnt_double_fail_tests: usize,
    global_properties: Vec<(String, String)>,
}

const ERROR: usize = 0;
const PASSED: usize = 1;
const FAILURE: usize = 2;
const SKIPPED: usize = 3;

fn stat_index(tag: &str) -> Option<usize> {
    match tag {
        "error" => Some(ERROR),
        "passed" => Some(PASSED),
        "failure" => Some(FAILURE),
        "skipped" => Some(SKIPPED),
        _ => None,
    }
}

impl JunitXml {
    pub fn new(opts: JunitOptions) -> Self {
        JunitXml {
            opts,
            stats: [0; 4],
            reporters: Vec::new(),
            done: Vec::new(),
            open: HashMap::new(),
            open_reports: Vec::new(),
            open_calls: Vec::new(),
            cnt_double_fail_tests: 0,
            global_properties: Vec::new(),
        }
    }

    /// Where the file goes.
    pub fn path(&self) -> &Path {
        &self.opts.path
    }

    pub fn family(&self) -> Family {
        self.opts.family
    }

    fn key(rep: &TestReport) -> Key {
        (rep.nodeid.clone(), rep.worker.clone())
    }

    /// `LogXML.node_reporter`: the open reporter for `key`, created (and placed last
    /// in the document) when there is none.
    fn reporter(&mut self, key: &Key) -> &mut NodeReporter {
        let idx = match self.open.get(key) {
            Some(&i) => i,
            None => {
                self.reporters.push(NodeReporter::default());
                self.done.push(None);
                let i = self.reporters.len() - 1;
                self.open.insert(key.clone(), i);
                i
            }
        };
        &mut self.reporters[idx]
    }

    fn add_stat(&mut self, tag: &str) {
        if let Some(i) = stat_index(tag) {
            self.stats[i] += 1;
        }
    }

    /// `_NodeReporter.append`: a child element, counted by its tag.
    fn append(&mut self, key: &Key, el: Element) {
        self.add_stat(el.tag);
        self.reporter(key).nodes.push(el);
    }

    /// `_opentestcase`: the reporter, with the attributes the report decides.
    fn open_testcase(&mut self, rep: &TestReport) -> Key {
        let key = Self::key(rep);
        let mut names = mangle_test_address(&rep.nodeid);
        let name = names.pop().unwrap_or_default();
        if let Some(p) = self.opts.prefix.as_deref().filter(|p| !p.is_empty()) {
            names.insert(0, p.to_string());
        }
        let mut attrs = Element::new("testcase")
            .with("classname", names.join("."))
            .with("name", bin_xml_escape(&name))
            .with("file", rep.location.0.clone());
        if let Some(line) = rep.location.1 {
            attrs.set("line", line.to_string());
        }
        let family = self.opts.family;
        let reporter = self.reporter(&key);
        for (k, v) in std::mem::take(&mut reporter.attrs) {
            attrs.set(&k, v);
        }
        reporter.attrs = attrs.attrs;
        if family == Family::Xunit2 {
            reporter
                .attrs
                .retain(|(k, _)| k == "classname" || k == "name");
        }
        key
    }

    fn add_simple(&mut self, key: &Key, tag: &'static str, message: String, data: String) {
        let mut el = Element::new(tag).with("message", message);
        el.text = Some(bin_xml_escape(&data));
        self.append(key, el);
    }

    /// `_NodeReporter.write_captured_output`.
    fn write_captured_output(&mut self, key: &Key, rep: &TestReport) {
        if !self.opts.log_passing_tests && rep.outcome == Outcome::Passed {
            return;
        }
        let logging = self.opts.logging;
        if logging == Logging::No {
            return;
        }
        let section = |prefix: &str, sep: &str| {
            rep.sections
                .iter()
                .filter(|(t, _)| t.starts_with(prefix))
                .map(|(_, c)| c.as_str())
                .collect::<Vec<_>>()
                .join(sep)
        };
        let prepare =
            |content: &str, header: &str| format!("{}\n{content}\n", py_center(header, 80, '-'));
        let mut content_all = String::new();
        if matches!(logging, Logging::Log | Logging::All) {
            content_all = prepare(&section("Captured log", "\n"), " Captured Log ");
        }
        if matches!(logging, Logging::SystemOut | Logging::OutErr | Logging::All) {
            content_all += &prepare(&section("Captured stdout", ""), " Captured Out ");
            self.write_content(key, &std::mem::take(&mut content_all), "system-out");
        }
        if matches!(logging, Logging::SystemErr | Logging::OutErr | Logging::All) {
            content_all += &prepare(&section("Captured stderr", ""), " Captured Err ");
            self.write_content(key, &std::mem::take(&mut content_all), "system-err");
        }
        if !content_all.is_empty() {
            self.write_content(key, &content_all, "system-out");
        }
    }

    fn write_content(&mut self, key: &Key, content: &str, tag: &'static str) {
        let mut el = Element::new(tag);
        el.text = Some(bin_xml_escape(content));
        self.append(key, el);
    }

    fn append_failure(&mut self, key: &Key, rep: &TestReport) {
        if rep.wasxfail.is_some() {
            let message = "xfail-marked test passes unexpectedly".to_string();
            self.add_simple(key, "skipped", message, "None".into());
        } else {
            let message = bin_xml_escape(&shorten_message(&crash_message(rep)));
            self.add_simple(key, "failure", message, longrepr_str(rep));
        }
    }

    fn append_error(&mut self, key: &Key, rep: &TestReport) {
        let reason = crash_message(rep);
        let when = if rep.when == Phase::Teardown {
            "teardown"
        } else {
            "setup"
        };
        let msg = format!("failed on {when} with \"{reason}\"");
        let message = bin_xml_escape(&shorten_message(&msg));
        self.add_simple(key, "error", message, longrepr_str(rep));
    }

    fn append_skipped(&mut self, key: &Key, rep: &TestReport) {
        if let Some(reason) = &rep.wasxfail {
            let reason = reason.strip_prefix("reason: ").unwrap_or(reason);
            let el = Element::new("skipped")
                .with("type", "pytest.xfail")
                .with("message", bin_xml_escape(reason));
            self.append(key, el);
        } else {
            let (file, line, reason) = rep.skip.clone().unwrap_or_default();
            let reason = reason.strip_prefix("Skipped: ").unwrap_or(&reason);
            let details = format!("{file}:{line}: {reason}");
            let mut el = Element::new("skipped")
                .with("type", "pytest.skip")
                .with("message", bin_xml_escape(reason));
            el.text = Some(bin_xml_escape(&details));
            self.append(key, el);
            self.write_captured_output(key, rep);
        }
    }

    /// `LogXML.finalize`: the element is fixed with the report's user properties.
    fn finalize(&mut self, rep: &TestReport) {
        let Some(idx) = self.open.remove(&Self::key(rep)) else {
            return;
        };
        let mut r = std::mem::take(&mut self.reporters[idx]);
        for (name, value) in &rep.user_properties {
            r.properties.push((name.clone(), bin_xml_escape(value)));
        }
        self.done[idx] = Some(to_xml(r));
    }

    fn take_open_report(&mut self, key: &Key) -> Option<TestReport> {
        let i = self.open_reports.iter().position(|k| k == key)?;
        self.open_reports.remove(i);
        Some(self.open_calls.remove(i))
    }

    fn find_open_report(&self, key: &Key) -> Option<TestReport> {
        let i = self.open_reports.iter().position(|k| k == key)?;
        Some(self.open_calls[i].clone())
    }

    /// `pytest_collectreport` for a collect report that failed or skipped: a testcase
    /// of its own (never finalized, so no properties and a zero time) holding an
    /// `<error>` or `<skipped>` with `text`, pytest's `str(report.longrepr)`.
    pub fn collect_report(&mut self, rep: &TestReport, text: &str) {
        let key = self.open_testcase(rep);
        let (tag, message) = match rep.outcome {
            Outcome::Failed => ("error", "collection failure"),
            Outcome::Skipped => ("skipped", "collection skipped"),
            Outcome::Passed | Outcome::Rerun => return,
        };
        self.add_simple(&key, tag, message.to_string(), text.to_string());
    }

    /// `pytest_runtest_logreport`.
    pub fn report(&mut self, rep: &TestReport) {
        // What `record_xml_attribute` and `record_testsuite_property` recorded during
        // the phase, which pytest's plugin received before this report.
        if !rep.xml_attributes.is_empty() {
            let key = (rep.nodeid.clone(), None);
            let reporter = self.reporter(&key);
            for (k, v) in &rep.xml_attributes {
                let value = bin_xml_escape(v);
                match reporter.attrs.iter_mut().find(|(n, _)| n == k) {
                    Some((_, old)) => *old = value,
                    None => reporter.attrs.push((k.clone(), value)),
                }
            }
        }
        for (k, v) in &rep.testsuite_properties {
            self.global_properties.push((k.clone(), bin_xml_escape(v)));
        }
        let key = Self::key(rep);
        match rep.outcome {
            Outcome::Passed => {
                if rep.when == Phase::Call {
                    self.open_testcase(rep);
                    self.add_stat("passed");
                }
            }
            Outcome::Failed => {
                if rep.when == Phase::Teardown {
                    match self.find_open_report(&key) {
                        // A failure on call and an error on teardown: two testcases.
                        Some(call) => self.finalize(&call),
                        None => {
                            // A passing call with a failing teardown: one testcase.
                            if self.open.contains_key(&key) {
                                self.cnt_double_fail_tests += 1;
                            }
                        }
                    }
                }
                let key = self.open_testcase(rep);
                if rep.when == Phase::Call {
                    self.append_failure(&key, rep);
                    self.open_reports.push(key.clone());
                    self.open_calls.push(rep.clone());
                    if !self.opts.log_passing_tests {
                        self.write_captured_output(&key, rep);
                    }
                } else {
                    self.append_error(&key, rep);
                }
            }
            Outcome::Skipped => {
                let key = self.open_testcase(rep);
                self.append_skipped(&key, rep);
            }
            // pytest's plugin knows passed, failed and skipped reports only: an attempt
            // pytest-rerunfailures runs again adds its time, and its teardown closes
            // the attempt's own testcase element.
            Outcome::Rerun => {}
        }
        if !self.opts.duration_call_only || rep.when == Phase::Call {
            self.reporter(&key).duration += rep.duration;
        }
        if rep.when == Phase::Teardown {
            let key = self.open_testcase(rep);
            self.write_captured_output(&key, rep);
            self.finalize(rep);
            self.take_open_report(&key);
        }
    }

    /// The document (`pytest_sessionfinish`): `duration` is the session's, `timestamp`
    /// the session start in ISO 8601 with the local offset.
    pub fn to_xml(&self, duration: f64, timestamp: &str, hostname: &str) -> String {
        let [errors, passed, failures, skipped] = self.stats;
        let tests =
            (passed + failures + skipped + errors).saturating_sub(self.cnt_double_fail_tests);
        let mut suite = Element::new("testsuite")
            .with("name", self.opts.suite_name.clone())
            .with("errors", errors.to_string())
            .with("failures", failures.to_string())
            .with("skipped", skipped.to_string())
            .with("tests", tests.to_string())
            .with("time", format!("{duration:.3}"))
            .with("timestamp", timestamp)
            .with("hostname", hostname);
        if !self.global_properties.is_empty() {
            suite.children.push(properties(&self.global_properties));
        }
        for (r, done) in self.reporters.iter().zip(&self.done) {
            suite.children.push(match done {
                Some(el) => el.clone(),
                None => to_xml(r.clone()),
            });
        }
        let mut root = Element::new("testsuites").with("name", "pytest tests");
        root.children.push(suite);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        root.write_to(&mut out);
        out
    }

    /// Write the document, creating the file's directories as pytest does.
    pub fn write(&self, duration: f64, timestamp: &str, hostname: &str) -> Result<(), JunitError> {
        let path = &self.opts.path;
        let err = |source| JunitError::Write {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        std::fs::write(path, self.to_xml(duration, timestamp, hostname)).map_err(err)
    }
}

/// `datetime.fromtimestamp(t, timezone.utc).astimezone().isoformat()` for a local
/// offset of `offset` seconds: `2024-01-02T03:04:05.000006+01:00` (no fraction when the
/// microseconds are 0, offset seconds only when there are some).
pub fn iso_timestamp(t: std::time::SystemTime, offset: i64) -> String {
    let (secs, micros) = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_micros()),
        Err(e) => {
            let d = e.duration();
            let micros = d.subsec_micros();
            if micros == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000 - micros)
            }
        }
    };
    let mut out = fastest_core::cache::isoformat(secs + offset, micros);
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60));
    if a % 60 != 0 {
        out.push_str(&format!(":{:02}", a % 60));
    }
    out
}

fn properties(props: &[(String, String)]) -> Element {
    let mut el = Element::new("properties");
    for (name, value) in props {
        el.children.push(
            Element::new("property")
                .with("name", name.clone())
                .with("value", value.clone()),
        );
    }
    el
}

/// `_NodeReporter.to_xml`.
fn to_xml(r: NodeReporter) -> Element {
    let mut el = Element::new("testcase");
    el.attrs = r.attrs;
    el.set("time", format!("{:.3}", r.duration));
    if !r.properties.is_empty() {
        el.children.push(properties(&r.properties));
    }
    el.children.extend(r.nodes);
    el
}

/// pytest's path for the file: `$VAR`/`${VAR}` and a leading `~` expanded, made
/// absolute against the invocation directory, normalized (`os.path.normpath`).
pub fn resolve_path(raw: &str, cwd: &Path, home: Option<&Path>) -> PathBuf {
    let expanded = expand_vars(raw, |name| std::env::var(name).ok());
    let expanded = match (expanded.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{rest}", home.display())
        }
        _ => expanded,
    };
    normpath(&cwd.join(expanded))
}

/// `os.path.expandvars` (POSIX): `$name` and `${name}` of set variables; others stay.
fn expand_vars(s: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(j) => (&b[..j], j + 2),
                None => ("", 0),
            }
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..n], n)
        };
        match (name.is_empty(), lookup(name)) {
            (false, Some(v)) => {
                out.push_str(&v);
                rest = &after[consumed..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `os.path.normpath` for an absolute path.
fn normpath(p: &Path) -> PathBuf {
    let mut out: Vec<std::path::Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if matches!(out.last(), Some(std::path::Component::Normal(_))) {
                    out.pop();
                }
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> JunitOptions {
        JunitOptions {
            path: PathBuf::from("/tmp/j.xml"),
            prefix: None,
            suite_name: "pytest".into(),
            logging: Logging::No,
            log_passing_tests: true,
            duration_call_only: false,
            family: Family::Xunit2,
        }
    }

    fn rep(nodeid: &str, when: Phase, outcome: Outcome) -> TestReport {
        let location = ("test_a.py".into(), Some(4), "test_x".into());
        TestReport {
            duration: 0.25,
            ..TestReport::new(nodeid, when, outcome, location)
        }
    }

    fn failed(nodeid: &str, when: Phase, crash: &str) -> TestReport {
        let mut r = rep(nodeid, when, Outcome::Failed);
        r.longrepr = Some(format!(
            "def test():\n>   boom\nE   {crash}\n\ntest_a.py:5: Error\n"
        ));
        r.crash = Some(crash.into());
        r
    }

    fn run(x: &mut JunitXml, reports: &[TestReport]) {
        for r in reports {
            x.report(r);
        }
    }

    fn doc(x: &JunitXml) -> String {
        x.to_xml(1.5, "2024-01-02T03:04:05.000006+00:00", "host")
    }

    #[test]
    fn bin_xml_escape_is_visual() {
        assert_eq!(
            bin_xml_escape("a\u{7}b\u{1b}[0m\u{7f}"),
            "a#x07b#x1B[0m#x7F"
        );
        assert_eq!(bin_xml_escape("tab\tok\u{fffe}"), "tab\tok#xFFFE");
        assert_eq!(bin_xml_escape("é😀"), "é😀");
    }

    #[test]
    fn elementtree_escaping_and_empty_elements() {
        let mut el = Element::new("a").with("m", "x<&>\"'\n\r\t");
        let mut out = String::new();
        el.write_to(&mut out);
        assert_eq!(out, "<a m=\"x&lt;&amp;&gt;&quot;'&#10;&#13;&#09;\" />");
        el.text = Some("t<&>\"'\n".into());
        out.clear();
        el.write_to(&mut out);
        assert_eq!(
            out,
            "<a m=\"x&lt;&amp;&gt;&quot;'&#10;&#13;&#09;\">t&lt;&amp;&gt;\"'\n</a>"
        );
        el.text = Some(String::new());
        out.clear();
        el.write_to(&mut out);
        assert!(out.ends_with(" />"), "{out}");
    }

    #[test]
    fn shorten_message_keeps_whole_lines() {
        assert_eq!(shorten_message("short\nmsg"), "short\nmsg");
        let long: Vec<String> = (0..100).map(|i| format!("line {i:03}")).collect();
        let s = shorten_message(&long.join("\n"));
        // 9 characters per line: 55 lines fit in 500.
        assert!(s.starts_with("line 000\nline 001"));
        assert!(
            s.ends_with("line 054\n[+45 more lines; full report in element text]"),
            "{s}"
        );
        let one = "x".repeat(600);
        let s = shorten_message(&one);
        assert_eq!(
            s,
            format!(
                "{}...\n[truncated; full report in element text]",
                "x".repeat(500)
            )
        );
        let two = format!("{}\nsecond", "y".repeat(600));
        assert!(shorten_message(&two).ends_with("...\n[+1 more line; full report in element text]"));
        assert_eq!(
            fastest_core::config::splitlines("a\r\nb\rc\u{2028}d\n"),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn mangles_node_ids() {
        assert_eq!(
            mangle_test_address("tests/sub/test_a.py::TestK::test_m[a::b-[x]]"),
            ["tests.sub.test_a", "TestK", "test_m[a::b-[x]]"]
        );
        assert_eq!(
            mangle_test_address("test_a.py::test_f"),
            ["test_a", "test_f"]
        );
        assert_eq!(mangle_test_address("test_a.py"), ["test_a"]);
    }

    #[test]
    fn center_and_strip_match_python() {
        assert_eq!(py_center(" Captured Log ", 20, '-'), "--- Captured Log ---");
        assert_eq!(py_center("ab", 5, '-'), "--ab-");
        assert_eq!(py_center("abc", 6, '-'), "-abc--");
        assert_eq!(py_strip("\u{1c} x \n"), "x");
    }

    #[test]
    fn timestamps_as_python_isoformat() {
        use std::time::{Duration, UNIX_EPOCH};
        let t = UNIX_EPOCH + Duration::from_micros(1_704_164_645_000_006);
        assert_eq!(iso_timestamp(t, 0), "2024-01-02T03:04:05.000006+00:00");
        assert_eq!(iso_timestamp(t, 3600), "2024-01-02T04:04:05.000006+01:00");
        assert_eq!(
            iso_timestamp(t, -5 * 3600 - 1800),
            "2024-01-01T21:34:05.000006-05:30"
        );
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso_timestamp(leap, 0), "2000-02-29T00:00:00+00:00");
        assert_eq!(
            iso_timestamp(UNIX_EPOCH, 61),
            "1970-01-01T00:01:01+00:01:01"
        );
    }

    #[test]
    fn resolves_paths_as_pytest() {
        let cwd = Path::new("/work/proj");
        let home = Some(Path::new("/home/u"));
        assert_eq!(
            resolve_path("out/../j.xml", cwd, home),
            PathBuf::from("/work/proj/j.xml")
        );
        assert_eq!(
            resolve_path("~/r/j.xml", cwd, home),
            PathBuf::from("/home/u/r/j.xml")
        );
        assert_eq!(
            resolve_path("/abs/./j.xml", cwd, home),
            PathBuf::from("/abs/j.xml")
        );
        let env = |n: &str| (n == "D").then(|| "reports".to_string());
        assert_eq!(
            expand_vars("$D/${D}/$NOPE/${X", env),
            "reports/reports/$NOPE/${X"
        );
    }

    #[test]
    fn call_failure_then_teardown_error_gives_two_testcases() {
        let mut x = JunitXml::new(opts());
        let id = "test_a.py::test_x";
        let mut call = failed(id, Phase::Call, "assert 0");
        call.user_properties = vec![("k".into(), "1".into())];
        run(
            &mut x,
            &[
                rep(id, Phase::Setup, Outcome::Passed),
                call,
                failed(id, Phase::Teardown, "ValueError: td"),
            ],
        );
        let d = doc(&x);
        assert!(
            d.contains("errors=\"1\" failures=\"1\" skipped=\"0\" tests=\"2\""),
            "{d}"
        );
        assert_eq!(d.matches("<testcase ").count(), 2, "{d}");
        assert!(d.contains("<testcase classname=\"test_a\" name=\"test_x\" time=\"0.500\"><properties><property name=\"k\" value=\"1\" /></properties><failure message=\"assert 0\">"), "{d}");
        assert!(d.contains("<testcase classname=\"test_a\" name=\"test_x\" time=\"0.250\"><error message=\"failed on teardown with &quot;ValueError: td&quot;\">"), "{d}");
    }

    #[test]
    fn passing_call_with_teardown_error_is_one_test() {
        let mut x = JunitXml::new(opts());
        let id = "test_a.py::test_x";
        run(
            &mut x,
            &[
                rep(id, Phase::Setup, Outcome::Passed),
                rep(id, Phase::Call, Outcome::Passed),
                failed(id, Phase::Teardown, "ValueError: td"),
            ],
        );
        let d = doc(&x);
        assert!(
            d.contains("errors=\"1\" failures=\"0\" skipped=\"0\" tests=\"1\""),
            "{d}"
        );
        assert_eq!(d.matches("<testcase ").count(), 1);
    }

    #[test]
    fn xunit1_keeps_file_line_and_user_attributes_prefix_applies() {
        let mut o = opts();
        o.family = Family::Xunit1;
        o.prefix = Some("pre".into());
        let mut x = JunitXml::new(o);
        let id = "test_a.py::K::test_x[\u{1}]";
        let mut call = rep(id, Phase::Call, Outcome::Passed);
        call.xml_attributes = vec![
            ("foo".into(), "b\u{7}r".into()),
            ("classname".into(), "mine".into()),
        ];
        run(
            &mut x,
            &[
                rep(id, Phase::Setup, Outcome::Passed),
                call,
                rep(id, Phase::Teardown, Outcome::Passed),
            ],
        );
        let d = doc(&x);
        assert!(
            d.contains("<testcase classname=\"mine\" name=\"test_x[#x01]\" file=\"test_a.py\" line=\"4\" foo=\"b#x07r\" time=\"0.750\" />"),
            "{d}"
        );
        let mut x = JunitXml::new(opts());
        run(
            &mut x,
            &[
                rep(id, Phase::Call, Outcome::Passed),
                rep(id, Phase::Teardown, Outcome::Passed),
            ],
        );
        assert!(doc(&x)
            .contains("<testcase classname=\"test_a.K\" name=\"test_x[#x01]\" time=\"0.500\" />"));
    }

    #[test]
    fn each_attempt_of_a_rerun_test_is_a_testcase() {
        // pytest's plugin knows no "rerun" outcome: the attempt's teardown closes an
        // empty testcase; the counts are the final attempt's.
        let mut x = JunitXml::new(opts());
        let id = "test_a.py::test_x";
        let mut rerun = failed(id, Phase::Call, "AssertionError: first");
        rerun.outcome = Outcome::Rerun;
        let mut again = rep(id, Phase::Teardown, Outcome::Passed);
        again.again = true;
        run(
            &mut x,
            &[rep(id, Phase::Setup, Outcome::Passed), rerun, again],
        );
        run(
            &mut x,
            &[
                rep(id, Phase::Setup, Outcome::Passed),
                failed(id, Phase::Call, "AssertionError: last"),
                rep(id, Phase::Teardown, Outcome::Passed),
            ],
        );
        let d = doc(&x);
        assert!(
            d.contains("failures=\"1\" skipped=\"0\" tests=\"1\""),
            "{d}"
        );
        assert_eq!(d.matches("<testcase ").count(), 2, "{d}");
        assert!(
            d.contains("<testcase classname=\"test_a\" name=\"test_x\" time=\"0.750\" />"),
            "{d}"
        );
        assert!(!d.contains("first"), "{d}");
        assert!(d.contains("message=\"AssertionError: last\""), "{d}");
    }

    #[test]
    fn skips_xfails_and_captured_output() {
        let mut o = opts();
        o.logging = Logging::All;
        o.duration_call_only = true;
        let mut x = JunitXml::new(o);
        let id = "test_a.py::test_s";
        let mut skip = rep(id, Phase::Setup, Outcome::Skipped);
        skip.skip = Some(("/p/test_a.py".into(), 3, "Skipped: why".into()));
        skip.sections = vec![("Captured stdout setup".into(), "o\n".into())];
        let mut td = rep(id, Phase::Teardown, Outcome::Passed);
        td.sections = skip.sections.clone();
        run(&mut x, &[skip, td]);
        let xf = "test_a.py::test_xf";
        let mut call = rep(xf, Phase::Call, Outcome::Skipped);
        call.wasxfail = Some("reason: known".into());
        run(&mut x, &[rep(xf, Phase::Setup, Outcome::Passed), call]);
        let d = doc(&x);
        assert!(d.contains("skipped=\"2\" tests=\"2\""), "{d}");
        assert!(
            d.contains(
                "<skipped type=\"pytest.skip\" message=\"why\">/p/test_a.py:3: why</skipped>"
            ),
            "{d}"
        );
        // The skip writes the output, the teardown again (pytest's double write).
        assert_eq!(d.matches("<system-out>").count(), 2, "{d}");
        assert_eq!(d.matches("<system-err>").count(), 2, "{d}");
        assert!(d.contains("<system-err>--------------------------------- Captured Err ---------------------------------\n\n</system-err>"), "{d}");
        assert!(d.contains("<testcase classname=\"test_a\" name=\"test_xf\" time=\"0.250\"><skipped type=\"pytest.xfail\" message=\"known\" /></testcase>"), "{d}");
    }

    #[test]
    fn document_snapshot() {
        let mut o = opts();
        o.logging = Logging::OutErr;
        o.suite_name = "suite <1>".into();
        let mut x = JunitXml::new(o);
        let ok = "tests/test_a.py::test_ok";
        let mut ok_call = rep(ok, Phase::Call, Outcome::Passed);
        ok_call.testsuite_properties = vec![("ARCH".into(), "x86".into())];
        ok_call.sections = vec![("Captured stdout call".into(), "hi\u{1b}[0m\n".into())];
        let mut ok_td = rep(ok, Phase::Teardown, Outcome::Passed);
        ok_td.sections = ok_call.sections.clone();
        ok_td.user_properties = vec![("n".into(), "1".into())];
        let bad = "tests/test_a.py::TestK::test_bad[<&>]";
        let strict = "tests/test_a.py::test_strict";
        let mut strict_call = rep(strict, Phase::Call, Outcome::Failed);
        strict_call.longrepr = Some("[XPASS(strict)] r".into());
        strict_call.crash = strict_call.longrepr.clone();
        let err = "tests/test_a.py::test_err";
        let mut setup_err = rep(err, Phase::Setup, Outcome::Failed);
        setup_err.longrepr = Some("E   fixture 'nope' not found\n".into());
        run(
            &mut x,
            &[
                rep(ok, Phase::Setup, Outcome::Passed),
                ok_call,
                ok_td,
                rep(bad, Phase::Setup, Outcome::Passed),
                failed(bad, Phase::Call, "AssertionError: \"<x>\""),
                rep(bad, Phase::Teardown, Outcome::Passed),
                rep(strict, Phase::Setup, Outcome::Passed),
                strict_call,
                rep(strict, Phase::Teardown, Outcome::Passed),
                setup_err,
                rep(err, Phase::Teardown, Outcome::Passed),
            ],
        );
        insta::assert_snapshot!(doc(&x));
    }

    #[test]
    fn collect_reports_are_testcases_of_their_own() {
        let mut x = JunitXml::new(JunitOptions {
            family: Family::Xunit1,
            ..opts()
        });
        let loc = |p: &str| (p.to_string(), None, p.to_string());
        let broken = TestReport::new(
            "sub/test_broken.py",
            Phase::Collect,
            Outcome::Failed,
            loc("sub/test_broken.py"),
        );
        let skipped = TestReport::new(
            "test_opt.py",
            Phase::Collect,
            Outcome::Skipped,
            loc("test_opt.py"),
        );
        x.collect_report(&broken, "E   ValueError: <boom>");
        x.collect_report(&skipped, "('/r/test_opt.py', 3, 'Skipped: no numpy')");
        run(
            &mut x,
            &[rep("test_a.py::test_ok", Phase::Call, Outcome::Passed)],
        );
        let d = doc(&x);
        assert!(
            d.contains(r#"errors="1" failures="0" skipped="1" tests="3""#),
            "{d}"
        );
        assert!(
            d.contains(r#"<testcase classname="" name="sub.test_broken" file="sub/test_broken.py" time="0.000"><error message="collection failure">E   ValueError: &lt;boom&gt;</error></testcase>"#),
            "{d}"
        );
        assert!(
            d.contains(r#"<testcase classname="" name="test_opt" file="test_opt.py" time="0.000"><skipped message="collection skipped">('/r/test_opt.py', 3, 'Skipped: no numpy')</skipped></testcase><testcase classname="test_a""#),
            "{d}"
        );
    }
}
