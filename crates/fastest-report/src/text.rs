//! pytest's text primitives: `TerminalWriter.sep` and `TerminalWriter.markup`,
//! `getreportopt`, `bestrelpath`, `cwd_relative_nodeid`, `_format_trimmed` and the
//! session header.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use fastest_core::report::HeaderLines;

/// A separator line as pytest's `TerminalWriter.sep` draws it: as long as possible up to
/// `width`, the title centred between at least one fill character on each side.
pub fn sep(ch: char, title: &str, width: usize) -> String {
    if title.is_empty() {
        return ch.to_string().repeat(width);
    }
    let n = (width.saturating_sub(title.chars().count() + 2) / 2).max(1);
    let fill = ch.to_string().repeat(n);
    let mut line = format!("{fill} {title} {fill}");
    if line.chars().count() < width {
        line.push(ch);
    }
    line
}

/// A style of pytest's `TerminalWriter.markup` (the codes of its `_esctable` that
/// pytest's own reporter uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Red,
    Green,
    Yellow,
    Cyan,
}

impl Style {
    fn code(self) -> u8 {
        match self {
            Style::Bold => 1,
            Style::Red => 31,
            Style::Green => 32,
            Style::Yellow => 33,
            Style::Cyan => 36,
        }
    }

    /// pytest's `_color_for_type`: the colour of a report category on the final line
    /// and of its word in the short summary.
    pub fn for_category(category: &str) -> Style {
        match category {
            "failed" | "error" | "subtests failed" => Style::Red,
            "passed" | "subtests passed" => Style::Green,
            _ => Style::Yellow,
        }
    }
}

/// pytest's `TerminalWriter.markup`: `text` after the styles' SGR codes (in the order
/// given) and before a reset, when the output has markup (`on`) and there are styles;
/// `text` unchanged otherwise.
pub fn markup(on: bool, text: &str, styles: &[Style]) -> String {
    if !on || styles.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 5 * styles.len() + 4);
    for s in styles {
        let _ = write!(out, "\x1b[{}m", s.code());
    }
    out.push_str(text);
    out.push_str("\x1b[0m");
    out
}

/// pytest's `summary_stats`: the final line from its coloured parts and the duration
/// (`" in 0.12s"`), in the main colour; between `=` fill when `display_sep` (as wide
/// as it would be without the escape codes, which the title counts).
pub fn stats_line(
    parts: &[(String, Vec<Style>)],
    main: Style,
    duration: &str,
    display_sep: bool,
    width: usize,
    on: bool,
) -> String {
    let mut fullwidth = width;
    let mut shown: Vec<String> = Vec::new();
    for (text, styles) in parts {
        let painted = markup(on, text, styles);
        fullwidth += painted.len() - text.len();
        shown.push(painted);
    }
    let mut msg = shown.join(", ");
    let painted = markup(on, duration, &[main]);
    fullwidth += painted.len() - duration.len();
    msg.push_str(&painted);
    if !display_sep {
        return markup(on, &msg, &[main]);
    }
    let open = markup(on, "", &[main]);
    let open = open.strip_suffix("\x1b[0m").unwrap_or(&open);
    fullwidth += open.len();
    msg.push_str(open);
    markup(on, &sep('=', &msg, fullwidth), &[main])
}

/// Python's `textwrap.wrap(text, width, drop_whitespace=True, replace_whitespace=False)`
/// (what pytest's `wrap_write` uses): tabs expanded, chunks of whitespace and words
/// (split after hyphens between letters, as `break_on_hyphens` does), lines filled
/// greedily, whitespace dropped at line ends and at the start of every line but the
/// first, words longer than a line cut.
pub fn textwrap(text: &str, width: usize) -> Vec<String> {
    let text = expand_tabs(text);
    let mut chunks: Vec<String> = wrap_chunks(&text);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    let width = width.max(1);
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut cur_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| c.trim().is_empty()) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = chunk.chars().count();
            if cur_len + l <= width {
                cur_len += l;
                cur.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| c.chars().count() > width) {
            // `_handle_long_word`: as much of it as fits (at least one character).
            let space_left = if width > cur_len { width - cur_len } else { 1 };
            let last = chunks.pop().unwrap_or_default();
            let head: String = last.chars().take(space_left).collect();
            let tail: String = last.chars().skip(space_left).collect();
            cur_len += head.chars().count();
            cur.push(head);
            chunks.push(tail);
        }
        if cur.last().is_some_and(|c| c.trim().is_empty()) {
            if let Some(c) = cur.pop() {
                cur_len -= c.chars().count();
            }
        }
        let _ = cur_len;
        if !cur.is_empty() {
            lines.push(cur.concat());
        }
    }
    lines
}

fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// `TextWrapper._split` with `break_on_hyphens`: runs of whitespace, and words, a word
/// split after a hyphen that has two letters (or `letter-letter`) before it and a letter
/// (or `letter-letter`) after it.
fn wrap_chunks(text: &str) -> Vec<String> {
    let ws = |c: char| matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ');
    let letter = |c: Option<&char>| c.is_some_and(|c| c.is_alphabetic() || *c == '_');
    let chars: Vec<char> = text.chars().collect();
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if ws(chars[i]) {
            while i < chars.len() && ws(chars[i]) {
                i += 1;
            }
        } else {
            while i < chars.len() && !ws(chars[i]) {
                let c = chars[i];
                i += 1;
                if c == '-' {
                    let before = i >= 3 && letter(chars.get(i - 3)) && letter(chars.get(i - 2));
                    let before2 = i >= 4
                        && letter(chars.get(i - 4))
                        && chars.get(i - 3) == Some(&'-')
                        && letter(chars.get(i - 2));
                    let after = letter(chars.get(i))
                        && (letter(chars.get(i + 1))
                            || (chars.get(i + 1) == Some(&'-') && letter(chars.get(i + 2))));
                    if (before || before2) && after {
                        break;
                    }
                }
            }
        }
        chunks.push(chars[start..i].iter().collect());
    }
    chunks
}

/// pytest's `getreportopt`: the effective report characters from `-r` and
/// `--disable-warnings` (`w` first unless disabled; `a`/`A`/`N` expanded).
pub fn report_chars(reportchars: &str, disable_warnings: bool) -> String {
    let mut opts = String::new();
    for ch in reportchars.chars() {
        let ch = match ch {
            'F' => 'f',
            'S' => 's',
            c => c,
        };
        match ch {
            'a' => opts = "sxXEf".into(),
            'A' => opts = "PpsxXEf".into(),
            'N' => opts.clear(),
            c if !opts.contains(c) => opts.push(c),
            _ => {}
        }
    }
    if disable_warnings {
        opts = opts.replace('w', "");
    } else if !opts.contains('w') {
        opts.insert(0, 'w');
    }
    opts
}

/// pytest's `bestrelpath(directory, dest)`: `dest` relative to `directory`, through
/// `..` when it is not below it.
pub fn bestrelpath(directory: &Path, dest: &Path) -> String {
    if directory == dest {
        return ".".into();
    }
    let a: Vec<Component<'_>> = directory.components().collect();
    let b: Vec<Component<'_>> = dest.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return dest.display().to_string();
    }
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    out.display().to_string()
}

/// Node ids as pytest shows them (`Config.cwd_relative_nodeid`): relative to the
/// invocation directory when that is not the rootdir.
#[derive(Debug, Clone)]
pub struct NodeIdDisplay {
    pub rootdir: PathBuf,
    pub invocation_dir: PathBuf,
}

impl NodeIdDisplay {
    pub fn show(&self, nodeid: &str) -> String {
        if self.rootdir == self.invocation_dir {
            return nodeid.to_string();
        }
        let (path, rest) = match nodeid.find("::") {
            Some(i) => (&nodeid[..i], Some(&nodeid[i..])),
            None => (nodeid, None),
        };
        let full = self.rootdir.join(path);
        let mut shown = bestrelpath(&self.invocation_dir, &full);
        if let Some(rest) = rest {
            shown.push_str(rest);
        }
        shown
    }

    /// The file part of a node id, relative to the invocation directory (progress lines).
    pub fn file(&self, nodeid: &str) -> String {
        let path = nodeid.split("::").next().unwrap_or(nodeid);
        bestrelpath(&self.invocation_dir, &self.rootdir.join(path))
    }
}

/// pytest's `wcwidth`: the columns a character takes on a terminal (2 for East Asian
/// wide and fullwidth ones, 0 for combining and zero-width ones), `None` for a control
/// character.
fn wcwidth(c: char) -> Option<i64> {
    let o = u32::from(c);
    if (0x20..0x7f).contains(&o) {
        return Some(1);
    }
    if o == 0
        || (0x200b..=0x200f).contains(&o)
        || (0x2028..=0x202e).contains(&o)
        || (0x2060..=0x2063).contains(&o)
    {
        return Some(0);
    }
    if c.is_control() {
        return None;
    }
    Some(unicode_width::UnicodeWidthChar::width(c).map_or(1, |w| w as i64))
}

