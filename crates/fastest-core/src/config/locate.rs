//! Finding the rootdir and the configfile, and loading the configfile, as pytest 9.2's
//! `determine_setup` does.
//!
//! Paths are made absolute the way pytest does it (`os.path.abspath`: lexically, `..`
//! collapsed, symlinks not resolved), so that printed paths match pytest's.

use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;

use super::error::ConfigError;
use super::ini;
use super::pyfmt;
use super::toml_doc::{self, Table, TomlValue};
use super::values::{ConfigValue, IniValue, Origin, RawValue};

/// Option name → value, in file order.
pub(crate) type Values = IndexMap<String, ConfigValue>;

/// How a file's configuration is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loader {
    /// `pytest.toml`/`.pytest.toml`: the `[pytest]` table; always a match.
    PytestToml,
    /// `pytest.ini`/`.pytest.ini`: the `[pytest]` section; always a match.
    PytestIni,
    /// `pyproject.toml`: `[tool.pytest]` or `[tool.pytest.ini_options]`.
    Pyproject,
    /// `tox.ini` / `-c *.ini`: needs a `[pytest]` section.
    IniFile,
    /// `setup.cfg` / `-c *.cfg`: needs a `[tool:pytest]` section.
    CfgFile,
    /// `-c *.toml` with another name: `[pytest]`, or the pyproject tables.
    CustomToml,
}

/// The files looked for in each directory, highest priority first.
const CANDIDATES: [(&str, Loader); 7] = [
    ("pytest.toml", Loader::PytestToml),
    (".pytest.toml", Loader::PytestToml),
    ("pytest.ini", Loader::PytestIni),
    (".pytest.ini", Loader::PytestIni),
    ("pyproject.toml", Loader::Pyproject),
    ("tox.ini", Loader::IniFile),
    ("setup.cfg", Loader::CfgFile),
];

/// pathlib's `Path.suffix` of a file name.
fn py_suffix(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => &name[i..],
        _ => "",
    }
}

/// The loader for a file: by name first, then by suffix (`-c` accepts any name).
fn loader_for(path: &Path) -> Option<Loader> {
    let name = path.file_name()?.to_string_lossy();
    if let Some((_, loader)) = CANDIDATES.iter().find(|(n, _)| *n == name) {
        return Some(*loader);
    }
    match py_suffix(&name) {
        ".ini" => Some(Loader::IniFile),
        ".cfg" => Some(Loader::CfgFile),
        ".toml" => Some(Loader::CustomToml),
        _ => None,
    }
}

/// Read a config file as Python's `open(encoding="utf-8").read()` would.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::from_io(&e, path))?;
    let text = pyfmt::decode_utf8(&bytes).map_err(|detail| ConfigError::Decode {
        path: path.to_path_buf(),
        detail,
    })?;
    Ok(pyfmt::universal_newlines(text))
}

fn read_ini(path: &Path) -> Result<ini::IniDoc, ConfigError> {
    ini::parse(&read_text(path)?).map_err(|e| ConfigError::IniParse {
        path: path.to_path_buf(),
        lineno: e.lineno,
        msg: e.msg,
    })
}

fn read_toml(path: &Path) -> Result<Table, ConfigError> {
    toml_doc::parse(&read_text(path)?).map_err(|e| ConfigError::TomlParse {
        path: path.to_path_buf(),
        message: e.message,
    })
}

fn ini_section(doc: &ini::IniDoc, section: &str) -> Option<Values> {
    doc.sections.get(section).map(|entries| {
        entries
            .iter()
            .map(|(k, v)| (k.clone(), ConfigValue::ini_str(v.clone(), Origin::File)))
            .collect()
    })
}

fn toml_values(table: &Table) -> Values {
    table
        .iter()
        .map(|(k, v)| {
            let value = ConfigValue {
                value: RawValue::Toml(v.clone()),
                origin: Origin::File,
            };
            (k.clone(), value)
        })
        .collect()
}

