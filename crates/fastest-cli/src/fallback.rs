//! The import fallback: files whose items the source cannot prove are collected by pytest
//! itself, in a worker process of the user's interpreter (`python -m fastest._collect`),
//! and its answer (items, collection errors, warnings) is merged back in pytest's order.

use std::path::{Path, PathBuf};

use std::process::{Command, Stdio};

use crate::host::Host;
use fastest_core::item::{CallParam, ChainNode, Item, Mark, MarkValue, NodeKind, RunSpec};
use fastest_core::report::{Outcome, Phase, TestReport};
use serde::Deserialize;

/// A request to the worker; see `python/fastest/_collect.py` for the protocol.
#[derive(serde::Serialize)]
struct Request<'a> {
    invocation_dir: &'a Path,
    pytest_args: &'a [String],
    paths: &'a [String],
    /// Those of `paths` the real session reaches by walking a directory (not initial
    /// paths there): the worker collects them as pytest would then, e.g. a module that
    /// only `--doctest-modules` collects gets no `Module` of its own.
    walked: &'a [String],
    output: &'a Path,
}

#[derive(Debug, Deserialize, Default)]
pub struct CollectResult {
    #[serde(default)]
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub errors: Vec<RawReport>,
    #[serde(default)]
    pub skipped: Vec<RawReport>,
    #[serde(default)]
    pub warnings: Vec<RawWarning>,
    #[serde(default)]
    pub deselected: Vec<String>,
    /// Those of `deselected` a plugin's or conftest's hook deselected (not pytest's own
    /// `-k`, `-m` and `--deselect`).
    #[serde(default)]
    pub hook_deselected: Vec<String>,
    /// pytest's `collected N items` count (items seen in collect reports).
    #[serde(default)]
    pub numcollected: usize,
    #[serde(default)]
    pub exitstatus: i32,
    #[serde(default)]
    pub internal_error: Option<String>,
    /// What pytest's collection wrote to stderr (Python's own display of what it warned
    /// without pytest's warnings plugin, say).
    #[serde(default)]
    pub stderr: String,
    /// Module files the worker loaded from under the rootdir (cache dependencies).
    #[serde(default)]
    pub imported_files: Vec<std::path::PathBuf>,
    /// The directories on `sys.path` when collection ended (cache dependencies of an
    /// answer with collection errors: a module missing then may appear there).
    #[serde(default)]
    pub search_dirs: Vec<std::path::PathBuf>,
    /// Directories pytest's collection looked into (cache dependencies: a file added
    /// there may be collected, whatever a conftest's `pytest_ignore_collect` says).
    #[serde(default)]
    pub visited_dirs: Vec<std::path::PathBuf>,
    /// Files pytest's collection read and directories it listed under the rootdir
    /// (cache dependencies: a conftest's collector may make items of any of them).
    #[serde(default)]
    pub read_paths: Vec<std::path::PathBuf>,
    /// The options installed plugins and conftests registered (`pytest_addoption`):
    /// `{"dests": {option string: dest}, "values": {dest: tagged JSON value}}`, for the
    /// native engine's `config`; `None` when a value is not JSON.
    #[serde(default)]
    pub added_options: Option<serde_json::Value>,
    /// The names of the markers registered when collection ended (ini, plugins,
    /// conftests' `pytest_configure`).
    #[serde(default)]
    pub markers: Vec<String>,
    /// The `!!! Interrupted: ... !!!` banner pytest printed, if any.
    #[serde(default)]
    pub interrupted: Option<Interrupted>,
    /// Files pytest collected (imported) that yielded no item, each with the number of
    /// items collected before it: a stand-in item (chain down to the file, then a
    /// nameless item) for the engines to import them as pytest's collection did.
    #[serde(default)]
    pub empty_files: Vec<(RawItem, usize)>,
    /// The modules the conftests' `pytest_plugins` registered (`conftest_plugins` in
    /// `_collect.py`), per conftest in pytest's order of registration.
    #[serde(default)]
    pub conftest_plugins: Vec<(Option<String>, Vec<ProjectPlugin>)>,
    /// The modules `-p` registered that are not pytest's own, and those their
    /// `pytest_plugins` name, in pytest's order of registration.
    #[serde(default)]
    pub cli_plugins: Vec<ProjectPlugin>,
}

