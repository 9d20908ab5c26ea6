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
pub mod certainty;
pub mod collect;
pub mod external;
pub mod options;
pub mod params;
pub mod parse;
mod patterns;
pub mod reorder;
pub mod skim;
pub mod source;
pub mod syntax;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::glob::PathMatcher;
use crate::item::{ChainNode, Item, NodeKind, RunSpec};
pub use collect::{LongStrIds, NameRules};
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
    /// The collection arguments' paths (absolute, lexically normalised, `::` selectors
    /// stripped), after pytest's duplicate/overlap removal, in argument order. These are
    /// pytest's *initial paths*: node ids of files outside the rootdir are relative to them.
    /// A path repeats when several arguments name it (selectors, `--keep-duplicates`).
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
    /// The interpreter's version, where imports resolve and which marks are registered:
    /// what besides the source decides whether a file is certain.
    pub certainty: certainty::Certainty,
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
    /// The node id of the file (see [`nodeid_for`]).
    pub nodeid: String,
    /// Index into [`DiscoveryOptions::args`] of the argument that reached it.
    pub arg: usize,
    /// The `Dir`/`Package` nodes above the file, from the top of its argument's chain.
    pub dir_chain: Arc<Vec<ChainNode>>,
    /// The file node's name (its basename unless the file tops its argument's chain).
    pub name: String,
    pub outcome: FileOutcome,
    /// How many file collectors pytest makes of it: a test module under
    /// `--doctest-modules` is a `Module` and a `DoctestModule` (`--lf` counts each file
    /// collector it skips).
    pub collectors: u8,
}

/// The result of discovery.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<CollectedFile>,
    /// Set when something (a conftest collection hook, `pytest_plugins`) can change the
    /// whole session's collection: then only pytest's own collection is trusted.
    pub global_fallback: Option<String>,
    /// Set when a conftest does what only pytest's own session honours (a hook run
    /// before collection assigns to pytest's options, [`parse::Outline::sets_options`]):
    /// then pytest runs the session.
    pub pytest_only: Option<String>,
    /// `path: hook` for every `pytest_*` hook (and `pytest_plugins`) a conftest on the
    /// way defines: the native engine does not call them.
    pub conftest_hooks: Vec<String>,
    /// Every directory the walk listed (see [`walk::Walked::dirs`]).
    pub walked_dirs: Vec<std::path::PathBuf>,
    /// Marker names the conftests on the way register with literal
    /// `config.addinivalue_line("markers", ...)` calls in `pytest_configure`.
    pub conftest_markers: Vec<String>,
    /// `path: what` for each conftest on the way that uses pytest's plugin machinery
    /// (`parse::pytest_machinery_use`): the pytest engine runs the session.
    pub conftest_machinery: Vec<String>,
    /// `global_fallback` is for what a conftest does at collection (a collection hook,
    /// a computed `collect_ignore`), the walk saw every conftest pytest may load, and
    /// none loads plugins: the hooks the session's items are exposed to are all in
    /// `conftest_hooks`, so the items pytest's collection finds may run natively (when
    /// those hooks allow it).
    pub global_fallback_by_hook: bool,
    /// `(conftest, plugin names)` for each conftest on the way whose `pytest_plugins`
    /// names only pytest plugins the native engine loads itself ([`NATIVE_CONFTEST_PLUGINS`]):
    /// such a conftest is neither a hook nor a reason for pytest's collection. pytest
    /// refuses it unless it is an initial conftest; the caller checks that.
    pub conftest_plugins: Vec<(std::path::PathBuf, Vec<String>)>,
    /// `(conftest, plugin names)` for each conftest on the way whose literal
    /// `pytest_plugins` names other modules (the project's own fixture modules, say):
    /// pytest's collection (`global_fallback`) registers them, and its report says
    /// which hooks they define, so whether the native engine may load them is decided
    /// after it. pytest refuses them unless the conftest is an initial one.
    pub project_plugins: Vec<(std::path::PathBuf, Vec<String>)>,
    /// Every conftest the walk met, in its order.
    pub conftests: Vec<std::path::PathBuf>,
    /// `(conftest, fixture)` for each fixture a conftest defines whose one instance
    /// may outlive a module (scope `session` or `package`, or a scope the parser cannot
    /// read): two engines in one worker would each make their own, so such a fixture
    /// in scope of modules of both keeps the session on one engine.
    pub shared_fixtures: Vec<(std::path::PathBuf, String)>,
    /// The files new to discovery's cache, or with other content than it knew: those
    /// whose rewritten code an earlier run cannot have left either.
    pub changed: Vec<std::path::PathBuf>,
}

/// Plugin names a conftest's `pytest_plugins` may give and the native engine loads
/// itself: pytest's own `pytester` (fixtures, two options, an ini key, a marker; no
/// collection or runtest hooks).
pub const NATIVE_CONFTEST_PLUGINS: &[&str] = &["pytester"];

/// The marker `pytester`'s `pytest_configure` registers (a conftest's outline counts it
/// among its `registered_markers` when its `pytest_plugins` names pytester).
pub const PYTESTER_MARKER: &str = "pytester_example_path";

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

/// Marks an entry of [`Discovery::conftest_hooks`] for a session hook that may write to
/// the terminal or set the exit status (see `parse::SESSION_OUTPUT_HOOKS`).
pub const WRITES_OUTPUT: &str = " (may write to the terminal or set the exit status)";

/// Marks an entry of [`Discovery::conftest_hooks`] for a hook pytest-xdist's controller
/// calls too, in a conftest that tells the controller from a worker
/// (`parse::CONTROLLER_HOOKS`).
pub const TELLS_CONTROLLER: &str = " (tells pytest-xdist's controller from its workers)";

/// Ends an uncertain file's reason when a parametrization's scope (session, package)
/// makes pytest's `reorder_items` interleave the items of several modules: only the
/// whole session's collection by pytest gives their order.
pub const REORDERS_ACROSS_MODULES: &str = ", across modules";

/// The hook's name in an entry of [`Discovery::conftest_hooks`] (`path: hook`, maybe
/// followed by a tag such as [`WRITES_OUTPUT`]).
pub fn hook_name(entry: &str) -> &str {
    let tail = entry.rsplit(": ").next().unwrap_or("");
    tail.split(' ').next().unwrap_or("")
}

/// The outline of the module a conftest at `conftest` star-imports (`module` as
/// written), when it can be read here and brings no names of its own beyond its
/// definitions: found beside the conftest (relative to it for `.m`), or below one of
/// the conftest's directories up to `rootdir` (where pytest's `rootdir`/`prepend`
/// imports find a project's modules). `None`: not found, or it star-imports,
/// sets `pytest_plugins` or uses pytest's plugin machinery itself.
fn star_hooks(rootdir: &Path, conftest: &Path, module: &str) -> Option<parse::Outline> {
    let dir = conftest.parent()?;
    let dots = module.len() - module.trim_start_matches('.').len();
    let rel: PathBuf = module
        .trim_start_matches('.')
        .split('.')
        .filter(|p| !p.is_empty())
        .collect();
    let bases: Vec<&Path> = if dots > 0 {
        dir.ancestors().nth(dots - 1).into_iter().collect()
    } else {
        dir.ancestors()
            .take_while(|a| a.starts_with(rootdir))
            .collect()
    };
    let file = bases.into_iter().find_map(|base| {
        let target = base.join(&rel);
        [target.with_extension("py"), target.join("__init__.py")]
            .into_iter()
            .find(|f| f.is_file())
    })?;
    let src = std::fs::read(file).ok()?;
    let outline = parse::parse_outline(&src, false);
    let own_names_only = outline.star_imports.is_empty()
        && !outline.pytest_plugins
        && outline.pytest_machinery.is_none();
    own_names_only.then_some(outline)
}

