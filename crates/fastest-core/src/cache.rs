//! pytest's cache directory (`.pytest_cache`, or the `cache_dir` ini), read and written
//! byte for byte as pytest 9.2's cacheprovider does, so a user can switch between pytest
//! and fastest and keep `--lf`/`--ff`/`--nf`/`--sw` state both ways.
//!
//! Owns the on-disk side only: the directory's supporting files (created once, atomically),
//! values under `v/` (JSON as `json.dumps(value, ensure_ascii=False, indent=2)` writes it,
//! written through a temp file and a rename), `--cache-clear`, and the three values
//! fastest keeps up to date: `cache/lastfailed` (an ordered `{nodeid: true}` map),
//! `cache/nodeids` (a sorted list) and `cache/stepwise`. What the values mean for a
//! session (selection, header lines) is the CLI's.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

/// The supporting files pytest writes when it creates the cache directory.
pub const CACHEDIR_FILES: &[(&str, &str)] = &[
    (
        "README.md",
        "# pytest cache directory #\n\n\
This directory contains data from the pytest's cache plugin,\n\
which provides the `--lf` and `--ff` options, as well as the `cache` fixture.\n\n\
**Do not** commit this to version control.\n\n\
See [the docs](https://docs.pytest.org/en/stable/how-to/cache.html) for more information.\n",
    ),
    (".gitignore", "# Created by pytest automatically.\n*\n"),
    (
        "CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by pytest.\n\
# For information about cache directory tags, see:\n\
#\thttps://bford.info/cachedir/spec.html\n",
    ),
];

/// Key of the last-failed map.
pub const LASTFAILED: &str = "cache/lastfailed";
/// Key of the sorted list of node ids seen.
pub const NODEIDS: &str = "cache/nodeids";
/// Key of the stepwise state.
pub const STEPWISE: &str = "cache/stepwise";

/// A failure to write the cache (pytest turns these into a `PytestCacheWarning`).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("could not create cache path {path}: {source}")]
    Create { path: PathBuf, source: io::Error },
    #[error("cache could not write path {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// One cache directory.
#[derive(Debug, Clone)]
pub struct PytestCache {
    dir: PathBuf,
}

