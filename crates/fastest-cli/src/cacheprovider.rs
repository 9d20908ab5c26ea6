//! pytest's cacheprovider and stepwise plugins in a session fastest collects or runs:
//! `--lf`/`--ff`/`--lfnf` (`LFPlugin`), `--nf` (`NFPlugin`), `--sw`/`--sw-skip`/
//! `--sw-reset` (`StepwisePlugin`), `--cache-clear`, and what they write back to
//! `.pytest_cache` when the session ends.
//!
//! The hooks are followed in pytest's order: `--lf`'s collection filter (files without
//! failures skipped, passed functions of failed files not collected), collection reports
//! (a collector that failed before and now collects hands its failure to its children),
//! stepwise's `modifyitems` (a plain hook: it sees every collected item, before
//! `--deselect`/`-k`/`-m`), then the last-failed and new-first wrappers (after them).
//! The files themselves are `fastest_core::cache`'s.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use fastest_core::cache::{self, PytestCache, StepwiseInfo};
use fastest_core::config::Config;
use fastest_core::item::{Item, NodeKind};
use fastest_core::report::{Outcome, Phase, TestReport};
use indexmap::IndexMap;
use serde_json::Value;

use crate::args::Opt;
use crate::invocation::Invocation;

/// The stepwise plugin's state for one session.
struct Stepwise {
    info: StepwiseInfo,
    skip: bool,
    reset: bool,
    status: Vec<String>,
    /// `session.shouldstop` was set: the session ends after the current test.
    stopped: bool,
}

/// The cache plugins of one session.
pub(crate) struct CacheSession {
    cache: PytestCache,
    lf: bool,
    ff: bool,
    nf: bool,
    lfnf_none: bool,
    lastfailed: IndexMap<String, Value>,
    saved_lastfailed: IndexMap<String, Value>,
    nodeids: BTreeSet<String>,
    lf_status: Option<String>,
    skipped_files: usize,
    stepwise: Option<Stepwise>,
    /// Set once `--lf`'s collection collected a failure: the failures' paths and the
    /// arguments' (see [`CacheSession::lf_collected`]).
    lf_filter: Option<(HashSet<PathBuf>, Vec<PathBuf>)>,
    /// pytest-randomly shuffled the items before they came here: what `--lf`'s
    /// collection keeps stays in that order (the plugin shuffles after pytest's
    /// collection put the files with failures first, which its order replaces).
    shuffled: bool,
}

/// pytest's message for a stepwise stop (`session.shouldstop`).
pub(crate) const STEPWISE_STOP: &str = "Test failed, continuing from this test next run.";

impl CacheSession {
    /// The session's cache plugins (`None` under `-p no:cacheprovider`).
    pub(crate) fn load(inv: &Invocation, config: &Config) -> Option<CacheSession> {
        let blocked = |name: &str| inv.blocked.iter().any(|b| b == name);
        if blocked("cacheprovider") {
            return None;
        }
        let args = &inv.args;
        // (`--cache-clear` emptied it at configure time: `invocation::prepare`.)
        let cache = PytestCache::new(config.cache_dir().0);
        let lastfailed = cache.get_ordered(cache::LASTFAILED).unwrap_or_default();
        let nodeids = match cache.get(cache::NODEIDS) {
            Some(Value::Array(a)) => a
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => BTreeSet::new(),
        };
        let sw_skip = args.has(Opt::StepWiseSkip);
        let sw_reset = args.has(Opt::StepWiseReset);
        let stepwise = (!blocked("stepwise") && (args.has(Opt::StepWise) || sw_skip || sw_reset))
            .then(|| {
                let mut status = Vec::new();
                let info = match StepwiseInfo::from_value(cache.get(cache::STEPWISE).as_ref()) {
                    Ok(Some(info)) => info,
                    Ok(None) => StepwiseInfo::empty(),
                    Err(e) => {
                        status.push(format!("error reading cache, discarding ({e})"));
                        StepwiseInfo::empty()
                    }
                };
                Stepwise {
                    info,
                    skip: sw_skip,
                    reset: sw_reset,
                    status,
                    stopped: false,
                }
            });
        Some(CacheSession {
            cache,
            shuffled: inv.randomly.as_ref().is_some_and(|r| r.reorganize),
            lf: args.has(Opt::LastFailed),
            ff: args.has(Opt::FailedFirst),
            nf: args.has(Opt::NewFirst),
            lfnf_none: args.last_failed_no_failures.as_deref() == Some("none"),
            saved_lastfailed: lastfailed.clone(),
            lastfailed,
            nodeids,
            lf_status: None,
            skipped_files: 0,
            stepwise,
            lf_filter: None,
        })
    }