/// pytest's `wcswidth`: the columns `s` takes, or -1 when it holds a control character.
pub fn wcswidth(s: &str) -> i64 {
    s.chars()
        .map(wcwidth)
        .try_fold(0, |acc, w| w.map(|w| acc + w))
        .unwrap_or(-1)
}

/// pytest's `_format_trimmed`: `format` with `msg`'s first line, ellipsized to fit
/// `available` columns (measured with [`wcswidth`]); `None` when not even the ellipsis
/// fits.
pub fn format_trimmed(prefix: &str, suffix: &str, msg: &str, available: i64) -> Option<String> {
    let msg = msg.split('\n').next().unwrap_or("");
    let format_width = wcswidth(&format!("{prefix}{suffix}"));
    if format_width + 3 > available {
        return None;
    }
    let mut msg: String = msg.to_string();
    if format_width + wcswidth(&msg) > available {
        let available = available - 3;
        msg = msg
            .chars()
            .take(usize::try_from(available).unwrap_or(0))
            .collect();
        while format_width + wcswidth(&msg) > available && msg.pop().is_some() {}
        msg.push_str("...");
    }
    Some(format!("{prefix}{msg}{suffix}"))
}

/// `"%d %s" % pluralize(count, noun)`: only `error`, `warnings` and `test` change.
pub fn plural(count: usize, noun: &str) -> String {
    let noun = match noun {
        "error" | "test" if count != 1 => format!("{noun}s"),
        "warnings" if count == 1 => "warning".to_string(),
        "warnings" => "warnings".to_string(),
        n => n.to_string(),
    };
    format!("{count} {noun}")
}

/// pytest's `format_session_duration`.
pub fn session_duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.2}s")
    } else {
        // Truncated like `datetime.timedelta(seconds=int(seconds))`.
        let whole = seconds as u64;
        format!(
            "{seconds:.2}s ({}:{:02}:{:02})",
            whole / 3600,
            (whole % 3600) / 60,
            whole % 60
        )
    }
}

/// The session header lines.
pub struct Header<'a> {
    /// `--no-header`: only the `test session starts` line.
    pub no_header: bool,
    pub platform_line: String,
    /// `cachedir: ...` (with `-v`, or a non-default `cache_dir`).
    pub cachedir: Option<String>,
    pub rootdir: &'a str,
    pub configfile: Option<String>,
    pub testpaths: Option<String>,
    pub plugins: Option<String>,
    /// Lines plugins and conftests add (`pytest_report_header`).
    pub extra: HeaderLines,
}

