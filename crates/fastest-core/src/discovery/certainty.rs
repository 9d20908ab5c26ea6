//! Facts outside a file that decide whether its source alone proves what pytest collects:
//! whether its module-level imports resolve on the `sys.path` pytest gives it, and whether
//! the marks it uses are registered.
//!
//! pytest imports every test module. `import module_that_does_not_exist` is an
//! `ImportError while importing test module` collection error, and an unregistered
//! `pytest.mark.typo` a `PytestUnknownMarkWarning` (an error under `--strict-markers`);
//! only pytest's own collection prints those, so such a file is uncertain.
//!
//! "Resolves" follows CPython's `PathFinder`/`FileFinder` over directory listings: in each
//! `sys.path` entry, a package directory (with `__init__`) wins over a module file, which
//! wins over a namespace portion (a directory without `__init__`). Each directory is read
//! at most once per run, shared by all worker threads. A name found proves nothing about
//! the module's own imports; a name not found (or found only in ways this module does
//! not model: zip files, import hooks, `sys.path` edits in a conftest) is uncertain,
//! never an error fastest reports itself.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::parse::{BindingKind, Outline};
use super::syntax::{Implementation, ImportRef, Platform, PyVersion, Target, TryRole};
use super::ImportMode;

/// Marks pytest 9.2 registers itself (`pytest --markers` without plugins).
pub const BUILTIN_MARKS: &[&str] = &[
    "filterwarnings",
    "skip",
    "skipif",
    "xfail",
    "parametrize",
    "usefixtures",
    "tryfirst",
    "trylast",
];

/// Everything the certainty checks need beyond the file and its conftests.
#[derive(Debug, Default)]
pub struct Certainty {
    /// The interpreter's version: which syntax compiles.
    pub python: PyVersion,
    /// The interpreter's platform: which `sys.platform` branches run.
    pub platform: Platform,
    /// The interpreter's implementation: which `platform.python_implementation()`
    /// branches run.
    pub implementation: Implementation,
    /// Where imports resolve; `None` skips the import check (unit tests and benches,
    /// which have no interpreter facts).
    pub imports: Option<ImportEnv>,
    /// Registered marks (builtin and the `markers` ini); `None` skips the mark check.
    pub markers: Option<HashSet<String>>,
    /// `(plugin, word)` for each installed plugin whose collection hooks act on the
    /// modules that name the word, or that lie below a conftest naming it (anyio's hook
    /// gives a coroutine test marked `anyio` its module-scoped `anyio_backend`, whose
    /// parameters are the async backends installed): only an import collects such a
    /// module ([`Certainty::named_plugin`]).
    pub plugin_words: Vec<(String, String)>,
    /// `--collect-only`: what a module or conftest warns as it is imported is pytest's
    /// collection's to record (its summary, an `error` filter), with no run's engine
    /// importing it: such a file is collected by import ([`super::parse::Outline::warns_at_import`]).
    pub import_warnings_collected: bool,
    /// The fixtures of the installed plugins the engines load as they are (their
    /// modules' `@pytest.fixture` definitions, in loading order), the outermost
    /// definitions of every test's closure: a test reaching a parametrized one is
    /// collected by import, and one a plugin fixture reaches through its arguments (a
    /// project's override of a fixture the plugin's requests) is in the closure.
    pub plugin_fixtures: Vec<super::parse::Fixture>,
}

impl Certainty {
    /// `ini_markers` are the `markers` ini lines (`"name(args): description"`).
    pub fn new(python: PyVersion, imports: Option<ImportEnv>, ini_markers: &[String]) -> Self {
        let mut markers: HashSet<String> = BUILTIN_MARKS.iter().map(|m| (*m).to_string()).collect();
        for line in ini_markers {
            markers.insert(marker_name(line).to_string());
        }
        Self {
            python,
            platform: Platform::Unknown,
            implementation: Implementation::Unknown,
            imports,
            markers: Some(markers),
            plugin_words: Vec::new(),
            import_warnings_collected: false,
            plugin_fixtures: Vec::new(),
        }
    }

    /// The plugin of [`Certainty::plugin_words`] whose word `source` says, if one does.
    pub fn named_plugin(&self, source: &[u8]) -> Option<&(String, String)> {
        self.plugin_words.iter().find(|(_, word)| {
            let w = word.as_bytes();
            !w.is_empty() && source.windows(w.len()).any(|win| win == w)
        })
    }

    /// The version and platform modules are read for.
    pub fn target(&self) -> Target {
        Target {
            python: self.python,
            platform: self.platform,
            implementation: self.implementation,
        }
    }

    /// A hash of every setting here, for the discovery cache key (directory contents are
    /// not part of it).
    pub fn fingerprint(&self) -> u64 {
        let mut key = format!(
            "{}.{} {:?} {:?}",
            self.python.0, self.python.1, self.platform, self.implementation
        );
        if let Some(env) = &self.imports {
            for p in env.sys_path.iter().chain(&env.pythonpath) {
                key.push('\x1f');
                key.push_str(&p.to_string_lossy());
            }
            let mut b: Vec<&String> = env.builtin_modules.iter().collect();
            b.sort();
            for m in b {
                key.push('\x1e');
                key.push_str(m);
            }
        }
        if let Some(m) = &self.markers {
            let mut m: Vec<&String> = m.iter().collect();
            m.sort();
            for n in m {
                key.push('\x1d');
                key.push_str(n);
            }
        }
        if self.import_warnings_collected {
            key.push_str("\x1bwarnings");
        }
        for (plugin, word) in &self.plugin_words {
            key.push('\x1c');
            key.push_str(plugin);
            key.push('=');
            key.push_str(word);
        }
        for fx in &self.plugin_fixtures {
            key.push('\x1a');
            key.push_str(&format!("{fx:?}"));
        }
        super::source::content_hash(key.as_bytes())
    }

