//! The discovery cache: what each file yielded last time, keyed by its path, `(mtime,
//! size)` and a context key (options that change collection, plus the content hashes of the
//! conftests above it). An unchanged file is neither read nor parsed again; a file whose
//! mtime moved but whose bytes did not is recognised by its content hash.
//!
//! Stored at `<rootdir>/.fastest_cache/discovery-v2.bin` (postcard), written atomically
//! (temp file + rename) so concurrent runs never see a torn file. A file that fails to
//! decode is discarded with a warning and rebuilt: the cache is never trusted blindly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::item::{ChainNode, Mark};

/// Bumped whenever the cached shape or the collection rules change meaning (2: builtin
/// bases, computed values under explicit IDs, marker-only `pytest_configure`; 3:
/// `collect_ignore` changed by calls or `+=` makes a conftest uncertain; 4: items note a
/// module's use of pytest's plugin machinery; 5: a doctest module whose classes get
/// attributes at import is uncertain; 6: run specs carry marks `pytest_collection_modifyitems`
/// added; 7: `pytest_addoption`'s unused `pluginmanager` argument is no machinery use;
/// 9: run specs say whether the item is isolated; 10: taking pytest's logging plugin
/// away and back is no machinery use; 11: a doctest needs a prompt line; 12: a mark's
/// set may carry its values' repr; 13: the imports of an `except ImportError` handler
/// count only when an import of its `try` may fail; 14: a plugin module's lookup by a
/// literal name is no machinery use; 16: class-body constants, arithmetic on literals
/// and plain instances give IDs, the long-string ID strategy ini; 17: entries list the
/// other modules read for their classes; 18: star imports, calls of the module's own
/// functions at import, class-body `if`s and `\N{...}` names are read from the source;
/// 19: a module's star imports under `try` may rebind the names read from it; 20: a
/// module-level `importorskip` of a resolvable module and platform conditions; 21: an
/// entry's outcome is packed on its own, decoded when its file is looked up; 22: flags
/// imported from other modules decide conditions, a conftest's `pytest_generate_tests`
/// guarded by fixture names leaves the other files certain; 23: entries say whether the
/// source assigns a `__doc__`; 24: and whether its import changes an imported module's
/// state; 25: helper modules reached by relative imports must import too; conditional
/// hook definitions count).
const FORMAT: u32 = 25;
const FILE_NAME: &str = "discovery-v2.bin";

/// An item as cached: the chain below the directory nodes (Module, Class..., Function).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CachedItem {
    pub tail: Vec<ChainNode>,
    pub lineno: Option<u32>,
    pub marks: Vec<Mark>,
    pub extra_keywords: Vec<String>,
    pub run: Option<crate::item::RunSpec>,
}

/// The cached outcome of one file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum CachedOutcome {
    Items(Vec<CachedItem>),
    Uncertain(String),
}

/// A [`CachedOutcome`] as stored: its own postcard bytes, decoded only when its file is
/// looked up. Loading the cache then reads each entry's stat data and copies one byte
/// string, and the items are decoded in discovery's parallel loop, straight into the
/// values the run uses (a warm 60,000-item cache loaded in 13 ms decoded whole on one
/// core).
#[derive(Debug, Clone, PartialEq)]
pub struct PackedOutcome(Vec<u8>);

impl PackedOutcome {
    pub fn pack(outcome: &CachedOutcome) -> Self {
        // Encoding into a vector fails only for shapes postcard cannot write (none
        // here); an empty packing never decodes, which only costs a re-read.
        Self(postcard::to_stdvec(outcome).unwrap_or_default())
    }

    /// The outcome; `None` when the bytes do not decode (a damaged cache: the file is
    /// read again).
    pub fn unpack(&self) -> Option<CachedOutcome> {
        postcard::from_bytes(&self.0).ok()
    }
}

impl Serialize for PackedOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for PackedOutcome {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = PackedOutcome;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a packed outcome")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(PackedOutcome(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(PackedOutcome(v))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedFile {
    pub mtime_ns: u64,
    pub size: u64,
    pub content_hash: u64,
    pub ctx: u64,
    pub outcome: PackedOutcome,
    /// The source assigns a `__doc__` (see `discovery::assigns_doc`): under
    /// `--doctest-modules` no module's docstrings are the source's alone.
    pub assigns_doc: bool,
    /// What the source's import changes of another module's state, if anything (see
    /// `discovery::changes_imported_state`).
    pub changes_state: Option<String>,
    /// Other modules whose source the outcome read (classes a test module takes from
    /// them), as they were: any change re-collects the file.
    pub deps: Vec<Dep>,
}

/// A file an outcome depends on, by its stat data when it was read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Dep {
    pub path: PathBuf,
    pub mtime_ns: u64,
    pub size: u64,
}

impl Dep {
    /// `path` as it is now (`None`: gone or unreadable).
    pub fn stat(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Self {
            path: path.to_path_buf(),
            mtime_ns: mtime_ns(&meta),
            size: meta.len(),
        })
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    /// When the cache was written (ns since the epoch): files modified within the same
    /// second may have changed without moving their mtime ("racy" entries).
    written_ns: u64,
    files: HashMap<PathBuf, CachedFile>,
}

