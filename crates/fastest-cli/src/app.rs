//! One invocation, from argv to exit code: arguments (with `PYTEST_ADDOPTS` and the ini's
//! `addopts`), config, discovery, the import fallback for uncertain files, selection, and
//! the `--collect-only` report. Errors are mapped to pytest's exit codes here and nowhere
//! else.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fastest_core::config::Config;
use fastest_core::discovery::cache::DiscoveryCache;
use fastest_core::discovery::{self, DiscoveryOptions, FileOutcome, ImportMode, NameRules};
use fastest_core::glob::{NameMatcher, PathMatcher};
use fastest_core::item::Item;
use fastest_core::select::matcher::{keyword_matches, mark_matches};
use fastest_core::select::{check_marker_names, compile_option, SelectError, SelectOption};

use crate::args::Args;
use crate::collect_args::{
    message_arg, no_collector_message, normalize_args, parse_not_found, rebase_item, CollectArg,
    FallbackFiles,
};
use crate::collect_only::{render, CollectReport, Header};
use crate::fallback::{self, RawReport, RawWarning};
use crate::host::Host;
use crate::invocation::{self, Invocation, Prepared};

/// pytest's exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    pub const TESTS_FAILED: i32 = 1;
    pub const INTERRUPTED: i32 = 2;
    pub const INTERNAL_ERROR: i32 = 3;
    pub const USAGE_ERROR: i32 = 4;
    pub const NO_TESTS_COLLECTED: i32 = 5;
    pub const MAX_WARNINGS: i32 = 6;
}

/// Run one invocation. `out`/`err` are stdout/stderr.
pub fn run(argv: &[String], host: &Host, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let start = Instant::now();
    match invocation::prepare(argv, host, out, err) {
        Prepared::Exit(code) => code,
        // Until the native executor lands, a run is handed to pytest, so `fastest` already
        // works as a drop-in; so are `--collect-only` outputs fastest does not render.
        Prepared::Delegate(pytest_argv) => invocation::run_pytest(&pytest_argv, host, err),
        Prepared::Collect(inv, config) => {
            let mut reimport = crate::run::Reimport::default();
            let mut code = collect_only(&inv, &config, host, start, out, err, &mut reimport);
            // At most twice (see `Reimport::partial`).
            while let Some(files) = reimport.request.take() {
                // Test modules failed to import before the first test: collected by
                // pytest now, they are reported as its collection reports them.
                reimport.forced = files.into_iter().collect();
                reimport.retried = true;
                code = collect_only(&inv, &config, host, start, out, err, &mut reimport);
            }
            // Workers started ahead for a run that did not happen.
            crate::run::discard_prestarted();
            match &inv.strict_unknown_key {
                // pytest checks ini keys once collection is over; with `strict_config`
                // the first unknown one is a usage error, whatever collection found.
                Some(key) if code != exit::INTERNAL_ERROR => {
                    let e = fastest_core::config::ConfigError::UnknownKey { key: key.clone() };
                    let _ = write!(err, "{}", e.stderr_text());
                    exit::USAGE_ERROR
                }
                _ => code,
            }
        }
    }
}

/// What `collect_only` reports besides the items: the fallback's collection errors,
/// warnings and skips, why files needed it (`-v`) and what its hooks deselected.
#[derive(Default)]
struct Extras {
    errors: Vec<RawReport>,
    warnings: Vec<RawWarning>,
    skipped: Vec<RawReport>,
    notes: Vec<(String, String)>,
    deselected: Vec<String>,
    /// Those of `deselected` a hook deselected (see `CollectResult::hook_deselected`).
    hook_deselected: Vec<String>,
    /// Items the arguments selected directly (only reported with a usage error).
    collected: usize,
    /// Items pytest's collection counted that a hook then removed without deselecting
    /// them (SQLAlchemy's plugin): pytest's `collected N items` still counts them.
    dropped: usize,
    /// Conftest hooks on the way (a run hands such sessions to pytest for now).
    conftest_hooks: Vec<String>,
    /// Markers the conftests' `pytest_configure` registers (discovery's reading).
    conftest_markers: Vec<String>,
    /// Conftests that use pytest's plugin machinery (`path: what`).
    conftest_machinery: Vec<String>,
    /// The conftests' fixtures that may outlive a module (`Discovery::shared_fixtures`),
    /// when discovery saw every conftest (`None`: not known).
    shared_fixtures: Option<Vec<(PathBuf, String)>>,
    /// Initial conftests' `pytest_plugins` the native engine loads itself (see
    /// `Discovery::conftest_plugins`).
    conftest_plugins: Vec<(PathBuf, Vec<String>)>,
    /// The modules the initial conftests' `pytest_plugins` registered in the import
    /// fallback's pytest (beyond pytest's own), per conftest in pytest's order: the
    /// native engine loads them as it imports the conftest.
    project_plugins: Vec<(PathBuf, Vec<String>)>,
    /// The modules `-p` loaded in the import fallback's pytest (and those their
    /// `pytest_plugins` name), which the native engine loads at its start.
    cli_plugins: Vec<String>,
    /// The arguments' paths (pytest's initial paths: `--lf` keeps their files whole).
    initpaths: Vec<PathBuf>,
    /// pytest collected the whole session: its items are in its final order already
    /// (plugins' reordering included).
    ordered_by_pytest: bool,
    /// The files the import fallback collected (node id file parts): what importing
    /// them warned is in `warnings`.
    fallback_files: Vec<String>,
    /// The test modules discovery read this time (see `Discovery::changed`).
    changed_modules: std::collections::HashSet<PathBuf>,
    /// The options plugins and conftests registered, with their values, when the import
    /// fallback ran (see [`fallback::CollectResult::added_options`]).
    added_options: Option<serde_json::Value>,
    /// The markers registered in the import fallback's pytest (`config.getini("markers")`
    /// after every `pytest_configure`, by name).
    fallback_markers: Vec<String>,
    /// Whether the import fallback's pytest wrote to stderr as it collected.
    fallback_stderr: bool,
    /// Test modules (and doctest modules) discovery proved to have no items, in
    /// collection order, each with the next file that has items: pytest imports them
    /// all the same (see [`module_import`]).
    empty_files: Vec<(Item, Option<String>)>,
    /// Every file collection reached, in pytest's order, with the number of file
    /// collectors pytest makes of it (`--lf` counts those it skips); `None` when
    /// pytest's collection in the import fallback collected the whole session.
    file_collectors: Option<Vec<(PathBuf, u8)>>,
}

/// A stand-in item for an item-less module pytest's collection imports: its chain ends in
/// the module and a nameless item, which the engines only import (`ItemSpec::import_only`).
fn module_import(file: &discovery::CollectedFile) -> Item {
    let mut chain: Vec<fastest_core::item::ChainNode> = file.dir_chain.iter().cloned().collect();
    // A text file of doctests (`--doctest-glob`) is read, never imported.
    let kind = if file.path.extension().is_some_and(|e| e == "py") {
        fastest_core::item::NodeKind::Module
    } else {
        fastest_core::item::NodeKind::DoctestTextfile
    };
    chain.push(fastest_core::item::ChainNode::new(kind, file.name.clone()));
    chain.push(fastest_core::item::ChainNode::new(
        fastest_core::item::NodeKind::Function,
        "",
    ));
    Item {
        nodeid: file.nodeid.clone(),
        chain,
        lineno: None,
        marks: Vec::new(),
        extra_keywords: Vec::new(),
        run: None,
    }
}

/// One collected file of the session, with its items once known.
struct Slot {
    file: discovery::CollectedFile,
    items: Vec<Item>,
    /// The items come from the import fallback.
    via_fallback: bool,
    /// Each fallback item's place in the worker's collection (pytest's order).
    seqs: Vec<usize>,
    /// The path the fallback was given for it (the file, or its argument).
    requested: PathBuf,
}

