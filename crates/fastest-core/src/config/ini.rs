//! The ini dialect pytest reads `pytest.ini`, `tox.ini`, `setup.cfg` and `-c *.ini/*.cfg`
//! with: the `iniconfig` package's rules, as pytest 9.2 calls it (no inline-comment
//! stripping, section and key names kept as written apart from key stripping).
//!
//! Rules reproduced here: whole-line `#`/`;` comments and blank lines are skipped anywhere
//! (also inside a multi-line value); `name = value` or `name: value` (`=` wins unless the
//! part before it contains `:`); an indented line continues the previous value, joined with
//! `\n`; a `[` line without a closing `]` also continues the previous value. Errors carry
//! iniconfig's message and 1-based line number.

use indexmap::IndexMap;

use super::pyfmt;

/// A parsed ini document: sections in file order, each with its keys in file order.
#[derive(Debug, Clone, Default)]
pub(crate) struct IniDoc {
    pub(crate) sections: IndexMap<String, IndexMap<String, String>>,
}

/// A parse failure: iniconfig's `ParseError` (`{path}:{lineno}: {msg}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IniError {
    /// 1-based line number.
    pub(crate) lineno: usize,
    pub(crate) msg: String,
}

/// What one physical line is.
enum Line {
    Blank,
    Section(String),
    Value(String, String),
    Continuation(String),
}

/// Classify one line (with its line ending still attached).
fn parse_line(raw: &str) -> Result<Line, String> {
    let first = pyfmt::lstrip(raw).chars().next();
    // iniconfig counts whitespace-only lines as comment lines too.
    if first.is_none() || matches!(first, Some('#' | ';')) {
        return Ok(Line::Blank);
    }
    let line = pyfmt::rstrip(raw);
    if line.is_empty() {
        return Ok(Line::Blank);
    }
    if line.starts_with('[') {
        // Anything after a comment character is dropped before looking for `]`.
        let mut head = line;
        for c in ['#', ';'] {
            head = pyfmt::rstrip(head.split(c).next().unwrap_or(""));
        }
        if let Some(inner) = head.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return Ok(Line::Section(inner.to_string()));
        }
        return Ok(Line::Continuation(pyfmt::strip(line).to_string()));
    }
    if line.chars().next().is_some_and(pyfmt::is_space) {
        return Ok(Line::Continuation(pyfmt::strip(line).to_string()));
    }
    let split = match line.split_once('=') {
        Some((name, _)) if name.contains(':') => line.split_once(':'),
        Some(pair) => Some(pair),
        None => line.split_once(':'),
    };
    match split {
        Some((name, value)) => Ok(Line::Value(
            pyfmt::strip(name).to_string(),
            pyfmt::strip(value).to_string(),
        )),
        None => Err(format!("unexpected line: {}", pyfmt::repr_str(line))),
    }
}

/// One parsed entry before the structural checks: a section header or a key.
struct Token {
    lineno: usize,
    section: Option<String>,
    name: Option<String>,
    value: Vec<String>,
}

