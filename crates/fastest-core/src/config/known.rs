//! The ini options pytest 9.2 core registers (`parser.addini` in each core plugin, plus
//! the four `Config.parse` adds), with their types and owning plugins, and the check
//! pytest applies when it reads a value (`Config.getini`).
//!
//! fastest uses this to find what pytest would complain about: keys no plugin registers
//! (`Unknown config option`) and values of the wrong type or outside a `Literal`'s
//! choices. Those are rare, and pytest words them with details fastest does not
//! reproduce (a warning's source line, a collection error's traceback), so the caller
//! hands such sessions to pytest.

use super::pyfmt;
use super::shlex;
use super::toml_doc::TomlValue;
use super::values::{IniValue, RawValue};

/// An ini option's type, as `parser.addini(type=...)` declares it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IniType {
    Str,
    Bool,
    Args,
    Linelist,
    Paths,
    Int,
    Float,
    /// A `Literal[...]` of strings.
    Literal(&'static [&'static str]),
    /// A union: the first member that accepts the value wins.
    Union(&'static [IniType]),
}

use IniType::*;

const INT_OR_STR: IniType = Union(&[Int, Str]);
const INT_OR_AUTO: IniType = Union(&[Int, Literal(&["auto"])]);

/// `(name, type, plugin)` for every ini option of pytest 9.2 core.
pub(crate) const PYTEST_INI_OPTIONS: &[(&str, IniType, &str)] = &[
    // Config.parse
    ("addopts", Args, "main"),
    ("minversion", Str, "main"),
    ("pythonpath", Paths, "main"),
    ("required_plugins", Args, "main"),
    // mark
    ("markers", Linelist, "mark"),
    (
        "empty_parameter_set_mark",
        Literal(&["skip", "xfail", "fail_at_collect"]),
        "mark",
    ),
    // main
    ("strict_config", Bool, "main"),
    ("strict_markers", Bool, "main"),
    ("strict", Bool, "main"),
    ("filterwarnings", Linelist, "main"),
    ("max_warnings", INT_OR_STR, "main"),
    ("norecursedirs", Args, "main"),
    ("testpaths", Args, "main"),
    ("collect_imported_tests", Bool, "main"),
    ("consider_namespace_packages", Bool, "main"),
    // fixtures
    ("usefixtures", Args, "fixtures"),
    // python
    ("python_files", Args, "python"),
    ("python_classes", Args, "python"),
    ("python_functions", Args, "python"),
    (
        "disable_test_id_escaping_and_forfeit_all_rights_to_community_support",
        Bool,
        "python",
    ),
    ("strict_parametrization_ids", Bool, "python"),
    (
        "parametrize_long_str_id_strategy",
        Literal(&["short", "sha256", "legacy", "disallow"]),
        "python",
    ),
    // terminal
    (
        "console_output_style",
        Literal(&[
            "classic",
            "progress",
            "count",
            "times",
            "progress-even-when-capture-no",
        ]),
        "terminal",
    ),
    ("verbosity_test_cases", INT_OR_AUTO, "terminal"),
    // skipping (alias `xfail_strict`)
    ("strict_xfail", Bool, "skipping"),
    // tmpdir
    ("tmp_path_retention_count", INT_OR_STR, "tmpdir"),
    (
        "tmp_path_retention_policy",
        Literal(&["all", "failed", "none"]),
        "tmpdir",
    ),
    // assertion
    ("enable_assertion_pass_hook", Bool, "assertion"),
    ("truncation_limit_lines", INT_OR_STR, "assertion"),
    ("truncation_limit_chars", INT_OR_STR, "assertion"),
    (
        "assertion_text_diff_style",
        Literal(&["ndiff", "block"]),
        "assertion",
    ),
    ("verbosity_assertions", INT_OR_AUTO, "assertion"),
    // junitxml
    ("junit_suite_name", Str, "junitxml"),
    (
        "junit_logging",
        Literal(&["no", "log", "system-out", "system-err", "out-err", "all"]),
        "junitxml",
    ),
    ("junit_log_passing_tests", Bool, "junitxml"),
    (
        "junit_duration_report",
        Literal(&["total", "call"]),
        "junitxml",
    ),
    (
        "junit_family",
        Literal(&["legacy", "xunit1", "xunit2"]),
        "junitxml",
    ),
    // doctest
    ("doctest_optionflags", Args, "doctest"),
    ("doctest_encoding", Str, "doctest"),
    // cacheprovider
    ("cache_dir", Str, "cacheprovider"),
    // logging
    ("log_level", INT_OR_STR, "logging"),
    ("log_format", Str, "logging"),
    ("log_date_format", Str, "logging"),
    ("log_cli", Bool, "logging"),
    ("log_cli_level", INT_OR_STR, "logging"),
    ("log_cli_format", Str, "logging"),
    ("log_cli_date_format", Str, "logging"),
    ("log_file", Str, "logging"),
    ("log_file_mode", Literal(&["w", "a"]), "logging"),
    ("log_file_level", INT_OR_STR, "logging"),
    ("log_file_format", Str, "logging"),
    ("log_file_date_format", Str, "logging"),
    ("log_auto_indent", Union(&[Int, Bool, Str]), "logging"),
    // faulthandler
    ("faulthandler_timeout", Union(&[Float, Str]), "faulthandler"),
    ("faulthandler_exit_on_timeout", Bool, "faulthandler"),
    // subtests
    ("verbosity_subtests", INT_OR_AUTO, "subtests"),
];

