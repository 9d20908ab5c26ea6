//! pytest's glob semantics: Python's `fnmatch.fnmatchcase`, pytest's `fnmatch_ex` path
//! matching (`python_files`, `norecursedirs`, `--ignore-glob`, `--doctest-glob`), and the
//! prefix-or-glob name matching of `python_classes` / `python_functions`.
//!
//! Patterns are compiled once into a small token matcher rather than going through
//! `globset` or a regex: fnmatch has no escapes and no `{a,b}` alternation, treats an
//! unclosed `[` literally, and has its own rules for odd character classes (`[z-a]` never
//! matches, `[!z-a]` matches any character). Reproducing those on top of another glob
//! dialect would be more fragile than matching directly.

use std::borrow::Cow;
use std::path::Path;

/// One compiled fnmatch pattern.
#[derive(Debug, Clone)]
struct Compiled {
    kind: Kind,
}

/// The matching strategy for a pattern; the common shapes get a fast path because
/// `python_files` patterns are checked against every file of a tree.
#[derive(Debug, Clone)]
enum Kind {
    /// No wildcard at all.
    Exact(String),
    /// `lit*`.
    Prefix(String),
    /// `*lit`.
    Suffix(String),
    /// `lit*lit` (e.g. `test_*.py`).
    PrefixSuffix(String, String),
    /// A character class that can never match made the whole pattern unmatchable.
    Never,
    /// Anything else.
    General(Vec<Tok>),
}

/// One element of a pattern; every token except `Star` consumes exactly one character.
#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class(Class),
}

/// A `[...]` set: literal characters and inclusive ranges, possibly negated.
#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    chars: Vec<char>,
    ranges: Vec<(char, char)>,
}

impl Class {
    fn contains(&self, c: char) -> bool {
        let inside =
            self.chars.contains(&c) || self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        inside != self.negated
    }
}

impl Tok {
    fn matches(&self, c: char) -> bool {
        match self {
            Tok::Lit(l) => *l == c,
            Tok::Any => true,
            Tok::Star => false,
            Tok::Class(class) => class.contains(c),
        }
    }
}

/// What a bracket expression turned into.
enum Bracket {
    Tok(Tok),
    Never,
}

/// Parse the inside of a `[...]` whose content is `stuff` (between the brackets, leading
/// `!` included), following the way Python's `fnmatch.translate` builds its regex class.
fn parse_class(stuff: &[char]) -> Bracket {
    // Python splits the content on range dashes into chunks; a range joins the last
    // character of one chunk to the first of the next, every other character is literal.
    let mut chunks: Vec<Vec<char>> = Vec::new();
    if stuff.contains(&'-') {
        let mut start = 0usize;
        // The first character (after a leading `!`) cannot start a range.
        let mut search = if stuff.first() == Some(&'!') { 2 } else { 1 };
        loop {
            let found = (search..stuff.len()).find(|&k| stuff[k] == '-');
            let Some(k) = found else { break };
            chunks.push(stuff[start..k].to_vec());
            start = k + 1;
            // The range end can never itself be a range dash.
            search = k + 3;
        }
        let rest = stuff.get(start..).unwrap_or(&[]).to_vec();
        if rest.is_empty() {
            // A trailing dash is literal.
            if let Some(last) = chunks.last_mut() {
                last.push('-');
            }
        } else {
            chunks.push(rest);
        }
        // Drop empty (reversed) ranges, merging the neighbours as Python does.
        let mut k = chunks.len().saturating_sub(1);
        while k >= 1 {
            let prev_last = chunks[k - 1].last().copied();
            let next_first = chunks[k].first().copied();
            if let (Some(a), Some(b)) = (prev_last, next_first) {
                if a > b {
                    let tail: Vec<char> = chunks[k][1..].to_vec();
                    chunks[k - 1].pop();
                    chunks[k - 1].extend(tail);
                    chunks.remove(k);
                }
            }
            k -= 1;
        }
    } else {
        chunks.push(stuff.to_vec());
    }

    let flat_len: usize =
        chunks.iter().map(Vec::len).sum::<usize>() + chunks.len().saturating_sub(1);
    if flat_len == 0 {
        return Bracket::Never;
    }
    let negated = chunks.first().and_then(|c| c.first()) == Some(&'!');
    if negated && flat_len == 1 {
        // `[!]`-after-merging: a negated empty set matches any character.
        return Bracket::Tok(Tok::Any);
    }
    let mut class = Class {
        negated,
        chars: Vec::new(),
        ranges: Vec::new(),
    };
    let n = chunks.len();
    for (i, chunk) in chunks.iter().enumerate() {
        let skip_bang = usize::from(i == 0 && negated);
        let body = &chunk[skip_bang..];
        // The first character may be the end of a range from the previous chunk and the
        // last one the start of a range into the next chunk.
        let lo_idx = usize::from(i > 0);
        let hi_idx = if i + 1 < n {
            body.len().saturating_sub(1)
        } else {
            body.len()
        };
        if i > 0 {
            if let (Some(&a), Some(&b)) = (chunks[i - 1].last(), body.first()) {
                class.ranges.push((a, b));
            }
        }
        if lo_idx < hi_idx {
            class.chars.extend_from_slice(&body[lo_idx..hi_idx]);
        }
    }
    Bracket::Tok(Tok::Class(class))
}