    /// Whether a parsed module (imported by pytest as a test or doctest module) can be
    /// collected from its source: its imports resolve, its marks are registered, and the
    /// same holds for the conftests loaded before it. `conftests` are outermost first.
    /// The helper modules beside the tests it imports are checked too, and go to `deps`.
    pub fn check_file(
        &self,
        path: &Path,
        mode: ImportMode,
        conftests: &[(&Path, &Outline)],
        outline: &Outline,
        deps: &mut Vec<PathBuf>,
    ) -> Result<(), String> {
        if let Some(known) = &self.markers {
            // A conftest's marks are evaluated when it is imported, before its own
            // `pytest_configure` runs: only the conftests above it have registered theirs.
            for (i, (cpath, c)) in conftests.iter().enumerate() {
                for name in &c.mark_names {
                    let registered = known.contains(name)
                        || conftests[..i]
                            .iter()
                            .any(|(_, above)| above.registered_markers.iter().any(|m| m == name));
                    if !registered {
                        return Err(format!(
                            "{}: mark `{name}` is not registered",
                            cpath.display()
                        ));
                    }
                }
            }
            for name in &outline.mark_names {
                let registered = known.contains(name)
                    || conftests
                        .iter()
                        .any(|(_, c)| c.registered_markers.iter().any(|m| m == name));
                if !registered {
                    // pytest warns PytestUnknownMarkWarning (fails under --strict-markers).
                    return Err(format!("mark `{name}` is not registered"));
                }
            }
        }
        let Some(env) = &self.imports else {
            return Ok(());
        };
        for (i, (cpath, coutline)) in conftests.iter().enumerate() {
            env.conftest_verdict(cpath, mode, &conftests[..i], coutline)?;
        }
        let conftest_paths: Vec<&Path> = conftests.iter().map(|(p, _)| *p).collect();
        // Importing `pkg.sub.test_x` first runs `pkg/__init__.py` and `pkg/sub/__init__.py`.
        let dir = path.parent().unwrap_or(Path::new(""));
        for pkg in env.package_dirs(dir) {
            self.package_init_verdict(env, &pkg, mode, &conftest_paths)?;
        }
        env.check_imports(path, mode, &conftest_paths, &outline.imports)?;
        env.check_helpers(
            path,
            mode,
            &conftest_paths,
            &outline.imports,
            Follow {
                target: self.target(),
                // A run's engine reports a module that fails to import as it imports
                // it; a collection's report is pytest's collection's.
                packages: self.import_warnings_collected,
            },
            deps,
        )
    }

    /// Whether `from module import name` in the module at `path` binds the submodule
    /// `module.name` (a module object, which pytest never collects): it exists on the
    /// module's search path, and the package's `__init__.py` binds nothing under that
    /// name itself (no definition, assignment, star import or module `__getattr__`).
    /// `false` whenever that cannot be told (no import facts, a relative import).
    pub fn binds_submodule(
        &self,
        path: &Path,
        mode: ImportMode,
        conftests: &[&Path],
        module: &str,
        name: &str,
    ) -> bool {
        let Some(env) = &self.imports else {
            return false;
        };
        if module.is_empty() || module.starts_with('.') || name.contains('.') {
            return false;
        }
        let paths = env.search_path(path, mode, conftests);
        let parts: Vec<&str> = module.split('.').collect();
        match env.locate(&parts, &paths) {
            Some(Found::Package(dir)) => {
                if !env.resolve(&[name], std::slice::from_ref(&dir)) {
                    return false;
                }
                let Ok(src) = std::fs::read(dir.join("__init__.py")) else {
                    return false;
                };
                init_leaves_name_alone(&src, name, self.target())
            }
            Some(Found::Namespace(portions)) => env.resolve(&[name], &portions),
            _ => false,
        }
    }

    /// Whether pytest may find another module already imported under the name it imports
    /// `path` as (prepend/append): a top-level name the interpreter has compiled in or
    /// finds in another `sys.path` entry (the standard library, site-packages) may be in
    /// `sys.modules` before collection, and pytest then reports `import file mismatch`.
    pub fn check_own_name(&self, path: &Path, mode: ImportMode) -> Result<(), String> {
        if mode == ImportMode::Importlib {
            return Ok(());
        }
        let Some(env) = &self.imports else {
            return Ok(());
        };
        let base = env.basedir(path);
        let Some(first) = path
            .strip_prefix(&base)
            .ok()
            .and_then(|rel| rel.components().next())
        else {
            return Ok(());
        };
        let first = first.as_os_str().to_string_lossy();
        let top = first.strip_suffix(".py").unwrap_or(&first);
        // CPython's regression-test package `test` is imported by nothing a session
        // loads (pytest, plugins, libraries): a project's own `test` package is the one
        // pytest imports under that name.
        let stdlib_only = NEVER_PRELOADED_STDLIB.contains(&top);
        let stdlib = env.stdlib_dir().map(Path::to_path_buf);
        let elsewhere = || {
            let others: Vec<PathBuf> = env
                .sys_path
                .iter()
                .filter(|p| **p != base && !(stdlib_only && stdlib.as_ref() == Some(*p)))
                .cloned()
                .collect();
            matches!(
                env.find(top, &others),
                Some(Found::Module | Found::Package(_))
            )
        };
        if env.builtin_modules.contains(top) || elsewhere() {
            return Err(format!(
                "module name '{top}' is also importable from the interpreter's sys.path"
            ));
        }
        Ok(())
    }

    /// Whether importing the package whose directory is `dir` can fail or warn: its
    /// `__init__.py` parses, does nothing at import time that ends collection, uses
    /// registered marks (builtin or ini: which conftest imported it first is not known)
    /// and imports what resolves. Checked once per run.
    fn package_init_verdict(
        &self,
        env: &ImportEnv,
        dir: &Path,
        mode: ImportMode,
        conftests: &[&Path],
    ) -> Result<(), String> {
        if let Ok(map) = env.inits.lock() {
            if let Some(v) = map.get(dir) {
                return v.clone();
            }
        }
        let init = dir.join("__init__.py");
        let v = match std::fs::read(&init) {
            Err(e) => Err(format!("unreadable: {e}")),
            Ok(bytes) => {
                let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
                if std::str::from_utf8(text).is_err() {
                    Err("not valid UTF-8".to_string())
                } else {
                    let o = super::parse::parse_outline_for(text, false, self.target());
                    match (&o.import_hazard, &self.markers) {
                        (Some(h), _) => Err(h.clone()),
                        (None, Some(known)) if o.mark_names.iter().any(|m| !known.contains(m)) => {
                            Err("uses an unregistered mark".to_string())
                        }
                        _ => env.check_imports(&init, mode, conftests, &o.imports),
                    }
                }
            }
        }
        .map_err(|e| format!("{}: {e}", init.display()));
        if let Ok(mut map) = env.inits.lock() {
            map.insert(dir.to_path_buf(), v.clone());
        }
        v
    }
}

/// pytest's `line.split(":")[0].split("(")[0].strip()`.
pub fn marker_name(line: &str) -> &str {
    let head = line.split(':').next().unwrap_or("");
    head.split('(').next().unwrap_or("").trim()
}

/// What a directory entry offers to `import name`.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// `name.py`, `name.pyc`, or an extension module for this interpreter.
    module: bool,
    /// `name/` (a package or a namespace portion).
    dir: bool,
    /// `name.py` itself (pytest's package test looks for `__init__.py` only).
    py_source: bool,
}

#[derive(Debug, Default)]
struct Listing {
    entries: HashMap<String, Entry>,
    /// setuptools editable installs: `__editable___*_finder.py` maps top-level names to
    /// source paths through a meta-path finder (active when its `.pth` is present).
    editable: Vec<(String, PathBuf)>,
}

/// A resolved module.
enum Found {
    Module,
    Package(PathBuf),
    Namespace(Vec<PathBuf>),
}

/// Standard-library top-level names no session imports before collecting (see
/// `Certainty::check_own_name`).
const NEVER_PRELOADED_STDLIB: &[&str] = &["test"];

