//! Python's `shlex.split(s)` (POSIX mode, no comments), which pytest applies to "args"
//! ini values such as `addopts` and `python_files`.
//!
//! The `shlex` crate follows the POSIX shell more closely than Python does (it treats `#`
//! as a comment and honours `\$` and backslash-newline), so values would split
//! differently; this module reproduces Python's lexer instead.

/// Why a value could not be split; the texts are Python's `ValueError` messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ShlexError {
    /// An opening quote without its closing quote.
    NoClosingQuotation,
    /// A backslash at the very end of the input.
    NoEscapedCharacter,
}

impl ShlexError {
    /// Python's message for this error.
    pub(crate) fn message(&self) -> &'static str {
        match self {
            ShlexError::NoClosingQuotation => "No closing quotation",
            ShlexError::NoEscapedCharacter => "No escaped character",
        }
    }
}

/// Python's shlex only treats these four as whitespace.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Lexer state, mirroring the states of Python's `shlex.read_token`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tokens.
    Between,
    /// Inside an unquoted word.
    Word,
    /// Inside single or double quotes.
    Quoted(char),
    /// After a backslash; remembers the state to return to.
    Escape(Escaped),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escaped {
    Word,
    DoubleQuote,
}

/// Split `s` into words exactly as Python's `shlex.split(s)` does.
pub(crate) fn split(s: &str) -> Result<Vec<String>, ShlexError> {
    let mut words = Vec::new();
    let mut token = String::new();
    // A word that contained quotes is emitted even when empty (`''` -> "").
    let mut quoted = false;
    let mut state = State::Between;
    for c in s.chars() {
        match state {
            State::Between => {
                if is_ws(c) {
                    continue;
                }
                match c {
                    '\\' => state = State::Escape(Escaped::Word),
                    '\'' | '"' => state = State::Quoted(c),
                    _ => {
                        token.push(c);
                        state = State::Word;
                    }
                }
            }
            State::Word => {
                if is_ws(c) {
                    words.push(std::mem::take(&mut token));
                    quoted = false;
                    state = State::Between;
                    continue;
                }
                match c {
                    '\'' | '"' => state = State::Quoted(c),
                    '\\' => state = State::Escape(Escaped::Word),
                    _ => token.push(c),
                }
            }
            State::Quoted(q) => {
                quoted = true;
                if c == q {
                    state = State::Word;
                } else if q == '"' && c == '\\' {
                    state = State::Escape(Escaped::DoubleQuote);
                } else {
                    token.push(c);
                }
            }
            State::Escape(back) => {
                // Inside double quotes only `\"` and `\\` are escapes; otherwise the
                // backslash is kept.
                if back == Escaped::DoubleQuote && c != '"' && c != '\\' {
                    token.push('\\');
                }
                token.push(c);
                state = match back {
                    Escaped::Word => State::Word,
                    Escaped::DoubleQuote => State::Quoted('"'),
                };
            }
        }
    }
    match state {
        State::Quoted(_) => return Err(ShlexError::NoClosingQuotation),
        State::Escape(_) => return Err(ShlexError::NoEscapedCharacter),
        State::Word => words.push(token),
        State::Between => {
            if quoted {
                words.push(token);
            }
        }
    }
    Ok(words)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sp(s: &str) -> Vec<String> {
        split(s).unwrap()
    }

    /// Expected values from Python 3.11 `shlex.split`.
    #[test]
    fn splits_like_python() {
        assert_eq!(sp("-v  -k 'a and b'"), ["-v", "-k", "a and b"]);
        assert_eq!(sp("a#b # c"), ["a#b", "#", "c"]);
        assert_eq!(sp(r#""a\$b" "c\"d" 'e\f'"#), [r"a\$b", "c\"d", r"e\f"]);
        assert_eq!(sp(r"a\ b \x"), ["a b", "x"]);
        assert_eq!(sp("''"), [""]);
        assert_eq!(sp("a'' b"), ["a", "b"]);
        assert_eq!(sp("x''y\"\"z"), ["xyz"]);
        assert_eq!(sp(" \n\t"), Vec::<String>::new());
        assert_eq!(sp("a\x0cb"), ["a\x0cb"]);
        assert_eq!(sp("\"\\\\\""), ["\\"]);
        assert_eq!(sp("a\\\nb"), ["a\nb"]);
    }

    #[test]
    fn errors_like_python() {
        assert_eq!(
            split("-k 'foo").unwrap_err(),
            ShlexError::NoClosingQuotation
        );
        assert_eq!(split("foo\\").unwrap_err(), ShlexError::NoEscapedCharacter);
        assert_eq!(split("\"a\\").unwrap_err(), ShlexError::NoEscapedCharacter);
        assert_eq!(
            ShlexError::NoClosingQuotation.message(),
            "No closing quotation"
        );
    }
}