impl Compiled {
    fn new(pattern: &str) -> Compiled {
        let chars: Vec<char> = pattern.chars().collect();
        let mut toks: Vec<Tok> = Vec::new();
        let mut never = false;
        let mut i = 0usize;
        let n = chars.len();
        while i < n {
            let c = chars[i];
            i += 1;
            match c {
                '*' => {
                    if !matches!(toks.last(), Some(Tok::Star)) {
                        toks.push(Tok::Star);
                    }
                }
                '?' => toks.push(Tok::Any),
                '[' => {
                    let mut j = i;
                    if j < n && chars[j] == '!' {
                        j += 1;
                    }
                    if j < n && chars[j] == ']' {
                        j += 1;
                    }
                    while j < n && chars[j] != ']' {
                        j += 1;
                    }
                    if j >= n {
                        // No closing bracket: the `[` is an ordinary character.
                        toks.push(Tok::Lit('['));
                    } else {
                        match parse_class(&chars[i..j]) {
                            Bracket::Tok(t) => toks.push(t),
                            Bracket::Never => never = true,
                        }
                        i = j + 1;
                    }
                }
                other => toks.push(Tok::Lit(other)),
            }
        }
        if never {
            return Compiled { kind: Kind::Never };
        }
        Compiled {
            kind: Self::classify(toks),
        }
    }

