//! Raw config values and pytest's conversions of them to the ini types (`args`,
//! `linelist`, `paths`, `string`, `bool`).
//!
//! A value remembers how it was read, because pytest converts differently per mode:
//! "ini" values (ini files, `[tool.pytest.ini_options]`, `-o`) are strings or lists and
//! are coerced (shlex-split, split into lines, parsed as a truth value); "toml" values
//! (`[tool.pytest]`, `pytest.toml`) keep their TOML type and must already have the right
//! one, or pytest reports a type error.

use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::pyfmt;
use super::shlex;
use super::toml_doc::TomlValue;

/// Where a value came from; `-o` overrides beat file values, also across aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    File,
    Override,
}

/// A value read in ini mode: pytest only ever sees `str` or `list` here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IniValue {
    Str(String),
    /// A TOML array from `[tool.pytest.ini_options]`, items as TOML gave them.
    List(Vec<TomlValue>),
}

/// One configuration value with its parsing mode and origin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValue {
    Ini(IniValue),
    Toml(TomlValue),
}

/// A value plus where it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConfigValue {
    pub(crate) value: RawValue,
    pub(crate) origin: Origin,
}

impl ConfigValue {
    pub(crate) fn ini_str(s: impl Into<String>, origin: Origin) -> ConfigValue {
        ConfigValue {
            value: RawValue::Ini(IniValue::Str(s.into())),
            origin,
        }
    }
}

impl RawValue {
    /// `str(value)` as Python would print it.
    fn py_str(&self) -> String {
        match self {
            RawValue::Ini(IniValue::Str(s)) => s.clone(),
            RawValue::Ini(IniValue::List(items)) => TomlValue::Array(items.clone()).py_repr(),
            RawValue::Toml(v) => v.py_str(),
        }
    }
}

/// Context for pytest's native-TOML type errors.
pub(crate) struct ErrCtx<'a> {
    pub(crate) inipath: Option<&'a Path>,
    pub(crate) name: &'a str,
}

impl ErrCtx<'_> {
    fn path(&self) -> PathBuf {
        // pytest formats `self.inipath`; TOML-mode values always come from a file.
        self.inipath
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("None"))
    }

    fn expected_list(&self, ini_type: &str, v: &TomlValue) -> ConfigError {
        ConfigError::ExpectedList {
            path: self.path(),
            name: self.name.to_string(),
            ini_type: ini_type.to_string(),
            got_type: v.type_name().to_string(),
            got_repr: v.py_repr(),
        }
    }
}

/// The ini types pytest's `addini` knows that fastest reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Args,
    Linelist,
    Paths,
}

impl ListKind {
    fn name(self) -> &'static str {
        match self {
            ListKind::Args => "args",
            ListKind::Linelist => "linelist",
            ListKind::Paths => "paths",
        }
    }
}

/// `str.split("\n")` then keep stripped non-empty lines.
fn lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(pyfmt::strip)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Convert to a list of strings as pytest's `getini` does for `args`/`linelist`/`paths`
/// (before `paths` are joined to a directory).
pub(crate) fn to_list(
    value: &RawValue,
    kind: ListKind,
    ctx: &ErrCtx<'_>,
) -> Result<Vec<String>, ConfigError> {
    match value {
        RawValue::Ini(IniValue::Str(s)) => match kind {
            ListKind::Args | ListKind::Paths => shlex::split(s).map_err(|e| ConfigError::Shlex {
                message: e.message().to_string(),
            }),
            ListKind::Linelist => Ok(lines(s)),
        },
        // pytest hands an ini-mode list over as it is; its items are strings in any
        // sensible config, anything else is stringified here.
        RawValue::Ini(IniValue::List(items)) => Ok(items.iter().map(TomlValue::py_str).collect()),
        RawValue::Toml(TomlValue::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                TomlValue::Str(s) => Ok(s.clone()),
                other => Err(ConfigError::ExpectedListOfStrings {
                    path: ctx.path(),
                    name: ctx.name.to_string(),
                    index,
                    item_type: other.type_name().to_string(),
                    item_repr: other.py_repr(),
                }),
            })
            .collect(),
        RawValue::Toml(other) => Err(ctx.expected_list(kind.name(), other)),
    }
}

/// Best-effort list conversion that never fails: what a forgiving reader would take the
/// value to mean when pytest would reject it.
pub(crate) fn to_list_lenient(value: &RawValue, kind: ListKind) -> Vec<String> {
    let split = |s: &str| match kind {
        ListKind::Linelist => lines(s),
        ListKind::Args | ListKind::Paths => {
            shlex::split(s).unwrap_or_else(|_| s.split_whitespace().map(str::to_string).collect())
        }
    };
    match value {
        RawValue::Ini(IniValue::Str(s)) | RawValue::Toml(TomlValue::Str(s)) => split(s),
        RawValue::Ini(IniValue::List(items)) | RawValue::Toml(TomlValue::Array(items)) => {
            items.iter().map(TomlValue::py_str).collect()
        }
        RawValue::Toml(other) => vec![other.py_str()],
    }
}

