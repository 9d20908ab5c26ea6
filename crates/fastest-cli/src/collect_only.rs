//! `--collect-only` output in pytest's three forms: the tree (default), node ids (`-q`)
//! and per-file counts (`-qq`), with the header, ERRORS, warnings summary, short summary
//! and the final line exactly as pytest 9.2 prints them (terminal.py's
//! `pytest_sessionstart`, `pytest_collection_finish` and `pytest_sessionfinish`), for a
//! given terminal width and the options that switch sections off (`--no-header`,
//! `--no-summary`, `-r`, `--disable-warnings`, `--tb=no`). Text in, text out: this
//! module only renders what the session computed.

use std::fmt::Write as _;

use fastest_core::item::{Item, NodeKind};

use fastest_report::text::Style;

use crate::fallback::{RawReport, RawWarning};

/// Everything the renderer needs.
pub struct CollectReport<'a> {
    /// pytest's verbosity (`-v`/`-q`/`--verbosity`).
    pub verbosity: i32,
    /// The verbosity of the item listing (`verbosity_test_cases`, by default the same):
    /// below 0 node ids, below -1 per-file counts, else the tree.
    pub listing_verbosity: i32,
    /// Terminal width for separators.
    pub width: usize,
    /// stdout is a terminal (the `collecting ...` line is rewritten in place).
    pub isatty: bool,
    /// pytest's colours and bold.
    pub markup: bool,
    /// The session header; `None` below verbosity 0.
    pub header: Option<Header<'a>>,
    pub items: &'a [Item],
    /// How many were collected before `-k`/`-m`/`--deselect`.
    pub total: usize,
    pub deselected: usize,
    /// Modules skipped at collection (`pytest.skip(allow_module_level=True)`).
    pub skipped: &'a [RawReport],
    pub errors: &'a [RawReport],
    pub warnings: &'a [RawWarning],
    pub duration: f64,
    /// Why each file needed an import (shown with `-v`).
    pub fallback_notes: &'a [(String, String)],
    /// Which summary sections pytest prints.
    pub summary: Summary,
    /// The `!!! Interrupted: N errors during collection !!!` banner: collection errors
    /// without `--continue-on-collection-errors` (and no usage error ending the session
    /// first).
    pub interrupted: bool,
    /// `-x`/`--maxfail` stopped collection at the last error.
    pub stopped: bool,
    /// `--max-warnings` exceeded: the maximum (the count is `warnings.len()`).
    pub max_warnings_exceeded: Option<i64>,
}

/// The summary switches (`--no-summary`, `-r`, `--disable-warnings`, `--tb`,
/// `--no-fold-skipped`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `--no-summary`: no ERRORS, warnings summary or short summary.
    pub off: bool,
    /// The ERRORS section (everything but `--tb=no`).
    pub errors_section: bool,
    /// `w` in the report characters: the warnings summary.
    pub warnings: bool,
    /// The short summary's sections a collection can fill, in report-character order:
    /// `E` (`ERROR` lines) and `s` (`SKIPPED` lines).
    pub short: String,
    /// Skips grouped by location and reason (`SKIPPED [N] path:line: reason`), unless
    /// `--no-fold-skipped`.
    pub fold_skipped: bool,
}

impl Default for Summary {
    fn default() -> Self {
        Summary::new("fE", false, "auto", false)
    }
}

impl Summary {
    /// From `-r` chars, `--disable-warnings`, `--tb` and `--no-summary`, as pytest's
    /// `getreportopt` combines them.
    pub fn new(reportchars: &str, disable_warnings: bool, tbstyle: &str, no_summary: bool) -> Self {
        let opts = fastest_report::text::report_chars(reportchars, disable_warnings);
        Summary {
            off: no_summary,
            errors_section: tbstyle != "no",
            warnings: opts.contains('w'),
            short: opts.chars().filter(|c| matches!(c, 'E' | 's')).collect(),
            fold_skipped: true,
        }
    }

    /// Whether the short summary lists collection errors.
    pub fn error_lines(&self) -> bool {
        self.short.contains('E')
    }
}

pub use fastest_report::text::{sep, Header};

