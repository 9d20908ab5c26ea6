//! pytest-randomly, served by fastest: the seed (`--randomly-seed`, `last` from pytest's
//! cache, a fresh one otherwise), the shuffled item order, and what the workers need to
//! reseed `random` (and numpy, Faker, ...) exactly as the plugin does.
//!
//! The plugin's order is a pure function of the seed and the items: modules, then the
//! classes in each module, then the items in each class, each stably sorted by zlib's
//! CRC-32 of `"{seed}::{name}"` (node id, `module.__name__`, `cls.__module__.__qualname__`,
//! or `None`), grouping only consecutive items; from 3.10 to 3.x the same with MD5 digests
//! ([`KeyHash`]; before 3.10, `random.shuffle`, which pytest's own session runs). fastest computes it from discovery's items,
//! so the order (and `--collect-only`) is pytest's without importing anything. The
//! per-test reseeding is the plugin's own code: a session with pytest-randomly runs in the
//! pytest engine, whose workers get the resolved seed on their command line.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use fastest_core::cache::PytestCache;
use fastest_core::discovery::{import_module_name, ImportMode};
use fastest_core::item::{Item, NodeKind};

use crate::args::{py_repr, Args, Opt};

/// The distribution and its `pytest11` entry-point name (`-p no:randomly`).
pub const PROJECT: &str = "pytest-randomly";

/// The cache key the plugin keeps the last seed under (`.pytest_cache/v/randomly_seed`).
pub const CACHE_KEY: &str = "randomly_seed";

/// `--randomly-seed`'s value (the plugin's `seed_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedArg {
    /// `default`: a new seed each run.
    Default,
    /// `last`: the seed of the previous run, from pytest's cache.
    Last,
    Int(i128),
}

impl SeedArg {
    /// `int(text)` as Python reads it, or `default`/`last`; the error is the plugin's
    /// `ArgumentTypeError` message.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "default" => Ok(SeedArg::Default),
            "last" => Ok(SeedArg::Last),
            _ => py_int(text)
                .map(SeedArg::Int)
                .ok_or_else(|| format!("{} is not an integer or the string 'last'", py_repr(text))),
        }
    }
}

/// Python's `int(str)` for the forms a seed takes: surrounding whitespace, a sign,
/// ASCII digits with single underscores between them (no more than i128 holds).
fn py_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let n: i128 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -n } else { n })
}

/// What the installed version sorts by: zlib's CRC-32 from 4.0, MD5 digests from 3.10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHash {
    Crc32,
    Md5,
}

impl KeyHash {
    /// The hash of `version`; `None` before 3.10 (its `random.shuffle` order is pytest's
    /// to compute).
    pub fn of_version(version: &str) -> Option<Self> {
        let mut parts = version.split('.').map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<u32>()
                .ok()
        });
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        match (major, minor) {
            (m, _) if m >= 4 => Some(KeyHash::Crc32),
            (3, n) if n >= 10 => Some(KeyHash::Md5),
            _ => None,
        }
    }
}

/// The installed pytest-randomly's [`KeyHash`], when it is installed.
pub fn installed_hash(installed: &[(String, String)]) -> Option<KeyHash> {
    installed
        .iter()
        .find(|(name, _)| name == PROJECT)
        .and_then(|(_, v)| KeyHash::of_version(v))
}

/// Whether pytest-randomly loads in this session: installed (and not blocked by
/// `-p no:randomly`, which the host already applied) and plugins autoload.
pub fn active(installed: &[(String, String)], autoload: bool) -> bool {
    autoload && installed.iter().any(|(name, _)| name == PROJECT)
}

/// The plugin's state for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Randomly {
    pub seed: i128,
    /// Not `--randomly-dont-reorganize`.
    pub reorganize: bool,
    /// What the installed version sorts by.
    pub hash: KeyHash,
}

