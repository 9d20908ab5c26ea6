//! `--collect-only` output in pytest's three forms: the tree (default), node ids (`-q`)
//! and per-file counts (`-qq`), with the header, ERRORS, warnings summary, short summary
//! and the final line exactly as pytest 9.2 prints them. Text in, text out: this module
//! only renders what the session computed.

use std::fmt::Write as _;

use fastest_core::item::Item;

use crate::fallback::{RawReport, RawWarning};

/// Everything the renderer needs.
pub struct CollectReport<'a> {
    pub verbosity: i32,
    pub header: Option<Header<'a>>,
    pub items: &'a [Item],
    /// How many were collected before `-k`/`-m`/`--deselect`.
    pub total: usize,
    pub deselected: usize,
    /// Modules skipped at collection (`pytest.skip(allow_module_level=True)`).
    pub skipped: usize,
    pub errors: &'a [RawReport],
    pub warnings: &'a [RawWarning],
    pub duration: f64,
    /// Why each file needed an import (shown with `-v`).
    pub fallback_notes: &'a [(String, String)],
}

/// The session header lines.
pub struct Header<'a> {
    pub platform_line: String,
    pub rootdir: &'a str,
    pub configfile: Option<String>,
    pub testpaths: Option<String>,
    pub plugins: Option<String>,
}

const WIDTH: usize = 80;

/// `=`-filled separator line, as pytest's `TerminalWriter.sep`.
pub fn sep(ch: char, title: &str) -> String {
    if title.is_empty() {
        return ch.to_string().repeat(WIDTH);
    }
    let n = (WIDTH.saturating_sub(title.chars().count() + 2)) / 2;
    let fill = ch.to_string().repeat(n);
    let mut line = format!("{fill} {title} {fill}");
    if line.chars().count() + 1 == WIDTH {
        line.push(ch);
    }
    line
}

