//! Config: rootdir and configfile discovery and ini values, exactly as pytest 9.2 does it.
//!
//! ## Overview
//! - [`determine_setup`] takes the invocation (cwd, positional args, `-c`, `--rootdir`,
//!   `-o`) and finds the rootdir and the configfile the way pytest's
//!   `config/findpaths.py::determine_setup` does, loading the one file that wins
//!   (`pytest.toml`, `.pytest.toml`, `pytest.ini`, `.pytest.ini`, `pyproject.toml`,
//!   `tox.ini`, `setup.cfg`, per directory, first match; no merging).
//! - [`Config`] holds the result and converts values the way `Config.getini` does, with
//!   pytest's defaults for the options fastest itself needs.
//! - [`ConfigError`] carries pytest's exact message and exit code for every malformed
//!   configuration.
//!
//! ## Source code layout
//! - `locate.rs`: the search, the per-file loaders, path helpers.
//! - `ini.rs`: the `iniconfig` dialect; `toml_doc.rs`: a `tomllib`-compatible TOML parser.
//! - `values.rs`: ini-mode vs native-TOML values and their conversions.
//! - `shlex.rs`, `pyfmt.rs`: Python's `shlex.split`, `repr()`, whitespace and newline rules.
//! - `known.rs`: the ini options pytest core registers, with types and owning plugins.
//! - `version.rs`: PEP 440 version comparison for `minversion`.
//! - `error.rs`: [`ConfigError`].

mod error;
mod ini;
mod known;
mod locate;
mod pyfmt;
/// Python's `str.splitlines()`, for reporters that mirror Python's text handling.
pub use pyfmt::splitlines;
mod shlex;
mod toml_doc;
mod values;
mod version;

use std::path::{Path, PathBuf};

pub use error::ConfigError;

/// A configuration value read without a type ([`Config::get_untyped`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Untyped {
    Str(String),
    List(Vec<String>),
    Bool(bool),
}

use values::{ConfigValue, ErrCtx, ListKind, Origin, RawValue};

/// What pytest's config discovery looks at on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRequest {
    /// The directory pytest was started in (absolute).
    pub invocation_dir: PathBuf,
    /// Positional args as given, relative to `invocation_dir`; may carry `::Class::test[id]`.
    pub args: Vec<String>,
    /// `-c` / `--config-file`.
    pub inifile: Option<PathBuf>,
    /// `--rootdir`, before `$VAR` expansion.
    pub rootdir: Option<String>,
    /// `-o` / `--override-ini` entries (`name=value`), in order; later ones win.
    pub overrides: Vec<String>,
}

/// Python's `shlex.split` (POSIX mode, no comments), as pytest applies it to ini "args"
/// values and to `$PYTEST_ADDOPTS`. Unlike the `shlex` crate, `#` is not a comment and
/// inside double quotes only `\"` and `\\` are escapes.
pub fn shlex_split(s: &str) -> Result<Vec<String>, ConfigError> {
    shlex::split(s).map_err(|e| ConfigError::Shlex {
        message: e.message().to_string(),
    })
}

use known::ALIASES;

/// Python's `repr()` of a string, as pytest's messages quote values.
/// `base / item` as pathlib joins them for pytest's "paths" ini values: `.` components
/// and repeated separators go (`pythonpath = ["."]` is the directory itself, not
/// `DIR/.`, which would become part of every imported module's `__file__`), `..` stays.
pub fn pathlib_join(base: &Path, item: impl AsRef<Path>) -> PathBuf {
    base.join(item).components().collect()
}

pub fn py_repr_str(s: &str) -> String {
    pyfmt::repr_str(s)
}

/// What the pytest that will run provides, for the checks that depend on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PytestInstall<'a> {
    /// `pytest.__version__`, if known.
    pub version: Option<&'a str>,
    /// Installed plugin distributions registering `pytest11` entry points:
    /// (project name as in its metadata, version).
    pub plugins: &'a [(String, String)],
}

/// The outcome of [`Config::validate_startup`] when pytest would not refuse to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Startup {
    /// pytest starts.
    Ok,
    /// Only pytest can tell (a version or requirement fastest does not parse); the reason.
    Undecided(String),
}

/// The options [`Config::validate`] checks, in the order pytest reads them at startup,
/// with their ini type.
const STARTUP_OPTIONS: &[(&str, StartupType)] = &[
    ("minversion", StartupType::Str),
    ("python_files", StartupType::List(ListKind::Args)),
    ("pythonpath", StartupType::List(ListKind::Paths)),
    ("filterwarnings", StartupType::List(ListKind::Linelist)),
    ("required_plugins", StartupType::List(ListKind::Args)),
    ("testpaths", StartupType::List(ListKind::Args)),
    ("markers", StartupType::List(ListKind::Linelist)),
];

