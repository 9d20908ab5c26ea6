//! `ConfigError`: every way pytest 9.2 rejects a configuration, with pytest's wording.
//!
//! Most are `pytest.UsageError`s: pytest prints `ERROR: {message}` and a blank line to
//! stderr and exits with 4. A few are not handled by pytest at all and crash it with a
//! traceback (exit code 1); for those the message is the traceback's last line without
//! the exception class, and [`ConfigError::stderr_text`] adds the class.

use std::path::PathBuf;

use super::pyfmt;

/// A configuration pytest refuses; `Display` is the exception message pytest prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An ini-format file (`pytest.ini`, `tox.ini`, `setup.cfg`, `-c x.ini`) that
    /// `iniconfig` cannot parse. `lineno` is 1-based.
    #[error("{}:{lineno}: {msg}", path.display())]
    IniParse {
        /// The file, absolute.
        path: PathBuf,
        /// 1-based line of the offending line.
        lineno: usize,
        /// iniconfig's message, e.g. `unexpected line: 'foo'`.
        msg: String,
    },

    /// A TOML file that `tomllib` rejects; `message` is tomllib's text including its
    /// `(at line L, column C)` suffix.
    #[error("{}: {message}", path.display())]
    TomlParse {
        /// The file, absolute.
        path: PathBuf,
        /// tomllib's message.
        message: String,
    },

    /// `pytest.toml` (or `-c x.toml`) with options outside any table.
    #[error(
        "{}: pytest configuration must be under a [pytest] table (found top-level options: {})",
        path.display(),
        keys.join(", ")
    )]
    TopLevelOptions {
        /// The file, absolute.
        path: PathBuf,
        /// The top-level non-table keys, in file order.
        keys: Vec<String>,
    },

    /// A TOML file with both a non-empty `[tool.pytest]` and a non-empty
    /// `[tool.pytest.ini_options]`.
    #[error(
        "{}: Cannot use both [tool.pytest] (native TOML types) and [tool.pytest.ini_options] \
         (string-based INI format) simultaneously. Please use [tool.pytest] with native TOML \
         types (recommended) or [tool.pytest.ini_options] for backwards compatibility.",
        path.display()
    )]
    MixedToolPytestTables {
        /// The file, absolute.
        path: PathBuf,
    },

    /// A `-c` TOML file with both `[pytest]` and `[tool.pytest]`-style tables.
    #[error(
        "{}: Cannot use both [pytest] and [tool.pytest]/[tool.pytest.ini_options] in the same \
         file. Please use [pytest], which is what pytest's own configuration files use; the \
         [tool.pytest] tables are meant for pyproject.toml.",
        path.display()
    )]
    MixedPytestTables {
        /// The file, absolute.
        path: PathBuf,
    },

    /// A `.cfg` file with a `[pytest]` section. pytest raises `Failed` outside of any
    /// test, which crashes it (traceback, exit code 1).
    #[error("[pytest] section in {filename} files is no longer supported, change to [tool:pytest] instead.")]
    SetupCfgPytestSection {
        /// Always `setup.cfg` in pytest's message, whatever the file is called.
        filename: String,
    },

    /// `-c` names a path that does not exist.
    #[error("Config file '{}' not found. Check your '-c/--config-file' option.", path.display())]
    ConfigFileNotFound {
        /// The absolute path.
        path: PathBuf,
    },

    /// `-c` names a directory.
    #[error("Config file '{}' is a directory. Check your '-c/--config-file' option.", path.display())]
    ConfigFileIsDirectory {
        /// The absolute path.
        path: PathBuf,
    },

    /// `-c` names a regular file whose name and suffix pytest has no loader for.
    #[error(
        "Config file '{}' has an unsupported format. Supported extensions are: .cfg, .ini, .toml.",
        path.display()
    )]
    ConfigFileUnsupported {
        /// The absolute path.
        path: PathBuf,
    },

    /// `--rootdir` (after `$VAR` expansion) is not a directory.
    #[error("Directory '{}' not found. Check your '--rootdir' option.", path.display())]
    RootdirNotFound {
        /// The absolute path.
        path: PathBuf,
    },

    /// An `-o`/`--override-ini` entry without `=`.
    #[error(
        "-o/--override-ini expects option=value style (got: {}).",
        pyfmt::repr_str(entry)
    )]
    OverrideSyntax {
        /// The entry as given.
        entry: String,
    },

    /// A native-TOML value that should be a list (`args`, `linelist`, `paths` options).
    #[error(
        "{}: config option '{name}' expects a list for type '{ini_type}', got {got_type}: {got_repr}",
        path.display()
    )]
    ExpectedList {
        /// The config file.
        path: PathBuf,
        /// The option.
        name: String,
        /// pytest's type name: `args`, `linelist` or `paths`.
        ini_type: String,
        /// Python type name of the value.
        got_type: String,
        /// Python repr of the value.
        got_repr: String,
    },

    /// A native-TOML list with a non-string item.
    #[error(
        "{}: config option '{name}' expects a list of strings, but item at index {index} is {item_type}: {item_repr}",
        path.display()
    )]
    ExpectedListOfStrings {
        /// The config file.
        path: PathBuf,
        /// The option.
        name: String,
        /// Index of the first bad item.
        index: usize,
        /// Python type name of that item.
        item_type: String,
        /// Python repr of that item.
        item_repr: String,
    },

    /// A native-TOML value that should be a boolean.
    #[error("{}: config option '{name}' expects a bool, got {got_type}: {got_repr}", path.display())]
    ExpectedBool {
        /// The config file.
        path: PathBuf,
        /// The option.
        name: String,
        /// Python type name of the value.
        got_type: String,
        /// Python repr of the value.
        got_repr: String,
    },

    /// A native-TOML value that should be a string.
    #[error("{}: config option '{name}' expects a string, got {got_type}: {got_repr}", path.display())]
    ExpectedString {
        /// The config file.
        path: PathBuf,
        /// The option.
        name: String,
        /// Python type name of the value.
        got_type: String,
        /// Python repr of the value.
        got_repr: String,
    },

    /// An ini-style boolean that is not one of `y/yes/t/true/on/1/n/no/f/false/off/0`.
    /// pytest's message carries neither the file nor the option.
    #[error("invalid truth value {value_repr}")]
    InvalidTruthValue {
        /// Python repr of the stripped, lower-cased value.
        value_repr: String,
    },

    /// An ini-style "args" value Python's `shlex.split` rejects (`No closing quotation`,
    /// `No escaped character`).
    #[error("{message}")]
    Shlex {
        /// shlex's message.
        message: String,
    },

    /// A config file that is not valid UTF-8 (pytest crashes with `UnicodeDecodeError`).
    #[error("{detail}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// Python's codec message, e.g. `'utf-8' codec can't decode byte 0xff in
        /// position 9: invalid start byte`.
        detail: String,
    },

    /// A config file that exists but cannot be read (pytest crashes with an `OSError`).
    #[error("{message}")]
    Os {
        /// The file.
        path: PathBuf,
        /// Python's exception class, e.g. `PermissionError`.
        class: String,
        /// Python's message, e.g. `[Errno 13] Permission denied: '/x/pytest.ini'`.
        message: String,
    },

    /// A TOML document whose `tool`, `tool.pytest`, `tool.pytest.ini_options` or `pytest`
    /// key is not a table: pytest crashes with an `AttributeError`.
    #[error("'{type_name}' object has no attribute '{attribute}'")]
    NotATable {
        /// The file.
        path: PathBuf,
        /// Python type name of the offending value.
        type_name: String,
        /// The method pytest tried to call (`get` or `items`).
        attribute: String,
    },

    /// `minversion` is newer than the running pytest. pytest's message has a stray
    /// closing quote; it is kept.
    #[error(
        "{}: 'minversion' requires pytest-{required}, actual pytest-{actual}'",
        inipath.as_ref().map_or_else(|| "None".to_string(), |p| p.display().to_string())
    )]
    MinVersion {
        /// The configfile (`None` when `-o minversion=...` is given without one).
        inipath: Option<PathBuf>,
        /// The `minversion` value.
        required: String,
        /// The running pytest's version.
        actual: String,
    },

    /// `required_plugins` names plugins that are not installed.
    #[error("Missing required plugins: {}", missing.join(", "))]
    MissingPlugins {
        /// The requirements as written, sorted.
        missing: Vec<String>,
    },

    /// With `strict_config` (or `--strict-config`), the first unknown key pytest reports
    /// (pytest's message ends with a newline, so its output has an extra blank line).
    #[error("Unknown config option: {key}\n")]
    UnknownKey {
        /// The key, the first in sorted order.
        key: String,
    },
}

