//! The content-addressed cache: per-layer scan results and small blobs (manifests, indexes,
//! configs), each stored under the digest that names it, in `$XDG_CACHE_HOME/microscope`
//! (falling back to `~/.cache/microscope`).
//!
//! - **Names come only from digests**: a key that is not `sha256:` + 64 lowercase hex is
//!   refused, so nothing an image says can steer a write outside the cache.
//! - **Atomic writes**: a temp file in the same directory, renamed over the target. Two runs
//!   sharing the cache see a whole entry or none; if both write, the last rename wins and
//!   both wrote the same bytes.
//! - **Verified reads**: a scan entry carries a header (magic, format, key, length, checksum
//!   of the payload); a blob is checked against its own digest. Anything that fails is removed
//!   and treated as a miss.
//! - **Off the critical path**: scan entries are encoded and written on helper threads
//!   (`cache/writes.rs`); a read, a prune and dropping the cache wait for them.
//! - **Bounded**: after each write, entries are evicted least recently used first (a read
//!   touches an entry's mtime) until the total is under the limit; `microscope cache prune`
//!   does the same on demand.
//!
//! Whole reports are kept too (`cache/reports.rs`), under a key naming everything they
//! were made from, so a second look at an unchanged image skips the analysis as well; and
//! package analyses (`cache/kept.rs`), so an image with one more layer need not redo one.
//!
//! Layer blobs themselves are not kept: the scan is what an analysis needs, so a warm run
//! needs no layer bytes at all, and the cache stays a fraction of the image's size.

mod chunked;
mod entries;
mod entry;
mod kept;
#[cfg(feature = "registry")]
pub mod registry;
mod reports;
mod scan_entry;
mod writes;

use crate::image::LayerScan;
use entry::format_tag;
use scan_entry::{decode_scan, encode_scan};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// Bump when [`LayerScan`] changes meaning or encoding without changing shape (the field
/// list is fingerprinted on top of this, see `format_tag`). 2: captured contents in base64;
/// 3: rooted names kept, PAX sparse read, single-file `.egg-info` captured;
/// 4: rpm databases, gem/Composer/.NET manifests and jars captured, cargo-auditable crates read;
/// 5: postcard instead of JSON, captured contents as bytes, an xxh3 checksum (`entry.rs`);
/// 6: the package databases in a second frame, decoded when asked for (`scan_entry.rs`);
/// 7: the entries in an encoding of their own (`entries.rs`).
pub const SCAN_FORMAT: u32 = 7;

/// Default bound of the cache, in bytes.
pub const DEFAULT_LIMIT: u64 = 2 << 30;

/// A scan entry larger than this is not read (a corrupt length field must not allocate).
const MAX_ENTRY: u64 = 1 << 30;

#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    limit: u64,
    writes: Arc<writes::Writes>,
    /// Bytes written since the last prune: a prune walks the whole cache, so it runs once a
    /// sixteenth of the bound is written, and when the cache is dropped, not per entry (an
    /// image of thousands of layers made that quadratic).
    unpruned: Arc<AtomicU64>,
}

/// What a prune did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PruneStats {
    pub removed_files: u64,
    pub removed_bytes: u64,
    pub kept_files: u64,
    pub kept_bytes: u64,
}

impl Cache {
    /// The cache under `$XDG_CACHE_HOME/microscope` (or `~/.cache/microscope`).
    pub fn open_default(limit: u64) -> io::Result<Cache> {
        Ok(Cache::open(&default_dir()?, limit))
    }

