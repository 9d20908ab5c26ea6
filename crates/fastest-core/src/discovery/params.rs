//! Parametrize IDs: the value model that static parsing can prove, and pytest 9.2's
//! `IdMaker` rules over it (escaping, the 100-character rule, duplicate suffixing).
//!
//! Everything here is pure: the parser builds [`PyValue`]s from literals it can read, and
//! [`make_ids`] turns one `parametrize` call's parameter sets into the `[...]` components.
//! A value the source cannot prove never reaches this module: the parser marks the file
//! uncertain instead.

/// A Python value whose ID pytest would derive deterministically from the source.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    Str(String),
    Bytes(Vec<u8>),
    /// An integer, kept as its decimal `str()`.
    Int(String),
    Float(f64),
    /// An imaginary literal's `str()` (`1j`, `2.5j`).
    Complex(String),
    Bool(bool),
    None,
    /// A class, function or enum member defined in the module (or a builtin type):
    /// its `__name__` (an enum member's `Class.MEMBER`), and which object it is.
    Named(String, Origin),
    /// A value with no ID of its own (list, tuple, dict, set, ...): `argname + index`;
    /// with what pytest's `reorder_items` keys it by, when the source shows it.
    Opaque(OpaqueKey),
    /// A value the source does not settle (a call, an attribute, ...): fine under an
    /// explicit ID, a reason for the import fallback where pytest would derive one.
    Computed,
    /// An attribute through a name the module imports (`CloseReason.NORMAL`): what
    /// another module's source says it is ([`super::external::Resolver::value`]), else
    /// [`PyValue::Computed`].
    External(String),
}

/// Which object a [`PyValue::Named`] is: pytest's `ParamValueKey` compares classes,
/// functions and enum members by identity, so two of them are one key only when they
/// are one definition.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A builtin type (`int`): one object everywhere.
    Builtin,
    /// Defined in the module whose source names it: the module's path qualifies it.
    Local,
    /// Defined elsewhere: `path:qualified name` of its definition.
    At(String),
    /// A new object each time its expression runs (a lambda), or a definition the
    /// source does not place (a name in a class body).
    Unkeyed,
}

impl Origin {
    /// The identity of a definition named `name` in the module at `file`.
    pub fn at(file: &std::path::Path, name: &str) -> Self {
        Self::At(format!("{}:{name}", file.display()))
    }
}

/// How pytest's `ParamValueKey` compares a value with no ID of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum OpaqueKey {
    /// A list, dict or set (or one inside a tuple): by its index in its call.
    Unhashable,
    /// A tuple of hashable literals: by value (the key's text).
    Hashable(String),
    /// The source does not show it (a constructor call, a name inside a tuple).
    Unknown,
}

pub use super::collect::LongStrIds;

/// An explicit ID from `pytest.param(id=...)` or an `ids=[...]` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplicitId {
    /// `pytest.param(..., id="x")`: escaped, never shortened.
    Param(String),
    /// An `ids=[...]` entry: any ID-able value.
    FromIds(PyValue),
    /// `pytest.HIDDEN_PARAM`: no `[...]` component.
    Hidden,
}

/// One parameter set of a `parametrize` call.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet {
    pub values: Vec<PyValue>,
    pub id: Option<ExplicitId>,
    /// Mark names (with kwargs rendered by the parser) applied to this set only.
    pub marks: Vec<crate::item::Mark>,
}

/// An ID component for one parameter set; `None` stands for a hidden parameter.
pub type IdComponent = Option<String>;

/// Why IDs could not be made statically; the file falls back to import-based collection,
/// where pytest reports the exact error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError(pub String);

/// pytest's `ascii_escaped` for `str`: `unicode_escape` then the non-printable table.
pub fn ascii_escape_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let cp = c as u32;
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if cp < 0x20 || (0x7f..0x100).contains(&cp) => {
                out.push_str(&format!("\\x{cp:02x}"));
            }
            _ if cp < 0x80 => out.push(c),
            _ if cp < 0x10000 => out.push_str(&format!("\\u{cp:04x}")),
            _ => out.push_str(&format!("\\U{cp:08x}")),
        }
    }
    out
}

