//! pytest's terminal output for a run, from [`Event`]s (terminal.py's
//! `TerminalReporter`: `pytest_runtest_logstart`, `pytest_runtest_logreport`, the
//! progress column, `pytest_sessionfinish` and its summary sections).
//!
//! The reporter writes as events arrive (a progress letter per test), tracking the width
//! of the current line the way pytest's `TerminalWriter` does.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use fastest_core::report::{Event, Interruption, Outcome, Phase, TestReport, WarningReport};

use crate::text::{
    format_trimmed, markup, plural, sep, session_duration, stats_line, textwrap, wcswidth,
    NodeIdDisplay, Style,
};

/// What the run's options decide about the output.
#[derive(Debug, Clone)]
pub struct TerminalOptions {
    /// pytest's verbosity (`-v`, `-q`).
    pub verbosity: i32,
    /// `verbosity_test_cases`: below 1 progress letters, else a line per test.
    pub test_cases_verbosity: i32,
    pub width: usize,
    /// Effective report characters (see [`crate::text::report_chars`]).
    pub reportchars: String,
    pub tbstyle: String,
    pub no_summary: bool,
    /// The `[ NN%]` column (off with `-s` unless `console_output_style` insists).
    pub show_progress: bool,
    /// `console_output_style = count`: `[ N/M]` instead of percentages.
    pub progress_count: bool,
    /// `$CI`/`$BUILD_NUMBER`: short summary lines are not trimmed.
    pub on_ci: bool,
    pub fold_skipped: bool,
    /// `--show-capture`: `all`, `no`, `stdout`, `stderr`, `log`.
    pub showcapture: String,
    pub force_short_summary: bool,
    /// `-x`/`--maxfail` (0: no limit): a run that stopped ends without the last progress.
    pub maxfail: usize,
    /// Several workers run the session: pytest-xdist's forms (no file names before
    /// the progress letters; `[gwN]` before verbose result lines and failure texts).
    /// Holds what follows `[gwN] ` in a failure's worker line:
    /// `linux -- Python 3.11.7 /path/to/python`.
    pub dist: Option<String>,
    /// Colours and bold as pytest's `TerminalWriter` writes them (`--color`, a terminal,
    /// `PY_COLORS`, `NO_COLOR`, `FORCE_COLOR`).
    pub markup: bool,
    /// pytest-rerunfailures' `--rerun-show-tracebacks`: its rerun summary, with the
    /// failure text of each attempt it ran again.
    pub rerun_tracebacks: bool,
}

/// The terminal reporter of one run.
pub struct TerminalReporter<'w> {
    out: &'w mut dyn Write,
    opts: TerminalOptions,
    nodeids: NodeIdDisplay,
    /// Items selected to run (`session.testscollected`).
    collected: usize,
    deselected: usize,
    /// Reports by pytest's category ("" for passing setup/teardown), in arrival order.
    stats: Vec<(String, Vec<TestReport>)>,
    warnings: Vec<WarningReport>,
    /// Per warning (same index), its place in pytest's collection (see
    /// [`TerminalReporter::add_ordered_warnings`]; the second number 0 for an import).
    warning_keys: Vec<Option<(usize, u8)>>,
    file_order: HashMap<String, usize>,
    reported: HashSet<String>,
    /// What the current line started with: a file path (progress mode), a node-id
    /// prefix (verbose mode), or nothing.
    current: Current,
    /// The text of the current line so far (pytest's `TerminalWriter._current_line`).
    current_line: String,
    /// Worker crashes, by node id.
    crashed: HashMap<String, String>,
    /// The session ended by an interruption (`KeyboardInterrupt`, `pytest.exit`).
    interrupted: bool,
    /// Plugins' `=` banners in the terminal summary (pytest-xdist's `xdist: ...`).
    plugin_banners: Vec<String>,
    /// pytest-cov's part of the terminal summary: the report's text and its `Required
    /// test coverage` line (with whether it failed).
    coverage: Option<(String, Option<(String, bool)>)>,
    /// What workers' plugins wrote at the terminal summary ([`Event::PluginSummary`]).
    plugin_summaries: Vec<String>,
    failed_write: bool,
    /// `--durations` (none: no section).
    durations: Option<crate::durations::Durations>,
    /// `--junitxml`: the file's absolute path, for junitxml's summary line.
    generated_xml: Option<String>,
    /// pytest's terminal writes into a test's captured output now (a unittest
    /// subtest's report): the line is tracked, nothing reaches the terminal.
    muted: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Current {
    None,
    Path(String),
    Prefix(String),
    /// pytest's `currentfspath = -2`: a verbose line was finished with a word.
    Done,
}

impl<'w> TerminalReporter<'w> {
    pub fn new(
        out: &'w mut dyn Write,
        opts: TerminalOptions,
        rootdir: &Path,
        invocation_dir: &Path,
        collected: usize,
        deselected: usize,
    ) -> Self {
        TerminalReporter {
            out,
            opts,
            nodeids: NodeIdDisplay {
                rootdir: rootdir.to_path_buf(),
                invocation_dir: invocation_dir.to_path_buf(),
            },
            collected,
            deselected,
            stats: Vec::new(),
            warnings: Vec::new(),
            warning_keys: Vec::new(),
            file_order: HashMap::new(),
            reported: HashSet::new(),
            current: Current::None,
            current_line: String::new(),
            crashed: HashMap::new(),
            interrupted: false,
            plugin_banners: Vec::new(),
            coverage: None,
            plugin_summaries: Vec::new(),
            failed_write: false,
            durations: None,
            generated_xml: None,
            muted: false,
        }
    }