    /// Pick a fast path for the pattern shapes that only need string comparisons.
    fn classify(toks: Vec<Tok>) -> Kind {
        let lits = |ts: &[Tok]| -> Option<String> {
            ts.iter()
                .map(|t| match t {
                    Tok::Lit(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        let stars: Vec<usize> = toks
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t, Tok::Star))
            .map(|(i, _)| i)
            .collect();
        match stars.as_slice() {
            [] => {
                if let Some(s) = lits(&toks) {
                    return Kind::Exact(s);
                }
            }
            [star] => {
                let star = *star;
                if let (Some(pre), Some(suf)) = (lits(&toks[..star]), lits(&toks[star + 1..])) {
                    return match (pre.is_empty(), suf.is_empty()) {
                        (_, true) => Kind::Prefix(pre),
                        (true, false) => Kind::Suffix(suf),
                        (false, false) => Kind::PrefixSuffix(pre, suf),
                    };
                }
            }
            _ => {}
        }
        Kind::General(toks)
    }

    fn is_match(&self, name: &str) -> bool {
        match &self.kind {
            Kind::Exact(s) => name == s,
            Kind::Prefix(p) => name.starts_with(p.as_str()),
            Kind::Suffix(s) => name.ends_with(s.as_str()),
            Kind::PrefixSuffix(p, s) => {
                name.len() >= p.len() + s.len()
                    && name.starts_with(p.as_str())
                    && name.ends_with(s.as_str())
            }
            Kind::Never => false,
            Kind::General(toks) => match_tokens(toks, name),
        }
    }
}

/// Wildcard matching where `*` matches any run of characters and every other token exactly
/// one. Greedy with backtracking to the most recent `*` is exact for this token set.
fn match_tokens(toks: &[Tok], name: &str) -> bool {
    let mut p = 0usize;
    let mut s = 0usize;
    // (token index after the star, byte offset the star's run currently ends at)
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if let Some(Tok::Star) = toks.get(p) {
            backtrack = Some((p + 1, s));
            p += 1;
            continue;
        }
        let Some(c) = name[s..].chars().next() else {
            break;
        };
        if let Some(tok) = toks.get(p) {
            if tok.matches(c) {
                p += 1;
                s += c.len_utf8();
                continue;
            }
        }
        match backtrack {
            Some((after_star, run_end)) => {
                let Some(skipped) = name[run_end..].chars().next() else {
                    return false;
                };
                let next = run_end + skipped.len_utf8();
                backtrack = Some((after_star, next));
                p = after_star;
                s = next;
            }
            None => return false,
        }
    }
    toks[p..].iter().all(|t| matches!(t, Tok::Star))
}

/// Python's `fnmatch.fnmatchcase(name, pattern)`: `*` matches anything (including `/`),
/// `?` one character, `[seq]` / `[!seq]` a set; `{`, `}` and `\` are literal; an unclosed
/// `[` is literal; case-sensitive.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    Compiled::new(pattern).is_match(name)
}

/// `str(PurePath(path))` on POSIX: repeated separators collapsed (two leading ones kept),
/// `.` components dropped, no trailing separator.
fn pure_path_str(path: &Path) -> Cow<'_, str> {
    let s = path.to_string_lossy();
    let needs_work = s.ends_with('/') && s.len() > 1
        || s.contains("//")
        || s.contains("/./")
        || s.starts_with("./")
        || s.ends_with("/.");
    if !needs_work {
        return s;
    }
    let leading = s.len() - s.trim_start_matches('/').len();
    let prefix = match leading {
        0 => "",
        2 => "//",
        _ => "/",
    };
    let parts: Vec<&str> = s
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = parts.join("/");
    if joined.is_empty() && prefix.is_empty() {
        return Cow::Borrowed(".");
    }
    Cow::Owned(format!("{prefix}{joined}"))
}

/// `PurePath(path).name`: the last component, empty for `/` and `.`.
fn pure_path_name(full: &str) -> &str {
    if full == "." {
        return "";
    }
    full.rsplit('/').next().unwrap_or("")
}

/// pytest's `fnmatch_ex`: a pattern without `/` is matched against the basename; otherwise
/// against the whole path, with `*/` prepended when the path is absolute and the pattern
/// is not.
pub fn fnmatch_ex(pattern: &str, path: &Path) -> bool {
    let full = pure_path_str(path);
    if !pattern.contains('/') {
        return fnmatch(pattern, pure_path_name(&full));
    }
    if full.starts_with('/') && !pattern.starts_with('/') {
        return fnmatch(&format!("*/{pattern}"), &full);
    }
    fnmatch(pattern, &full)
}

/// One precompiled `fnmatch_ex` pattern.
#[derive(Debug, Clone)]
enum PathPattern {
    /// No separator: matched against the basename.
    Basename(Compiled),
    /// Has a separator: `plain` for relative paths (and absolute patterns), `anchored`
    /// (`*/` + pattern) for absolute paths when the pattern is relative.
    Full {
        plain: Compiled,
        anchored: Option<Compiled>,
    },
}

/// A list of `fnmatch_ex` patterns compiled once, for matching many paths
/// (`python_files`, `norecursedirs`, `--ignore-glob`).
#[derive(Debug, Clone)]
pub struct PathMatcher {
    patterns: Vec<PathPattern>,
}