/// Ini aliases pytest registers: (alias, canonical name).
pub(crate) const ALIASES: &[(&str, &str)] = &[("xfail_strict", "strict_xfail")];

/// The type of a known option (or alias) whose plugin is not blocked.
pub(crate) fn lookup(name: &str, blocked: &[String]) -> Option<IniType> {
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, c)| *c);
    PYTEST_INI_OPTIONS
        .iter()
        .find(|(n, _, _)| *n == canonical)
        .filter(|(_, _, plugin)| !blocked.iter().any(|b| b == plugin))
        .map(|(_, ty, _)| *ty)
}

/// Whether pytest's `getini` reads `value` as `ty` without an error or a warning.
pub(crate) fn accepts(value: &RawValue, ty: IniType) -> bool {
    match ty {
        Union(members) => members.iter().any(|m| accepts(value, *m)),
        // A Literal is checked without coercion in both modes.
        Literal(choices) => match value {
            RawValue::Ini(IniValue::Str(s)) | RawValue::Toml(TomlValue::Str(s)) => {
                choices.contains(&s.as_str())
            }
            _ => false,
        },
        _ => match value {
            RawValue::Ini(v) => accepts_ini(v, ty),
            RawValue::Toml(v) => accepts_toml(v, ty),
        },
    }
}

fn accepts_ini(value: &IniValue, ty: IniType) -> bool {
    match (ty, value) {
        (Args | Paths, IniValue::Str(s)) => shlex::split(s).is_ok(),
        (Args | Paths | Linelist, _) => true,
        (Bool, IniValue::Str(s)) => is_truth_value(s),
        (Bool, IniValue::List(_)) => false,
        // A list for a string option works, with a deprecation warning pytest shows.
        (Str, v) => matches!(v, IniValue::Str(_)),
        (Int, IniValue::Str(s)) => is_python_int(s),
        (Float, IniValue::Str(s)) => pyfmt::strip(s).parse::<f64>().is_ok(),
        _ => false,
    }
}

fn accepts_toml(value: &TomlValue, ty: IniType) -> bool {
    match (ty, value) {
        (Args | Paths | Linelist, TomlValue::Array(items)) => {
            items.iter().all(|i| matches!(i, TomlValue::Str(_)))
        }
        (Bool, TomlValue::Bool(_)) | (Str, TomlValue::Str(_)) | (Int, TomlValue::Int(_)) => true,
        (Float, TomlValue::Float(_) | TomlValue::Int(_)) => true,
        _ => false,
    }
}

fn is_truth_value(s: &str) -> bool {
    matches!(
        pyfmt::strip(s).to_lowercase().as_str(),
        "y" | "yes" | "t" | "true" | "on" | "1" | "n" | "no" | "f" | "false" | "off" | "0"
    )
}

/// Python's `int(str)` (decimal, optional sign, `_` between digits, spaces around).
fn is_python_int(s: &str) -> bool {
    let s = pyfmt::strip(s);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ini(s: &str) -> RawValue {
        RawValue::Ini(IniValue::Str(s.to_string()))
    }

    #[test]
    fn ini_values() {
        assert!(accepts(&ini("a 'b c'"), Args));
        assert!(!accepts(&ini("a 'b c"), Args));
        assert!(accepts(&ini(" Yes "), Bool));
        assert!(!accepts(&ini("maybe"), Bool));
        assert!(accepts(&ini("whatever"), INT_OR_STR));
        assert!(accepts(&ini(" 12 "), INT_OR_AUTO));
        assert!(accepts(&ini("auto"), INT_OR_AUTO));
        assert!(!accepts(&ini("Auto"), INT_OR_AUTO));
        assert!(!accepts(&ini("often"), Literal(&["skip", "xfail"])));
    }

    #[test]
    fn toml_values() {
        let s = RawValue::Toml(TomlValue::Str("check_".into()));
        assert!(!accepts(&s, Args));
        assert!(accepts(&s, Str));
        let arr = RawValue::Toml(TomlValue::Array(vec![TomlValue::Str("a".into())]));
        assert!(accepts(&arr, Linelist));
        assert!(!accepts(&RawValue::Toml(TomlValue::Bool(true)), Int));
        assert!(accepts(&RawValue::Toml(TomlValue::Int("3".into())), Float));
    }

    #[test]
    fn blocked_plugins_unregister_their_options() {
        assert!(lookup("cache_dir", &[]).is_some());
        assert!(lookup("cache_dir", &["cacheprovider".to_string()]).is_none());
        assert!(lookup("xfail_strict", &[]).is_some());
        assert!(lookup("not_a_real_option", &[]).is_none());
    }
}
