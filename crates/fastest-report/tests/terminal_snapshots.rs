//! Snapshots of the run reporter's three forms (default, `-q`, `-v`) and its summary
//! switches, from a fixed stream of events: a pass, a failure with captured output, a
//! setup error, a skip, an xfail, an xpass and a warning. What pytest prints for real
//! suites is compared in `python/tests/test_oracle_run.py`; these pin the renderer.

use fastest_core::report::{Event, Outcome, Phase, TestReport, WarningReport};
use fastest_report::terminal::{TerminalOptions, TerminalReporter};
use fastest_report::text::report_chars;

fn report(nodeid: &str, when: Phase, outcome: Outcome) -> TestReport {
    let name = nodeid.rsplit("::").next().unwrap_or(nodeid).to_string();
    TestReport::new(
        nodeid,
        when,
        outcome,
        ("tests/test_a.py".into(), Some(3), name),
    )
}

fn events() -> Vec<Event> {
    let mut ev = Vec::new();
    let mut item = |reports: Vec<TestReport>| {
        ev.push(Event::TestStarted {
            nodeid: reports[0].nodeid.clone(),
        });
        for r in reports {
            ev.push(Event::Report(Box::new(r)));
        }
    };
    let ok = "tests/test_a.py::test_ok";
    item(vec![
        report(ok, Phase::Setup, Outcome::Passed),
        report(ok, Phase::Call, Outcome::Passed),
        report(ok, Phase::Teardown, Outcome::Passed),
    ]);
    let bad = "tests/test_a.py::test_bad";
    let mut call = report(bad, Phase::Call, Outcome::Failed);
    call.longrepr = Some("    def test_bad():\n>       assert 1 == 2\nE       assert 1 == 2\n\ntests/test_a.py:5: AssertionError\n".into());
    call.crash = Some("assert 1 == 2".into());
    call.sections = vec![("Captured stdout call".into(), "hello\n".into())];
    item(vec![
        report(bad, Phase::Setup, Outcome::Passed),
        call,
        report(bad, Phase::Teardown, Outcome::Passed),
    ]);
    let err = "tests/test_a.py::TestK::test_err";
    let mut setup = report(err, Phase::Setup, Outcome::Failed);
    setup.location.2 = "TestK.test_err".into();
    setup.longrepr = Some("E   RuntimeError: no db\n".into());
    setup.crash = Some("RuntimeError: no db".into());
    item(vec![setup, report(err, Phase::Teardown, Outcome::Passed)]);
    let skip = "tests/test_b.py::test_skip";
    let mut s = report(skip, Phase::Setup, Outcome::Skipped);
    s.skip = Some(("/r/tests/test_b.py".into(), 4, "Skipped: not today".into()));
    s.fold_no_line = true;
    item(vec![s, report(skip, Phase::Teardown, Outcome::Passed)]);
    let xf = "tests/test_b.py::test_xf";
    let mut x = report(xf, Phase::Call, Outcome::Skipped);
    x.wasxfail = Some("reason: known bug".into());
    item(vec![
        report(xf, Phase::Setup, Outcome::Passed),
        x,
        report(xf, Phase::Teardown, Outcome::Passed),
    ]);
    let xp = "tests/test_b.py::test_xp";
    let mut p = report(xp, Phase::Call, Outcome::Passed);
    p.wasxfail = Some(String::new());
    let mut td = report(xp, Phase::Teardown, Outcome::Passed);
    td.warnings = vec![WarningReport {
        nodeid: xp.into(),
        message: "/r/tests/test_b.py:9: UserWarning: careful\n  warnings.warn(\"careful\")\n"
            .into(),
        fslocation: Some(("/r/tests/test_b.py".into(), 9)),
        file: None,
    }];
    item(vec![report(xp, Phase::Setup, Outcome::Passed), p, td]);
    ev.push(Event::Finished);
    ev
}