impl Randomly {
    /// The plugin's `pytest_configure`: resolve the seed (`last` reads the cache, which
    /// then gets the seed in use). `cache` is `None` under `-p no:cacheprovider`.
    pub fn configure(args: &Args, cache: Option<&PytestCache>, hash: KeyHash) -> Self {
        let seed = match args.randomly_seed {
            Some(SeedArg::Int(n)) => n,
            Some(SeedArg::Last) => cache
                .and_then(|c| c.get(CACHE_KEY))
                .and_then(|v| v.as_i64())
                .map_or_else(make_seed, i128::from),
            _ => make_seed(),
        };
        if let Some(c) = cache {
            if let Err(e) = c.set_text(CACHE_KEY, &seed.to_string()) {
                tracing::warn!("{e}");
            }
        }
        Randomly {
            seed,
            reorganize: !args.has(Opt::RandomlyDontReorganize),
            hash,
        }
    }

    /// The plugin's `pytest_report_header` line.
    pub fn header_line(&self) -> String {
        format!("Using --randomly-seed={}", self.seed)
    }

    /// The option that gives a worker's (or a fallback collection's) pytest this seed.
    pub fn seed_option(&self) -> String {
        format!("--randomly-seed={}", self.seed)
    }

    /// The plugin's `_reorganize_items`, with module names as pytest imports them.
    pub fn reorder(&self, items: Vec<Item>, import_mode: ImportMode, rootdir: &Path) -> Vec<Item> {
        let mut names: HashMap<String, String> = HashMap::new();
        let mut module_of = |it: &Item| -> Option<String> {
            // A file's doctests share its path but have no `module` attribute.
            has_module(it).then(|| {
                names
                    .entry(it.file_part().to_string())
                    .or_insert_with(|| {
                        import_module_name(import_mode, rootdir, &rootdir.join(it.file_part()))
                    })
                    .clone()
            })
        };
        let keyed: Vec<(Option<String>, Item)> =
            items.into_iter().map(|it| (module_of(&it), it)).collect();
        shuffle(self.hash, self.seed, keyed)
    }
}

/// Whether the item has a `module` attribute (Python test functions and unittest
/// methods, and the items of other classes in a module: a plugin's `Function`
/// subclass, such as pytest-asyncio's `Coroutine`; not doctests or a plugin's file items).
fn has_module(it: &Item) -> bool {
    let own = it.chain.last().map(|n| n.kind);
    matches!(
        own,
        Some(NodeKind::Function) | Some(NodeKind::TestCaseFunction) | Some(NodeKind::Other)
    ) && it.chain.iter().any(|n| n.kind == NodeKind::Module)
}

/// The innermost class's `__qualname__` (`TestOuter.TestInner`), if the item has a class.
fn qualname(it: &Item) -> Option<String> {
    let n = it.chain.len();
    let own = &it.chain[..n.saturating_sub(1)];
    let start = own
        .iter()
        .rposition(|c| !matches!(c.kind, NodeKind::Class | NodeKind::UnitTestCase))
        .map_or(0, |i| i + 1);
    let classes: Vec<&str> = own[start..].iter().map(|c| c.name.as_str()).collect();
    (!classes.is_empty()).then(|| classes.join("."))
}

/// `zlib.crc32(f"{seed}::{name}")`.
fn crc(seed: i128, name: &str) -> u32 {
    crc32fast::hash(format!("{seed}::{name}").as_bytes())
}

/// The plugin's sort key for `f"{seed}::{name}"`, as bytes ordered as Python orders the
/// plugin's keys (the CRC-32 big-endian, as an int compares; the MD5 digest as bytes).
fn key(hash: KeyHash, seed: i128, name: &str) -> [u8; 16] {
    match hash {
        KeyHash::Crc32 => {
            let mut k = [0u8; 16];
            k[..4].copy_from_slice(&crc(seed, name).to_be_bytes());
            k
        }
        KeyHash::Md5 => {
            use md5::Digest;
            md5::Md5::digest(format!("{seed}::{name}").as_bytes()).into()
        }
    }
}