/// Render the whole output.
pub fn render(r: &CollectReport<'_>) -> String {
    let mut out = String::with_capacity(r.items.len() * 48 + 512);
    if let Some(h) = &r.header {
        let _ = writeln!(out, "{}", sep('=', "test session starts"));
        let _ = writeln!(out, "{}", h.platform_line);
        let _ = writeln!(out, "rootdir: {}", h.rootdir);
        if let Some(c) = &h.configfile {
            let _ = writeln!(out, "configfile: {c}");
        }
        if let Some(t) = &h.testpaths {
            let _ = writeln!(out, "testpaths: {t}");
        }
        if let Some(p) = &h.plugins {
            let _ = writeln!(out, "plugins: {p}");
        }
        let _ = writeln!(out, "{}", collected_line(r));
        if r.verbosity >= 1 {
            for (file, why) in r.fallback_notes {
                let _ = writeln!(out, "fastest: {file} collected by import ({why})");
            }
        }
        let _ = writeln!(out);
    }
    if r.verbosity <= -2 {
        counts(&mut out, r.items);
    } else if r.verbosity == -1 {
        for it in r.items {
            out.push_str(&it.nodeid);
            out.push('\n');
        }
    } else {
        tree(&mut out, r.items);
    }
    let has_extra = !r.errors.is_empty() || !r.warnings.is_empty();
    if has_extra || r.verbosity < 0 || r.header.is_some() {
        out.push('\n');
    }
    if !r.errors.is_empty() {
        let _ = writeln!(out, "{}", sep('=', "ERRORS"));
        for e in r.errors {
            let _ = writeln!(
                out,
                "{}",
                sep('_', &format!("ERROR collecting {}", e.nodeid))
            );
            out.push_str(e.longrepr.trim_end_matches('\n'));
            out.push('\n');
        }
    }
    if !r.warnings.is_empty() {
        warnings_summary(&mut out, r.warnings);
    }
    if !r.errors.is_empty() {
        let _ = writeln!(out, "{}", sep('=', "short test summary info"));
        for e in r.errors {
            let line = e.summary.clone().unwrap_or_else(|| e.nodeid.clone());
            let _ = writeln!(out, "ERROR {line}");
        }
        let n = r.errors.len();
        let word = if n == 1 { "error" } else { "errors" };
        let _ = writeln!(
            out,
            "{}",
            sep('!', &format!("Interrupted: {n} {word} during collection"))
        );
    }
    if r.verbosity > -2 {
        let fin = final_line(r);
        if r.verbosity < 0 {
            let _ = writeln!(out, "{fin}");
        } else {
            let _ = writeln!(out, "{}", sep('=', &fin));
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// pytest's `report_collect(final=True)` line.
fn collected_line(r: &CollectReport<'_>) -> String {
    let mut s = format!("collected {}", plural(r.total, "item"));
    if !r.errors.is_empty() {
        let _ = write!(s, " / {}", plural(r.errors.len(), "error"));
    }
    if r.deselected > 0 {
        let _ = write!(s, " / {} deselected", r.deselected);
    }
    if r.skipped > 0 {
        let _ = write!(s, " / {} skipped", r.skipped);
    }
    if r.deselected > 0 {
        let _ = write!(s, " / {} selected", r.total.saturating_sub(r.deselected));
    }
    s
}

/// pytest's `_build_collect_only_summary_stats_line`, plus the duration.
fn final_line(r: &CollectReport<'_>) -> String {
    let mut parts = Vec::new();
    if r.total == 0 {
        parts.push("no tests collected".to_string());
    } else if r.deselected == 0 {
        parts.push(format!("{} collected", plural(r.total, "test")));
    } else if r.total == r.deselected {
        parts.push(format!("no tests collected ({} deselected)", r.deselected));
    } else {
        parts.push(format!(
            "{}/{} tests collected ({} deselected)",
            r.total - r.deselected,
            r.total,
            r.deselected
        ));
    }
    if !r.errors.is_empty() {
        parts.push(plural(r.errors.len(), "error"));
    }
    format!("{} in {:.2}s", parts.join(", "), r.duration)
}

fn counts(out: &mut String, items: &[Item]) {
    let mut order: Vec<(&str, usize)> = Vec::new();
    for it in items {
        let f = it.file_part();
        match order.last_mut() {
            Some((last, n)) if *last == f => *n += 1,
            _ => {
                if let Some(e) = order.iter_mut().find(|(p, _)| *p == f) {
                    e.1 += 1;
                } else {
                    order.push((f, 1));
                }
            }
        }
    }
    for (f, n) in order {
        let _ = writeln!(out, "{f}: {n}");
    }
}

fn tree(out: &mut String, items: &[Item]) {
    let mut stack: Vec<&fastest_core::item::ChainNode> = Vec::new();
    for it in items {
        let mut common = 0;
        while common < stack.len() && common < it.chain.len() && *stack[common] == it.chain[common]
        {
            common += 1;
        }
        stack.truncate(common);
        for (depth, node) in it.chain.iter().enumerate().skip(common) {
            let _ = writeln!(
                out,
                "{}<{} {}>",
                "  ".repeat(depth),
                node.type_str(),
                node.name
            );
            stack.push(node);
        }
    }
}

fn warnings_summary(out: &mut String, warnings: &[RawWarning]) {
    let _ = writeln!(out, "{}", sep('=', "warnings summary"));
    // Grouped by message; ten or more locations collapse into per-file counts.
    let mut groups: Vec<(&str, Vec<&RawWarning>)> = Vec::new();
    for w in warnings {
        if let Some(g) = groups.iter_mut().find(|g| g.0 == w.message) {
            g.1.push(w);
        } else {
            groups.push((w.message.as_str(), vec![w]));
        }
    }
    for (message, ws) in groups {
        let locations: Vec<&str> = ws
            .iter()
            .filter_map(|w| w.location.as_deref())
            .filter(|l| !l.is_empty())
            .collect();
        if locations.len() < 10 {
            if !locations.is_empty() {
                let _ = writeln!(out, "{}", locations.join("\n"));
            }
        } else {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for l in &locations {
                let file = l.split("::").next().unwrap_or(l);
                match counts.iter_mut().find(|c| c.0 == file) {
                    Some(c) => c.1 += 1,
                    None => counts.push((file, 1)),
                }
            }
            for (f, n) in counts {
                let _ = writeln!(out, "{f}: {n} warning{}", if n > 1 { "s" } else { "" });
            }
        }
        let text = match ws.first().and_then(|w| w.text.clone()) {
            Some(t) => t,
            None => message
                .lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let _ = writeln!(out, "{}", text.trim_end());
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html"
    );
}

#[cfg(test)]
mod tests {
    use super::sep;

    #[test]
    fn separators_match_pytest_width() {
        assert_eq!(
            sep('=', "test session starts"),
            "============================= test session starts =============================="
        );
        assert_eq!(
            sep('!', "Interrupted: 1 error during collection"),
            "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!"
        );
    }
}
