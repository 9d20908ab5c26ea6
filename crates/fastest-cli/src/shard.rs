//! `--shard K/N` (or `FASTEST_SHARD=K/N`): run one slice of the selected items, so N CI
//! jobs share a suite. The split is `fastest_core::schedule::shard_files` (whole files,
//! LPT from history, a stable hash without it); items of other shards count as
//! deselected, as pytest-split's do. A session pytest runs gets the same split from the
//! `fastest._shard` plugin (`-p fastest._shard`, reading `FASTEST_SHARD`).

use std::path::Path;

use fastest_core::history::History;
use fastest_core::item::Item;
use fastest_core::schedule::{self, ShardMethod};

/// The environment variable that carries the shard (set from `--shard` for pytest).
pub const ENV: &str = "FASTEST_SHARD";

/// Set for pytest's session under `--no-fastest-cache`: split without history.
pub const NO_HISTORY_ENV: &str = "FASTEST_SHARD_NO_HISTORY";

/// `K/N` with `1 <= K <= N`: the 1-based shard and the count.
pub fn parse(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("invalid shard: {text:?} (expected K/N with 1 <= K <= N)");
    let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The shard asked for: `--shard`, else `FASTEST_SHARD` (empty is none).
pub fn requested(cli: Option<(usize, usize)>) -> Result<Option<(usize, usize)>, String> {
    if cli.is_some() {
        return Ok(cli);
    }
    match std::env::var(ENV) {
        Ok(v) if !v.trim().is_empty() => parse(&v).map(Some),
        _ => Ok(None),
    }
}

/// Keep the items of shard `k` of `n`; returns them, how many were dropped, and the
/// line that says which slice ran.
pub fn select(
    items: Vec<Item>,
    (k, n): (usize, usize),
    rootdir: &Path,
    no_history: bool,
) -> (Vec<Item>, usize, String) {
    let history = if no_history {
        History::default()
    } else {
        History::load(&rootdir.join(".fastest_cache")).unwrap_or_default()
    };
    let files: Vec<&str> = items.iter().map(Item::file_part).collect();
    let nodeids: Vec<&str> = items.iter().map(|i| i.nodeid.as_str()).collect();
    let (split, method) = schedule::shard_files(&files, &nodeids, &history, n);
    let mine: std::collections::HashSet<&str> = split
        .iter()
        .filter(|(_, s)| *s + 1 == k)
        .map(|(f, _)| f.as_str())
        .collect();
    let before = items.len();
    let kept: Vec<Item> = items
        .into_iter()
        .filter(|it| mine.contains(&it.file_part()))
        .collect();
    let how = match method {
        ShardMethod::History => "split by duration from history",
        ShardMethod::Hash => "split by file hash, no history",
    };
    let dropped = before - kept.len();
    let files = if mine.len() == 1 { "file" } else { "files" };
    let note = format!(
        "fastest: shard {k}/{n}: {} of {before} items in {} {files} ({how})",
        kept.len(),
        mine.len()
    );
    (kept, dropped, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!(parse("2/3"), Ok((2, 3)));
        assert_eq!(parse(" 1 / 1 "), Ok((1, 1)));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
