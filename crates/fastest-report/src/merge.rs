//! `fastest merge`: the reports of N shards combined into one, as if one run had
//! produced them.
//!
//! This module owns the two report merges (the history merge is
//! `fastest_core::history::History::merge_newest`):
//!
//! - [`merge_junit`]: JUnit XML files (pytest's or fastest's `--junitxml`). Suites of the
//!   same name become one; `tests`, `errors`, `failures`, `skipped` and `time` are
//!   summed; the testcases are concatenated in input order, each copied byte for byte
//!   (quick-xml reads the structure; the bytes between the tags are never re-escaped);
//!   suite `<properties>` are pooled (duplicates once); `timestamp` is the earliest,
//!   `hostname` the first file's.
//! - [`merge_json`]: `--json-report` files. One `session_start` (the first file's, with
//!   the earliest `started` and `shard` null), every test line in input order, one
//!   `session_finish` whose totals are recounted from the test lines, whose duration is
//!   the sum, and whose exit code is [`worst_exit_code`] of the shards'.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::json::{empty_totals, Line, SessionFinish, SessionStart, TestLine, SCHEMA_VERSION};

/// Why the inputs cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{name}: not a JUnit XML file: {message}")]
    Xml { name: String, message: String },
    #[error("{name}: line {line}: {message}")]
    Json {
        name: String,
        line: usize,
        message: String,
    },
    #[error("{name}: report schema {found} is not supported (this fastest reads schema {SCHEMA_VERSION})")]
    Schema { name: String, found: u32 },
    #[error("nothing to merge")]
    Empty,
}

/// One merged suite under construction.
#[derive(Debug)]
struct Suite {
    /// The `name` attribute as written (still escaped).
    name: String,
    errors: u64,
    failures: u64,
    skipped: u64,
    tests: u64,
    time: f64,
    timestamp: Option<String>,
    hostname: Option<String>,
    /// Each `<property .../>` as written, first occurrence only.
    properties: Vec<String>,
    /// Everything else inside the suite, as written.
    body: String,
}

/// Merge JUnit XML documents (`(name, text)`, the name for errors).
pub fn merge_junit(inputs: &[(String, String)]) -> Result<String, MergeError> {
    if inputs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut root_name: Option<String> = None;
    let mut suites: Vec<Suite> = Vec::new();
    for (name, text) in inputs {
        let xml_err = |message: String| MergeError::Xml {
            name: name.clone(),
            message,
        };
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(false);
        let mut saw_root = false;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| xml_err(format!("{e} at byte {}", reader.error_position())))?;
            match event {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuites" => {
                    saw_root = true;
                    if root_name.is_none() {
                        root_name = raw_attr(&e, "name");
                    }
                }
                Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                    saw_root = true;
                    let start = reader.buffer_position() as usize;
                    let (properties, body) = suite_children(&mut reader, text, start)
                        .map_err(|e| xml_err(e.to_string()))?;
                    add_suite(&mut suites, &e, properties, body).map_err(xml_err)?;
                }
                Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                    saw_root = true;
                    add_suite(&mut suites, &e, Vec::new(), String::new()).map_err(xml_err)?;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !saw_root {
            return Err(xml_err("no <testsuites> or <testsuite> element".into()));
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    out.push_str(&format!(
        "<testsuites name=\"{}\">",
        root_name.as_deref().unwrap_or("pytest tests")
    ));
    for s in &suites {
        out.push_str(&format!(
            "<testsuite name=\"{}\" errors=\"{}\" failures=\"{}\" skipped=\"{}\" tests=\"{}\" time=\"{:.3}\"",
            s.name, s.errors, s.failures, s.skipped, s.tests, s.time
        ));
        if let Some(t) = &s.timestamp {
            out.push_str(&format!(" timestamp=\"{t}\""));
        }
        if let Some(h) = &s.hostname {
            out.push_str(&format!(" hostname=\"{h}\""));
        }
        if s.properties.is_empty() && s.body.is_empty() {
            // ElementTree's short form, as pytest writes an empty suite.
            out.push_str(" />");
            continue;
        }
        out.push('>');
        if !s.properties.is_empty() {
            out.push_str("<properties>");
            for p in &s.properties {
                out.push_str(p);
            }
            out.push_str("</properties>");
        }
        out.push_str(&s.body);
        out.push_str("</testsuite>");
    }
    out.push_str("</testsuites>");
    Ok(out)
}

