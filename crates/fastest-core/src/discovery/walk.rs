//! pytest's directory walk (`Session.collect`, `Dir.collect`, `Package.collect`): entries
//! sorted by name (files and directories interleaved, `__init__.py` first inside a
//! package), the `pytest_ignore_collect` rules (`__pycache__`, `collect_ignore[_glob]` from
//! conftests, `--ignore[-glob]`, virtualenvs, `norecursedirs`) and conftests parsed as the
//! walk reaches them. pytest does not read `.gitignore`; neither does this walk.
//!
//! Symlinked directories are followed exactly as pytest follows them: a link cycle is
//! walked again and again until the OS refuses to resolve the path (`ELOOP` after 40
//! links on Linux), and entries whose `stat` fails are skipped as pytest's `scandir` skips
//! them. Hard bounds keep any input finite and fast where pytest has none (two links to
//! `.` in one directory make its walk exponential): a path longer than
//! [`MAX_PATH_BYTES`] is not descended into, no more than [`MAX_CYCLE_ENTRIES`] links
//! back to an enclosing directory are followed, and no more than [`MAX_LINKED_DIRS`]
//! symlinked directories in all.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fs::{FileType, Metadata};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parse::Outline;
use super::{dir_kind, outline_of, top_dir, top_dir_name, DiscoveryOptions};
use crate::glob;
use crate::item::{ChainNode, NodeKind};

/// Linux's `PATH_MAX`: the kernel refuses longer paths anyway (`ENAMETOOLONG`).
const MAX_PATH_BYTES: usize = 4096;

/// Links to an enclosing directory followed, across the whole walk. A single cycle
/// costs 40 (the kernel's link limit), so 100 independent cycles are walked exactly;
/// several links into one cycle multiply, where pytest never finishes.
pub(crate) const MAX_CYCLE_ENTRIES: usize = 4_000;

/// Directories entered through any symlink, across the whole walk (a symlink forest can
/// be exponential without a cycle).
const MAX_LINKED_DIRS: usize = 200_000;

/// What a collected file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A test module (`python_files` matched or given explicitly), maybe also doctests.
    Module,
    /// A `.py` file collected only for its doctests (`--doctest-modules`).
    DoctestModuleOnly,
    /// A text file matching `--doctest-glob` (or a `.txt`/`.rst` file given explicitly).
    DoctestText,
}

/// A file to collect, with the conftests that apply to it.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Whether its docstrings are collected too (`--doctest-modules`).
    pub doctest: bool,
    /// Index into [`DiscoveryOptions::args`] of the argument whose walk reached it. A file
    /// reached by several arguments (`--keep-duplicates`, or two `::` selectors on one
    /// file) appears once per argument.
    pub arg: usize,
    /// The file node's name: its basename, except when the file is the top of its
    /// argument's chain (see [`super::top_dir_name`]).
    pub name: String,
    /// Indices into [`Walked::conftests`], outermost first.
    pub conftests: Vec<usize>,
    /// The `Dir`/`Package` nodes from the top of the argument's chain down to the file's
    /// directory.
    pub dir_chain: Arc<Vec<ChainNode>>,
    pub mtime_ns: u64,
    pub size: u64,
    /// `(device, inode)` where the platform has them: the same file reached through
    /// symlinks is one module for pytest's import-mismatch check (`os.path.samefile`).
    pub file_id: Option<(u64, u64)>,
}

/// A parsed conftest.
#[derive(Debug)]
pub struct Conftest {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub outline: Outline,
    /// Content hash: part of the cache key of every file below it.
    pub hash: u64,
    /// The installed plugin whose collection hooks it hands the modules below it to by
    /// naming its word ([`super::certainty::Certainty::plugin_words`]), as `(plugin, word)`.
    pub names_plugin: Option<(String, String)>,
}

/// The walk's result: files in collection order and every conftest seen.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileEntry>,
    pub conftests: Vec<Conftest>,
    /// Every directory the walk listed: their mtimes change when an entry is added,
    /// removed or renamed (what a cached whole-session collection depends on).
    pub dirs: Vec<PathBuf>,
    /// Set when the walk met something only pytest can report (an unreadable directory
    /// becomes a collection error whose text only pytest produces).
    pub problem: Option<String>,
}

struct Walker<'a> {
    opts: &'a DiscoveryOptions,
    out: Walked,
    /// Directories whose conftest was already looked up: dir → conftest index.
    loaded: HashMap<PathBuf, Option<usize>>,
    /// Directories entered through a symlink so far (bounded by [`MAX_LINKED_DIRS`]).
    linked_dirs: usize,
    /// Links to an enclosing directory followed so far (bounded by [`MAX_CYCLE_ENTRIES`]).
    cycle_entries: usize,
    /// The argument being walked.
    arg: usize,
    /// Files recorded without their stat data (indexes into `out.files`): fetched on
    /// every core once the walk is over.
    unstated: Vec<usize>,
    /// pytest's `_initialpaths`: the arguments' paths, exempt from the ignore rules.
    initial: HashSet<&'a Path>,
    /// The arguments' paths and all their parents: directories the walk must enter even
    /// when an ignore rule matches them.
    initial_with_parents: HashSet<&'a Path>,
}

