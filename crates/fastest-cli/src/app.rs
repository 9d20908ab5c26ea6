//! One invocation, from argv to exit code: arguments (with `PYTEST_ADDOPTS` and the ini's
//! `addopts`), config, discovery, the import fallback for uncertain files, selection, and
//! the `--collect-only` report. Errors are mapped to pytest's exit codes here and nowhere
//! else.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use fastest_core::config::{determine_setup, Config, ConfigRequest};
use fastest_core::discovery::cache::DiscoveryCache;
use fastest_core::discovery::{self, DiscoveryOptions, FileOutcome, ImportMode, NameRules};
use fastest_core::glob::{NameMatcher, PathMatcher};
use fastest_core::item::Item;
use fastest_core::select::deselect_items;

use crate::args::Args;
use crate::collect_only::{render, CollectReport, Header};
use crate::fallback::{self, RawReport, RawWarning};
use crate::host::Host;

/// pytest's exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    pub const INTERRUPTED: i32 = 2;
    pub const INTERNAL_ERROR: i32 = 3;
    pub const USAGE_ERROR: i32 = 4;
    pub const NO_TESTS_COLLECTED: i32 = 5;
}

/// Run one invocation. `out`/`err` are stdout/stderr.
pub fn run(argv: &[String], host: &Host, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let start = Instant::now();
    let mut full: Vec<String> = Vec::new();
    if let Ok(env_opts) = std::env::var("PYTEST_ADDOPTS") {
        full.extend(shlex::split(&env_opts).unwrap_or_default());
    }
    full.extend(argv.iter().cloned());
    let pre = match parse_args(&full) {
        Ok(a) => a,
        Err(e) => return usage_error(err, &e, None),
    };
    let req = ConfigRequest {
        invocation_dir: host.cwd.clone(),
        args: pre.paths.clone(),
        inifile: pre.inifile.as_ref().map(|p| host.cwd.join(p)),
        rootdir: pre.rootdir.clone(),
        overrides: pre.override_ini.clone(),
    };
    let mut config = match determine_setup(&req) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(err, "{}", e.stderr_text());
            return e.exit_code();
        }
    };
    let addopts = config.addopts();
    let args = if addopts.is_empty() {
        pre
    } else {
        let mut with: Vec<String> = addopts;
        with.extend(full.iter().cloned());
        match parse_args(&with) {
            Ok(a) => a,
            Err(e) => return usage_error(err, &e, Some(&config)),
        }
    };
    // `-o` given through addopts counts too; then the ini values pytest reads at start-up
    // are checked, in pytest's order.
    let checked = config
        .apply_overrides(&args.override_ini)
        .and_then(|()| config.validate());
    if let Err(e) = checked {
        let _ = write!(err, "{}", e.stderr_text());
        return e.exit_code();
    }
    // The fallback worker is a pytest run: it reads addopts and PYTEST_ADDOPTS itself, so
    // only the command line's own options are passed on.
    let cli_only = parse_args(argv).unwrap_or_else(|_| args.clone());
    if !args.collect_only {
        return delegate_run(argv, host, err);
    }
    collect_only(&args, &cli_only, &config, host, start, out, err)
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut v = vec!["fastest".to_string()];
    v.extend(argv.iter().cloned());
    Args::try_parse_from(v).map_err(|e| {
        let s = e.to_string();
        // Keep clap's first line, reworded like argparse.
        let first = s
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string();
        if let Some(arg) = first.strip_prefix("unexpected argument '") {
            let name = arg.split('\'').next().unwrap_or(arg);
            format!("unrecognized arguments: {name}")
        } else {
            first
        }
    })
}

fn usage_error(err: &mut dyn Write, msg: &str, config: Option<&Config>) -> i32 {
    let _ = writeln!(
        err,
        "ERROR: usage: fastest [options] [file_or_dir] [file_or_dir] [...]"
    );
    let _ = writeln!(err, "fastest: error: {msg}");
    if let Some(c) = config {
        let ini = c
            .inipath
            .as_ref()
            .map_or_else(|| "None".to_string(), |p| p.display().to_string());
        let _ = writeln!(err, "  inifile: {ini}");
        let _ = writeln!(err, "  rootdir: {}", c.rootdir.display());
    }
    let _ = writeln!(err);
    exit::USAGE_ERROR
}