fn collect_only(
    inv: &Invocation,
    config: &Config,
    host: &Host,
    start: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
    reimport: &mut crate::run::Reimport,
) -> i32 {
    let args = &inv.args;
    let rootdir = config.rootdir.clone();
    let mut used_testpaths = false;
    let mut raw_args: Vec<String> = args.paths.clone();
    if raw_args.is_empty() && host.cwd == rootdir {
        let tp = config.testpaths();
        if !tp.is_empty() {
            let expanded = expand_testpaths(&rootdir, &tp);
            if !expanded.is_empty() {
                raw_args = expanded;
                used_testpaths = true;
            }
        }
    }
    let usage = |out: &mut dyn Write, err: &mut dyn Write, msgs: &[String], extras: &Extras| {
        usage_failure(
            inv,
            config,
            host,
            start,
            out,
            err,
            msgs,
            extras,
            used_testpaths,
        )
    };
    // Decided before discovery: the session is pytest's whole, no need to walk it.
    if let Some(why) = &inv.fallback {
        return pytest_session(
            inv,
            config,
            host,
            start,
            (out, err),
            (&raw_args, used_testpaths),
            &Handover::decided(why),
            reimport,
        );
    }
    // pytest resolves every argument before collecting; the first bad one is a usage error.
    let mut cargs: Vec<CollectArg> = Vec::new();
    if raw_args.is_empty() {
        cargs.push(CollectArg::whole(host.cwd.clone()));
    }
    for raw in &raw_args {
        match CollectArg::parse(&host.cwd, raw) {
            Ok(a) => cargs.push(a),
            Err(msg) => return usage(out, err, &[msg], &Extras::default()),
        }
    }
    if !args.keep_duplicates {
        cargs = normalize_args(cargs);
    }
    // The run's first worker starts now: an interpreter that imports pytest takes longer
    // than discovery, which goes on meanwhile. (How many more `-n` needs is known once
    // discovery has the scope groups: the pool starts them, or the import fallback's
    // prestart while pytest collects.)
    crate::run::prestart(inv, host, 1);
    let confcutdir = Some(crate::run::confcutdir(args, config, &host.cwd));
    let import_mode = match args.import_mode.as_deref() {
        Some("append") => ImportMode::Append,
        Some("importlib") => ImportMode::Importlib,
        _ => ImportMode::Prepend,
    };
    let doctest_glob = if args.doctest_glob.is_empty() {
        vec!["test*.txt".to_string()]
    } else {
        args.doctest_glob.clone()
    };
    // What besides the source decides certainty: the interpreter's version and import
    // path (its first entry as the workers get it: the console script's directory, or
    // the cwd under `python -m fastest` as under `python -m pytest`), and the registered
    // marks.
    let certainty = {
        use fastest_core::discovery::{certainty, syntax::PyVersion};
        let python = PyVersion::parse(&host.python_version).unwrap_or(PyVersion::MIN);
        let imports = (!host.sys_path.is_empty()).then(|| {
            certainty::ImportEnv::new(
                python,
                host.sys_path.clone(),
                host.builtin_modules.iter().cloned().collect(),
                config.get_paths("pythonpath").unwrap_or_default(),
            )
        });
        let mut markers = config.markers();
        markers.extend(crate::invocation::plugin_markers(args, host));
        let mut certainty = certainty::Certainty::new(python, imports, &markers);
        if crate::invocation::warnings_blocked(args) {
            // Unregistered then: a module marking with it is pytest's to collect (its
            // unknown-mark warning, an error under `--strict-markers`).
            if let Some(known) = certainty.markers.as_mut() {
                known.remove("filterwarnings");
            }
        }
        certainty.platform =
            fastest_core::discovery::syntax::Platform::from_sys_platform(&host.platform);
        certainty.implementation =
            fastest_core::discovery::syntax::Implementation::from_name(&host.implementation);
        certainty.plugin_words = crate::invocation::collection_plugin_words(args, config, host);
        certainty.import_warnings_collected = !inv.run;
        certainty.plugin_fixtures = crate::invocation::plugin_fixture_defs(args, host);
        certainty
    };
    let opts = DiscoveryOptions {
        rootdir: rootdir.clone(),
        args: cargs.iter().map(|a| a.path.clone()).collect(),
        python_files: PathMatcher::new(&config.python_files()),
        rules: NameRules {
            classes: NameMatcher::new(&config.python_classes()),
            functions: NameMatcher::new(&config.python_functions()),
            long_strings: fastest_core::discovery::LongStrIds::from_ini(
                config
                    .get_str("parametrize_long_str_id_strategy")
                    .as_deref(),
            ),
            strict_ids: config.strict_parametrization_ids().unwrap_or(false),
        },
        norecursedirs: PathMatcher::new(&config.norecursedirs()),
        ignore: args
            .ignore
            .iter()
            .map(|p| normalize(&host.cwd.join(p)))
            .collect(),
        ignore_glob: args
            .ignore_glob
            .iter()
            .map(|p| host.cwd.join(p).to_string_lossy().into_owned())
            .collect(),
        collect_in_virtualenv: args.collect_in_virtualenv,
        doctest_modules: args.doctest_modules,
        doctest_glob: PathMatcher::new(&doctest_glob),
        noconftest: args.noconftest,
        confcutdir,
        keep_duplicates: args.keep_duplicates,
        import_mode,
        use_mmap: std::env::var_os("FASTEST_NO_MMAP").is_none(),
        fingerprint: fingerprint(config, args, &rootdir, host) ^ certainty.fingerprint(),
        certainty,
    };
    let mut cache = if args.no_cache {
        DiscoveryCache::disabled()
    } else {
        let t = Instant::now();
        let (cache, problem) = DiscoveryCache::load(&rootdir.join(".fastest_cache"));
        tracing::debug!(elapsed = ?t.elapsed(), "discovery cache loaded");
        if let Some(p) = problem {
            let _ = writeln!(err, "fastest: warning: {p}");
        }
        cache
    };
    let t = Instant::now();
    let disc = discovery::discover(&opts, &mut cache);
    tracing::debug!(elapsed = ?t.elapsed(), "discovered");
    if let Err(e) = cache.save() {
        tracing::warn!("{e}");
    }
    tracing::debug!(files = disc.files.len(), elapsed = ?t.elapsed(), "discovery");
    // An installed plugin that acts only on tests naming it (anyio's) is pytest's to
    // run when a test file or conftest of the session does.
    if let Some(why) = crate::invocation::idle_plugin_used(
        &inv.args,
        host,
        disc.files
            .iter()
            .map(|f| f.path.as_path())
            .chain(disc.conftests.iter().map(PathBuf::as_path)),
    ) {
        tracing::info!("pytest runs this session: {why}");
        return crate::run::with_pytest(inv, host, err, &why);
    }
    // A conftest choosing pytest's options itself (`config.option.markexpr = ...` in
    // `pytest_configure`): what is selected and shown is its session's.
    if let Some(why) = &disc.pytest_only {
        tracing::info!("pytest runs this session: {why}");
        return crate::run::with_pytest(inv, host, err, why);
    }
    let mut pytest_args = passthrough_args(inv, config);
    if let Some(r) = &inv.randomly {
        // The session's order is pytest-randomly's, made here of all the items in
        // pytest's order (the fallback's among them): its pytest must not shuffle them
        // first (shuffling a module whose functions a class splits is no no-op). Its
        // seed is the session's: the plugin seeds `random` with it before modules are
        // imported, and stores it where `--randomly-seed=last` finds it.
        pytest_args.push("--randomly-dont-reorganize".into());
        pytest_args.push(r.seed_option());
    }
    let mut extras = Extras {
        conftest_hooks: disc.conftest_hooks.clone(),
        conftest_markers: disc.conftest_markers.clone(),
        conftest_machinery: disc.conftest_machinery.clone(),
        conftest_plugins: disc.conftest_plugins.clone(),
        shared_fixtures: Some(disc.shared_fixtures.clone()),
        initpaths: cargs.iter().map(|a| a.path.clone()).collect(),
        changed_modules: disc
            .changed
            .iter()
            .filter(|p| opts.python_files.is_match(p))
            .cloned()
            .collect(),
        ..Extras::default()
    };
    // pytest fails the collection of a directory whose conftest, imported only then,
    // sets `pytest_plugins`: only its own collection words that.
    let initial = crate::invocation::initial_conftests(&inv.args, config, &host.cwd);
    let late_plugins = disc
        .conftest_plugins
        .iter()
        .chain(&disc.project_plugins)
        .find(|(c, _)| !initial.contains(c))
        .map(|(c, _)| format!("{} sets pytest_plugins", c.display()));
    // A `-p` module fastest knows nothing of: pytest's collection registers it and says
    // what it defines (`project_plugins`).
    let cli_plugins = (!inv.cli_plugins.is_empty())
        .then(|| format!("-p {} loads a plugin", inv.cli_plugins.join(", -p ")));
    let plugin_marks = crate::invocation::selection_names_plugin_marks(&inv.args, config, host);
    if let Some(why) = disc
        .global_fallback
        .as_ref()
        .or(late_plugins.as_ref())
        .or(cli_plugins.as_ref())
        .or(plugin_marks.as_ref())
    {
        let handover = Handover {
            why,
            // Cached: its answer depends on the files it imported or read, the
            // directories it or discovery looked into, and the environment.
            cache_dirs: Some(disc.walked_dirs.as_slice()),
            conftest_hooks: &disc.conftest_hooks,
            conftest_plugins: &disc.conftest_plugins,
            shared_fixtures: Some(&disc.shared_fixtures),
            hooks_known: (disc.global_fallback.is_none() || disc.global_fallback_by_hook)
                && late_plugins.is_none(),
        };
        return pytest_session(
            inv,
            config,
            host,
            start,
            (out, err),
            (&raw_args, used_testpaths),
            &handover,
            reimport,
        );
    }
    // Static items, filtered by the argument's `::` selector. Uncertain files, and
    // selectors that match nothing statically (pytest words that error, and a class with no
    // tests is still a match), are collected by pytest in the fallback, selector included,
    // so it reports exactly the warnings and errors of a partial collection.
    let mut slots: Vec<Slot> = Vec::with_capacity(disc.files.len());
    let mut requests: Vec<String> = Vec::new();
    let mut walked: Vec<String> = Vec::new();
    let mut requested = std::collections::HashSet::new();
    let mut worker_files = FallbackFiles::new(&opts);
    // Arguments the fallback is given whole: those with an uncertain file outside the
    // rootdir (see below); every uncertain file of theirs is then collected from there.
    let whole_arg: std::collections::HashSet<usize> = disc
        .files
        .iter()
        .filter(|f| {
            matches!(f.outcome, FileOutcome::Uncertain(_))
                && !f.path.starts_with(&rootdir)
                && cargs.get(f.arg).is_some_and(|a| !a.has_selector())
        })
        .map(|f| f.arg)
        .collect();
    // A session- or package-scoped parametrization interleaves the items of several
    // modules (pytest's `reorder_items`): every file is collected by pytest in one
    // session, whose order the items keep.
    // So does a proved one beside files pytest collects: their items' parameters are
    // not known here.
    let whole_order = disc.files.iter().any(|f| {
        matches!(&f.outcome, FileOutcome::Uncertain(why)
            if why.ends_with(discovery::REORDERS_ACROSS_MODULES))
    }) || (disc
        .files
        .iter()
        .any(|f| matches!(f.outcome, FileOutcome::Uncertain(_)))
        && disc.files.iter().any(|f| {
            matches!(&f.outcome, FileOutcome::Items(items)
                if discovery::reorder::has_cross_module_params(items))
        }));
    // `--lf`, once it collected a failure, skips every file outside the failures' paths
    // unimported: an uncertain one is no fallback's to import when a file discovery
    // proved holds a recorded failure (pytest collects the failures' paths first) among
    // the module's own children (a failure in a class starts no skipping).
    let lf_skip: Option<std::collections::HashSet<PathBuf>> =
        if whole_order || !args.has(crate::args::Opt::LastFailed) {
            None
        } else {
            crate::cacheprovider::CacheSession::load(inv, config).and_then(|c| {
                let paths = c.lf_paths(&rootdir)?;
                disc.files
                    .iter()
                    .any(|f| {
                        matches!(&f.outcome, FileOutcome::Items(items)
                        if items.iter().any(|it| {
                            !crate::cacheprovider::in_class(it) && c.failed_before(&it.nodeid)
                        }))
                    })
                    .then_some(paths)
            })
        };
    for f in disc.files {
        let Some(a) = cargs.get(f.arg) else {
            continue;
        };
        let file_at = f.dir_chain.len();
        let mut slot = Slot {
            items: Vec::new(),
            seqs: Vec::new(),
            via_fallback: false,
            requested: PathBuf::new(),
            file: f,
        };
        match std::mem::replace(&mut slot.file.outcome, FileOutcome::Items(Vec::new())) {
            FileOutcome::Items(_) if reimport.forced.contains(&slot.file.nodeid) => {
                extras.notes.push((
                    slot.file.nodeid.clone(),
                    "its import failed in a worker".to_string(),
                ));
                slot.via_fallback = true;
            }
            FileOutcome::Items(_) if whole_order => {
                extras.notes.push((
                    slot.file.nodeid.clone(),
                    "a parametrization reorders items across modules".to_string(),
                ));
                slot.via_fallback = true;
            }
            FileOutcome::Items(items) => {
                slot.items = if a.has_selector() {
                    items
                        .into_iter()
                        .filter(|it| a.selects(it, file_at))
                        .collect()
                } else {
                    items
                };
                slot.via_fallback = a.has_selector() && slot.items.is_empty();
            }
            FileOutcome::Uncertain(_)
                if lf_skip
                    .as_ref()
                    .is_some_and(|paths| !paths.contains(&slot.file.path)) => {}
            FileOutcome::Uncertain(why) => {
                extras.notes.push((slot.file.nodeid.clone(), why));
                slot.via_fallback = true;
            }
        }
        if slot.via_fallback {
            extras.fallback_files.push(slot.file.nodeid.clone());
            // The file alone, but outside the rootdir the whole argument: pytest names such
            // nodes relative to the argument, so the worker must be given the same one for
            // its node ids (items, errors, warnings) to be the session's.
            let (spec, requested_path, is_walked) = if a.has_selector() {
                (a.spec(), a.path.as_path(), false)
            } else if whole_arg.contains(&slot.file.arg) {
                (
                    a.path.to_string_lossy().into_owned(),
                    a.path.as_path(),
                    false,
                )
            } else {
                // Reached by walking the argument's directory: no initial path in pytest.
                let spec = slot.file.path.to_string_lossy().into_owned();
                (spec, slot.file.path.as_path(), a.path != slot.file.path)
            };
            worker_files.add(&slot.file.path, requested_path);
            slot.requested = requested_path.to_path_buf();
            if requested.insert(spec.clone()) {
                if is_walked {
                    walked.push(spec.clone());
                }
                requests.push(spec);
            }
        }
        slots.push(slot);
    }
    let mut worker_not_found: Vec<String> = Vec::new();
    // The requested files pytest's collection imported without finding an item in them,
    // each with the number of items collected before it.
    let mut fallback_empty: Vec<(PathBuf, usize)> = Vec::new();
    if !requests.is_empty() {
        let cache_dir = (!args.no_cache).then(|| rootdir.join(".fastest_cache"));
        // pytest's collection may take a while (unless its answer is cached): the run's
        // workers start meanwhile.
        crate::run::prestart(inv, host, slots.len());
        // Meanwhile the workers, started and idle, rewrite the test modules discovery
        // read (those pytest's collection imports it rewrites itself).
        let warm: Vec<PathBuf> = slots
            .iter()
            .filter(|s| !s.via_fallback)
            .map(|s| s.file.path.clone())
            .filter(|p| opts.python_files.is_match(p))
            .collect();
        let pass_hook = config
            .get_bool("enable_assertion_pass_hook")
            .ok()
            .flatten()
            .unwrap_or(false);
        let waiting = std::sync::atomic::AtomicBool::new(true);
        let (collected, warmed) = std::thread::scope(|scope| {
            let warming = scope
                .spawn(|| crate::run::warm_rewrites(inv, &rootdir, pass_hook, &warm, &waiting));
            let res = fallback::cache::collect_cached(
                cache_dir.as_deref(),
                host,
                &pytest_args,
                &requests,
                &walked,
                hash_seed_key(),
                &[],
            );
            waiting.store(false, std::sync::atomic::Ordering::Relaxed);
            (res, warming.join().unwrap_or(0))
        });
        if warmed > 0 {
            tracing::debug!(workers = warmed, files = warm.len(), "warm-up sent");
        }
        let mut res = match collected {
            Ok(res) => res,
            Err(e) => {
                let _ = writeln!(err, "INTERNALERROR> {e}");
                return exit::INTERNAL_ERROR;
            }
        };
        // `-x`/`--maxfail` stop collection at that error: which files pytest reached
        // before it, only a collection of the whole session in its order tells. So for
        // a module that fails to import on its own but may import after the modules
        // pytest imports before it (their import side effects), under `--collect-only`,
        // which no worker's in-order import checks (a run's workers import every module
        // in pytest's order: `Reimport`).
        let whole = if inv.stops_at(res.errors.len()) {
            Some("-x/--maxfail stops collection at an error")
        } else if !inv.run
            && res.errors.iter().any(raised_at_import)
            && slots.iter().any(|s| !s.via_fallback)
        {
            for (file, why) in &extras.notes {
                tracing::debug!(file = %file, reason = %why, "collected by import");
            }
            Some("collection errors in a partial collection")
        } else {
            None
        };
        if let Some(why) = whole {
            let handover = Handover {
                conftest_hooks: &extras.conftest_hooks,
                conftest_plugins: &extras.conftest_plugins,
                shared_fixtures: extras.shared_fixtures.as_deref(),
                ..Handover::decided(why)
            };
            return pytest_session(
                inv,
                config,
                host,
                start,
                (out, err),
                (&raw_args, used_testpaths),
                &handover,
                reimport,
            );
        }
        let not_found = res.internal_error.as_deref().and_then(parse_not_found);
        take_extras(&mut extras, &res);
        for (raw, seq) in std::mem::take(&mut res.empty_files) {
            if let Some((path, _)) = worker_files.file_of(&raw.into_item()) {
                fallback_empty.push((path.to_path_buf(), seq));
            }
        }
        match (not_found, res.internal_error) {
            (Some(msgs), _) if res.exitstatus == exit::USAGE_ERROR => {
                // Its items are lost with the error; it counted those selected directly.
                extras.collected = res.numcollected;
                worker_not_found = msgs;
            }
            (_, Some(ie)) => return internal_error(inv, host, err, &ie, res.exitstatus),
            _ => {}
        }
        // The worker's items per file, each once (a file requested with two selectors is
        // collected twice there).
        let mut by_file: std::collections::HashMap<PathBuf, Vec<(Item, usize, usize)>> =
            std::collections::HashMap::new();
        let mut seen = std::collections::HashSet::new();
        // What discovery reads off a module it proves, read here for the modules the
        // worker collected (once per file).
        let mut machinery: std::collections::HashMap<PathBuf, Option<String>> =
            std::collections::HashMap::new();
        for (seq, raw) in res.items.into_iter().enumerate() {
            let mut item = raw.into_item();
            let Some((path, at)) = worker_files.file_of(&item) else {
                tracing::debug!("fallback item {} is not from a requested file", item.nodeid);
                continue;
            };
            if let Some(run) = item.run.as_mut() {
                run.pytest_machinery = machinery
                    .entry(path.to_path_buf())
                    .or_insert_with(|| {
                        std::fs::read(path)
                            .ok()
                            .and_then(|src| discovery::parse::pytest_machinery_use(&src))
                    })
                    .clone();
            }
            // Outside the rootdir the worker's node ids are only unique per file.
            if seen.insert((path.to_path_buf(), item.nodeid.clone())) {
                by_file
                    .entry(path.to_path_buf())
                    .or_default()
                    .push((item, at, seq));
            }
        }
        for slot in slots.iter_mut().filter(|s| s.via_fallback) {
            let Some(found) = by_file.get(&slot.file.path) else {
                continue;
            };
            let worker_nodeid = worker_files.worker_nodeid(&slot.file.path, &slot.requested);
            let a = &cargs[slot.file.arg];
            (slot.items, slot.seqs) = found
                .iter()
                .map(|(it, at, seq)| {
                    let it = rebase_item(
                        it,
                        *at,
                        &worker_nodeid,
                        &slot.file.dir_chain,
                        &slot.file.name,
                        &slot.file.nodeid,
                    );
                    (it, *seq)
                })
                .filter(|(it, _)| a.selects(it, slot.file.dir_chain.len()))
                .unzip();
        }
    }
    // Arguments that matched nothing, in argument order: pytest raises one usage error
    // listing them all once collection is over.
    let mut not_found: Vec<String> = Vec::new();
    for (i, a) in cargs.iter().enumerate() {
        let mut reached = slots.iter().filter(|s| s.file.arg == i).peekable();
        if reached.peek().is_none() {
            if !a.path.is_dir() {
                not_found.push(no_collector_message(&opts, a));
            }
        } else if a.has_selector() && reached.all(|s| s.items.is_empty()) {
            let ra = a.report_arg();
            not_found.extend(
                worker_not_found
                    .iter()
                    .filter(|m| message_arg(m) == ra)
                    .cloned(),
            );
        }
    }
    // Anything the worker reported that no argument claimed is still part of its error.
    for m in &worker_not_found {
        if !not_found.contains(m) {
            not_found.push(m.clone());
        }
    }
    if !not_found.is_empty() {
        extras.collected += slots
            .iter()
            .map(|s| {
                // An item the selector names itself sits `parts` levels below the file.
                let depth = cargs[s.file.arg].parts.len();
                let file_depth = s.file.dir_chain.len() + 1;
                s.items
                    .iter()
                    .filter(|it| depth > 0 && it.chain.len().saturating_sub(file_depth) == depth)
                    .count()
            })
            .sum::<usize>();
        return usage(out, err, &not_found, &extras);
    }
    extras.file_collectors = Some(
        slots
            .iter()
            .map(|s| (s.file.path.clone(), s.file.collectors))
            .collect(),
    );
    // When every file came from the worker, its collection was the whole session's:
    // its order is pytest's (a conftest the parser cannot read may hold the
    // parametrization that interleaves the modules).
    // pytest imports a module it finds no item in all the same, in the run's process:
    // what its import does is the session's (a conftest collected for its doctests is
    // imported as a conftest). Those discovery proved, and those the fallback imported.
    let imports_empty = |slot: &Slot| {
        slot.items.is_empty()
            && slot
                .file
                .path
                .file_name()
                .is_none_or(|n| n != "conftest.py")
            && (!slot.via_fallback || fallback_empty.iter().any(|(p, _)| *p == slot.file.path))
    };
    let items: Vec<Item> = if whole_order || slots.iter().all(|s| s.via_fallback) {
        // Each before the file of the item the fallback collected after it.
        let empties: Vec<(Item, usize)> = fallback_empty
            .iter()
            .filter_map(|(path, seq)| {
                let slot = slots
                    .iter()
                    .find(|s| s.file.path == *path && imports_empty(s))?;
                Some((module_import(&slot.file), *seq))
            })
            .collect();
        // The worker's order; a file given twice (`--keep-duplicates`) is collected
        // again after the arguments before its second mention.
        let mut rounds: std::collections::HashMap<PathBuf, usize> =
            std::collections::HashMap::new();
        let mut ordered: Vec<((usize, usize), Item)> = slots
            .into_iter()
            .flat_map(|s| {
                let round = rounds.entry(s.file.path.clone()).or_insert(0);
                let r = *round;
                *round += 1;
                s.seqs.into_iter().map(move |seq| (r, seq)).zip(s.items)
            })
            .collect();
        ordered.sort_by_key(|(key, _)| *key);
        for (empty, seq) in empties {
            let next = ordered
                .iter()
                .find(|((round, at), _)| *round == 0 && *at >= seq)
                .map(|(_, it)| it.file_part().to_string());
            extras.empty_files.push((empty, next));
        }
        ordered.into_iter().map(|(_, it)| it).collect()
    } else {
        // Files proved to hold no item: pytest imports them while collecting.
        let mut pending: Vec<Item> = Vec::new();
        for slot in &slots {
            if slot.items.is_empty() {
                if imports_empty(slot) {
                    pending.push(module_import(&slot.file));
                }
            } else if !pending.is_empty() {
                let next = slot.items[0].file_part().to_string();
                extras
                    .empty_files
                    .extend(pending.drain(..).map(|it| (it, Some(next.clone()))));
            }
        }
        extras
            .empty_files
            .extend(pending.into_iter().map(|it| (it, None)));
        slots.into_iter().flat_map(|s| s.items).collect()
    };
    finish(
        inv,
        config,
        host,
        start,
        out,
        err,
        items,
        &extras,
        used_testpaths,
        reimport,
    )
}

