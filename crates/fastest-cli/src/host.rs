//! Facts about the interpreter fastest serves: its path, version, platform and `sys.path`,
//! and what is installed there (pytest's and pluggy's versions and `pytest11` plugins for
//! the header), read from `*.dist-info` directories without importing anything.

use std::path::{Path, PathBuf};

/// The Python side of an invocation.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub cwd: PathBuf,
    /// The interpreter running fastest (`sys.executable`).
    pub python: Option<PathBuf>,
    /// `sys.version_info` as `3.11.7`.
    pub python_version: String,
    /// `sys.platform`.
    pub platform: String,
    /// `sys.implementation.name` (`cpython`, `pypy`).
    pub implementation: String,
    pub sys_path: Vec<PathBuf>,
    /// `sys.builtin_module_names`: modules compiled into the interpreter (importable
    /// although no `sys.path` entry holds them).
    pub builtin_modules: Vec<String>,
    /// `platform.node()`: junitxml's `hostname`.
    pub hostname: String,
    /// The local time's offset from UTC in seconds: junitxml's `timestamp`.
    pub utc_offset: i64,
    /// Installed `pytest11` distributions with their entry-point names, read once per
    /// invocation (several steps ask).
    pub(crate) plugins: std::sync::OnceLock<Vec<Plugin>>,
    /// Entry-point names `-p no:NAME` blocks: those plugins never load, so they are not
    /// installed as far as the session is concerned (set once by `prepare`).
    pub(crate) blocked: std::sync::OnceLock<Vec<String>>,
    /// Installed plugins that only provide fixtures (see
    /// `invocation::fixture_plugins`), worked out once per invocation.
    pub(crate) fixture_plugins: std::sync::OnceLock<Vec<FixturePlugin>>,
    /// Installed plugins the workers' pytest engine runs as they are (see
    /// `invocation::worker_plugins`), worked out once per invocation.
    pub(crate) worker_plugins: std::sync::OnceLock<Vec<FixturePlugin>>,
}

/// An installed plugin whose modules provide nothing but fixtures (and markers): the
/// native engine loads them and stands in for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixturePlugin {
    pub project: String,
    /// The modules its entry points load.
    pub modules: Vec<String>,
    /// The markers their `pytest_configure` registers.
    pub markers: Vec<String>,
    /// The ini keys their `pytest_addoption` registers (`None`: computed names).
    pub ini_keys: Option<Vec<String>>,
    /// They add lines to pytest's header (`pytest_report_header`).
    pub header: bool,
}

/// pytest's `default_plugins`: registered under these names before the `pytest11`
/// entry points load.
pub const PYTEST_DEFAULT_PLUGINS: &[&str] = &[
    "mark",
    "main",
    "runner",
    "fixtures",
    "helpconfig",
    "python",
    "terminal",
    "debugging",
    "unittest",
    "capture",
    "skipping",
    "legacypath",
    "tmpdir",
    "monkeypatch",
    "recwarn",
    "pastebin",
    "assertion",
    "junitxml",
    "doctest",
    "cacheprovider",
    "setuponly",
    "setupplan",
    "stepwise",
    "unraisableexception",
    "threadexception",
    "warnings",
    "logging",
    "reports",
    "faulthandler",
    "subtests",
];

/// A distribution that registers `pytest11` entry points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub project: String,
    pub version: String,
    /// The names under `[pytest11]`: what `-p no:NAME` matches.
    pub entry_points: Vec<String>,
    /// What each of them loads (`module.path`, or `module:attr`), in the same order.
    pub targets: Vec<String>,
    /// Its `*.dist-info` (or `*.egg-info`) directory.
    pub dist_info: PathBuf,
}

impl Host {
    /// Build from the environment alone (Rust tests, benches): `FASTEST_PYTHON` or `python3`.
    pub fn from_env(cwd: PathBuf) -> Self {
        let python = std::env::var_os("FASTEST_PYTHON")
            .map(PathBuf::from)
            .or_else(|| Some(PathBuf::from("python3")));
        Self {
            cwd,
            python,
            python_version: String::new(),
            platform: std::env::consts::OS.to_string(),
            implementation: String::new(),
            sys_path: Vec::new(),
            builtin_modules: Vec::new(),
            hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_default(),
            utc_offset: 0,
            plugins: std::sync::OnceLock::new(),
            blocked: std::sync::OnceLock::new(),
            fixture_plugins: std::sync::OnceLock::new(),
            worker_plugins: std::sync::OnceLock::new(),
        }
    }