/// The raw (still escaped) value of attribute `key`.
fn raw_attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn add_suite(
    suites: &mut Vec<Suite>,
    e: &BytesStart<'_>,
    properties: Vec<String>,
    body: String,
) -> Result<(), String> {
    let count = |key: &str| -> Result<u64, String> {
        match raw_attr(e, key) {
            None => Ok(0),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| format!("<testsuite {key}={v:?}> is not a count")),
        }
    };
    let time = match raw_attr(e, "time") {
        None => 0.0,
        Some(v) => v
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("<testsuite time={v:?}> is not a number"))?,
    };
    let name = raw_attr(e, "name").unwrap_or_else(|| "pytest".into());
    let idx = match suites.iter().position(|s| s.name == name) {
        Some(i) => i,
        None => {
            suites.push(Suite {
                name,
                errors: 0,
                failures: 0,
                skipped: 0,
                tests: 0,
                time: 0.0,
                timestamp: None,
                hostname: None,
                properties: Vec::new(),
                body: String::new(),
            });
            suites.len() - 1
        }
    };
    let s = &mut suites[idx];
    s.errors += count("errors")?;
    s.failures += count("failures")?;
    s.skipped += count("skipped")?;
    s.tests += count("tests")?;
    s.time += time;
    if let Some(t) = raw_attr(e, "timestamp") {
        // ISO 8601 texts of one zone order as their instants do.
        if s.timestamp.as_ref().is_none_or(|old| &t < old) {
            s.timestamp = Some(t);
        }
    }
    if s.hostname.is_none() {
        s.hostname = raw_attr(e, "hostname");
    }
    for p in properties {
        if !s.properties.contains(&p) {
            s.properties.push(p);
        }
    }
    s.body.push_str(&body);
    Ok(())
}

/// Read a suite's children up to its end tag: its `<property>` elements and the rest,
/// both as the bytes of `text` they span.
fn suite_children(
    reader: &mut Reader<&[u8]>,
    text: &str,
    start: usize,
) -> Result<(Vec<String>, String), quick_xml::Error> {
    let mut properties = Vec::new();
    let mut body = String::new();
    let mut depth = 0usize;
    let mut chunk_start = start;
    let mut in_properties = false;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event()?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                if depth == 0 && e.name().as_ref() == b"properties" {
                    body.push_str(&text[chunk_start..before]);
                    in_properties = true;
                    chunk_start = after;
                } else if in_properties && depth == 1 {
                    // A property with content: keep it whole (rare).
                    chunk_start = before;
                }
                depth += 1;
            }
            Event::Empty(e) if in_properties && depth == 1 && e.name().as_ref() == b"property" => {
                properties.push(text[before..after].to_string());
                chunk_start = after;
            }
            Event::End(e) => {
                if depth == 0 {
                    // `</testsuite>`.
                    if !in_properties {
                        body.push_str(&text[chunk_start..before]);
                    }
                    return Ok((properties, body));
                }
                depth -= 1;
                if in_properties && depth == 1 && e.name().as_ref() == b"property" {
                    properties.push(text[chunk_start..after].to_string());
                    chunk_start = after;
                } else if in_properties && depth == 0 {
                    in_properties = false;
                    chunk_start = after;
                }
            }
            Event::Eof => {
                return Err(quick_xml::Error::Syntax(
                    quick_xml::errors::SyntaxError::UnclosedTag,
                ))
            }
            _ => {}
        }
    }
}