/// Why a session goes whole to pytest's collection, and what discovery already knew of
/// it (the [`Extras`] the session keeps).
struct Handover<'a> {
    why: &'a str,
    /// The directories whose contents the answer depends on: the collection is cached
    /// (`None`: not cached).
    cache_dirs: Option<&'a [PathBuf]>,
    conftest_hooks: &'a [String],
    conftest_plugins: &'a [(PathBuf, Vec<String>)],
    shared_fixtures: Option<&'a [(PathBuf, String)]>,
    /// The conftests' hooks are all known: the reason was a collection hook, which
    /// pytest's collection applies (the run's engine may stay native).
    hooks_known: bool,
}

impl<'a> Handover<'a> {
    /// Decided before (or without) discovery's findings.
    fn decided(why: &'a str) -> Self {
        Handover {
            why,
            cache_dirs: None,
            conftest_hooks: &[],
            conftest_plugins: &[],
            shared_fixtures: None,
            hooks_known: false,
        }
    }
}

/// The whole session collected by pytest in the fallback worker (`handover.why` is
/// shown with `-v`), rendered by fastest. `(raw_args, used_testpaths)`: the session's
/// arguments, and whether they came from `testpaths`.
#[allow(clippy::too_many_arguments)]
fn pytest_session(
    inv: &Invocation,
    config: &Config,
    host: &Host,
    start: Instant,
    (out, err): (&mut dyn Write, &mut dyn Write),
    (raw_args, used_testpaths): (&[String], bool),
    handover: &Handover<'_>,
    reimport: &mut crate::run::Reimport,
) -> i32 {
    let Handover {
        why,
        cache_dirs,
        conftest_hooks,
        conftest_plugins,
        shared_fixtures,
        hooks_known,
    } = *handover;
    // pytest collected every module already: one that fails to import in a worker
    // now is reported at its tests.
    reimport.retried = true;
    reimport.partial = false;
    tracing::debug!(reason = %why, "pytest collects the whole session");
    if inv.run && inv.native_only {
        return crate::run::with_pytest(inv, host, err, why);
    }
    let mut extras = Extras {
        ordered_by_pytest: true,
        // Hooks whose output only pytest's session places hand the run to it.
        conftest_hooks: conftest_hooks.to_vec(),
        conftest_plugins: conftest_plugins.to_vec(),
        shared_fixtures: shared_fixtures.map(<[_]>::to_vec),
        // `--lf` keeps every item of a file named as an argument (pytest's
        // `isinitpath`). Unknown when pytest reads the command line itself.
        initpaths: if inv.raw_cli {
            Vec::new()
        } else {
            raw_args
                .iter()
                .filter_map(|raw| CollectArg::parse(&host.cwd, raw).ok())
                .map(|a| a.path)
                .collect()
        },
        ..Extras::default()
    };
    extras.notes.push(("<session>".into(), why.to_string()));
    // With options only a conftest or plugin knows, pytest reads the whole command
    // line, paths in place (an option's value cannot be told from a path here).
    let mut pytest_args = passthrough_args(inv, config);
    // The session's order is pytest-randomly's for this session's seed.
    if let Some(r) = &inv.randomly {
        pytest_args.push(r.seed_option());
    }
    let paths = if inv.raw_cli {
        pytest_args.extend(inv.cli.pytest_argv(crate::args::Served::default()));
        // After the command line's own `--color`: `auto` would see the worker's pipe.
        let color = if inv.markup { "yes" } else { "no" };
        pytest_args.push(format!("--color={color}"));
        pytest_args.extend(quiet_coverage(inv));
        Vec::new()
    } else {
        raw_args.to_vec()
    };
    // pytest collects the whole session: the run's workers start meanwhile.
    crate::run::prestart(inv, host, usize::MAX);
    let collected = match cache_dirs.filter(|_| !inv.args.no_cache) {
        Some(dirs) => fallback::cache::collect_cached(
            Some(&config.rootdir.join(".fastest_cache")),
            host,
            &pytest_args,
            &paths,
            &[],
            environment_key(),
            dirs,
        ),
        None => fallback::collect(host, &pytest_args, &paths, &[]),
    };
    let res = match collected {
        Ok(res) => res,
        Err(e) => {
            let _ = writeln!(err, "INTERNALERROR> {e}");
            return exit::INTERNAL_ERROR;
        }
    };
    let not_found = res.internal_error.as_deref().and_then(parse_not_found);
    take_extras(&mut extras, &res);
    // What it returned and deselected (its own `-k`/`-m` too) against what it counted.
    extras.dropped = res
        .numcollected
        .saturating_sub(res.items.len() + res.deselected.len());
    tracing::debug!(
        numcollected = res.numcollected,
        items = res.items.len(),
        deselected = res.deselected.len(),
        hook_deselected = res.hook_deselected.len(),
        "pytest's collection of the session"
    );
    project_plugins(&mut extras, &res.conftest_plugins, &res.cli_plugins);
    if let Some(msgs) = not_found.filter(|_| res.exitstatus == exit::USAGE_ERROR) {
        return usage_failure(
            inv,
            config,
            host,
            start,
            out,
            err,
            &msgs,
            &extras,
            used_testpaths,
        );
    }
    if let Some(ie) = res.internal_error {
        return internal_error(inv, host, err, &ie, res.exitstatus);
    }
    // The files pytest imported that hold no item, each before the file of the item
    // collected after it.
    for (raw, seq) in res.empty_files {
        let next = res.items.get(seq).map(|it| {
            let id = it.nodeid.as_str();
            id.split("::").next().unwrap_or(id).to_string()
        });
        extras.empty_files.push((raw.into_item(), next));
    }
    let items: Vec<Item> = res
        .items
        .into_iter()
        .map(|raw| {
            let mut item = raw.into_item();
            // pytest collected the whole session: unless discovery walked every conftest
            // and the reason was one's collection hook (`hooks_known`: the run's engine
            // choice weighs them all), hooks not seen here may act on every item, so
            // none is the native engine's to run.
            if !hooks_known {
                item.run = None;
            }
            item
        })
        .collect();
    finish(
        inv,
        config,
        host,
        start,
        out,
        err,
        items,
        &extras,
        used_testpaths,
        reimport,
    )
}

