//! Run history: per node id, a smoothed duration and the last outcome, kept in the
//! fastest cache directory so the scheduler can put the slowest work first.
//!
//! The file is JSON (`history-v1.json`), small and readable. It is written atomically
//! (a temporary file in the same directory, then a rename) after merging into whatever
//! the file holds at that moment, so two runs in the same directory at once never leave
//! a torn file; the later writer's durations win for tests both ran. A file that cannot
//! be read back is reported and replaced by a new one, never fatal: history only orders
//! work, it never decides outcomes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's name inside the cache directory (the version is in the name: a later
/// format starts afresh instead of misreading this one).
pub const FILE_NAME: &str = "history-v1.json";

/// How much a new measurement moves the stored duration (an exponential moving average:
/// one slow run on a loaded machine does not reorder everything).
const SMOOTHING: f64 = 0.5;

/// What history knows about one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Seconds, summed over setup, call and teardown, smoothed over runs.
    pub duration: f64,
    /// pytest's outcome word of the last run: passed, failed, skipped, error, ...
    pub outcome: String,
    /// When the last run measured it (milliseconds since the Unix epoch): `fastest
    /// merge --history` keeps the newest entry of each test across the shards' files,
    /// which all start from the same restored history. Absent in files written before
    /// it existed (readers of this version ignore unknown fields, so the file name
    /// stays `-v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<u64>,
}

/// Which version of the history file was read: another run's atomic write replaces
/// the file (a new inode) and its modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

/// The stored history of one rootdir.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub tests: HashMap<String, Entry>,
}