/// pytest's `string` type.
pub(crate) fn to_str(value: &RawValue, ctx: &ErrCtx<'_>) -> Result<String, ConfigError> {
    match value {
        RawValue::Toml(TomlValue::Str(s)) => Ok(s.clone()),
        RawValue::Toml(other) => Err(ConfigError::ExpectedString {
            path: ctx.path(),
            name: ctx.name.to_string(),
            got_type: other.type_name().to_string(),
            got_repr: other.py_repr(),
        }),
        // An ini-mode list is returned as-is by pytest (with a deprecation warning).
        ini => Ok(ini.py_str()),
    }
}

/// Lenient `string`: the Python `str()` of whatever is there.
pub(crate) fn to_str_lenient(value: &RawValue) -> String {
    value.py_str()
}

/// pytest's `bool` type: native TOML booleans, or an ini truth value.
pub(crate) fn to_bool(value: &RawValue, ctx: &ErrCtx<'_>) -> Result<bool, ConfigError> {
    match value {
        RawValue::Toml(TomlValue::Bool(b)) => Ok(*b),
        RawValue::Toml(other) => Err(ConfigError::ExpectedBool {
            path: ctx.path(),
            name: ctx.name.to_string(),
            got_type: other.type_name().to_string(),
            got_repr: other.py_repr(),
        }),
        ini => {
            let text = pyfmt::strip(&ini.py_str()).to_lowercase();
            match text.as_str() {
                "y" | "yes" | "t" | "true" | "on" | "1" => Ok(true),
                "n" | "no" | "f" | "false" | "off" | "0" => Ok(false),
                _ => Err(ConfigError::InvalidTruthValue {
                    value_repr: pyfmt::repr_str(&text),
                }),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ctx() -> ErrCtx<'static> {
        ErrCtx {
            inipath: Some(Path::new("/p/pyproject.toml")),
            name: "opt",
        }
    }

    fn ini(s: &str) -> RawValue {
        RawValue::Ini(IniValue::Str(s.to_string()))
    }

    #[test]
    fn ini_conversions() {
        assert_eq!(
            to_list(&ini("-v -k 'a b'"), ListKind::Args, &ctx()).unwrap(),
            ["-v", "-k", "a b"]
        );
        assert_eq!(
            to_list(&ini("\n slow: s \n\nfast\n"), ListKind::Linelist, &ctx()).unwrap(),
            ["slow: s", "fast"]
        );
        assert_eq!(
            to_list(&ini("'a"), ListKind::Args, &ctx())
                .unwrap_err()
                .to_string(),
            "No closing quotation"
        );
        assert!(to_bool(&ini(" YES "), &ctx()).unwrap());
        assert!(!to_bool(&ini("0"), &ctx()).unwrap());
        assert_eq!(
            to_bool(&ini(" Maybe "), &ctx()).unwrap_err().to_string(),
            "invalid truth value 'maybe'"
        );
        // `[tool.pytest.ini_options]` booleans arrive as str(True).
        assert!(to_bool(&ini("True"), &ctx()).unwrap());
        let list = RawValue::Ini(IniValue::List(vec![TomlValue::Str("a".into())]));
        assert_eq!(
            to_bool(&list, &ctx()).unwrap_err().to_string(),
            "invalid truth value \"['a']\""
        );
    }

    /// Messages from pytest 9.2 with `[tool.pytest]` values of the wrong type.
    #[test]
    fn toml_type_errors() {
        let s = RawValue::Toml(TomlValue::Str("test_*.py".into()));
        assert_eq!(
            to_list(&s, ListKind::Args, &ctx()).unwrap_err().to_string(),
            "/p/pyproject.toml: config option 'opt' expects a list for type 'args', got str: 'test_*.py'"
        );
        let arr = RawValue::Toml(TomlValue::Array(vec![
            TomlValue::Str("a".into()),
            TomlValue::Int("1".into()),
        ]));
        assert_eq!(
            to_list(&arr, ListKind::Linelist, &ctx()).unwrap_err().to_string(),
            "/p/pyproject.toml: config option 'opt' expects a list of strings, but item at index 1 is int: 1"
        );
        let one = RawValue::Toml(TomlValue::Int("1".into()));
        assert_eq!(
            to_str(&one, &ctx()).unwrap_err().to_string(),
            "/p/pyproject.toml: config option 'opt' expects a string, got int: 1"
        );
        let t = RawValue::Toml(TomlValue::Str("true".into()));
        assert_eq!(
            to_bool(&t, &ctx()).unwrap_err().to_string(),
            "/p/pyproject.toml: config option 'opt' expects a bool, got str: 'true'"
        );
        assert_eq!(to_list_lenient(&s, ListKind::Args), ["test_*.py"]);
    }
}