impl PathMatcher {
    /// Compile `patterns`; every string is a valid pattern, as in fnmatch.
    pub fn new(patterns: &[String]) -> PathMatcher {
        let patterns: Vec<PathPattern> = patterns
            .iter()
            .map(|p| {
                if p.contains('/') {
                    PathPattern::Full {
                        plain: Compiled::new(p),
                        anchored: (!p.starts_with('/')).then(|| Compiled::new(&format!("*/{p}"))),
                    }
                } else {
                    PathPattern::Basename(Compiled::new(p))
                }
            })
            .collect();
        PathMatcher { patterns }
    }

    /// True if any pattern `fnmatch_ex`-matches `path`.
    pub fn is_match(&self, path: &Path) -> bool {
        let full = pure_path_str(path);
        let name = pure_path_name(&full);
        let absolute = full.starts_with('/');
        self.patterns.iter().any(|p| match p {
            PathPattern::Basename(c) => c.is_match(name),
            PathPattern::Full { plain, anchored } => match (absolute, anchored) {
                (true, Some(a)) => a.is_match(&full),
                _ => plain.is_match(&full),
            },
        })
    }
}

/// One `python_classes` / `python_functions` entry.
#[derive(Debug, Clone)]
struct NameEntry {
    prefix: String,
    glob: Option<Compiled>,
}

/// Matcher for `python_classes` / `python_functions`: a name matches an entry if it starts
/// with it, or, for entries containing `*`, `?` or `[`, if it fnmatches it.
#[derive(Debug, Clone)]
pub struct NameMatcher {
    entries: Vec<NameEntry>,
}

impl NameMatcher {
    /// Compile the ini entries.
    pub fn new(entries: &[String]) -> NameMatcher {
        let entries = entries
            .iter()
            .map(|e| NameEntry {
                prefix: e.clone(),
                glob: e.contains(['*', '?', '[']).then(|| Compiled::new(e)),
            })
            .collect();
        NameMatcher { entries }
    }