impl ConfigError {
    /// pytest's exit code: 4 (`USAGE_ERROR`) for usage errors, 1 for the cases where pytest
    /// crashes with a traceback.
    pub fn exit_code(&self) -> i32 {
        if self.crash_class().is_some() {
            1
        } else {
            4
        }
    }

    /// For errors pytest does not handle, the Python exception class of the traceback.
    fn crash_class(&self) -> Option<&str> {
        match self {
            ConfigError::SetupCfgPytestSection { .. } => Some("Failed"),
            ConfigError::Decode { .. } => Some("UnicodeDecodeError"),
            ConfigError::Os { class, .. } => Some(class),
            ConfigError::NotATable { .. } => Some("AttributeError"),
            _ => None,
        }
    }

    /// What pytest writes to stderr for this error. Usage errors are exactly pytest's
    /// output (`ERROR: {message}` followed by an empty line); for crashes this is the
    /// final line of the traceback, which is all of it that does not depend on pytest's
    /// own source.
    pub fn stderr_text(&self) -> String {
        match self.crash_class() {
            Some(class) => format!("{class}: {self}\n"),
            None => format!("ERROR: {self}\n\n"),
        }
    }

    /// Build the error for a file that could not be read.
    pub(crate) fn from_io(err: &std::io::Error, path: &std::path::Path) -> ConfigError {
        let line = pyfmt::os_error_line(err, path);
        let (class, message) = match line.split_once(": ") {
            Some((c, m)) => (c.to_string(), m.to_string()),
            None => ("OSError".to_string(), line),
        };
        ConfigError::Os {
            path: path.to_path_buf(),
            class,
            message,
        }
    }
}