/// Run discovery, reusing and refreshing `cache`.
pub fn discover(opts: &DiscoveryOptions, cache: &mut cache::DiscoveryCache) -> Discovery {
    let mut disc = Discovery::default();
    let t = std::time::Instant::now();
    let mut walked = walk::walk(opts);
    disc.walked_dirs = std::mem::take(&mut walked.dirs);
    tracing::debug!(files = walked.files.len(), elapsed = ?t.elapsed(), "walk");
    if let Some(p) = &walked.problem {
        disc.global_fallback = Some(p.clone());
    }
    let mut plugins_loaded = false;
    for c in &walked.conftests {
        disc.conftests.push(c.path.clone());
        for fx in &c.outline.fixtures {
            let per_module = matches!(
                fx.scope.as_deref(),
                None | Some("function" | "class" | "module")
            );
            if !per_module || fx.unknown.is_some() {
                disc.shared_fixtures.push((c.path.clone(), fx.name.clone()));
            }
        }
        disc.conftest_markers
            .extend(c.outline.registered_markers.iter().cloned());
        for h in &c.outline.hooks {
            let tag = match &c.outline.generate_tests_guard {
                Some(names) if h == GENERATE_TESTS => {
                    format!("{PARAMETRIZES_ONLY}{})", names.join(" or "))
                }
                _ => String::new(),
            };
            disc.conftest_hooks
                .push(format!("{}: {h}{tag}", c.path.display()));
        }
        for h in &c.outline.output_hooks {
            disc.conftest_hooks
                .push(format!("{}: {h}{WRITES_OUTPUT}", c.path.display()));
        }
        for h in &c.outline.controller_hooks {
            disc.conftest_hooks
                .push(format!("{}: {h}{TELLS_CONTROLLER}", c.path.display()));
        }
        // `from m import *`: the module's hooks are the conftest's (pluggy registers
        // the conftest module's `pytest_*` attributes, wherever they were defined), at
        // the top level or in a block (SQLAlchemy's conftest star-imports, inside a
        // `with`, the plugin module its bootstrap code made).
        for module in c
            .outline
            .star_imports
            .iter()
            .chain(&c.outline.block_star_imports)
        {
            match star_hooks(&opts.rootdir, &c.path, module) {
                Some(found) => {
                    for h in &found.hooks {
                        let writes = if found.output_hooks.contains(h) {
                            WRITES_OUTPUT
                        } else {
                            ""
                        };
                        disc.conftest_hooks
                            .push(format!("{}: {h}{writes}", c.path.display()));
                    }
                    if let Some(h) = found
                        .hooks
                        .iter()
                        .find(|h| SESSION_HOOKS.contains(&h.as_str()))
                    {
                        disc.global_fallback = Some(format!(
                            "{} defines {h} (from {module} import *)",
                            c.path.display()
                        ));
                    }
                }
                None => {
                    // Hooks nobody can read here, which may draw on the terminal: the
                    // session is pytest's, its collection too.
                    disc.conftest_hooks.push(format!(
                        "{}: pytest_plugins (from {module} import *){WRITES_OUTPUT}",
                        c.path.display()
                    ));
                    disc.global_fallback =
                        Some(format!("{} star-imports {module}", c.path.display()));
                    plugins_loaded = true;
                }
            }
        }
        if let Some(what) = &c.outline.pytest_machinery {
            disc.conftest_machinery
                .push(format!("{}: {what}", c.path.display()));
        }
        // Plugins the engine loads itself are no hook of the conftest's; other modules a
        // literal list names are the project's plugins, weighed once pytest's collection
        // says what they define. A computed list is a hook of the conftest's.
        let specs = c.outline.pytest_plugin_specs.as_ref();
        let (native, project): (Vec<String>, Vec<String>) = specs
            .into_iter()
            .flatten()
            .cloned()
            .partition(|p| NATIVE_CONFTEST_PLUGINS.contains(&p.as_str()));
        // pytest's collection loads what the list names beyond pytester.
        let pytest_plugins = c.outline.pytest_plugins && (specs.is_none() || !project.is_empty());
        if !native.is_empty() {
            disc.conftest_plugins.push((c.path.clone(), native));
        }
        if !project.is_empty() {
            disc.project_plugins.push((c.path.clone(), project));
        }
        if c.outline.pytest_plugins && specs.is_none() {
            disc.conftest_hooks
                .push(format!("{}: pytest_plugins", c.path.display()));
            // The plugins' hooks are not in `conftest_hooks`.
            plugins_loaded = true;
        }
        if let Some(target) = &c.outline.sets_options {
            disc.pytest_only
                .get_or_insert_with(|| format!("{} assigns {target}", c.path.display()));
        }
        if let Some(h) = c
            .outline
            .hooks
            .iter()
            .find(|h| SESSION_HOOKS.contains(&h.as_str()))
        {
            disc.global_fallback = Some(format!("{} defines {h}", c.path.display()));
        } else if pytest_plugins {
            disc.global_fallback = Some(format!("{} sets pytest_plugins", c.path.display()));
        } else if let Some(why) = c
            .outline
            .uncertain
            .iter()
            .find(|r| r.ends_with(REORDERS_ACROSS_MODULES))
        {
            // A conftest that changes how unittest's loader names methods changes every
            // module collected after it is loaded, below it or not.
            disc.global_fallback = Some(format!("{}: {why}", c.path.display()));
        } else if c.outline.dynamic_ignore {
            // The walk skipped what the literal lists name; the conftest's import decides
            // (it can only leave out more: the walk saw every conftest pytest may load).
            disc.global_fallback = Some(format!("{} computes collect_ignore", c.path.display()));
        }
    }
    disc.global_fallback_by_hook =
        disc.global_fallback.is_some() && walked.problem.is_none() && !plugins_loaded;
    // A file reached by several arguments is read and parsed once; the other entries
    // reuse its outcome under their own node id and chain.
    let mut first_of: HashMap<(&Path, walk::FileKind), usize> = HashMap::new();
    let mut unique: Vec<usize> = Vec::with_capacity(walked.files.len());
    let mut same_as: Vec<usize> = Vec::with_capacity(walked.files.len());
    for (i, f) in walked.files.iter().enumerate() {
        let j = *first_of.entry((f.path.as_path(), f.kind)).or_insert(i);
        if j == i {
            unique.push(i);
        }
        same_as.push(j);
    }
    let shared: &cache::DiscoveryCache = cache;
    // One stat per directory holding collected files (part of each file's cache key).
    let mut dir_mtimes: std::collections::HashMap<&Path, u64> = std::collections::HashMap::new();
    for &i in &unique {
        if let Some(d) = walked.files[i].path.parent() {
            dir_mtimes
                .entry(d)
                .or_insert_with(|| std::fs::metadata(d).map_or(0, |m| cache::mtime_ns(&m)));
        }
    }
    let results: Vec<(CollectedFile, Option<cache::CachedFile>, FileFacts)> = unique
        .par_iter()
        .map(|&i| {
            collect_file(
                opts,
                &walked.files[i],
                &walked.conftests,
                shared,
                &dir_mtimes,
            )
        })
        .collect();
    let mut computed: Vec<Option<CollectedFile>> = Vec::new();
    computed.resize_with(walked.files.len(), || None);
    // A module assigning a `__doc__` (`f.__doc__ = g.__doc__`, docstrings filled in from
    // another module at import, as mpmath's are): doctest's finder reads the docstrings
    // the imports left, which the source of no module shows.
    let mut doc_setter: Option<PathBuf> = None;
    // Each module whose import changes another module's state, by position.
    let mut state_changes: Vec<(usize, String)> = Vec::new();
    for (&i, (file, fresh, facts)) in unique.iter().zip(results) {
        if facts.assigns_doc && doc_setter.is_none() {
            doc_setter = Some(file.path.clone());
        }
        if let Some(what) = facts.changes_state {
            state_changes.push((i, what));
        }
        if let Some(entry) = fresh {
            if !cache.had_content(&file.path, entry.content_hash) {
                disc.changed.push(file.path.clone());
            }
            cache.store(file.path.clone(), entry);
        }
        computed[i] = Some(file);
    }
    if let Some(setter) = doc_setter.filter(|_| opts.doctest_modules) {
        // Every doctest module, those whose source shows no example too.
        let why = format!(
            "docstrings may be assigned at import ({} assigns a `__doc__`)",
            nodeid_for(opts, &setter)
        );
        for (f, c) in walked.files.iter().zip(computed.iter_mut()) {
            if let Some(c) = c.as_mut().filter(|_| f.doctest) {
                c.outcome = FileOutcome::Uncertain(why.clone());
            }
        }
    }
    // pytest imports every module in one process, in collection order: a module whose
    // collection only an import tells may read what an earlier one's import changed (a
    // flag on `sys`, a registry it appends to). Those earlier modules are collected by
    // import too, so the fallback's process imports them first, in pytest's order.
    if let Some(last) = computed.iter().rposition(|c| {
        matches!(
            c.as_ref().map(|c| &c.outcome),
            Some(FileOutcome::Uncertain(_))
        )
    }) {
        for (i, what) in state_changes.iter().filter(|(i, _)| *i < last) {
            if let Some(c) = computed[*i].as_mut() {
                if matches!(c.outcome, FileOutcome::Items(_)) {
                    c.outcome = FileOutcome::Uncertain(format!(
                        "its import changes {what}, which a later module's collection may read"
                    ));
                }
            }
        }
    }
    // Later entries of a file first, while the first entry's outcome is still in place.
    let mut rebased: Vec<Option<CollectedFile>> = walked
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let j = same_as[i];
            (j != i)
                .then(|| computed[j].as_ref().map(|orig| rebase(opts, orig, f)))
                .flatten()
        })
        .collect();
    disc.files = computed
        .iter_mut()
        .zip(rebased.iter_mut())
        .filter_map(|(c, r)| c.take().or_else(|| r.take()))
        .collect();
    let conftest_paths: Vec<&Path> = walked.conftests.iter().map(|c| c.path.as_path()).collect();
    mark_module_name_conflicts(opts, &walked.files, &conftest_paths, &mut disc.files);
    disc
}

/// Whether Python source may assign a docstring: `x.__doc__ = ...` (or `+=`), a
/// module's `__doc__ = ...`, or `"__doc__"` named as a string (`setattr(f, "__doc__",
/// ...)`). A byte scan: a comment or a string saying so counts too (the file's doctests
/// are then only collected by pytest).
pub(crate) fn assigns_doc(src: &[u8]) -> bool {
    const DOC: &[u8] = b"__doc__";
    let mut from = 0;
    while let Some(at) = src[from..].windows(DOC.len()).position(|w| w == DOC) {
        let start = from + at;
        let end = start + DOC.len();
        from = end;
        let quoted = start > 0
            && matches!(src[start - 1], b'"' | b'\'')
            && src.get(end) == Some(&src[start - 1]);
        if quoted {
            return true;
        }
        let rest = &src[end..];
        let skip = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let rest = &rest[skip..];
        let assigned = match rest {
            [b'=', b'=', ..] => false,
            [b'=', ..] => true,
            [op, b'=', ..] => matches!(op, b'+' | b'%' | b'|'),
            _ => false,
        };
        if assigned {
            return true;
        }
    }
    false
}

/// `outline` (of the module at `path`, parsed from `bytes`) parsed again when its
/// top-level conditions read constants imported from other modules whose source
/// settles them (`from attr._compat import PY_3_10_PLUS`); the modules read are
/// dependencies of the result.
pub(crate) fn with_imported_conditions(
    opts: &DiscoveryOptions,
    path: &Path,
    conftest_paths: &[&Path],
    bytes: &[u8],
    want_doctests: bool,
    outline: Outline,
    deps: &mut Vec<PathBuf>,
) -> Outline {
    let Some(env) = opts.certainty.imports.as_ref() else {
        return outline;
    };
    if outline.wanted_conditions.is_empty() {
        return outline;
    }
    let resolver = external::Resolver::new(
        env,
        opts.certainty.target(),
        &opts.rules,
        env.search_path(path, opts.import_mode, conftest_paths),
        opts.import_mode != ImportMode::Importlib,
        opts.certainty.markers.as_ref(),
    );
    let seeds = resolver.conditions(path, &outline);
    deps.extend(resolver.deps());
    if seeds.is_empty() {
        return outline;
    }
    parse::parse_outline_seeded(bytes, want_doctests, opts.certainty.target(), &seeds)
}

