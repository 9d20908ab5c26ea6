//! Where fastest puts its own temporary files (worker sockets, the import fallback's
//! request and result, coverage data, pytest-xdist's shared base directory): the
//! directory Python's `tempfile.gettempdir()` would choose, so a `TMPDIR` that does
//! not exist or cannot be written is skipped as Python and pytest skip it, instead of
//! failing the run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The first usable directory among Python's candidates (`tempfile._candidate_tempdir_list`
/// on POSIX): `$TMPDIR`, `$TEMP`, `$TMP`, then `/tmp`, `/var/tmp`, `/usr/tmp`, then the
/// current directory. Usable: a directory a file can be created in. Worked out once.
pub fn temp_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        candidates()
            .into_iter()
            .find(|d| writable_dir(d))
            // Nothing usable: what Rust would use, whose errors then say where.
            .unwrap_or_else(std::env::temp_dir)
    })
}

fn candidates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["TMPDIR", "TEMP", "TMP"]
        .iter()
        .filter_map(std::env::var_os)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .collect();
    if cfg!(windows) {
        dirs.extend(
            [
                r"~\AppData\Local\Temp",
                r"C:\TEMP",
                r"C:\TMP",
                r"\TEMP",
                r"\TMP",
            ]
            .iter()
            .map(PathBuf::from),
        );
    } else {
        dirs.extend(["/tmp", "/var/tmp", "/usr/tmp"].iter().map(PathBuf::from));
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.push(cwd);
    }
    dirs
}

/// Whether `dir` is a directory a file can be created in (Python tries exactly that).
fn writable_dir(dir: &Path) -> bool {
    dir.is_dir() && tempfile::tempfile_in(dir).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_not_usable() {
        let t = tempfile::tempdir().unwrap();
        assert!(writable_dir(t.path()));
        assert!(!writable_dir(&t.path().join("missing")));
        let file = t.path().join("f");
        std::fs::write(&file, "").unwrap();
        assert!(!writable_dir(&file));
    }

    #[test]
    fn the_root_is_usable() {
        assert!(writable_dir(temp_root()));
    }
}