/// Walk every argument in order.
pub fn walk(opts: &DiscoveryOptions) -> Walked {
    let mut w = Walker {
        opts,
        out: Walked::default(),
        loaded: HashMap::new(),
        linked_dirs: 0,
        cycle_entries: 0,
        arg: 0,
        unstated: Vec::new(),
        initial: opts.args.iter().map(PathBuf::as_path).collect(),
        initial_with_parents: opts.args.iter().flat_map(|a| a.ancestors()).collect(),
    };
    for (i, arg) in opts.args.iter().enumerate() {
        w.arg = i;
        let top = top_dir(opts, arg);
        // Conftests of every directory from the filesystem root down to the argument's
        // parent (pytest loads them before collecting; the confcutdir check is inside).
        let stack = w.conftest_chain(arg.parent().unwrap_or(arg));
        let Ok(meta) = std::fs::metadata(arg) else {
            // Vanished since the arguments were checked, or a dangling link: pytest's
            // `_collect_path` yields nothing for it.
            continue;
        };
        let (above, name) = if arg.as_path() == top {
            (Vec::new(), top_dir_name(opts, top))
        } else {
            (chain_above(opts, top, arg), base_name(arg))
        };
        let above = Arc::new(above);
        if meta.is_dir() {
            w.walk_dir(arg, name, &stack, &above);
        } else if meta.is_file() {
            w.file(arg, name, &stack, true, &above, Some(&meta));
        }
    }
    // One stat per collected file, the walk's largest cost on a big tree: in parallel.
    let unstated = std::mem::take(&mut w.unstated);
    let stats: Vec<Option<Metadata>> = unstated
        .par_iter()
        .map(|&i| std::fs::metadata(&w.out.files[i].path).ok())
        .collect();
    for (i, meta) in unstated.into_iter().zip(stats) {
        // A file gone between the listing and now: reading it will fail and the
        // fallback reports what pytest says.
        if let Some(m) = meta {
            let f = &mut w.out.files[i];
            f.mtime_ns = super::cache::mtime_ns(&m);
            f.size = m.len();
            f.file_id = file_id(&m);
        }
    }
    w.out
}

/// The `Dir`/`Package` nodes from `top` down to `path`'s parent, for an argument below
/// `top` (`Session.collect` collects each of them on the way to the argument).
fn chain_above(opts: &DiscoveryOptions, top: &Path, path: &Path) -> Vec<ChainNode> {
    let mut chain = vec![ChainNode::new(dir_kind(top), top_dir_name(opts, top))];
    if let Some(parent) = path.parent() {
        if let Ok(rel) = parent.strip_prefix(top) {
            let mut cur = top.to_path_buf();
            for comp in rel.components() {
                cur.push(comp);
                chain.push(ChainNode::new(
                    dir_kind(&cur),
                    comp.as_os_str().to_string_lossy().into_owned(),
                ));
            }
        }
    }
    chain
}

fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl<'a> Walker<'a> {
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
            // The conftests loaded before it, on its way down (their directories put
            // on `sys.path` by their import, under `prepend`).
            let above: Vec<&Path> = self
                .out
                .conftests
                .iter()
                .filter(|c| dir.starts_with(&c.dir))
                .map(|c| c.path.as_path())
                .collect();
            let (outline, hash) = outline_of(self.opts, &path, &above);
            let certainty = &self.opts.certainty;
            let names_plugin = if certainty.plugin_words.is_empty() {
                None
            } else {
                // Unreadable: pytest's import of it reports that, not this check.
                std::fs::read(&path)
                    .ok()
                    .and_then(|b| certainty.named_plugin(&b).cloned())
            };
            self.out.conftests.push(Conftest {
                path,
                dir: dir.to_path_buf(),
                outline,
                hash,
                names_plugin,
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
        name: String,
        parent_stack: &[usize],
        parent_chain: &Arc<Vec<ChainNode>>,
    ) {
        let mut stack = parent_stack.to_vec();
        if let Some(i) = self.conftest_of(dir) {
            stack.push(i);
        }
        self.out.dirs.push(dir.to_path_buf());
        let mut entries: Vec<(String, PathBuf, Option<FileType>)> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        e.path(),
                        e.file_type().ok(),
                    )
                })
                .collect(),
            // pytest's `scandir` treats a directory that vanished as empty.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                // pytest reports this as a collection error of the directory.
                self.out
                    .problem
                    .get_or_insert_with(|| format!("cannot read directory {}: {e}", dir.display()));
                Vec::new()
            }
        };
        let is_package = entries
            .iter()
            .any(|(n, p, _)| n == "__init__.py" && p.is_file());
        let mut chain = (**parent_chain).clone();
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
        // This directory's real path, resolved only when it holds a symlinked directory.
        let mut real_dir: Option<Option<PathBuf>> = None;
        for (entry_name, path, ftype) in entries {
            // The type without following links comes free with the directory listing; only
            // a symlink needs a `stat` to learn what it points to.
            let is_link = ftype.is_none_or(|t| t.is_symlink());
            let (is_dir, is_file, meta) = if is_link {
                // Broken links, `ELOOP` and friends: pytest's `scandir` skips the entry.
                let Ok(m) = std::fs::metadata(&path) else {
                    continue;
                };
                (m.is_dir(), m.is_file(), Some(m))
            } else {
                let t = ftype.as_ref();
                (
                    t.is_some_and(FileType::is_dir),
                    t.is_some_and(FileType::is_file),
                    None,
                )
            };
            if is_dir {
                let is_init = self.initial_with_parents.contains(path.as_path());
                if !is_init && self.ignored(&path, true, &stack) {
                    continue;
                }
                if path.as_os_str().len() > MAX_PATH_BYTES {
                    continue;
                }
                if is_link && !self.may_follow(dir, &path, &mut real_dir) {
                    continue;
                }
                self.walk_dir(&path, entry_name, &stack, &chain);
            } else if is_file {
                let is_init = self.initial.contains(path.as_path());
                if !is_init && self.ignored(&path, false, &stack) {
                    continue;
                }
                self.file(&path, entry_name, &stack, is_init, &chain, meta.as_ref());
            }
        }
    }

    /// Whether to enter `link`, a symlink to a directory found in `dir`, within the
    /// walk's bounds. Only links reach this (a `realpath` each), never plain directories.
    fn may_follow(
        &mut self,
        dir: &Path,
        link: &Path,
        real_dir: &mut Option<Option<PathBuf>>,
    ) -> bool {
        if self.linked_dirs >= MAX_LINKED_DIRS {
            tracing::warn!(
                "not following {}: over {MAX_LINKED_DIRS} directories entered through symlinks",
                link.display()
            );
            return false;
        }
        let here = real_dir.get_or_insert_with(|| std::fs::canonicalize(dir).ok());
        // A target that encloses this directory (or cannot be resolved) walks a cycle.
        let cycle = match (std::fs::canonicalize(link), here.as_deref()) {
            (Ok(target), Some(here)) => here.starts_with(target),
            _ => true,
        };
        if cycle {
            if self.cycle_entries >= MAX_CYCLE_ENTRIES {
                tracing::warn!(
                    "not following {}: over {MAX_CYCLE_ENTRIES} symlink cycle entries",
                    link.display()
                );
                return false;
            }
            self.cycle_entries += 1;
        }
        self.linked_dirs += 1;
        true
    }

    /// Decide what a file becomes (pytest's `pytest_collect_file` hooks of the python and
    /// doctest plugins) and record it. `meta`, when not known, is fetched after the walk
    /// (`unstated`), and only for files that are collected.
    fn file(
        &mut self,
        path: &Path,
        name: String,
        stack: &[usize],
        explicit: bool,
        chain: &Arc<Vec<ChainNode>>,
        meta: Option<&Metadata>,
    ) {
        let ext = path.extension();
        let (kind, doctest) = if ext.is_some_and(|e| e == "py") {
            let module = explicit || self.opts.python_files.is_match(path);
            let base = path.file_name().unwrap_or_default();
            let doctest = self.opts.doctest_modules
                && base != "__main__.py"
                && !(base == "setup.py" && is_setuptools_setup(path));
            match (module, doctest) {
                (true, d) => (FileKind::Module, d),
                (false, true) => (FileKind::DoctestModuleOnly, true),
                (false, false) => return,
            }
        } else {
            let ext_ok = ext.is_some_and(|e| e == "txt" || e == "rst");
            if (explicit && ext_ok) || self.opts.doctest_glob.is_match(path) {
                (FileKind::DoctestText, false)
            } else {
                return;
            }
        };
        if meta.is_none() {
            self.unstated.push(self.out.files.len());
        }
        let (mtime_ns, size) = meta.map_or((0, 0), |m| (super::cache::mtime_ns(m), m.len()));
        let file_id = meta.and_then(file_id);
        self.out.files.push(FileEntry {
            path: path.to_path_buf(),
            kind,
            doctest,
            arg: self.arg,
            name,
            conftests: stack.to_vec(),
            dir_chain: Arc::clone(chain),
            mtime_ns,
            size,
            file_id,
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

#[cfg(unix)]
fn file_id(m: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &Metadata) -> Option<(u64, u64)> {
    None
}

/// pytest's `_is_setup_py`: a `setup.py` that imports setuptools or distutils.
fn is_setuptools_setup(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| {
        let s = String::from_utf8_lossy(&b);
        s.contains("setuptools") || s.contains("distutils")
    })
}