impl CollectedFile {
    /// The walk entry `f` with its node id and what collecting it gave.
    fn of(f: &walk::FileEntry, nodeid: String, outcome: FileOutcome) -> Self {
        Self {
            path: f.path.clone(),
            nodeid,
            arg: f.arg,
            dir_chain: Arc::clone(&f.dir_chain),
            name: f.name.clone(),
            outcome,
            collectors: match f.kind {
                walk::FileKind::Module if f.doctest => 2,
                _ => 1,
            },
        }
    }
}

/// The outcome of `orig` for another entry of the same file (`f`), under `f`'s node id and
/// chain.
fn rebase(opts: &DiscoveryOptions, orig: &CollectedFile, f: &walk::FileEntry) -> CollectedFile {
    let nodeid = nodeid_for(opts, &f.path);
    let outcome = match &orig.outcome {
        FileOutcome::Uncertain(r) => FileOutcome::Uncertain(r.clone()),
        FileOutcome::Items(items) => FileOutcome::Items(
            items
                .iter()
                .map(|it| {
                    let mut chain: Vec<ChainNode> = (*f.dir_chain).clone();
                    let mut tail = it
                        .chain
                        .get(orig.dir_chain.len()..)
                        .unwrap_or_default()
                        .iter();
                    if let Some(file_node) = tail.next() {
                        chain.push(ChainNode {
                            name: f.name.clone(),
                            ..file_node.clone()
                        });
                    }
                    chain.extend(tail.cloned());
                    Item {
                        nodeid: format!(
                            "{nodeid}{}",
                            it.nodeid.get(orig.nodeid.len()..).unwrap_or_default()
                        ),
                        chain,
                        ..it.clone()
                    }
                })
                .collect(),
        ),
    };
    CollectedFile::of(f, nodeid, outcome)
}

/// Under `--import-mode=prepend|append` two files that import under the same module name
/// (`a/test_same.py` and `b/test_same.py` without `__init__.py`) clash: pytest imports the
/// first and reports `import file mismatch` for each later one that is not the same file
/// (a copy reached through a symlink is). The first and every mismatching file go to the
/// import fallback, whose request keeps collection order, so the worker imports them in
/// pytest's order and reports the same errors.
///
/// A conftest's doctests (`--doctest-modules`) are no such clash: pytest reaches the
/// file right after loading it as its directory's conftest (each conftest import takes
/// the module name anew), so its import finds that module, unless a subdirectory sorted
/// before it loaded a conftest of its own in between (`conftests`: every conftest the
/// walk loaded).
fn mark_module_name_conflicts(
    opts: &DiscoveryOptions,
    entries: &[walk::FileEntry],
    conftests: &[&Path],
    files: &mut [CollectedFile],
) {
    if opts.import_mode == ImportMode::Importlib {
        // importlib mode derives unique names from the rootdir-relative path.
        return;
    }
    // `None`: not a conftest; `Some(true)`: one whose import finds its own module.
    let own_conftest = |path: &Path| {
        let dir = path
            .parent()
            .filter(|_| path.file_name() == Some("conftest.py".as_ref()))?;
        Some(!conftests.iter().any(|c| {
            c.strip_prefix(dir).ok().is_some_and(|rel| {
                let mut parts = rel.components();
                let first = parts.next();
                parts.next().is_some()
                    && first.is_some_and(|p| p.as_os_str() < std::ffi::OsStr::new("conftest.py"))
            })
        }))
    };
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in entries.iter().enumerate() {
        if f.kind == walk::FileKind::DoctestText {
            continue;
        }
        match own_conftest(&f.path) {
            Some(true) => continue,
            Some(false) => {
                if let Some(c) = files.get_mut(i) {
                    // (pytest's walk reports an import mismatch here, which the fallback's
                    // collection of the file does not reproduce: a known limit.)
                    c.outcome = FileOutcome::Uncertain(
                        "a conftest loaded before it holds the module name 'conftest'".into(),
                    );
                }
                continue;
            }
            None => {}
        }
        by_name.entry(module_name_of_entry(f)).or_default().push(i);
    }
    let same_file = |a: &walk::FileEntry, b: &walk::FileEntry| {
        a.path == b.path || (a.file_id.is_some() && a.file_id == b.file_id)
    };
    for (name, idx) in by_name {
        let Some(&first) = idx.first() else {
            continue;
        };
        let clashing: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !same_file(&entries[i], &entries[first]))
            .collect();
        if clashing.is_empty() {
            continue;
        }
        for i in std::iter::once(first).chain(clashing) {
            // `files` and `entries` are parallel (every entry yields one file).
            if let Some(f) = files.get_mut(i) {
                f.outcome = FileOutcome::Uncertain(format!(
                    "another collected file also imports as module '{name}'"
                ));
            }
        }
    }
}

/// [`module_name`] for a walked file, reading package-ness from its `Dir`/`Package` chain
/// instead of the filesystem (no syscalls unless the chain's top is itself a package).
fn module_name_of_entry(f: &walk::FileEntry) -> String {
    let stem = f
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut parts = if stem == "__init__" {
        Vec::new()
    } else {
        vec![stem]
    };
    let dirs = f.path.ancestors().skip(1);
    let mut nodes = f.dir_chain.iter().rev();
    for d in dirs {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_pkg = match nodes.next() {
            Some(n) => n.kind == NodeKind::Package,
            None => d.join("__init__.py").is_file(),
        };
        if !is_pkg || !is_identifier(&name) {
            break;
        }
        parts.push(name);
    }
    parts.reverse();
    parts.join(".")
}

/// Bumped when what discovery derives from a file's bytes changes (so older cache
/// entries stop matching): 1 = text doctest files yield an item only with examples;
/// 2 = doctest items carry a run spec; 3 = the helper modules beside tests must import;
/// 4 = a test module's own `pytest_generate_tests` needs its import.
const RULES_VERSION: u8 = 4;

/// The cache context of a file: the options and the conftests above it.
fn context_key(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
    dir_mtimes: &std::collections::HashMap<&Path, u64>,
) -> u64 {
    let mut buf: Vec<u8> = Vec::with_capacity(96);
    buf.extend_from_slice(&opts.fingerprint.to_le_bytes());
    buf.push(RULES_VERSION);
    buf.extend_from_slice(env!("FASTEST_BUILD_ID").as_bytes());
    // Whether the file's imports resolve depends on its neighbours: adding or removing a
    // module beside it moves its directory's mtime.
    if let Some(m) = f.path.parent().and_then(|d| dir_mtimes.get(d)) {
        buf.extend_from_slice(&m.to_le_bytes());
    }
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
    dir_mtimes: &std::collections::HashMap<&Path, u64>,
) -> (CollectedFile, Option<cache::CachedFile>, FileFacts) {
    let nodeid = nodeid_for(opts, &f.path);
    let ctx = context_key(opts, f, conftests, dir_mtimes);
    let file = |nodeid: String, outcome: FileOutcome| CollectedFile::of(f, nodeid, outcome);
    if let Some(hit) = cache.lookup(&f.path, f.mtime_ns, f.size, ctx) {
        if let Some(cached) = hit.outcome.unpack() {
            let outcome = from_cached(cached, f, &nodeid);
            let facts = FileFacts {
                assigns_doc: hit.assigns_doc,
                changes_state: hit.changes_state.clone(),
            };
            return (file(nodeid, outcome), None, facts);
        }
    }
    let mut deps: Vec<PathBuf> = Vec::new();
    let mut doc = false;
    let mut changes: Option<String> = None;
    let (outcome, content_hash) = match source::read_source(&f.path, opts.use_mmap) {
        Err(e) => (Err(format!("unreadable: {e}")), 0),
        Ok(src) => {
            let hash = source::content_hash(src.bytes());
            doc = f.kind != walk::FileKind::DoctestText && assigns_doc(src.bytes());
            changes = (f.kind == walk::FileKind::Module)
                .then(|| changes_imported_state(src.bytes()))
                .flatten();
            let hit = cache.lookup_by_hash(&f.path, hash, ctx);
            if let Some((hit, cached)) = hit.and_then(|h| Some((h, h.outcome.unpack()?))) {
                let outcome = from_cached(cached, f, &nodeid);
                let mut entry = hit.clone();
                entry.mtime_ns = f.mtime_ns;
                entry.size = f.size;
                entry.assigns_doc = doc;
                entry.changes_state.clone_from(&changes);
                let facts = FileFacts {
                    assigns_doc: doc,
                    changes_state: changes,
                };
                return (file(nodeid, outcome), Some(entry), facts);
            }
            let items = if f.kind == walk::FileKind::DoctestText {
                // Python reads it as text: a byte-order mark stays part of the first line.
                doctest_text_items(f, &nodeid, src.bytes())
            } else {
                collect_file_items(opts, f, conftests, &nodeid, src.text_bytes(), &mut deps)
            };
            (items, hash)
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
        outcome: cache::PackedOutcome::pack(&cached),
        assigns_doc: doc,
        changes_state: changes.clone(),
        deps: deps.iter().filter_map(|d| cache::Dep::stat(d)).collect(),
    };
    let outcome = match outcome {
        Ok(items) => FileOutcome::Items(items),
        Err(r) => FileOutcome::Uncertain(r),
    };
    let facts = FileFacts {
        assigns_doc: doc,
        changes_state: changes,
    };
    (file(nodeid, outcome), Some(entry), facts)
}

/// What discovery notes of a file's source for the session as a whole.
#[derive(Debug, Default)]
struct FileFacts {
    /// See [`assigns_doc`].
    assigns_doc: bool,
    /// See [`changes_imported_state`].
    changes_state: Option<String>,
}

/// What a module's import changes of a module it imported, as pytest's process keeps
/// it for the modules it imports next: an unindented statement (run at import) that
/// assigns to an attribute or item of an imported name (`sys.FLAG = True`,
/// `os.environ["X"] = "1"`, `registry.CASES += [...]`), calls one of the mutating
/// methods of a container reached from one (`registry.CASES.append(...)`,
/// `sys.path.insert(...)`), or `setattr`s one. A line scan (a statement under a
/// top-level `if` or `try` is missed); `None` when there is none.
pub(crate) fn changes_imported_state(src: &[u8]) -> Option<String> {
    const MUTATORS: &[&str] = &[
        "append",
        "extend",
        "insert",
        "update",
        "add",
        "setdefault",
        "register",
        "remove",
        "discard",
        "pop",
        "clear",
        "__setitem__",
    ];
    let text = std::str::from_utf8(src).ok()?;
    let imported = |root: &str| {
        text.lines().any(|l| {
            let l = l.trim_start();
            (l.starts_with("import ") || l.starts_with("from "))
                && l.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .any(|w| w == root || w.split('.').next() == Some(root))
                && (l.starts_with("import ") || l.contains(" import "))
                && !l.starts_with(&format!("from {root} "))
                && !l.starts_with(&format!("from {root}."))
        })
    };
    for (n, line) in text.lines().enumerate() {
        let ident_end = line
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        let root = &line[..ident_end];
        if root.is_empty() || root.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let rest = &line[ident_end..];
        let what = if root == "setattr" && rest.starts_with('(') {
            let target = rest[1..].split(',').next().unwrap_or("").trim();
            imported(target).then(|| format!("`{target}`"))
        } else if rest.starts_with('.') || rest.starts_with('[') {
            if !imported(root) {
                continue;
            }
            // The target (or callee) runs up to the first space or `(`.
            let head_end = rest.find(['(', ' ', '=', '+', '-']).unwrap_or(rest.len());
            let head = &rest[..head_end];
            let after = rest[head_end..].trim_start();
            let assigns = (after.starts_with('=') && !after.starts_with("=="))
                || ["+=", "-=", "|=", "*=", "&="]
                    .iter()
                    .any(|op| after.starts_with(op));
            let method = head.rsplit('.').next().unwrap_or("");
            let mutates =
                after.starts_with('(') && head.contains('.') && MUTATORS.contains(&method);
            (assigns || mutates).then(|| format!("`{root}{head}`"))
        } else {
            None
        };
        if let Some(w) = what {
            return Some(format!("{w} (line {})", n + 1));
        }
    }
    None
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
        run: it.run.clone(),
    }
}