    /// True if `name` is selected by any entry.
    pub fn is_match(&self, name: &str) -> bool {
        // pytest tries the prefix test first even for glob entries.
        self.entries.iter().any(|e| {
            name.starts_with(e.prefix.as_str()) || e.glob.as_ref().is_some_and(|g| g.is_match(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Expected values from Python 3.11 `fnmatch.fnmatchcase(name, pattern)`.
    #[test]
    fn fnmatch_matches_python() {
        let cases: &[(&str, &str, bool)] = &[
            ("[a-]", "-", true),
            ("[a--]", "a", false),
            ("[a--]", "-", false),
            ("[!z-a]", "q", true),
            ("[z-a]", "z", false),
            ("[]a]", "]", true),
            ("[!]a]", "b", true),
            ("[!]", "[!]", true),
            ("[", "[", true),
            ("[a", "[a", true),
            ("a\\b", "a\\b", true),
            ("{arch}", "{arch}", true),
            ("{a,b}", "a", false),
            ("[^a]", "^", true),
            ("[^a]", "b", false),
            ("*.py", "x/y.py", true),
            ("[a-c-e]", "-", true),
            ("[a-c-e]", "d", false),
            ("[\\]", "\\", true),
            ("[b-a-c]", "-", true),
            ("[b-a-c]", "c", true),
            ("[b-a-c]", "b", false),
            ("[[]", "[", true),
            ("[!-a]", "-", false),
            ("a*b*c", "aXbYc", true),
            ("*a", "\n a", true),
            ("?", "\n", true),
            ("[]-a]", "^", true),
            ("[&&]", "&", true),
            ("[!a-c]", "\n", true),
            ("[]", "[]", true),
            ("[]]", "]", true),
            ("[!]]", "a", true),
            ("[!]]", "]", false),
        ];
        for &(pat, name, expected) in cases {
            assert_eq!(fnmatch(pat, name), expected, "fnmatch({pat:?}, {name:?})");
        }
    }

    #[test]
    fn fnmatch_common_shapes() {
        assert!(fnmatch("test_*.py", "test_a.py"));
        assert!(!fnmatch("test_*.py", "test_a.pyc"));
        assert!(fnmatch("*_test.py", "a_test.py"));
        assert!(!fnmatch("*_test.py", "_test.p"));
        assert!(fnmatch("test_*.py", "test_.py"));
        assert!(!fnmatch("ab*ba", "aba"));
        assert!(fnmatch("*.egg", "foo.egg"));
        assert!(fnmatch(".*", ".git"));
        assert!(!fnmatch("CVS", "cvs"));
        assert!(fnmatch("*", ""));
        assert!(!fnmatch("?", ""));
        assert!(fnmatch("a?c", "aéc"));
        assert!(fnmatch("*a*a*a*b", "aaaaaaaaab"));
        assert!(!fnmatch("*a*a*a*b", "aaaaaaaaaa"));
        assert!(fnmatch("[0-9]*[!x]", "1abc"));
        assert!(!fnmatch("[0-9]*[!x]", "1abx"));
    }

    /// Expected values from pytest 9.2 `_pytest.pathlib.fnmatch_ex`.
    #[test]
    fn fnmatch_ex_matches_pytest() {
        let cases: &[(&str, &str, bool)] = &[
            ("test_*.py", "/r/tests/test_a.py", true),
            ("tests/*.py", "/r/tests/test_a.py", true),
            ("tests/*.py", "tests/test_a.py", true),
            ("tests/*.py", "x/tests/test_a.py", false),
            ("/r/tests/*.py", "/r/tests/test_a.py", true),
            ("/tests/*.py", "/r/tests/test_a.py", false),
            (
                "tests/**/doc/test*.py",
                "tests/foo/bar/doc/test_foo.py",
                true,
            ),
            ("*/b", "/a/b", true),
            ("b", "/a/b/", true),
            ("a/b", "a//b", true),
            ("a/b", "./a/b", true),
            (".*", "/r/.git", true),
            ("{arch}", "/r/{arch}", true),
            ("venv", "/r/venv", true),
            ("*.egg", "/r/x.egg", true),
        ];
        for &(pat, path, expected) in cases {
            assert_eq!(
                fnmatch_ex(pat, Path::new(path)),
                expected,
                "fnmatch_ex({pat:?}, {path:?})"
            );
            let m = PathMatcher::new(&[pat.to_string()]);
            assert_eq!(
                m.is_match(Path::new(path)),
                expected,
                "PathMatcher {pat:?} {path:?}"
            );
        }
    }

    #[test]
    fn path_matcher_any() {
        let m = PathMatcher::new(&["test_*.py".to_string(), "*_test.py".to_string()]);
        assert!(m.is_match(&PathBuf::from("/x/test_a.py")));
        assert!(m.is_match(&PathBuf::from("/x/a_test.py")));
        assert!(!m.is_match(&PathBuf::from("/x/conftest.py")));
        assert!(!PathMatcher::new(&[]).is_match(Path::new("/x")));
    }

    #[test]
    fn name_matcher_prefix_and_glob() {
        let m = NameMatcher::new(&["test".to_string()]);
        assert!(m.is_match("testing_prefix"));
        assert!(m.is_match("test"));
        assert!(!m.is_match("Test"));
        let m = NameMatcher::new(&["*_check".to_string(), "Check[AB]".to_string()]);
        assert!(m.is_match("foo_check"));
        assert!(m.is_match("CheckA"));
        assert!(!m.is_match("CheckC"));
        assert!(!m.is_match("check"));
        // An entry with glob characters is also tried as a literal prefix first.
        let m = NameMatcher::new(&["te[st".to_string()]);
        assert!(m.is_match("te[stX"));
        assert!(!NameMatcher::new(&[]).is_match("test"));
        assert!(NameMatcher::new(&[String::new()]).is_match("anything"));
    }
}