    /// Whether the interpreter has `-P` (Python 3.11+).
    pub fn supports_safe_path(&self) -> bool {
        let mut it = self
            .python_version
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0));
        matches!((it.next(), it.next()), (Some(3), Some(m)) if m >= 11)
    }

    /// The installed pytest's version (`pytest.__version__`), from its `.dist-info`.
    pub fn pytest_version(&self) -> Option<String> {
        self.dist_version("pytest")
    }

    /// An installed distribution's version, from its `.dist-info` directory.
    pub(crate) fn dist_version(&self, project: &str) -> Option<String> {
        for dir in &self.sys_path {
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(rest) = name.strip_suffix(".dist-info") {
                    if let Some((p, v)) = rest.split_once('-') {
                        if p.eq_ignore_ascii_case(project) {
                            return Some(v.to_string());
                        }
                    }
                }
            }
        }
        None
    }

    /// `platform linux -- Python 3.11.7, pytest-9.2.0, pluggy-1.7.0`.
    pub fn platform_line(&self) -> String {
        let pytest = self.dist_version("pytest").unwrap_or_else(|| "?".into());
        let pluggy = self.dist_version("pluggy").unwrap_or_else(|| "?".into());
        format!(
            "platform {} -- Python {}, pytest-{pytest}, pluggy-{pluggy}",
            self.platform, self.python_version
        )
    }

    /// `plugins: xdist-3.8.0, timeout-2.4.0` from installed `pytest11` entry points.
    pub fn plugins_line(&self) -> Option<String> {
        let plugins = self.pytest11_plugins();
        if plugins.is_empty() {
            None
        } else {
            Some(
                plugins
                    .iter()
                    .map(|(n, v)| format!("{}-{v}", n.strip_prefix("pytest-").unwrap_or(n)))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
    }

    /// Installed distributions that register `pytest11` entry points: (project, version),
    /// without those whose every entry point `-p no:NAME` blocks. The dist-info
    /// directories are read on the first call only.
    pub fn pytest11_plugins(&self) -> Vec<(String, String)> {
        let blocked = self.blocked.get().map(Vec::as_slice).unwrap_or_default();
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .iter()
            .filter(|p| {
                p.entry_points.is_empty() || !p.entry_points.iter().all(|e| blocked.contains(e))
            })
            .map(|p| (p.project.clone(), p.version.clone()))
            .collect()
    }

    /// Every installed plugin's `pytest11` entry-point names, blocked or not.
    pub fn pytest11_entry_points(&self) -> Vec<String> {
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .iter()
            .flat_map(|p| p.entry_points.iter().cloned())
            .collect()
    }

    /// Every installed plugin's metadata directory, blocked or not: pytest marks the
    /// modules of each for assertion rewriting before it loads any plugin.
    pub fn pytest11_dists(&self) -> Vec<PathBuf> {
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .iter()
            .map(|p| p.dist_info.clone())
            .collect()
    }

    /// The modules every installed plugin's entry points load, blocked or not (the
    /// module part of each [`Plugin::targets`] entry).
    pub fn pytest11_modules(&self) -> Vec<String> {
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .iter()
            .flat_map(|p| p.targets.iter())
            .map(|t| t.split(':').next().unwrap_or(t).trim().to_string())
            .collect()
    }

    /// What the installed plugin `project`'s entry points load (see [`Plugin::targets`]).
    pub fn plugin_targets(&self, project: &str) -> Vec<String> {
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .iter()
            .find(|p| p.project == project)
            .map(|p| p.targets.clone())
            .unwrap_or_default()
    }

    /// The source file of module `dotted` on `sys.path` (`a/b.py` or `a/b/__init__.py`
    /// under the first entry holding it), without importing anything.
    pub fn module_file(&self, dotted: &str) -> Option<PathBuf> {
        let find = |base: PathBuf| {
            [base.with_extension("py"), base.join("__init__.py")]
                .into_iter()
                .find(|p| p.is_file())
        };
        let rel: PathBuf = dotted.split('.').collect();
        if let Some(found) = self.sys_path.iter().find_map(|dir| find(dir.join(&rel))) {
            return Some(found);
        }
        // A setuptools editable install maps top-level packages to their source in a
        // finder module (`MAPPING = {'pkg': '/src/pkg'}`) instead of a `sys.path` entry.
        let (top, rest) = dotted.split_once('.').unwrap_or((dotted, ""));
        let rest: PathBuf = rest.split('.').filter(|p| !p.is_empty()).collect();
        self.sys_path.iter().find_map(|dir| {
            let entries = std::fs::read_dir(dir).ok()?;
            entries.flatten().find_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                if !(name.starts_with("__editable__") && name.ends_with("_finder.py")) {
                    return None;
                }
                let text = std::fs::read_to_string(e.path()).ok()?;
                let mapped = editable_mapping(&text, top)?;
                let base = PathBuf::from(mapped);
                if rest.as_os_str().is_empty() {
                    find(base.clone()).or_else(|| base.is_file().then_some(base))
                } else {
                    find(base.join(&rest))
                }
            })
        })
    }

    /// Record the plugin names `-p no:NAME` blocks (only the first call counts).
    pub fn block_plugins(&self, names: Vec<String>) {
        let _ = self.blocked.set(names);
    }

    /// The installed plugins in `importlib.metadata`'s order, which is pytest's loading
    /// order: `sys.path` entries in turn, in each its `*.dist-info` directories, then its
    /// `*.egg-info` ones (legacy `setup.py develop` installs, a source tree's own
    /// metadata); a project found again later is the first one's.
    fn scan_pytest11_plugins(&self) -> Vec<Plugin> {
        let mut out: Vec<Plugin> = Vec::new();
        for dir in &self.sys_path {
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            let names: Vec<(String, PathBuf)> = rd
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect();
            for (suffix, meta) in [(".dist-info", "METADATA"), (".egg-info", "PKG-INFO")] {
                for (name, path) in &names {
                    let Some(rest) = name.strip_suffix(suffix) else {
                        continue;
                    };
                    let Some(pairs) = pytest11_entry_points(&path.join("entry_points.txt")) else {
                        continue;
                    };
                    // pluggy skips an entry point named as a plugin already registered:
                    // pytest's own default plugins are, before any entry point loads
                    // (pytest-subtests' `subtests`, now pytest's, is never loaded).
                    let pairs: Vec<(String, String)> = pairs
                        .into_iter()
                        .filter(|(n, _)| !PYTEST_DEFAULT_PLUGINS.contains(&n.as_str()))
                        .collect();
                    if pairs.is_empty() {
                        continue;
                    }
                    let (entry_points, targets) = pairs.into_iter().unzip();
                    let (p, v) = rest.split_once('-').unwrap_or((rest, ""));
                    let fields = read_metadata(&path.join(meta));
                    let project = fields.0.unwrap_or_else(|| p.replace('_', "-"));
                    let version = fields
                        .1
                        .unwrap_or_else(|| v.split('-').next().unwrap_or_default().to_string());
                    if !out.iter().any(|o| o.project == project) {
                        out.push(Plugin {
                            project,
                            version,
                            entry_points,
                            targets,
                            dist_info: path.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

/// The `(name, target)` pairs of an `entry_points.txt`'s `[pytest11]` section; `None`
/// without one.
fn pytest11_entry_points(path: &Path) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines().map(str::trim);
    lines.find(|l| *l == "[pytest11]")?;
    Some(
        lines
            .take_while(|l| !l.starts_with('['))
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(name, target)| (name.trim().to_string(), target.trim().to_string()))
            })
            .filter(|(name, _)| !name.is_empty())
            .collect(),
    )
}

/// The path a setuptools editable finder's `MAPPING` gives package `top`.
fn editable_mapping(text: &str, top: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("MAPPING"))?;
    let body = line.split_once('{')?.1.rsplit_once('}')?.0;
    body.split(',').find_map(|pair| {
        let (k, v) = pair.split_once(':')?;
        let unquote = |s: &str| {
            let s = s.trim();
            (s.len() >= 2 && (s.starts_with('\'') || s.starts_with('"')))
                .then(|| s[1..s.len() - 1].to_string())
        };
        (unquote(k)? == top).then(|| unquote(v)).flatten()
    })
}

/// The `Name:` and `Version:` of a distribution's metadata file (`METADATA`,
/// `PKG-INFO`): its header, up to the first empty line.
fn read_metadata(file: &Path) -> (Option<String>, Option<String>) {
    let Ok(meta) = std::fs::read_to_string(file) else {
        return (None, None);
    };
    let header = meta.lines().take_while(|l| !l.trim().is_empty());
    let (mut name, mut version) = (None, None);
    for l in header {
        if let Some(n) = l.strip_prefix("Name:") {
            name.get_or_insert_with(|| n.trim().to_string());
        } else if let Some(v) = l.strip_prefix("Version:") {
            version.get_or_insert_with(|| v.trim().to_string());
        }
    }
    (name, version)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn editable_finders_map_packages_to_their_source() {
        let text = "import sys\nMAPPING: dict[str, str] = {'faker': '/src/faker', 'other': '/x/other'}\nNAMESPACES = {}\n";
        assert_eq!(
            editable_mapping(text, "faker").as_deref(),
            Some("/src/faker")
        );
        assert_eq!(editable_mapping(text, "other").as_deref(), Some("/x/other"));
        assert_eq!(editable_mapping(text, "nope"), None);
    }

    #[test]
    fn pytest11_section_names_are_read_up_to_the_next_section() {
        let dir = std::env::temp_dir().join(format!("fastest-host-ep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("entry_points.txt");
        std::fs::write(
            &path,
            "[console_scripts]\nx = y:z\n\n[pytest11]\nrandomly = pytest_randomly\n cov=pytest_cov.plugin \n\n[other]\nq = r\n",
        )
        .unwrap();
        assert_eq!(
            pytest11_entry_points(&path),
            Some(vec![
                ("randomly".to_string(), "pytest_randomly".to_string()),
                ("cov".to_string(), "pytest_cov.plugin".to_string())
            ])
        );
        std::fs::write(&path, "[console_scripts]\nx = y:z\n").unwrap();
        assert_eq!(pytest11_entry_points(&path), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn egg_info_plugins_count_after_each_directorys_dist_info_ones() {
        let t = tempfile::tempdir().unwrap();
        let (first, second) = (t.path().join("src"), t.path().join("site"));
        let dist = |dir: &Path, name: &str, meta: &str, text: &str, ep: &str| {
            let d = dir.join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(meta), text).unwrap();
            std::fs::write(d.join("entry_points.txt"), format!("[pytest11]\n{ep}\n")).unwrap();
        };
        dist(
            &first,
            "myplug.egg-info",
            "PKG-INFO",
            "Metadata-Version: 2.1\nName: my-plug\nVersion: 0.1\n",
            "myplug = myplug",
        );
        dist(
            &first,
            "xdist_like-3.8.0.dist-info",
            "METADATA",
            "Name: xdist-like\nVersion: 3.8.0\n",
            "xl = xl.plugin",
        );
        // The same project again further down `sys.path`: the first one stands.
        dist(
            &second,
            "my_plug-0.2.dist-info",
            "METADATA",
            "Name: my-plug\nVersion: 0.2\n",
            "myplug = myplug",
        );
        // An egg-info without entry points is no plugin.
        std::fs::create_dir_all(second.join("other.egg-info")).unwrap();
        // Entry points named as pytest's own plugins never load: all of them, no plugin;
        // some, the others only.
        dist(
            &second,
            "pytest_subtests-0.15.0.dist-info",
            "METADATA",
            "Name: pytest-subtests\nVersion: 0.15.0\n",
            "subtests = pytest_subtests.plugin",
        );
        dist(
            &second,
            "both-1.0.dist-info",
            "METADATA",
            "Name: both\nVersion: 1.0\n",
            "logging = both.logs\nboth = both.plugin",
        );
        let mut host = Host::from_env(PathBuf::from("/"));
        host.sys_path = vec![first, second];
        assert_eq!(
            host.pytest11_plugins(),
            vec![
                ("xdist-like".to_string(), "3.8.0".to_string()),
                ("my-plug".to_string(), "0.1".to_string()),
                ("both".to_string(), "1.0".to_string())
            ]
        );
        assert_eq!(host.plugin_targets("my-plug"), vec!["myplug".to_string()]);
        assert_eq!(host.plugin_targets("both"), vec!["both.plugin".to_string()]);
        assert!(host.plugin_targets("pytest-subtests").is_empty());
    }

    #[test]
    fn a_plugin_whose_entry_points_are_all_blocked_is_not_installed() {
        let host = Host::from_env(PathBuf::from("/"));
        let _ = host.plugins.set(vec![
            Plugin {
                project: "pytest-randomly".into(),
                version: "5.1.0".into(),
                entry_points: vec!["randomly".into()],
                targets: vec!["pytest_randomly".into()],
                dist_info: PathBuf::new(),
            },
            Plugin {
                project: "pytest-xdist".into(),
                version: "3.8.0".into(),
                entry_points: vec!["xdist".into(), "xdist.looponfail".into()],
                targets: vec!["xdist.plugin".into(), "xdist.looponfail".into()],
                dist_info: PathBuf::new(),
            },
        ]);
        host.block_plugins(vec!["randomly".into(), "xdist".into()]);
        assert_eq!(
            host.pytest11_plugins(),
            vec![("pytest-xdist".to_string(), "3.8.0".to_string())]
        );
    }
}