#[derive(Clone, Copy)]
enum StartupType {
    Str,
    List(ListKind),
}

/// The rootdir, the configfile and its values (plus `-o` overrides).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The rootdir, absolute.
    pub rootdir: PathBuf,
    /// The configfile, absolute, if any.
    pub inipath: Option<PathBuf>,
    invocation_dir: PathBuf,
    values: locate::Values,
    ignored_config_files: Vec<String>,
}

/// Find the rootdir and configfile and load the configuration, as pytest's
/// `determine_setup` does, then check `addopts` (which pytest reads immediately after).
///
/// `--rootdir` is expanded with the process environment.
pub fn determine_setup(req: &ConfigRequest) -> Result<Config, ConfigError> {
    determine_setup_with_env(req, |name| std::env::var(name).ok())
}

/// [`determine_setup`] with an explicit environment for `--rootdir` expansion.
pub fn determine_setup_with_env(
    req: &ConfigRequest,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let setup = locate::determine_setup(
        &req.invocation_dir,
        &req.args,
        req.inifile.as_deref(),
        req.rootdir.as_deref(),
        &req.overrides,
        env,
    )?;
    let config = Config {
        rootdir: setup.rootdir,
        inipath: setup.inipath,
        invocation_dir: locate::normpath(&req.invocation_dir),
        values: setup.values,
        ignored_config_files: setup.ignored,
    };
    config.try_get_args("addopts")?;
    Ok(config)
}