/// The interpreter's import facts and a per-run cache of directory listings.
#[derive(Debug, Default)]
pub struct ImportEnv {
    /// `sys.path` without the current directory's entry (the `pytest` script does not
    /// put it there).
    pub sys_path: Vec<PathBuf>,
    /// `sys.builtin_module_names`: compiled in, not on any path.
    pub builtin_modules: HashSet<String>,
    /// The `pythonpath` ini entries, absolute; pytest puts them first on `sys.path`.
    pub pythonpath: Vec<PathBuf>,
    /// Extension-module tags this interpreter loads (`cpython-311`, `cp311`).
    ext_tags: Vec<String>,
    listings: Mutex<HashMap<PathBuf, Arc<Listing>>>,
    conftests: Mutex<HashMap<PathBuf, Result<(), String>>>,
    /// Verdicts on package `__init__.py` files, by directory.
    inits: Mutex<HashMap<PathBuf, Result<(), String>>>,
    editable: OnceLock<Vec<(String, PathBuf)>>,
    /// Modules other than test files read for the classes a test module takes from
    /// them (`None`: unreadable), by file.
    modules: Mutex<HashMap<PathBuf, Option<Arc<Outline>>>>,
    /// Verdicts on the helper modules beside tests ([`ImportEnv::follow_helper`]), with
    /// the helpers each one imports in turn, by file.
    helpers: Mutex<HashMap<PathBuf, HelperVerdict>>,
}

/// A helper module's verdict and the helpers its imports read in turn.
type HelperVerdict = (Result<(), String>, Vec<PathBuf>);

impl ImportEnv {
    pub fn new(
        python: PyVersion,
        sys_path: Vec<PathBuf>,
        builtin_modules: HashSet<String>,
        pythonpath: Vec<PathBuf>,
    ) -> Self {
        Self {
            sys_path,
            builtin_modules,
            pythonpath,
            ext_tags: vec![
                format!("cpython-{}{}", python.0, python.1),
                format!("cp{}{}", python.0, python.1),
            ],
            ..Self::default()
        }
    }

    fn listing(&self, dir: &Path) -> Arc<Listing> {
        if let Ok(map) = self.listings.lock() {
            if let Some(l) = map.get(dir) {
                return Arc::clone(l);
            }
        }
        // Read outside the lock; a rare duplicate read by another thread is harmless.
        let l = Arc::new(self.read_listing(dir));
        if let Ok(mut map) = self.listings.lock() {
            return Arc::clone(map.entry(dir.to_path_buf()).or_insert(l));
        }
        l
    }