impl PytestCache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `--cache-clear`: remove `d/` and `v/` (the supporting files stay).
    pub fn clear(&self) {
        for prefix in ["d", "v"] {
            let d = self.dir.join(prefix);
            if d.is_dir() {
                // pytest's rm_rf ignores what it cannot remove.
                let _ = fs::remove_dir_all(&d);
            }
        }
    }

    fn value_path(&self, key: &str) -> PathBuf {
        self.dir.join("v").join(key)
    }

    /// The raw JSON text of a value, if it exists and is readable.
    fn read(&self, key: &str) -> Option<String> {
        fs::read_to_string(self.value_path(key)).ok()
    }

    /// A value, or `None` when missing or not valid JSON (pytest's `default`).
    pub fn get(&self, key: &str) -> Option<Value> {
        serde_json::from_str(&self.read(key)?).ok()
    }

    /// An object value with its keys in file order (`None`: missing, unreadable, or
    /// not an object, which pytest would fail on too: it calls `.items()`).
    pub fn get_ordered(&self, key: &str) -> Option<IndexMap<String, Value>> {
        let text = self.read(key)?;
        serde_json::from_str::<Ordered>(&text).ok().map(|o| o.0)
    }

    /// Write a value as pytest's `Cache.set` does (creating the directory first).
    pub fn set_text(&self, key: &str, json: &str) -> Result<(), CacheError> {
        let path = self.value_path(key);
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        self.ensure_dir()
            .and_then(|()| fs::create_dir_all(&parent))
            .map_err(|source| CacheError::Create {
                path: path.clone(),
                source,
            })?;
        write_atomic(&path, json.as_bytes()).map_err(|source| CacheError::Write { path, source })
    }

    /// Create the directory with its supporting files, atomically: they are written in a
    /// temporary sibling directory that is renamed into place (another process winning
    /// the race is fine).
    fn ensure_dir(&self) -> io::Result<()> {
        if self.dir.is_dir() {
            return Ok(());
        }
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let tmp = parent.join(format!(
            "pytest-cache-files-{}-{}",
            std::process::id(),
            unique()
        ));
        fs::create_dir(&tmp)?;
        let result = (|| {
            for (name, content) in CACHEDIR_FILES {
                fs::write(tmp.join(name), content)?;
            }
            match fs::rename(&tmp, &self.dir) {
                Err(e) if self.dir.is_dir() => {
                    tracing::debug!("cache directory created concurrently: {e}");
                    Ok(())
                }
                other => other,
            }
        })();
        let _ = fs::remove_dir_all(&tmp);
        result
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Write `data` to `path` through a temporary file in the same directory and a rename,
/// so a concurrent reader never sees half a file.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
    fs::write(&tmp, data)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// A JSON object deserialized with its key order.
struct Ordered(IndexMap<String, Value>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = IndexMap::new();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    // A repeated key keeps its first position with the last value, as a
                    // Python dict does.
                    out.insert(k, v);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `json.dumps(value, ensure_ascii=False, indent=2)` for a value fastest reads back as
/// JSON (serde_json's pretty printer has the same layout and escapes).
pub fn dumps(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// [`dumps`] of an object in the given key order.
pub fn dumps_ordered(map: &IndexMap<String, Value>) -> String {
    if map.is_empty() {
        return "{}".into();
    }
    let mut s = String::from("{\n");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str("  ");
        s.push_str(&dumps(&Value::String(k.clone())));
        s.push_str(": ");
        // Nested values are indented one level further.
        s.push_str(&dumps(v).replace('\n', "\n  "));
    }
    s.push_str("\n}");
    s
}

/// The stepwise plugin's state (`StepwiseCacheInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct StepwiseInfo {
    pub last_failed: Option<String>,
    pub last_test_count: Option<i64>,
    /// `datetime.now().isoformat()` when it was written.
    pub last_cache_date_str: String,
}

impl StepwiseInfo {
    pub fn empty() -> Self {
        Self {
            last_failed: None,
            last_test_count: None,
            last_cache_date_str: now_isoformat(),
        }
    }

    /// Read pytest's value: `Ok(None)` when there is none (or it is empty), `Err` with
    /// pytest's `error reading cache` detail when a key is missing or of the wrong shape.
    pub fn from_value(v: Option<&Value>) -> Result<Option<Self>, String> {
        let Some(v) = v.filter(|v| truthy(v)) else {
            return Ok(None);
        };
        let Value::Object(m) = v else {
            let kind = match v {
                Value::Array(_) => "list indices must be integers or slices, not str",
                Value::String(_) => "string indices must be integers, not 'str'",
                _ => "object is not subscriptable",
            };
            return Err(format!("TypeError: {kind}"));
        };
        let field = |k: &str| m.get(k).ok_or_else(|| format!("KeyError: '{k}'"));
        let last_failed = field("last_failed")?.as_str().map(str::to_string);
        let last_test_count = field("last_test_count")?.as_i64();
        let date = field("last_cache_date_str")?;
        Ok(Some(Self {
            last_failed,
            last_test_count,
            last_cache_date_str: date.as_str().unwrap_or_default().to_string(),
        }))
    }

    /// The value pytest writes, keys in its order.
    pub fn to_json(&self) -> String {
        let mut m = IndexMap::new();
        m.insert(
            "last_failed".to_string(),
            self.last_failed.clone().map_or(Value::Null, Value::String),
        );
        m.insert(
            "last_test_count".to_string(),
            self.last_test_count.map_or(Value::Null, Value::from),
        );
        m.insert(
            "last_cache_date_str".to_string(),
            Value::String(self.last_cache_date_str.clone()),
        );
        dumps_ordered(&m)
    }

    /// `timedelta(seconds=int((now - last_cache_date).total_seconds()))` as `str()`
    /// prints it (`0:00:03`, `1 day, 2:03:04`).
    pub fn age(&self) -> String {
        let then = parse_isoformat(&self.last_cache_date_str).unwrap_or(0.0);
        let now = parse_isoformat(&now_isoformat()).unwrap_or(0.0);
        format_timedelta((now - then).trunc() as i64)
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `str(timedelta(seconds=n))`.
pub fn format_timedelta(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    match days {
        0 => hms,
        1 | -1 => format!("{days} day, {hms}"),
        _ => format!("{days} days, {hms}"),
    }
}

/// `datetime.now().isoformat()`. The clock is read as UTC: without a time-zone database
/// fastest cannot know the local offset (pytest writes local time; only the age shown by
/// `--sw` differs when the two are mixed outside UTC).
pub fn now_isoformat() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    isoformat(d.as_secs() as i64, d.subsec_micros())
}

/// A naive `datetime.isoformat()` of seconds since the epoch plus microseconds.
pub fn isoformat(secs: i64, micros: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if micros != 0 {
        s.push_str(&format!(".{micros:06}"));
    }
    s
}

/// Seconds (with fraction) since the epoch of a naive `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
pub fn parse_isoformat(s: &str) -> Option<f64> {
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00"));
    let mut dp = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (dp.next()??, dp.next()??, dp.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut tp = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let h = tp.next().flatten().unwrap_or(0);
    let mi = tp.next().flatten().unwrap_or(0);
    let se = tp.next().flatten().unwrap_or(0);
    let frac: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0.{frac}").parse().ok()?
    };
    let days = days_from_civil(y, m, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + se) as f64 + frac)
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_round_trip_matches_json_dumps() {
        let text = "{\n  \"b.py::t\": true,\n  \"a.py::t[\\u00e9\\\"]\": true\n}";
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = PytestCache::new(dir.path().join(".pytest_cache"));
        cache.set_text(LASTFAILED, text).expect("set");
        let map = cache.get_ordered(LASTFAILED).expect("get");
        assert_eq!(map.keys().next().map(String::as_str), Some("b.py::t"));
        // json.dumps(ensure_ascii=False) writes the é itself.
        assert_eq!(
            dumps_ordered(&map),
            "{\n  \"b.py::t\": true,\n  \"a.py::t[é\\\"]\": true\n}"
        );
        for (name, content) in CACHEDIR_FILES {
            let got = fs::read_to_string(cache.dir().join(name)).expect("file");
            assert_eq!(&got, content);
        }
        assert_eq!(dumps_ordered(&IndexMap::new()), "{}");
        assert_eq!(dumps(&serde_json::json!([])), "[]");
        assert_eq!(
            dumps(&serde_json::json!(["a", "b"])),
            "[\n  \"a\",\n  \"b\"\n]"
        );
    }

    #[test]
    fn clear_keeps_supporting_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = PytestCache::new(dir.path().join("c"));
        cache.set_text(NODEIDS, "[]").expect("set");
        cache.clear();
        assert!(cache.get(NODEIDS).is_none());
        assert!(cache.dir().join("README.md").is_file());
    }

    #[test]
    fn stepwise_values() {
        let v = serde_json::json!({"last_failed": "a.py::t", "last_test_count": 3,
            "last_cache_date_str": "2026-01-02T03:04:05.000006"});
        let info = StepwiseInfo::from_value(Some(&v))
            .expect("ok")
            .expect("some");
        assert_eq!(info.last_failed.as_deref(), Some("a.py::t"));
        assert_eq!(
            info.to_json(),
            "{\n  \"last_failed\": \"a.py::t\",\n  \"last_test_count\": 3,\n  \"last_cache_date_str\": \"2026-01-02T03:04:05.000006\"\n}"
        );
        let bad = serde_json::json!({"last_failed": null});
        assert_eq!(
            StepwiseInfo::from_value(Some(&bad)),
            Err("KeyError: 'last_test_count'".into())
        );
        assert_eq!(
            StepwiseInfo::from_value(Some(&serde_json::json!({}))),
            Ok(None)
        );
        assert_eq!(format_timedelta(3), "0:00:03");
        assert_eq!(format_timedelta(86_400 + 3723), "1 day, 1:02:03");
        let t = parse_isoformat("2026-01-02T03:04:05.5").expect("parse");
        assert_eq!(
            isoformat(t.trunc() as i64, 500_000),
            "2026-01-02T03:04:05.500000"
        );
        assert_eq!(isoformat(0, 0), "1970-01-01T00:00:00");
    }
}
