//! Discovery: from the collection arguments to an ordered list of files, each with its
//! statically proven items or the reason it needs the import fallback.
//!
//! ## Source code layout
//! - `walk`: pytest's directory walk (sorted entries, ignore rules, conftests on the way).
//! - `source`: reads (mmap for large files) and content hashes.
//! - `parse`: tree-sitter → [`parse::Outline`].
//! - `params`: parametrize IDs.
//! - `collect`: outlines → items under pytest's python collection rules.
//!
//! The walk is sequential per argument (it is cheap and must honour conftest
//! `collect_ignore` on the way down); parsing and collecting files, the expensive part, runs
//! on every core with the order kept.

pub mod cache;
pub mod collect;
pub mod params;
pub mod parse;
pub mod source;
pub mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::glob::PathMatcher;
use crate::item::{ChainNode, Item, NodeKind};
pub use collect::NameRules;
use parse::Outline;

/// How to turn a file path into a module name, as pytest's `--import-mode` does; used for
/// doctest item names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    #[default]
    Prepend,
    Append,
    Importlib,
}

/// Everything discovery needs, already resolved from config and CLI.
pub struct DiscoveryOptions {
    pub rootdir: PathBuf,
    /// Absolute, existing paths to collect, in argument order.
    pub args: Vec<PathBuf>,
    pub python_files: PathMatcher,
    pub rules: NameRules,
    pub norecursedirs: PathMatcher,
    /// `--ignore` paths, absolute.
    pub ignore: Vec<PathBuf>,
    /// `--ignore-glob` patterns, made absolute against the invocation dir (pytest
    /// matches them with plain fnmatch against the full path).
    pub ignore_glob: Vec<String>,
    pub collect_in_virtualenv: bool,
    pub doctest_modules: bool,
    pub doctest_glob: PathMatcher,
    pub noconftest: bool,
    /// Conftests in directories above this one are not loaded.
    pub confcutdir: Option<PathBuf>,
    pub keep_duplicates: bool,
    pub import_mode: ImportMode,
    pub use_mmap: bool,
    /// A hash of every setting that changes what a file yields (name patterns, doctest
    /// flags, import mode, rootdir); part of each file's cache key.
    pub fingerprint: u64,
}

/// What discovery learned about one collected file.
#[derive(Debug)]
pub enum FileOutcome {
    /// Items proven from the source.
    Items(Vec<Item>),
    /// Only an import can tell; the reason is shown by `--collect-only -v`.
    Uncertain(String),
}

/// One file that collection reached, in pytest's order.
#[derive(Debug)]
pub struct CollectedFile {
    pub path: PathBuf,
    /// The node id of the file (rootdir-relative, `/`-separated).
    pub nodeid: String,
    pub outcome: FileOutcome,
}

/// The result of discovery.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<CollectedFile>,
    /// Set when something (a conftest collection hook, `pytest_plugins`) can change the
    /// whole session's collection: then only pytest's own collection is trusted.
    pub global_fallback: Option<String>,
}

/// Hooks in a conftest that change what or how the whole session collects.
const SESSION_HOOKS: &[&str] = &[
    "pytest_collection",
    "pytest_collection_modifyitems",
    "pytest_collect_file",
    "pytest_collect_directory",
    "pytest_ignore_collect",
    "pytest_pycollect_makemodule",
    "pytest_deselected",
    "pytest_collection_finish",
    "pytest_make_collect_report",
    "pytest_collectstart",
];

/// Hooks that change the items of modules under the conftest.
const MODULE_HOOKS: &[&str] = &[
    "pytest_generate_tests",
    "pytest_pycollect_makeitem",
    "pytest_make_parametrize_id",
    "pytest_itemcollected",
];

/// Run discovery, reusing and refreshing `cache`.
pub fn discover(opts: &DiscoveryOptions, cache: &mut cache::DiscoveryCache) -> Discovery {
    let mut disc = Discovery::default();
    let t = std::time::Instant::now();
    let walked = walk::walk(opts);
    tracing::debug!(files = walked.files.len(), elapsed = ?t.elapsed(), "walk");
    for c in &walked.conftests {
        if let Some(h) = c
            .outline
            .hooks
            .iter()
            .find(|h| SESSION_HOOKS.contains(&h.as_str()))
        {
            disc.global_fallback = Some(format!("{} defines {h}", c.path.display()));
        } else if c.outline.pytest_plugins {
            disc.global_fallback = Some(format!("{} sets pytest_plugins", c.path.display()));
        }
    }
    let shared: &cache::DiscoveryCache = cache;
    let results: Vec<(CollectedFile, Option<cache::CachedFile>)> = walked
        .files
        .par_iter()
        .map(|f| collect_file(opts, f, &walked.conftests, shared))
        .collect();
    for (file, fresh) in results {
        if let Some(entry) = fresh {
            cache.store(file.path.clone(), entry);
        }
        disc.files.push(file);
    }
    disc
}