    fn read_listing(&self, dir: &Path) -> Listing {
        let mut out = Listing::default();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return out;
        };
        let mut finders: Vec<String> = Vec::new();
        let mut editable_pth = false;
        for e in rd.flatten() {
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let Ok(ft) = e.file_type() else { continue };
            let (is_dir, is_file) = if ft.is_symlink() {
                match std::fs::metadata(e.path()) {
                    Ok(m) => (m.is_dir(), m.is_file()),
                    Err(_) => continue,
                }
            } else {
                (ft.is_dir(), ft.is_file())
            };
            if is_dir {
                out.entries.entry(name).or_default().dir = true;
                continue;
            }
            if !is_file {
                continue;
            }
            if name.starts_with("__editable__") && name.ends_with(".pth") {
                editable_pth = true;
            }
            if name.starts_with("__editable___") && name.ends_with("_finder.py") {
                finders.push(name.clone());
            }
            if let Some(stem) = self.module_stem(&name) {
                let e = out.entries.entry(stem.to_string()).or_default();
                e.module = true;
                e.py_source |= name.ends_with(".py");
            }
        }
        if editable_pth {
            for f in finders {
                if let Ok(text) = std::fs::read_to_string(dir.join(&f)) {
                    out.editable.extend(editable_mapping(&text));
                }
            }
        }
        out
    }

    /// The module name a file in a `sys.path` directory provides, if any.
    fn module_stem<'n>(&self, name: &'n str) -> Option<&'n str> {
        if let Some(stem) = name
            .strip_suffix(".py")
            .or_else(|| name.strip_suffix(".pyc"))
        {
            return (!stem.contains('.')).then_some(stem);
        }
        let rest = name
            .strip_suffix(".so")
            .or_else(|| name.strip_suffix(".pyd"))?;
        let (stem, tag) = match rest.split_once('.') {
            Some((s, t)) => (s, Some(t)),
            None => (rest, None),
        };
        let ok = match tag {
            None => true,
            Some("abi3") => true,
            Some(t) => self
                .ext_tags
                .iter()
                .any(|p| t == p || t.starts_with(&format!("{p}-"))),
        };
        ok.then_some(stem)
    }

    fn is_package(&self, dir: &Path) -> bool {
        self.listing(dir)
            .entries
            .get("__init__")
            .is_some_and(|e| e.module)
    }

    /// CPython's `PathFinder` for one name over `paths`.
    fn find(&self, name: &str, paths: &[PathBuf]) -> Option<Found> {
        let mut portions = Vec::new();
        for d in paths {
            let l = self.listing(d);
            let Some(e) = l.entries.get(name) else {
                continue;
            };
            if e.dir && self.is_package(&d.join(name)) {
                return Some(Found::Package(d.join(name)));
            }
            if e.module {
                return Some(Found::Module);
            }
            if e.dir {
                portions.push(d.join(name));
            }
        }
        if portions.is_empty() {
            None
        } else {
            Some(Found::Namespace(portions))
        }
    }

    /// The names setuptools editable finders map (meta-path finders, consulted after
    /// the path finder), from the `sys.path` directories.
    fn editable(&self) -> &[(String, PathBuf)] {
        self.editable.get_or_init(|| {
            self.sys_path
                .iter()
                .flat_map(|d| self.listing(d).editable.clone())
                .collect()
        })
    }

    /// Resolve dotted `parts` starting from `paths`.
    fn resolve(&self, parts: &[&str], paths: &[PathBuf]) -> bool {
        self.locate(parts, paths).is_some()
    }

    /// What dotted `parts` resolve to, starting from `paths`.
    fn locate(&self, parts: &[&str], paths: &[PathBuf]) -> Option<Found> {
        let (first, rest) = parts.split_first()?;
        let mut found = self.find(first, paths);
        if found.is_none() && paths.iter().any(|p| self.sys_path.contains(p)) {
            found = self
                .editable()
                .iter()
                .find(|(n, _)| n == first)
                .map(|(_, p)| {
                    if p.is_dir() {
                        Found::Package(p.clone())
                    } else {
                        Found::Module
                    }
                });
        }
        match (found, rest.is_empty()) {
            (None, _) | (Some(Found::Module), false) => None,
            (Some(f), true) => Some(f),
            (Some(Found::Package(p)), false) => self.locate(rest, &[p]),
            (Some(Found::Namespace(ps)), false) => self.locate(rest, &ps),
        }
    }

    /// The source file dotted `parts` name, starting from `paths`: `name.py`, or a
    /// package's `__init__.py` (`None` for a namespace package, an extension module or
    /// a module only a compiled file provides).
    pub(crate) fn module_file(&self, parts: &[&str], paths: &[PathBuf]) -> Option<PathBuf> {
        let (last, pkg) = parts.split_last()?;
        let dirs: Vec<PathBuf> = if pkg.is_empty() {
            paths.to_vec()
        } else {
            match self.locate(pkg, paths)? {
                Found::Package(p) => vec![p],
                Found::Namespace(ps) => ps,
                Found::Module => return None,
            }
        };
        for d in &dirs {
            let l = self.listing(d);
            let Some(e) = l.entries.get(*last) else {
                continue;
            };
            if e.dir && self.is_package(&d.join(last)) {
                let init = d.join(last).join("__init__.py");
                let source = self
                    .listing(&d.join(last))
                    .entries
                    .get("__init__")
                    .is_some_and(|e| e.py_source);
                return source.then_some(init);
            }
            if e.module {
                return e.py_source.then(|| d.join(format!("{last}.py")));
            }
            if e.dir {
                // A namespace portion: a later directory's module does not win.
                return None;
            }
        }
        if pkg.is_empty() && paths.iter().any(|p| self.sys_path.contains(p)) {
            // setuptools editable installs map a top-level name to its source.
            let (_, p) = self.editable().iter().find(|(n, _)| n == last)?;
            let file = if p.is_dir() {
                p.join("__init__.py")
            } else {
                p.clone()
            };
            return file.is_file().then_some(file);
        }
        None
    }

    /// The parsed outline of a module read for its classes, once per run.
    pub(crate) fn module_outline(&self, file: &Path, target: Target) -> Option<Arc<Outline>> {
        if let Ok(map) = self.modules.lock() {
            if let Some(o) = map.get(file) {
                return o.clone();
            }
        }
        let outline = std::fs::read(file)
            .ok()
            .filter(|src| std::str::from_utf8(src).is_ok())
            .map(|src| Arc::new(super::parse::parse_outline_for(&src, false, target)));
        if let Ok(mut map) = self.modules.lock() {
            map.insert(file.to_path_buf(), outline.clone());
        }
        outline
    }

    /// The standard library's directory (`.../lib/python3.X`) among `sys.path`.
    pub(crate) fn stdlib_dir(&self) -> Option<&Path> {
        self.sys_path
            .iter()
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_stdlib_name)
            })
            .map(PathBuf::as_path)
    }

    /// The directories of a module's package, innermost first (prepend/append modes),
    /// for its relative imports.
    pub(crate) fn packages_of(&self, file: &Path) -> Vec<PathBuf> {
        self.package_dirs(file.parent().unwrap_or(Path::new("")))
    }

    /// The `sys.path` a module sees when pytest imports it (conftests outermost first).
    pub(crate) fn search_path(
        &self,
        file: &Path,
        mode: ImportMode,
        conftests: &[&Path],
    ) -> Vec<PathBuf> {
        let mut out = Vec::with_capacity(self.sys_path.len() + conftests.len() + 4);
        let inserted = || {
            // Each conftest, then the module, inserts its basedir: the latest is first.
            let mut v: Vec<PathBuf> = vec![self.basedir(file)];
            v.extend(conftests.iter().rev().map(|c| self.basedir(c)));
            v
        };
        if mode == ImportMode::Prepend {
            out.extend(inserted());
        }
        out.extend(self.pythonpath.iter().cloned());
        out.extend(self.sys_path.iter().cloned());
        if mode == ImportMode::Append {
            let mut v = inserted();
            v.reverse();
            out.extend(v);
        }
        out
    }

    /// Whether every import in `imports` resolves for the module at `file`.
    pub fn check_imports(
        &self,
        file: &Path,
        mode: ImportMode,
        conftests: &[&Path],
        imports: &[ImportRef],
    ) -> Result<(), String> {
        if imports.is_empty() {
            return Ok(());
        }
        let paths = self.search_path(file, mode, conftests);
        // `try` groups with an attempt that may fail: their handlers' imports run.
        let failing: HashSet<u32> = imports
            .iter()
            .filter_map(|imp| match imp.role {
                TryRole::Attempt(g) => self.check_import(file, mode, &paths, imp).err().map(|_| g),
                _ => None,
            })
            .collect();
        for imp in imports {
            match imp.role {
                TryRole::Always => self.check_import(file, mode, &paths, imp)?,
                TryRole::Fallback(g) if failing.contains(&g) => {
                    self.check_import(file, mode, &paths, imp)?;
                }
                TryRole::Fallback(_) | TryRole::Attempt(_) => {}
            }
        }
        Ok(())
    }

    /// The helper modules the module at `file` imports unconditionally (a plain
    /// `helpers.py` in the directory pytest puts first on `sys.path` for it or for one
    /// of its conftests: factory_boy's example test imports `demoapp`, which imports
    /// flask): their own imports must resolve too, or pytest's import of the test module
    /// fails. Each helper read goes to `deps` (the verdict changes with it). Packages and
    /// installed modules are not followed: a helper module beside the tests is what
    /// tests import from their own directory, and few files.
    pub(crate) fn check_helpers(
        &self,
        file: &Path,
        mode: ImportMode,
        conftests: &[&Path],
        imports: &[ImportRef],
        follow: Follow,
        deps: &mut Vec<PathBuf>,
    ) -> Result<(), String> {
        if mode == ImportMode::Importlib || imports.is_empty() {
            return Ok(());
        }
        let mut dirs: Vec<PathBuf> = vec![self.basedir(file)];
        dirs.extend(conftests.iter().map(|c| self.basedir(c)));
        let paths = self.search_path(file, mode, conftests);
        for imp in imports {
            if imp.role != TryRole::Always {
                continue;
            }
            if imp.level > 0 {
                // `from . import helper`: a module of the test's own package.
                for helper in self.relative_helpers(file, imp) {
                    self.follow_helper_file(helper, paths.as_slice(), &dirs, mode, follow, deps)?;
                }
                continue;
            }
            self.follow_helper(imp, &paths, &dirs, mode, follow, deps)?;
        }
        Ok(())
    }

    /// The plain modules (`name.py`, not packages) a relative import in the module at
    /// `file` names, inside its package: `from . import a, b` names `a.py` and `b.py`
    /// (those that exist: another name is one `__init__.py` binds), `from .x.y import
    /// z` names `x/y.py`. None when the import leaves the package (its own check
    /// reports that).
    fn relative_helpers(&self, file: &Path, imp: &ImportRef) -> Vec<PathBuf> {
        let Ok(pkg) = self.relative_package(file, imp.level) else {
            return Vec::new();
        };
        let modules: Vec<PathBuf> = if imp.module.is_empty() {
            imp.names
                .iter()
                .map(|n| pkg.join(format!("{n}.py")))
                .collect()
        } else {
            let rel: PathBuf = imp.module.split('.').collect();
            vec![pkg.join(rel).with_extension("py")]
        };
        modules.into_iter().filter(|m| m.is_file()).collect()
    }

    /// [`ImportEnv::check_helpers`] for the import `imp`: the helper it names, its
    /// imports checked (each helper once per run) and the helpers they import in turn.
    /// With `follow.packages`, a package beside the tests too: each package on the
    /// dotted way, the module at its end, and the submodules `from pkg import sub` names.
    fn follow_helper(
        &self,
        imp: &ImportRef,
        paths: &[PathBuf],
        dirs: &[PathBuf],
        mode: ImportMode,
        follow: Follow,
        deps: &mut Vec<PathBuf>,
    ) -> Result<(), String> {
        let module = imp.module.as_str();
        if module.is_empty() || (module.contains('.') && !follow.packages) {
            return Ok(());
        }
        let parts: Vec<&str> = module.split('.').collect();
        let Some(first) = self.module_file(&parts[..1], paths) else {
            return Ok(());
        };
        let package = first.file_name().is_some_and(|n| n == "__init__.py");
        if package && !follow.packages {
            return Ok(());
        }
        let home = if package {
            first.parent().and_then(Path::parent)
        } else {
            first.parent()
        };
        let beside = home.is_some_and(|h| dirs.iter().any(|x| x == h))
            && !self.sys_path.iter().any(|p| first.starts_with(p));
        if !beside {
            return Ok(());
        }
        let mut last = first.clone();
        self.follow_helper_file(first, paths, dirs, mode, follow, deps)?;
        for k in 2..=parts.len() {
            let Some(f) = self.module_file(&parts[..k], paths) else {
                // A name the package binds otherwise (or a missing one, which the
                // import check reports).
                return Ok(());
            };
            last = f.clone();
            self.follow_helper_file(f, paths, dirs, mode, follow, deps)?;
        }
        if last.file_name().is_some_and(|n| n == "__init__.py") {
            for name in &imp.names {
                let mut sub = parts.clone();
                sub.push(name);
                if let Some(f) = self.module_file(&sub, paths) {
                    self.follow_helper_file(f, paths, dirs, mode, follow, deps)?;
                }
            }
        }
        Ok(())
    }

    /// [`ImportEnv::follow_helper`] once the helper's file is found.
    fn follow_helper_file(
        &self,
        helper: PathBuf,
        paths: &[PathBuf],
        dirs: &[PathBuf],
        mode: ImportMode,
        follow: Follow,
        deps: &mut Vec<PathBuf>,
    ) -> Result<(), String> {
        deps.push(helper.clone());
        if let Ok(map) = self.helpers.lock() {
            if let Some((verdict, read)) = map.get(&helper) {
                deps.extend(read.iter().cloned());
                return verdict.clone();
            }
        }
        // A cycle of helpers ends at the one being checked, in this thread's walk: a
        // mark in the shared map would answer another thread's check of the same helper
        // before its verdict is known (files checked in parallel saw an unimportable
        // helper as fine, now and then).
        let entered = HELPERS_VISITING.with(|v| v.borrow_mut().insert(helper.clone()));
        if !entered {
            return Ok(());
        }
        let mut read = Vec::new();
        let verdict = match self.module_outline(&helper, follow.target) {
            None => Err("unreadable or not valid UTF-8".to_string()),
            Some(o) => o
                .import_hazard
                .clone()
                .or_else(|| {
                    follow
                        .packages
                        .then(|| o.warns_at_import.clone().or_else(|| o.reads_files.clone()))
                        .flatten()
                })
                .map_or(Ok(()), Err)
                .and_then(|()| self.check_imports(&helper, mode, &[], &o.imports))
                .and_then(|()| {
                    o.imports
                        .iter()
                        .filter(|i| i.role == TryRole::Always)
                        .try_for_each(|i| {
                            if i.level == 0 {
                                return self.follow_helper(i, paths, dirs, mode, follow, &mut read);
                            }
                            self.relative_helpers(&helper, i)
                                .into_iter()
                                .try_for_each(|h| {
                                    self.follow_helper_file(h, paths, dirs, mode, follow, &mut read)
                                })
                        })
                }),
        }
        .map_err(|e| format!("{}: {e}", helper.display()));
        // Each helper once: through a package whose modules import each other, the
        // paths to a helper multiply (2^n for n modules each importing all before it).
        let mut seen = HashSet::new();
        read.retain(|p| seen.insert(p.clone()));
        HELPERS_VISITING.with(|v| v.borrow_mut().remove(&helper));
        if let Ok(mut map) = self.helpers.lock() {
            map.insert(helper.clone(), (verdict.clone(), read.clone()));
        }
        deps.extend(read);
        verdict
    }

    /// Whether the one import `imp` resolves for the module at `file` (`paths`: its
    /// search path).
    fn check_import(
        &self,
        file: &Path,
        mode: ImportMode,
        paths: &[PathBuf],
        imp: &ImportRef,
    ) -> Result<(), String> {
        if imp.level > 0 {
            return self.check_relative(file, mode, imp);
        }
        if imp.module == "__future__" {
            return Ok(());
        }
        let parts: Vec<&str> = imp.module.split('.').collect();
        let Some(top) = parts.first() else {
            return Ok(());
        };
        if self.builtin_modules.contains(*top) {
            if parts.len() == 1 {
                return Ok(());
            }
            return Err(unresolved(imp));
        }
        // `os.path` is `posixpath`/`ntpath`, put in `sys.modules` by `os`.
        if parts.as_slice() == ["os", "path"] {
            if self.resolve(&["os"], paths) {
                return Ok(());
            }
            return Err(unresolved(imp));
        }
        if self.resolve(&parts, paths) {
            Ok(())
        } else {
            Err(unresolved(imp))
        }
    }

    /// The directory a relative import of `level` dots in the module at `file` starts
    /// from: its package is the directory chain pytest derives its name from
    /// (prepend/append), and each level up must stay inside it (`Err`: why not).
    fn relative_package(&self, file: &Path, level: u32) -> Result<PathBuf, &'static str> {
        let mut pkg = file.parent().map(Path::to_path_buf);
        for _ in 1..level {
            pkg = pkg.and_then(|p| p.parent().map(Path::to_path_buf));
        }
        let file_dir = file.parent().unwrap_or(Path::new(""));
        let top_pkg = self.package_dirs(file_dir);
        match pkg.filter(|p| top_pkg.iter().any(|d| d == p)) {
            Some(pkg) => Ok(pkg),
            None if top_pkg.is_empty() => Err("relative import in a module outside any package"),
            None => Err("relative import beyond the top-level package"),
        }
    }

    /// `from .x import y`: resolved from [`ImportEnv::relative_package`].
    fn check_relative(&self, file: &Path, mode: ImportMode, imp: &ImportRef) -> Result<(), String> {
        if mode == ImportMode::Importlib {
            // The module's name (and so its package) depends on importlib-mode details.
            return Err(format!(
                "relative import under --import-mode=importlib (line {})",
                imp.line
            ));
        }
        let pkg = self
            .relative_package(file, imp.level)
            .map_err(|what| format!("{what} (line {})", imp.line))?;
        let dirs = [pkg];
        if imp.module.is_empty() {
            // `from . import a`: a submodule, or a name `__init__` defines (not provable).
            for n in &imp.names {
                if !self.resolve(&[n.as_str()], &dirs) {
                    return Err(unresolved(imp));
                }
            }
            return Ok(());
        }
        let parts: Vec<&str> = imp.module.split('.').collect();
        if self.resolve(&parts, &dirs) {
            Ok(())
        } else {
            Err(unresolved(imp))
        }
    }

    /// A conftest's own imports, checked once per run.
    fn conftest_verdict(
        &self,
        path: &Path,
        mode: ImportMode,
        above: &[(&Path, &Outline)],
        outline: &Outline,
    ) -> Result<(), String> {
        if let Ok(map) = self.conftests.lock() {
            if let Some(v) = map.get(path) {
                return v.clone();
            }
        }
        let above_paths: Vec<&Path> = above.iter().map(|(p, _)| *p).collect();
        let v = self
            .check_imports(path, mode, &above_paths, &outline.imports)
            .map_err(|e| format!("{}: {e}", path.display()));
        if let Ok(mut map) = self.conftests.lock() {
            map.insert(path.to_path_buf(), v.clone());
        }
        v
    }
}