    pub fn open(root: &Path, limit: u64) -> Cache {
        Cache {
            root: root.to_path_buf(),
            limit,
            writes: Arc::default(),
            unpruned: Arc::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A small blob by digest, checked against it; None on a miss or a bad entry.
    pub fn get_blob(&self, digest: &str) -> Option<Vec<u8>> {
        let path = self.blob_path(digest)?;
        let bytes = read_bounded(&path, MAX_ENTRY).ok()?;
        if crate::source::config::sha256(&bytes) != digest {
            let _ = fs::remove_file(&path);
            return None;
        }
        touch(&path);
        Some(bytes)
    }

    /// Stores a blob under its digest, only if the bytes match it.
    pub fn put_blob(&self, digest: &str, bytes: &[u8]) {
        let Some(path) = self.blob_path(digest) else {
            return;
        };
        if crate::source::config::sha256(bytes) != digest {
            return;
        }
        if write_atomically(&path, &[bytes]).is_ok() {
            self.enforce_limit();
        }
    }

    /// Evicts least recently used entries until the cache holds at most `limit` bytes.
    pub fn prune(&self, limit: u64) -> io::Result<PruneStats> {
        self.writes.wait();
        prune(&self.root, limit)
    }

    fn enforce_limit(&self) {
        let _ = prune(&self.root, self.limit);
    }

    /// Whether a scan of `key` is kept (in this build's format), without reading it.
    pub fn has_scan(&self, key: &str) -> bool {
        self.scan_path(key).is_some_and(|p| p.is_file())
    }

    fn scan_path(&self, key: &str) -> Option<PathBuf> {
        self.entry_path("scans", format_tag(), key)
    }

    /// Where the entry of `key` lives among `kind`'s entries of `format`: fanned out by the
    /// first two hex digits of its digest. None for a key that is not a sha256 digest.
    fn entry_path(&self, kind: &str, format: &str, key: &str) -> Option<PathBuf> {
        let hex = digest_hex(key)?;
        Some(self.root.join(kind).join(format).join(&hex[..2]).join(hex))
    }

    fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest_hex(digest)?;
        Some(
            self.root
                .join("blobs")
                .join("sha256")
                .join(&hex[..2])
                .join(hex),
        )
    }

    fn read_scan(&self, key: &str) -> Option<LayerScan> {
        let path = self.scan_path(key)?;
        // A scan this process is still writing is read once it is whole.
        self.writes.wait();
        let bytes = read_bounded(&path, MAX_ENTRY).ok()?;
        match decode_scan(bytes, key) {
            Some(scan) => {
                touch(&path);
                Some(scan)
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }
}

/// Per-layer scan results kept across runs, keyed by the layer's blob digest (or diff_id).
pub trait ScanCache: Sync {
    fn get(&self, key: &str) -> Option<LayerScan>;
    /// May finish after it returns (see the module's notes); a `get` still sees it.
    fn put(&self, key: &str, scan: &Arc<LayerScan>);
    /// Remembers a scan under its blob's bare digest, for a load of another file with the
    /// same blob that reads and checks that blob again (compare's second image). Only a
    /// cache that lives for one run keeps it: on disk, a local file's scan stands for that
    /// file alone.
    fn put_shared(&self, _key: &str, _scan: &Arc<LayerScan>) {}
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.writes.wait();
        if self.unpruned.load(Ordering::Relaxed) > 0 {
            let _ = prune(&self.root, self.limit);
        }
    }
}

impl ScanCache for Cache {
    fn get(&self, key: &str) -> Option<LayerScan> {
        self.read_scan(key)
    }

    fn put(&self, key: &str, scan: &Arc<LayerScan>) {
        let Some(path) = self.scan_path(key) else {
            return;
        };
        let (root, limit, key, scan) =
            (self.root.clone(), self.limit, key.to_string(), scan.clone());
        let unpruned = self.unpruned.clone();
        self.writes.spawn(move || {
            let Some((head, payload)) = encode_scan(&scan, &key) else {
                return;
            };
            if write_atomically(&path, &[&head, &payload]).is_ok() {
                let len = (head.len() + payload.len()) as u64;
                if unpruned
                    .fetch_add(len, Ordering::Relaxed)
                    .saturating_add(len)
                    >= limit / 16
                {
                    unpruned.store(0, Ordering::Relaxed);
                    let _ = prune(&root, limit);
                }
            }
        });
    }
}

/// `$XDG_CACHE_HOME/microscope`, else `$HOME/.cache/microscope`.
pub fn default_dir() -> io::Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Ok(PathBuf::from(x).join("microscope"));
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("microscope")),
        None => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "neither XDG_CACHE_HOME nor HOME is set; cannot place the cache (use --no-cache)",
        )),
    }
}

/// The 64 hex digits of a `sha256:` digest, or None for anything else.
fn digest_hex(key: &str) -> Option<&str> {
    let hex = key.strip_prefix("sha256:")?;
    (hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(hex)
}

/// Evicts least recently used entries under `root` until at most `limit` bytes remain.
fn prune(root: &Path, limit: u64) -> io::Result<PruneStats> {
    let mut files = Vec::new();
    for sub in ["scans", "blobs", "reports", "kept"] {
        collect_files(&root.join(sub), &mut files, 0)?;
    }
    // Oldest first; temp files left by a killed run are the first to go.
    files.sort_by_key(|(_, meta)| meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
    let mut total: u64 = files.iter().map(|(_, m)| m.len()).sum();
    let mut stats = PruneStats::default();
    for (path, meta) in files {
        if total > limit || writes::stale_temp(&path, &meta) {
            if fs::remove_file(&path).is_ok() {
                stats.removed_files += 1;
                stats.removed_bytes += meta.len();
            }
            total = total.saturating_sub(meta.len());
        } else {
            stats.kept_files += 1;
            stats.kept_bytes += meta.len();
        }
    }
    Ok(stats)
}

fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let f = fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "entry too large",
        ));
    }
    let mut out = Vec::with_capacity(len as usize);
    f.take(max).read_to_end(&mut out)?;
    Ok(out)
}

fn write_atomically(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let dir = path.parent().ok_or(io::ErrorKind::InvalidInput)?;
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    for part in parts {
        tmp.write_all(part)?;
    }
    // No fsync: an entry a crash leaves torn fails its check on the next read and is
    // dropped as a miss, and waiting for the disk cost a cold run 5-10 ms per entry.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Marks an entry as recently used.
fn touch(path: &Path) {
    if let Ok(f) = fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// Regular files under `dir`, a few levels deep; symlinks are not followed.
fn collect_files(
    dir: &Path,
    out: &mut Vec<(PathBuf, fs::Metadata)>,
    depth: usize,
) -> io::Result<()> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in rd.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() && depth < 4 {
            collect_files(&entry.path(), out, depth + 1)?;
        } else if meta.is_file() {
            out.push((entry.path(), meta));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