/// pytest's collection ended in an INTERNALERROR (a hook raising, say). pytest draws it
/// inside its session (header, the traceback on stdout, the final line), so pytest runs
/// the session and its output is pytest's; the fallback's text is the answer only
/// where fastest may not hand the session over.
fn internal_error(
    inv: &Invocation,
    host: &Host,
    err: &mut dyn Write,
    text: &str,
    status: i32,
) -> i32 {
    if !inv.native_only {
        return crate::run::with_pytest(inv, host, err, "INTERNALERROR while collecting");
    }
    let _ = write!(err, "{text}");
    if status == 0 {
        exit::INTERNAL_ERROR
    } else {
        status
    }
}

/// What of the environment a file's own collection depends on: `PYTHONHASHSEED` (a
/// parametrization over a set is in its iteration order; unset, any run's order is as
/// good as another's).
fn hash_seed_key() -> u64 {
    match std::env::var("PYTHONHASHSEED") {
        Ok(v) if v != "random" => {
            fastest_core::discovery::source::content_hash(format!("PYTHONHASHSEED={v}").as_bytes())
        }
        _ => 0,
    }
}

/// A hash of the environment (without the variables a shell changes between commands):
/// conftest hooks may read any of it to decide what is collected.
fn environment_key() -> u64 {
    fallback::cache::env_hash()
}