fn from_cached(
    outcome: cache::CachedOutcome,
    f: &walk::FileEntry,
    file_nodeid: &str,
) -> FileOutcome {
    match outcome {
        cache::CachedOutcome::Uncertain(r) => FileOutcome::Uncertain(r),
        cache::CachedOutcome::Items(items) => FileOutcome::Items(
            items
                .into_iter()
                .map(|c| {
                    // The node id is the file's plus every node name below the file node.
                    let mut nodeid = String::with_capacity(file_nodeid.len() + 32);
                    nodeid.push_str(file_nodeid);
                    for n in c.tail.iter().skip(1) {
                        nodeid.push_str("::");
                        nodeid.push_str(&n.name);
                    }
                    let mut chain = Vec::with_capacity(f.dir_chain.len() + c.tail.len());
                    chain.extend_from_slice(&f.dir_chain);
                    chain.extend(c.tail);
                    // The file node's name depends on the arguments, not on the file.
                    if let Some(node) = chain.get_mut(f.dir_chain.len()) {
                        if node.name != f.name {
                            node.name.clone_from(&f.name);
                        }
                    }
                    Item {
                        nodeid,
                        chain,
                        lineno: c.lineno,
                        marks: c.marks,
                        extra_keywords: c.extra_keywords,
                        run: c.run,
                    }
                })
                .collect(),
        ),
    }
}

/// A doctest text file (`DoctestTextfile.collect`): one item named after the file when
/// the text holds at least one example, none otherwise. Text doctest's parser would
/// reject (and pytest report as a collection error) goes to the import fallback.
fn doctest_text_items(
    f: &walk::FileEntry,
    nodeid: &str,
    bytes: &[u8],
) -> Result<Vec<Item>, String> {
    // pytest reads it with `doctest_encoding` (UTF-8 unless configured otherwise).
    let text = std::str::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    if !doctest_text_has_examples(text)? {
        return Ok(Vec::new());
    }
    let mut chain: Vec<ChainNode> = (*f.dir_chain).clone();
    chain.push(ChainNode::new(NodeKind::DoctestTextfile, f.name.clone()));
    let basename = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    chain.push(ChainNode::new(NodeKind::DoctestItem, basename.clone()));
    Ok(vec![Item {
        nodeid: format!("{nodeid}::{basename}"),
        chain,
        lineno: None,
        marks: Vec::new(),
        extra_keywords: Vec::new(),
        // The engine finds the example by name with pytest's own parser.
        run: Some(RunSpec::default()),
    }])
}

/// Whether `doctest.DocTestParser().parse(text)` finds an example: a `>>>` line (after
/// `expandtabs` and removing the indentation common to all lines) whose source is not
/// blank or only a comment. `Err` where the parser would raise instead (a prompt without
/// a following blank, inconsistent indentation, an option directive to validate): pytest
/// reports those as collection errors whose text only pytest produces.
pub(crate) fn doctest_text_has_examples(text: &str) -> Result<bool, String> {
    if !text.contains(">>>") {
        return Ok(false);
    }
    // Universal newlines, as `Path.read_text` reads it.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = text.split('\n').map(expand_tabs).collect();
    let min_indent = lines
        .iter()
        .filter_map(|l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            l[n..]
                .chars()
                .next()
                .filter(|c| !is_py_space(*c))
                .map(|_| n)
        })
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.get(min_indent..).unwrap_or(""))
        .collect();
    let indent_of = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let is_ps1 = |l: &str| l.trim_start_matches(' ').starts_with(">>>");
    let is_ps2 = |l: &str| l.trim_start_matches(' ').starts_with("...");
    let is_blank = |l: &str| l.trim_start_matches(' ').is_empty();
    let mut found = false;
    let mut i = 0;
    while i < lines.len() {
        if !is_ps1(lines[i]) {
            i += 1;
            continue;
        }
        let indent = indent_of(lines[i]);
        let start = i;
        i += 1;
        while i < lines.len() && is_ps2(lines[i]) {
            i += 1;
        }
        let source = &lines[start..i];
        while i < lines.len() && !is_blank(lines[i]) && !is_ps1(lines[i]) {
            i += 1;
        }
        let want = &lines[start + source.len()..i];
        let prefix = " ".repeat(indent);
        let prompt_ok = source
            .iter()
            .all(|l| l.as_bytes().get(indent + 3).is_none_or(|&b| b == b' '));
        let ps2_ok = source[1..].iter().all(|l| {
            l.strip_prefix(prefix.as_str())
                .is_some_and(|r| r.starts_with('.'))
        });
        let want_ok = want.iter().all(|l| l.starts_with(prefix.as_str()));
        if !(prompt_ok && ps2_ok && want_ok) {
            return Err("doctest text the doctest parser rejects".into());
        }
        let src: Vec<&str> = source
            .iter()
            .map(|l| l.get(indent + 4..).unwrap_or(""))
            .collect();
        if src.iter().any(|l| l.contains("doctest:")) {
            return Err("doctest option directive".into());
        }
        // `_IS_BLANK_OR_COMMENT` (`^[ ]*(#.*)?$`, no MULTILINE) on the joined source: `$`
        // also matches before one final newline.
        let joined = src.join("\n");
        let one = joined.strip_suffix('\n').unwrap_or(&joined);
        let blank_or_comment = !one.contains('\n') && {
            let t = one.trim_start_matches(' ');
            t.is_empty() || t.starts_with('#')
        };
        found |= !blank_or_comment;
    }
    Ok(found)
}

