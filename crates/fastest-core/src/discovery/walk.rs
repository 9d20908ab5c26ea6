//! pytest's directory walk: entries sorted by name (files and directories interleaved,
//! `__init__.py` first inside a package), the `pytest_ignore_collect` rules (`__pycache__`,
//! `collect_ignore[_glob]` from conftests, `--ignore[-glob]`, virtualenvs,
//! `norecursedirs`), conftests parsed as the walk reaches them, and symlink loops cut.
//! pytest does not read `.gitignore`; neither does this walk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::parse::Outline;
use super::{dir_chain, outline_of, DiscoveryOptions};
use crate::glob;
use crate::item::{ChainNode, NodeKind};

/// What a collected file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A test module (`python_files` matched or given explicitly), maybe also doctests.
    Module,
    /// A `.py` file collected only for its doctests (`--doctest-modules`).
    DoctestModuleOnly,
    /// A text file matching `--doctest-glob`.
    DoctestText,
}

/// A file to collect, with the conftests that apply to it.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Whether its docstrings are collected too (`--doctest-modules`).
    pub doctest: bool,
    /// Indices into [`Walked::conftests`], outermost first.
    pub conftests: Vec<usize>,
    /// The `Dir`/`Package` nodes from the rootdir down to the file's directory.
    pub dir_chain: Arc<Vec<ChainNode>>,
    pub mtime_ns: u64,
    pub size: u64,
}

/// A parsed conftest.
#[derive(Debug)]
pub struct Conftest {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub outline: Outline,
    /// Content hash: part of the cache key of every file below it.
    pub hash: u64,
}

/// The walk's result: files in collection order and every conftest seen.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileEntry>,
    pub conftests: Vec<Conftest>,
}

struct Walker<'a> {
    opts: &'a DiscoveryOptions,
    out: Walked,
    /// Directories whose conftest was already looked up: dir → conftest index.
    loaded: std::collections::HashMap<PathBuf, Option<usize>>,
    seen_files: HashSet<PathBuf>,
}

/// Walk every argument in order.
pub fn walk(opts: &DiscoveryOptions) -> Walked {
    let mut w = Walker {
        opts,
        out: Walked::default(),
        loaded: std::collections::HashMap::new(),
        seen_files: HashSet::new(),
    };
    for arg in &opts.args {
        if arg.is_dir() {
            let stack = w.conftest_chain(arg.parent().unwrap_or(arg));
            let mut active = HashSet::new();
            // The chain above the argument's own directory node.
            let above = if arg == &opts.rootdir {
                Vec::new()
            } else {
                dir_chain(opts, arg)
            };
            w.walk_dir(arg, &stack, &mut active, &Arc::new(above));
        } else {
            let stack = w.conftest_chain(arg.parent().unwrap_or(arg));
            let chain = Arc::new(dir_chain(opts, arg));
            if let Ok(meta) = std::fs::metadata(arg) {
                w.file(arg, &stack, true, &chain, &meta);
            }
        }
    }
    w.out
}