/// Whether a package's `__init__.py` leaves attribute `name` to its submodule: no
/// top-level binding of that name other than importing the submodule itself (`from .
/// import name`), no star import and no module `__getattr__`, and nothing it could not
/// read (a name bound in a block fastest cannot follow).
fn init_leaves_name_alone(src: &[u8], name: &str, target: Target) -> bool {
    let outline = super::parse::parse_outline_for(src, false, target);
    if !outline.star_imports.is_empty() || !outline.uncertain.is_empty() {
        return false;
    }
    outline.bindings.iter().all(|b| {
        b.name != "__getattr__"
            && (b.name != name
                || matches!(&b.kind, BindingKind::Import { module, name: n, plain: false }
                    if module == "." && n == name))
    })
}

fn unresolved(imp: &ImportRef) -> String {
    let dots = ".".repeat(usize::try_from(imp.level).unwrap_or(0));
    format!(
        "`{dots}{}` may not be importable (line {})",
        imp.module, imp.line
    )
}

impl ImportEnv {
    /// pytest's `resolve_package_path`: the directories from `dir` upward that hold an
    /// `__init__.py` and have identifier names, innermost first (from the cached
    /// listings: one read per directory per run, not a stat per file).
    fn package_dirs(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            let name_ok = d
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_identifier);
            let has_init = self
                .listing(d)
                .entries
                .get("__init__")
                .is_some_and(|e| e.py_source);
            if !name_ok || !has_init {
                break;
            }
            out.push(d.to_path_buf());
            cur = d.parent();
        }
        out
    }

    /// The directory prepend/append mode puts on `sys.path` for a module: the parent of
    /// its top package, or its own directory.
    fn basedir(&self, file: &Path) -> PathBuf {
        let dir = file.parent().unwrap_or(Path::new(""));
        match self.package_dirs(dir).last() {
            Some(top) => top.parent().unwrap_or(Path::new("")).to_path_buf(),
            None => dir.to_path_buf(),
        }
    }
}