/// Python's `str.expandtabs()` (tab stops every 8 columns).
fn expand_tabs(line: &str) -> String {
    if !line.contains('\t') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0usize;
    for c in line.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// Python's `str.isspace` for one character (`\s` in a `str` pattern).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn collect_file_items(
    opts: &DiscoveryOptions,
    f: &walk::FileEntry,
    conftests: &[walk::Conftest],
    nodeid: &str,
    bytes: &[u8],
    deps: &mut Vec<PathBuf>,
) -> Result<Vec<Item>, String> {
    let mut chain: Vec<ChainNode> = (*f.dir_chain).clone();
    let basename = f.name.clone();
    if std::str::from_utf8(bytes).is_err() {
        // pytest reports the decoding error; only an import shows its exact text.
        return Err("not valid UTF-8".into());
    }
    let outline = parse::parse_outline_for(bytes, f.doctest, opts.certainty.target());
    let visible: Vec<&walk::Conftest> = f
        .conftests
        .iter()
        .filter_map(|&i| conftests.get(i))
        .collect();
    // A plugin's collection hooks act on it (they may parametrize its tests).
    if let Some((plugin, word)) = opts.certainty.named_plugin(bytes) {
        return Err(format!(
            "installed pytest plugin {plugin} acts on modules naming `{word}` at collection"
        ));
    }
    if let Some((c, (plugin, word))) = visible
        .iter()
        .find_map(|c| Some((c, c.names_plugin.as_ref()?)))
    {
        return Err(format!(
            "installed pytest plugin {plugin} acts at collection on the modules below {} (it names `{word}`)",
            c.path.display()
        ));
    }
    let conftest_paths: Vec<&Path> = visible.iter().map(|c| c.path.as_path()).collect();
    let outline = with_imported_conditions(
        opts,
        &f.path,
        &conftest_paths,
        bytes,
        f.doctest,
        outline,
        deps,
    );
    // `pytest_generate_tests` hooks that act only on functions using given names: the
    // items that use none of them are the source's (checked once they are known).
    let mut guarded: Vec<(&Path, &[String])> = Vec::new();
    for c in &visible {
        let guard = c.outline.generate_tests_guard.as_deref();
        if let Some(h) = c.outline.hooks.iter().find(|h| {
            MODULE_HOOKS.contains(&h.as_str()) && !(h.as_str() == GENERATE_TESTS && guard.is_some())
        }) {
            return Err(format!("{} defines {h}", c.path.display()));
        }
        if let Some(names) = guard.filter(|_| c.outline.hooks.iter().any(|h| h == GENERATE_TESTS)) {
            guarded.push((c.path.as_path(), names));
        }
        if let Some(r) = c.outline.uncertain.first() {
            return Err(format!("{}: {r}", c.path.display()));
        }
        if let Some(w) = c
            .outline
            .warns_at_import
            .as_ref()
            .filter(|_| opts.certainty.import_warnings_collected)
        {
            return Err(format!("{}: {w}", c.path.display()));
        }
    }
    if let Some(w) = outline
        .warns_at_import
        .as_ref()
        .filter(|_| opts.certainty.import_warnings_collected)
    {
        return Err(w.clone());
    }
    // What a module reads as it is imported may be missing: pytest's collection then
    // reports the error (a run's engine reports it as it imports the module).
    if let Some(r) = outline
        .reads_files
        .as_ref()
        .filter(|_| opts.certainty.import_warnings_collected)
    {
        return Err(r.clone());
    }
    // Imports that may fail and unregistered marks: pytest's import prints the errors.
    let loaded: Vec<(&Path, &Outline)> = visible
        .iter()
        .map(|c| (c.path.as_path(), &c.outline))
        .collect();
    opts.certainty
        .check_file(&f.path, opts.import_mode, &loaded, &outline, deps)?;
    let mut items = Vec::new();
    if f.doctest {
        if !outline.uncertain.is_empty() {
            return Err(outline.uncertain[0].clone());
        }
        // Any `.py` file is a doctest module: library modules often share a name with
        // one pytest's process has imported already.
        opts.certainty.check_own_name(&f.path, opts.import_mode)?;
        // doctest's finder reads a module's `__test__` mapping: more tests (a dict), or
        // a collection error (anything without `.items()`).
        if outline.test_attr.is_some() {
            return Err("module `__test__` read by the doctest finder".into());
        }
        if let Some(why) = &outline.doctest_renaming {
            return Err(format!("doctest names follow the finder's walk: {why}"));
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
        // pytest's `DoctestModule` takes the module's `pytestmark` (`-m`, skip marks).
        let marks = if names.is_empty() {
            Vec::new()
        } else {
            collect::module_marks(&outline)?
        };
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
                    marks: marks.clone(),
                    extra_keywords: Vec::new(),
                    // The engine finds the docstring by name with pytest's finder.
                    run: Some(RunSpec::default()),
                });
            }
        }
    }
    // The test module's own `pytest_generate_tests` (pytest calls it for each of the
    // module's functions, beside the conftests'): guarded by fixture names, it leaves
    // the functions using none of them to the source; else it may parametrize any.
    let own_guard: Option<Vec<String>> =
        if f.kind == walk::FileKind::Module && outline.hooks.iter().any(|h| h == GENERATE_TESTS) {
            match &outline.generate_tests_guard {
                Some(names) => Some(names.clone()),
                None => return Err(format!("the module defines {GENERATE_TESTS}")),
            }
        } else {
            None
        };
    if let Some(names) = &own_guard {
        guarded.push((f.path.as_path(), names.as_slice()));
    }
    if f.kind == walk::FileKind::Module {
        chain.push(ChainNode::new(NodeKind::Module, basename));
        let submodule = |module: &str, name: &str| {
            opts.certainty
                .binds_submodule(&f.path, opts.import_mode, &conftest_paths, module, name)
        };
        let resolver = opts.certainty.imports.as_ref().map(|env| {
            external::Resolver::new(
                env,
                opts.certainty.target(),
                &opts.rules,
                env.search_path(&f.path, opts.import_mode, &conftest_paths),
                opts.import_mode != ImportMode::Importlib,
                opts.certainty.markers.as_ref(),
            )
        });
        // `from helpers import *` binds what the helper's source says it exports.
        let starred;
        let outline = match resolver
            .as_ref()
            .filter(|_| !outline.star_imports.is_empty())
        {
            Some(r) => {
                starred = with_star_names(&outline, r, &f.path, &opts.rules);
                &starred
            }
            None => &outline,
        };
        // Test classes deriving from the project's classes in other modules that bring
        // tests or state (not inert): those bases read whole from their source.
        let inlined;
        let outline = match resolver.as_ref() {
            Some(r) => match inline_external_bases(outline, r, &f.path) {
                Some(o) => {
                    inlined = o;
                    &inlined
                }
                None => outline,
            },
            None => outline,
        };
        let external = |text: &str| {
            resolver
                .as_ref()
                .and_then(|r| r.class(&f.path, outline, text))
        };
        let external_value = |text: &str| {
            resolver
                .as_ref()
                .and_then(|r| r.value(&f.path, outline, text))
        };
        // A conftest's fixture parameters are values of the conftest's namespace:
        // its own classes and functions placed at it, imported names read in its
        // imports (the test module may import other objects under those names).
        let mut conftest_fixtures: Vec<std::borrow::Cow<'_, parse::Fixture>> = Vec::new();
        for c in &visible {
            for fx in &c.outline.fixtures {
                conftest_fixtures.push(conftest_fixture(fx, c, opts, &conftest_paths, deps));
            }
        }
        let scope = collect::ModuleScope {
            conftest_fixtures: conftest_fixtures.iter().map(AsRef::as_ref).collect(),
            plugin_fixtures: &opts.certainty.plugin_fixtures,
            submodule: Some(&submodule),
            external: Some(&external),
            external_value: Some(&external_value),
            here: Some(&f.path),
        };
        let collected = collect::collect_module(outline, &chain, nodeid, &opts.rules, &scope);
        if let Some(r) = &resolver {
            deps.extend(r.deps());
        }
        items.extend(collected?);
    }
    for it in &items {
        for (conftest, names) in &guarded {
            let uses = |n: &String| it.run.as_ref().is_none_or(|r| r.fixtures.contains(n));
            if let Some(name) = names.iter().find(|n| uses(n)) {
                return Err(format!(
                    "{} defines {GENERATE_TESTS}, which parametrizes `{name}`",
                    conftest.display()
                ));
            }
        }
    }
    Ok(items)
}

/// The conftest hook that may parametrize any test function.
const GENERATE_TESTS: &str = "pytest_generate_tests";

/// The fixture `fx` of conftest `c` with its parameter values placed in the conftest's
/// namespace ([`params::Origin`]): a name it imports read where it is defined (else a
/// computed value), a class or function it defines placed at the conftest.
fn conftest_fixture<'c>(
    fx: &'c parse::Fixture,
    c: &walk::Conftest,
    opts: &DiscoveryOptions,
    conftest_paths: &[&Path],
    deps: &mut Vec<PathBuf>,
) -> std::borrow::Cow<'c, parse::Fixture> {
    use params::{Origin, PyValue};
    let Ok(Some(sets)) = &fx.params else {
        return std::borrow::Cow::Borrowed(fx);
    };
    let placed = |v: &PyValue| matches!(v, PyValue::External(_) | PyValue::Named(_, Origin::Local));
    if !sets.iter().any(|s| s.values.iter().any(placed)) {
        return std::borrow::Cow::Borrowed(fx);
    }
    let resolver = opts.certainty.imports.as_ref().map(|env| {
        external::Resolver::new(
            env,
            opts.certainty.target(),
            &opts.rules,
            env.search_path(&c.path, opts.import_mode, conftest_paths),
            opts.import_mode != ImportMode::Importlib,
            opts.certainty.markers.as_ref(),
        )
    });
    let mut sets = sets.clone();
    for v in sets.iter_mut().flat_map(|s| s.values.iter_mut()) {
        match v {
            PyValue::External(text) => {
                *v = resolver
                    .as_ref()
                    .and_then(|r| r.value(&c.path, &c.outline, text))
                    .unwrap_or(PyValue::Computed);
            }
            PyValue::Named(name, origin @ Origin::Local) => *origin = Origin::at(&c.path, name),
            _ => {}
        }
    }
    if let Some(r) = &resolver {
        deps.extend(r.deps());
    }
    std::borrow::Cow::Owned(parse::Fixture {
        params: Ok(Some(sets)),
        ..fx.clone()
    })
}

/// Tags an entry of [`Discovery::conftest_hooks`] for a `pytest_generate_tests` that
/// acts only on functions using one of the names that follow (joined by " or ", up to
/// the closing parenthesis; see [`parse::Outline::generate_tests_guard`]). No `": "` in
/// it: that separates an entry's path from its hook.
pub const PARAMETRIZES_ONLY: &str = " (parametrizes only tests using ";

/// The names a `pytest_generate_tests` entry of [`Discovery::conftest_hooks`] is
/// limited to ([`PARAMETRIZES_ONLY`]); `None` for any other entry.
pub fn generate_tests_guard(entry: &str) -> Option<Vec<&str>> {
    if hook_name(entry) != GENERATE_TESTS {
        return None;
    }
    let (_, rest) = entry.rsplit_once(PARAMETRIZES_ONLY)?;
    let names = rest.strip_suffix(')')?;
    Some(names.split(" or ").collect())
}