/// A run's options at width 80 with pytest's defaults.
fn options(verbosity: i32, reportchars: &str, tbstyle: &str) -> TerminalOptions {
    TerminalOptions {
        verbosity,
        test_cases_verbosity: verbosity,
        width: 80,
        reportchars: report_chars(reportchars, false),
        tbstyle: tbstyle.into(),
        no_summary: false,
        show_progress: true,
        progress_count: false,
        on_ci: false,
        fold_skipped: true,
        showcapture: "all".into(),
        force_short_summary: false,
        maxfail: 0,
        dist: None,
        markup: false,
        rerun_tracebacks: false,
    }
}

fn render(verbosity: i32, reportchars: &str) -> String {
    render_with(verbosity, reportchars, false)
}

/// [`render_with`] with pytest's markup (`--color=yes`), escape codes shown as `cat -v`
/// shows them.
fn render_markup(verbosity: i32, reportchars: &str, dist: bool) -> String {
    render_opts(verbosity, reportchars, dist, true).replace('\x1b', "^[")
}

/// `dist`: the events come from two workers (`-n 2`), alternating.
fn render_with(verbosity: i32, reportchars: &str, dist: bool) -> String {
    render_opts(verbosity, reportchars, dist, false)
}

fn render_opts(verbosity: i32, reportchars: &str, dist: bool, markup: bool) -> String {
    let mut out: Vec<u8> = Vec::new();
    let opts = TerminalOptions {
        dist: dist.then(|| "linux -- Python 3.11.7 /venv/bin/python".to_string()),
        markup,
        ..options(verbosity, reportchars, "auto")
    };
    let root = std::path::Path::new("/r");
    {
        let mut rep = TerminalReporter::new(&mut out, opts, root, root, 6, 1);
        let mut item = 0;
        for mut ev in events() {
            if let (true, Event::Report(r)) = (dist, &mut ev) {
                r.worker = Some(format!("gw{}", item % 2));
                if r.when == Phase::Teardown {
                    item += 1;
                }
            }
            rep.event(&ev);
        }
        rep.finish(0.5, None);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn default_form() {
    insta::assert_snapshot!(render(0, "fE"));
}

/// pytest's markup: letters and words by outcome, the progress and the final line in
/// the main colour (yellow: a warning, no failure... here red), bold red headlines,
/// the short summary's words coloured and test names bold.
#[test]
fn markup_default_form() {
    insta::assert_snapshot!(render_markup(0, "A", false));
}

#[test]
fn markup_quiet_form() {
    insta::assert_snapshot!(render_markup(-1, "fE", false));
}

#[test]
fn markup_verbose_form() {
    insta::assert_snapshot!(render_markup(1, "fE", false));
}

#[test]
fn markup_distributed_verbose_form() {
    insta::assert_snapshot!(render_markup(1, "fE", true));
}

#[test]
fn quiet_form() {
    insta::assert_snapshot!(render(-1, "fE"));
}

#[test]
fn verbose_form() {
    insta::assert_snapshot!(render(1, "fE"));
}

#[test]
fn all_report_chars() {
    insta::assert_snapshot!(render(0, "A"));
}

#[test]
fn distributed_default_form() {
    insta::assert_snapshot!(render_with(0, "fE", true));
}

#[test]
fn distributed_verbose_form() {
    insta::assert_snapshot!(render_with(1, "fE", true));
}

/// `--durations`: every phase's report sorted slowest first (ties keep their order),
/// cut at `N`, and the first one under the threshold ends the list with the hidden line.
fn render_durations(count: i64, min: Option<f64>, verbosity: i32) -> String {
    let mut out: Vec<u8> = Vec::new();
    let opts = options(verbosity, "fE", "no");
    let root = std::path::Path::new("/r");
    let timed = [
        ("tests/test_a.py::test_fast", [0.0001, 0.001, 0.0002]),
        ("tests/test_a.py::test_slow", [0.25, 1.5, 0.006]),
        ("tests/test_b.py::test_tie", [0.0, 0.25, 0.0]),
    ];
    {
        let mut rep = TerminalReporter::new(&mut out, opts, root, root, 3, 0);
        rep.set_durations(fastest_report::durations::Durations { count, min });
        for (nodeid, times) in timed {
            rep.event(&Event::TestStarted {
                nodeid: nodeid.into(),
            });
            for (when, t) in [Phase::Setup, Phase::Call, Phase::Teardown]
                .into_iter()
                .zip(times)
            {
                let mut r = report(nodeid, when, Outcome::Passed);
                r.duration = t;
                rep.event(&Event::Report(Box::new(r)));
            }
        }
        rep.event(&Event::Finished);
        rep.finish(1.0, None);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn durations_all() {
    insta::assert_snapshot!(render_durations(0, None, 0));
}

#[test]
fn durations_top_two() {
    insta::assert_snapshot!(render_durations(2, None, 0));
}

#[test]
fn durations_min_given() {
    insta::assert_snapshot!(render_durations(0, Some(0.2), 0));
}

#[test]
fn durations_very_verbose() {
    insta::assert_snapshot!(render_durations(0, None, 2));
}

/// A session a `KeyboardInterrupt` or `pytest.exit` ended: the first two items ran, the
/// third was interrupted in its call (only its setup report came). With exit code 2 the
/// banner comes before the final line; with another `pytest.exit(returncode=)` after it,
/// and without the summary sections for codes pytest gives none.
fn render_interrupted(info: &fastest_core::report::Interruption, code: i32) -> String {
    let mut out: Vec<u8> = Vec::new();
    let root = std::path::Path::new("/r");
    {
        let mut rep = TerminalReporter::new(&mut out, options(0, "fE", "auto"), root, root, 6, 0);
        let evs = events();
        // Up to the start of the third item (the setup error), then its passed setup.
        let third = evs
            .iter()
            .filter(|e| matches!(e, Event::TestStarted { .. }))
            .nth(2)
            .and_then(|s| evs.iter().position(|e| e == s))
            .expect("a third item");
        for ev in &evs[..=third] {
            rep.event(ev);
        }
        let nodeid = "tests/test_a.py::TestK::test_err";
        rep.event(&Event::Report(Box::new(report(
            nodeid,
            Phase::Setup,
            Outcome::Passed,
        ))));
        rep.event(&Event::Interrupted(info.clone()));
        rep.event(&Event::Finished);
        rep.finish_interrupted(0.5, &[], info, code);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn interrupted_by_keyboard_interrupt() {
    let info = fastest_core::report::Interruption {
        message: "KeyboardInterrupt".into(),
        body: "/r/tests/test_a.py:12: KeyboardInterrupt\n(to show a full traceback on KeyboardInterrupt use --full-trace)\n".into(),
        returncode: None,
    };
    insta::assert_snapshot!(render_interrupted(&info, 2));
}

#[test]
fn interrupted_by_exit_with_returncode() {
    let info = fastest_core::report::Interruption {
        message: "_pytest.outcomes.Exit: with code".into(),
        body: String::new(),
        returncode: Some(7),
    };
    insta::assert_snapshot!(render_interrupted(&info, 7));
}

/// junitxml's summary line: before runner.py's durations section (pytest calls the
/// plugin registered last first), also under `--no-summary`, never when quiet.
fn render_generated_xml(verbosity: i32, no_summary: bool) -> String {
    let mut out: Vec<u8> = Vec::new();
    let opts = TerminalOptions {
        no_summary,
        ..options(verbosity, "fE", "auto")
    };
    let root = std::path::Path::new("/r");
    {
        let mut rep = TerminalReporter::new(&mut out, opts, root, root, 6, 1);
        rep.set_durations(fastest_report::durations::Durations {
            count: 1,
            min: None,
        });
        rep.set_generated_xml("/r/out/j.xml".into());
        for ev in events() {
            rep.event(&ev);
        }
        rep.finish(0.5, None);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn generated_xml_line() {
    let line = "----------------------- generated xml file: /r/out/j.xml -----------------------\n";
    for no_summary in [false, true] {
        let text = render_generated_xml(0, no_summary);
        let at = text
            .find(line)
            .unwrap_or_else(|| panic!("no line in:\n{text}"));
        let next = &text[at + line.len()..];
        assert!(
            next.starts_with("============================= slowest 1 durations"),
            "{text}"
        );
        if !no_summary {
            assert!(text.find("FAILURES").expect("failures") < at, "{text}");
        }
    }
    assert!(!render_generated_xml(-1, false).contains("generated xml file"));
}

/// Collect reports (a module failing at collection, one skipped there) ahead of the
/// run's own reports: `ERROR collecting` leads the ERRORS section, the skip is folded
/// with the test skip under `-rs`, both count on the final line, and `--durations`
/// leaves them out (pytest's collect reports have no duration).
fn render_collect_reports(reportchars: &str) -> (String, bool) {
    let mut out: Vec<u8> = Vec::new();
    let root = std::path::Path::new("/r");
    let mut failing = TestReport::new(
        "tests/test_broken.py",
        Phase::Collect,
        Outcome::Failed,
        (
            "tests/test_broken.py".into(),
            None,
            "tests/test_broken.py".into(),
        ),
    );
    failing.longrepr =
        Some("tests/test_broken.py:1: in <module>\n    raise ValueError(\"boom\")\nE   ValueError: boom\n".into());
    failing.crash = Some("ValueError: boom".into());
    let mut skipped = TestReport::new(
        "tests/test_optional.py",
        Phase::Collect,
        Outcome::Skipped,
        (
            "tests/test_optional.py".into(),
            None,
            "tests/test_optional.py".into(),
        ),
    );
    skipped.skip = Some((
        "/r/tests/test_optional.py".into(),
        3,
        "could not import 'numpy': No module named 'numpy'".into(),
    ));
    let ran;
    {
        let mut rep =
            TerminalReporter::new(&mut out, options(0, reportchars, "auto"), root, root, 6, 1);
        rep.add_collect_reports(&[failing, skipped]);
        assert!(!rep.ran(), "collect reports are no test run");
        rep.set_durations(fastest_report::durations::Durations {
            count: 0,
            min: None,
        });
        for ev in events() {
            rep.event(&ev);
        }
        ran = rep.ran();
        rep.finish(0.5, None);
    }
    (String::from_utf8(out).expect("utf-8"), ran)
}

#[test]
fn collect_reports_lead_errors_and_skips() {
    let (text, ran) = render_collect_reports("fEs");
    assert!(ran);
    insta::assert_snapshot!(text);
}

/// Collection warnings in pytest's collection order: a worker's import-time warnings
/// (attached to a module's first test) at their module's place, before the warnings
/// pytest's collection raised for the same module after importing it.
#[test]
fn collection_warnings_follow_collection_order() {
    let mut out: Vec<u8> = Vec::new();
    let root = std::path::Path::new("/r");
    let warning = |message: &str, line: u32| WarningReport {
        nodeid: String::new(),
        message: format!("{message}\n"),
        fslocation: Some(("/r/x.py".into(), line)),
        file: None,
    };
    {
        let mut rep = TerminalReporter::new(&mut out, options(0, "fE", "auto"), root, root, 3, 0);
        rep.set_file_order(vec!["a.py".into(), "b.py".into(), "c.py".into()]);
        // Known to the coordinator before the run: b.py's collection, after its import.
        rep.add_ordered_warnings(vec![(warning("b collected", 2), Some((1, 1)))]);
        for (file, message) in [
            ("a.py", "a imported"),
            ("b.py", "b imported"),
            ("c.py", "c imported"),
        ] {
            let nodeid = format!("{file}::test_x");
            let mut setup = report(&nodeid, Phase::Setup, Outcome::Passed);
            setup.warnings = vec![warning(message, 1)];
            rep.event(&Event::TestStarted {
                nodeid: nodeid.clone(),
            });
            rep.event(&Event::Report(Box::new(setup)));
            rep.event(&Event::Report(Box::new(report(
                &nodeid,
                Phase::Call,
                Outcome::Passed,
            ))));
            rep.event(&Event::Report(Box::new(report(
                &nodeid,
                Phase::Teardown,
                Outcome::Passed,
            ))));
        }
        rep.event(&Event::Finished);
        rep.finish(0.5, None);
    }
    let text = String::from_utf8(out).expect("utf-8");
    let order: Vec<&str> = ["a imported", "b imported", "b collected", "c imported"]
        .iter()
        .map(|m| {
            let at = text
                .find(m)
                .unwrap_or_else(|| panic!("{m} missing in:\n{text}"));
            &text[at..at + m.len()]
        })
        .collect();
    let mut positions: Vec<usize> = order.iter().map(|m| text.find(m).unwrap_or(0)).collect();
    let sorted = {
        let mut p = positions.clone();
        p.sort_unstable();
        p
    };
    assert_eq!(positions, sorted, "{text}");
    positions.dedup();
    assert_eq!(positions.len(), 4);
}

/// pytest-rerunfailures' reports: a test that fails once and then passes, one that
/// fails on every attempt, one whose setup fails once. Each attempt is logged from its
/// start (the location line again under `-v`); the final line counts "rerun" after
/// pytest's known types; `-rR` adds the plugin's summary (with the rerun attempts'
/// failure texts under `--rerun-show-tracebacks`), after the passes and before the short
/// summary.
fn render_reruns(verbosity: i32, reportchars: &str, tracebacks: bool) -> String {
    let mut out: Vec<u8> = Vec::new();
    let opts = TerminalOptions {
        rerun_tracebacks: tracebacks,
        ..options(verbosity, reportchars, "auto")
    };
    let root = std::path::Path::new("/r");
    {
        let mut rep = TerminalReporter::new(&mut out, opts, root, root, 3, 0);
        let attempt = |nodeid: &str, n: u32, setup: Outcome, call: Option<Outcome>, again: bool| {
            let mut reports = vec![report(nodeid, Phase::Setup, setup)];
            if let Some(c) = call {
                let mut r = report(nodeid, Phase::Call, c);
                if c != Outcome::Passed {
                    r.longrepr = Some(format!(
                        "    def test():\n>       assert {n} > 1\nE       assert {n} > 1\n"
                    ));
                    r.crash = Some(format!("assert {n} > 1"));
                }
                reports.push(r);
            }
            if setup == Outcome::Rerun {
                reports[0].longrepr = Some("RuntimeError: setup".into());
            }
            let mut td = report(nodeid, Phase::Teardown, Outcome::Passed);
            td.again = again;
            reports.push(td);
            for r in &mut reports {
                r.rerun = Some(n);
            }
            reports
        };
        let flaky = "tests/test_a.py::test_flaky";
        let broken = "tests/test_a.py::test_broken";
        let setup = "tests/test_a.py::test_setup";
        let runs = [
            (
                flaky,
                vec![
                    attempt(flaky, 0, Outcome::Passed, Some(Outcome::Rerun), true),
                    attempt(flaky, 1, Outcome::Passed, Some(Outcome::Passed), false),
                ],
            ),
            (
                broken,
                vec![
                    attempt(broken, 0, Outcome::Passed, Some(Outcome::Rerun), true),
                    attempt(broken, 1, Outcome::Passed, Some(Outcome::Failed), false),
                ],
            ),
            (
                setup,
                vec![
                    attempt(setup, 0, Outcome::Rerun, None, true),
                    attempt(setup, 1, Outcome::Passed, Some(Outcome::Passed), false),
                ],
            ),
        ];
        for (nodeid, attempts) in runs {
            for reports in attempts {
                rep.event(&Event::TestStarted {
                    nodeid: nodeid.into(),
                });
                for r in reports {
                    rep.event(&Event::Report(Box::new(r)));
                }
            }
        }
        rep.event(&Event::Finished);
        rep.finish(0.5, None);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn reruns_default_form() {
    insta::assert_snapshot!(render_reruns(0, "fE", false));
}

#[test]
fn reruns_verbose_form_with_their_summary() {
    insta::assert_snapshot!(render_reruns(1, "fER", false));
}

#[test]
fn reruns_summary_with_tracebacks() {
    insta::assert_snapshot!(render_reruns(-1, "", true));
}