/// Why the history file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is corrupt ({source})")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl History {
    /// The history in `dir`; an absent file is an empty history.
    pub fn load(dir: &Path) -> Result<History, HistoryError> {
        Self::load_file(&dir.join(FILE_NAME))
    }

    /// The history in the file `path`; an absent file is an empty history.
    pub fn load_file(path: &Path) -> Result<History, HistoryError> {
        let path = path.to_path_buf();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
            Err(source) => return Err(HistoryError::Read { path, source }),
        };
        serde_json::from_slice(&bytes).map_err(|source| HistoryError::Corrupt { path, source })
    }

    /// The stored duration of `nodeid`, if it ran before.
    pub fn duration(&self, nodeid: &str) -> Option<f64> {
        self.tests.get(nodeid).map(|e| e.duration)
    }

    /// The mean stored duration (what a test without history is expected to take).
    pub fn mean(&self) -> Option<f64> {
        if self.tests.is_empty() {
            return None;
        }
        let sum: f64 = self.tests.values().map(|e| e.duration).sum();
        Some(sum / self.tests.len() as f64)
    }

    /// Fold one run's result for `nodeid` in.
    pub fn record(&mut self, nodeid: &str, duration: f64, outcome: &str) {
        let duration = match self.tests.get(nodeid) {
            Some(old) if old.duration.is_finite() => {
                old.duration * (1.0 - SMOOTHING) + duration * SMOOTHING
            }
            _ => duration,
        };
        self.tests.insert(
            nodeid.to_string(),
            Entry {
                duration,
                outcome: outcome.to_string(),
                recorded: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .and_then(|d| u64::try_from(d.as_millis()).ok()),
            },
        );
    }

    /// Merge `run` (this run's measurements, already smoothed against what was read at
    /// start) into the file's current content and write it back atomically.
    pub fn save_merged(dir: &Path, run: &History) -> Result<(), HistoryError> {
        Self::save_merged_since(dir, run, None)
    }

    /// [`History::load`] with the [`Stamp`] of the file it read (taken first: the
    /// content is at least as new as the stamp).
    pub fn load_stamped(dir: &Path) -> Result<(History, Option<Stamp>), HistoryError> {
        let stamp = Stamp::of(&dir.join(FILE_NAME));
        Ok((Self::load(dir)?, stamp))
    }

    /// [`History::save_merged`], given what the file held when this run read it
    /// (`base`, its entries of tests that did not run, with the file's stamp then):
    /// while the file is still the one read, that is its content, and it is not read
    /// again (a long suite's history took longer to parse again than to write).
    pub fn save_merged_since(
        dir: &Path,
        run: &History,
        base: Option<(History, Stamp)>,
    ) -> Result<(), HistoryError> {
        let unchanged =
            base.filter(|(_, stamp)| Stamp::of(&dir.join(FILE_NAME)).as_ref() == Some(stamp));
        // What another run wrote since this one started is kept; a corrupt file is
        // replaced (the caller warned when it read it).
        let mut merged = match unchanged {
            Some((history, _)) => history,
            None => History::load(dir).unwrap_or_default(),
        };
        for (k, v) in &run.tests {
            merged.tests.insert(k.clone(), v.clone());
        }
        merged.write(dir)
    }

    /// The histories of N shards as one: per test, the most recently recorded entry
    /// (an entry without a time counts as oldest; on a tie the later input wins).
    pub fn merge_newest(histories: &[History]) -> History {
        let mut merged = History::default();
        for h in histories {
            for (id, e) in &h.tests {
                let newer = merged
                    .tests
                    .get(id)
                    .is_none_or(|old| e.recorded >= old.recorded);
                if newer {
                    merged.tests.insert(id.clone(), e.clone());
                }
            }
        }
        merged
    }

    fn write(&self, dir: &Path) -> Result<(), HistoryError> {
        self.write_file(&dir.join(FILE_NAME))
    }

    /// Write to the file `path` atomically (a temporary file beside it, then a rename).
    pub fn write_file(&self, path: &Path) -> Result<(), HistoryError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let werr = |source| HistoryError::Write {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(werr)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
        let text = serde_json::to_vec(self).map_err(|e| werr(std::io::Error::other(e)))?;
        tmp.write_all(&text).map_err(werr)?;
        tmp.persist(path).map_err(|e| werr(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn absent_file_is_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(History::load(dir.path()).unwrap(), History::default());
    }

    #[test]
    fn round_trip_and_smoothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::default();
        h.record("a.py::t", 2.0, "passed");
        History::save_merged(dir.path(), &h).unwrap();
        let mut back = History::load(dir.path()).unwrap();
        assert_eq!(back.duration("a.py::t"), Some(2.0));
        back.record("a.py::t", 4.0, "failed");
        assert_eq!(back.duration("a.py::t"), Some(3.0));
        assert_eq!(back.tests["a.py::t"].outcome, "failed");
    }

    #[test]
    fn save_since_an_unchanged_file_keeps_its_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = History::default();
        first.record("a.py::t", 1.0, "passed");
        first.record("a.py::u", 2.0, "passed");
        History::save_merged(dir.path(), &first).unwrap();
        let (mut base, stamp) = History::load_stamped(dir.path()).unwrap();
        let mut run = History::default();
        run.tests
            .insert("a.py::t".into(), base.tests.remove("a.py::t").unwrap());
        run.record("a.py::t", 3.0, "failed");
        History::save_merged_since(dir.path(), &run, Some((base, stamp.unwrap()))).unwrap();
        let back = History::load(dir.path()).unwrap();
        assert_eq!(back.duration("a.py::u"), Some(2.0));
        assert_eq!(back.tests["a.py::t"].outcome, "failed");
    }

    #[test]
    fn save_since_a_replaced_file_reads_it_again() {
        let dir = tempfile::tempdir().unwrap();
        History::save_merged(dir.path(), &History::default()).unwrap();
        let (base, stamp) = History::load_stamped(dir.path()).unwrap();
        // Another run writes meanwhile.
        let mut other = History::default();
        other.record("b.py::t", 5.0, "passed");
        History::save_merged(dir.path(), &other).unwrap();
        let mut run = History::default();
        run.record("a.py::t", 1.0, "passed");
        History::save_merged_since(dir.path(), &run, Some((base, stamp.unwrap()))).unwrap();
        let back = History::load(dir.path()).unwrap();
        assert_eq!(back.duration("b.py::t"), Some(5.0));
        assert_eq!(back.duration("a.py::t"), Some(1.0));
    }

    #[test]
    fn merge_keeps_what_another_run_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = History::default();
        first.record("a.py::t", 1.0, "passed");
        History::save_merged(dir.path(), &first).unwrap();
        let mut second = History::default();
        second.record("b.py::t", 5.0, "passed");
        History::save_merged(dir.path(), &second).unwrap();
        let back = History::load(dir.path()).unwrap();
        assert_eq!(back.duration("a.py::t"), Some(1.0));
        assert_eq!(back.duration("b.py::t"), Some(5.0));
        assert_eq!(back.mean(), Some(3.0));
    }

    #[test]
    fn merge_newest_keeps_each_shards_fresh_entries() {
        let entry = |d: f64, at: Option<u64>| Entry {
            duration: d,
            outcome: "passed".into(),
            recorded: at,
        };
        // Both shards restored the same history (a at 100, b unrecorded); shard 1 ran
        // a, shard 2 ran b and a new test c.
        let mut one = History::default();
        one.tests.insert("a".into(), entry(2.0, Some(200)));
        one.tests.insert("b".into(), entry(1.0, None));
        let mut two = History::default();
        two.tests.insert("a".into(), entry(1.0, Some(100)));
        two.tests.insert("b".into(), entry(3.0, Some(150)));
        two.tests.insert("c".into(), entry(4.0, Some(150)));
        for order in [[&one, &two], [&two, &one]] {
            let m = History::merge_newest(&[order[0].clone(), order[1].clone()]);
            assert_eq!(m.duration("a"), Some(2.0));
            assert_eq!(m.duration("b"), Some(3.0));
            assert_eq!(m.duration("c"), Some(4.0));
            assert_eq!(m.tests.len(), 3);
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out/h.json");
        History::merge_newest(&[one, two]).write_file(&out).unwrap();
        assert_eq!(History::load_file(&out).unwrap().duration("b"), Some(3.0));
    }

    #[test]
    fn corrupt_file_is_an_error_and_is_replaced_on_save() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), b"{not json").unwrap();
        assert!(matches!(
            History::load(dir.path()),
            Err(HistoryError::Corrupt { .. })
        ));
        let mut h = History::default();
        h.record("a.py::t", 1.0, "passed");
        History::save_merged(dir.path(), &h).unwrap();
        assert_eq!(History::load(dir.path()).unwrap(), h);
    }
}