/// The cache as loaded, plus what this run learned.
#[derive(Debug, Default)]
pub struct DiscoveryCache {
    path: Option<PathBuf>,
    loaded: OnDisk,
    fresh: HashMap<PathBuf, CachedFile>,
    changed: bool,
}

/// Problems reading the cache; they only ever cost a rebuild.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot read the discovery cache {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the discovery cache {path} is corrupt ({reason}); rebuilding it")]
    Corrupt { path: PathBuf, reason: String },
    #[error("cannot write the discovery cache {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl DiscoveryCache {
    /// A cache that is never read or written (`--no-fastest-cache`).
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Load the cache under `cache_dir`. A missing cache is empty; a corrupt one is
    /// reported (for a warning) and replaced by an empty one.
    pub fn load(cache_dir: &Path) -> (Self, Option<CacheError>) {
        let path = cache_dir.join(FILE_NAME);
        let mut cache = Self {
            path: Some(path.clone()),
            ..Self::default()
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (cache, None),
            Err(source) => {
                cache.changed = true;
                return (cache, Some(CacheError::Read { path, source }));
            }
        };
        // The format leads the file: a cache of another shape is recognised before its
        // body (which this build could not decode) is read. Only an older format counts:
        // any other leading number is garbage, reported as corrupt below.
        match postcard::take_from_bytes::<u32>(&bytes) {
            Ok((found, _)) if found < FORMAT => {
                // An older fastest's rules: rebuilt quietly, nothing is wrong with it.
                tracing::debug!(found, expected = FORMAT, "discovery cache format changed");
                cache.changed = true;
                return (cache, None);
            }
            _ => {}
        }
        match postcard::from_bytes::<OnDisk>(&bytes) {
            Ok(d) => {
                cache.loaded = d;
                (cache, None)
            }
            Err(e) => {
                cache.changed = true;
                (
                    cache,
                    Some(CacheError::Corrupt {
                        path,
                        reason: e.to_string(),
                    }),
                )
            }
        }
    }

    /// The cached outcome for `path` if its stat data and context still match.
    /// `None` means: read the file (and call [`DiscoveryCache::lookup_by_hash`]).
    pub fn lookup(&self, path: &Path, mtime_ns: u64, size: u64, ctx: u64) -> Option<&CachedFile> {
        let e = self.loaded.files.get(path)?;
        // An mtime this close to the cache's own write could hide a same-second edit.
        let racy = self.is_racy(mtime_ns);
        (e.mtime_ns == mtime_ns && e.size == size && e.ctx == ctx && !racy && self.deps_fresh(e))
            .then_some(e)
    }

    /// Whether every file `e` read is as it was (and was not written within the racy
    /// window of the cache's own write).
    fn deps_fresh(&self, e: &CachedFile) -> bool {
        e.deps
            .iter()
            .all(|d| Dep::stat(&d.path).is_some_and(|now| now == *d) && !self.is_racy(d.mtime_ns))
    }

    /// The cached outcome for `path` if its content (and context) did not change.
    pub fn lookup_by_hash(&self, path: &Path, content_hash: u64, ctx: u64) -> Option<&CachedFile> {
        let e = self.loaded.files.get(path)?;
        (e.content_hash == content_hash && e.ctx == ctx && self.deps_fresh(e)).then_some(e)
    }

    /// Whether the cache knew `path` with this content (whatever else its entry was
    /// made under): an earlier run read the file as it is now.
    pub fn had_content(&self, path: &Path, content_hash: u64) -> bool {
        self.loaded
            .files
            .get(path)
            .is_some_and(|e| e.content_hash == content_hash && content_hash != 0)
    }

    /// Record a file's outcome for the next run.
    pub fn store(&mut self, path: PathBuf, entry: CachedFile) {
        let same = self.loaded.files.get(&path).is_some_and(|old| {
            old.mtime_ns == entry.mtime_ns
                && old.ctx == entry.ctx
                && old.size == entry.size
                // A racy entry was confirmed by its content this time: writing the cache
                // again moves `written_ns` past its mtime, so the next run trusts the stat.
                && !self.is_racy(old.mtime_ns)
        });
        if !same {
            self.changed = true;
        }
        self.fresh.insert(path, entry);
    }

    fn is_racy(&self, mtime_ns: u64) -> bool {
        mtime_ns.saturating_add(2_000_000_000) >= self.loaded.written_ns
    }

    /// Write the cache if anything changed. Entries of files this run did not see are
    /// kept (another invocation may collect them).
    ///
    /// The entries are not freed: a cache is saved once, as discovery ends, and the
    /// process exits soon after; freeing tens of thousands of entries one allocation at
    /// a time costs milliseconds the user waits for.
    pub fn save(mut self) -> Result<(), CacheError> {
        let path = self.path.take();
        let files = std::mem::take(&mut self.loaded.files);
        let fresh = std::mem::take(&mut self.fresh);
        let changed = self.changed;
        let (Some(path), true) = (path, changed) else {
            std::mem::forget((files, fresh));
            return Ok(());
        };
        let mut files = files;
        files.extend(fresh);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let disk = OnDisk {
            format: FORMAT,
            written_ns: now,
            files,
        };
        let bytes = postcard::to_stdvec(&disk).map_err(|e| CacheError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        });
        std::mem::forget(disk);
        let bytes = bytes?;
        let dir = path.parent().unwrap_or(Path::new("."));
        write_atomic(dir, &path, &bytes).map_err(|source| CacheError::Write { path, source })
    }
}