    /// Collection as pytest's does it under these plugins: `--lf`'s collection filter
    /// (and its reordering), then the collection reports' effect on `lastfailed`.
    /// `initpaths` are the arguments' paths (their files are never filtered).
    /// `deselected` are the node ids pytest's collection in the import fallback
    /// collected and its `-k`/`-m`/`--deselect` (or a hook) dropped: pytest's `--lf`
    /// looks at them before any deselection.
    pub(crate) fn collect(
        &mut self,
        items: Vec<Item>,
        rootdir: &Path,
        initpaths: &[PathBuf],
        empty: &[(Item, Option<String>)],
        file_collectors: Option<&[(PathBuf, u8)]>,
        deselected: &[String],
    ) -> Vec<Item> {
        let items = if self.lf && !self.lastfailed.is_empty() {
            self.lf_collect(
                items,
                rootdir,
                initpaths,
                empty,
                file_collectors,
                deselected,
            )
        } else {
            items
        };
        self.collect_reports(&items);
        items
    }

    /// Under `--lf` with failures recorded, the paths `LFPlugin._last_failed_paths`
    /// holds (the failed nodes' files and their directories, those that exist): once a
    /// failure is collected, pytest skips every other file unimported.
    pub(crate) fn lf_paths(&self, rootdir: &Path) -> Option<HashSet<PathBuf>> {
        if !self.lf || self.lastfailed.is_empty() {
            return None;
        }
        let mut lf_paths: HashSet<PathBuf> = HashSet::new();
        for id in self.lastfailed.keys() {
            let path = rootdir.join(id.split("::").next().unwrap_or(id));
            lf_paths.extend(path.ancestors().map(Path::to_path_buf));
        }
        lf_paths.retain(|p| p.exists());
        Some(lf_paths)
    }

    /// Whether `nodeid` failed last time.
    pub(crate) fn failed_before(&self, nodeid: &str) -> bool {
        self.lastfailed.contains_key(nodeid)
    }

    /// `LFPluginCollWrapper`/`LFPluginCollSkipfiles`. `file_collectors` are the files
    /// collection reached in its order, each with the number of file collectors pytest
    /// makes of it (pytest counts each one it skips); without them, the files of the
    /// items and `empty`, the files with no item, each before the file of the next item.
    fn lf_collect(
        &mut self,
        items: Vec<Item>,
        rootdir: &Path,
        initpaths: &[PathBuf],
        empty: &[(Item, Option<String>)],
        file_collectors: Option<&[(PathBuf, u8)]>,
        deselected: &[String],
    ) -> Vec<Item> {
        let lf_paths = self.lf_paths(rootdir).unwrap_or_default();
        let given: HashMap<String, usize> = if self.shuffled {
            items
                .iter()
                .enumerate()
                .rev()
                .map(|(i, it)| (it.nodeid.clone(), i))
                .collect()
        } else {
            HashMap::new()
        };
        // Items by file, files in collection order, with their collector counts.
        let mut files: Vec<(PathBuf, Vec<Item>, usize)> = Vec::new();
        let mut at: HashMap<PathBuf, usize> = HashMap::new();
        for (path, n) in file_collectors.unwrap_or_default() {
            at.entry(path.clone()).or_insert(files.len());
            files.push((path.clone(), Vec::new(), usize::from(*n)));
        }
        for it in items {
            let path = rootdir.join(it.file_part());
            let i = *at.entry(path.clone()).or_insert_with(|| {
                files.push((path, Vec::new(), 1));
                files.len() - 1
            });
            files[i].1.push(it);
        }
        // Per file, whether one of its deselected nodes is a recorded failure among the
        // module's own children; a file only they were in is collected all the same.
        let mut deselected_failure: HashMap<PathBuf, bool> = HashMap::new();
        for id in deselected {
            let file = id.split("::").next().unwrap_or(id);
            let path = rootdir.join(file);
            if !at.contains_key(&path) {
                at.insert(path.clone(), files.len());
                files.push((path.clone(), Vec::new(), 1));
            }
            let own_child = module_child(&id[file.len()..]);
            let failed = own_child && self.lastfailed.contains_key(id);
            *deselected_failure.entry(path).or_insert(false) |= failed;
        }
        if file_collectors.is_none() {
            for (file, next) in empty {
                let path = rootdir.join(file.file_part());
                let before = next
                    .as_deref()
                    .and_then(|n| files.iter().position(|(p, _, _)| *p == rootdir.join(n)));
                files.insert(before.unwrap_or(files.len()), (path, Vec::new(), 1));
            }
        }
        // Sessions and directories collect their lf paths first (a stable sort on each
        // level): order files by, at each level of their path, (not an lf path, first
        // position of that prefix).
        let mut first: HashMap<PathBuf, usize> = HashMap::new();
        for (i, (p, _, _)) in files.iter().enumerate() {
            for a in p.ancestors() {
                first.entry(a.to_path_buf()).or_insert(i);
            }
        }
        let key = |p: &Path| -> Vec<(bool, usize)> {
            let mut anc: Vec<&Path> = p.ancestors().collect();
            anc.reverse();
            anc.into_iter()
                .map(|a| (!lf_paths.contains(a), first.get(a).copied().unwrap_or(0)))
                .collect()
        };
        files.sort_by_cached_key(|(p, _, _)| key(p));
        let mut found_failure = false;
        let mut out = Vec::new();
        for (path, file_items, collectors) in files {
            if lf_paths.contains(&path) {
                if !found_failure {
                    // pytest looks at the module's own children: a failure in a class
                    // (a collector, kept whole) starts no skipping.
                    if !file_items
                        .iter()
                        .any(|it| !in_class(it) && self.lastfailed.contains_key(&it.nodeid))
                        && deselected_failure.get(&path) != Some(&true)
                    {
                        out.extend(file_items);
                        continue;
                    }
                    found_failure = true;
                }
                let init = initpaths.contains(&path);
                out.extend(
                    file_items.into_iter().filter(|it| {
                        init || self.lastfailed.contains_key(&it.nodeid) || in_class(it)
                    }),
                );
            } else if found_failure {
                self.skipped_files += collectors;
            } else {
                out.extend(file_items);
            }
        }
        if found_failure {
            self.lf_filter = Some((lf_paths, initpaths.to_vec()));
        }
        if self.shuffled {
            out.sort_by_key(|it| given.get(&it.nodeid).copied().unwrap_or(usize::MAX));
        }
        out
    }

