//! The skim: a cheap byte scan that hands tree-sitter only what collection reads.
//!
//! Collection needs module- and class-level statements, decorators and `def` headers, never
//! the statements inside a function body (except to see whether it yields). The skim
//! tokenises just enough (strings, brackets, comments, continuations, indentation) to find
//! every function body and replaces it by `pass` followed by empty lines, so line numbers
//! stay exact and tree-sitter parses a fraction of the bytes.
//!
//! It gives up (returns `None`, and the caller parses the whole file) whenever the source
//! is not plainly tokenisable: tabs in indentation, an unterminated string or bracket, a
//! form feed, a non-UTF-8 byte sequence. A body that mentions `yield` is kept, because a
//! generator test is a collection error pytest reports.

/// Return the skimmed source, or `None` when the whole file must be parsed.
pub fn skim(src: &[u8]) -> Option<Vec<u8>> {
    let lines = logical_lines(src)?;
    if !indentation_consistent(&lines) {
        // Python would raise IndentationError somewhere: the full parse (and the syntax
        // checks that follow it) must see every line.
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        out.extend_from_slice(&src[l.start..l.end]);
        if !(l.is_def && l.ends_block) {
            i += 1;
            continue;
        }
        // The body: following logical lines indented deeper than the def (blank and
        // comment-only lines do not end a block).
        let mut j = i + 1;
        let mut has_yield = false;
        while j < lines.len() {
            let b = &lines[j];
            if !b.blank && b.indent <= l.indent {
                break;
            }
            has_yield |= b.has_yield;
            j += 1;
        }
        let body = &lines[i + 1..j];
        let first_code = body.iter().position(|b| !b.blank);
        match first_code {
            Some(k) if !has_yield => {
                // Keep blank/comment lines before the first statement verbatim (cheap),
                // then `pass` at the body's indentation, then one newline per line.
                for b in &body[..k] {
                    out.extend_from_slice(&src[b.start..b.end]);
                }
                let first = &body[k];
                out.extend(std::iter::repeat_n(b' ', first.indent));
                out.extend_from_slice(b"pass");
                let newlines = body[k..].iter().map(|b| b.newlines).sum::<usize>();
                out.extend(std::iter::repeat_n(b'\n', newlines.max(1)));
            }
            _ => {
                for b in body {
                    out.extend_from_slice(&src[b.start..b.end]);
                }
            }
        }
        i = j;
    }
    Some(out)
}

/// Python's indentation rules over logical lines: a deeper line only after a block
/// opener, a block opener always followed by a deeper line, and every dedent landing on an
/// enclosing level.
fn indentation_consistent(lines: &[Line]) -> bool {
    let mut stack: Vec<usize> = vec![0];
    let mut expect_block = false;
    for l in lines.iter().filter(|l| !l.blank) {
        let top = stack.last().copied().unwrap_or(0);
        if l.indent > top {
            if !expect_block {
                return false;
            }
            stack.push(l.indent);
        } else {
            if expect_block {
                return false;
            }
            while stack.last().is_some_and(|&t| t > l.indent) {
                stack.pop();
            }
            if stack.last().copied() != Some(l.indent) {
                return false;
            }
        }
        expect_block = l.ends_block;
    }
    !expect_block
}

/// One logical line (a statement line, possibly spanning several physical lines).
#[derive(Debug)]
struct Line {
    start: usize,
    /// Exclusive, including the final newline(s).
    end: usize,
    indent: usize,
    /// Only whitespace and comments.
    blank: bool,
    /// Starts with `def` or `async def`.
    is_def: bool,
    /// Ends with `:` (the block continues on the next lines).
    ends_block: bool,
    has_yield: bool,
    newlines: usize,
}

/// Whether `b` can be part of a Python identifier (any non-ASCII byte may be).
pub(crate) fn is_ident(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80
}