impl Walker<'_> {
    /// Conftest indices for every directory from the top down to `dir` (inclusive).
    fn conftest_chain(&mut self, dir: &Path) -> Vec<usize> {
        let mut dirs: Vec<&Path> = dir.ancestors().collect();
        dirs.reverse();
        dirs.into_iter()
            .filter_map(|d| self.conftest_of(d))
            .collect()
    }

    fn conftest_of(&mut self, dir: &Path) -> Option<usize> {
        if self.opts.noconftest {
            return None;
        }
        if let Some(cut) = &self.opts.confcutdir {
            // Conftests above the confcutdir are not loaded.
            if !dir.starts_with(cut) {
                return None;
            }
        }
        if let Some(v) = self.loaded.get(dir) {
            return *v;
        }
        let path = dir.join("conftest.py");
        let idx = if path.is_file() {
            let (outline, hash) = outline_of(&path, self.opts.use_mmap);
            self.out.conftests.push(Conftest {
                path,
                dir: dir.to_path_buf(),
                outline,
                hash,
            });
            Some(self.out.conftests.len() - 1)
        } else {
            None
        };
        self.loaded.insert(dir.to_path_buf(), idx);
        idx
    }

    fn walk_dir(
        &mut self,
        dir: &Path,
        parent_stack: &[usize],
        active: &mut HashSet<PathBuf>,
        parent_chain: &Arc<Vec<ChainNode>>,
    ) {
        // A symlink cycle would recurse forever; pytest stops where the OS refuses.
        let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !active.insert(canon.clone()) {
            return;
        }
        let mut stack = parent_stack.to_vec();
        if let Some(i) = self.conftest_of(dir) {
            stack.push(i);
        }
        let mut entries: Vec<(String, PathBuf)> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect(),
            Err(e) => {
                tracing::warn!("cannot read directory {}: {e}", dir.display());
                active.remove(&canon);
                return;
            }
        };
        let is_package = entries
            .iter()
            .any(|(n, p)| n == "__init__.py" && p.is_file());
        let mut chain = (**parent_chain).clone();
        let name = dir.file_name().map_or_else(
            || dir.to_string_lossy().into_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        chain.push(ChainNode::new(
            if is_package {
                NodeKind::Package
            } else {
                NodeKind::Dir
            },
            name,
        ));
        let chain = Arc::new(chain);
        entries.sort_by(|a, b| {
            if is_package {
                (a.0 != "__init__.py", &a.0).cmp(&(b.0 != "__init__.py", &b.0))
            } else {
                a.0.cmp(&b.0)
            }
        });
        for (_, path) in entries {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let is_init = self
                    .opts
                    .args
                    .iter()
                    .any(|a| a == &path || a.starts_with(&path));
                if !is_init && self.ignored(&path, true, &stack) {
                    continue;
                }
                self.walk_dir(&path, &stack, active, &chain);
            } else if meta.is_file() {
                let is_init = self.opts.args.iter().any(|a| a == &path);
                if !is_init && self.ignored(&path, false, &stack) {
                    continue;
                }
                self.file(&path, &stack, false, &chain, &meta);
            }
        }
        active.remove(&canon);
    }

    fn file(
        &mut self,
        path: &Path,
        stack: &[usize],
        explicit: bool,
        chain: &Arc<Vec<ChainNode>>,
        meta: &std::fs::Metadata,
    ) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_py = path.extension().is_some_and(|e| e == "py");
        let (kind, doctest) = if is_py {
            let module = explicit || self.opts.python_files.is_match(path);
            let doctest = self.opts.doctest_modules
                && name != "__main__.py"
                && !(name == "setup.py" && is_setuptools_setup(path));
            match (module, doctest) {
                (true, d) => (FileKind::Module, d),
                (false, true) => (FileKind::DoctestModuleOnly, true),
                (false, false) => return,
            }
        } else {
            let ext_ok = path.extension().is_some_and(|e| e == "txt" || e == "rst");
            if self.opts.doctest_glob.is_match(path) || (explicit && ext_ok) {
                (FileKind::DoctestText, false)
            } else {
                return;
            }
        };
        if !self.opts.keep_duplicates && !self.seen_files.insert(path.to_path_buf()) {
            return;
        }
        self.out.files.push(FileEntry {
            path: path.to_path_buf(),
            kind,
            doctest,
            conftests: stack.to_vec(),
            dir_chain: Arc::clone(chain),
            mtime_ns: super::cache::mtime_ns(meta),
            size: meta.len(),
        });
    }

    /// pytest's `pytest_ignore_collect`.
    fn ignored(&self, path: &Path, is_dir: bool, stack: &[usize]) -> bool {
        if path.file_name().is_some_and(|n| n == "__pycache__") {
            return true;
        }
        if self.opts.ignore.iter().any(|p| p == path) {
            return true;
        }
        let path_str = path.to_string_lossy();
        for &i in stack {
            let Some(c) = self.out.conftests.get(i) else {
                continue;
            };
            // A conftest's lists apply to entries below its own directory.
            if !path.starts_with(&c.dir) {
                continue;
            }
            if c.outline
                .collect_ignore
                .iter()
                .any(|p| c.dir.join(p) == path)
            {
                return true;
            }
            if c.outline
                .collect_ignore_glob
                .iter()
                .any(|g| glob::fnmatch(&c.dir.join(g).to_string_lossy(), &path_str))
            {
                return true;
            }
        }
        if self
            .opts
            .ignore_glob
            .iter()
            .any(|g| glob::fnmatch(g, &path_str))
        {
            return true;
        }
        if is_dir {
            if !self.opts.collect_in_virtualenv
                && (path.join("pyvenv.cfg").is_file()
                    || path.join("conda-meta").join("history").is_file())
            {
                return true;
            }
            if self.opts.norecursedirs.is_match(path) {
                return true;
            }
        }
        false
    }
}

/// pytest's `_is_setup_py`: a `setup.py` that imports setuptools or distutils.
fn is_setuptools_setup(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| {
        let s = String::from_utf8_lossy(&b);
        s.contains("setuptools") || s.contains("distutils")
    })
}
