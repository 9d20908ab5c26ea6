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
//! Groups are dispatched by LPT (longest processing time first): the expected cost of a
//! group is the sum of its items' stored durations, the mean for items without history.
//! Idle workers pull the next group, so the run ends close to
//! `max(longest group, total / workers)`.

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
    fn without_history_groups_go_by_size() {
        let groups = scope_groups(&["a", "b", "b", "b", "c", "c"]);
        let ids = ["1", "2", "3", "4", "5", "6"];
        let costs = group_costs(&groups, &ids, &History::default());
        assert_eq!(lpt_order(&costs), vec![1, 2, 0]);
    }
}