/// pytest's `pytest_collection` and `report_collect(final=True)` for the `counts` (see
/// [`collected_counts`]), below the header. On a terminal pytest writes a bold
/// `collecting ... ` and rewrites it with the final count, padded to the width; without
/// one it writes `collecting ... ` only from `-v` on, the count following on the line.
pub fn collected_line(
    counts: &str,
    verbosity: i32,
    isatty: bool,
    markup: bool,
    width: usize,
) -> String {
    let bold = |t: &str| fastest_report::text::markup(markup, t, &[Style::Bold]);
    if isatty {
        let fill = " ".repeat(width.saturating_sub(counts.chars().count() + 1));
        format!(
            "{}{}\n",
            bold("collecting ... "),
            bold(&format!("\r{counts}{fill}"))
        )
    } else if verbosity >= 1 {
        format!("{}{counts}\n", bold("collecting ... "))
    } else {
        format!("{counts}\n")
    }
}

/// Render the whole output.
pub fn render(r: &CollectReport<'_>) -> String {
    let w = r.width;
    let paint = |t: &str, styles: &[Style]| fastest_report::text::markup(r.markup, t, styles);
    let mut out = String::with_capacity(r.items.len() * 48 + 512);
    if let Some(h) = &r.header {
        h.render(&mut out, w, r.markup);
        let counts = collected_counts(r.total, r.errors.len(), r.deselected, r.skipped.len());
        out.push_str(&collected_line(&counts, r.verbosity, r.isatty, r.markup, w));
        if r.verbosity >= 1 {
            for (file, why) in r.fallback_notes {
                let _ = writeln!(out, "fastest: {file} collected by import ({why})");
            }
        }
    }
    if !r.items.is_empty() {
        if r.verbosity >= 0 {
            out.push('\n');
        }
        if r.listing_verbosity <= -2 {
            counts(&mut out, r.items);
        } else if r.listing_verbosity == -1 {
            for it in r.items {
                out.push_str(&it.nodeid);
                out.push('\n');
            }
        } else {
            tree(&mut out, r.items);
        }
    }
    // `pytest_sessionfinish` starts with an empty line.
    out.push('\n');
    if !r.summary.off {
        if !r.errors.is_empty() && r.summary.errors_section {
            let _ = writeln!(out, "{}", sep('=', "ERRORS", w));
            for e in r.errors {
                let headline = e
                    .headline
                    .clone()
                    .unwrap_or_else(|| format!("ERROR collecting {}", e.nodeid));
                let line = sep('_', &headline, w);
                let _ = writeln!(out, "{}", paint(&line, &[Style::Red, Style::Bold]));
                out.push_str(e.longrepr.trim_end_matches('\n'));
                out.push('\n');
            }
        }
        if !r.warnings.is_empty() && r.summary.warnings {
            let line = sep('=', "warnings summary", w);
            let _ = writeln!(out, "{}", paint(&line, &[Style::Yellow]));
            warnings_summary(&mut out, r.warnings);
        }
        let lines = short_summary(r);
        if !lines.is_empty() {
            let line = sep('=', "short test summary info", w);
            let _ = writeln!(out, "{}", paint(&line, &[Style::Cyan, Style::Bold]));
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if let Some(max) = r.max_warnings_exceeded {
        let line = format!(
            "Tests pass, but maximum allowed warnings exceeded: {} > {max}",
            r.warnings.len()
        );
        let _ = writeln!(out, "{}", paint(&line, &[Style::Red]));
    }
    if r.stopped {
        let n = r.errors.len();
        let line = sep('!', &format!("stopping after {n} failures"), w);
        let _ = writeln!(out, "{}", paint(&line, &[Style::Red]));
    }
    if r.interrupted {
        let n = r.errors.len();
        let word = if n == 1 { "error" } else { "errors" };
        // Plain: pytest reports its `Interrupted` exception as a `KeyboardInterrupt`.
        let line = sep(
            '!',
            &format!("Interrupted: {n} {word} during collection"),
            w,
        );
        let _ = writeln!(out, "{line}");
    }
    if r.verbosity > -2 {
        let (parts, main) = final_parts(r);
        let duration = format!(" in {:.2}s", r.duration);
        let line = fastest_report::text::stats_line(
            &parts,
            main,
            &duration,
            r.verbosity >= 0,
            w,
            r.markup,
        );
        let _ = writeln!(out, "{line}");
    }
    out
}

/// pytest's `short_test_summary` for a collection: per report character, in order.
fn short_summary(r: &CollectReport<'_>) -> Vec<String> {
    let paint = |t: &str, styles: &[Style]| fastest_report::text::markup(r.markup, t, styles);
    let mut lines = Vec::new();
    for ch in r.summary.short.chars() {
        match ch {
            'E' => {
                let word = paint("ERROR", &[Style::Red]);
                for e in r.errors {
                    // The worker's summary has pytest's markup when the output has it.
                    let line = e.summary.clone().unwrap_or_else(|| e.nodeid.clone());
                    lines.push(format!("{word} {line}"));
                }
            }
            's' if r.summary.fold_skipped => {
                // `_folded_skips`: one line per location and reason, first seen first.
                let mut folded: Vec<(&str, usize)> = Vec::new();
                for s in r.skipped {
                    let text = s.summary.as_deref().unwrap_or(&s.nodeid);
                    match folded.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, n)) => *n += 1,
                        None => folded.push((text, 1)),
                    }
                }
                let word = paint("SKIPPED", &[Style::Yellow]);
                lines.extend(folded.iter().map(|(t, n)| format!("{word} [{n}] {t}")));
            }
            's' => {
                let word = paint("SKIPPED", &[Style::Yellow]);
                for s in r.skipped {
                    let node = match s.nodeid.split_once("::") {
                        Some((path, rest)) => format!("{path}::{}", paint(rest, &[Style::Bold])),
                        None => s.nodeid.clone(),
                    };
                    let mut line = format!("{word} {node}");
                    if !s.longrepr.is_empty() {
                        line.push_str(" - ");
                        line.push_str(&s.longrepr);
                    }
                    lines.push(line);
                }
            }
            _ => {}
        }
    }
    lines
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `collected N items / E errors / D deselected / S skipped / K selected`.
pub fn collected_counts(total: usize, errors: usize, deselected: usize, skipped: usize) -> String {
    let mut s = format!("collected {}", plural(total, "item"));
    if errors > 0 {
        let _ = write!(s, " / {}", plural(errors, "error"));
    }
    if deselected > 0 {
        let _ = write!(s, " / {deselected} deselected");
    }
    if skipped > 0 {
        let _ = write!(s, " / {skipped} skipped");
    }
    if deselected > 0 {
        let _ = write!(s, " / {} selected", total.saturating_sub(deselected));
    }
    s
}