/// What the modules the conftests' `pytest_plugins` registered mean for the run: each
/// one's hooks join the conftests' (tagged [`run::PLUGIN_HOOK`]: the engine calls none
/// of a plugin's hooks, so only those its collection already applied keep it native),
/// and the engine gets the modules to load. A name pytest registered no module under
/// counts as a hook only pytest's session knows.
fn project_plugins(
    extras: &mut Extras,
    reported: &[(Option<String>, Vec<fallback::ProjectPlugin>)],
    cli: &[fallback::ProjectPlugin],
) {
    // `-p` modules register before any conftest; the engine loads them at its start.
    let names = registered(extras, cli, |name| format!("-p {name}: pytest_plugins"));
    extras.cli_plugins.extend(names);
    for (conftest, modules) in reported {
        let conftest = conftest.as_deref().unwrap_or("<conftest>");
        let names = registered(extras, modules, |name| {
            format!("{conftest}: pytest_plugins ({name})")
        });
        extras
            .project_plugins
            .push((PathBuf::from(conftest), names));
    }
}

/// The names of `modules` pytest registered a module under, each one's hooks added to
/// the conftests' ([`plugin_hooks`]); for a name it registered nothing under, the
/// `missing` entry instead.
fn registered(
    extras: &mut Extras,
    modules: &[fallback::ProjectPlugin],
    missing: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut names = Vec::new();
    for fallback::ProjectPlugin(name, file, hooks) in modules {
        match file {
            Some(file) => {
                plugin_hooks(extras, file, hooks);
                names.push(name.clone());
            }
            None => extras.conftest_hooks.push(missing(name)),
        }
    }
    names
}

/// A plugin module's hooks as entries of the conftests' (tagged [`run::PLUGIN_HOOK`]);
/// a session hook whose source may write to the terminal is marked as a conftest's is
/// (`discovery::WRITES_OUTPUT`, read off the module's source; unreadable: assumed to).
fn plugin_hooks(extras: &mut Extras, file: &str, hooks: &[String]) {
    let output = std::fs::read(file).map_or_else(
        |_| {
            fastest_core::discovery::parse::SESSION_OUTPUT_HOOKS
                .iter()
                .map(|h| (*h).to_string())
                .collect()
        },
        |src| fastest_core::discovery::parse::parse_outline(&src, false).output_hooks,
    );
    for h in hooks {
        let writes = if output.contains(h) {
            fastest_core::discovery::WRITES_OUTPUT
        } else {
            ""
        };
        extras
            .conftest_hooks
            .push(format!("{file}{}: {h}{writes}", crate::run::PLUGIN_HOOK));
    }
}

/// Whether a collection error is an exception a test module's own code raised as it
/// was imported (`path:line: in <module>` in pytest's traceback), not an import pytest
/// could not make (a missing module, a syntax error) nor a refused parametrization:
/// what ran before it in pytest's process may decide it.
fn raised_at_import(e: &RawReport) -> bool {
    e.longrepr.contains(": in <module>") && !e.longrepr.contains("ImportError while importing")
}

/// Move the fallback's errors, warnings, skips and hook deselections into `extras`.
fn take_extras(extras: &mut Extras, res: &fallback::CollectResult) {
    extras.errors.clone_from(&res.errors);
    extras.warnings.clone_from(&res.warnings);
    extras.skipped.clone_from(&res.skipped);
    extras.deselected.clone_from(&res.deselected);
    extras.hook_deselected.clone_from(&res.hook_deselected);
    extras.added_options.clone_from(&res.added_options);
    extras.fallback_markers.clone_from(&res.markers);
    extras.fallback_stderr = !res.stderr.trim().is_empty();
}

