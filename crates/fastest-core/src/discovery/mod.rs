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

/// Run discovery.
pub fn discover(opts: &DiscoveryOptions) -> Discovery {
    let mut disc = Discovery::default();
    let walked = walk::walk(opts);
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
    let results: Vec<CollectedFile> = walked
        .files
        .par_iter()
        .map(|f| collect_file(opts, f, &walked.conftests))
        .collect();
    disc.files = results;
    disc
}

fn collect_file(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
) -> CollectedFile {
    let nodeid = nodeid_of(&opts.rootdir, &f.path);
    let outcome = match collect_file_items(opts, f, conftests, &nodeid) {
        Ok(items) => FileOutcome::Items(items),
        Err(reason) => FileOutcome::Uncertain(reason),
    };
    CollectedFile {
        path: f.path.clone(),
        nodeid,
        outcome,
    }
}

fn collect_file_items(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
    nodeid: &str,
) -> Result<Vec<Item>, String> {
    let mut chain = dir_chain(opts, &f.path);
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
    let src =
        source::read_source(&f.path, opts.use_mmap).map_err(|e| format!("unreadable: {e}"))?;
    let bytes = src.text_bytes();
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
fn dir_chain(opts: &DiscoveryOptions, path: &Path) -> Vec<ChainNode> {
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

/// Parse a file's outline on its own (for conftests).
pub(crate) fn outline_of(path: &Path, use_mmap: bool) -> Outline {
    match source::read_source(path, use_mmap) {
        Ok(src) => {
            let b = src.text_bytes();
            if std::str::from_utf8(b).is_err() {
                return Outline {
                    uncertain: vec!["conftest is not valid UTF-8".into()],
                    ..Outline::default()
                };
            }
            parse::parse_outline(b, false)
        }
        Err(e) => Outline {
            uncertain: vec![format!("unreadable conftest: {e}")],
            ..Outline::default()
        },
    }
}