/// Until the native executor lands, a run is handed to pytest in the same interpreter, so
/// `fastest` already works as a drop-in; discovery commands are fastest's own.
fn delegate_run(argv: &[String], host: &Host, err: &mut dyn Write) -> i32 {
    let Some(py) = &host.python else {
        let _ = writeln!(err, "fastest: no Python interpreter found to run tests");
        return exit::INTERNAL_ERROR;
    };
    tracing::info!("running tests through pytest (the native executor is not built yet)");
    match std::process::Command::new(py)
        .arg("-m")
        .arg("pytest")
        .args(argv)
        .current_dir(&host.cwd)
        .status()
    {
        Ok(s) => s.code().unwrap_or(exit::INTERRUPTED),
        Err(e) => {
            let _ = writeln!(err, "fastest: could not start {}: {e}", py.display());
            exit::INTERNAL_ERROR
        }
    }
}

/// Marks pytest itself registers (`pytest --markers`).
const BUILTIN_MARKERS: &[&str] = &[
    "filterwarnings",
    "skip",
    "skipif",
    "xfail",
    "parametrize",
    "usefixtures",
    "tryfirst",
    "trylast",
];

/// A positional argument split into its path and node-id selector.
struct CollectArg {
    raw: String,
    path: PathBuf,
    /// `Class::test[id]` parts after the path, if any.
    selector: Option<String>,
}