/// A usage error raised at the end of collection (an argument that matched nothing):
/// pytest still prints its report, before `-k`/`-m`/`--deselect` and without the
/// `Interrupted` banner, with no items listed but counting those that arguments selected
/// directly (`f.py::test_x`; collectors are only expanded after the check), plus the
/// collection errors and warnings met on the way; then each message on stderr. Exit 4.
#[allow(clippy::too_many_arguments)]
fn usage_failure(
    inv: &Invocation,
    config: &Config,
    host: &Host,
    start: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
    msgs: &[String],
    extras: &Extras,
    used_testpaths: bool,
) -> i32 {
    if inv.run {
        return crate::run::with_pytest(inv, host, err, &msgs.join("; "));
    }
    let args = &inv.args;
    let verbosity = args.verbosity();
    let rootdir_s = config.rootdir.display().to_string();
    let header = (verbosity >= 0).then(|| Header {
        no_header: args.no_header,
        platform_line: host.platform_line(),
        cachedir: inv.cachedir_line(config),
        rootdir: &rootdir_s,
        configfile: config.display_inifile(),
        testpaths: used_testpaths.then(|| config.testpaths().join(", ")),
        plugins: host.plugins_line(),
        extra: fastest_core::report::HeaderLines {
            before: inv.randomly.iter().map(|r| r.header_line()).collect(),
            ..Default::default()
        },
    });
    let report = CollectReport {
        verbosity,
        listing_verbosity: inv.listing_verbosity(config),
        width: inv.width,
        isatty: inv.isatty,
        markup: inv.markup,
        header,
        items: &[],
        total: extras.collected,
        deselected: 0,
        skipped: &extras.skipped,
        errors: &extras.errors,
        warnings: &extras.warnings,
        duration: start.elapsed().as_secs_f64(),
        fallback_notes: &extras.notes,
        summary: inv.summary(),
        interrupted: false,
        stopped: false,
        max_warnings_exceeded: None,
    };
    // A closed stdout (`| head`) still gets the error on stderr.
    let _ = out.write_all(render(&report).as_bytes());
    for m in msgs {
        let _ = writeln!(err, "ERROR: {m}\n");
    }
    exit::USAGE_ERROR
}

