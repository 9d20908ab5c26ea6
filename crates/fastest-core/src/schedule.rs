//! Scheduling: which items must share a worker (scope groups) and in which order the
//! groups are handed out (longest first, from history).
//!
//! A scope group is a maximal run of consecutive items of one module. Everything a
//! module- or class-scoped fixture (parametrized or not) is shared by lives inside one
//! module, and pytest tears such fixtures down when the next item leaves their scope, so
//! keeping a module's consecutive items together, in pytest's order, in one worker means
//! a module fixture is set up exactly as often as under `pytest` (never more often than
//! under `pytest-xdist --dist loadscope`, which splits a module's classes). Package- and
//! session-scoped fixtures are set up once per worker, as under pytest-xdist.
//!
//! Groups are assigned by LPT (longest processing time first, to the least loaded worker):
//! the expected cost of a group is the sum of its items' stored durations, the mean for
//! items without history. Each worker runs its groups in collection order, and a worker
//! with none left takes the last one from the worker with the most left, so the run ends
//! close to `max(longest group, total / workers)`. A module that would hold the run up
//! is cut into pieces when none of its items shares state with another
//! ([`split_long_groups`]).

use std::ops::Range;

use crate::history::History;

/// Consecutive runs of equal `keys` (the items' module paths), as index ranges.
pub fn scope_groups<K: PartialEq>(keys: &[K]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=keys.len() {
        if i == keys.len() || keys[i] != keys[start] {
            if i > start {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

/// The expected duration of each group, from `history` (the mean of known tests for an
/// unknown one; with no history at all every test counts as one unit, so the order is by
/// size).
pub fn group_costs(groups: &[Range<usize>], nodeids: &[&str], history: &History) -> Vec<f64> {
    let mean = history.mean().unwrap_or(1.0);
    groups
        .iter()
        .map(|g| {
            nodeids[g.clone()]
                .iter()
                .map(|id| history.duration(id).unwrap_or(mean))
                .sum()
        })
        .collect()
}

/// Group indices longest first; equal costs keep pytest's order (a stable sort), so a
/// run without history is deterministic.
pub fn lpt_order(costs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]));
    order
}

/// Which groups each of `workers` workers runs: longest first to the least loaded worker
/// (LPT; ties to the lowest worker), then each worker's groups in collection order. A
/// worker's run is then a subsequence of pytest's order, as under pytest-xdist: a suite
/// whose tests pass only in pytest's order (a test leaving state a later one never
/// sees) keeps passing, where handing groups out longest first would run a late module
/// before an early one on one worker.
pub fn lpt_assign(costs: &[f64], workers: usize) -> Vec<Vec<usize>> {
    let workers = workers.max(1);
    let mut bins: Vec<Vec<usize>> = vec![Vec::new(); workers];
    let mut load = vec![0.0f64; workers];
    for g in lpt_order(costs) {
        let mut best = 0;
        for w in 1..workers {
            if load[w] < load[best] {
                best = w;
            }
        }
        bins[best].push(g);
        load[best] += costs[g];
    }
    for bin in &mut bins {
        bin.sort_unstable();
    }
    bins
}

/// A group is cut when it is longer than this part of a worker's fair share
/// (`total / workers`): whole, it would hold up the run or leave LPT little to balance.
const SPLIT_ABOVE_SHARE: f64 = 0.5;
/// Its pieces are at most this part of a fair share, small enough for LPT and stealing
/// to even the workers out.
const PIECE_OF_SHARE: f64 = 0.25;
/// A group shorter than this (seconds) is not worth a second worker's start.
const MIN_SPLIT_SECONDS: f64 = 0.2;
/// A group with items of no known duration is cut only from this many items on.
const MIN_SPLIT_GUESSED_ITEMS: usize = 4;

/// Cut the long groups whose items are all `isolated` (no class- or module-scoped state,
/// `RunSpec::isolated`) into runs of consecutive items, each at most a quarter of a
/// worker's fair share: a module that alone takes most of the run is spread over the
/// workers, as pytest-xdist's `--dist load` spreads it, where keeping it whole would make
/// it the run's lower bound. Each piece keeps pytest's order, and a worker that runs
/// several runs them in that order. An item with no duration in `history` counts as
/// the mean (one unit when there is no history at all): a first `-n 2` run of a suite
/// that is one module spreads it as pytest-xdist does, where a module whose items all
/// ran before is cut only when it takes long enough to be worth a worker.
pub fn split_long_groups(
    groups: Vec<Range<usize>>,
    nodeids: &[&str],
    isolated: &[bool],
    history: &History,
    workers: usize,
) -> Vec<Range<usize>> {
    if workers < 2 {
        return groups;
    }
    let mean = history.mean().unwrap_or(1.0);
    let cost = |i: usize| history.duration(nodeids[i]).unwrap_or(mean);
    let total: f64 = (0..nodeids.len()).map(cost).sum();
    let share = total / workers as f64;
    let piece = share * PIECE_OF_SHARE;
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let long = g.clone().map(cost).sum::<f64>();
        let known = g.clone().all(|i| history.duration(nodeids[i]).is_some());
        let worth = if known {
            long >= MIN_SPLIT_SECONDS
        } else {
            g.len() >= MIN_SPLIT_GUESSED_ITEMS
        };
        let cuttable = g.len() > 1
            && long > share * SPLIT_ABOVE_SHARE
            && worth
            && g.clone().all(|i| isolated.get(i).copied().unwrap_or(false));
        if !cuttable {
            out.push(g);
            continue;
        }
        let mut start = g.start;
        let mut acc = 0.0;
        for i in g.clone() {
            let c = cost(i);
            if i > start && acc + c > piece {
                out.push(start..i);
                start = i;
                acc = 0.0;
            }
            acc += c;
        }
        out.push(start..g.end);
    }
    out
}