/// `outline` with the non-inert bases its top-level classes take from the project's
/// other modules read from their source ([`external::Resolver::class_def`]): each such
/// class is copied into [`Outline::inlined`] under a name no module binds, its own
/// bases rewritten the same way (an inert one becomes the base kind its facts say), and
/// the deriving class's base names it. `None` when there is nothing to inline. A base
/// that cannot be read whole (a nested class, a parameter or fixture value from its
/// module, a base that leads nowhere) is left as it was: the module stays uncertain.
fn inline_external_bases(
    outline: &Outline,
    resolver: &external::Resolver<'_>,
    path: &Path,
) -> Option<Outline> {
    use parse::{Base, BindingKind};
    let needs =
        |b: &Base| matches!(b, Base::Unknown(t) if resolver.class(path, outline, t).is_none());
    // An imported class that may be collected here (a test-like name): pytest collects
    // it under the name this module binds.
    let imported_class = |b: &parse::Binding| {
        matches!(&b.kind, BindingKind::Import { plain: false, .. })
            && b.name.contains("Test")
            && resolver.class(path, outline, &b.name).is_none()
    };
    if !outline.bindings.iter().any(|b| {
        imported_class(b) || matches!(&b.kind, BindingKind::Class(c) if c.bases.iter().any(needs))
    }) {
        return None;
    }
    let mut out = outline.clone();
    let mut made: HashMap<(PathBuf, String), String> = HashMap::new();
    let mut inlined: Vec<parse::Binding> = Vec::new();
    for i in 0..out.bindings.len() {
        if imported_class(&out.bindings[i]) {
            let name = out.bindings[i].name.clone();
            let copy = resolver
                .class_def(path, outline, &name)
                .and_then(|(file, n)| inline_class(resolver, &file, &n, &mut made, &mut inlined, 0))
                .and_then(|synthetic| inlined.iter().find(|b| b.name == synthetic))
                .map(|b| b.kind.clone());
            if let Some(kind) = copy {
                out.bindings[i].kind = kind;
            }
            continue;
        }
        let BindingKind::Class(c) = &out.bindings[i].kind else {
            continue;
        };
        let mut bases = c.bases.clone();
        let mut changed = false;
        for base in &mut bases {
            if let Base::Unknown(t) = base {
                if resolver.class(path, outline, t).is_some() {
                    continue;
                }
                let Some((file, name)) = resolver.class_def(path, outline, t) else {
                    continue;
                };
                if let Some(n) = inline_class(resolver, &file, &name, &mut made, &mut inlined, 0) {
                    *base = Base::Local(n);
                    changed = true;
                }
            }
        }
        if changed {
            if let BindingKind::Class(c) = &mut out.bindings[i].kind {
                c.bases = bases;
            }
        }
    }
    out.inlined = inlined;
    Some(out)
}

/// Copy class `name` of the module at `file` (and the classes it derives from) into
/// `inlined`; the name it goes by there.
fn inline_class(
    resolver: &external::Resolver<'_>,
    file: &Path,
    name: &str,
    made: &mut HashMap<(PathBuf, String), String>,
    inlined: &mut Vec<parse::Binding>,
    depth: usize,
) -> Option<String> {
    use parse::{Base, BindingKind, MarkDecl};
    if depth > 16 {
        return None;
    }
    let key = (file.to_path_buf(), name.to_string());
    if let Some(n) = made.get(&key) {
        return Some(n.clone());
    }
    let module = resolver.outline_of(file)?;
    if module.unstable.iter().any(|u| u == name) {
        return None;
    }
    let binding = module.bindings.iter().find(|b| b.name == name)?;
    let BindingKind::Class(class) = &binding.kind else {
        return None;
    };
    // Values and classes named in its body are its module's: only what the parser
    // settled there can be carried over.
    let external_values = |decls: &[MarkDecl]| {
        decls.iter().any(|d| match d {
            MarkDecl::Parametrize(p) => p.sets.iter().any(|s| {
                s.values
                    .iter()
                    .any(|v| matches!(v, params::PyValue::External(_)))
            }),
            _ => false,
        })
    };
    // A plugin's mark may come with the plugin's hooks (anyio's parametrizes its
    // tests), which the checks on the test module's own source would not see.
    let plugin_marks = |decls: &[MarkDecl]| {
        decls.iter().any(|d| match d {
            MarkDecl::Parametrize(_) => false,
            MarkDecl::Mark(m, _) => !certainty::BUILTIN_MARKS.contains(&m.name.as_str()),
            MarkDecl::Unknown(_) => true,
        })
    };
    let readable = class.fixtures.is_empty()
        && !external_values(&class.decorators.marks)
        && !external_values(&class.pytestmark)
        && !plugin_marks(&class.decorators.marks)
        && !plugin_marks(&class.pytestmark)
        && class.body.iter().all(|m| match &m.kind {
            // It may give each subclass attributes (tests, `__test__`).
            _ if m.name == "__init_subclass__" => false,
            BindingKind::Class(_) => false,
            // A coroutine test is an async plugin's to run, which the caller decides
            // from the test module's own source.
            BindingKind::Function(f) => {
                !f.is_async
                    && f.decorators.fixture.is_none()
                    && !external_values(&f.decorators.marks)
                    && !plugin_marks(&f.decorators.marks)
            }
            _ => true,
        });
    if !readable {
        return None;
    }
    let mut copy = (**class).clone();
    for base in &mut copy.bases {
        match base.clone() {
            Base::Local(n) => {
                *base = Base::Local(inline_class(resolver, file, &n, made, inlined, depth + 1)?)
            }
            Base::Unknown(t) => {
                if let Some(facts) = resolver.class(file, &module, &t) {
                    copy.has_init |= facts.has_init;
                    *base = if facts.unittest {
                        Base::UnitTest
                    } else if let Some(v) = facts.value_base {
                        Base::Builtin(v)
                    } else {
                        Base::Object
                    };
                } else {
                    let (f2, n2) = resolver.class_def(file, &module, &t)?;
                    *base =
                        Base::Local(inline_class(resolver, &f2, &n2, made, inlined, depth + 1)?);
                }
            }
            Base::Object | Base::UnitTest | Base::Builtin(_) => {}
        }
    }
    let synthetic = format!("\u{0}{name}#{}", inlined.len());
    made.insert(key, synthetic.clone());
    inlined.push(parse::Binding {
        name: synthetic.clone(),
        line: binding.line,
        kind: BindingKind::Class(Box::new(copy)),
    });
    Some(synthetic)
}

/// Names pytest treats specially in a test module's namespace besides test-like ones:
/// xunit functions and module-level `setUpModule`.
const XUNIT_MODULE_NAMES: &[&str] = &[
    "setup_module",
    "teardown_module",
    "setUpModule",
    "tearDownModule",
    "setup_function",
    "teardown_function",
    "setup",
    "teardown",
];

/// `outline` with each star import whose names the helper's source settles read as
/// `from m import a, b, ...`: its uncertainty dropped and its names bound, when none of
/// them is something pytest would collect or apply here (a test-like name, a fixture,
/// an xunit function, `pytestmark`, a hook), rebinds a builtin this outline read as the
/// builtin, or rebinds a name the module binds itself to something else.
fn with_star_names(
    outline: &Outline,
    resolver: &external::Resolver<'_>,
    path: &Path,
    rules: &collect::NameRules,
) -> Outline {
    use parse::BindingKind;
    let mut out = outline.clone();
    for module in &outline.star_imports {
        let Some(names) = resolver.star_names(path, module) else {
            continue;
        };
        let same_import = |a: &BindingKind, b: &BindingKind| match (a, b) {
            (
                BindingKind::Import {
                    module: m1,
                    name: n1,
                    plain: p1,
                },
                BindingKind::Import {
                    module: m2,
                    name: n2,
                    plain: p2,
                },
            ) => m1 == m2 && n1 == n2 && p1 == p2 && !m1.starts_with('.') && !n1.starts_with('.'),
            _ => false,
        };
        let harmless = names.iter().all(|b| {
            let n = b.name.as_str();
            let special = rules.functions.is_match(n)
                || rules.classes.is_match(n)
                || n.starts_with("pytest") && n != "pytest"
                || (n.starts_with("__") && n.ends_with("__"))
                || XUNIT_MODULE_NAMES.contains(&n)
                || outline.builtins_relied.iter().any(|r| r == n);
            let clash = outline
                .bindings
                .iter()
                .find(|own| own.name == n)
                .is_some_and(|own| !same_import(&own.kind, &b.kind));
            let pytest_other = n == "pytest"
                && !matches!(&b.kind, BindingKind::Import { module, plain: true, .. } if module == "pytest");
            !(special || clash || pytest_other)
        });
        if !harmless {
            continue;
        }
        let reason = format!("star import from `{module}`");
        out.uncertain.retain(|r| *r != reason);
        for b in names {
            if out.bindings.iter().any(|own| own.name == b.name) {
                continue;
            }
            out.bindings.push(parse::Binding {
                line: 0,
                kind: BindingKind::Import {
                    module: module.clone(),
                    name: b.name.clone(),
                    plain: false,
                },
                name: b.name,
            });
        }
    }
    out
}

/// The top of an argument's node chain (`Session.collect`): pytest collects the argument's
/// path and each of its parents, from the highest one that is not strictly above the
/// confcutdir (with no confcutdir, from the filesystem root).
pub fn top_dir<'a>(opts: &DiscoveryOptions, arg: &'a Path) -> &'a Path {
    let mut top = arg;
    for p in arg.ancestors().skip(1) {
        if let Some(cut) = &opts.confcutdir {
            if cut.starts_with(p) && cut.as_path() != p {
                break;
            }
        }
        top = p;
    }
    top
}