#[allow(clippy::too_many_arguments)]
fn finish(
    inv: &Invocation,
    config: &Config,
    host: &Host,
    start: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
    items: Vec<Item>,
    extras: &Extras,
    used_testpaths: bool,
    reimport: &mut crate::run::Reimport,
) -> i32 {
    // pytest's start-up warnings about config keys nothing registers: the native
    // engine warns about them itself (`Invocation::unknown_ini_keys`), not the
    // fallback's collection.
    let own_start_warnings: Vec<crate::fallback::RawWarning>;
    let warnings = if inv.unknown_ini_keys.is_empty() {
        &extras.warnings[..]
    } else {
        own_start_warnings = extras
            .warnings
            .iter()
            .filter(|w| {
                !(w.category.as_deref() == Some("PytestConfigWarning")
                    && w.message.contains("Unknown config option: "))
            })
            .cloned()
            .collect();
        &own_start_warnings[..]
    };
    let (skipped, errors, notes, hook_deselected) = (
        &extras.skipped[..],
        &extras.errors[..],
        &extras.notes[..],
        &extras.deselected[..],
    );
    let args = &inv.args;
    tracing::debug!(items = items.len(), elapsed = ?start.elapsed(), "collected");
    // pytest-randomly's `modifyitems` wrapper runs before every other implementation.
    let items = match inv.randomly.as_ref().filter(|r| r.reorganize) {
        Some(r) if !extras.ordered_by_pytest => {
            let mode = match args.import_mode.as_deref() {
                Some("importlib") => ImportMode::Importlib,
                Some("append") => ImportMode::Append,
                _ => ImportMode::Prepend,
            };
            r.reorder(items, mode, &config.rootdir)
        }
        _ => items,
    };
    // pytest's cacheprovider and stepwise plugins: `--lf` changes what is collected,
    // `--sw` deselects before the other steps, `--lf`/`--ff`/`--nf` after them.
    let mut cache = crate::cacheprovider::CacheSession::load(inv, config);
    // The fixtures plugin's `modifyitems` (`reorder_items`) comes next, over what was
    // collected; items pytest's session ordered carry no scoped parameters.
    let reorder = |items: Vec<Item>| {
        if extras.ordered_by_pytest {
            items
        } else {
            discovery::reorder::reorder_items(items)
        }
    };
    let (items, sw_deselected) = match &mut cache {
        Some(c) => {
            let items = c.collect(
                items,
                &config.rootdir,
                &extras.initpaths,
                &extras.empty_files,
                extras.file_collectors.as_deref(),
                hook_deselected,
            );
            c.stepwise_select(reorder(items))
        }
        None => (reorder(items), 0),
    };
    // What pytest's collection in the import fallback (which has no `--lf`) reported of
    // the files `--lf` skips unimported (a module skipping itself, or failing to
    // import) is not the session's: each such collector is a skipped file.
    let (lf_skipped, lf_errors): (Vec<RawReport>, Vec<RawReport>);
    let (skipped, errors) = match &mut cache {
        Some(c) => {
            let counted: std::collections::HashSet<&Path> = extras
                .file_collectors
                .iter()
                .flatten()
                .map(|(p, _)| p.as_path())
                .collect();
            let mut keep = |reports: &[RawReport]| -> Vec<RawReport> {
                let mut kept = Vec::new();
                for r in reports {
                    if !c.lf_skipped_file(&r.nodeid, &config.rootdir) {
                        kept.push(r.clone());
                    } else if !counted.contains(config.rootdir.join(&r.nodeid).as_path()) {
                        c.count_skipped_collector();
                    }
                }
                kept
            };
            lf_skipped = keep(skipped);
            lf_errors = keep(errors);
            (&lf_skipped[..], &lf_errors[..])
        }
        None => (skipped, errors),
    };
    // What the fallback's pytest deselected (`-k`, `-m`, hooks) among what `--lf` would
    // not have collected at all is no deselection.
    let lf_deselected: Vec<String>;
    let hook_deselected: &[String] = match &cache {
        Some(c) => {
            lf_deselected = hook_deselected
                .iter()
                .filter(|id| c.lf_collected(id, &config.rootdir))
                .cloned()
                .collect();
            &lf_deselected
        }
        None => hook_deselected,
    };
    let total = items.len() + hook_deselected.len() + sw_deselected + extras.dropped;
    // Each file once, in collection order (before any deselection): pytest reports
    // collection warnings in that order.
    let mut file_order: Vec<String> = Vec::new();
    // Each file's first item: pytest imports a module whose tests are all deselected.
    let mut file_firsts: Vec<Item> = Vec::new();
    // The modules with no item pytest imports all the same: not under `--lf`, whose
    // collection skips the files without failures.
    let empty_files: Vec<Item> = if inv.run && !args.has(crate::args::Opt::LastFailed) {
        extras
            .empty_files
            .iter()
            .map(|(it, _)| it.clone())
            .collect()
    } else {
        Vec::new()
    };
    if inv.run {
        let mut seen = std::collections::HashSet::new();
        for it in &items {
            if file_order.last().map(String::as_str) != Some(it.file_part())
                && seen.insert(it.file_part())
            {
                // Before it, the item-less modules collected before it.
                for (empty, _) in extras
                    .empty_files
                    .iter()
                    .filter(|(_, next)| next.as_deref() == Some(it.file_part()))
                    .filter(|_| !empty_files.is_empty())
                {
                    file_order.push(empty.file_part().to_string());
                }
                file_order.push(it.file_part().to_string());
                file_firsts.push(it.clone());
            }
        }
        for empty in &empty_files {
            if !file_order.iter().any(|f| f == empty.file_part()) {
                file_order.push(empty.file_part().to_string());
            }
        }
    }
    // `--deselect` prefixes first, then `-k` and `-m` (pytest's modifyitems order).
    let (items, by_prefix): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|it| {
        !args
            .deselect
            .iter()
            .any(|d| it.nodeid.starts_with(d.as_str()))
    });
    // `--strict-markers`/`--strict` are `-o` overrides, already in the config.
    let strict = config.strict_markers().unwrap_or(false);
    let registered: Vec<String> = config
        .markers()
        .iter()
        .chain(&crate::invocation::plugin_markers(args, host))
        // pytest: `line.split(":")[0].split("(")[0].strip()`.
        .map(|m| {
            let name = m.split(':').next().unwrap_or("");
            name.split('(').next().unwrap_or("").trim().to_string()
        })
        .chain(extras.conftest_markers.iter().cloned())
        .chain(extras.fallback_markers.iter().cloned())
        .chain(
            fastest_core::discovery::certainty::BUILTIN_MARKS
                .iter()
                .filter(|m| **m != "filterwarnings" || !crate::invocation::warnings_blocked(args))
                .map(|s| (*s).to_string()),
        )
        .collect();
    let is_registered = |name: &str| registered.iter().any(|r| r == name);
    let (selected, dropped, select_error) = select_steps(
        items,
        args.keyword.as_deref().unwrap_or(""),
        args.markexpr.as_deref().unwrap_or(""),
        strict.then_some(&is_registered as &dyn Fn(&str) -> bool),
    );
    let (selected, cache_deselected) = match &mut cache {
        Some(c) if select_error.is_none() => c.modify(selected, &config.rootdir),
        _ => (selected, 0),
    };
    // The files pytest collects (imports) although none of their tests is selected
    // (`--deselect`, `-k`, `-m`, `--lf`): not those of other shards, which are other runs.
    let deselected_files: Vec<Item> = {
        let kept: std::collections::HashSet<&str> = selected.iter().map(Item::file_part).collect();
        file_firsts
            .into_iter()
            .filter(|it| !kept.contains(it.file_part()))
            .collect()
    };
    let (selected, shard_dropped, shard_note) = match crate::shard::requested(args.shard) {
        Ok(Some(shard)) if select_error.is_none() => {
            let (kept, dropped, note) =
                crate::shard::select(selected, shard, &config.rootdir, args.no_cache);
            (kept, dropped, Some(note))
        }
        Ok(_) => (selected, 0, None),
        Err(e) => {
            let _ = writeln!(err, "ERROR: {}: {e}", crate::shard::ENV);
            return exit::USAGE_ERROR;
        }
    };
    let deselected = hook_deselected.len()
        + by_prefix.len()
        + dropped
        + sw_deselected
        + cache_deselected
        + shard_dropped;
    if inv.run {
        // The files the native run imports (each once), for the warnings their import
        // raised in the fallback: those of selected items, and the modules pytest
        // imports although their items are deselected.
        let selected_files: Vec<PathBuf> = if warnings.is_empty() {
            Vec::new()
        } else {
            let mut seen = std::collections::HashSet::new();
            selected
                .iter()
                .chain(&deselected_files)
                .map(Item::file_part)
                .filter(|f| seen.insert(*f))
                .map(|f| config.rootdir.join(f))
                .collect()
        };
        let pytest_needed = if let Some(e) = &select_error {
            Some(format!("selection error: {e}"))
        } else if warnings.iter().any(|w| {
            !w.from_collector()
                && w.from_collection_of().is_none()
                && !reimported(w, &selected_files)
        }) {
            Some("collection warnings".to_string())
        } else if crate::invocation::warnings_blocked(args) && extras.fallback_stderr {
            // Without pytest's warnings plugin, Python writes what a class's collection
            // warns to the terminal, among pytest's lines.
            Some("collection output without pytest's warnings plugin".to_string())
        } else {
            None
        };
        let position = |path: &Path| {
            let rel = path.strip_prefix(&config.rootdir).ok()?;
            let rel = rel
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/");
            file_order.iter().position(|f| *f == rel)
        };
        // Modules skipped or failing at collection, in pytest's order.
        let mut raw: Vec<(&RawReport, bool)> = errors
            .iter()
            .map(|r| (r, true))
            .chain(skipped.iter().map(|r| (r, false)))
            .collect();
        raw.sort_by_key(|(r, _)| r.seq);
        let collect_reports = raw
            .into_iter()
            .map(|(r, failed)| crate::run::CollectorReport {
                report: r.to_collect_report(failed),
                junit: r.junit_text(),
            })
            .collect();
        // Only pytest's collection knows what the hooks deselected (or `-k`/`-m`/
        // `--deselect`, which the fallback is given too): the items they kept are the
        // session's. The native engine imports the modules of the items it is given
        // (`file_order`, also those the selection above dropped): a module whose items
        // were all deselected in pytest's collection is the pytest engine's to import.
        // A plugin that deselects is not one the native engine stands in for
        // (`engine_for` decides on those).
        // A module pytest's own `-k`/`-m`/`--deselect` left without items is not
        // imported by the native engine (the fallback reports no item of it), as in a
        // session without conftest hooks; a hook's deselection needs pytest's import.
        let lost_module = extras.hook_deselected.iter().any(|id| {
            let file = id.split("::").next().unwrap_or(id);
            !file_order.iter().any(|f| f == file)
        });
        let pytest_engine = (lost_module && !extras.conftest_hooks.is_empty())
            .then(|| "a conftest or plugin hook deselected items".to_string())
            .or_else(|| {
                extras
                    .conftest_machinery
                    .first()
                    .map(|c| format!("conftest {c}"))
            });
        let session = crate::run::Session {
            inv,
            config,
            host,
            start,
            items: selected,
            total,
            deselected,
            used_testpaths,
            conftest_hooks: extras.conftest_hooks.clone(),
            conftest_plugins: extras.conftest_plugins.clone(),
            shared_fixtures: extras.shared_fixtures.clone(),
            project_plugins: extras.project_plugins.clone(),
            cli_plugins: extras.cli_plugins.clone(),
            added_options: extras.added_options.clone(),
            pytest_needed,
            pytest_engine,
            collect_warnings: warnings
                .iter()
                .filter_map(|w| {
                    if let Some(module) = w.from_collection_of() {
                        // pytest's own collection of a module (after its import).
                        Some((w.to_report(), position(module).map(|i| (i, 1))))
                    } else {
                        w.from_collector().then(|| (w.to_report(), None))
                    }
                })
                .collect(),
            import_warning_reports: warnings
                .iter()
                .filter(|w| !w.from_collector() && w.from_collection_of().is_none())
                .map(|w| {
                    // At the place of the module whose import raised it, or for a
                    // conftest, of the first module below it.
                    let key = w.raised_by_import_of().and_then(|path| {
                        let at = if path.file_name().is_some_and(|n| n == "conftest.py") {
                            let dir = path.parent()?;
                            let rel = dir.strip_prefix(&config.rootdir).ok()?;
                            let rel = rel
                                .to_string_lossy()
                                .replace(std::path::MAIN_SEPARATOR, "/");
                            file_order
                                .iter()
                                .position(|f| rel.is_empty() || f.starts_with(&format!("{rel}/")))
                        } else {
                            position(path)
                        };
                        at.map(|i| (i, 0))
                    });
                    (w.to_report(), key, w.raised_by_import_of().is_some())
                })
                .collect(),
            file_order: file_order.clone(),
            fallback_files: (!extras.ordered_by_pytest).then(|| extras.fallback_files.clone()),
            deselected_files,
            empty_files,
            registered_markers: registered.clone(),
            collect_reports,
            cache,
            shard_note,
            reimport,
            changed_modules: extras.changed_modules.clone(),
        };
        return crate::run::run(session, out, err);
    }
    for (file, why) in notes {
        tracing::debug!(file = %file, reason = %why, "collected by import");
    }
    let verbosity = args.verbosity();
    if let Some(h) = collect_output_hook(&extras.conftest_hooks, verbosity, args.no_header) {
        // What the hook writes only pytest's session places in the listing.
        return crate::run::with_pytest(inv, host, err, &format!("conftest hook {h}"));
    }
    let rootdir_s = config.rootdir.display().to_string();
    let header = (verbosity >= 0).then(|| Header {
        no_header: args.no_header,
        platform_line: host.platform_line(),
        cachedir: inv.cachedir_line(config),
        rootdir: &rootdir_s,
        configfile: config.display_inifile(),
        testpaths: used_testpaths.then(|| config.testpaths().join(", ")),
        plugins: host.plugins_line(),
        extra: fastest_core::report::HeaderLines {
            before: inv.randomly.iter().map(|r| r.header_line()).collect(),
            ..Default::default()
        },
    });
    let mut code = if select_error.is_some() {
        exit::USAGE_ERROR
    } else {
        inv.exit_code(errors.len(), selected.len())
    };
    // pytest checks `--max-warnings` only when everything else passed.
    let max_warnings_exceeded = inv
        .max_warnings(config)
        .filter(|max| code == exit::OK && i64::try_from(warnings.len()).is_ok_and(|n| n > *max));
    if max_warnings_exceeded.is_some() {
        code = exit::MAX_WARNINGS;
    }
    let report = CollectReport {
        verbosity,
        listing_verbosity: inv.listing_verbosity(config),
        width: inv.width,
        isatty: inv.isatty,
        markup: inv.markup,
        header,
        items: &selected,
        total,
        deselected,
        skipped,
        errors,
        warnings,
        duration: start.elapsed().as_secs_f64(),
        fallback_notes: notes,
        summary: inv.summary(),
        // A `-k`/`-m` error ends the session before pytest's `Interrupted`.
        interrupted: inv.interrupted(errors.len()) && select_error.is_none(),
        stopped: inv.stops_at(errors.len()),
        max_warnings_exceeded,
    };
    let t = Instant::now();
    let text = render(&report);
    tracing::debug!(elapsed = ?t.elapsed(), "render");
    if let Some(c) = cache {
        c.finish(true);
    }
    if out.write_all(text.as_bytes()).is_err() {
        // A closed pipe (`| head`) is not an error for the user.
        return exit::OK;
    }
    tracing::debug!(elapsed = ?start.elapsed(), "written");
    // The process ends next: freeing every item one allocation at a time is time the
    // user waits for (9 ms for 60,000 items), and the OS takes the memory back at once.
    std::mem::forget(selected);
    if let Some(e) = select_error {
        let _ = writeln!(err, "ERROR: {e}\n");
    }
    code
}

/// A conftest hook that writes into a `--collect-only` listing (`path: hook` as
/// discovery names it): the header's lines (when there is a header), the lines after the
/// collected line, the terminal summary, or a session hook that may write.
fn collect_output_hook(hooks: &[String], verbosity: i32, no_header: bool) -> Option<&str> {
    hooks
        .iter()
        .find(|h| match discovery::hook_name(h) {
            "pytest_report_header" => verbosity >= 0 && !no_header,
            "pytest_report_collectionfinish" | "pytest_terminal_summary" => true,
            // Called for a test that runs only.
            "pytest_runtest_logstart" | "pytest_runtest_logfinish" => false,
            _ => h.ends_with(discovery::WRITES_OUTPUT),
        })
        .map(String::as_str)
}