/// Parse ini `text` (already decoded, universal newlines applied).
pub(crate) fn parse(text: &str) -> Result<IniDoc, IniError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // First pass: line syntax (errors here win over structural ones, as in iniconfig).
    let mut tokens: Vec<Token> = Vec::new();
    let mut section: Option<String> = None;
    for (lineno, raw) in pyfmt::splitlines_keepends(text).into_iter().enumerate() {
        let err = |msg: String| IniError {
            lineno: lineno + 1,
            msg,
        };
        match parse_line(raw).map_err(err)? {
            Line::Blank => {}
            Line::Section(name) => {
                if name.is_empty() {
                    return Err(err("empty section name".to_string()));
                }
                section = Some(name.clone());
                tokens.push(Token {
                    lineno,
                    section: Some(name),
                    name: None,
                    value: Vec::new(),
                });
            }
            Line::Value(name, value) => tokens.push(Token {
                lineno,
                section: section.clone(),
                name: Some(name),
                value: if value.is_empty() {
                    Vec::new()
                } else {
                    vec![value]
                },
            }),
            Line::Continuation(data) => match tokens.last_mut() {
                Some(tok) if tok.name.is_some() => tok.value.push(data),
                _ => return Err(err("unexpected value continuation".to_string())),
            },
        }
    }
    // Second pass: structure.
    let mut doc = IniDoc::default();
    for tok in tokens {
        let err = |msg: String| IniError {
            lineno: tok.lineno + 1,
            msg,
        };
        let Some(section) = tok.section else {
            return Err(err("no section header defined".to_string()));
        };
        match tok.name {
            None => {
                if doc.sections.contains_key(&section) {
                    return Err(err(format!(
                        "duplicate section {}",
                        pyfmt::repr_str(&section)
                    )));
                }
                doc.sections.insert(section, IndexMap::new());
            }
            Some(name) => {
                let entries = doc.sections.entry(section).or_default();
                if entries.contains_key(&name) {
                    return Err(err(format!("duplicate name {}", pyfmt::repr_str(&name))));
                }
                entries.insert(name, tok.value.join("\n"));
            }
        }
    }
    Ok(doc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        (e.lineno, e.msg)
    }

    #[test]
    fn values_and_continuations() {
        let doc = parse(
            "# c\n[pytest]\naddopts = -v # not a comment\nmarkers =\n    slow: s\n\n  # skipped\n    fast\npython_files: a.py b.py\nx = a=b\ny : a=b\nz\t=  \n",
        )
        .unwrap();
        let s = &doc.sections["pytest"];
        assert_eq!(s["addopts"], "-v # not a comment");
        assert_eq!(s["markers"], "slow: s\nfast");
        assert_eq!(s["python_files"], "a.py b.py");
        assert_eq!(s["x"], "a=b");
        // "y : a=b": the part before `=` contains `:`, so `:` splits.
        assert_eq!(s["y"], "a=b");
        assert_eq!(s["z"], "");
    }

    #[test]
    fn colon_split_when_name_has_colon() {
        let doc = parse("[s]\ny : a=b\nk:v\n").unwrap();
        let s = &doc.sections["s"];
        assert_eq!(s["y"], "a=b");
        assert_eq!(s["k"], "v");
    }

    #[test]
    fn bracket_line_without_close_continues_value() {
        let doc = parse("[s]\nk = a\n[oops\n").unwrap();
        assert_eq!(doc.sections["s"]["k"], "a\n[oops");
        let doc = parse("[s] # comment\n[t] ; x\n").unwrap();
        assert!(doc.sections.contains_key("s") && doc.sections.contains_key("t"));
        let doc = parse("[ pytest ]\n").unwrap();
        assert!(doc.sections.contains_key(" pytest "));
    }

    /// Messages from iniconfig 2.3 (as pytest 9.2 prints them after `path:`).
    #[test]
    fn errors_like_iniconfig() {
        assert_eq!(err("[pytest]\nfoo\n"), (2, "unexpected line: 'foo'".into()));
        assert_eq!(err("k = v\n"), (1, "no section header defined".into()));
        assert_eq!(err("[a]\n[a]\n"), (2, "duplicate section 'a'".into()));
        assert_eq!(err("[a]\nk=1\nk=2\n"), (3, "duplicate name 'k'".into()));
        assert_eq!(err("[]\n"), (1, "empty section name".into()));
        assert_eq!(err("  x\n"), (1, "unexpected value continuation".into()));
        assert_eq!(
            err("[a]\n  x\n"),
            (2, "unexpected value continuation".into())
        );
        assert_eq!(err("[oops\n"), (1, "unexpected value continuation".into()));
        // Line syntax errors are reported before structural ones.
        assert_eq!(err("k=v\n[a]\nbad\n"), (3, "unexpected line: 'bad'".into()));
    }

    #[test]
    fn bom_and_line_breaks() {
        let doc = parse("\u{feff}[pytest]\r\nk = v\r\n").unwrap();
        assert_eq!(doc.sections["pytest"]["k"], "v");
        // A form feed is a line break for Python's splitlines.
        let doc = parse("[pytest]\nk = v\x0c  w\n").unwrap();
        assert_eq!(doc.sections["pytest"]["k"], "v\nw");
    }
}