/// Consecutive runs of equal keys (`itertools.groupby`).
fn group_by<K: PartialEq, T>(items: Vec<(K, T)>) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for (k, t) in items {
        match groups.last_mut() {
            Some((last, members)) if *last == k => members.push(t),
            _ => groups.push((k, vec![t])),
        }
    }
    groups
}

/// The plugin's two-level shuffle of `(module name, item)` pairs.
fn shuffle(hash: KeyHash, seed: i128, items: Vec<(Option<String>, Item)>) -> Vec<Item> {
    let mut modules: Vec<([u8; 16], Vec<Item>)> = group_by(items)
        .into_iter()
        .map(|(module, members)| {
            let k = key(hash, seed, module.as_deref().unwrap_or("None"));
            (k, shuffle_by_class(hash, seed, module.as_deref(), members))
        })
        .collect();
    // `list.sort` is stable, as `sort_by_key` is.
    modules.sort_by_key(|(key, _)| *key);
    modules
        .into_iter()
        .flat_map(|(_, members)| members)
        .collect()
}

fn shuffle_by_class(
    hash: KeyHash,
    seed: i128,
    module: Option<&str>,
    items: Vec<Item>,
) -> Vec<Item> {
    let keyed: Vec<(Option<String>, Item)> =
        items.into_iter().map(|it| (qualname(&it), it)).collect();
    let mut classes: Vec<([u8; 16], Vec<Item>)> = group_by(keyed)
        .into_iter()
        .map(|(cls, mut members)| {
            members.sort_by_cached_key(|it| key(hash, seed, &it.nodeid));
            let k = match cls {
                None => key(hash, seed, "None"),
                Some(q) => key(hash, seed, &format!("{}.{q}", module.unwrap_or("None"))),
            };
            (k, members)
        })
        .collect();
    classes.sort_by_key(|(key, _)| *key);
    classes
        .into_iter()
        .flat_map(|(_, members)| members)
        .collect()
}