/// pytest's `_build_collect_only_summary_stats_line`: the parts and the main colour.
fn final_parts(r: &CollectReport<'_>) -> (Vec<(String, Vec<Style>)>, Style) {
    let (text, mut main) = if r.total == 0 {
        ("no tests collected".to_string(), Style::Yellow)
    } else if r.deselected == 0 {
        (
            format!("{} collected", plural(r.total, "test")),
            Style::Green,
        )
    } else if r.total == r.deselected {
        (
            format!("no tests collected ({} deselected)", r.deselected),
            Style::Yellow,
        )
    } else {
        (
            format!(
                "{}/{} tests collected ({} deselected)",
                r.total - r.deselected,
                r.total,
                r.deselected
            ),
            Style::Green,
        )
    };
    let mut parts = vec![(text, vec![main])];
    if !r.errors.is_empty() {
        main = Style::Red;
        parts.push((plural(r.errors.len(), "error"), vec![main]));
    }
    (parts, main)
}

/// `-qq`: items per file, sorted by file (pytest sorts its `Counter`'s items).
fn counts(out: &mut String, items: &[Item]) {
    let mut per_file: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for it in items {
        *per_file.entry(it.file_part()).or_default() += 1;
    }
    for (f, n) in per_file {
        let _ = writeln!(out, "{f}: {n}");
    }
}