/// Create the cache directory (with a `.gitignore` like pytest's) and write atomically.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join(".gitignore"),
            "# Created by fastest automatically.\n*\n",
        )?;
    }
    let tmp = dir.join(format!(".{}.{}.tmp", FILE_NAME, std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(mtime: u64) -> CachedFile {
        CachedFile {
            mtime_ns: mtime,
            size: 10,
            content_hash: 7,
            ctx: 1,
            outcome: PackedOutcome::pack(&CachedOutcome::Uncertain("x".into())),
            assigns_doc: false,
            changes_state: None,
            deps: Vec::new(),
        }
    }

    #[test]
    fn round_trip_and_racy_entries() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, err) = DiscoveryCache::load(dir.path());
        assert!(err.is_none());
        c.store("/a.py".into(), entry(1));
        c.store("/b.py".into(), entry(u64::MAX - 1));
        c.save().unwrap();
        let (c, err) = DiscoveryCache::load(dir.path());
        assert!(err.is_none());
        assert!(c.lookup(Path::new("/a.py"), 1, 10, 1).is_some());
        assert!(
            c.lookup(Path::new("/a.py"), 1, 10, 2).is_none(),
            "context changed"
        );
        assert!(
            c.lookup(Path::new("/b.py"), u64::MAX - 1, 10, 1).is_none(),
            "racy"
        );
        assert!(c.lookup_by_hash(Path::new("/b.py"), 7, 1).is_some());
        assert!(dir.path().join(".gitignore").is_file() || dir.path().exists());
    }

    #[test]
    fn content_is_known_whatever_the_entry_was_made_under() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, _) = DiscoveryCache::load(dir.path());
        c.store("/a.py".into(), entry(1));
        c.save().unwrap();
        let (c, _) = DiscoveryCache::load(dir.path());
        // Another context (a conftest or the directory changed): the same bytes.
        assert!(c.lookup(Path::new("/a.py"), 1, 10, 2).is_none());
        assert!(c.had_content(Path::new("/a.py"), 7));
        assert!(!c.had_content(Path::new("/a.py"), 8), "edited");
        assert!(!c.had_content(Path::new("/new.py"), 7), "new");
    }

    #[test]
    fn outcomes_are_decoded_on_lookup_and_a_damaged_one_is_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let (mut c, _) = DiscoveryCache::load(dir.path());
        let items = CachedOutcome::Items(vec![CachedItem {
            tail: vec![ChainNode::new(crate::item::NodeKind::Function, "test_a")],
            lineno: Some(3),
            marks: Vec::new(),
            extra_keywords: vec!["k".into()],
            run: None,
        }]);
        c.store(
            "/a.py".into(),
            CachedFile {
                outcome: PackedOutcome::pack(&items),
                ..entry(1)
            },
        );
        c.store(
            "/b.py".into(),
            CachedFile {
                outcome: PackedOutcome(vec![0xff, 0xff]),
                ..entry(1)
            },
        );
        c.save().unwrap();
        let (c, err) = DiscoveryCache::load(dir.path());
        assert!(err.is_none());
        let hit = c.lookup(Path::new("/a.py"), 1, 10, 1).unwrap();
        assert_eq!(hit.outcome.unpack(), Some(items));
        let damaged = c.lookup(Path::new("/b.py"), 1, 10, 1).unwrap();
        assert_eq!(damaged.outcome.unpack(), None);
    }

    #[test]
    fn another_format_is_rebuilt_quietly() {
        let dir = tempfile::tempdir().unwrap();
        // Format 3, then a body of a shape this build does not decode.
        std::fs::write(dir.path().join(FILE_NAME), b"\x03\xff\xff\xff garbage").unwrap();
        let (c, err) = DiscoveryCache::load(dir.path());
        assert!(err.is_none());
        assert!(c.changed);
        assert!(c.lookup(Path::new("/a.py"), 1, 10, 1).is_none());
    }

    #[test]
    fn corrupt_cache_is_reported_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), b"\xff\xff\xff garbage").unwrap();
        let (c, err) = DiscoveryCache::load(dir.path());
        assert!(matches!(err, Some(CacheError::Corrupt { .. })));
        assert!(c.lookup(Path::new("/a.py"), 1, 10, 1).is_none());
    }
}