    /// Whether `--lf`'s collection skipped the file of the node `nodeid` unimported
    /// (a failure was found and the file holds none).
    pub(crate) fn lf_skipped_file(&self, nodeid: &str, rootdir: &Path) -> bool {
        let file = nodeid.split("::").next().unwrap_or(nodeid);
        self.lf_filter
            .as_ref()
            .is_some_and(|(paths, _)| !paths.contains(&rootdir.join(file)))
    }

    /// One more file collector `--lf` skipped (one the items did not show: a module
    /// pytest's collection in the import fallback found skipping itself or failing).
    pub(crate) fn count_skipped_collector(&mut self) {
        self.skipped_files += 1;
    }

    /// Whether `--lf`'s collection collects the node `nodeid` (pytest's collection in
    /// the import fallback, which has no `--lf`, may have deselected it): a node of a
    /// failure's file that failed, or sits in a class, or of a file named as an
    /// argument. Every node when `--lf` collected no failure.
    pub(crate) fn lf_collected(&self, nodeid: &str, rootdir: &Path) -> bool {
        let Some((paths, init)) = &self.lf_filter else {
            return true;
        };
        let file = nodeid.split("::").next().unwrap_or(nodeid);
        let path = rootdir.join(file);
        if !paths.contains(&path) {
            return false;
        }
        let rest = &nodeid[file.len()..];
        let names = rest.split('[').next().unwrap_or(rest);
        init.contains(&path)
            || self.lastfailed.contains_key(nodeid)
            || names.matches("::").count() >= 2
    }

    /// `LFPlugin.pytest_collectreport`: a collector recorded as failed that now
    /// collects is replaced by its children (which its own children's reports may
    /// replace in turn).
    fn collect_reports(&mut self, items: &[Item]) {
        if self.lastfailed.is_empty() {
            return;
        }
        // Collectors in report order (a module's before its classes'), each with its
        // direct children.
        let mut children: IndexMap<String, Vec<String>> = IndexMap::new();
        for it in items {
            let Some(file_at) = it.chain.iter().position(|n| {
                matches!(
                    n.kind,
                    NodeKind::Module | NodeKind::DoctestModule | NodeKind::DoctestTextfile
                )
            }) else {
                continue;
            };
            let mut id = it.file_part().to_string();
            for (depth, node) in it.chain.iter().enumerate().skip(file_at + 1) {
                let child = if depth + 1 == it.chain.len() {
                    it.nodeid.clone()
                } else {
                    format!("{id}::{}", node.name)
                };
                let list = children.entry(id.clone()).or_default();
                if !list.contains(&child) {
                    list.push(child.clone());
                }
                id = child;
            }
        }
        for (collector, kids) in children {
            if self.lastfailed.shift_remove(&collector).is_some() {
                for k in kids {
                    self.lastfailed.insert(k, Value::Bool(true));
                }
            }
        }
    }