/// Whether the native run imports again the file whose import raised `w` at
/// collection (so it issues `w` itself): a module of `files` (those with a selected
/// item), or a conftest above one.
fn reimported(w: &RawWarning, files: &[PathBuf]) -> bool {
    let Some(path) = w.raised_by_import_of() else {
        return false;
    };
    let conftest_dir = (path.file_name().is_some_and(|n| n == "conftest.py"))
        .then(|| path.parent())
        .flatten();
    files.iter().any(|file| match conftest_dir {
        Some(dir) => file.starts_with(dir),
        None => file == path,
    })
}

/// pytest's `-k` step, then its `-m` step: the remaining items, how many were
/// deselected, and the usage error of a step that failed. A failing step leaves the items
/// as the steps before it left them: pytest still lists those (its
/// `pytest_collection_finish` runs in a `finally`) before it reports the error.
fn select_steps(
    items: Vec<Item>,
    keyword: &str,
    markexpr: &str,
    registered: Option<&dyn Fn(&str) -> bool>,
) -> (Vec<Item>, usize, Option<SelectError>) {
    let expr = match compile_option(SelectOption::Keyword, keyword) {
        Ok(e) => e,
        Err(e) => return (items, 0, Some(e)),
    };
    let mut selected = items;
    let mut dropped = 0;
    if let Some(expr) = expr {
        // Evaluate everything first: an evaluation error deselects nothing.
        let keep: Result<Vec<bool>, SelectError> = selected
            .iter()
            .map(|it| keyword_matches(it, &expr))
            .collect();
        let keep = match keep {
            Ok(k) => k,
            Err(e) => return (selected, 0, Some(e)),
        };
        let before = selected.len();
        let mut flags = keep.into_iter();
        selected.retain(|_| flags.next().unwrap_or(true));
        dropped = before - selected.len();
    }
    let expr = match compile_option(SelectOption::Mark, markexpr) {
        Ok(e) => e,
        Err(e) => return (selected, dropped, Some(e)),
    };
    if let Some(expr) = expr {
        if let Some(is_registered) = registered {
            if let Err(e) = check_marker_names(&expr, is_registered) {
                return (selected, dropped, Some(e));
            }
        }
        let before = selected.len();
        selected.retain(|it| mark_matches(it, &expr));
        dropped += before - selected.len();
    }
    (selected, dropped, None)
}

/// Everything that changes what a file yields, hashed into the discovery cache key.
fn fingerprint(config: &Config, args: &Args, rootdir: &Path, host: &Host) -> u64 {
    let mut key = String::new();
    key.push_str(env!("CARGO_PKG_VERSION"));
    for part in [
        config.python_files(),
        config.python_classes(),
        config.python_functions(),
    ] {
        key.push('\x1f');
        key.push_str(&part.join("\x1e"));
    }
    key.push('\x1f');
    key.push_str(
        &config
            .get_str("parametrize_long_str_id_strategy")
            .unwrap_or_default(),
    );
    key.push_str(if config.strict_parametrization_ids().unwrap_or(false) {
        "\x1fstrict-ids"
    } else {
        ""
    });
    key.push('\x1f');
    key.push_str(&rootdir.to_string_lossy());
    key.push('\x1f');
    key.push_str(args.import_mode.as_deref().unwrap_or("prepend"));
    key.push_str(if args.doctest_modules {
        "\x1fdoctest"
    } else {
        ""
    });
    // Import resolvability depends on what `pythonpath` entries and the interpreter's
    // `sys.path` directories hold: any entry added or removed there moves the directory's
    // mtime. (Not the rootdir's own: creating `.fastest_cache/` there would invalidate
    // every entry once; a test's own directory is in its per-file key instead.)
    let mut dirs: Vec<std::path::PathBuf> = config.get_paths("pythonpath").unwrap_or_default();
    dirs.extend(host.sys_path.iter().cloned());
    for d in dirs {
        if let Ok(m) = std::fs::metadata(&d).and_then(|m| m.modified()) {
            key.push_str(&format!("\x1d{m:?}"));
        }
    }
    fastest_core::discovery::source::content_hash(key.as_bytes())
}

/// The options the fallback worker's pytest gets: the configuration fastest settled on
/// (the worker is given only some of the paths, which must not move the rootdir or pick
/// another configfile), then every option of the command line as written. `addopts` and
/// `$PYTEST_ADDOPTS` are not repeated: that pytest reads them itself.
fn passthrough_args(inv: &Invocation, config: &Config) -> Vec<String> {
    let mut v = vec![format!("--rootdir={}", config.rootdir.display())];
    match &config.inipath {
        Some(p) => {
            v.push("-c".into());
            v.push(p.display().to_string());
        }
        None => {
            // Keep pytest from finding a config file nearer to the fallback's paths.
            v.push("-c".into());
            v.push("/dev/null".into());
            v.push(format!("--confcutdir={}", config.rootdir.display()));
        }
    }
    if !inv.raw_cli {
        v.extend(
            inv.cli
                .pytest_collection_options(crate::args::Served::default()),
        );
    }
    // The worker's stdout is no terminal: the texts it renders (collection errors) get
    // pytest's colours when fastest's output has them.
    let color = if inv.markup { "yes" } else { "no" };
    v.push(format!("--color={color}"));
    if inv.strict_unknown_key.is_some() {
        // fastest reports the unknown key once collection is over, as pytest does; the
        // worker must collect instead of failing on it, and not warn about it.
        v.extend(
            [
                "-o",
                "strict_config=false",
                "-W",
                "ignore:Unknown config option:pytest.PytestConfigWarning",
            ]
            .map(String::from),
        );
    }
    if !inv.raw_cli {
        v.extend(quiet_coverage(inv));
    }
    v
}

/// pytest-cov measuring in pytest's collection would erase the project's data file and
/// write its reports: the workers measure (`cov.rs`). `--no-cov` last (after every
/// `--cov...`, so the plugin does not warn) turns it off there.
pub(crate) fn quiet_coverage(inv: &Invocation) -> Option<String> {
    (!inv.args.cov.source.is_empty()).then(|| "--no-cov".to_string())
}

/// `testpaths` entries globbed relative to the rootdir (`glob(recursive=True)`, sorted).
pub(crate) fn expand_testpaths(rootdir: &Path, entries: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries {
        if e.contains(['*', '?', '[']) {
            let mut found: Vec<String> = Vec::new();
            glob_expand(
                rootdir,
                rootdir,
                &e.split('/').collect::<Vec<_>>(),
                &mut found,
            );
            found.sort();
            out.extend(found);
        } else if rootdir.join(e).exists() {
            out.push(e.clone());
        }
    }
    out
}

fn glob_expand(root: &Path, dir: &Path, parts: &[&str], found: &mut Vec<String>) {
    let Some((first, rest)) = parts.split_first() else {
        if let Ok(rel) = dir.strip_prefix(root) {
            found.push(rel.to_string_lossy().into_owned());
        }
        return;
    };
    if *first == "**" {
        glob_expand(root, dir, rest, found);
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() && !name.starts_with('.') {
                    glob_expand(root, &e.path(), parts, found);
                }
            }
        }
        return;
    }
    if !first.contains(['*', '?', '[']) {
        let p = dir.join(first);
        if p.exists() {
            glob_expand(root, &p, rest, found);
        }
        return;
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && !first.starts_with('.') {
                continue;
            }
            if fastest_core::glob::fnmatch(first, &name) {
                glob_expand(root, &e.path(), rest, found);
            }
        }
    }
}

/// Lexically normalise `a/./b/../c` (pytest uses absolute, non-resolved paths).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(imported: serde_json::Value) -> RawWarning {
        serde_json::from_value(serde_json::json!({
            "location": "tests/test_a.py:3",
            "message": "m",
            "import": imported,
        }))
        .expect("a warning")
    }

    #[test]
    fn an_import_warning_is_raised_again_only_by_a_file_the_run_imports() {
        let selected = [PathBuf::from("/r/tests/sub/test_b.py")];
        let module = |p: &str| warning(serde_json::Value::String(p.into()));
        // The module itself, or a conftest above it: imported again by the run.
        assert!(reimported(&module("/r/tests/sub/test_b.py"), &selected));
        assert!(reimported(&module("/r/tests/conftest.py"), &selected));
        // A module with no selected item, a conftest beside the run: not imported.
        assert!(!reimported(&module("/r/tests/test_a.py"), &selected));
        assert!(!reimported(&module("/r/other/conftest.py"), &selected));
        // Not raised by an import, or the worker could not tell.
        assert!(!reimported(
            &warning(serde_json::Value::Bool(false)),
            &selected
        ));
        assert!(!reimported(&warning(serde_json::Value::Null), &selected));
    }
}