/// `random.Random().getrandbits(32)`: a fresh 32-bit seed.
fn make_seed() -> i128 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    h.write_u128(now);
    h.write_u32(std::process::id());
    i128::from(h.finish() as u32)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fastest_core::item::ChainNode;

    fn item(nodeid: &str, chain: &[(NodeKind, &str)]) -> Item {
        Item {
            nodeid: nodeid.to_string(),
            chain: chain.iter().map(|(k, n)| ChainNode::new(*k, *n)).collect(),
            lineno: None,
            marks: Vec::new(),
            extra_keywords: Vec::new(),
            run: None,
        }
    }

    #[test]
    fn seeds_parse_as_python_ints() {
        assert_eq!(SeedArg::parse("123"), Ok(SeedArg::Int(123)));
        assert_eq!(SeedArg::parse(" -1_000 "), Ok(SeedArg::Int(-1000)));
        assert_eq!(SeedArg::parse("+7"), Ok(SeedArg::Int(7)));
        assert_eq!(SeedArg::parse("last"), Ok(SeedArg::Last));
        assert_eq!(SeedArg::parse("default"), Ok(SeedArg::Default));
        assert_eq!(
            SeedArg::parse("1__0"),
            Err("'1__0' is not an integer or the string 'last'".to_string())
        );
        assert!(SeedArg::parse("x").is_err());
        assert!(SeedArg::parse("_1").is_err());
        assert!(SeedArg::parse("").is_err());
    }

    #[test]
    fn versions_choose_the_hash() {
        assert_eq!(KeyHash::of_version("5.1.0"), Some(KeyHash::Crc32));
        assert_eq!(KeyHash::of_version("4.0.0"), Some(KeyHash::Crc32));
        assert_eq!(KeyHash::of_version("3.16.0"), Some(KeyHash::Md5));
        assert_eq!(KeyHash::of_version("3.10.3"), Some(KeyHash::Md5));
        assert_eq!(KeyHash::of_version("3.9.0"), None);
        assert_eq!(KeyHash::of_version("2.1"), None);
        assert_eq!(KeyHash::of_version("x"), None);
    }

    #[test]
    fn keys_order_as_python_orders_the_plugins_keys() {
        // hashlib.md5(b"123::None").digest(), and the CRC-32 as an int compares.
        assert_eq!(
            key(KeyHash::Md5, 123, "None")[..4],
            [0x25, 0xa0, 0xfc, 0x2c][..]
        );
        let (a, b) = (crc(1, "a"), crc(1, "b"));
        assert_eq!(
            a.cmp(&b),
            key(KeyHash::Crc32, 1, "a").cmp(&key(KeyHash::Crc32, 1, "b"))
        );
    }

    #[test]
    fn crc_is_zlibs() {
        // zlib.crc32(b"123::None") in CPython.
        assert_eq!(crc(123, "None"), crc32fast::hash(b"123::None"));
        assert_eq!(crc32fast::hash(b"hello"), 0x3610_a686);
    }

    #[test]
    fn qualname_joins_nested_classes() {
        let m = (NodeKind::Module, "test_a.py");
        let it = item(
            "test_a.py::TestK::TestIn::test_z",
            &[
                (NodeKind::Dir, "r"),
                m,
                (NodeKind::Class, "TestK"),
                (NodeKind::Class, "TestIn"),
                (NodeKind::Function, "test_z"),
            ],
        );
        assert_eq!(qualname(&it).as_deref(), Some("TestK.TestIn"));
        let f = item(
            "test_a.py::test_f",
            &[(NodeKind::Dir, "r"), m, (NodeKind::Function, "test_f")],
        );
        assert_eq!(qualname(&f), None);
        assert!(has_module(&f));
        let d = item(
            "test_a.py::test_a.f",
            &[
                (NodeKind::Dir, "r"),
                (NodeKind::DoctestModule, "test_a.py"),
                (NodeKind::DoctestItem, "test_a.f"),
            ],
        );
        assert!(!has_module(&d));
        // A plugin's item class in a module (pytest-asyncio's `Coroutine`, a `Function`
        // subclass): it has the module.
        let c = item(
            "test_a.py::test_co",
            &[(NodeKind::Dir, "r"), m, (NodeKind::Other, "test_co")],
        );
        assert!(has_module(&c));
    }

    #[test]
    fn shuffle_keeps_modules_and_classes_together_and_is_idempotent() {
        let m = (NodeKind::Module, "m.py");
        let mut items = Vec::new();
        for name in ["test_a", "test_b", "test_c"] {
            items.push((
                Some("m".to_string()),
                item(&format!("m.py::{name}"), &[m, (NodeKind::Function, name)]),
            ));
        }
        for name in ["test_x", "test_y", "test_z"] {
            items.push((
                Some("m".to_string()),
                item(
                    &format!("m.py::TestK::{name}"),
                    &[m, (NodeKind::Class, "TestK"), (NodeKind::Function, name)],
                ),
            ));
        }
        for name in ["test_1", "test_2"] {
            items.push((
                Some("n".to_string()),
                item(
                    &format!("n.py::{name}"),
                    &[(NodeKind::Module, "n.py"), (NodeKind::Function, name)],
                ),
            ));
        }
        let once = shuffle(KeyHash::Crc32, 5, items);
        let ids: Vec<&str> = once.iter().map(|i| i.nodeid.as_str()).collect();
        // Each class and module stays contiguous.
        let pos = |p: &str| ids.iter().position(|i| i.starts_with(p)).unwrap();
        let k = pos("m.py::TestK::");
        assert!(ids[k..k + 3].iter().all(|i| i.starts_with("m.py::TestK::")));
        let n = pos("n.py::");
        assert!(ids[n..n + 2].iter().all(|i| i.starts_with("n.py::")));
        let again = shuffle(
            KeyHash::Crc32,
            5,
            once.iter()
                .map(|it| (Some(it.nodeid[..1].to_string()), it.clone()))
                .collect(),
        );
        assert_eq!(again, once);
    }
}