    /// Stepwise's `pytest_collection_modifyitems`: the items before the last failure
    /// are deselected. Returns the remaining items and how many were deselected.
    pub(crate) fn stepwise_select(&mut self, mut items: Vec<Item>) -> (Vec<Item>, usize) {
        let Some(sw) = &mut self.stepwise else {
            return (items, 0);
        };
        let last_count = sw.info.last_test_count;
        let n = items.len();
        sw.info.last_test_count = Some(n as i64);
        if sw.reset {
            sw.status.push("resetting state, not skipping.".into());
            sw.info.last_failed = None;
            return (items, 0);
        }
        let Some(last_failed) = sw.info.last_failed.clone() else {
            sw.status
                .push("no previously failed tests, not skipping.".into());
            return (items, 0);
        };
        if let Some(prev) = last_count.filter(|c| *c != n as i64) {
            sw.status.push(format!(
                "test count changed, not skipping (now {n} tests, previously {prev})."
            ));
            sw.info.last_failed = None;
            return (items, 0);
        }
        match items.iter().position(|it| it.nodeid == last_failed) {
            None => {
                sw.status
                    .push("previously failed test not found, not skipping.".into());
                (items, 0)
            }
            Some(index) => {
                sw.status.push(format!(
                    "skipping {index} already passed items (cache from {} ago, use --sw-reset to discard).",
                    sw.info.age()
                ));
                items.drain(..index);
                (items, index)
            }
        }
    }

    /// The last-failed and new-first wrappers of `pytest_collection_modifyitems`, after
    /// every other selection. Returns the items to run and how many were deselected.
    pub(crate) fn modify(&mut self, items: Vec<Item>, rootdir: &Path) -> (Vec<Item>, usize) {
        let mut deselected = 0;
        let mut items = items;
        if self.lf || self.ff {
            if self.lastfailed.is_empty() {
                let mut status = "no previously failed tests, ".to_string();
                if self.lf && self.lfnf_none {
                    status.push_str("deselecting all items.");
                    deselected += items.len();
                    items.clear();
                } else {
                    status.push_str("not deselecting items.");
                }
                self.lf_status = Some(status);
            } else {
                let (failed, passed): (Vec<Item>, Vec<Item>) = items
                    .into_iter()
                    .partition(|it| self.lastfailed.contains_key(&it.nodeid));
                let mut status = if failed.is_empty() {
                    items = passed;
                    format!(
                        "{} known failures not in selected tests",
                        self.lastfailed.len()
                    )
                } else {
                    let n = failed.len();
                    if self.lf {
                        deselected += passed.len();
                        items = failed;
                    } else {
                        items = failed;
                        items.extend(passed);
                    }
                    let noun = if n == 1 { "failure" } else { "failures" };
                    let suffix = if self.ff { " first" } else { "" };
                    format!("rerun previous {n} {noun}{suffix}")
                };
                if self.skipped_files > 0 {
                    let noun = if self.skipped_files == 1 {
                        "file"
                    } else {
                        "files"
                    };
                    status.push_str(&format!(" (skipped {} {noun})", self.skipped_files));
                }
                self.lf_status = Some(status);
            }
        }
        if self.nf {
            let (new, old): (Vec<Item>, Vec<Item>) = items
                .into_iter()
                .partition(|it| !self.nodeids.contains(&it.nodeid));
            let mut mtimes: HashMap<String, std::time::SystemTime> = HashMap::new();
            let mut by_mtime = |mut v: Vec<Item>| {
                v.sort_by_cached_key(|it| {
                    let t = *mtimes.entry(it.file_part().to_string()).or_insert_with(|| {
                        std::fs::metadata(rootdir.join(it.file_part()))
                            .and_then(|m| m.modified())
                            .unwrap_or(std::time::UNIX_EPOCH)
                    });
                    std::cmp::Reverse(t)
                });
                v
            };
            items = by_mtime(new);
            items.extend(by_mtime(old));
        }
        self.nodeids
            .extend(items.iter().map(|it| it.nodeid.clone()));
        (items, deselected)
    }