fn collect_only(
    args: &Args,
    cli_only: &Args,
    config: &Config,
    host: &Host,
    start: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
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
    let mut cargs: Vec<CollectArg> = Vec::new();
    if raw_args.is_empty() {
        cargs.push(CollectArg {
            raw: String::new(),
            path: host.cwd.clone(),
            selector: None,
        });
    }
    for raw in &raw_args {
        let (p, sel) = match raw.split_once("::") {
            Some((p, s)) => (p, Some(s.to_string())),
            None => (raw.as_str(), None),
        };
        let path = normalize(&host.cwd.join(p));
        if !path.exists() {
            let _ = writeln!(
                out,
                "\nno tests collected in {:.2}s",
                start.elapsed().as_secs_f64()
            );
            let _ = writeln!(err, "ERROR: file or directory not found: {raw}\n");
            return exit::USAGE_ERROR;
        }
        cargs.push(CollectArg {
            raw: raw.clone(),
            path,
            selector: sel,
        });
    }
    let mut unique: Vec<PathBuf> = Vec::new();
    for a in &cargs {
        if !unique.contains(&a.path) {
            unique.push(a.path.clone());
        }
    }
    let confcutdir = args
        .confcutdir
        .as_ref()
        .map(|c| normalize(&host.cwd.join(c)))
        .or_else(|| {
            Some(
                config
                    .inipath
                    .as_ref()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .unwrap_or_else(|| rootdir.clone()),
            )
        });
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
    let opts = DiscoveryOptions {
        rootdir: rootdir.clone(),
        args: unique,
        python_files: PathMatcher::new(&config.python_files()),
        rules: NameRules {
            classes: NameMatcher::new(&config.python_classes()),
            functions: NameMatcher::new(&config.python_functions()),
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
        fingerprint: fingerprint(config, args, &rootdir),
    };
    let mut cache = if args.no_cache {
        DiscoveryCache::disabled()
    } else {
        let (cache, problem) = DiscoveryCache::load(&rootdir.join(".fastest_cache"));
        if let Some(p) = problem {
            let _ = writeln!(err, "fastest: warning: {p}");
        }
        cache
    };
    let t = Instant::now();
    let disc = discovery::discover(&opts, &mut cache);
    if let Err(e) = cache.save() {
        tracing::warn!("{e}");
    }
    tracing::debug!(files = disc.files.len(), elapsed = ?t.elapsed(), "discovery");
    let pytest_args = passthrough_args(cli_only, config);
    let mut errors: Vec<RawReport> = Vec::new();
    let mut warnings: Vec<RawWarning> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut fallback_deselected: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    // Items per discovered file, in walk order.
    let mut per_file: Vec<(String, PathBuf, Vec<Item>)> = Vec::new();
    if let Some(why) = &disc.global_fallback {
        notes.push(("<session>".into(), why.clone()));
        let paths: Vec<String> = raw_args.clone();
        match fallback::collect(host, &pytest_args, &paths) {
            Ok(res) => {
                if let Some(ie) = res.internal_error {
                    let _ = write!(err, "{ie}");
                    return if res.exitstatus == 0 {
                        exit::INTERNAL_ERROR
                    } else {
                        res.exitstatus
                    };
                }
                errors = res.errors;
                warnings = res.warnings;
                skipped = res.skipped.len();
                fallback_deselected = res.deselected;
                let items: Vec<Item> = res
                    .items
                    .into_iter()
                    .map(fallback::RawItem::into_item)
                    .collect();
                return finish(
                    args,
                    config,
                    host,
                    start,
                    out,
                    err,
                    items,
                    skipped,
                    &errors,
                    &warnings,
                    &notes,
                    used_testpaths,
                    &fallback_deselected,
                );
            }
            Err(e) => {
                let _ = writeln!(err, "INTERNALERROR> {e}");
                return exit::INTERNAL_ERROR;
            }
        }
    }
    let mut uncertain: Vec<(usize, String)> = Vec::new();
    for (i, f) in disc.files.into_iter().enumerate() {
        match f.outcome {
            FileOutcome::Items(items) => per_file.push((f.nodeid, f.path, items)),
            FileOutcome::Uncertain(why) => {
                notes.push((f.nodeid.clone(), why));
                uncertain.push((i, f.path.to_string_lossy().into_owned()));
                per_file.push((f.nodeid, f.path, Vec::new()));
            }
        }
    }
    if !uncertain.is_empty() {
        let paths: Vec<String> = uncertain.iter().map(|(_, p)| p.clone()).collect();
        match fallback::collect(host, &pytest_args, &paths) {
            Ok(res) => {
                if let Some(ie) = res.internal_error {
                    let _ = write!(err, "{ie}");
                    return if res.exitstatus == 0 {
                        exit::INTERNAL_ERROR
                    } else {
                        res.exitstatus
                    };
                }
                errors = res.errors;
                warnings = res.warnings;
                skipped = res.skipped.len();
                fallback_deselected = res.deselected;
                for raw in res.items {
                    let item = raw.into_item();
                    let file = item.file_part().to_string();
                    if let Some(slot) = per_file.iter_mut().find(|(n, _, _)| *n == file) {
                        slot.2.push(item);
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(err, "INTERNALERROR> {e}");
                return exit::INTERNAL_ERROR;
            }
        }
    }
    // Items per argument, in argument order, with node-id selectors applied.
    let mut items: Vec<Item> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for a in &cargs {
        let before = items.len();
        for (_, path, file_items) in &per_file {
            if !(path == &a.path || path.starts_with(&a.path)) {
                continue;
            }
            for it in file_items {
                if let Some(sel) = &a.selector {
                    let want = format!("{}::{sel}", discovery::nodeid_of(&rootdir, &a.path));
                    let ok = it.nodeid == want
                        || it.nodeid.starts_with(&format!("{want}::"))
                        || it.nodeid.starts_with(&format!("{want}["));
                    if !ok {
                        continue;
                    }
                }
                if args.keep_duplicates || seen.insert(it.nodeid.clone()) {
                    items.push(it.clone());
                }
            }
        }
        if a.selector.is_some() && items.len() == before && errors.is_empty() {
            let _ = writeln!(
                out,
                "\nno tests collected in {:.2}s",
                start.elapsed().as_secs_f64()
            );
            let _ = writeln!(
                err,
                "ERROR: not found: {}\n",
                a.path
                    .join("")
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_string()
                    + "::"
                    + a.selector.as_deref().unwrap_or("")
            );
            let _ = &a.raw;
            return exit::USAGE_ERROR;
        }
    }
    finish(
        args,
        config,
        host,
        start,
        out,
        err,
        items,
        skipped,
        &errors,
        &warnings,
        &notes,
        used_testpaths,
        &fallback_deselected,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    args: &Args,
    config: &Config,
    host: &Host,
    start: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
    items: Vec<Item>,
    skipped: usize,
    errors: &[RawReport],
    warnings: &[RawWarning],
    notes: &[(String, String)],
    used_testpaths: bool,
    hook_deselected: &[String],
) -> i32 {
    tracing::debug!(items = items.len(), elapsed = ?start.elapsed(), "collected");
    let total = items.len() + hook_deselected.len();
    // `--deselect` prefixes first, then `-k` and `-m` (pytest's modifyitems order).
    let (items, by_prefix): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|it| {
        !args
            .deselect
            .iter()
            .any(|d| it.nodeid.starts_with(d.as_str()))
    });
    let strict = args.strict_markers
        || args.strict
        || config
            .get_bool("strict_markers")
            .ok()
            .flatten()
            .unwrap_or(false);
    let registered: Vec<String> = config
        .markers()
        .iter()
        .map(|m| m.split(':').next().unwrap_or("").trim().to_string())
        .chain(BUILTIN_MARKERS.iter().map(|s| (*s).to_string()))
        .collect();
    let is_registered = |name: &str| registered.iter().any(|r| r == name);
    let selection = match deselect_items(
        items,
        args.keyword.as_deref().unwrap_or(""),
        args.markexpr.as_deref().unwrap_or(""),
        strict.then_some(&is_registered as &dyn Fn(&str) -> bool),
    ) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "ERROR: {e}\n");
            return exit::USAGE_ERROR;
        }
    };
    let selected = selection.selected;
    let deselected = hook_deselected.len() + by_prefix.len() + selection.deselected.len();
    let verbosity = args.verbosity();
    let header = (verbosity >= 0).then(|| Header {
        platform_line: host.platform_line(),
        rootdir: "",
        configfile: config.display_inifile(),
        testpaths: used_testpaths.then(|| config.testpaths().join(", ")),
        plugins: host.plugins_line(),
    });
    let rootdir_s = config.rootdir.display().to_string();
    let header = header.map(|h| Header {
        rootdir: &rootdir_s,
        ..h
    });
    let report = CollectReport {
        verbosity,
        header,
        items: &selected,
        total,
        deselected,
        skipped,
        errors,
        warnings,
        duration: start.elapsed().as_secs_f64(),
        fallback_notes: notes,
    };
    let t = Instant::now();
    let text = render(&report);
    tracing::debug!(elapsed = ?t.elapsed(), "render");
    if out.write_all(text.as_bytes()).is_err() {
        // A closed pipe (`| head`) is not an error for the user.
        return exit::OK;
    }
    if !errors.is_empty() {
        exit::INTERRUPTED
    } else if selected.is_empty() {
        exit::NO_TESTS_COLLECTED
    } else {
        exit::OK
    }
}