/// Split into logical lines, or `None` when the text is not plainly tokenisable.
fn logical_lines(src: &[u8]) -> Option<Vec<Line>> {
    let mut lines = Vec::with_capacity(src.len() / 24);
    let n = src.len();
    let mut pos = 0;
    while pos < n {
        let start = pos;
        // Indentation.
        let mut indent = 0;
        while pos < n && src[pos] == b' ' {
            indent += 1;
            pos += 1;
        }
        if pos < n && (src[pos] == b'\t' || src[pos] == b'\x0c') {
            return None;
        }
        let code_start = pos;
        let mut depth: i32 = 0;
        let mut newlines = 0;
        let mut last_sig: u8 = 0;
        let mut has_yield = false;
        let mut any_code = false;
        loop {
            if pos >= n {
                break;
            }
            let c = src[pos];
            match c {
                b'\n' => {
                    newlines += 1;
                    pos += 1;
                    if depth == 0 {
                        break;
                    }
                }
                b'\r' => pos += 1,
                b'#' => {
                    while pos < n && src[pos] != b'\n' {
                        pos += 1;
                    }
                }
                b'\\' => {
                    // Line continuation: the logical line goes on.
                    pos += 1;
                    if pos < n && src[pos] == b'\r' {
                        pos += 1;
                    }
                    if pos < n && src[pos] == b'\n' {
                        newlines += 1;
                        pos += 1;
                    } else {
                        return None;
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    any_code = true;
                    last_sig = c;
                    pos += 1;
                }
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth < 0 {
                        return None;
                    }
                    last_sig = c;
                    pos += 1;
                }
                b'\'' | b'"' => {
                    let (end, nl) = skip_string(src, pos)?;
                    newlines += nl;
                    pos = end;
                    any_code = true;
                    last_sig = b'"';
                }
                b' ' | b'\t' => pos += 1,
                _ if is_ident(c) => {
                    let w0 = pos;
                    while pos < n && is_ident(src[pos]) {
                        pos += 1;
                    }
                    // A string prefix (r, b, f, u, rb, ...) directly followed by a quote.
                    if pos < n && (src[pos] == b'\'' || src[pos] == b'"') && pos - w0 <= 3 {
                        let (end, nl) = skip_string(src, pos)?;
                        newlines += nl;
                        pos = end;
                    } else if &src[w0..pos] == b"yield" {
                        has_yield = true;
                    }
                    any_code = true;
                    last_sig = b'a';
                }
                _ => {
                    any_code = true;
                    last_sig = c;
                    pos += 1;
                }
            }
        }
        if depth != 0 {
            return None;
        }
        let code = &src[code_start..pos];
        let is_def = code.starts_with(b"def ")
            || (code.starts_with(b"async ") && code[6..].trim_ascii_start().starts_with(b"def "));
        lines.push(Line {
            start,
            end: pos,
            indent,
            blank: !any_code,
            is_def,
            ends_block: last_sig == b':',
            has_yield,
            newlines,
        });
    }
    Some(lines)
}

/// Skip a string literal starting at the quote at `pos`: `(end, newlines inside)`.
fn skip_string(src: &[u8], pos: usize) -> Option<(usize, usize)> {
    let q = src[pos];
    let n = src.len();
    let triple = pos + 2 < n && src[pos + 1] == q && src[pos + 2] == q;
    let mut i = if triple { pos + 3 } else { pos + 1 };
    let mut nl = 0;
    while i < n {
        match src[i] {
            b'\\' => {
                if i + 1 < n && src[i + 1] == b'\n' {
                    nl += 1;
                }
                i += 2;
            }
            b'\n' => {
                if !triple {
                    return None;
                }
                nl += 1;
                i += 1;
            }
            c if c == q => {
                if !triple {
                    return Some((i + 1, nl));
                }
                if i + 2 < n && src[i + 1] == q && src[i + 2] == q {
                    return Some((i + 3, nl));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::skim;

    fn s(src: &str) -> String {
        String::from_utf8(skim(src.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn bodies_become_pass_and_lines_are_kept() {
        let src = "import pytest\n\n@pytest.mark.parametrize('x', [1,\n    2])\ndef test_a(x):\n    y = x + 1\n    assert y\n\nclass TestK:\n    def test_m(self):\n        '''doc\n        more'''\n        assert (1 +\n                2)\n    def test_n(self): pass\n";
        let out = s(src);
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(out.contains("def test_a(x):\n    pass\n\n"));
        assert!(out.contains("    def test_m(self):\n        pass\n\n\n\n    def test_n"));
        assert!(out.contains("def test_n(self): pass"));
        assert!(!out.contains("assert"));
    }

    #[test]
    fn indentation_errors_are_left_to_the_full_parse() {
        assert!(skim(b"def test_i():\n        x = 1\n    y = 2\n").is_none());
        assert!(skim(b"x = 1\n    y = 2\n").is_none());
        assert!(skim(b"def f():\nx = 1\n").is_none());
        assert!(skim(b"if x:\n    y = 1\nelse:\n    z = 2\n").is_some());
    }

    #[test]
    fn generator_bodies_are_kept() {
        let out = s("def test_g():\n    yield 1\n");
        assert!(out.contains("yield 1"));
    }

    #[test]
    fn gives_up_on_tabs_and_unterminated_strings() {
        assert!(skim(b"def f():\n\treturn 1\n").is_none());
        assert!(skim(b"x = 'abc\n").is_none());
        assert!(skim(b"x = (1,\n").is_none());
    }

    #[test]
    fn strings_with_hashes_and_brackets() {
        let out = s("X = '#('\ndef test_a():\n    s = \"))\"\n    return s\nY = 1\n");
        assert!(out.starts_with("X = '#('\ndef test_a():\n    pass\n\nY = 1\n"));
    }
}