    /// Collect reports (modules skipped or failing at collection), in pytest's order:
    /// pytest's reporter files them under their category before any test reports, so
    /// they count on the final line, lead the ERRORS section and the `-rs` lines.
    pub fn add_collect_reports(&mut self, reports: &[TestReport]) {
        for rep in reports {
            let category = rep.category();
            self.stat(category).push(rep.clone());
        }
    }

    /// Warnings recorded before the run (pytest's collection): the summary lists them
    /// first and the final line counts them.
    pub fn add_warnings(&mut self, warnings: Vec<WarningReport>) {
        self.add_ordered_warnings(warnings.into_iter().map(|w| (w, None)).collect());
    }

    /// [`Self::add_warnings`] for collection warnings whose place in pytest's collection
    /// is known: `(position of the file in collection order, 1)` (raised while pytest
    /// collected the file, after its import).
    pub fn add_ordered_warnings(&mut self, warnings: Vec<(WarningReport, Option<(usize, u8)>)>) {
        for (w, key) in warnings {
            self.warnings.push(w);
            self.warning_keys.push(key);
        }
    }

    /// The session's files in collection order (rootdir-relative node id file parts):
    /// collection warnings a worker reports with a test (raised by importing its module
    /// or a conftest above it) are listed at that file's place, as pytest's collection
    /// meets them.
    pub fn set_file_order(&mut self, files: Vec<String>) {
        self.file_order = files.into_iter().enumerate().map(|(i, f)| (f, i)).collect();
    }

    /// Print junitxml's `generated xml file: PATH` line in the summary.
    pub fn set_generated_xml(&mut self, path: String) {
        self.generated_xml = Some(path);
    }

    /// Show pytest's "slowest durations" section (`--durations`).
    pub fn set_durations(&mut self, durations: crate::durations::Durations) {
        self.durations = Some(durations);
    }

    /// Write raw text, tracking the width of the current line.
    pub fn write(&mut self, text: &str) {
        self.write_styled(text, &[]);
    }

    /// Push what was written so far out to the terminal.
    pub fn flush(&mut self) {
        if self.out.flush().is_err() {
            self.failed_write = true;
        }
    }

    /// [`Self::write`] with pytest's markup: the width counts `text` only.
    fn write_styled(&mut self, text: &str, styles: &[Style]) {
        if text.is_empty() {
            return;
        }
        match text.rfind('\n') {
            Some(i) => self.current_line = text[i + 1..].to_string(),
            None => self.current_line.push_str(text),
        }
        if self.muted {
            return;
        }
        let painted = markup(self.opts.markup, text, styles);
        if self.out.write_all(painted.as_bytes()).is_err() {
            self.failed_write = true;
        }
    }

    /// `text` with `styles` when the output has markup.
    fn paint(&self, text: &str, styles: &[Style]) -> String {
        markup(self.opts.markup, text, styles)
    }

    fn line(&mut self, text: &str) {
        self.line_styled(text, &[]);
    }

    /// pytest's `wrap_write`: `content` wrapped (8 columns short of the width) as if it
    /// went on from the start of the current line.
    fn wrap_write(&mut self, content: &str) {
        let w = usize::try_from(self.line_width()).unwrap_or(0);
        let text = format!("{}{content}", " ".repeat(w));
        let wrapped = textwrap(&text, self.opts.width.saturating_sub(8)).join("\n");
        let wrapped: String = wrapped.chars().skip(w).collect();
        self.write(&wrapped);
    }

    fn line_styled(&mut self, text: &str, styles: &[Style]) {
        self.write_styled(text, styles);
        self.write("\n");
    }

    fn ensure_newline(&mut self) {
        if !matches!(self.current, Current::None) {
            self.line("");
            self.current = Current::None;
        }
    }

    fn write_sep(&mut self, ch: char, title: &str) {
        self.write_sep_styled(ch, title, &[]);
    }

    fn write_sep_styled(&mut self, ch: char, title: &str, styles: &[Style]) {
        self.ensure_newline();
        let s = sep(ch, title, self.opts.width);
        self.line_styled(&s, styles);
    }

    fn write_line(&mut self, text: &str) {
        self.ensure_newline();
        self.line(text);
    }

    /// Consume one event.
    pub fn event(&mut self, ev: &Event) {
        match ev {
            Event::TestStarted { nodeid } => self.logstart(nodeid),
            Event::Report(r) => self.logreport(r),
            Event::Warnings(warnings) => {
                for w in warnings {
                    let key = w
                        .file
                        .as_ref()
                        .and_then(|f| self.file_order.get(f).copied());
                    self.warnings.push(w.clone());
                    self.warning_keys.push(key.map(|i| (i, 0)));
                }
            }
            Event::Crashed { nodeid, reason } => {
                self.crashed.insert(nodeid.clone(), reason.clone());
            }
            Event::Note(text) => {
                if self.opts.verbosity >= 0 {
                    self.write_line(text);
                }
            }
            Event::NodeDown(text) => self.write_line(text),
            Event::PluginSummary(text) => self.plugin_summaries.push(text.clone()),
            // The loop ends by the exception: no final progress.
            Event::Interrupted(_) => self.interrupted = true,
            Event::Finished => self.loop_finished(),
            // The caller draws the header; a worker's own writes need nothing here.
            Event::Header(_)
            | Event::Imported(_)
            | Event::WorkerWrites
            | Event::SessionEndError(_) => {}
        }
        // pytest flushes after every report: progress shows as it happens.
        if self.out.flush().is_err() {
            self.failed_write = true;
        }
    }