/// pytest's `ascii_escaped` for `bytes`: backslash-replace non-ASCII, then the
/// non-printable table (a backslash byte stays a single backslash).
pub fn ascii_escape_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for &byte in b {
        match byte {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out
}

/// Python's `repr(float)` (which `str(float)` equals): shortest round-trip digits,
/// scientific notation when the exponent is < -4 or >= 16.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.5e-7", "1e100".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        // Positional form.
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!(
                "0.{}{}",
                "0".repeat(usize::try_from(-point).unwrap_or(0)),
                digits
            )
        } else {
            let p = usize::try_from(point).unwrap_or(0);
            if digits.len() <= p {
                format!("{}{}.0", digits, "0".repeat(p - digits.len()))
            } else {
                format!("{}.{}", &digits[..p], &digits[p..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

/// The ID of one value, when its type has one (`_idval_from_value` plus the long-string
/// rule for auto-generated IDs).
fn idval(value: &PyValue, auto: bool) -> Option<String> {
    match value {
        PyValue::Str(s) => {
            if auto && s.chars().count() > 100 {
                None
            } else {
                Some(ascii_escape_str(s))
            }
        }
        PyValue::Bytes(b) => {
            if auto && b.len() > 100 {
                None
            } else {
                Some(ascii_escape_bytes(b))
            }
        }
        PyValue::Int(s) | PyValue::Complex(s) | PyValue::Named(s, _) => Some(s.clone()),
        PyValue::Float(f) => Some(python_float_repr(*f)),
        PyValue::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        PyValue::None => Some("None".into()),
        PyValue::Opaque(_) | PyValue::Computed | PyValue::External(_) => None,
    }
}

/// Resolve the IDs of one `parametrize` call (`IdMaker.make_unique_parameterset_ids`),
/// with `ids` entries already folded into each set's [`ExplicitId`].
pub fn make_ids(
    argnames: &[String],
    sets: &[ParamSet],
    long_strings: LongStrIds,
    strict: bool,
) -> Result<Vec<IdComponent>, IdError> {
    let mut resolved: Vec<IdComponent> = Vec::with_capacity(sets.len());
    for (idx, set) in sets.iter().enumerate() {
        let id = match &set.id {
            Some(ExplicitId::Hidden) => None,
            Some(ExplicitId::Param(s)) => Some(ascii_escape_str(s)),
            Some(ExplicitId::FromIds(PyValue::Computed | PyValue::External(_))) => {
                return Err(IdError("computed id".into()))
            }
            Some(ExplicitId::FromIds(v)) => match idval(v, false) {
                Some(s) => Some(s),
                // pytest fails collection for an unsupported `ids` entry.
                None => return Err(IdError("unsupported value in ids".into())),
            },
            None => {
                if set.values.len() != argnames.len() {
                    return Err(IdError("argvalues do not match argnames".into()));
                }
                if set
                    .values
                    .iter()
                    .any(|v| matches!(v, PyValue::Computed | PyValue::External(_)))
                {
                    return Err(IdError("computed parameter value".into()));
                }
                let long = |v: &PyValue| match v {
                    PyValue::Str(s) => s.chars().count() > 100,
                    PyValue::Bytes(b) => b.len() > 100,
                    _ => false,
                };
                let auto = match long_strings {
                    LongStrIds::Short => true,
                    LongStrIds::Legacy => false,
                    LongStrIds::Other if set.values.iter().any(long) => {
                        return Err(IdError("a long string under the ini's ID strategy".into()))
                    }
                    LongStrIds::Other => true,
                };
                let parts: Vec<String> = set
                    .values
                    .iter()
                    .zip(argnames)
                    .map(|(v, name)| idval(v, auto).unwrap_or_else(|| format!("{name}{idx}")))
                    .collect();
                Some(parts.join("-"))
            }
        };
        resolved.push(id);
    }
    dedupe(&mut resolved, strict)?;
    Ok(resolved)
}

/// Suffix duplicate IDs the way pytest does: a per-ID counter from 0, `_` first when the
/// ID ends in a digit, skipping suffixed values that collide with existing IDs. Under
/// `strict` any duplicate is pytest's `CollectError`, which the import fallback reports.
fn dedupe(ids: &mut [IdComponent], strict: bool) -> Result<(), IdError> {
    use std::collections::{HashMap, HashSet};
    let mut counts: HashMap<IdComponent, usize> = HashMap::new();
    for id in ids.iter() {
        *counts.entry(id.clone()).or_default() += 1;
    }
    if counts.values().all(|&c| c == 1) {
        return Ok(());
    }
    if strict {
        return Err(IdError(
            "duplicate parametrize IDs under `strict_parametrization_ids`".into(),
        ));
    }
    if counts.get(&None).copied().unwrap_or(0) > 1 {
        return Err(IdError(
            "multiple HIDDEN_PARAM in one parametrize call".into(),
        ));
    }
    let mut taken: HashSet<String> = ids.iter().flatten().cloned().collect();
    let mut next: HashMap<String, usize> = HashMap::new();
    for slot in ids.iter_mut() {
        let Some(id) = slot.clone() else { continue };
        if counts.get(&Some(id.clone())).copied().unwrap_or(0) <= 1 {
            continue;
        }
        let sep = if id.chars().last().is_some_and(|c| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let counter = next.entry(id.clone()).or_default();
        let mut candidate = format!("{id}{sep}{counter}");
        while taken.contains(&candidate) {
            *counter += 1;
            candidate = format!("{id}{sep}{counter}");
        }
        *counter += 1;
        taken.insert(candidate.clone());
        *slot = Some(candidate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: PyValue) -> ParamSet {
        ParamSet {
            values: vec![v],
            id: None,
            marks: vec![],
        }
    }

    fn ids(values: Vec<PyValue>) -> Vec<String> {
        let sets: Vec<ParamSet> = values.into_iter().map(set).collect();
        make_ids(&["x".to_string()], &sets, LongStrIds::Short, false)
            .map(|v| v.into_iter().map(|c| c.unwrap_or_default()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn duplicates_under_strict_ids_are_left_to_pytest() {
        let sets: Vec<ParamSet> = [PyValue::Int("1".into()), PyValue::Int("1".into())]
            .into_iter()
            .map(set)
            .collect();
        let x = ["x".to_string()];
        assert!(make_ids(&x, &sets, LongStrIds::Short, true).is_err());
        assert!(make_ids(&x, &sets, LongStrIds::Short, false).is_ok());
        let unique: Vec<ParamSet> = [PyValue::Int("1".into()), PyValue::Int("2".into())]
            .into_iter()
            .map(set)
            .collect();
        assert!(make_ids(&x, &unique, LongStrIds::Short, true).is_ok());
    }

    // Expected values below were printed by pytest 9.2 `--co -q`.
    #[test]
    fn floats_match_python_repr() {
        let cases = [
            (1e100, "1e+100"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (2.5, "2.5"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123.456, "123.456"),
            (f64::INFINITY, "inf"),
        ];
        for (f, want) in cases {
            assert_eq!(python_float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(ascii_escape_str("a\\b"), "a\\\\b");
        assert_eq!(ascii_escape_str("\u{e9}"), "\\xe9");
        assert_eq!(ascii_escape_str("\t\x7f"), "\\t\\x7f");
        assert_eq!(ascii_escape_str("\u{3028}\u{43efa}"), "\\u3028\\U00043efa");
        assert_eq!(ascii_escape_bytes(b"\xc3\xa9\\"), "\\xc3\\xa9\\");
        assert_eq!(ascii_escape_str("a-b-c d/e::f[g]"), "a-b-c d/e::f[g]");
    }

    #[test]
    fn duplicates_are_suffixed_like_pytest() {
        let got = ids(vec![
            PyValue::Int("1".into()),
            PyValue::Int("1".into()),
            PyValue::Str("a".into()),
            PyValue::Str("a".into()),
            PyValue::Str("a0".into()),
            PyValue::Int("1".into()),
        ]);
        assert_eq!(got, ["1_0", "1_1", "a1", "a2", "a0", "1_2"]);
    }

    #[test]
    fn opaque_and_long_values_use_argname_index() {
        let long = "x".repeat(101);
        let got = ids(vec![
            PyValue::Opaque(OpaqueKey::Unknown),
            PyValue::Str(long),
            PyValue::None,
        ]);
        assert_eq!(got, ["x0", "x1", "None"]);
    }
}