impl Config {
    /// The value pytest's `getini` would pick for `name`: `-o` overrides beat file values,
    /// and the canonical name beats an alias.
    fn raw<'a>(&'a self, name: &'a str) -> Option<(&'a str, &'a ConfigValue)> {
        let canonical = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, c)| *c);
        let mut best: Option<(&'a str, &'a ConfigValue, (bool, bool))> = None;
        let names = std::iter::once(canonical).chain(
            ALIASES
                .iter()
                .filter(|(_, c)| *c == canonical)
                .map(|(a, _)| *a),
        );
        for n in names {
            if let Some(v) = self.values.get(n) {
                let rank = (v.origin == Origin::Override, n == canonical);
                if best.is_none_or(|(_, _, r)| rank > r) {
                    best = Some((canonical, v, rank));
                }
            }
        }
        best.map(|(n, v, _)| (n, v))
    }

    fn ctx<'a>(&'a self, name: &'a str) -> ErrCtx<'a> {
        ErrCtx {
            inipath: self.inipath.as_deref(),
            name,
        }
    }

    fn try_list(&self, name: &str, kind: ListKind) -> Result<Option<Vec<String>>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some((canonical, v)) => values::to_list(&v.value, kind, &self.ctx(canonical)).map(Some),
        }
    }

    /// An "args" option (ini strings shlex-split, TOML arrays as lists). Never fails: a
    /// value pytest would reject is read as leniently as possible; use
    /// [`Config::try_get_args`] to get pytest's error instead.
    pub fn get_args(&self, name: &str) -> Option<Vec<String>> {
        self.raw(name)
            .map(|(_, v)| values::to_list_lenient(&v.value, ListKind::Args))
    }

    /// An "args" option with pytest's checks: a native-TOML value must be a list of
    /// strings, and an ini string must be shlex-splittable.
    pub fn try_get_args(&self, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
        self.try_list(name, ListKind::Args)
    }

    /// A "linelist" option (`markers`, `filterwarnings`, ...): ini strings split into
    /// stripped non-empty lines, TOML arrays as lists. Lenient like [`Config::get_args`].
    pub fn get_linelist(&self, name: &str) -> Option<Vec<String>> {
        self.raw(name)
            .map(|(_, v)| values::to_list_lenient(&v.value, ListKind::Linelist))
    }

    /// A "linelist" option with pytest's type checks.
    pub fn try_get_linelist(&self, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
        self.try_list(name, ListKind::Linelist)
    }

    /// A "paths" option (`pythonpath`): entries joined to the configfile's directory (or
    /// the invocation directory without one). Lenient like [`Config::get_args`].
    pub fn get_paths(&self, name: &str) -> Option<Vec<PathBuf>> {
        let (_, v) = self.raw(name)?;
        let base = self.paths_base();
        Some(
            values::to_list_lenient(&v.value, ListKind::Paths)
                .iter()
                .map(|p| pathlib_join(base, p))
                .collect(),
        )
    }

    /// A "paths" option with pytest's type checks.
    pub fn try_get_paths(&self, name: &str) -> Result<Option<Vec<PathBuf>>, ConfigError> {
        let base = self.paths_base();
        Ok(self
            .try_list(name, ListKind::Paths)?
            .map(|items| items.iter().map(|p| pathlib_join(base, p)).collect()))
    }

    fn paths_base(&self) -> &Path {
        self.inipath
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(&self.invocation_dir)
    }

    /// A value whose type only its registrar (a plugin's `parser.addini`) knows, as
    /// the file gives it: a string, a list (an ini mode TOML array or a native one,
    /// items as their Python `str()`), or a native TOML boolean; any other native value
    /// as its Python `str()`.
    /// The names of the ini options pytest 9.2 core registers (see `known.rs`).
    pub fn pytest_ini_names() -> impl Iterator<Item = &'static str> {
        known::PYTEST_INI_OPTIONS.iter().map(|(name, _, _)| *name)
    }

    pub fn get_untyped(&self, name: &str) -> Option<Untyped> {
        let (_, v) = self.raw(name)?;
        Some(match &v.value {
            values::RawValue::Ini(values::IniValue::Str(s)) => Untyped::Str(s.clone()),
            values::RawValue::Toml(toml_doc::TomlValue::Str(s)) => Untyped::Str(s.clone()),
            values::RawValue::Toml(toml_doc::TomlValue::Bool(b)) => Untyped::Bool(*b),
            values::RawValue::Ini(values::IniValue::List(items))
            | values::RawValue::Toml(toml_doc::TomlValue::Array(items)) => {
                Untyped::List(items.iter().map(toml_doc::TomlValue::py_str).collect())
            }
            other => Untyped::Str(values::to_str_lenient(other)),
        })
    }

    /// A "string" option. Lenient: a non-string value gives its Python `str()`.
    pub fn get_str(&self, name: &str) -> Option<String> {
        self.raw(name)
            .map(|(_, v)| values::to_str_lenient(&v.value))
    }

    /// A "string" option with pytest's type check (native TOML values must be strings).
    pub fn try_get_str(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some((canonical, v)) => values::to_str(&v.value, &self.ctx(canonical)).map(Some),
        }
    }

    /// A "bool" option: native TOML booleans, or ini truth values (`1/true/yes/on/y/t`,
    /// `0/false/no/off/n/f`, any case), with pytest's error for anything else.
    pub fn get_bool(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some((canonical, v)) => values::to_bool(&v.value, &self.ctx(canonical)).map(Some),
        }
    }

    /// `python_files`; default `["test_*.py", "*_test.py"]`.
    pub fn python_files(&self) -> Vec<String> {
        self.get_args("python_files")
            .unwrap_or_else(|| vec!["test_*.py".into(), "*_test.py".into()])
    }

    /// `python_classes`; default `["Test"]`.
    pub fn python_classes(&self) -> Vec<String> {
        self.get_args("python_classes")
            .unwrap_or_else(|| vec!["Test".into()])
    }

    /// `python_functions`; default `["test"]`.
    pub fn python_functions(&self) -> Vec<String> {
        self.get_args("python_functions")
            .unwrap_or_else(|| vec!["test".into()])
    }

    /// `norecursedirs`; setting it replaces the default
    /// `["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"]`.
    pub fn norecursedirs(&self) -> Vec<String> {
        self.get_args("norecursedirs").unwrap_or_else(|| {
            [
                "*.egg",
                ".*",
                "_darcs",
                "build",
                "CVS",
                "dist",
                "node_modules",
                "venv",
                "{arch}",
            ]
            .map(String::from)
            .to_vec()
        })
    }

    /// `testpaths` entries as written (the caller globs them); default empty.
    pub fn testpaths(&self) -> Vec<String> {
        self.get_args("testpaths").unwrap_or_default()
    }

    /// `addopts`, shlex-split; default empty. Checked by [`determine_setup`].
    pub fn addopts(&self) -> Vec<String> {
        self.get_args("addopts").unwrap_or_default()
    }

    /// `markers` lines; default empty.
    pub fn markers(&self) -> Vec<String> {
        self.get_linelist("markers").unwrap_or_default()
    }

    /// What pytest prints after `configfile: `: the configfile relative to the rootdir,
    /// plus ` (WARNING: ignoring pytest config in a, b!)` when lower-priority files in the
    /// same directory also held pytest configuration.
    pub fn display_inifile(&self) -> Option<String> {
        let inipath = self.inipath.as_ref()?;
        let mut shown = locate::bestrelpath(&self.rootdir, inipath);
        if !self.ignored_config_files.is_empty() {
            shown.push_str(&format!(
                " (WARNING: ignoring pytest config in {}!)",
                self.ignored_config_files.join(", ")
            ));
        }
        Some(shown)
    }

    /// Names of lower-priority files next to the configfile that were ignored.
    pub fn ignored_config_files(&self) -> &[String] {
        &self.ignored_config_files
    }

    /// The invocation directory the config was determined for.
    pub fn invocation_dir(&self) -> &Path {
        &self.invocation_dir
    }

    /// All option names set in the configfile or by `-o`, in file order (pytest warns
    /// `Unknown config option: {name}` for those no plugin registers).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Apply more `-o name=value` overrides, as pytest does for the ones found in
    /// `addopts` after reading it.
    pub fn apply_overrides(&mut self, overrides: &[String]) -> Result<(), ConfigError> {
        for (k, v) in locate::parse_overrides(overrides)? {
            self.values.insert(k, v);
        }
        Ok(())
    }

    /// Type-check the options pytest reads on every startup, in pytest's order
    /// (`minversion`, `python_files`, `pythonpath`, `filterwarnings`, `required_plugins`,
    /// `testpaths`, `markers`), returning the first error pytest would report. Call it
    /// after applying the overrides found in `addopts`. `python_classes`,
    /// `python_functions` and `norecursedirs` are only read by pytest when a class or a
    /// subdirectory is met; check those with [`Config::try_get_args`] at that point.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, ty) in STARTUP_OPTIONS {
            match ty {
                StartupType::Str => {
                    self.try_get_str(name)?;
                }
                StartupType::List(kind) => {
                    self.try_list(name, *kind)?;
                }
            }
        }
        Ok(())
    }

    /// [`Config::validate`] plus the checks that depend on the pytest that will run, in
    /// pytest's start-up order: `minversion` against its version right after reading it,
    /// and `required_plugins` against the installed plugins after its type check.
    pub fn validate_startup(&self, pytest: PytestInstall<'_>) -> Result<Startup, ConfigError> {
        for (name, ty) in STARTUP_OPTIONS {
            match ty {
                StartupType::Str => {
                    self.try_get_str(name)?;
                }
                StartupType::List(kind) => {
                    self.try_list(name, *kind)?;
                }
            }
            let verdict = match *name {
                "minversion" => self.check_minversion(pytest.version),
                "required_plugins" => self.check_required_plugins(pytest.plugins),
                _ => Ok(Startup::Ok),
            }?;
            if verdict != Startup::Ok {
                return Ok(verdict);
            }
        }
        Ok(Startup::Ok)
    }

    fn check_minversion(&self, actual: Option<&str>) -> Result<Startup, ConfigError> {
        let Some((_, raw)) = self.raw("minversion") else {
            return Ok(Startup::Ok);
        };
        let required = match &raw.value {
            RawValue::Ini(values::IniValue::Str(s))
            | RawValue::Toml(toml_doc::TomlValue::Str(s)) => s,
            // A list (ini mode) reaches `Version()` and crashes pytest.
            _ => return Ok(Startup::Undecided("minversion is not a string".into())),
        };
        if required.is_empty() {
            return Ok(Startup::Ok);
        }
        let undecided = || Startup::Undecided(format!("minversion {required:?}"));
        let (Some(actual), Some(want)) = (actual, version::Version::parse(required)) else {
            return Ok(undecided());
        };
        let Some(have) = version::Version::parse(actual) else {
            return Ok(undecided());
        };
        if want > have {
            return Err(ConfigError::MinVersion {
                inipath: self.inipath.clone(),
                required: required.clone(),
                actual: actual.to_string(),
            });
        }
        Ok(Startup::Ok)
    }

    /// pytest's `_validate_plugins`: every requirement must name an installed plugin
    /// distribution (its metadata name, exactly) whose version matches the specifier.
    fn check_required_plugins(
        &self,
        installed: &[(String, String)],
    ) -> Result<Startup, ConfigError> {
        let mut required = self.get_args("required_plugins").unwrap_or_default();
        required.sort();
        let mut missing = Vec::new();
        for req in &required {
            let name_len = req
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                .unwrap_or(req.len());
            let (name, rest) = req.split_at(name_len);
            let Some((_, version)) = installed.iter().find(|(n, _)| n == name) else {
                // Not installed, or not a valid requirement: missing either way.
                missing.push(req.clone());
                continue;
            };
            match required_version_matches(rest, version) {
                Some(true) => {}
                Some(false) => missing.push(req.clone()),
                None => {
                    return Ok(Startup::Undecided(format!(
                        "required_plugins entry {req:?}"
                    )))
                }
            }
        }
        if missing.is_empty() {
            Ok(Startup::Ok)
        } else {
            Err(ConfigError::MissingPlugins { missing })
        }
    }

    /// Keys set in the configfile or by `-o` that pytest core does not register (with
    /// the options of the `blocked` plugins unregistered), sorted, as pytest reports them
    /// after collection (`Unknown config option: {key}`). A conftest or plugin may
    /// register some of them.
    pub fn unknown_keys(&self, blocked: &[String]) -> Vec<String> {
        let mut keys: Vec<String> = self
            .values
            .keys()
            .filter(|k| known::lookup(k, blocked).is_none())
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// Known keys whose value pytest rejects (a usage error or a collection error,
    /// depending on when it reads it) or reads with a warning, in file order.
    pub fn invalid_keys(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, v)| known::lookup(k, &[]).is_some_and(|ty| !known::accepts(&v.value, ty)))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// `cache_dir` as pytest resolves it (`~` and `$VAR` expanded, relative to the
    /// rootdir), and whether it differs from the default `.pytest_cache`.
    pub fn cache_dir(&self) -> (PathBuf, bool) {
        let raw = self
            .get_str("cache_dir")
            .unwrap_or_else(|| ".pytest_cache".to_string());
        let custom = raw != ".pytest_cache";
        let home = std::env::var("HOME").ok();
        let user = match (raw.strip_prefix('~'), home) {
            (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
                format!("{home}{rest}")
            }
            _ => raw,
        };
        let expanded = locate::expandvars(&user, |name| std::env::var(name).ok());
        (self.rootdir.join(expanded), custom)
    }

    /// pytest's `strict_config`, falling back to `strict`.
    pub fn strict_config(&self) -> Result<bool, ConfigError> {
        self.strict_option("strict_config")
    }

    /// pytest's `strict_markers`, falling back to `strict`.
    pub fn strict_markers(&self) -> Result<bool, ConfigError> {
        self.strict_option("strict_markers")
    }

    /// The `strict_parametrization_ids` ini, or `strict` when it is not set.
    pub fn strict_parametrization_ids(&self) -> Result<bool, ConfigError> {
        self.strict_option("strict_parametrization_ids")
    }

    fn strict_option(&self, name: &str) -> Result<bool, ConfigError> {
        match self.get_bool(name)? {
            Some(b) => Ok(b),
            None => Ok(self.get_bool("strict")?.unwrap_or(false)),
        }
    }

    /// Whether the value for `name` came from a native-TOML table (`[tool.pytest]`,
    /// `pytest.toml`) rather than ini-style text.
    pub fn is_native_toml(&self, name: &str) -> bool {
        self.raw(name)
            .is_some_and(|(_, v)| matches!(v.value, RawValue::Toml(_)))
    }
}

