//! Python text conventions that pytest's config messages and parsers depend on:
//! `str.isspace`/`strip`/`splitlines`, `repr()` of strings and floats, universal-newline
//! reading, and the wording of `UnicodeDecodeError` / `OSError` tracebacks' last line.

use std::path::Path;

/// Python's `str.isspace()` for one character (Rust's `char::is_whitespace` plus the
/// ASCII information separators `\x1c`..`\x1f`).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python's `str.rstrip()` with no argument.
pub(crate) fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Python's `str.lstrip()` with no argument.
pub(crate) fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Line boundaries recognised by Python's `str.splitlines()` (besides `\r\n`).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `str.splitlines()`: the lines without their ends.
pub fn splitlines(s: &str) -> Vec<&str> {
    splitlines_keepends(s)
        .into_iter()
        .map(|l| {
            let l = l.strip_suffix("\r\n").unwrap_or(l);
            match l.chars().next_back() {
                Some(c) if is_line_break(c) => &l[..l.len() - c.len_utf8()],
                _ => l,
            }
        })
        .collect()
}

/// Python's `str.splitlines(keepends=True)`.
pub(crate) fn splitlines_keepends(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_line_break(c) {
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(_, '\n')) = iter.peek() {
                    iter.next();
                    end += 1;
                }
            }
            out.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Text as Python's `open(path, encoding="utf-8").read()` returns it: UTF-8 decoded, with
/// universal newlines (`\r\n` and lone `\r` become `\n`).
pub(crate) fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Whether Python's `str.isprintable()` holds for a non-ASCII character. Python consults
/// the Unicode database; this covers the assigned non-printable ranges (controls, format
/// characters, separators, private use) that can plausibly appear in a config file.
fn is_printable_non_ascii(c: char) -> bool {
    let cp = u32::from(c);
    !matches!(cp,
        0x80..=0xA0
        | 0xAD
        | 0x600..=0x605
        | 0x61C
        | 0x6DD
        | 0x70F
        | 0x1680
        | 0x180E
        | 0x2000..=0x200F
        | 0x2028..=0x202F
        | 0x205F..=0x2064
        | 0x2066..=0x206F
        | 0x3000
        | 0xE000..=0xF8FF
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F
        | 0xF0000..=0x10FFFF
    )
}

/// Python's `repr()` of a `str`.
pub(crate) fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_ascii() || is_printable_non_ascii(c) => out.push(c),
            c => {
                let cp = c as u32;
                if cp < 0x100 {
                    out.push_str(&format!("\\x{cp:02x}"));
                } else if cp < 0x10000 {
                    out.push_str(&format!("\\u{cp:04x}"));
                } else {
                    out.push_str(&format!("\\U{cp:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` (and `str()`) of a `float`: the shortest round-tripping digits, in
/// positional notation for decimal exponents -4..16 and scientific notation otherwise.
pub(crate) fn repr_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
        } else {
            let point = point as usize;
            if digits.len() <= point {
                format!("{}{}.0", digits, "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let exp_sign = if exp < 0 { '-' } else { '+' };
        let mant = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!("{sign}{mant}e{exp_sign}{:02}", exp.unsigned_abs())
    }
}

/// Decode file bytes as Python's strict UTF-8 codec does, returning the message of the
/// `UnicodeDecodeError` it would raise.
pub(crate) fn decode_utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        let start = e.valid_up_to();
        let (end, reason) = match e.error_len() {
            None => (bytes.len(), "unexpected end of data"),
            Some(len) => {
                let first = bytes.get(start).copied().unwrap_or(0);
                let invalid_start = matches!(first, 0x80..=0xC1 | 0xF5..=0xFF);
                let reason = if invalid_start {
                    "invalid start byte"
                } else {
                    "invalid continuation byte"
                };
                (start + len, reason)
            }
        };
        if end - start <= 1 {
            let byte = bytes.get(start).copied().unwrap_or(0);
            format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {start}: {reason}")
        } else {
            format!(
                "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                end - 1
            )
        }
    })
}

/// The last line of the traceback Python prints when opening `path` fails, e.g.
/// `PermissionError: [Errno 13] Permission denied: '/x/pytest.ini'`.
pub(crate) fn os_error_line(err: &std::io::Error, path: &Path) -> String {
    let class = match err.kind() {
        std::io::ErrorKind::NotFound => "FileNotFoundError",
        std::io::ErrorKind::PermissionDenied => "PermissionError",
        std::io::ErrorKind::IsADirectory => "IsADirectoryError",
        _ => "OSError",
    };
    let text = err.to_string();
    // Rust appends " (os error N)"; Python puts "[Errno N] " in front instead.
    let strerror = match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let path_repr = repr_str(&path.to_string_lossy());
    match err.raw_os_error() {
        Some(code) => format!("{class}: [Errno {code}] {strerror}: {path_repr}"),
        None => format!("{class}: {strerror}: {path_repr}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn repr_str_matches_python() {
        // Expected values from Python 3.11 repr().
        assert_eq!(repr_str("abc"), "'abc'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("a\\b\n\t\r"), "'a\\\\b\\n\\t\\r'");
        assert_eq!(repr_str("\u{0}\u{7f}"), "'\\x00\\x7f'");
        assert_eq!(repr_str("é\u{a0}\u{2028}"), "'é\\xa0\\u2028'");
        assert_eq!(repr_str("日本"), "'日本'");
    }

    #[test]
    fn repr_float_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-2.25, "-2.25"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (123456.789, "123456.789"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (0.1, "0.1"),
        ];
        for &(f, expected) in cases {
            assert_eq!(repr_float(f), expected, "{f}");
        }
    }

    #[test]
    fn splitlines_like_python() {
        assert_eq!(
            splitlines_keepends("a\nb\r\nc\rd\x0ce"),
            ["a\n", "b\r\n", "c\r", "d\x0c", "e"]
        );
        assert_eq!(splitlines_keepends("a\n"), ["a\n"]);
        assert!(splitlines_keepends("").is_empty());
    }

    #[test]
    fn decode_errors_like_python() {
        // b"[pytest]\n\xff\n".decode() -> position 9: invalid start byte
        assert_eq!(
            decode_utf8(b"[pytest]\n\xff\n").unwrap_err(),
            "'utf-8' codec can't decode byte 0xff in position 9: invalid start byte"
        );
        assert_eq!(
            decode_utf8(b"\xe2\x28\xa1").unwrap_err(),
            "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"
        );
        assert_eq!(
            decode_utf8(b"ab\xe2\x82").unwrap_err(),
            "'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
        );
        assert_eq!(decode_utf8(b"ok").unwrap(), "ok");
    }

    #[test]
    fn whitespace_like_python() {
        assert_eq!(strip("\u{1c} a \u{85}"), "a");
        assert_eq!(rstrip("a \n"), "a");
        assert_eq!(lstrip("\t a"), "a");
        assert!(is_space('\u{1f}'));
        assert!(!is_space('a'));
    }
}
