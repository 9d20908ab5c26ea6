//! PEP 440 versions, compared as `packaging.version.Version` compares them: enough for
//! pytest's `minversion` check. Local versions (`+abc`) are not supported; parsing
//! returns `None` for them and for anything invalid, and the caller lets pytest decide.

use std::cmp::Ordering;

/// A parsed version's sort key (packaging's `_cmpkey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    epoch: u64,
    /// Trailing zeros removed: `1.0` == `1`.
    release: Vec<u64>,
    pre: Bound<(u8, u64)>,
    post: Bound<u64>,
    dev: Bound<u64>,
}

/// A component that may sort before or after every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    Below,
    Value(T),
    Above,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.epoch, &self.release, self.pre, self.post, self.dev).cmp(&(
            other.epoch,
            &other.release,
            other.pre,
            other.post,
            other.dev,
        ))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A tiny cursor over the lower-cased version text.
struct Cursor<'a> {
    s: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.s.strip_prefix(prefix) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    fn eat_sep(&mut self) -> bool {
        self.eat("-") || self.eat("_") || self.eat(".")
    }

    fn number(&mut self) -> Option<u64> {
        let end = self
            .s
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.s.len());
        if end == 0 {
            return None;
        }
        let n = self.s[..end].parse().ok()?;
        self.s = &self.s[end..];
        Some(n)
    }

    /// Try `[-_.]?label[-_.]?N?`; restore the position if no label matches.
    fn labelled(&mut self, labels: &[&str]) -> Option<(String, u64)> {
        let saved = self.s;
        self.eat_sep();
        let Some(label) = labels.iter().find(|l| self.s.starts_with(**l)) else {
            self.s = saved;
            return None;
        };
        self.s = &self.s[label.len()..];
        let before_sep = self.s;
        self.eat_sep();
        let n = match self.number() {
            Some(n) => n,
            None => {
                self.s = before_sep;
                0
            }
        };
        Some(((*label).to_string(), n))
    }
}

impl Version {
    /// Parse like `packaging.version.Version`; `None` if invalid or local.
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let lower = text.trim().to_ascii_lowercase();
        let mut c = Cursor { s: &lower };
        c.eat("v");
        let first = c.number()?;
        let (epoch, mut release) = if c.eat("!") {
            (first, vec![c.number()?])
        } else {
            (0, vec![first])
        };
        while c.s.starts_with('.') && c.s[1..].starts_with(|ch: char| ch.is_ascii_digit()) {
            c.eat(".");
            release.push(c.number()?);
        }
        // Longest labels first so `rc` is not read as `r` + garbage.
        let pre = c
            .labelled(&["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"])
            .map(|(l, n)| {
                let rank = match l.as_str() {
                    "alpha" | "a" => 0,
                    "beta" | "b" => 1,
                    _ => 2,
                };
                (rank, n)
            });
        let post = if c.s.starts_with('-') && c.s[1..].starts_with(|ch: char| ch.is_ascii_digit()) {
            c.eat("-");
            Some(c.number()?)
        } else {
            c.labelled(&["post", "rev", "r"]).map(|(_, n)| n)
        };
        let dev = c.labelled(&["dev"]).map(|(_, n)| n);
        if !c.s.is_empty() {
            return None;
        }
        while release.len() > 1 && release.last() == Some(&0) {
            release.pop();
        }
        let pre = match (pre, post, dev) {
            (None, None, Some(_)) => Bound::Below,
            (None, _, _) => Bound::Above,
            (Some(p), _, _) => Bound::Value(p),
        };
        Some(Version {
            epoch,
            release,
            pre,
            post: post.map_or(Bound::Below, Bound::Value),
            dev: dev.map_or(Bound::Above, Bound::Value),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn ordering_matches_packaging() {
        assert!(v("99") > v("9.2.0"));
        assert!(v("8.0") < v("9.2.0"));
        assert_eq!(v("9.2"), v("9.2.0"));
        assert!(v("9.2.0rc1") < v("9.2.0"));
        assert!(v("9.2.0.dev1") < v("9.2.0a1"));
        assert!(v("9.2.0a1") < v("9.2.0b1"));
        assert!(v("9.2.0.post1") > v("9.2.0"));
        assert!(v("1!1.0") > v("9.2"));
        assert_eq!(v(" V9.2.0-1 "), v("9.2.0.post1"));
        assert_eq!(v("1.0c1"), v("1.0rc1"));
    }

    #[test]
    fn invalid_or_local() {
        assert!(Version::parse("abc").is_none());
        assert!(Version::parse("1.0+local").is_none());
        assert!(Version::parse("1..0").is_none());
        assert!(Version::parse("").is_none());
    }
}