/// The cache context of a file: the options and the conftests above it.
fn context_key(opts: &DiscoveryOptions, f: &walk::FileEntry, conftests: &[walk::Conftest]) -> u64 {
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    buf.extend_from_slice(&opts.fingerprint.to_le_bytes());
    buf.push(u8::from(f.doctest));
    buf.push(f.kind as u8);
    for &i in &f.conftests {
        if let Some(c) = conftests.get(i) {
            buf.extend_from_slice(&c.hash.to_le_bytes());
        }
    }
    source::content_hash(&buf)
}

fn collect_file(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
    cache: &cache::DiscoveryCache,
) -> (CollectedFile, Option<cache::CachedFile>) {
    let nodeid = nodeid_of(&opts.rootdir, &f.path);
    let ctx = context_key(opts, f, conftests);
    if let Some(hit) = cache.lookup(&f.path, f.mtime_ns, f.size, ctx) {
        let outcome = from_cached(&hit.outcome, &f.dir_chain, &nodeid);
        return (
            CollectedFile {
                path: f.path.clone(),
                nodeid,
                outcome,
            },
            None,
        );
    }
    let (outcome, content_hash) = match source::read_source(&f.path, opts.use_mmap) {
        Err(e) => (Err(format!("unreadable: {e}")), 0),
        Ok(src) => {
            let hash = source::content_hash(src.bytes());
            if let Some(hit) = cache.lookup_by_hash(&f.path, hash, ctx) {
                let outcome = from_cached(&hit.outcome, &f.dir_chain, &nodeid);
                let mut entry = hit.clone();
                entry.mtime_ns = f.mtime_ns;
                entry.size = f.size;
                return (
                    CollectedFile {
                        path: f.path.clone(),
                        nodeid,
                        outcome,
                    },
                    Some(entry),
                );
            }
            (
                collect_file_items(opts, f, conftests, &nodeid, src.text_bytes()),
                hash,
            )
        }
    };
    let cached = match &outcome {
        Ok(items) => cache::CachedOutcome::Items(
            items
                .iter()
                .map(|it| to_cached(it, f.dir_chain.len()))
                .collect(),
        ),
        Err(r) => cache::CachedOutcome::Uncertain(r.clone()),
    };
    let entry = cache::CachedFile {
        mtime_ns: f.mtime_ns,
        size: f.size,
        content_hash,
        ctx,
        outcome: cached,
    };
    let outcome = match outcome {
        Ok(items) => FileOutcome::Items(items),
        Err(r) => FileOutcome::Uncertain(r),
    };
    (
        CollectedFile {
            path: f.path.clone(),
            nodeid,
            outcome,
        },
        Some(entry),
    )
}

fn to_cached(it: &Item, dir_len: usize) -> cache::CachedItem {
    cache::CachedItem {
        tail: it
            .chain
            .get(dir_len..)
            .map(<[ChainNode]>::to_vec)
            .unwrap_or_default(),
        lineno: it.lineno,
        marks: it.marks.clone(),
        extra_keywords: it.extra_keywords.clone(),
    }
}

fn from_cached(
    outcome: &cache::CachedOutcome,
    dir_chain: &[ChainNode],
    file_nodeid: &str,
) -> FileOutcome {
    match outcome {
        cache::CachedOutcome::Uncertain(r) => FileOutcome::Uncertain(r.clone()),
        cache::CachedOutcome::Items(items) => FileOutcome::Items(
            items
                .iter()
                .map(|c| {
                    // The node id is the file's plus every node name below the file node.
                    let mut nodeid = String::with_capacity(file_nodeid.len() + 32);
                    nodeid.push_str(file_nodeid);
                    for n in c.tail.iter().skip(1) {
                        nodeid.push_str("::");
                        nodeid.push_str(&n.name);
                    }
                    let mut chain = Vec::with_capacity(dir_chain.len() + c.tail.len());
                    chain.extend_from_slice(dir_chain);
                    chain.extend_from_slice(&c.tail);
                    Item {
                        nodeid,
                        chain,
                        lineno: c.lineno,
                        marks: c.marks.clone(),
                        extra_keywords: c.extra_keywords.clone(),
                    }
                })
                .collect(),
        ),
    }
}