/// Python's truthiness of a TOML value.
fn truthy(v: &TomlValue) -> bool {
    match v {
        TomlValue::Str(s) => !s.is_empty(),
        TomlValue::Int(i) => i != "0",
        TomlValue::Float(f) => *f != 0.0,
        TomlValue::Bool(b) => *b,
        TomlValue::Array(a) => !a.is_empty(),
        TomlValue::Table(t) => !t.is_empty(),
        TomlValue::Datetime(_) | TomlValue::Date(_) | TomlValue::Time(_) => true,
    }
}

fn not_a_table(path: &Path, v: &TomlValue, attribute: &str) -> ConfigError {
    ConfigError::NotATable {
        path: path.to_path_buf(),
        type_name: v.type_name().to_string(),
        attribute: attribute.to_string(),
    }
}

/// The `[pytest]` table of a TOML document (native TOML mode). `None` when there is none;
/// options outside any table are an error.
fn config_from_pytest_table(path: &Path, doc: &Table) -> Result<Option<Values>, ConfigError> {
    if let Some(v) = doc.get("pytest") {
        return match v {
            TomlValue::Table(t) => Ok(Some(toml_values(t))),
            other => Err(not_a_table(path, other, "items")),
        };
    }
    let keys: Vec<String> = doc
        .iter()
        .filter(|(_, v)| !matches!(v, TomlValue::Table(_)))
        .map(|(k, _)| k.clone())
        .collect();
    if keys.is_empty() {
        Ok(None)
    } else {
        Err(ConfigError::TopLevelOptions {
            path: path.to_path_buf(),
            keys,
        })
    }
}

/// `[tool.pytest]` (native TOML mode) or `[tool.pytest.ini_options]` (ini mode).
fn config_from_tool_pytest(path: &Path, doc: &Table) -> Result<Option<Values>, ConfigError> {
    let empty = Table::new();
    let tool_pytest = match doc.get("tool") {
        None => &empty,
        Some(TomlValue::Table(tool)) => match tool.get("pytest") {
            None => &empty,
            Some(TomlValue::Table(t)) => t,
            Some(other) => return Err(not_a_table(path, other, "items")),
        },
        Some(other) => return Err(not_a_table(path, other, "get")),
    };
    let native: Table = tool_pytest
        .iter()
        .filter(|(k, _)| k.as_str() != "ini_options")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let ini_options = tool_pytest.get("ini_options");
    // An empty table on either side does not count as "both".
    if !native.is_empty() && ini_options.is_some_and(truthy) {
        return Err(ConfigError::MixedToolPytestTables {
            path: path.to_path_buf(),
        });
    }
    if !native.is_empty() {
        return Ok(Some(toml_values(&native)));
    }
    match ini_options {
        None => Ok(None),
        Some(TomlValue::Table(t)) => Ok(Some(
            t.iter()
                .map(|(k, v)| {
                    // Ini mode: lists stay lists, every other value becomes `str(value)`.
                    let iv = match v {
                        TomlValue::Array(items) => IniValue::List(items.clone()),
                        other => IniValue::Str(other.py_str()),
                    };
                    let value = ConfigValue {
                        value: RawValue::Ini(iv),
                        origin: Origin::File,
                    };
                    (k.clone(), value)
                })
                .collect(),
        )),
        Some(other) => Err(not_a_table(path, other, "items")),
    }
}

/// Load `path` with `loader`: `Some` when the file holds pytest configuration.
fn load(loader: Loader, path: &Path) -> Result<Option<Values>, ConfigError> {
    match loader {
        Loader::PytestToml => Ok(Some(
            config_from_pytest_table(path, &read_toml(path)?)?.unwrap_or_default(),
        )),
        Loader::PytestIni => Ok(Some(
            ini_section(&read_ini(path)?, "pytest").unwrap_or_default(),
        )),
        Loader::Pyproject => config_from_tool_pytest(path, &read_toml(path)?),
        Loader::IniFile => Ok(ini_section(&read_ini(path)?, "pytest")),
        Loader::CfgFile => {
            let doc = read_ini(path)?;
            if let Some(v) = ini_section(&doc, "tool:pytest") {
                return Ok(Some(v));
            }
            if doc.sections.contains_key("pytest") {
                return Err(ConfigError::SetupCfgPytestSection {
                    filename: "setup.cfg".to_string(),
                });
            }
            Ok(None)
        }
        Loader::CustomToml => {
            let doc = read_toml(path)?;
            match config_from_tool_pytest(path, &doc)? {
                None => config_from_pytest_table(path, &doc),
                Some(_) if doc.contains_key("pytest") => Err(ConfigError::MixedPytestTables {
                    path: path.to_path_buf(),
                }),
                Some(v) => Ok(Some(v)),
            }
        }
    }
}

