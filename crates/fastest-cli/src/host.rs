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
    pub sys_path: Vec<PathBuf>,
    /// `sys.builtin_module_names`: modules compiled into the interpreter (importable
    /// although no `sys.path` entry holds them).
    pub builtin_modules: Vec<String>,
    /// `platform.node()`: junitxml's `hostname`.
    pub hostname: String,
    /// The local time's offset from UTC in seconds: junitxml's `timestamp`.
    pub utc_offset: i64,
    /// [`Host::pytest11_plugins`], read once per invocation (several steps ask).
    pub(crate) plugins: std::sync::OnceLock<Vec<(String, String)>>,
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
            sys_path: Vec::new(),
            builtin_modules: Vec::new(),
            hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_default(),
            utc_offset: 0,
            plugins: std::sync::OnceLock::new(),
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

    fn dist_version(&self, project: &str) -> Option<String> {
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

    /// Installed distributions that register `pytest11` entry points: (project, version).
    /// The dist-info directories are read on the first call only.
    pub fn pytest11_plugins(&self) -> Vec<(String, String)> {
        self.plugins
            .get_or_init(|| self.scan_pytest11_plugins())
            .clone()
    }

    fn scan_pytest11_plugins(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for dir in &self.sys_path {
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Some(rest) = name.strip_suffix(".dist-info") else {
                    continue;
                };
                let eps = e.path().join("entry_points.txt");
                if !has_pytest11(&eps) {
                    continue;
                }
                let (p, v) = rest.split_once('-').unwrap_or((rest, ""));
                let project = read_project_name(&e.path()).unwrap_or_else(|| p.replace('_', "-"));
                if !out.iter().any(|(n, _)| n == &project) {
                    out.push((project, v.to_string()));
                }
            }
        }
        out
    }
}

fn has_pytest11(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.lines().any(|l| l.trim() == "[pytest11]"))
}

fn read_project_name(dist_info: &Path) -> Option<String> {
    let meta = std::fs::read_to_string(dist_info.join("METADATA")).ok()?;
    meta.lines()
        .find_map(|l| l.strip_prefix("Name: ").map(|s| s.trim().to_string()))
}