/// `python3.11` and the like: the standard library's directory name.
fn is_stdlib_name(n: &str) -> bool {
    n.strip_prefix("python3.")
        .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// `MAPPING: dict[str, str] = {'pkg': '/src/pkg', ...}` from a setuptools finder.
fn editable_mapping(text: &str) -> Vec<(String, PathBuf)> {
    let Some(at) = text.find("MAPPING") else {
        return Vec::new();
    };
    let rest = &text[at..];
    let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    let body = &rest[open + 1..close];
    let strings: Vec<&str> = body
        .split(['\'', '"'])
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    strings
        .chunks(2)
        .filter_map(|kv| match kv {
            [k, v] if !v.contains('\\') => Some(((*k).to_string(), PathBuf::from(v))),
            _ => None,
        })
        .collect()
}

thread_local! {
    /// The helpers [`ImportEnv::follow_helper_file`] is checking on this thread (the
    /// import chain being followed), which a cycle returns to.
    static HELPERS_VISITING: std::cell::RefCell<HashSet<PathBuf>> =
        std::cell::RefCell::new(HashSet::new());
}

/// How far [`ImportEnv::check_helpers`] follows a test module's imports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Follow {
    /// The interpreter the helpers are parsed for.
    pub target: Target,
    /// Packages beside the tests too (their `__init__.py`, the submodules imported),
    /// not only plain helper modules; and what a helper does as it is imported that
    /// pytest's collection shows (a warning, a file read that may fail): under
    /// `--collect-only`, whose report is pytest's collection's.
    pub packages: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }

    fn imp(module: &str, level: u32, names: &[&str]) -> ImportRef {
        ImportRef {
            level,
            module: module.into(),
            names: names.iter().map(|s| (*s).to_string()).collect(),
            line: 1,
            role: TryRole::Always,
        }
    }

    fn env(site: &Path) -> ImportEnv {
        ImportEnv::new(
            PyVersion(3, 11),
            vec![site.to_path_buf()],
            ["sys".to_string(), "itertools".to_string()].into(),
            Vec::new(),
        )
    }

    #[test]
    fn absolute_imports_follow_the_path_finder() {
        let t = tempfile::tempdir().unwrap();
        let site = t.path().join("site");
        touch(&site.join("six.py"));
        touch(&site.join("pkg/__init__.py"));
        touch(&site.join("pkg/sub.py"));
        touch(&site.join("ns/part.py"));
        touch(&site.join("_ext.cpython-311-x86_64-linux-gnu.so"));
        touch(&site.join("_old.cpython-39-x86_64-linux-gnu.so"));
        let tests = t.path().join("tests");
        let file = tests.join("test_x.py");
        touch(&file);
        touch(&tests.join("helper.py"));
        let e = env(&site);
        let ok = |m: &str, mode| e.check_imports(&file, mode, &[], &[imp(m, 0, &[])]).is_ok();
        for m in [
            "six",
            "pkg",
            "pkg.sub",
            "ns",
            "ns.part",
            "_ext",
            "sys",
            "itertools",
            "helper",
        ] {
            assert!(ok(m, ImportMode::Prepend), "{m}");
        }
        for m in ["nope", "pkg.nope", "six.moves", "_old", "sys.x", "ns.nope"] {
            assert!(!ok(m, ImportMode::Prepend), "{m}");
        }
        // importlib mode does not put the test's directory on sys.path.
        assert!(!ok("helper", ImportMode::Importlib));
        assert!(ok("helper", ImportMode::Append));
    }

    #[test]
    fn handler_imports_count_only_when_an_attempt_may_fail() {
        let t = tempfile::tempdir().unwrap();
        let site = t.path().join("site");
        touch(&site.join("six.py"));
        let file = t.path().join("tests/test_x.py");
        touch(&file);
        let e = env(&site);
        let role = |m: &str, role| ImportRef {
            role,
            ..imp(m, 0, &[])
        };
        let check =
            |imports: &[ImportRef]| e.check_imports(&file, ImportMode::Prepend, &[], imports);
        // `try: import six` / `except ImportError: import mock`: the handler never runs.
        assert!(check(&[
            role("six", TryRole::Attempt(1)),
            role("mock", TryRole::Fallback(1))
        ])
        .is_ok());
        // An attempt that may fail: the handler's import must resolve.
        let err = check(&[
            role("six", TryRole::Attempt(1)),
            role("nope", TryRole::Attempt(1)),
            role("mock", TryRole::Fallback(1)),
        ])
        .unwrap_err();
        assert!(err.contains("`mock` may not be importable"), "{err}");
        assert!(check(&[
            role("nope", TryRole::Attempt(1)),
            role("six", TryRole::Fallback(1))
        ])
        .is_ok());
        // Groups are separate: another group's failing attempt runs only its handler.
        assert!(check(&[
            role("six", TryRole::Attempt(1)),
            role("mock", TryRole::Fallback(1)),
            role("nope", TryRole::Attempt(2)),
            role("six", TryRole::Fallback(2)),
        ])
        .is_ok());
        assert!(check(&[role("mock", TryRole::Always)]).is_err());
    }

    #[test]
    fn submodules_bound_by_from_imports_are_module_objects() {
        let t = tempfile::tempdir().unwrap();
        let site = t.path().join("site");
        let write = |rel: &str, text: &str| {
            let p = site.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "quiet/__init__.py",
            "from .core import App\n__version__ = '1'\n",
        );
        write("quiet/testing/__init__.py", "");
        write("named/__init__.py", "from . import testing\n");
        write("named/testing.py", "");
        write("shadow/__init__.py", "def testing():\n    pass\n");
        write("shadow/testing.py", "");
        write("star/__init__.py", "from .api import *\n");
        write("star/testing.py", "");
        write(
            "lazy/__init__.py",
            "def __getattr__(name):\n    return len\n",
        );
        write("lazy/testing.py", "");
        write("ns/testing.py", "");
        write("plain.py", "");
        let file = t.path().join("tests/test_x.py");
        touch(&file);
        let c = Certainty::new(PyVersion::MIN, Some(env(&site)), &[]);
        let sub = |m: &str, n: &str| c.binds_submodule(&file, ImportMode::Prepend, &[], m, n);
        assert!(sub("quiet", "testing"));
        assert!(sub("named", "testing"));
        assert!(sub("ns", "testing"));
        for (m, n) in [
            ("quiet", "test_missing"),
            ("shadow", "testing"),
            ("star", "testing"),
            ("lazy", "testing"),
            ("plain", "testing"),
            ("nope", "testing"),
            (".", "testing"),
        ] {
            assert!(!sub(m, n), "{m}.{n}");
        }
        // Without import facts nothing is known.
        let blind = Certainty::new(PyVersion::MIN, None, &[]);
        assert!(!blind.binds_submodule(&file, ImportMode::Prepend, &[], "quiet", "testing"));
    }

    #[test]
    fn relative_imports_stay_inside_the_package() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        touch(&root.join("tests/__init__.py"));
        touch(&root.join("tests/unit/__init__.py"));
        touch(&root.join("tests/unit/test_a.py"));
        touch(&root.join("tests/unit/helpers.py"));
        touch(&root.join("tests/common/__init__.py"));
        touch(&root.join("plain/test_b.py"));
        let e = env(&t.path().join("site"));
        let a = root.join("tests/unit/test_a.py");
        let check = |f: &Path, i: ImportRef| e.check_imports(f, ImportMode::Prepend, &[], &[i]);
        assert!(check(&a, imp("", 1, &["helpers"])).is_ok());
        assert!(check(&a, imp("helpers", 1, &["x"])).is_ok());
        assert!(check(&a, imp("common", 2, &["x"])).is_ok());
        assert!(check(&a, imp("", 1, &["missing"])).is_err());
        assert!(check(&a, imp("x", 3, &["y"])).is_err());
        // The package chain puts `root` (the basedir) on sys.path.
        assert!(check(&a, imp("tests.unit.helpers", 0, &[])).is_ok());
        assert!(check(&root.join("plain/test_b.py"), imp("", 1, &["x"])).is_err());
        assert!(e
            .check_imports(&a, ImportMode::Importlib, &[], &[imp("", 1, &["helpers"])])
            .is_err());
    }

    #[test]
    fn conftest_basedirs_are_on_the_path() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        touch(&root.join("conftest.py"));
        touch(&root.join("mylib/__init__.py"));
        touch(&root.join("tests/test_a.py"));
        let e = env(&t.path().join("site"));
        let file = root.join("tests/test_a.py");
        let c = root.join("conftest.py");
        let i = [imp("mylib", 0, &[])];
        assert!(e
            .check_imports(&file, ImportMode::Prepend, &[&c], &i)
            .is_ok());
        assert!(e
            .check_imports(&file, ImportMode::Prepend, &[], &i)
            .is_err());
        assert!(e
            .check_imports(&file, ImportMode::Importlib, &[&c], &i)
            .is_err());
    }

    #[test]
    fn package_inits_run_on_import() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("good")).unwrap();
        std::fs::create_dir_all(root.join("bad")).unwrap();
        std::fs::create_dir_all(root.join("boom")).unwrap();
        std::fs::write(root.join("good/__init__.py"), "import os\n").unwrap();
        std::fs::write(root.join("bad/__init__.py"), "import nope_not_here\n").unwrap();
        std::fs::write(root.join("boom/__init__.py"), "raise RuntimeError('x')\n").unwrap();
        let site = t.path().join("site");
        touch(&site.join("os.py"));
        let c = Certainty::new(PyVersion::MIN, Some(env(&site)), &[]);
        let o = Outline::default();
        let check = |d: &str| {
            c.check_file(
                &root.join(d).join("test_a.py"),
                ImportMode::Prepend,
                &[],
                &o,
                &mut Vec::new(),
            )
        };
        assert!(check("good").is_ok());
        assert!(check("bad").is_err());
        assert!(check("boom").is_err());
    }

    #[test]
    fn own_names_found_elsewhere_may_be_imported_already() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let site = t.path().join("site");
        touch(&site.join("numbers.py"));
        touch(&site.join("json/__init__.py"));
        touch(&site.join("nspkg/part.py"));
        for f in [
            "numbers.py",
            "sys.py",
            "calc.py",
            "json/__init__.py",
            "json/x.py",
            "mylib/__init__.py",
            "mylib/numbers.py",
            "nspkg.py",
        ] {
            touch(&root.join(f));
        }
        let c = Certainty::new(PyVersion::MIN, Some(env(&site)), &[]);
        let check = |f: &str, mode| c.check_own_name(&root.join(f), mode);
        let prepend = ImportMode::Prepend;
        assert!(check("numbers.py", prepend).is_err());
        assert!(check("sys.py", prepend).is_err());
        assert!(check("json/x.py", prepend).is_err());
        assert!(check("json/__init__.py", prepend).is_err());
        assert!(check("calc.py", prepend).is_ok());
        // Inside a package the top-level name is the package's.
        assert!(check("mylib/numbers.py", prepend).is_ok());
        // A namespace portion elsewhere does not win over a module on sys.path[0].
        assert!(check("nspkg.py", prepend).is_ok());
        assert!(check("numbers.py", ImportMode::Importlib).is_ok());
    }

    #[test]
    fn a_test_package_hides_cpythons_regression_tests_only() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let stdlib = t.path().join("lib").join("python3.11");
        let site = stdlib.join("site-packages");
        touch(&stdlib.join("test/__init__.py"));
        touch(&stdlib.join("json/__init__.py"));
        for f in [
            "test/__init__.py",
            "test/test_a.py",
            "json/__init__.py",
            "json/test_b.py",
        ] {
            touch(&root.join(f));
        }
        let env = ImportEnv::new(
            PyVersion(3, 11),
            vec![stdlib.clone(), site.clone()],
            HashSet::new(),
            Vec::new(),
        );
        let c = Certainty::new(PyVersion::MIN, Some(env), &[]);
        let check = |f: &str| c.check_own_name(&root.join(f), ImportMode::Prepend);
        assert!(check("test/test_a.py").is_ok());
        assert!(check("json/test_b.py").is_err());
        // A `test` package installed in site-packages may be imported by anything.
        touch(&site.join("test/__init__.py"));
        let env = ImportEnv::new(
            PyVersion(3, 11),
            vec![stdlib, site],
            HashSet::new(),
            Vec::new(),
        );
        let c = Certainty::new(PyVersion::MIN, Some(env), &[]);
        assert!(c
            .check_own_name(&root.join("test/test_a.py"), ImportMode::Prepend)
            .is_err());
    }

    #[test]
    fn editable_finder_mapping() {
        let text = "MAPPING: dict[str, str] = {'shopcart': '/src/shopcart', \"x\": \"/y\"}\nNAMESPACES = {}\n";
        assert_eq!(
            editable_mapping(text),
            [
                ("shopcart".to_string(), PathBuf::from("/src/shopcart")),
                ("x".to_string(), PathBuf::from("/y"))
            ]
        );
    }

    /// `check_file` of a test module at `file` whose source is `src` (prepend mode, no
    /// conftests): the verdict and the files it read, sorted.
    fn checked(c: &Certainty, file: &Path, src: &str) -> (Result<(), String>, Vec<PathBuf>) {
        let o = super::super::parse::parse_outline(src.as_bytes(), false);
        let mut deps = Vec::new();
        let v = c.check_file(file, ImportMode::Prepend, &[], &o, &mut deps);
        deps.sort();
        (v, deps)
    }

    #[test]
    fn helpers_beside_the_tests_must_import_too() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let site = t.path().join("site");
        touch(&site.join("os.py"));
        touch(&site.join("installed.py"));
        std::fs::create_dir_all(&root).unwrap();
        // factory_boy's example: the test imports `demoapp`, which imports flask.
        std::fs::write(
            root.join("demoapp.py"),
            "import os\nfrom flask import Flask\n",
        )
        .unwrap();
        std::fs::write(root.join("good.py"), "import os\nimport other\n").unwrap();
        // Helpers importing each other; one of them takes a missing module in a `try`.
        std::fs::write(
            root.join("other.py"),
            "import good\ntry:\n    import nope\nexcept ImportError:\n    nope = None\n",
        )
        .unwrap();
        std::fs::write(root.join("deep.py"), "import good\nimport demoapp\n").unwrap();
        let c = Certainty::new(PyVersion::MIN, Some(env(&site)), &[]);
        let check = |module: &str| {
            let (v, mut deps) = checked(&c, &root.join("test_a.py"), &format!("import {module}\n"));
            deps.dedup();
            (v, deps)
        };
        let (v, deps) = check("demoapp");
        assert!(v.is_err_and(|e| e.contains("demoapp.py") && e.contains("flask")));
        assert_eq!(deps, vec![root.join("demoapp.py")]);
        let (v, deps) = check("good");
        assert!(v.is_ok(), "{v:?}");
        assert_eq!(deps, vec![root.join("good.py"), root.join("other.py")]);
        assert!(check("deep").0.is_err());
        // An installed module is not followed.
        assert_eq!(check("installed"), (Ok(()), Vec::new()));
        // Under importlib nothing is put on `sys.path` for the test: not followed either.
        let o = super::super::parse::parse_outline(b"import os\n", false);
        assert!(c
            .check_file(
                &root.join("test_a.py"),
                ImportMode::Importlib,
                &[],
                &o,
                &mut Vec::new()
            )
            .is_ok());
    }

    #[test]
    fn helpers_of_the_tests_package_must_import_too() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let pkg = root.join("pkg");
        let site = t.path().join("site");
        touch(&site.join("os.py"));
        touch(&pkg.join("__init__.py"));
        // requests-oauthlib's examples: `from . import base`, which imports selenium.
        std::fs::write(
            pkg.join("base.py"),
            "import os
import selenium
",
        )
        .unwrap();
        std::fs::write(
            pkg.join("ok.py"),
            "import os
from .sub.leaf import x
",
        )
        .unwrap();
        touch(&pkg.join("sub").join("__init__.py"));
        std::fs::write(
            pkg.join("sub").join("leaf.py"),
            "from .. import base
",
        )
        .unwrap();
        std::fs::write(
            pkg.join("fine.py"),
            "import os
",
        )
        .unwrap();
        let c = Certainty::new(PyVersion::MIN, Some(env(&site)), &[]);
        let check = |src: &str| checked(&c, &pkg.join("test_a.py"), src);
        let (v, deps) = check(
            "from . import base
",
        );
        assert!(v.is_err_and(|e| e.contains("base.py") && e.contains("selenium")));
        assert_eq!(deps, vec![pkg.join("base.py")]);
        // Followed through a helper's own relative import, two levels down and up.
        assert!(check(
            "from .ok import y
"
        )
        .0
        .is_err());
        let (v, deps) = check(
            "from . import fine
from .fine import z
",
        );
        assert!(v.is_ok(), "{v:?}");
        assert_eq!(deps, vec![pkg.join("fine.py"), pkg.join("fine.py")]);
    }

    #[test]
    fn marks_must_be_registered() {
        let c = Certainty::new(
            PyVersion::MIN,
            None,
            &["slow: slow tests".into(), "device(serial): x".into()],
        );
        let mut o = Outline {
            mark_names: vec!["slow".into(), "device".into(), "parametrize".into()],
            ..Outline::default()
        };
        let p = Path::new("/x/test_a.py");
        assert!(c
            .check_file(p, ImportMode::Prepend, &[], &o, &mut Vec::new())
            .is_ok());
        o.mark_names.push("typo".into());
        assert!(c
            .check_file(p, ImportMode::Prepend, &[], &o, &mut Vec::new())
            .is_err());
        let conftest = Outline {
            registered_markers: vec!["typo".into()],
            ..Outline::default()
        };
        let cp = Path::new("/x/conftest.py");
        assert!(c
            .check_file(
                p,
                ImportMode::Prepend,
                &[(cp, &conftest)],
                &o,
                &mut Vec::new()
            )
            .is_ok());
    }
}