/// `os.path.normpath` for POSIX paths.
pub(crate) fn normpath(path: &Path) -> PathBuf {
    let s = path.to_string_lossy();
    if s.is_empty() {
        return PathBuf::from(".");
    }
    let leading = s.len() - s.trim_start_matches('/').len();
    let prefix = match leading {
        0 => "",
        2 => "//",
        _ => "/",
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in s.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if prefix.is_empty() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = format!("{prefix}{}", parts.join("/"));
    if joined.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(joined)
    }
}

/// pytest's `absolutepath`: `os.path.abspath` relative to the invocation directory.
pub(crate) fn absolutepath(invocation_dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        normpath(p)
    } else {
        normpath(&invocation_dir.join(p))
    }
}

/// `os.path.commonpath` of two absolute paths.
fn commonpath(a: &Path, b: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for (x, y) in a.components().zip(b.components()) {
        if x != y {
            break;
        }
        out.push(x.as_os_str());
    }
    out
}

/// pytest's `get_common_ancestor`: the deepest directory containing every existing path
/// (a file stands for its directory), or `invocation_dir` if none exists.
fn common_ancestor(invocation_dir: &Path, paths: &[PathBuf]) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for path in paths.iter().filter(|p| p.exists()) {
        common = Some(match common {
            None => path.clone(),
            Some(c) => {
                if path.starts_with(&c) {
                    c
                } else if c.starts_with(path) {
                    path.clone()
                } else {
                    commonpath(path, &c)
                }
            }
        });
    }
    match common {
        None => invocation_dir.to_path_buf(),
        Some(c) if c.is_file() => c.parent().map(Path::to_path_buf).unwrap_or(c),
        Some(c) => c,
    }
}

/// pytest's `get_dirs_from_args`: for each non-option arg, its path part (before `::`)
/// made absolute, if it exists; files are replaced by their directory.
fn dirs_from_args(invocation_dir: &Path, args: &[String]) -> Vec<PathBuf> {
    args.iter()
        .filter(|a| !a.starts_with('-'))
        .map(|a| {
            let path_part = a.split_once("::").map_or(a.as_str(), |(p, _)| p);
            absolutepath(invocation_dir, Path::new(path_part))
        })
        .filter(|p| p.exists())
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect()
}

/// A located configuration.
pub(crate) struct Located {
    pub(crate) rootdir: PathBuf,
    pub(crate) inipath: PathBuf,
    pub(crate) values: Values,
    pub(crate) ignored: Vec<String>,
}

/// pytest's `locate_config`: walk up from each arg looking for candidate files; the first
/// that holds pytest config wins. Failing that, the first `pyproject.toml` seen.
fn locate_config(args: &[PathBuf]) -> Result<Option<Located>, ConfigError> {
    let mut first_pyproject: Option<PathBuf> = None;
    for arg in args {
        for base in arg.ancestors() {
            for (index, (name, loader)) in CANDIDATES.iter().enumerate() {
                let p = base.join(name);
                if !p.is_file() {
                    continue;
                }
                if *loader == Loader::Pyproject && first_pyproject.is_none() {
                    first_pyproject = Some(p.clone());
                }
                let Some(values) = load(*loader, &p)? else {
                    continue;
                };
                // Lower-priority files in the same directory that also hold pytest
                // config are reported as ignored (and are parsed, so their errors surface).
                let mut ignored = Vec::new();
                for (other, other_loader) in &CANDIDATES[index + 1..] {
                    let p2 = base.join(other);
                    if p2.is_file() && load(*other_loader, &p2)?.is_some() {
                        ignored.push((*other).to_string());
                    }
                }
                return Ok(Some(Located {
                    rootdir: base.to_path_buf(),
                    inipath: p,
                    values,
                    ignored,
                }));
            }
        }
    }
    Ok(first_pyproject.map(|p| Located {
        rootdir: p.parent().map(Path::to_path_buf).unwrap_or_default(),
        inipath: p,
        values: Values::new(),
        ignored: Vec::new(),
    }))
}

