//! GitHub Actions annotations: with `GITHUB_ACTIONS=true`, one
//! `::error file=…,line=…,title=…::message` workflow command per failed or errored test
//! report, printed after the run's normal output (the caller decides when).
//!
//! This module owns what each line says: the file (the test's file, relative to the
//! workspace root), the line (where the failure happened in that file, from the failure
//! text's traceback; the test's definition line when the text names no line of the
//! file), the title (the node id) and the message (the short summary's text), and the
//! escaping GitHub's workflow-command rules require (`%`, `\r`, `\n` everywhere, and
//! `:` and `,` in properties).

use std::path::Path;

use fastest_core::report::{Outcome, TestReport};

/// Whether annotations are wanted: GitHub sets `GITHUB_ACTIONS=true` in every step.
pub fn enabled(var: Option<&str>) -> bool {
    var == Some("true")
}

/// A workflow command's message data.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The 1-based line of the last traceback entry in `file` that the failure text names.
/// pytest's long/short styles write an entry's location as `path:LINE: …` and the
/// native style as `File "path", line LINE, …`; `path` may be relative to the
/// invocation directory or absolute, so the match is on its `file` suffix.
pub fn crash_line(longrepr: &str, file: &str) -> Option<u32> {
    let mut found = None;
    for line in longrepr.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("File \"") {
            if let Some((path, tail)) = rest.split_once("\", line ") {
                if same_file(path, file) {
                    let n: String = tail.chars().take_while(char::is_ascii_digit).collect();
                    found = n.parse().ok().or(found);
                }
            }
            continue;
        }
        // `path:LINE: ...`: the path ends at the first `:` followed by digits and `:`.
        let mut search = 0;
        while let Some(i) = line[search..].find(':') {
            let at = search + i;
            let rest = &line[at + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() && rest[digits.len()..].starts_with(':') {
                if same_file(&line[..at], file) {
                    found = digits.parse().ok().or(found);
                }
                break;
            }
            search = at + 1;
        }
    }
    found
}

/// Whether a path as the traceback wrote it names `file` (rootdir-relative).
fn same_file(written: &str, file: &str) -> bool {
    let written = written.trim();
    written == file
        || written
            .strip_suffix(file)
            .is_some_and(|head| head.ends_with('/') || head.ends_with('\\'))
}

/// One annotation for a failed report (`None` for any other).
///
/// `rootdir` and `workspace` are absolute: the report's path is rootdir-relative,
/// GitHub wants it relative to the repository's root (`GITHUB_WORKSPACE`, else the
/// invocation directory).
pub fn annotation(r: &TestReport, rootdir: &Path, workspace: &Path) -> Option<String> {
    if r.outcome != Outcome::Failed {
        return None;
    }
    let file = &r.location.0;
    let abs = rootdir.join(file);
    let shown = abs
        .strip_prefix(workspace)
        .map_or_else(|_| abs.display().to_string(), |p| p.display().to_string());
    let line = r
        .longrepr_text()
        .and_then(|l| crash_line(l, file))
        .or_else(|| r.location.1.map(|l| l + 1))
        .unwrap_or(1);
    let message = r
        .crash
        .clone()
        .or_else(|| {
            r.longrepr_text()
                .and_then(|l| l.lines().rev().find(|s| !s.trim().is_empty()))
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("{} failed", r.nodeid));
    let message = match r.category() {
        "error" => format!("error at {} of {}: {message}", r.when.as_str(), r.nodeid),
        _ => message,
    };
    Some(format!(
        "::error file={},line={line},title={}::{}",
        escape_property(&shown),
        escape_property(&r.nodeid),
        escape_data(&message)
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fastest_core::report::Phase;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(
            escape_property("t.py::f[a,b:c%]"),
            "t.py%3A%3Af[a%2Cb%3Ac%25]"
        );
    }

    #[test]
    fn only_true_enables() {
        assert!(enabled(Some("true")));
        assert!(!enabled(Some("false")));
        assert!(!enabled(Some("")));
        assert!(!enabled(None));
    }

    #[test]
    fn crash_line_is_the_last_entry_in_the_test_file() {
        let long = "\
    def test_x():
>       helper()

tests/test_a.py:7: 
_ _ _ _ _ _ _

    def helper():
>       assert 0
E       assert 0

tests/test_a.py:3: AssertionError
";
        assert_eq!(crash_line(long, "tests/test_a.py"), Some(3));
        let lib = "tests/test_a.py:9: in test_y\n    lib.go()\n/usr/lib/lib.py:2: in go\n    raise X\nE   X\n";
        assert_eq!(crash_line(lib, "tests/test_a.py"), Some(9));
        let native = "Traceback (most recent call last):\n  File \"/repo/tests/test_a.py\", line 12, in test_z\n    assert 0\nAssertionError\n";
        assert_eq!(crash_line(native, "tests/test_a.py"), Some(12));
        assert_eq!(crash_line("E   boom", "tests/test_a.py"), None);
        assert_eq!(crash_line("other_test_a.py:4: x", "test_a.py"), None);
    }

    #[test]
    fn annotation_lines() {
        let root = Path::new("/repo");
        let mut failed = TestReport::new(
            "tests/test_a.py::test_x[a,b]",
            Phase::Call,
            Outcome::Failed,
            ("tests/test_a.py".into(), Some(4), "test_x[a,b]".into()),
        );
        failed.longrepr = Some(
            ">       assert 1 == 2\nE       assert 1 == 2\n\ntests/test_a.py:6: AssertionError\n"
                .into(),
        );
        failed.crash = Some("assert 1 == 2\n +  where 1 = f()".into());
        let mut setup = TestReport::new(
            "tests/test_a.py::test_y",
            Phase::Setup,
            Outcome::Failed,
            ("tests/test_a.py".into(), Some(10), "test_y".into()),
        );
        setup.crash = Some("RuntimeError: 100% broken".into());
        let crashed = TestReport {
            crash: None,
            longrepr: None,
            ..TestReport::new(
                "sub/test_b.py::test_z",
                Phase::Call,
                Outcome::Failed,
                ("sub/test_b.py".into(), None, "test_z".into()),
            )
        };
        let passed = TestReport::new(
            "tests/test_a.py::test_ok",
            Phase::Call,
            Outcome::Passed,
            ("tests/test_a.py".into(), Some(1), "test_ok".into()),
        );
        let lines: Vec<String> = [&failed, &setup, &crashed, &passed]
            .iter()
            .filter_map(|r| annotation(r, root, root))
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
        // Outside the workspace: the absolute path.
        let elsewhere = annotation(&failed, root, Path::new("/other")).unwrap();
        assert!(
            elsewhere.starts_with("::error file=/repo/tests/test_a.py,line=6,"),
            "{elsewhere}"
        );
    }
}