    fn stat(&mut self, category: &str) -> &mut Vec<TestReport> {
        if let Some(i) = self.stats.iter().position(|(c, _)| c == category) {
            return &mut self.stats[i].1;
        }
        self.stats.push((category.to_string(), Vec::new()));
        let last = self.stats.len() - 1;
        &mut self.stats[last].1
    }

    fn reports(&self, category: &str) -> &[TestReport] {
        self.stats
            .iter()
            .find(|(c, _)| c == category)
            .map_or(&[], |(_, r)| r.as_slice())
    }

    fn logstart(&mut self, nodeid: &str) {
        if self.opts.test_cases_verbosity > 0 {
            let prefix = self.location_line(nodeid);
            self.ensure_prefix(&prefix, None);
        } else if self.opts.test_cases_verbosity >= 0 && self.opts.dist.is_none() {
            self.fspath_result(nodeid, "");
        }
    }

    fn location_line(&self, nodeid: &str) -> String {
        format!("{} ", self.nodeids.show(nodeid))
    }

    fn ensure_prefix(&mut self, prefix: &str, extra: Option<(&str, &[Style])>) {
        if self.current != Current::Prefix(prefix.to_string()) {
            self.line("");
            self.current = Current::Prefix(prefix.to_string());
            self.write(prefix);
        }
        if let Some((extra, styles)) = extra {
            self.write_styled(extra, styles);
            self.current = Current::Done;
        }
    }

    fn fspath_result(&mut self, nodeid: &str, res: &str) {
        let file = self.nodeids.file(nodeid);
        if self.current != Current::Path(file.clone()) {
            if !matches!(self.current, Current::None) && self.opts.show_progress {
                self.progress_filling_space();
            }
            self.current = Current::Path(file.clone());
            self.line("");
            self.write(&format!("{file} "));
        }
        self.write(res);
    }

    fn is_last_item(&self) -> bool {
        self.reported.len() == self.collected
    }

    fn progress_message(&self) -> String {
        let collected = self.collected;
        if self.opts.progress_count {
            if collected == 0 {
                return format!(" [ {collected} / {collected} ]");
            }
            let digits = collected.to_string().len();
            return format!(" [{:>digits$}/{collected}]", self.reported.len());
        }
        match (self.reported.len() * 100).checked_div(collected) {
            Some(pct) => format!(" [{pct:3}%]"),
            None => " [100%]".into(),
        }
    }

    /// How wide the progress column can get (pytest's `progress_length`).
    fn progress_width(&self) -> usize {
        if self.opts.progress_count {
            let n = self.collected;
            format!(" [{n}/{n}]").len()
        } else {
            " [100%]".len()
        }
    }

    /// pytest's `width_of_current_line`: the current line's columns (`wcswidth`).
    fn line_width(&self) -> i64 {
        wcswidth(&self.current_line)
    }

    fn width(&self) -> i64 {
        i64::try_from(self.opts.width).unwrap_or(i64::MAX)
    }

    fn progress_filling_space(&mut self) {
        let msg = self.progress_message();
        let fill = usize::try_from(self.width() - self.line_width() - 1).unwrap_or(0);
        let text = format!("{msg:>fill$}");
        let color = self.main_color();
        self.write_styled(&text, &[color]);
    }

    fn progress_if_past_edge(&mut self) {
        if self.line_width() + self.progress_width() as i64 + 1 >= self.width() {
            let msg = self.progress_message();
            let color = self.main_color();
            self.write_styled(&format!("{msg}\n"), &[color]);
        }
    }

    /// pytest's `_determine_main_color`, from the categories reported so far: the
    /// colour of the progress column and of the final line.
    fn main_color(&self) -> Style {
        let has = |c: &str| self.stats.iter().any(|(k, r)| k == c && !r.is_empty());
        let unknown = self
            .stats
            .iter()
            .any(|(k, r)| !r.is_empty() && !k.is_empty() && !KNOWN_TYPES.contains(&k.as_str()));
        if has("failed") || has("error") {
            Style::Red
        } else if !self.warnings.is_empty() || has("xpassed") || unknown {
            Style::Yellow
        } else if has("passed") || !self.is_last_item() {
            Style::Green
        } else {
            Style::Yellow
        }
    }