/// The best wall time any schedule of these groups on `workers` workers can reach:
/// `max(longest group, total / workers)`.
pub fn lpt_lower_bound(costs: &[f64], workers: usize) -> f64 {
    let longest = costs.iter().copied().fold(0.0, f64::max);
    let total: f64 = costs.iter().sum();
    longest.max(total / workers.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_consecutive_runs_of_one_module() {
        let keys = ["a", "a", "b", "a", "c", "c"];
        assert_eq!(scope_groups(&keys), vec![0..2, 2..3, 3..4, 4..6]);
        assert!(scope_groups::<&str>(&[]).is_empty());
    }

    #[test]
    fn lpt_assignment_balances_and_keeps_collection_order_per_worker() {
        // The slow group is last in collection order: it gets a worker of its own.
        let costs = [1.0, 1.0, 1.0, 1.0, 4.0];
        assert_eq!(lpt_assign(&costs, 2), vec![vec![4], vec![0, 1, 2, 3]]);
        // The two long ones first, one each; then the short ones; each list ascending.
        let costs = [2.0, 1.0, 2.0, 1.0];
        assert_eq!(lpt_assign(&costs, 2), vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(lpt_assign(&[1.0], 3), vec![vec![0], vec![], vec![]]);
        assert!(lpt_assign(&[], 2).iter().all(Vec::is_empty));
    }

    #[test]
    fn lpt_puts_the_longest_first_and_keeps_order_on_ties() {
        let mut h = History::default();
        h.record("a::1", 1.0, "passed");
        h.record("b::1", 5.0, "passed");
        h.record("c::1", 1.0, "passed");
        let ids = ["a::1", "b::1", "c::1", "d::1", "d::2"];
        let groups = scope_groups(&["a", "b", "c", "d", "d"]);
        let costs = group_costs(&groups, &ids, &h);
        // d has no history: two tests at the mean (7/3) each.
        assert_eq!(costs[3], 14.0 / 3.0);
        assert_eq!(lpt_order(&costs), vec![1, 3, 0, 2]);
        assert_eq!(
            lpt_lower_bound(&costs, 2),
            5.0_f64.max((7.0 + 14.0 / 3.0) / 2.0)
        );
    }

    #[test]
    fn a_long_isolated_module_is_cut_into_consecutive_pieces() {
        let mut h = History::default();
        let ids = ["a::1", "a::2", "a::3", "a::4", "b::1", "c::1"];
        for id in &ids[..4] {
            h.record(id, 0.5, "passed");
        }
        h.record("b::1", 0.1, "passed");
        h.record("c::1", 0.1, "passed");
        let groups = || scope_groups(&["a", "a", "a", "a", "b", "c"]);
        let all = [true; 6];
        // Total 2.2 s on 2 workers: a fair share is 1.1 s, a piece at most 0.275 s.
        assert_eq!(
            split_long_groups(groups(), &ids, &all, &h, 2),
            vec![0..1, 1..2, 2..3, 3..4, 4..5, 5..6]
        );
        // One worker, or one item of the module not isolated: whole.
        assert_eq!(split_long_groups(groups(), &ids, &all, &h, 1), groups());
        let mut one_shared = all;
        one_shared[2] = false;
        assert_eq!(
            split_long_groups(groups(), &ids, &one_shared, &h, 2),
            groups()
        );
        // An item without history counts as the mean (0.5 s): the same cut.
        let mut partial = History::default();
        for id in &ids[..3] {
            partial.record(id, 0.5, "passed");
        }
        partial.record("b::1", 0.5, "passed");
        partial.record("c::1", 0.5, "passed");
        assert_eq!(
            split_long_groups(groups(), &ids, &all, &partial, 2),
            vec![0..1, 1..2, 2..3, 3..4, 4..5, 5..6]
        );
        // No history at all (a first run): each item one unit; the module holds 4 of 6.
        assert_eq!(
            split_long_groups(groups(), &ids, &all, &History::default(), 2),
            vec![0..1, 1..2, 2..3, 3..4, 4..5, 5..6]
        );
        // ... but fewer items than are worth guessing about stay whole.
        let three = || scope_groups(&["a", "a", "a", "b"]);
        assert_eq!(
            split_long_groups(three(), &ids[..4], &[true; 4], &History::default(), 2),
            three()
        );
        // Pieces hold several short items, never none.
        let mut h = History::default();
        let ids: Vec<String> = (0..8).map(|i| format!("a::{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        for id in &ids {
            h.record(id, 0.1, "passed");
        }
        // Total 0.8 s on 2 workers: pieces of at most 0.1 s... each item alone.
        let one = scope_groups(&["a"; 8]);
        assert_eq!(
            split_long_groups(one.clone(), &ids, &[true; 8], &h, 2).len(),
            8
        );
        // Too short to be worth a second worker: whole.
        let mut quick = History::default();
        for id in &ids {
            quick.record(id, 0.01, "passed");
        }
        assert_eq!(
            split_long_groups(one, &ids, &[true; 8], &quick, 2),
            vec![0..8]
        );
    }

    #[test]
    fn without_history_groups_go_by_size() {
        let groups = scope_groups(&["a", "b", "b", "b", "c", "c"]);
        let ids = ["1", "2", "3", "4", "5", "6"];
        let costs = group_costs(&groups, &ids, &History::default());
        assert_eq!(lpt_order(&costs), vec![1, 2, 0]);
    }
}

/// How [`shard_files`] split the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardMethod {
    /// Longest first onto the least-loaded shard, with durations from history.
    History,
    /// A stable hash of each file's path (no history for any of the items).
    Hash,
}

/// FNV-1a (64 bit): a hash that is the same on every machine, release and language
/// (`python/fastest/_shard.py` computes it too).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `--shard K/N`: which of `shards` shards (0-based) runs each file's items. `files`
/// names each item's file, `nodeids` the items, in run order. A file's items stay in
/// one shard (module fixtures are set up once). With history for any item the split is
/// LPT (files longest first, each to the least-loaded shard; an item without history
/// costs the mean); without, a hash of the file's path. Every float is summed in a fixed
/// order, so every shard of a CI matrix computes the same split from the same history
/// (`python/fastest/_shard.py` mirrors this for sessions pytest runs).
pub fn shard_files(
    files: &[&str],
    nodeids: &[&str],
    history: &History,
    shards: usize,
) -> (Vec<(String, usize)>, ShardMethod) {
    let shards = shards.max(1);
    // Files in order of first appearance, and each item's index into them (suites have
    // tens of thousands of items: no linear searches per item).
    let mut order: Vec<&str> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let item_file: Vec<usize> = files
        .iter()
        .map(|f| {
            *index.entry(f).or_insert_with(|| {
                order.push(f);
                order.len() - 1
            })
        })
        .collect();
    let known = nodeids.iter().any(|id| history.duration(id).is_some());
    if !known {
        let split = order
            .iter()
            .map(|f| {
                let shard = (fnv1a64(f.as_bytes()) % shards as u64) as usize;
                ((*f).to_string(), shard)
            })
            .collect();
        return (split, ShardMethod::Hash);
    }
    let mut all: Vec<f64> = history.tests.values().map(|e| e.duration).collect();
    all.sort_by(f64::total_cmp);
    let mut total = 0.0;
    for d in &all {
        total += d;
    }
    let mean = total / all.len() as f64;
    let mut costs = vec![0.0f64; order.len()];
    for (&i, id) in item_file.iter().zip(nodeids) {
        costs[i] += history.duration(id).unwrap_or(mean);
    }
    let mut by_cost: Vec<usize> = (0..order.len()).collect();
    // Stable: equal costs keep their order of appearance.
    by_cost.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]));
    let mut loads = vec![0.0f64; shards];
    let mut split = vec![0usize; order.len()];
    for i in by_cost {
        let mut best = 0;
        for (s, load) in loads.iter().enumerate() {
            if *load < loads[best] {
                best = s;
            }
        }
        split[i] = best;
        loads[best] += costs[i];
    }
    let split = order
        .iter()
        .zip(split)
        .map(|(f, s)| ((*f).to_string(), s))
        .collect();
    (split, ShardMethod::History)
}