/// A module a conftest's `pytest_plugins` named: its name, its file (`None` when pytest
/// did not register a module under that name) and the hooks it implements.
#[derive(Debug, Deserialize, Clone)]
pub struct ProjectPlugin(pub String, pub Option<String>, pub Vec<String>);

#[derive(Debug, Deserialize, Clone)]
pub struct Interrupted {
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct RawItem {
    pub nodeid: String,
    pub chain: Vec<(String, String)>,
    #[serde(default)]
    pub lineno: Option<u32>,
    #[serde(default)]
    pub marks: Vec<RawMark>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What the native engine needs to run it (`_run_spec` in `_collect.py`), when
    /// pytest's collection shows the engine can.
    #[serde(default)]
    pub run: Option<RawRun>,
}

/// An imported item's parametrization and external fixtures, as discovery's
/// [`RunSpec`] holds them for the items it proves.
#[derive(Debug, Deserialize)]
pub struct RawRun {
    /// `["mark", k, set]` or `["fixture", name, set]`, in pytest's call order; a mark's
    /// may end with the set's values' repr (`CallParam::Mark::values`).
    pub callspec: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    pub external_fixtures: Vec<String>,
    /// The item's fixture closure (pytest's `fixturenames`).
    #[serde(default)]
    pub fixtures: Vec<String>,
    /// `[position, mark]` per mark a `pytest_collection_modifyitems` added.
    #[serde(default)]
    pub added_marks: Vec<serde_json::Value>,
}

impl RawRun {
    fn into_spec(self) -> Option<RunSpec> {
        let callspec = self
            .callspec
            .into_iter()
            .map(|entry| {
                let set = u32::try_from(entry.get(2)?.as_u64()?).ok()?;
                match (entry.first()?.as_str()?, entry.get(1)?, entry.get(3)) {
                    ("mark", serde_json::Value::Number(n), values) if entry.len() <= 4 => {
                        Some(CallParam::Mark {
                            mark: u32::try_from(n.as_u64()?).ok()?,
                            set,
                            values: match values {
                                None | Some(serde_json::Value::Null) => None,
                                Some(v) => Some(v.as_str()?.to_string()),
                            },
                        })
                    }
                    ("fixture", serde_json::Value::String(name), None) => {
                        Some(CallParam::Fixture {
                            name: name.clone(),
                            set,
                        })
                    }
                    _ => None,
                }
            })
            .collect::<Option<Vec<_>>>()?;
        Some(RunSpec {
            callspec,
            external_fixtures: self.external_fixtures,
            fixtures: self.fixtures,
            // Read off the module's source by the caller (`app.rs`).
            pytest_machinery: None,
            added_marks: self.added_marks.iter().map(|m| m.to_string()).collect(),
            // pytest's own collection ran: the fixtures' scopes are not looked at.
            isolated: false,
            // Ordered by pytest's own session already.
            scoped_params: Vec::new(),
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct RawMark {
    pub name: String,
    #[serde(default)]
    pub kwargs: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct RawReport {
    pub nodeid: String,
    /// The ERRORS section's title for it (`ERROR collecting <head line>`).
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub longrepr: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// An error's `longrepr.reprcrash.message` (none for string longreprs).
    #[serde(default)]
    pub message: Option<String>,
    /// A skip's `(path, lineno, reason)` longrepr tuple, as pytest has it.
    #[serde(default)]
    pub fspath: Option<String>,
    #[serde(default)]
    pub lineno: Option<u32>,
    #[serde(default)]
    pub reason: Option<String>,
    /// `str(report.longrepr)`: the text of the JUnit file's element for it.
    #[serde(default)]
    pub junit: Option<String>,
    /// Its place among the collect reports that failed or skipped (pytest's order).
    #[serde(default)]
    pub seq: usize,
}

impl RawReport {
    /// The collect report a run's reporters take (`when` is [`Phase::Collect`]): a
    /// failure (`failed`) or a skip. Its location is pytest's `CollectReport.location`,
    /// `(fspath, None, fspath)`, the domain being what the ERRORS title names.
    pub fn to_collect_report(&self, failed: bool) -> TestReport {
        let fspath = self.nodeid.split("::").next().unwrap_or("").to_string();
        let domain = self
            .headline
            .as_deref()
            .and_then(|h| h.strip_prefix("ERROR collecting "))
            .map_or_else(|| fspath.clone(), str::to_string);
        let outcome = if failed {
            Outcome::Failed
        } else {
            Outcome::Skipped
        };
        let mut rep = TestReport::new(
            &self.nodeid,
            Phase::Collect,
            outcome,
            (fspath, None, domain),
        );
        if failed {
            rep.longrepr = Some(self.longrepr.clone());
            // With markup the body is coloured; `junit` is `str(longrepr)` (stripped).
            if self.longrepr.contains('\x1b') {
                rep.longrepr_str.clone_from(&self.junit);
            }
            rep.crash = self.message.clone();
        } else {
            let reason = self.reason.clone().unwrap_or_else(|| self.longrepr.clone());
            rep.skip = Some((
                self.fspath.clone().unwrap_or_default(),
                self.lineno.unwrap_or(0),
                reason,
            ));
        }
        rep
    }

    /// The text of the JUnit element for this collect report.
    pub fn junit_text(&self) -> String {
        self.junit.clone().unwrap_or_else(|| self.longrepr.clone())
    }
}

#[derive(Debug, Deserialize, Clone)]
pub struct RawWarning {
    pub location: Option<String>,
    /// The text pytest groups warnings by.
    pub message: String,
    /// The exact block pytest prints under the locations.
    #[serde(default)]
    pub text: Option<String>,
    /// pytest's node id for it (empty at collection).
    #[serde(default)]
    pub nodeid: String,
    /// The warning's class name (`PytestCollectionWarning`).
    #[serde(default)]
    pub category: Option<String>,
    /// The warning's own file and line.
    #[serde(default)]
    pub fslocation: Option<(String, u32)>,
    /// The file whose import raised it (a string), `false` for any other collection
    /// warning, none when the worker could not tell.
    #[serde(default, rename = "import")]
    pub imported: Option<serde_json::Value>,
    /// For a warning raised while pytest collected a module after importing it (say,
    /// parametrizing with an iterator): that module's path.
    #[serde(default)]
    pub module: Option<String>,
}

impl RawWarning {
    /// A warning pytest's collector issued about what it collects (a test class it
    /// cannot collect, ...): the native engine, importing the module again, does not
    /// issue it, so the coordinator reports it; any other collection warning comes from
    /// the module's own code, which a run repeats.
    pub fn from_collector(&self) -> bool {
        self.category.as_deref() == Some("PytestCollectionWarning") && self.fslocation.is_some()
    }

    /// The module or conftest whose import raised it, when the worker saw that: a
    /// native run that imports that file again issues the warning itself.
    pub fn raised_by_import_of(&self) -> Option<&Path> {
        match &self.imported {
            Some(serde_json::Value::String(p)) => Some(Path::new(p)),
            _ => None,
        }
    }

    /// Raised by pytest's own collection of a known module, not by an import: nothing
    /// a native run repeats, so the coordinator reports it at that module's place.
    pub fn from_collection_of(&self) -> Option<&Path> {
        match (&self.imported, &self.module) {
            (Some(serde_json::Value::Bool(false)), Some(m)) => Some(Path::new(m)),
            _ => None,
        }
    }

    /// As the workers report warnings.
    pub fn to_report(&self) -> fastest_core::report::WarningReport {
        fastest_core::report::WarningReport {
            nodeid: self.nodeid.clone(),
            message: self.message.clone(),
            fslocation: self.fslocation.clone(),
            file: None,
        }
    }
}

impl RawItem {
    /// Convert to the shared item model.
    pub fn into_item(self) -> Item {
        let chain = self
            .chain
            .into_iter()
            .map(|(ty, name)| {
                let kind = match ty.as_str() {
                    "Dir" => NodeKind::Dir,
                    "Package" => NodeKind::Package,
                    "Module" => NodeKind::Module,
                    "Class" => NodeKind::Class,
                    "Function" => NodeKind::Function,
                    "UnitTestCase" => NodeKind::UnitTestCase,
                    "TestCaseFunction" => NodeKind::TestCaseFunction,
                    "DoctestModule" => NodeKind::DoctestModule,
                    "DoctestTextfile" => NodeKind::DoctestTextfile,
                    "DoctestItem" => NodeKind::DoctestItem,
                    _ => NodeKind::Other,
                };
                let type_name = (kind == NodeKind::Other).then_some(ty);
                ChainNode {
                    kind,
                    type_name,
                    name,
                }
            })
            .collect();
        let marks = self
            .marks
            .into_iter()
            .map(|m| Mark {
                name: m.name,
                kwargs: m
                    .kwargs
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            serde_json::Value::Null => MarkValue::None,
                            serde_json::Value::Bool(b) => MarkValue::Bool(b),
                            serde_json::Value::Number(n) => {
                                n.as_i64().map_or(MarkValue::Opaque, MarkValue::Int)
                            }
                            serde_json::Value::String(s) => MarkValue::Str(s),
                            _ => MarkValue::Opaque,
                        };
                        (k, v)
                    })
                    .collect(),
            })
            .collect();
        Item {
            nodeid: self.nodeid,
            chain,
            lineno: self.lineno,
            marks,
            extra_keywords: self.keywords,
            run: self.run.and_then(RawRun::into_spec),
        }
    }
}

/// Errors of the fallback itself (not of the user's files, which come back as reports).
#[derive(Debug, thiserror::Error)]
pub enum FallbackError {
    #[error("no Python interpreter to run the import fallback (set FASTEST_PYTHON)")]
    NoPython,
    #[error("could not start `{python}`: {source}")]
    Spawn {
        python: String,
        source: std::io::Error,
    },
    #[error("the collection worker failed ({status}):\n{stderr}")]
    Worker { status: String, stderr: String },
    #[error("could not read the collection worker's result: {0}")]
    Result(String),
}

/// Run pytest's collection on `paths` in a worker and return its result (`walked`:
/// see [`Request`]).
pub fn collect(
    host: &Host,
    pytest_args: &[String],
    paths: &[String],
    walked: &[String],
) -> Result<CollectResult, FallbackError> {
    collect_raw(host, pytest_args, paths, walked).map(|(r, _)| r)
}

/// [`collect`], also returning the raw JSON (what the fallback cache stores).
pub fn collect_raw(
    host: &Host,
    pytest_args: &[String],
    paths: &[String],
    walked: &[String],
) -> Result<(CollectResult, Vec<u8>), FallbackError> {
    let python: PathBuf = host.python.clone().ok_or(FallbackError::NoPython)?;
    let invocation_dir = host.cwd.as_path();
    let dir = tempfile::tempdir_in(fastest_core::temp::temp_root())
        .map_err(|e| FallbackError::Result(e.to_string()))?;
    let output = dir.path().join("result.json");
    let req_path = dir.path().join("request.json");
    let req = Request {
        invocation_dir,
        pytest_args,
        paths,
        walked,
        output: &output,
    };
    let body = serde_json::to_vec(&req).map_err(|e| FallbackError::Result(e.to_string()))?;
    std::fs::write(&req_path, body).map_err(|e| FallbackError::Result(e.to_string()))?;
    let mut cmd = Command::new(&python);
    cmd.args(fastest_core::interpreter::flags());
    // The worker's stdout is no terminal: give it the width fastest renders with, so the
    // texts it renders (short-summary lines, tracebacks) fit the same separators.
    cmd.env("COLUMNS", crate::invocation::terminal_width().to_string());
    cmd.env(
        fastest_core::report::SESSION_ENV,
        fastest_core::report::session_id(),
    );
    if host.supports_safe_path() {
        // `-P`: the cwd is not put on sys.path, so a user's `fastest/` or `json.py` in it
        // cannot shadow the worker's own imports.
        cmd.arg("-P");
    }
    let out = cmd
        .arg("-m")
        .arg("fastest._collect")
        .arg(&req_path)
        .current_dir(invocation_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| FallbackError::Spawn {
            python: python.display().to_string(),
            source,
        })?;
    if !out.status.success() {
        return Err(FallbackError::Worker {
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let data = std::fs::read(&output).map_err(|e| FallbackError::Result(e.to_string()))?;
    let result = serde_json::from_slice(&data).map_err(|e| FallbackError::Result(e.to_string()))?;
    Ok((result, data))
}

/// Cached fallback results: a warm run whose uncertain files (and everything they
/// imported from under the rootdir) are unchanged reuses pytest's earlier answer instead
/// of starting an interpreter. An answer with collection errors also depends on where
/// imports look: a module missing then may appear on `sys.path` or in the package of a
/// module it imported, whose directories' entries are its dependencies too.
pub mod cache {
    use std::path::{Path, PathBuf};

    use super::{CollectResult, FallbackError};
    use crate::host::Host;

    /// One file per answer (`<key>.json`): a run reads only the answer it may use, and
    /// writes only the one it made (a whole-suite answer of a large suite is tens of
    /// megabytes; answers for other arguments must not cost it). v4: one file per key.
    const DIR_NAME: &str = "fallback-v4";
    /// The directory of answers before v4 (one file holding every answer): removed.
    const OLD_FILE_NAME: &str = "fallback-v3.json";
    /// Bound the directory: one answer per distinct (arguments, uncertain set); the
    /// least recently written go first.
    const MAX_ENTRIES: usize = 32;

    /// A dependency: a path and its `(mtime, size)` (a directory's: a hash of its entries'
    /// names and their count), or `None` for "did not exist" (a conftest created later
    /// changes the answer too).
    type Dep = (PathBuf, Option<(u64, u64)>);

    /// An answer's file: its dependencies as one JSON line, then the fallback's result
    /// exactly as it wrote it (parsed only when every dependency is unchanged).
    fn read_entry(file: &Path) -> Option<(Vec<Dep>, Vec<u8>)> {
        let mut bytes = std::fs::read(file).ok()?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let deps: Vec<Dep> = serde_json::from_slice(&bytes[..newline]).ok()?;
        bytes.drain(..=newline);
        Some((deps, bytes))
    }

    fn write_entry(dir: &Path, file: &Path, deps: &[Dep], result: &[u8]) -> bool {
        let Ok(mut bytes) = serde_json::to_vec(deps) else {
            return false;
        };
        bytes.push(b'\n');
        bytes.extend_from_slice(result);
        let tmp = dir.join(format!(".{}.tmp", std::process::id()));
        std::fs::create_dir_all(dir).is_ok()
            && std::fs::write(&tmp, bytes).is_ok()
            && std::fs::rename(&tmp, file).is_ok()
    }

    /// Keeps the newest [`MAX_ENTRIES`] answers.
    fn evict(dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if files.len() <= MAX_ENTRIES {
            return;
        }
        files.sort();
        for (_, path) in &files[..files.len() - MAX_ENTRIES] {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Options that change what pytest reports, never what it collects (a result with
    /// collection errors, whose text they may change, is not cached): runs that differ
    /// only in them share an answer.
    fn reporting_only(arg: &str) -> bool {
        const FLAGS: &[&str] = &[
            "-q",
            "--quiet",
            "-v",
            "--verbose",
            "-l",
            "--showlocals",
            "--no-showlocals",
            "--no-header",
            "--no-summary",
            "--disable-warnings",
            "--disable-pytest-warnings",
            "-x",
            "--exitfirst",
        ];
        const PREFIXES: &[&str] = &[
            "--junitxml=",
            "--junit-xml=",
            "--junit-prefix=",
            "--durations=",
            "--durations-min=",
            "--tb=",
            "--maxfail=",
            "--verbosity=",
            "--color=",
            "--code-highlight=",
            "--show-capture=",
        ];
        FLAGS.contains(&arg)
            || PREFIXES.iter().any(|p| arg.starts_with(p))
            // `-q`/`-v` repeated or combined (`-qq`, `-vv`), `-r` chars, `-x`.
            || (arg.len() > 1
                && arg.starts_with('-')
                && !arg.starts_with("--")
                && (arg[1..].chars().all(|c| c == 'q') || arg[1..].chars().all(|c| c == 'v')))
            || (arg.starts_with("-r") && arg.len() > 2 && !arg.starts_with("--"))
    }

    /// The pseudo-dependency of every answer: the environment variables (a conftest's
    /// `pytest_generate_tests` may parametrize over one, a module may fail at import
    /// unless one is set, and pytest imports everything again on every run).
    const ENV_DEP: &str = "\u{0}environment";

    /// Environment variables a shell, a terminal or fastest changes between runs without
    /// changing what an import does (a new terminal window or SSH connection would
    /// otherwise start with nothing cached).
    fn volatile_env(name: &str) -> bool {
        matches!(
            name,
            "_" | "OLDPWD"
                | "PWD"
                | "SHLVL"
                | "PYTEST_CURRENT_TEST"
                | "TERM_SESSION_ID"
                | "ITERM_SESSION_ID"
                | "SECURITYSESSIONID"
                | "WINDOWID"
                | "KITTY_WINDOW_ID"
                | "ALACRITTY_WINDOW_ID"
                | "WEZTERM_PANE"
                | "GNOME_TERMINAL_SCREEN"
                | "TMUX_PANE"
                | "SSH_CLIENT"
                | "SSH_CONNECTION"
                | "SSH_TTY"
                | "SSH_AUTH_SOCK"
                | "GPG_TTY"
                | "XDG_SESSION_ID"
                | "INVOCATION_ID"
                | "JOURNAL_STREAM"
        ) || name.starts_with("FASTEST_")
            || name.starts_with("VSCODE_")
    }

    /// A hash of the environment but for its [`volatile_env`] variables.
    pub fn env_hash() -> u64 {
        let mut vars: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os()
            .filter(|(k, _)| !volatile_env(&k.to_string_lossy()))
            .collect();
        vars.sort();
        let mut bytes = Vec::new();
        for (k, v) in &vars {
            bytes.extend_from_slice(k.as_encoded_bytes());
            bytes.push(0);
            bytes.extend_from_slice(v.as_encoded_bytes());
            bytes.push(0);
        }
        fastest_core::discovery::source::content_hash(&bytes)
    }

    fn stat(path: &Path) -> Option<(u64, u64)> {
        if path.as_os_str() == ENV_DEP {
            return Some((env_hash(), 0));
        }
        let m = std::fs::metadata(path).ok()?;
        if m.is_dir() {
            // What pytest finds in a directory is its entries: a test that writes and
            // removes a scratch file there changes the directory's mtime, not them.
            let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(path)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect();
            names.sort();
            let mut bytes = Vec::new();
            for n in &names {
                bytes.extend_from_slice(n.as_encoded_bytes());
                bytes.push(0);
            }
            let hash = fastest_core::discovery::source::content_hash(&bytes);
            return Some((hash, names.len() as u64));
        }
        let mtime = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))?;
        Some((mtime, m.len()))
    }

    /// The key: everything besides file contents that changes pytest's answer.
    /// A hash of the Python side of the import fallback this fastest was built with:
    /// what it records of an item (its run spec, say) changes with it.
    fn collector_hash() -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        include_bytes!("../../../python/fastest/_collect.py").hash(&mut h);
        h.finish()
    }

    fn key(
        host: &Host,
        pytest_args: &[String],
        paths: &[String],
        walked: &[String],
        extra: u64,
    ) -> String {
        // Another fastest may describe the same collection differently (fields added,
        // rules changed): its answers are not this one's.
        let mut k = format!(
            "{}\x1f{:x}\x1f",
            env!("CARGO_PKG_VERSION"),
            collector_hash()
        );
        for part in [host.cwd.to_string_lossy().as_ref(), &host.python_version] {
            k.push_str(part);
            k.push('\x1f');
        }
        if let Some(p) = &host.python {
            k.push_str(&p.to_string_lossy());
        }
        // `python -W error -m fastest`: an import's warnings may be errors.
        for f in fastest_core::interpreter::flags() {
            k.push('\x1d');
            k.push_str(f);
        }
        for v in [
            "PYTEST_ADDOPTS",
            "PYTEST_PLUGINS",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
            "COLUMNS",
        ] {
            k.push('\x1f');
            k.push_str(&std::env::var(v).unwrap_or_default());
        }
        // Unshuffled, a collection answers for every seed (the seed only seeds `random`
        // for what modules draw at import): a session with a new seed each run keeps
        // its answers.
        let unshuffled = pytest_args
            .iter()
            .any(|a| a == "--randomly-dont-reorganize");
        for a in pytest_args
            .iter()
            .filter(|a| !reporting_only(a))
            .filter(|a| !(unshuffled && a.starts_with("--randomly-seed=")))
            .chain(paths)
        {
            k.push('\x1e');
            k.push_str(a);
        }
        for a in walked {
            k.push('\x1b');
            k.push_str(a);
        }
        // Installing or removing packages changes site-packages' mtime.
        for d in &host.sys_path {
            if let Some((m, _)) = stat(d) {
                k.push_str(&format!("\x1d{m}"));
            }
        }
        k.push_str(&format!("\x1c{extra}"));
        format!(
            "{:016x}",
            fastest_core::discovery::source::content_hash(k.as_bytes())
        )
    }

    /// Run the fallback through the cache in `cache_dir`. `extra` folds in what the caller
    /// knows changes collection (e.g. the set of conftests and their content hashes);
    /// `extra_deps` are paths (directories of a whole-session collection) whose
    /// `(mtime, size)` the answer also depends on.
    /// Whether a module the workers found volatile (`fastest._engine.mark_volatile`:
    /// one file per module under `volatile/`, holding its path) is among `paths` (files,
    /// node ids or directories; none: the command line pytest reads, any module).
    fn volatile_requested(dir: &Path, host: &Host, paths: &[String]) -> bool {
        let Ok(entries) = std::fs::read_dir(dir.join("volatile")) else {
            return false;
        };
        let modules: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .map(PathBuf::from)
            .collect();
        if modules.is_empty() {
            return false;
        }
        if paths.is_empty() {
            return true;
        }
        paths.iter().any(|p| {
            let arg = host.cwd.join(p.split("::").next().unwrap_or(p));
            modules.iter().any(|m| m.starts_with(&arg))
        })
    }

    pub fn collect_cached(
        cache_dir: Option<&Path>,
        host: &Host,
        pytest_args: &[String],
        paths: &[String],
        walked: &[String],
        extra: u64,
        extra_deps: &[PathBuf],
    ) -> Result<CollectResult, FallbackError> {
        let Some(dir) = cache_dir else {
            return super::collect(host, pytest_args, paths, walked);
        };
        if volatile_requested(dir, host, paths) {
            // A module whose parametrization changes from one import to the next (a
            // worker found other values than the fallback's): pytest's IDs are this
            // run's, never an earlier answer's.
            tracing::debug!("import fallback not cached: a requested module is volatile");
            return super::collect(host, pytest_args, paths, walked);
        }
        let answers = dir.join(DIR_NAME);
        let _ = std::fs::remove_file(dir.join(OLD_FILE_NAME));
        let k = key(host, pytest_args, paths, walked, extra);
        let file = answers.join(format!("{k}.json"));
        if let Some((deps, result)) = read_entry(&file) {
            let fresh = deps.iter().all(|(p, st)| stat(p) == *st);
            if fresh {
                if let Ok(r) = serde_json::from_slice::<CollectResult>(&result) {
                    tracing::debug!("import fallback answered from the cache");
                    return Ok(r);
                }
            }
        }
        let (result, raw) = super::collect_raw(host, pytest_args, paths, walked)?;
        // A collection error is an answer for the next run only when it is a module
        // that did not import (a missing optional dependency, whose arrival changes the
        // directories searched): any other may come from anything outside the files
        // read (chardet's test module clones its data with git at import), and pytest
        // imports the module again each time.
        let import_errors_only = result.errors.iter().all(|e| {
            e.longrepr
                .starts_with("ImportError while importing test module")
        });
        if result.internal_error.is_none() && import_errors_only {
            let mut deps: Vec<PathBuf> = result.imported_files.clone();
            deps.push(PathBuf::from(ENV_DEP));
            if !result.errors.is_empty() {
                deps.extend(
                    result
                        .search_dirs
                        .iter()
                        .filter(|d| !d.starts_with(dir))
                        .cloned(),
                );
                deps.extend(
                    result
                        .imported_files
                        .iter()
                        .filter_map(|f| f.parent().map(Path::to_path_buf)),
                );
            }
            // Directories pytest entered, files it read and directories it listed. A
            // conftest may let pytest into fastest's own cache, which changes each run and
            // holds nothing pytest collects (rewritten modules are read from there).
            deps.extend(
                result
                    .visited_dirs
                    .iter()
                    .chain(&result.read_paths)
                    .filter(|d| !d.starts_with(dir))
                    .cloned(),
            );
            deps.extend_from_slice(extra_deps);
            for p in paths {
                let file = host.cwd.join(p.split("::").next().unwrap_or(p));
                // Every directory above a collected file may gain a conftest.
                for dir in file.ancestors().skip(1) {
                    deps.push(dir.join("conftest.py"));
                }
                deps.push(file);
            }
            deps.sort();
            deps.dedup();
            let deps: Vec<Dep> = deps.into_iter().map(|p| (p.clone(), stat(&p))).collect();
            if write_entry(&answers, &file, &deps, &raw) {
                evict(&answers);
            } else {
                tracing::warn!("could not write {}", file.display());
            }
        }
        Ok(result)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn an_unshuffled_collection_is_one_answer_for_every_seed() {
            let host = Host {
                cwd: PathBuf::from("/p"),
                python: Some(PathBuf::from("/p/venv/bin/python")),
                python_version: "3.11.7".into(),
                platform: "linux".into(),
                implementation: "cpython".into(),
                sys_path: Vec::new(),
                builtin_modules: Vec::new(),
                hostname: String::new(),
                utc_offset: 0,
                plugins: std::sync::OnceLock::new(),
                blocked: std::sync::OnceLock::new(),
                fixture_plugins: std::sync::OnceLock::new(),
                worker_plugins: std::sync::OnceLock::new(),
            };
            let args = |extra: &[&str]| -> Vec<String> {
                ["--rootdir=/p"]
                    .iter()
                    .chain(extra)
                    .map(|a| a.to_string())
                    .collect()
            };
            let k = |extra: &[&str]| key(&host, &args(extra), &["t.py".into()], &[], 0);
            let unshuffled = ["--randomly-dont-reorganize", "--randomly-seed=1"];
            assert_eq!(
                k(&unshuffled),
                k(&["--randomly-dont-reorganize", "--randomly-seed=2"])
            );
            // Shuffled by the plugin, the order is the seed's.
            assert_ne!(k(&["--randomly-seed=1"]), k(&["--randomly-seed=2"]));
            assert_ne!(k(&unshuffled), k(&["--randomly-seed=1"]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(run: serde_json::Value) -> Item {
        let raw: RawItem = serde_json::from_value(serde_json::json!({
            "nodeid": "t.py::test_a[1-x]",
            "chain": [["Module", "t.py"], ["Function", "test_a[1-x]"]],
            "run": run,
        }))
        .expect("valid item");
        raw.into_item()
    }

    #[test]
    fn run_specs_map_to_the_item_model() {
        let it = item(serde_json::json!({
            "callspec": [["fixture", "fx", 1], ["mark", 0, 2], ["mark", 1, 0, "('a',)"]],
            "external_fixtures": ["tmp_path"],
        }));
        let run = it.run.expect("a run spec");
        assert_eq!(
            run.callspec,
            [
                CallParam::Fixture {
                    name: "fx".into(),
                    set: 1
                },
                CallParam::Mark {
                    mark: 0,
                    set: 2,
                    values: None
                },
                CallParam::Mark {
                    mark: 1,
                    set: 0,
                    values: Some("('a',)".into())
                }
            ]
        );
        assert_eq!(run.external_fixtures, ["tmp_path"]);
    }

    #[test]
    fn missing_or_malformed_run_specs_leave_the_item_to_pytest() {
        assert!(item(serde_json::Value::Null).run.is_none());
        let bad = item(serde_json::json!({"callspec": [["mark", "zero", 0]]}));
        assert!(bad.run.is_none());
        let unknown = item(serde_json::json!({"callspec": [["hook", 0, 0]]}));
        assert!(unknown.run.is_none());
        let short = item(serde_json::json!({"callspec": [["mark", 0]]}));
        assert!(short.run.is_none());
        let long = item(serde_json::json!({"callspec": [["mark", 0, 0, "(1,)", 5]]}));
        assert!(long.run.is_none());
    }
}