impl Header<'_> {
    /// `==== test session starts ====` (bold with `markup`) and the lines pytest prints
    /// below it.
    pub fn render(&self, out: &mut String, width: usize, markup: bool) {
        let title = sep('=', "test session starts", width);
        let _ = writeln!(out, "{}", self::markup(markup, &title, &[Style::Bold]));
        if self.no_header {
            return;
        }
        let _ = writeln!(out, "{}", self.platform_line);
        out.push_str(&self.extra.printed);
        if let Some(c) = &self.cachedir {
            let _ = writeln!(out, "cachedir: {c}");
        }
        for line in &self.extra.before {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "rootdir: {}", self.rootdir);
        if let Some(c) = &self.configfile {
            let _ = writeln!(out, "configfile: {c}");
        }
        if let Some(t) = &self.testpaths {
            let _ = writeln!(out, "testpaths: {t}");
        }
        if let Some(p) = &self.plugins {
            let _ = writeln!(out, "plugins: {p}");
        }
        for line in &self.extra.after {
            let _ = writeln!(out, "{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_header_lines_sit_around_pytests_own() {
        let header = Header {
            no_header: false,
            platform_line: "platform linux".into(),
            cachedir: Some(".pytest_cache".into()),
            rootdir: "/r",
            configfile: None,
            testpaths: None,
            plugins: Some("mock-3.17.0".into()),
            extra: HeaderLines {
                before: vec!["hypothesis profile 'default'".into()],
                after: vec!["asyncio: mode=Mode.STRICT".into()],
                printed: "printed by a hook\n".into(),
            },
        };
        let mut out = String::new();
        header.render(&mut out, 40, false);
        let lines: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(
            lines,
            [
                "platform linux",
                "printed by a hook",
                "cachedir: .pytest_cache",
                "hypothesis profile 'default'",
                "rootdir: /r",
                "plugins: mock-3.17.0",
                "asyncio: mode=Mode.STRICT",
            ]
        );
    }

    #[test]
    fn markup_wraps_in_the_order_given_and_only_when_on() {
        let styles = [Style::Red, Style::Bold];
        assert_eq!(
            markup(true, "1 failed", &styles),
            "\x1b[31m\x1b[1m1 failed\x1b[0m"
        );
        assert_eq!(markup(false, "1 failed", &styles), "1 failed");
        assert_eq!(markup(true, "x", &[]), "x");
        assert_eq!(markup(true, "", &[Style::Green]), "\x1b[32m\x1b[0m");
    }

    /// Python's own answers (`textwrap.wrap(text, width, drop_whitespace=True,
    /// replace_whitespace=False)`), pasted.
    #[test]
    fn textwrap_matches_python() {
        let cases: Vec<(&str, usize, Vec<&str>)> = vec![
            ("                             (this is a very long skip reason that goes on and on and on well past the edge of the eighty column terminal)", 72, vec!["                             (this is a very long skip reason that goes", "on and on and on well past the edge of the eighty column terminal)"]),
            ("xxxxxxxxxx (non-empty well-known x86-64 co-operate e-mail a-b-c ab-cd)", 20, vec!["xxxxxxxxxx (non-", "empty well-known", "x86-64 co-operate", "e-mail a-b-c ab-cd)"]),
            ("   (a\tb two\nlines here and\t\ttabs)", 12, vec!["   (a   b", "two\nlines", "here and", "tabs)"]),
            (" (yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy z)", 15, vec![" (yyyyyyyyyyyyy", "yyyyyyyyyyyyyyy", "yyyyyyyyyyyy z)"]),
            ("short", 72, vec!["short"]),
            ("  ab  cd  ", 4, vec!["  ab", "cd"]),
        ];
        for (text, width, expected) in cases {
            assert_eq!(textwrap(text, width), expected, "{text:?} at {width}");
        }
    }

    #[test]
    fn separators_centre_their_title() {
        assert_eq!(sep('=', "FAILURES", 20), "===== FAILURES =====");
        assert_eq!(sep('_', "test_a", 21), "______ test_a _______");
        assert_eq!(sep('-', "", 3), "---");
    }

    #[test]
    fn relative_paths_climb_with_dotdot() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(bestrelpath(&p("/a/b"), &p("/a/b/c/d.py")), "c/d.py");
        assert_eq!(bestrelpath(&p("/a/b/c"), &p("/a/b/d.py")), "../d.py");
        assert_eq!(bestrelpath(&p("/a"), &p("/a")), ".");
    }

    #[test]
    fn node_ids_follow_the_invocation_dir() {
        let d = NodeIdDisplay {
            rootdir: "/r".into(),
            invocation_dir: "/r/tests".into(),
        };
        assert_eq!(d.show("tests/test_a.py::test_x"), "test_a.py::test_x");
        assert_eq!(d.file("tests/test_a.py::test_x"), "test_a.py");
    }

    /// Python's answers (`_pytest._io.wcwidth.wcswidth`, `_format_trimmed`), pasted.
    #[test]
    fn widths_count_columns_as_pytest_does() {
        assert_eq!(wcswidth("日本語"), 6);
        assert_eq!(wcswidth("a\x1bb"), -1);
        assert_eq!(wcswidth("e\u{301}"), 1);
        assert_eq!(
            format_trimmed(" - ", "", "日本語の理由", 10).as_deref(),
            Some(" - 日本...")
        );
        assert_eq!(
            format_trimmed(" (", ")", "ｆｕｌｌ width text", 12).as_deref(),
            Some(" (ｆｕｌ...)")
        );
    }

    #[test]
    fn trimming_keeps_the_first_line_and_ellipsizes() {
        assert_eq!(
            format_trimmed(" - ", "", "abcdef\nxyz", 8).as_deref(),
            Some(" - ab...")
        );
        assert_eq!(
            format_trimmed(" - ", "", "abcdef\nxyz", 9).as_deref(),
            Some(" - abcdef")
        );
        assert_eq!(format_trimmed(" - ", "", "ab", 9).as_deref(), Some(" - ab"));
        assert_eq!(format_trimmed(" (", ")", "x", 4), None);
    }

    #[test]
    fn counts_pluralize_like_pytest() {
        assert_eq!(plural(2, "error"), "2 errors");
        assert_eq!(plural(1, "warnings"), "1 warning");
        assert_eq!(plural(3, "passed"), "3 passed");
        assert_eq!(session_duration(0.123), "0.12s");
        assert_eq!(session_duration(75.5), "75.50s (0:01:15)");
    }

    #[test]
    fn report_chars_expand_and_add_warnings() {
        assert_eq!(report_chars("fE", false), "wfE");
        assert_eq!(report_chars("a", false), "wsxXEf");
        assert_eq!(report_chars("A", true), "PpsxXEf");
    }
}