/// The name of the node at the top of a chain, whose parent is the session: an
/// `FSCollector` is named by its path relative to its parent's (the rootdir for the
/// session) when it is below it, else by its basename.
pub fn top_dir_name(opts: &DiscoveryOptions, top: &Path) -> String {
    match top.strip_prefix(&opts.rootdir) {
        Ok(rel) if !rel.as_os_str().is_empty() => slash_join(rel),
        // `Path.name`: empty for the filesystem root.
        _ => top
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

pub(crate) fn dir_kind(dir: &Path) -> NodeKind {
    if dir.join("__init__.py").is_file() {
        NodeKind::Package
    } else {
        NodeKind::Dir
    }
}

fn slash_join(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A file's node id as pytest's `FSCollector` computes it: the path relative to the
/// rootdir with `/` separators; for a path outside the rootdir, relative to the nearest
/// initial path containing it (`nodes._check_initialpaths_for_relpath`), so `""` for an
/// argument itself. A path neither below the rootdir nor below an argument cannot be
/// reached by the walk; it gets its absolute path.
pub fn nodeid_for(opts: &DiscoveryOptions, path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(&opts.rootdir) {
        return slash_join(rel);
    }
    for anc in path.ancestors() {
        if opts.args.iter().any(|a| a == anc) {
            return path.strip_prefix(anc).map(slash_join).unwrap_or_default();
        }
    }
    path.to_string_lossy().into_owned()
}

/// The module name pytest would import a file as (for doctest item names).
pub fn module_name(opts: &DiscoveryOptions, path: &Path) -> String {
    import_module_name(opts.import_mode, &opts.rootdir, path)
}

/// The module name pytest imports `path` as under `import_mode` (`__name__` of the
/// module object its tests live in).
pub fn import_module_name(import_mode: ImportMode, rootdir: &Path, path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if import_mode == ImportMode::Importlib {
        let rel = path.strip_prefix(rootdir).unwrap_or(path);
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
pub(crate) fn outline_of(
    opts: &DiscoveryOptions,
    path: &Path,
    conftests_above: &[&Path],
) -> (Outline, u64) {
    match source::read_source(path, opts.use_mmap) {
        Ok(src) => {
            let mut hash = source::content_hash(src.bytes());
            let b = src.text_bytes();
            if std::str::from_utf8(b).is_err() {
                let o = Outline {
                    uncertain: vec!["conftest is not valid UTF-8".into()],
                    ..Outline::default()
                };
                return (o, hash);
            }
            let outline = parse::parse_outline_for(b, false, opts.certainty.target());
            let mut deps = Vec::new();
            let outline =
                with_imported_conditions(opts, path, conftests_above, b, false, outline, &mut deps);
            // What the conftest decides by the modules it read is part of what it is for
            // the files below it (their cache keys hold this hash).
            for d in deps {
                let dep = std::fs::read(&d).map_or(0, |bytes| source::content_hash(&bytes));
                hash = hash.rotate_left(5) ^ dep;
            }
            (outline, hash)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstring_assignments_are_seen_in_the_bytes() {
        let changes = |src: &str| changes_imported_state(src.as_bytes());
        assert_eq!(
            changes("import sys\n\nsys.SURVEY_FLAG = True\n"),
            Some("`sys.SURVEY_FLAG` (line 3)".to_string())
        );
        assert_eq!(
            changes("from pkg import registry\nregistry.CASES.append('x')\n"),
            Some("`registry.CASES.append` (line 2)".to_string())
        );
        assert_eq!(
            changes("import os\nos.environ['X'] = '1'\n"),
            Some("`os.environ['X']` (line 2)".to_string())
        );
        assert_eq!(
            changes("import builtins\nsetattr(builtins, 'F', 1)\n"),
            Some("`builtins` (line 2)".to_string())
        );
        assert!(changes("import sys\nsys.path.insert(0, 'x')\n").is_some());
        // Reads, the module's own names, calls that change nothing, indented code.
        assert_eq!(
            changes("import sys\nif sys.version_info >= (3, 8):\n    sys.X = 1\n"),
            None
        );
        assert_eq!(
            changes("import os\nHERE = os.path.dirname(__file__)\nos.path.join(HERE, 'x')\n"),
            None
        );
        assert_eq!(changes("CASES = []\nCASES.append(1)\nobj.attr = 2\n"), None);
        assert_eq!(
            changes("import sys\nassert sys.maxsize == 1\nsys.stdout.write('x')\n"),
            None
        );
        assert!(assigns_doc(b"f.__doc__ = g.__doc__\n"));
        assert!(assigns_doc(b"x.y.__doc__+= 'more'\n"));
        assert!(assigns_doc(b"__doc__ = __doc__.format(x=1)\n"));
        assert!(assigns_doc(b"setattr(f, '__doc__', text)\n"));
        assert!(!assigns_doc(b"assert f.__doc__ == 'x'\nprint(g.__doc__)\n"));
        assert!(!assigns_doc(b"def f():\n    \"No docs here.\"\n"));
    }

    #[test]
    fn hook_name_leaves_tags_out() {
        assert_eq!(
            hook_name("/r/conftest.py: pytest_sessionstart"),
            "pytest_sessionstart"
        );
        let tagged = format!("/r/conftest.py: pytest_sessionfinish{WRITES_OUTPUT}");
        assert_eq!(hook_name(&tagged), "pytest_sessionfinish");
        let tagged = format!("/r/conftest.py: pytest_configure{TELLS_CONTROLLER}");
        assert_eq!(hook_name(&tagged), "pytest_configure");
        assert_eq!(
            hook_name("/r/plug.py (plugin): pytest_runtest_setup"),
            "pytest_runtest_setup"
        );
        let guarded = format!("/r/conftest.py: pytest_generate_tests{PARAMETRIZES_ONLY}a or b_c)");
        assert_eq!(hook_name(&guarded), "pytest_generate_tests");
        assert_eq!(generate_tests_guard(&guarded), Some(vec!["a", "b_c"]));
        assert_eq!(
            generate_tests_guard("/r/conftest.py: pytest_generate_tests"),
            None
        );
    }

    fn opts(rootdir: &Path, args: &[PathBuf]) -> DiscoveryOptions {
        DiscoveryOptions {
            rootdir: rootdir.to_path_buf(),
            args: args.to_vec(),
            python_files: PathMatcher::new(&["test_*.py".into(), "*_test.py".into()]),
            rules: NameRules {
                classes: crate::glob::NameMatcher::new(&["Test".into()]),
                functions: crate::glob::NameMatcher::new(&["test".into()]),
                long_strings: LongStrIds::Short,
                strict_ids: false,
            },
            norecursedirs: PathMatcher::new(&[".*".into()]),
            ignore: Vec::new(),
            ignore_glob: Vec::new(),
            collect_in_virtualenv: false,
            doctest_modules: false,
            doctest_glob: PathMatcher::new(&["test*.txt".into()]),
            noconftest: true,
            confcutdir: Some(rootdir.to_path_buf()),
            keep_duplicates: false,
            import_mode: ImportMode::Prepend,
            use_mmap: false,
            fingerprint: 0,
            certainty: Default::default(),
        }
    }

    fn write(path: &Path, text: &str) {
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn text_doctests_need_an_example() {
        assert_eq!(doctest_text_has_examples("just prose\n"), Ok(false));
        assert_eq!(doctest_text_has_examples("a >>> in prose\n"), Ok(false));
        assert_eq!(
            doctest_text_has_examples(">>> # only a comment\n"),
            Ok(false)
        );
        assert_eq!(doctest_text_has_examples(">>>\n"), Ok(false));
        assert_eq!(
            doctest_text_has_examples("Intro\n\n  >>> 1 + 1\n  2\n"),
            Ok(true)
        );
        assert_eq!(doctest_text_has_examples("\t>>> x = 1\n"), Ok(true));
        assert_eq!(doctest_text_has_examples(">>> f(\n... )\n"), Ok(true));
        // The parser raises for these; pytest reports a collection error.
        assert!(doctest_text_has_examples(">>>x\n").is_err());
        assert!(doctest_text_has_examples("  >>> x\n 1\n").is_err());
        assert!(doctest_text_has_examples("  >>> f(\n   ... )\n").is_err());
        assert!(doctest_text_has_examples(">>> x  # doctest: +SKIP\n").is_err());
    }

    #[test]
    fn chain_tops_and_node_ids_follow_the_confcutdir_and_initial_paths() {
        let root = Path::new("/w/proj");
        let other = PathBuf::from("/w/other");
        let mut o = opts(root, &[root.join("tests"), other.clone()]);
        assert_eq!(top_dir(&o, &root.join("tests/test_a.py")), root);
        assert_eq!(top_dir(&o, &other.join("test_o.py")), other.as_path());
        assert_eq!(top_dir_name(&o, root), "proj");
        assert_eq!(top_dir_name(&o, &other), "other");
        assert_eq!(
            nodeid_for(&o, &root.join("tests/test_a.py")),
            "tests/test_a.py"
        );
        assert_eq!(
            nodeid_for(&o, &other.join("sub/test_o.py")),
            "sub/test_o.py"
        );
        o.args = vec![other.join("test_o.py")];
        assert_eq!(nodeid_for(&o, &other.join("test_o.py")), "");
        // A confcutdir below the rootdir names the top node by its relative path.
        o.confcutdir = Some(root.join("tests/unit"));
        let unit_file = root.join("tests/unit/test_u.py");
        let top = top_dir(&o, &unit_file);
        assert_eq!(top, root.join("tests/unit"));
        assert_eq!(top_dir_name(&o, top), "tests/unit");
    }

    #[test]
    fn walk_follows_symlink_cycles_until_the_os_refuses() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("cyclic/test_c.py"), "def test_c():\n    pass\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink(".", root.join("cyclic/again")).expect("symlink");
        let o = opts(root, &[root.to_path_buf()]);
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        let n = disc.files.len();
        if cfg!(target_os = "linux") {
            // Linux resolves at most 40 links per path: depths 0 through 40.
            assert_eq!(n, 41);
        }
        assert!(n > 1);
        // Every copy is the same file: no import mismatch, nothing for the fallback.
        assert!(disc
            .files
            .iter()
            .all(|f| matches!(f.outcome, FileOutcome::Items(_))));
    }

    #[cfg(unix)]
    #[test]
    fn walk_stays_bounded_where_pytest_would_never_finish() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("t/test_x.py"), "def test_x():\n    pass\n");
        // Two links into one cycle: 2^40 paths for pytest.
        std::os::unix::fs::symlink(".", root.join("t/a")).expect("symlink");
        std::os::unix::fs::symlink(".", root.join("t/b")).expect("symlink");
        let walked = walk::walk(&opts(root, &[root.to_path_buf()]));
        assert!(walked.files.len() <= walk::MAX_CYCLE_ENTRIES + 1);
    }

    #[test]
    fn same_module_names_go_to_the_fallback_under_prepend() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("a/test_same.py"), "def test_a():\n    pass\n");
        write(&root.join("b/test_same.py"), "def test_b():\n    pass\n");
        write(&root.join("p/__init__.py"), "");
        write(&root.join("p/test_other.py"), "def test_p():\n    pass\n");
        write(&root.join("q/__init__.py"), "");
        write(&root.join("q/test_other.py"), "def test_q():\n    pass\n");
        let mut o = opts(root, &[root.to_path_buf()]);
        let uncertain = |o: &DiscoveryOptions| -> Vec<String> {
            discover(o, &mut cache::DiscoveryCache::disabled())
                .files
                .into_iter()
                .filter(|f| matches!(f.outcome, FileOutcome::Uncertain(_)))
                .map(|f| f.nodeid)
                .collect()
        };
        assert_eq!(uncertain(&o), vec!["a/test_same.py", "b/test_same.py"]);
        o.import_mode = ImportMode::Importlib;
        assert!(uncertain(&o).is_empty());
    }

    #[test]
    fn a_modules_own_generate_tests_hook_needs_its_import() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        let hook = "def pytest_generate_tests(metafunc):\n";
        write(
            &root.join("test_any.py"),
            &format!("{hook}    metafunc.parametrize('v', [1])\n\ndef test_a(v):\n    pass\n"),
        );
        let guarded = format!(
            "{hook}    if 'v' in metafunc.fixturenames:\n        metafunc.parametrize('v', [1])\n\n"
        );
        write(
            &root.join("test_uses.py"),
            &format!("{guarded}def test_b(v):\n    pass\n"),
        );
        write(
            &root.join("test_unused.py"),
            &format!("{guarded}def test_c():\n    pass\n"),
        );
        let o = opts(root, &[root.to_path_buf()]);
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        let uncertain: Vec<&str> = disc
            .files
            .iter()
            .filter(|f| matches!(f.outcome, FileOutcome::Uncertain(_)))
            .map(|f| f.nodeid.as_str())
            .collect();
        assert_eq!(uncertain, vec!["test_any.py", "test_uses.py"]);
    }

    #[test]
    fn modules_naming_a_collecting_plugin_go_to_the_fallback() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(
            &root.join("a/test_named.py"),
            "import pytest\n\n@pytest.mark.anyio\nasync def test_a():\n    pass\n",
        );
        write(&root.join("a/test_plain.py"), "def test_p():\n    pass\n");
        write(
            &root.join("b/conftest.py"),
            "import pytest\n\n@pytest.fixture\ndef c(anyio_backend_name):\n    return 1\n",
        );
        write(&root.join("b/test_below.py"), "def test_b(c):\n    pass\n");
        let mut o = opts(root, &[root.to_path_buf()]);
        o.noconftest = false;
        let uncertain = |o: &DiscoveryOptions| -> Vec<(String, String)> {
            discover(o, &mut cache::DiscoveryCache::disabled())
                .files
                .into_iter()
                .filter_map(|f| match f.outcome {
                    FileOutcome::Uncertain(why) => Some((f.nodeid, why)),
                    FileOutcome::Items(_) => None,
                })
                .collect()
        };
        // Without the plugin installed, the source proves all three.
        assert!(uncertain(&o).is_empty());
        let before = o.certainty.fingerprint();
        o.certainty.plugin_words = vec![("anyio".into(), "anyio".into())];
        assert_ne!(o.certainty.fingerprint(), before);
        let found = uncertain(&o);
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, vec!["a/test_named.py", "b/test_below.py"]);
        assert!(found[0].1.contains("naming `anyio`"), "{}", found[0].1);
        assert!(found[1].1.contains("b/conftest.py"), "{}", found[1].1);
    }

    #[test]
    fn star_imported_hooks_are_the_conftests() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("conftest.py"), "from helpers import *\n");
        write(
            &root.join("helpers.py"),
            "import pytest\n\ndef pytest_runtest_setup(item):\n    pass\n\n\
             @pytest.fixture\ndef fx():\n    return 1\n",
        );
        write(
            &root.join("sub/conftest.py"),
            "from .. import nothing\nfrom .local import *\n",
        );
        write(
            &root.join("sub/local.py"),
            "def pytest_sessionstart(session):\n    print('hi')\n",
        );
        write(&root.join("test_a.py"), "def test_a(fx):\n    pass\n");
        let mut o = opts(root, &[root.to_path_buf()]);
        o.noconftest = false;
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        let hooks: Vec<&str> = disc.conftest_hooks.iter().map(|h| hook_name(h)).collect();
        assert_eq!(hooks, ["pytest_runtest_setup", "pytest_sessionstart"]);
        // A hook that prints is marked as a conftest's own would be.
        assert!(
            disc.conftest_hooks[1].ends_with(WRITES_OUTPUT),
            "{:?}",
            disc.conftest_hooks
        );
        // A module that cannot be found: hooks nobody knows, pytest's session.
        write(&root.join("conftest.py"), "from not_here_at_all import *\n");
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        assert_eq!(hook_name(&disc.conftest_hooks[0]), "pytest_plugins");
        assert!(disc.conftest_hooks[0].ends_with(WRITES_OUTPUT));
        assert!(disc.global_fallback.is_some());
    }

    #[test]
    fn conftest_plugins_are_pytester_the_projects_or_a_computed_hook() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(&root.join("conftest.py"), "pytest_plugins = ['pytester']\n");
        write(
            &root.join("test_p.py"),
            "import pytest\n\n@pytest.mark.pytester_example_path('x')\ndef test_p(pytester):\n    pass\n",
        );
        let mut o = opts(root, &[root.to_path_buf()]);
        o.noconftest = false;
        // Marks are checked against the builtin ones (and the conftests' registrations).
        o.certainty = certainty::Certainty::new(syntax::PyVersion(3, 11), None, &[]);
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        assert_eq!(disc.global_fallback, None);
        assert!(disc.conftest_hooks.is_empty());
        assert_eq!(
            disc.conftest_plugins,
            vec![(root.join("conftest.py"), vec!["pytester".to_string()])]
        );
        // pytester's marker is registered: the module is proved from its source.
        assert!(matches!(disc.files[0].outcome, FileOutcome::Items(_)));
        write(
            &root.join("conftest.py"),
            "pytest_plugins = ['pytester', 'tests.fx']\n",
        );
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        // The project's module: pytest's collection registers it and says what it is.
        assert!(disc.global_fallback.is_some());
        assert!(disc.global_fallback_by_hook);
        assert_eq!(
            disc.conftest_plugins,
            vec![(root.join("conftest.py"), vec!["pytester".to_string()])]
        );
        assert_eq!(
            disc.project_plugins,
            vec![(root.join("conftest.py"), vec!["tests.fx".to_string()])]
        );
        assert!(disc.conftest_hooks.is_empty());
        // A computed list is a hook whose plugins nothing here knows.
        write(&root.join("conftest.py"), "pytest_plugins = plugins()\n");
        let disc = discover(&o, &mut cache::DiscoveryCache::disabled());
        assert!(disc.global_fallback.is_some());
        assert!(!disc.global_fallback_by_hook);
        assert!(disc.conftest_plugins.is_empty() && disc.project_plugins.is_empty());
        assert_eq!(disc.conftest_hooks.len(), 1);
    }

    #[test]
    fn higher_scoped_parameters_are_proved_with_what_reorder_items_compares() {
        use crate::item::{ParamScope, ScopedParam};
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(
            &root.join("test_fx.py"),
            "import pytest\n\n@pytest.fixture(scope='session', params=[1, 'a'])\ndef s(request):\n    return request.param\n\n@pytest.fixture(scope='module')\ndef m(request):\n    return request.param\n\n@pytest.mark.parametrize('m', [2.0], indirect=True)\ndef test_s(s, m):\n    pass\n",
        );
        write(
            &root.join("test_p.py"),
            "import pytest\n\n@pytest.mark.parametrize('x', [1], scope='package')\ndef test_p(x):\n    pass\n\n@pytest.mark.parametrize('y', [True], scope='class')\ndef test_c(y):\n    pass\n",
        );
        // Values fastest cannot compare as pytest does: the file is pytest's, and the
        // whole session's when the scope is wider than a module.
        write(
            &root.join("test_q.py"),
            "import pytest\n\n@pytest.mark.parametrize('z', [[1]], scope='session')\ndef test_q(z):\n    pass\n",
        );
        write(
            &root.join("test_r.py"),
            "import pytest\n\n@pytest.mark.parametrize('z', [[1]], scope='module')\ndef test_r(z):\n    pass\n",
        );
        let o = opts(root, &[root.to_path_buf()]);
        let mut keys: Vec<(String, Vec<ScopedParam>)> = Vec::new();
        let mut uncertain: Vec<(String, bool)> = Vec::new();
        for f in discover(&o, &mut cache::DiscoveryCache::disabled()).files {
            match f.outcome {
                FileOutcome::Uncertain(why) => {
                    uncertain.push((f.nodeid, why.ends_with(REORDERS_ACROSS_MODULES)));
                }
                FileOutcome::Items(items) => keys.extend(
                    items
                        .into_iter()
                        .map(|i| (i.nodeid, i.run.map(|r| r.scoped_params).unwrap_or_default())),
                ),
            }
        }
        let key = |argname: &str, scope, value: &str| ScopedParam {
            argname: argname.into(),
            scope,
            value: value.into(),
        };
        assert_eq!(
            keys,
            [
                (
                    "test_fx.py::test_s[1-2.0]".to_string(),
                    vec![
                        key("s", ParamScope::Session, "int:1"),
                        key("m", ParamScope::Module, "float:2.0")
                    ]
                ),
                (
                    "test_fx.py::test_s[a-2.0]".to_string(),
                    vec![
                        key("s", ParamScope::Session, "str:a"),
                        key("m", ParamScope::Module, "float:2.0")
                    ]
                ),
                (
                    "test_p.py::test_p[1]".to_string(),
                    vec![key("x", ParamScope::Package, "int:1")]
                ),
                (
                    "test_p.py::test_c[True]".to_string(),
                    vec![key("y", ParamScope::Class, "bool:true")]
                ),
            ]
        );
        assert_eq!(
            uncertain,
            [
                ("test_q.py".to_string(), true),
                ("test_r.py".to_string(), false)
            ]
        );
    }
}