/// `os.path.expandvars` (POSIX): `$name` and `${name}` for set variables; anything else is
/// left alone.
pub(crate) fn expandvars(s: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (Some(&braced[..end]), end + 2),
                None => (None, 0),
            }
        } else {
            let len = after.len() - after.trim_start_matches(is_word).len();
            if len > 0 {
                (Some(&after[..len]), len)
            } else {
                (None, 0)
            }
        };
        match name.and_then(&lookup) {
            Some(value) => {
                out.push_str(&value);
                rest = &after[consumed..];
            }
            None => {
                // Not a reference, or an unset variable: keep the text and move on.
                out.push_str(&rest[i..i + 1 + consumed]);
                rest = &after[consumed..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The outcome of [`determine_setup`](super::determine_setup) before it is wrapped in a
/// `Config`.
pub(crate) struct Setup {
    pub(crate) rootdir: PathBuf,
    pub(crate) inipath: Option<PathBuf>,
    pub(crate) values: Values,
    pub(crate) ignored: Vec<String>,
}

/// Parse `-o name=value` entries (the last one for a name wins).
pub(crate) fn parse_overrides(overrides: &[String]) -> Result<Values, ConfigError> {
    let mut out = Values::new();
    for entry in overrides {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(ConfigError::OverrideSyntax {
                entry: entry.clone(),
            });
        };
        out.insert(
            key.to_string(),
            ConfigValue::ini_str(value, Origin::Override),
        );
    }
    Ok(out)
}

fn is_fs_root(p: &Path) -> bool {
    p.as_os_str() == "/"
}

/// pytest's `determine_setup`.
pub(crate) fn determine_setup(
    invocation_dir: &Path,
    args: &[String],
    inifile: Option<&Path>,
    rootdir_arg: Option<&str>,
    overrides: &[String],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Setup, ConfigError> {
    let invocation_dir = normpath(invocation_dir);
    let dirs = dirs_from_args(&invocation_dir, args);
    let rootdir_arg = rootdir_arg.filter(|r| !r.is_empty());
    let mut rootdir: Option<PathBuf> = None;
    let mut inipath: Option<PathBuf> = None;
    let mut values = Values::new();
    let mut ignored = Vec::new();

    if let Some(inifile) = inifile.filter(|p| !p.as_os_str().is_empty()) {
        let path = absolutepath(&invocation_dir, inifile);
        if !path.exists() {
            return Err(ConfigError::ConfigFileNotFound { path });
        }
        if path.is_dir() {
            return Err(ConfigError::ConfigFileIsDirectory { path });
        }
        match loader_for(&path) {
            Some(loader) => values = load(loader, &path)?.unwrap_or_default(),
            None if path.is_file() => return Err(ConfigError::ConfigFileUnsupported { path }),
            // Not a regular file (e.g. /dev/null): explicitly no configuration.
            None => {}
        }
        if rootdir_arg.is_none() {
            rootdir = Some(if path.is_file() {
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                // A non-file says nothing about where the project is.
                let r = common_ancestor(&invocation_dir, &dirs);
                if is_fs_root(&r) {
                    invocation_dir.clone()
                } else {
                    r
                }
            });
        }
        inipath = Some(path);
    } else {
        let ancestor = common_ancestor(&invocation_dir, &dirs);
        if let Some(found) = locate_config(std::slice::from_ref(&ancestor))? {
            rootdir = Some(found.rootdir);
            inipath = Some(found.inipath);
            values = found.values;
            ignored = found.ignored;
        }
        if rootdir.is_none() && rootdir_arg.is_none() {
            rootdir = ancestor
                .ancestors()
                .find(|d| d.join("setup.py").is_file())
                .map(Path::to_path_buf);
            if rootdir.is_none() {
                if dirs.as_slice() != std::slice::from_ref(&ancestor) {
                    if let Some(found) = locate_config(&dirs)? {
                        // pytest does not report ignored files found this way.
                        rootdir = Some(found.rootdir);
                        inipath = Some(found.inipath);
                        values = found.values;
                    }
                }
                if rootdir.is_none() {
                    let r = common_ancestor(
                        &invocation_dir,
                        &[invocation_dir.clone(), ancestor.clone()],
                    );
                    rootdir = Some(if is_fs_root(&r) { ancestor } else { r });
                }
            }
        }
    }

    if let Some(arg) = rootdir_arg {
        let path = absolutepath(&invocation_dir, Path::new(&expandvars(arg, &env)));
        if !path.is_dir() {
            return Err(ConfigError::RootdirNotFound { path });
        }
        rootdir = Some(path);
    }

    for (k, v) in parse_overrides(overrides)? {
        values.insert(k, v);
    }

    Ok(Setup {
        rootdir: rootdir.unwrap_or(invocation_dir),
        inipath,
        values,
        ignored,
    })
}

/// pytest's `bestrelpath(directory, dest)`: `dest` relative to `directory`, with `..`
/// steps when needed.
pub(crate) fn bestrelpath(directory: &Path, dest: &Path) -> String {
    if directory == dest {
        return ".".to_string();
    }
    let base = commonpath(directory, dest);
    if base.as_os_str().is_empty() {
        return dest.to_string_lossy().into_owned();
    }
    let ups = directory
        .strip_prefix(&base)
        .map(|r| {
            r.components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .count()
        })
        .unwrap_or(0);
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    if let Ok(rel) = dest.strip_prefix(&base) {
        parts.extend(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        );
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath(Path::new("/a/./b/../c/")), PathBuf::from("/a/c"));
        assert_eq!(normpath(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normpath(Path::new("//a//b")), PathBuf::from("//a/b"));
        assert_eq!(normpath(Path::new("///a")), PathBuf::from("/a"));
        assert_eq!(normpath(Path::new("/")), PathBuf::from("/"));
    }

    #[test]
    fn expandvars_like_python() {
        let env = |n: &str| match n {
            "HOME" => Some("/root".to_string()),
            "A_1" => Some("x".to_string()),
            _ => None,
        };
        assert_eq!(expandvars("$HOME/../tmp", env), "/root/../tmp");
        assert_eq!(expandvars("${HOME}x", env), "/rootx");
        assert_eq!(
            expandvars("$A_1-$NOPE-${NOPE}-$-${", env),
            "x-$NOPE-${NOPE}-$-${"
        );
        assert_eq!(expandvars("plain", env), "plain");
    }

    #[test]
    fn bestrelpath_like_pytest() {
        assert_eq!(
            bestrelpath(Path::new("/a/b"), Path::new("/a/b/c.ini")),
            "c.ini"
        );
        assert_eq!(bestrelpath(Path::new("/a/b"), Path::new("/a/b")), ".");
        assert_eq!(
            bestrelpath(Path::new("/tmp/x/y"), Path::new("/tmp/z/my.ini")),
            "../../z/my.ini"
        );
        assert_eq!(
            bestrelpath(Path::new("/"), Path::new("/dev/null")),
            "dev/null"
        );
        assert_eq!(bestrelpath(Path::new("/a/b/c"), Path::new("/a")), "../..");
    }

    #[test]
    fn suffix_like_pathlib() {
        assert_eq!(py_suffix("a.ini"), ".ini");
        assert_eq!(py_suffix(".ini"), "");
        assert_eq!(py_suffix("a.b.toml"), ".toml");
        assert_eq!(py_suffix("foo."), "");
        assert_eq!(py_suffix("foo"), "");
    }
}