#[cfg(test)]
mod shard_tests {
    use super::*;

    #[test]
    fn fnv1a64_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn hash_split_keeps_files_whole_and_is_stable() {
        let files = ["a.py", "a.py", "b.py", "c.py"];
        let ids = ["a.py::t1", "a.py::t2", "b.py::t", "c.py::t"];
        let (one, m) = shard_files(&files, &ids, &History::default(), 3);
        assert_eq!(m, ShardMethod::Hash);
        assert_eq!(one.len(), 3);
        let (two, _) = shard_files(&files[2..], &ids[2..], &History::default(), 3);
        // Dropping a file moves no other file.
        assert_eq!(&one[1..], &two[..]);
    }

    #[test]
    fn history_split_is_lpt() {
        let mut h = History::default();
        for (id, d) in [
            ("a.py::t", 5.0),
            ("b.py::t", 3.0),
            ("c.py::t", 2.0),
            ("d.py::t", 1.0),
        ] {
            h.record(id, d, "passed");
        }
        let files = ["a.py", "b.py", "c.py", "d.py", "e.py"];
        let ids = ["a.py::t", "b.py::t", "c.py::t", "d.py::t", "e.py::t"];
        let (split, m) = shard_files(&files, &ids, &h, 2);
        assert_eq!(m, ShardMethod::History);
        // a (5) -> 0; b (3) -> 1; e (mean 2.75) -> 1; c (2) -> 0; d (1) -> 0 or 1 by load.
        let shard = |f: &str| split.iter().find(|(g, _)| g == f).map(|(_, s)| *s);
        assert_eq!(shard("a.py"), Some(0));
        assert_eq!(shard("b.py"), Some(1));
        assert_eq!(shard("e.py"), Some(1));
        assert_eq!(shard("c.py"), Some(0));
        assert_eq!(shard("d.py"), Some(1));
    }
}