fn collect_file_items(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
    nodeid: &str,
    bytes: &[u8],
) -> Result<Vec<Item>, String> {
    let mut chain: Vec<ChainNode> = (*f.dir_chain).clone();
    let basename = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if f.kind == walk::FileKind::DoctestText {
        chain.push(ChainNode::new(NodeKind::DoctestTextfile, basename.clone()));
        let mut ch = chain;
        ch.push(ChainNode::new(NodeKind::DoctestItem, basename.clone()));
        // A text file becomes one item, whatever it holds (pytest checks examples at run).
        return Ok(vec![Item {
            nodeid: format!("{nodeid}::{basename}"),
            chain: ch,
            lineno: None,
            marks: Vec::new(),
            extra_keywords: Vec::new(),
        }]);
    }
    if std::str::from_utf8(bytes).is_err() {
        // pytest reports the decoding error; only an import shows its exact text.
        return Err("not valid UTF-8".into());
    }
    let outline = parse::parse_outline(bytes, f.doctest);
    let visible: Vec<&walk::Conftest> = f
        .conftests
        .iter()
        .filter_map(|&i| conftests.get(i))
        .collect();
    for c in &visible {
        if let Some(h) = c
            .outline
            .hooks
            .iter()
            .find(|h| MODULE_HOOKS.contains(&h.as_str()))
        {
            return Err(format!("{} defines {h}", c.path.display()));
        }
        if let Some(r) = c.outline.uncertain.first() {
            return Err(format!("{}: {r}", c.path.display()));
        }
    }
    let mut items = Vec::new();
    if f.doctest {
        if !outline.uncertain.is_empty() {
            return Err(outline.uncertain[0].clone());
        }
        let module = module_name(opts, &f.path);
        let mut names: Vec<String> = outline
            .doctests
            .iter()
            .map(|d| {
                if d.is_empty() {
                    module.clone()
                } else {
                    format!("{module}.{d}")
                }
            })
            .collect();
        names.sort();
        if !names.is_empty() {
            let mut dchain = chain.clone();
            dchain.push(ChainNode::new(NodeKind::DoctestModule, basename.clone()));
            for n in names {
                let mut ch = dchain.clone();
                ch.push(ChainNode::new(NodeKind::DoctestItem, n.clone()));
                items.push(Item {
                    nodeid: format!("{nodeid}::{n}"),
                    chain: ch,
                    lineno: None,
                    marks: Vec::new(),
                    extra_keywords: Vec::new(),
                });
            }
        }
    }
    if f.kind == walk::FileKind::Module {
        chain.push(ChainNode::new(NodeKind::Module, basename));
        let scope = collect::ModuleScope {
            conftest_fixtures: visible
                .iter()
                .flat_map(|c| c.outline.fixtures.iter())
                .collect(),
        };
        items.extend(collect::collect_module(
            &outline,
            &chain,
            nodeid,
            &opts.rules,
            &scope,
        )?);
    }
    Ok(items)
}

/// The `Dir`/`Package` chain from the rootdir down to a file's directory.
pub(crate) fn dir_chain(opts: &DiscoveryOptions, path: &Path) -> Vec<ChainNode> {
    let root = &opts.rootdir;
    let mut chain = vec![ChainNode::new(
        dir_kind(root),
        root.file_name().map_or_else(
            || root.to_string_lossy().into_owned(),
            |n| n.to_string_lossy().into_owned(),
        ),
    )];
    if let Some(parent) = path.parent() {
        if let Ok(rel) = parent.strip_prefix(root) {
            let mut cur = root.clone();
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

fn dir_kind(dir: &Path) -> NodeKind {
    if dir.join("__init__.py").is_file() {
        NodeKind::Package
    } else {
        NodeKind::Dir
    }
}

/// A file's node id: its path relative to the rootdir with `/` separators.
pub fn nodeid_of(rootdir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(rootdir).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The module name pytest would import a file as (for doctest item names).
pub fn module_name(opts: &DiscoveryOptions, path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if opts.import_mode == ImportMode::Importlib {
        let rel = path.strip_prefix(&opts.rootdir).unwrap_or(path);
        let mut parts: Vec<String> = rel
            .parent()
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().replace('.', "_"))
                    .collect()
            })
            .unwrap_or_default();
        if stem != "__init__" {
            parts.push(stem);
        }
        return parts.join(".");
    }
    // prepend/append: walk up while the directory is a package with an identifier name.
    let mut parts = if stem == "__init__" {
        Vec::new()
    } else {
        vec![stem]
    };
    let mut dir = path.parent();
    while let Some(d) = dir {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !d.join("__init__.py").is_file() || !is_identifier(&name) {
            break;
        }
        parts.push(name);
        dir = d.parent();
    }
    parts.reverse();
    parts.join(".")
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Parse a file's outline on its own (for conftests), with its content hash.
pub(crate) fn outline_of(path: &Path, use_mmap: bool) -> (Outline, u64) {
    match source::read_source(path, use_mmap) {
        Ok(src) => {
            let hash = source::content_hash(src.bytes());
            let b = src.text_bytes();
            if std::str::from_utf8(b).is_err() {
                let o = Outline {
                    uncertain: vec!["conftest is not valid UTF-8".into()],
                    ..Outline::default()
                };
                return (o, hash);
            }
            (parse::parse_outline(b, false), hash)
        }
        Err(e) => {
            let o = Outline {
                uncertain: vec![format!("unreadable conftest: {e}")],
                ..Outline::default()
            };
            (o, 0)
        }
    }
}