/// The `<Dir ...>`/`<Module ...>` tree: each collector once, where the chain of the next
/// item leaves the previous one's (pytest compares node objects, not names).
fn tree(out: &mut String, items: &[Item]) {
    // Each node with the copy of its file it belongs to: an item seen before comes from
    // another collection of its file (`--keep-duplicates`), with new nodes from the
    // module down (pytest shares the directory nodes).
    let mut stack: Vec<(&fastest_core::item::ChainNode, usize)> = Vec::new();
    let mut copies: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for it in items {
        let copy = copies.entry(it.nodeid.as_str()).or_insert(0);
        let this_copy = *copy;
        *copy += 1;
        let file_level = it
            .chain
            .iter()
            .position(|n| !matches!(n.kind, NodeKind::Dir | NodeKind::Package))
            .unwrap_or(it.chain.len());
        let key = |depth: usize| if depth < file_level { 0 } else { this_copy };
        let mut common = 0;
        while common < stack.len()
            && common < it.chain.len()
            && *stack[common].0 == it.chain[common]
            && stack[common].1 == key(common)
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
            stack.push((node, key(depth)));
        }
    }
}

fn warnings_summary(out: &mut String, warnings: &[RawWarning]) {
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
    use super::{sep, tree, Summary};
    use fastest_core::item::{ChainNode, Item, NodeKind};

    fn item(path: &[(NodeKind, &str)]) -> Item {
        let chain: Vec<ChainNode> = path
            .iter()
            .map(|(kind, name)| ChainNode {
                kind: *kind,
                type_name: None,
                name: (*name).to_string(),
            })
            .collect();
        let names: Vec<&str> = path.iter().skip(1).map(|(_, n)| *n).collect();
        Item {
            nodeid: names.join("::").replacen("::", "/", 1),
            chain,
            lineno: None,
            marks: Vec::new(),
            extra_keywords: Vec::new(),
            run: None,
        }
    }

    #[test]
    fn duplicated_files_get_a_new_module_node() {
        use NodeKind::*;
        let one = item(&[
            (Dir, "p"),
            (Dir, "tests"),
            (Module, "test_a.py"),
            (Function, "test_one"),
        ]);
        let two = item(&[
            (Dir, "p"),
            (Dir, "tests"),
            (Module, "test_a.py"),
            (Function, "test_two"),
        ]);
        let mut out = String::new();
        tree(&mut out, &[one.clone(), two.clone(), one, two]);
        assert_eq!(
            out,
            "<Dir p>\n  <Dir tests>\n    <Module test_a.py>\n      <Function test_one>\n      \
             <Function test_two>\n    <Module test_a.py>\n      <Function test_one>\n      \
             <Function test_two>\n"
        );
    }

    #[test]
    fn separators_match_pytest_width() {
        assert_eq!(
            sep('=', "test session starts", 80),
            "============================= test session starts =============================="
        );
        assert_eq!(
            sep('!', "Interrupted: 1 error during collection", 80),
            "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!"
        );
        assert_eq!(sep('=', "", 40).len(), 40);
        // Wider terminals: `(width - len(title) - 2) // 2` fill on each side, one more
        // on the right when there is room.
        let line = sep('=', "ERRORS", 200);
        assert_eq!(line.len(), 200);
        assert!(line.starts_with(&"=".repeat(96)));
        // A title longer than the line still gets one fill character on each side.
        assert_eq!(
            sep('_', &"x".repeat(100), 80),
            format!("_ {} _", "x".repeat(100))
        );
    }

    #[test]
    fn report_chars() {
        let s = Summary::default();
        assert!(s.error_lines() && s.warnings && s.errors_section && !s.off);
        let s = Summary::new("N", false, "auto", false);
        assert!(!s.error_lines() && s.warnings);
        let s = Summary::new("fE", true, "no", false);
        assert!(s.error_lines() && !s.warnings && !s.errors_section);
        let s = Summary::new("aN", false, "auto", false);
        assert!(!s.error_lines());
        // `-ra`: skips before errors.
        assert_eq!(Summary::new("a", false, "auto", false).short, "sE");
        assert_eq!(Summary::new("Es", false, "auto", false).short, "Es");
    }
}