/// The exit code of N shards seen as one run, by pytest's meaning of each code:
/// an internal error (3) outranks a usage error (4), which outranks an interruption
/// (2); any code pytest does not define (`pytest.exit(returncode=...)`, a signal)
/// comes next; then failures (1), then `--max-warnings` (6), then success (0). "No
/// tests collected" (5) only when every shard had none: a shard with nothing to run
/// beside shards that passed is a passing run.
pub fn worst_exit_code(codes: &[i32]) -> i32 {
    let rank = |c: i32| match c {
        3 => 7,
        4 => 6,
        2 => 5,
        1 => 3,
        6 => 2,
        0 => 1,
        5 => 0,
        _ => 4,
    };
    codes.iter().copied().max_by_key(|c| rank(*c)).unwrap_or(5)
}

/// What merging JSON reports produced: the merged lines and what was odd on the way.
#[derive(Debug)]
pub struct MergedJson {
    pub text: String,
    /// Inputs that ended early (no `session_finish`: a killed or cancelled shard),
    /// counted as interrupted (exit code 2).
    pub warnings: Vec<String>,
}

/// Merge `--json-report` files (`(name, text)`).
pub fn merge_json(inputs: &[(String, String)]) -> Result<MergedJson, MergeError> {
    if inputs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut start: Option<SessionStart> = None;
    let mut tests: Vec<TestLine> = Vec::new();
    let mut codes = Vec::new();
    let mut duration = 0.0;
    let mut warnings = Vec::new();
    for (name, text) in inputs {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut finish: Option<SessionFinish> = None;
        let mut started = false;
        let mut ended_early = false;
        for (i, raw) in lines.iter().enumerate() {
            let json_err = |message: String| MergeError::Json {
                name: name.clone(),
                line: i + 1,
                message,
            };
            let line: Line = match serde_json::from_str(raw) {
                Ok(l) => l,
                // A writer killed mid-line leaves a torn last line: the rest is whole.
                Err(_) if i + 1 == lines.len() && i > 0 => {
                    ended_early = true;
                    break;
                }
                Err(e) => return Err(json_err(e.to_string())),
            };
            match line {
                Line::SessionStart(s) => {
                    if i != 0 {
                        return Err(json_err("session_start is not the first line".into()));
                    }
                    if s.schema != SCHEMA_VERSION {
                        return Err(MergeError::Schema {
                            name: name.clone(),
                            found: s.schema,
                        });
                    }
                    started = true;
                    match &mut start {
                        None => start = Some(s),
                        Some(first) => {
                            if s.started < first.started {
                                first.started = s.started;
                            }
                        }
                    }
                }
                _ if !started => {
                    return Err(json_err("the first line is not session_start".into()));
                }
                Line::Test(t) => tests.push(t),
                Line::SessionFinish(f) => finish = Some(f),
            }
        }
        if !started {
            return Err(MergeError::Json {
                name: name.clone(),
                line: 1,
                message: "no session_start line".into(),
            });
        }
        match finish {
            Some(f) => {
                codes.push(f.exitcode);
                duration += f.duration;
            }
            None => {
                let _ = ended_early;
                warnings.push(format!(
                    "{name}: no session_finish line (the run was killed?): counted as interrupted"
                ));
                codes.push(2);
            }
        }
    }
    let Some(mut start) = start else {
        return Err(MergeError::Empty);
    };
    start.shard = None;
    let mut totals: BTreeMap<String, u64> = empty_totals();
    for t in &tests {
        *totals.entry(t.outcome.clone()).or_insert(0) += 1;
    }
    let mut text = String::new();
    let mut push = |line: &Line| -> Result<(), MergeError> {
        let s = serde_json::to_string(line).map_err(|e| MergeError::Json {
            name: "merged report".into(),
            line: 0,
            message: e.to_string(),
        })?;
        text.push_str(&s);
        text.push('\n');
        Ok(())
    };
    push(&Line::SessionStart(start))?;
    for t in tests {
        push(&Line::Test(t))?;
    }
    push(&Line::SessionFinish(SessionFinish {
        exitcode: worst_exit_code(&codes),
        totals,
        duration,
    }))?;
    Ok(MergedJson { text, warnings })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEAD: &str =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites name=\"pytest tests\">";

    fn suite(attrs: &str, body: &str) -> String {
        format!("{HEAD}<testsuite name=\"pytest\" {attrs}>{body}</testsuite></testsuites>")
    }

    #[test]
    fn junit_counts_are_summed_and_cases_concatenated() {
        let a = suite(
            "errors=\"1\" failures=\"0\" skipped=\"1\" tests=\"2\" time=\"0.500\" timestamp=\"2024-01-01T10:00:05+00:00\" hostname=\"a\"",
            "<testcase classname=\"t\" name=\"x\" time=\"0.1\"><error message=\"a &amp; &quot;b&quot;\">E &lt;x&gt;</error></testcase><testcase classname=\"t\" name=\"s\" time=\"0\"><skipped type=\"pytest.skip\" message=\"no\">t.py:1: no</skipped></testcase>",
        );
        let b = suite(
            "errors=\"0\" failures=\"2\" skipped=\"0\" tests=\"3\" time=\"1.250\" timestamp=\"2024-01-01T10:00:01+00:00\" hostname=\"b\"",
            "<testcase classname=\"u\" name=\"y\" time=\"0.2\" />",
        );
        let empty = format!("{HEAD}<testsuite name=\"pytest\" errors=\"0\" failures=\"0\" skipped=\"0\" tests=\"0\" time=\"0.010\" timestamp=\"2024-01-01T10:00:09+00:00\" hostname=\"c\" /></testsuites>");
        let out = merge_junit(&[("a".into(), a), ("b".into(), b), ("c".into(), empty)]).unwrap();
        insta::assert_snapshot!(out);
    }

    #[test]
    fn junit_suite_properties_are_pooled() {
        let a = suite(
            "tests=\"1\"",
            "<properties><property name=\"k\" value=\"1\" /><property name=\"j\" value=\"2\" /></properties><testcase classname=\"t\" name=\"x\" time=\"0.1\" />",
        );
        let b = suite(
            "tests=\"1\"",
            "<properties><property name=\"k\" value=\"1\" /></properties><testcase classname=\"t\" name=\"y\" time=\"0.1\" />",
        );
        let out = merge_junit(&[("a".into(), a), ("b".into(), b)]).unwrap();
        assert!(out.contains("<properties><property name=\"k\" value=\"1\" /><property name=\"j\" value=\"2\" /></properties><testcase classname=\"t\" name=\"x\" time=\"0.1\" /><testcase classname=\"t\" name=\"y\" time=\"0.1\" /></testsuite>"), "{out}");
        assert!(out.contains("tests=\"2\""), "{out}");
    }

    #[test]
    fn junit_rejects_what_is_not_junit() {
        let e = merge_junit(&[("x.xml".into(), "<html></html>".into())]).unwrap_err();
        assert!(e.to_string().contains("x.xml: not a JUnit XML file"), "{e}");
        let e = merge_junit(&[(
            "y.xml".into(),
            format!("{HEAD}<testsuite name=\"p\" tests=\"1\">"),
        )])
        .unwrap_err();
        assert!(e.to_string().starts_with("y.xml"), "{e}");
        let e = merge_junit(&[("z.xml".into(), suite("tests=\"many\"", ""))]).unwrap_err();
        assert!(e.to_string().contains("not a count"), "{e}");
    }

    #[test]
    fn exit_codes_combine_by_pytest_meaning() {
        assert_eq!(worst_exit_code(&[0, 0, 0]), 0);
        assert_eq!(worst_exit_code(&[0, 1, 0]), 1);
        assert_eq!(
            worst_exit_code(&[5, 0]),
            0,
            "an empty shard beside a passing one"
        );
        assert_eq!(worst_exit_code(&[5, 5]), 5, "no shard had tests");
        assert_eq!(worst_exit_code(&[5, 1]), 1);
        assert_eq!(worst_exit_code(&[1, 2]), 2);
        assert_eq!(worst_exit_code(&[2, 4, 1]), 4);
        assert_eq!(worst_exit_code(&[4, 3]), 3);
        assert_eq!(worst_exit_code(&[6, 0]), 6);
        assert_eq!(worst_exit_code(&[6, 1]), 1);
        assert_eq!(worst_exit_code(&[1, 42]), 42);
        assert_eq!(worst_exit_code(&[]), 5);
    }

    fn report(shard: &str, started: &str, tests: &[(&str, &str)], finish: Option<i32>) -> String {
        let mut out = format!(
            "{{\"type\":\"session_start\",\"schema\":1,\"fastest_version\":\"0.1.0\",\"python_version\":\"3.11.4\",\"rootdir\":\"/r\",\"args\":[],\"started\":\"{started}\",\"workers\":0,\"shard\":\"{shard}\",\"runner\":\"fastest\"}}\n"
        );
        for (id, outcome) in tests {
            out.push_str(&format!(
                "{{\"type\":\"test\",\"nodeid\":\"{id}\",\"outcome\":\"{outcome}\",\"location\":{{\"path\":\"t.py\",\"lineno\":0,\"domain\":\"x\"}},\"setup\":null,\"call\":null,\"teardown\":null,\"duration\":0.0,\"longrepr\":null,\"message\":null,\"sections\":[],\"worker\":null,\"shard\":\"{shard}\"}}\n"
            ));
        }
        if let Some(code) = finish {
            out.push_str(&format!(
                "{{\"type\":\"session_finish\",\"exitcode\":{code},\"totals\":{{}},\"duration\":1.5}}\n"
            ));
        }
        out
    }

    #[test]
    fn json_totals_are_recounted_and_codes_combined() {
        let a = report(
            "1/3",
            "2024-01-01T10:00:05",
            &[("a", "passed"), ("b", "failed")],
            Some(1),
        );
        let b = report("2/3", "2024-01-01T10:00:01", &[("c", "skipped")], Some(0));
        let c = report("3/3", "2024-01-01T10:00:03", &[], Some(5));
        let m = merge_json(&[("a".into(), a), ("b".into(), b), ("c".into(), c)]).unwrap();
        assert!(m.warnings.is_empty());
        let lines: Vec<Line> = m
            .text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5);
        let Line::SessionStart(s) = &lines[0] else {
            panic!()
        };
        assert_eq!(s.started, "2024-01-01T10:00:01");
        assert_eq!(s.shard, None);
        let Line::SessionFinish(f) = &lines[4] else {
            panic!()
        };
        assert_eq!(f.exitcode, 1);
        assert_eq!(f.duration, 4.5);
        assert_eq!(
            (
                f.totals["passed"],
                f.totals["failed"],
                f.totals["skipped"],
                f.totals["error"]
            ),
            (1, 1, 1, 0)
        );
    }

    #[test]
    fn json_killed_shard_counts_as_interrupted() {
        let mut a = report("1/2", "t", &[("a", "passed")], None);
        a.push_str("{\"type\":\"test\",\"nodeid\":\"b\",\"outc");
        let b = report("2/2", "t", &[("c", "passed")], Some(0));
        let m = merge_json(&[("a.jsonl".into(), a), ("b".into(), b)]).unwrap();
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        assert!(m.warnings[0].starts_with("a.jsonl"));
        let last: serde_json::Value = serde_json::from_str(m.text.lines().last().unwrap()).unwrap();
        assert_eq!(last["exitcode"], 2);
        assert_eq!(last["totals"]["passed"], 2);
    }

    #[test]
    fn json_rejects_other_schemas_and_headless_files() {
        let a = report("1/1", "t", &[], Some(0)).replace("\"schema\":1", "\"schema\":2");
        let e = merge_json(&[("a".into(), a)]).unwrap_err();
        assert!(e.to_string().contains("schema 2 is not supported"), "{e}");
        let b = "{\"type\":\"session_finish\",\"exitcode\":0,\"totals\":{},\"duration\":0}\n";
        let e = merge_json(&[("b".into(), b.into())]).unwrap_err();
        assert!(e.to_string().contains("not session_start"), "{e}");
    }
}