/// Everything that changes what a file yields, hashed into the discovery cache key.
fn fingerprint(config: &Config, args: &Args, rootdir: &Path) -> u64 {
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
    key.push_str(&rootdir.to_string_lossy());
    key.push('\x1f');
    key.push_str(args.import_mode.as_deref().unwrap_or("prepend"));
    key.push_str(if args.doctest_modules {
        "\x1fdoctest"
    } else {
        ""
    });
    fastest_core::discovery::source::content_hash(key.as_bytes())
}

/// Options that change what pytest collects, passed to the fallback worker.
fn passthrough_args(args: &Args, config: &Config) -> Vec<String> {
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
    for o in &args.override_ini {
        v.push("-o".into());
        v.push(o.clone());
    }
    for p in &args.plugins {
        v.push("-p".into());
        v.push(p.clone());
    }
    if let Some(m) = &args.import_mode {
        v.push(format!("--import-mode={m}"));
    }
    if args.doctest_modules {
        v.push("--doctest-modules".into());
    }
    for g in &args.doctest_glob {
        v.push(format!("--doctest-glob={g}"));
    }
    if let Some(c) = &args.confcutdir {
        v.push(format!("--confcutdir={c}"));
    }
    if args.noconftest {
        v.push("--noconftest".into());
    }
    if args.collect_in_virtualenv {
        v.push("--collect-in-virtualenv".into());
    }
    if args.keep_duplicates {
        v.push("--keep-duplicates".into());
    }
    if args.strict_markers {
        v.push("--strict-markers".into());
    }
    for i in &args.ignore {
        v.push(format!("--ignore={i}"));
    }
    for g in &args.ignore_glob {
        v.push(format!("--ignore-glob={g}"));
    }
    v
}

/// `testpaths` entries globbed relative to the rootdir (`glob(recursive=True)`, sorted).
fn expand_testpaths(rootdir: &Path, entries: &[String]) -> Vec<String> {
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