/// Whether the installed `version` of a plugin meets a `required_plugins` requirement
/// whose name is followed by `rest` (extras, then a version specifier, as packaging's
/// `Requirement` reads them; pytest checks the specifier with pre-releases allowed).
/// `None` when that is not certain here: a URL or an environment marker, text this
/// reading does not follow, a version that is not PEP 440's, or a pre-release installed
/// (where packaging and PEP 440 differ on `~=`).
fn required_version_matches(rest: &str, version: &str) -> Option<bool> {
    use std::str::FromStr;
    let mut spec = rest.trim();
    if let Some(after) = spec.strip_prefix('[') {
        spec = after.split_once(']')?.1.trim_start();
    }
    if spec.starts_with('@') || spec.contains(';') {
        // A URL or an environment marker: packaging validates them (the ini's
        // splitting drops a marker's quotes, which makes it invalid).
        return None;
    }
    if let Some(inner) = spec.strip_prefix('(') {
        spec = inner.strip_suffix(')')?.trim();
    }
    if spec.is_empty() {
        return Some(true);
    }
    let specifiers = pep440_rs::VersionSpecifiers::from_str(spec).ok()?;
    let version = pep440_rs::Version::from_str(version.trim()).ok()?;
    if version.any_prerelease() {
        return None;
    }
    Some(specifiers.contains(&version))
}

#[cfg(test)]
mod tests;