    /// pytest's markup for a report's letter and word: green for a pass, yellow for an
    /// xpass or a skip (xfail included), red for a failure or an error.
    fn outcome_styles(rep: &TestReport) -> &'static [Style] {
        match rep.outcome {
            Outcome::Passed if rep.wasxfail.is_none() => &[Style::Green],
            Outcome::Passed | Outcome::Skipped | Outcome::Rerun => &[Style::Yellow],
            Outcome::Failed => &[Style::Red],
        }
    }

    fn logreport(&mut self, rep: &TestReport) {
        self.muted = rep.under_capture;
        self.logreport_inner(rep);
        self.muted = false;
    }

    fn logreport_inner(&mut self, rep: &TestReport) {
        let category = rep.category().to_string();
        self.stat(&category).push(rep.clone());
        let file = rep.nodeid.split("::").next().unwrap_or("");
        let at = self.file_order.get(file).copied();
        for w in &rep.warnings {
            // An import-time warning of a module (or a conftest above it): at the place
            // of the module whose import raised it, else of the report's own file.
            let key = match &w.file {
                Some(f) => self.file_order.get(f).copied(),
                None => at.filter(|_| w.nodeid.is_empty()),
            }
            .map(|i| (i, 0));
            self.warnings.push(w.clone());
            self.warning_keys.push(key);
        }
        let (letter, word) = rep.letter_word();
        if letter.is_empty() && word.is_empty() {
            return;
        }
        self.reported.insert(rep.nodeid.clone());
        let styles = Self::outcome_styles(rep);
        if self.opts.test_cases_verbosity <= 0 {
            self.write_styled(letter, styles);
            if self.opts.show_progress && !self.is_last_item() {
                self.progress_if_past_edge();
            }
        } else if let Some(worker) = rep.worker.as_deref().filter(|_| self.opts.dist.is_some()) {
            // pytest's verbose line for a report from an xdist worker.
            let line = self.location_line(&rep.nodeid);
            self.ensure_newline();
            self.write(&format!("[{worker}]"));
            if self.opts.show_progress {
                let progress = format!("{} ", self.progress_message());
                self.write_styled(&progress, &[Style::Cyan]);
            } else {
                self.write(" ");
            }
            self.write_styled(word, styles);
            self.write(&format!(" {line}"));
            self.current = Current::Done;
        } else {
            let line = self.location_line(&rep.nodeid);
            self.ensure_prefix(&line, Some((word, styles)));
            if rep.outcome == Outcome::Skipped || rep.wasxfail.is_some() {
                let reason = raw_skip_reason(rep);
                let formatted = if self.opts.test_cases_verbosity < 2 {
                    let available = self.width() - self.line_width() - " [100%]".len() as i64 - 1;
                    format_trimmed(" (", ")", &reason, available)
                } else {
                    Some(format!(" ({reason})"))
                };
                if let Some(f) = formatted.filter(|_| !reason.is_empty()) {
                    self.wrap_write(&f);
                }
            }
            if self.opts.show_progress {
                self.progress_filling_space();
            }
        }
    }

    fn loop_finished(&mut self) {
        // pytest's loop ends by an exception when it stops at `--maxfail` or is
        // interrupted: the final progress is never written.
        let stopped =
            self.interrupted || (self.opts.maxfail > 0 && self.failures() >= self.opts.maxfail);
        if self.opts.test_cases_verbosity <= 0
            && self.opts.show_progress
            && !self.reported.is_empty()
            && !stopped
        {
            self.progress_filling_space();
        }
    }

    /// The summary sections and the final line (`pytest_sessionfinish`); `stop_line` is
    /// pytest's `!!! stopping after N failures !!!` banner.
    pub fn finish(&mut self, duration: f64, stop_line: Option<&str>) -> bool {
        let lines: Vec<String> = stop_line.iter().map(|l| l.to_string()).collect();
        self.finish_with(duration, &lines)
    }

    /// [`Self::finish`] with every `!`-banner pytest prints before the final line
    /// (`session.shouldfail`, then `session.shouldstop` or the `Interrupted:` line).
    pub fn finish_with(&mut self, duration: f64, stop_lines: &[String]) -> bool {
        self.line("");
        self.summary_sections();
        for l in stop_lines {
            self.stop_line(l);
        }
        self.summary_stats(duration);
        !self.failed_write
    }

    /// [`Self::finish_with`] for a session a `KeyboardInterrupt` or `pytest.exit` ended
    /// with exit code `code`: the summary sections only for the codes pytest gives them,
    /// the interruption's `!` banner before the final line when the code is 2
    /// (`INTERRUPTED`), after it otherwise (pytest's `pytest_unconfigure`).
    pub fn finish_interrupted(
        &mut self,
        duration: f64,
        stop_lines: &[String],
        info: &Interruption,
        code: i32,
    ) -> bool {
        self.line("");
        // pytest's `summary_exit_codes`: OK, TESTS_FAILED, INTERRUPTED, USAGE_ERROR,
        // NO_TESTS_COLLECTED, MAX_WARNINGS_ERROR.
        if matches!(code, 0..=2 | 4 | 5 | 6) {
            self.summary_sections();
        }
        for l in stop_lines {
            self.stop_line(l);
        }
        if code == 2 {
            self.report_interruption(info);
        }
        self.summary_stats(duration);
        if code != 2 {
            self.report_interruption(info);
        }
        !self.failed_write
    }

    /// A `!` banner before the final line: red for `session.shouldfail` and
    /// `session.shouldstop`, plain for an `Interrupted: ...` (pytest reports the
    /// `Interrupted` exception as it reports a `KeyboardInterrupt`; pytest-xdist's
    /// `xdist.dsession.Interrupted: ...` too).
    fn stop_line(&mut self, line: &str) {
        if line.starts_with("Interrupted: ") || line.starts_with("xdist.dsession.Interrupted: ") {
            self.write_sep('!', line);
        } else {
            self.write_sep_styled('!', line, &[Style::Red]);
        }
    }

    fn report_interruption(&mut self, info: &Interruption) {
        self.write_sep('!', &info.message);
        // The coordinator's own Ctrl-C text is plain; a worker's has its markup.
        for line in info.body.split_inclusive('\n') {
            match line.strip_suffix('\n') {
                Some(hint) if hint == fastest_core::report::FULL_TRACE_HINT => {
                    self.line_styled(hint, &[Style::Yellow]);
                }
                _ => self.write(line),
            }
        }
    }

    /// A plugin's `=` banner for the terminal summary, after `--durations` and before
    /// the short summary (where pytest-xdist's `xdist: ...` line goes).
    pub fn add_plugin_banner(&mut self, title: String) {
        self.plugin_banners.push(title);
    }

    /// What pytest-cov writes as the run ends (its `pytest_runtestloop` wrapper), red
    /// and bold.
    pub fn coverage_notice(&mut self, text: &str) {
        self.write_styled(text, &[Style::Red, Style::Bold]);
    }

    /// pytest-cov's `pytest_terminal_summary`: under a `tests coverage` heading, the
    /// report's `text` and the `required` line (red and bold when it failed, else
    /// green), after the generated-xml line and before `--durations`.
    pub fn set_coverage(&mut self, text: String, required: Option<(String, bool)>) {
        self.coverage = Some((text, required));
    }

    fn summary_coverage(&mut self) {
        let Some((text, required)) = self.coverage.take() else {
            return;
        };
        if !text.is_empty() || required.is_some() {
            self.write_sep('=', "tests coverage");
        }
        self.write(&text);
        if let Some((line, failed)) = required {
            let styles: &[Style] = if failed {
                &[Style::Red, Style::Bold]
            } else {
                &[Style::Green]
            };
            self.write_styled(&format!("{line}\n"), styles);
        }
    }

    /// pytest's `pytest_terminal_summary` sections (the terminal reporter's and
    /// runner.py's `--durations`).
    fn summary_sections(&mut self) {
        if !self.opts.no_summary {
            self.summary_problems(false);
            self.summary_problems(true);
            self.summary_warnings();
            self.summary_passes("passed", "PASSES", 'P');
            self.summary_passes("xpassed", "XPASSES", 'X');
        }
        // The plugins' `pytest_terminal_summary` run inside the reporter's wrapper, also
        // under `--no-summary`: junitxml's (registered last, so first), then runner.py's.
        if let Some(path) = self
            .generated_xml
            .clone()
            .filter(|_| self.opts.verbosity >= 0)
        {
            self.write_sep('-', &format!("generated xml file: {path}"));
        }
        self.summary_coverage();
        self.summary_reruns();
        // pytest-benchmark's hook, registered before pytest-cov's plugin object and
        // after the runner's: between the two.
        for text in std::mem::take(&mut self.plugin_summaries) {
            self.write(&text);
        }
        self.summary_durations();
        if self.opts.verbosity >= 0 {
            for title in std::mem::take(&mut self.plugin_banners) {
                self.write_sep('=', &title);
            }
        }
        if !self.opts.no_summary {
            self.short_test_summary();
        }
    }

    /// pytest-rerunfailures' `pytest_terminal_summary` (`-rr`, `-rR` or
    /// `--rerun-show-tracebacks`): every report of each test it ran again, by attempt
    /// and phase, a word and the node id a line (passing setups and teardowns left
    /// out), tests in the order the reporter's categories first list them.
    fn summary_reruns(&mut self) {
        let show_tracebacks = self.opts.rerun_tracebacks;
        if !show_tracebacks && !self.opts.reportchars.contains(['r', 'R']) {
            return;
        }
        let mut order: Vec<&str> = Vec::new();
        let mut attempts: HashMap<&str, Vec<&TestReport>> = HashMap::new();
        let mut ran_again: HashSet<&str> = HashSet::new();
        for r in self.stats.iter().flat_map(|(_, reps)| reps) {
            if r.rerun.is_none() {
                continue;
            }
            if r.outcome == Outcome::Rerun {
                ran_again.insert(&r.nodeid);
            }
            attempts
                .entry(&r.nodeid)
                .or_insert_with(|| {
                    order.push(&r.nodeid);
                    Vec::new()
                })
                .push(r);
        }
        let phase_order = |p: Phase| match p {
            Phase::Setup => 0,
            Phase::Call => 1,
            _ => 2,
        };
        let mut lines: Vec<(String, &'static [Style])> = Vec::new();
        for nodeid in order.into_iter().filter(|n| ran_again.contains(n)) {
            let Some(reports) = attempts.get_mut(nodeid) else {
                continue;
            };
            reports.sort_by_key(|r| (r.rerun, phase_order(r.when)));
            for r in reports.iter() {
                if r.outcome == Outcome::Passed && r.when != Phase::Call {
                    continue;
                }
                let (_, word) = r.letter_word();
                let word = if word.is_empty() {
                    format!("{:?}", r.outcome).to_uppercase()
                } else {
                    word.to_string()
                };
                lines.push((format!("{word} {nodeid}"), Self::outcome_styles(r)));
                if show_tracebacks && r.outcome == Outcome::Rerun && r.longrepr_text().is_some() {
                    for l in crate::junit::longrepr_str(r).lines() {
                        lines.push((l.to_string(), &[]));
                    }
                }
            }
        }
        if lines.is_empty() {
            return;
        }
        self.write_sep_styled('=', "rerun test summary info", &[Style::Cyan, Style::Bold]);
        for (line, styles) in lines {
            self.ensure_newline();
            self.line_styled(&line, styles);
        }
    }

    fn summary_durations(&mut self) {
        let Some(d) = self.durations else {
            return;
        };
        // Collect reports have no duration in pytest.
        let reports: Vec<TestReport> = self
            .stats
            .iter()
            .flat_map(|(_, r)| r.iter().filter(|r| r.when != Phase::Collect).cloned())
            .collect();
        if let Some((title, lines)) = crate::durations::section(&reports, d, self.opts.verbosity) {
            self.write_sep('=', &title);
            for l in lines {
                self.write_line(&l);
            }
        }
    }

    /// pytest's `head_line`; a subtest's (`SubtestReport.head_line`) adds its
    /// description.
    fn head_line(rep: &TestReport) -> String {
        if let Some(sub) = &rep.subtest {
            return format!("{} {}", rep.location.2, sub.description());
        }
        if rep.location.2.is_empty() {
            "test session".into()
        } else {
            rep.location.2.clone()
        }
    }

    fn outrep_summary(&mut self, rep: &TestReport) {
        if let (Some(worker), Some(info)) = (&rep.worker, &self.opts.dist) {
            let l = format!("[{worker}] {info}");
            self.line(&l);
        }
        if let Some(text) = &rep.longrepr {
            let text = text.clone();
            // `toterminal` ends with a newline of its own.
            self.write(&text);
            if !text.ends_with('\n') {
                self.write("\n");
            }
        }
        let show = self.opts.showcapture.clone();
        if show == "no" {
            return;
        }
        for (title, content) in &rep.sections {
            if show != "all" && !title.contains(show.as_str()) {
                continue;
            }
            let s = sep('-', title, self.opts.width);
            self.line(&s);
            let content = content.strip_suffix('\n').unwrap_or(content);
            self.line(content);
        }
    }

    fn teardown_sections(&mut self, nodeid: &str) {
        let show = self.opts.showcapture.clone();
        if show == "no" {
            return;
        }
        let sections: Vec<(String, String)> = self
            .reports("")
            .iter()
            .filter(|r| r.when == Phase::Teardown && r.nodeid == nodeid)
            .flat_map(|r| r.sections.iter().cloned())
            .collect();
        for (title, content) in sections {
            if show != "all" && !title.contains(show.as_str()) {
                continue;
            }
            if title.contains("teardown") {
                let s = sep('-', &title, self.opts.width);
                self.line(&s);
                let content = content.strip_suffix('\n').unwrap_or(&content);
                self.line(content);
            }
        }
    }

    /// pytest's `summary_errors` (`failures == false`) and `summary_failures`.
    fn summary_problems(&mut self, failures: bool) {
        if self.opts.tbstyle == "no" {
            return;
        }
        let (category, title) = if failures {
            ("failed", "FAILURES")
        } else {
            ("error", "ERRORS")
        };
        let reports: Vec<TestReport> = self.reports(category).to_vec();
        if reports.is_empty() {
            return;
        }
        self.write_sep('=', title);
        if failures && self.opts.tbstyle == "line" {
            // pytest's `summary_failures_combined` in its line style: no headline, the
            // failure, then its crash line.
            for rep in &reports {
                self.outrep_summary(rep);
                let line = rep.crashline.clone().unwrap_or_default();
                self.line(&line);
            }
            return;
        }
        for rep in &reports {
            let head = if failures {
                Self::head_line(rep)
            } else if rep.when == Phase::Collect {
                format!("ERROR collecting {}", Self::head_line(rep))
            } else {
                format!("ERROR at {} of {}", rep.when.as_str(), Self::head_line(rep))
            };
            self.write_sep_styled('_', &head, &[Style::Red, Style::Bold]);
            self.outrep_summary(rep);
            if failures {
                self.teardown_sections(&rep.nodeid);
            }
        }
    }

    fn summary_passes(&mut self, category: &str, title: &str, opt: char) {
        if self.opts.tbstyle == "no" || !self.opts.reportchars.contains(opt) {
            return;
        }
        let reports: Vec<TestReport> = self.reports(category).to_vec();
        if reports.is_empty() {
            return;
        }
        self.write_sep('=', title);
        for rep in &reports {
            if !rep.sections.is_empty() {
                self.write_sep_styled('_', &Self::head_line(rep), &[Style::Green, Style::Bold]);
                self.outrep_summary(rep);
            }
            self.teardown_sections(&rep.nodeid);
        }
    }

    fn summary_warnings(&mut self) {
        if !self.opts.reportchars.contains('w') || self.warnings.is_empty() {
            return;
        }
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        // pytest collects everything before the first test runs: warnings recorded at
        // collection (no node id; the engine meets a module's at its first test) first.
        let (mut collected, run): (Vec<_>, Vec<_>) = self
            .warnings
            .iter()
            .zip(self.warning_keys.iter().chain(std::iter::repeat(&None)))
            .partition(|(w, _)| w.nodeid.is_empty());
        // In collection order where it is known (a stable sort: warnings without a
        // place stay first, in arrival order).
        collected.sort_by_key(|(_, k)| k.map_or((0, 0, 0), |(i, p)| (1, i, p)));
        for (w, _) in collected.into_iter().chain(run) {
            let loc = if !w.nodeid.is_empty() {
                w.nodeid.clone()
            } else if let Some((f, l)) = &w.fslocation {
                format!(
                    "{}:{l}",
                    crate::text::bestrelpath(&self.nodeids.invocation_dir, Path::new(f))
                )
            } else {
                String::new()
            };
            match groups.iter_mut().find(|(m, _)| *m == w.message) {
                Some((_, locs)) => locs.push(loc),
                None => groups.push((w.message.clone(), vec![loc])),
            }
        }
        self.write_sep_styled('=', "warnings summary", &[Style::Yellow]);
        for (message, locs) in groups {
            let locs: Vec<String> = locs.into_iter().filter(|l| !l.is_empty()).collect();
            let text = if locs.is_empty() {
                message.trim_end().to_string()
            } else {
                let shown = if locs.len() < 10 {
                    locs.join("\n")
                } else {
                    let mut counts: Vec<(String, usize)> = Vec::new();
                    for l in &locs {
                        let f = l.split("::").next().unwrap_or(l).to_string();
                        match counts.iter_mut().find(|(k, _)| *k == f) {
                            Some((_, n)) => *n += 1,
                            None => counts.push((f, 1)),
                        }
                    }
                    counts
                        .iter()
                        .map(|(k, n)| format!("{k}: {n} warning{}", if *n > 1 { "s" } else { "" }))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                self.line(&shown);
                let indented: Vec<String> = message.lines().map(|l| format!("  {l}")).collect();
                indented.join("\n").trim_end().to_string()
            };
            self.line(&text);
            self.line("");
        }
        self.line("-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html");
    }

    /// pytest's `_get_node_id_with_markup`: the shown node id, bold after its path.
    fn node_with_markup(&self, nodeid: &str) -> String {
        let shown = self.nodeids.show(nodeid);
        match shown.split_once("::") {
            Some((path, rest)) => format!("{path}::{}", self.paint(rest, &[Style::Bold])),
            None => shown,
        }
    }

    /// pytest's `_get_line_with_reprcrash_message` for a report of `category`.
    fn crash_line(&self, category: &str, word: &str, rep: &TestReport) -> String {
        // `_get_verbose_word_with_markup`: the word `pytest_report_teststatus` gives.
        let word = rep.status.as_ref().map_or(word, |s| s.word.as_str());
        let word = self.paint(word, &[Style::for_category(category)]);
        let node = self.node_with_markup(&rep.nodeid);
        let mut line = format!("{word} {node}");
        // A report from a pytest-xdist worker arrives serialized: a failure text without
        // a crash entry (a fixture lookup error, ...) becomes a plain string, which
        // pytest then gives whole as the message (`str()` of the repr: stripped).
        let from_worker = rep.worker.is_some() && self.opts.dist.is_some();
        let msg = match (&rep.crash, &rep.longrepr) {
            (Some(c), _) => Some(c.as_str()),
            (None, Some(l)) if from_worker => Some(l.trim()),
            _ => None,
        };
        if let Some(msg) = msg {
            if (self.opts.on_ci || self.opts.verbosity >= 2) && !self.opts.force_short_summary {
                line.push_str(&format!(" - {msg}"));
            } else {
                // pytest measures the line with `wcswidth`, which is -1 for a line with
                // escape codes in it: with markup the message may use one column more
                // than the line is wide.
                let available = self.width() - wcswidth(&line);
                if let Some(m) = format_trimmed(" - ", "", msg, available) {
                    line.push_str(&m);
                }
            }
        }
        line
    }

    fn short_test_summary(&mut self) {
        let mut lines: Vec<String> = Vec::new();
        for ch in self.opts.reportchars.clone().chars() {
            match ch {
                'f' => {
                    for r in self.reports("failed") {
                        lines.push(self.crash_line("failed", "FAILED", r));
                    }
                }
                'E' => {
                    for r in self.reports("error") {
                        lines.push(self.crash_line("error", "ERROR", r));
                    }
                }
                'p' => {
                    for r in self.reports("passed") {
                        lines.push(self.crash_line("passed", "PASSED", r));
                    }
                }
                'x' => {
                    for r in self.reports("xfailed") {
                        let node = self.node_with_markup(&r.nodeid);
                        let word = r.status.as_ref().map_or("XFAIL", |s| s.word.as_str());
                        let word = self.paint(word, &[Style::Yellow]);
                        let mut line = if r.when == Phase::Call {
                            format!("{word} {node}")
                        } else {
                            format!("{word} at {} of {node}", r.when.as_str())
                        };
                        if let Some(reason) = r.wasxfail.as_deref().filter(|s| !s.is_empty()) {
                            line.push_str(&format!(" - {reason}"));
                        }
                        lines.push(line);
                    }
                }
                'X' => {
                    for r in self.reports("xpassed") {
                        let node = self.node_with_markup(&r.nodeid);
                        let word = self.paint("XPASS", &[Style::Yellow]);
                        let mut line = format!("{word} {node}");
                        if let Some(reason) = r.wasxfail.as_deref().filter(|s| !s.is_empty()) {
                            line.push_str(&format!(" - {reason}"));
                        }
                        lines.push(line);
                    }
                }
                's' => lines.extend(self.skipped_lines()),
                _ => {}
            }
        }
        if !lines.is_empty() {
            self.write_sep_styled('=', "short test summary info", &[Style::Cyan, Style::Bold]);
            for l in lines {
                self.write_line(&l);
            }
        }
    }

    fn skipped_lines(&self) -> Vec<String> {
        let skipped = self.reports("skipped");
        // The verbose word of a skip (a subtest's is `SUBSKIPPED(...)`); folded lines
        // all take the first report's, as pytest's do.
        let word_of = |r: &TestReport| {
            let word = r.status.as_ref().map_or("SKIPPED", |s| s.word.as_str());
            self.paint(word, &[Style::Yellow])
        };
        let word = skipped.first().map(word_of).unwrap_or_default();
        if !self.opts.fold_skipped {
            return skipped
                .iter()
                .map(|r| {
                    let word = word_of(r);
                    let node = self.node_with_markup(&r.nodeid);
                    match r
                        .skip
                        .as_ref()
                        .map(|s| s.2.as_str())
                        .filter(|s| !s.is_empty())
                    {
                        Some(reason) => format!("{word} {node} - {reason}"),
                        None => format!("{word} {node}"),
                    }
                })
                .collect();
        }
        let mut folded: Vec<(SkipKey, usize)> = Vec::new();
        for r in skipped {
            let Some((path, lineno, reason)) = &r.skip else {
                continue;
            };
            let fspath = crate::text::bestrelpath(&self.nodeids.invocation_dir, Path::new(path));
            let key = if r.fold_no_line {
                (fspath, None, reason.clone())
            } else {
                (fspath, Some(*lineno), reason.clone())
            };
            match folded.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => folded.push((key, 1)),
            }
        }
        folded
            .into_iter()
            .map(|((fspath, lineno, reason), n)| {
                let reason = reason.strip_prefix("Skipped: ").unwrap_or(&reason);
                match lineno {
                    Some(l) => format!("{word} [{n}] {fspath}:{l}: {reason}"),
                    None => format!("{word} [{n}] {fspath}: {reason}"),
                }
            })
            .collect()
    }

    fn summary_stats(&mut self, duration: f64) {
        if self.opts.verbosity < -1 {
            return;
        }
        let main = self.main_color();
        let mut parts: Vec<(String, Vec<Style>)> = Vec::new();
        // pytest's `_set_main_color`: its known types, then the others in the order
        // they were first reported (pytest-rerunfailures' "rerun").
        let unknown: Vec<String> = self
            .stats
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !k.is_empty() && !KNOWN_TYPES.contains(&k.as_str()))
            .cloned()
            .collect();
        let keys = KNOWN_TYPES
            .iter()
            .copied()
            .chain(unknown.iter().map(String::as_str));
        for key in keys {
            let count = match key {
                "deselected" => self.deselected,
                "warnings" => self.warnings.len(),
                k => self.reports(k).len(),
            };
            if count > 0 {
                let color = Style::for_category(key);
                let mut styles = vec![color];
                if color == main {
                    styles.push(Style::Bold);
                }
                parts.push((plural(count, key), styles));
            }
        }
        if parts.is_empty() {
            parts.push(("no tests ran".into(), vec![Style::Yellow]));
        }
        let line = stats_line(
            &parts,
            main,
            &format!(" in {}", session_duration(duration)),
            self.opts.verbosity >= 0,
            self.opts.width,
            self.opts.markup,
        );
        self.ensure_newline();
        // Already painted: written as text (the line ends here).
        self.line(&line);
    }

    /// Whether anything failed or errored (exit code 1).
    pub fn failed(&self) -> bool {
        !self.reports("failed").is_empty() || !self.reports("error").is_empty()
    }

    /// Failed reports of any phase, xfails aside (pytest's `session.testsfailed`).
    pub fn failures(&self) -> usize {
        self.stats
            .iter()
            .filter(|(c, _)| c == "failed" || c == "error")
            .map(|(_, r)| r.len())
            .sum()
    }

    /// Whether any test reported at all (collect reports are not tests).
    pub fn ran(&self) -> bool {
        self.stats
            .iter()
            .any(|(_, r)| r.iter().any(|r| r.when != Phase::Collect))
    }
}

/// pytest's `KNOWN_TYPES`: the categories of the final line, in its order.
const KNOWN_TYPES: [&str; 11] = [
    "failed",
    "passed",
    "skipped",
    "deselected",
    "xfailed",
    "xpassed",
    "warnings",
    "error",
    "subtests passed",
    "subtests failed",
    "subtests skipped",
];

/// `_folded_skips`' key: path, line (none for a skip mark's skip), reason.
type SkipKey = (String, Option<u32>, String);

/// pytest's `_get_raw_skip_reason`.
fn raw_skip_reason(rep: &TestReport) -> String {
    if let Some(w) = &rep.wasxfail {
        return w.strip_prefix("reason: ").unwrap_or(w).to_string();
    }
    match &rep.skip {
        Some((_, _, reason)) => {
            if let Some(r) = reason.strip_prefix("Skipped: ") {
                r.to_string()
            } else if reason == "Skipped" {
                String::new()
            } else {
                reason.clone()
            }
        }
        None => String::new(),
    }
}