    /// The lines pytest prints after `collected N items` (`pytest_report_collectionfinish`).
    pub(crate) fn collection_lines(&self, verbosity: i32) -> Vec<String> {
        let mut lines = Vec::new();
        if verbosity < 0 {
            return lines;
        }
        if let Some(s) = self.lf_status.as_ref().filter(|_| self.lf || self.ff) {
            lines.push(format!("run-last-failure: {s}"));
        }
        if let Some(sw) = &self.stepwise {
            lines.extend(sw.status.iter().map(|s| format!("stepwise: {s}")));
        }
        lines
    }

    /// How many failed reports end the session under `--sw` (`--sw-skip` lets one by).
    pub(crate) fn stop_after(&self) -> Option<usize> {
        self.stepwise.as_ref().map(|sw| if sw.skip { 2 } else { 1 })
    }

    /// Whether stepwise stopped the session (`session.shouldstop`).
    pub(crate) fn stopped(&self) -> bool {
        self.stepwise.as_ref().is_some_and(|sw| sw.stopped)
    }

    /// `pytest_runtest_logreport` of both plugins.
    /// `LFPlugin.pytest_collectreport` for a module skipped or failing at collection: a
    /// skip clears its entry, a failure records it (stepwise looks at test reports only).
    pub(crate) fn on_collect_report(&mut self, r: &TestReport) {
        if r.outcome == Outcome::Failed {
            self.lastfailed
                .entry(r.nodeid.clone())
                .or_insert(Value::Bool(true));
        } else {
            self.lastfailed.shift_remove(&r.nodeid);
        }
    }

    pub(crate) fn on_report(&mut self, r: &TestReport) {
        let failed = r.outcome == Outcome::Failed;
        if (r.when == Phase::Call && r.outcome == Outcome::Passed) || r.outcome == Outcome::Skipped
        {
            self.lastfailed.shift_remove(&r.nodeid);
        } else if failed {
            self.lastfailed
                .entry(r.nodeid.clone())
                .or_insert(Value::Bool(true));
        }
        let Some(sw) = &mut self.stepwise else {
            return;
        };
        if failed {
            if sw.skip {
                if sw.info.last_failed.as_deref() == Some(r.nodeid.as_str()) {
                    sw.info.last_failed = None;
                }
                sw.skip = false;
            } else {
                sw.info.last_failed = Some(r.nodeid.clone());
                sw.stopped = true;
            }
        } else if r.when == Phase::Call && sw.info.last_failed.as_deref() == Some(r.nodeid.as_str())
        {
            sw.info.last_failed = None;
        }
    }

    /// `pytest_sessionfinish`: stepwise's state, the node ids (not for `--collect-only`)
    /// and `lastfailed` when it changed. Failures are warnings, as pytest's.
    pub(crate) fn finish(mut self, collect_only: bool) {
        let mut results = Vec::new();
        if let Some(sw) = &mut self.stepwise {
            sw.info.last_cache_date_str = cache::now_isoformat();
            results.push(self.cache.set_text(cache::STEPWISE, &sw.info.to_json()));
        }
        if !collect_only {
            let list = Value::from(self.nodeids.iter().cloned().collect::<Vec<_>>());
            results.push(self.cache.set_text(cache::NODEIDS, &cache::dumps(&list)));
        }
        // A dict comparison: the same entries in another order are not a change.
        let same = self.saved_lastfailed.len() == self.lastfailed.len()
            && self
                .lastfailed
                .iter()
                .all(|(k, v)| self.saved_lastfailed.get(k) == Some(v));
        if !same {
            results.push(
                self.cache
                    .set_text(cache::LASTFAILED, &cache::dumps_ordered(&self.lastfailed)),
            );
        }
        for e in results.into_iter().filter_map(Result::err) {
            tracing::warn!("{e}");
        }
    }
}

/// Whether an item sits in a class (its file's collect result holds the class, which
/// `--lf` keeps whole).
/// Whether the node id part after the file (`::name[params]`) names a direct child of
/// the module (not something inside a class).
fn module_child(rest: &str) -> bool {
    let names = rest.split('[').next().unwrap_or(rest);
    names.matches("::").count() == 1
}

pub(crate) fn in_class(it: &Item) -> bool {
    let n = it.chain.len();
    n >= 2
        && matches!(
            it.chain[n - 2].kind,
            NodeKind::Class | NodeKind::UnitTestCase | NodeKind::Other
        )
}
