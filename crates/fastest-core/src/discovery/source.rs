//! Reading source files: memory-mapped for large files, a plain read for small ones (an
//! mmap costs a syscall pair and a page-table setup that a 2 KB test file does not repay),
//! plus the content hash the discovery cache keys on.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memmap2::Mmap;

/// Files at least this large are memory-mapped (measured in benches/: below it a read is
/// as fast or faster).
pub const MMAP_THRESHOLD: u64 = 64 * 1024;

/// A file's bytes, mapped or owned.
pub enum Source {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Source {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
        }
    }

    /// The text without a UTF-8 byte-order mark (Python skips it too).
    pub fn text_bytes(&self) -> &[u8] {
        let b = self.bytes();
        b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b)
    }
}

/// Read a file, mapping it when large and `allow_mmap` is set.
pub fn read_source(path: &Path, allow_mmap: bool) -> std::io::Result<Source> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    if allow_mmap && len >= MMAP_THRESHOLD {
        // SAFETY: the map is read-only and lives only while this file is parsed; a
        // concurrent truncation by another process could fault, the same exposure
        // ripgrep accepts for its mmap searches. Test files are not edited mid-run.
        #[allow(unsafe_code)]
        let map = unsafe { Mmap::map(&f)? };
        return Ok(Source::Mapped(map));
    }
    let mut v = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.read_to_end(&mut v)?;
    Ok(Source::Owned(v))
}

/// The 64-bit content hash used by the discovery cache.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}
