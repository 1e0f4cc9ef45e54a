//! One streaming pass over one layer blob: decompress, walk the tar, hash every file,
//! keep the few contents analyses need. Nothing is written to disk, and of an ELF file only
//! the parts its inspection reads are kept (see [`crate::scan::elf::Collector`]).

use super::capture;
use super::decompress::{Decoder, HashReader};
pub use super::error::ScanError;
use super::limits::{self, Admit, Budgets, Fence, Fenced};
use super::path::{self, PathError};
use super::pipeline::Hashing;
use crate::image::entry::{Entry, EntryKind, LayerScan};
use std::collections::HashMap;
use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use xxhash_rust::xxh3::Xxh3;

/// What the caller provides besides the blob.
#[derive(Default)]
pub struct ScanContext<'a> {
    /// Called with the compressed bytes read so far, every few MB.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
    /// The blob's digest when the source checks the bytes against it itself (a registry
    /// download hashes them as they arrive): then the scan does not hash them again.
    pub digest_checked_by_source: Option<&'a str>,
    /// `--no-verify`: hash neither the blob nor the tar (the scan's `digest` and `diff_id`
    /// stay empty for the caller to fill from the descriptor it trusts).
    pub skip_digests: bool,
}

const MAX_WARNINGS: usize = 50;

/// Scans one layer blob as stored (gzip, zstd or plain tar). Reading and inflating run on
/// a helper thread beside the walk (see [`super::pipeline`]).
pub fn scan_layer(
    blob: impl BufRead + Send,
    ctx: &ScanContext<'_>,
) -> Result<LayerScan, ScanError> {
    let checked = ctx.digest_checked_by_source;
    let skip = ctx.skip_digests;
    let raw = HashReader::new(blob, checked.is_none() && !skip, ctx.progress);
    let (mut decoder, kind) = Decoder::new(raw)?;
    let Some(kind) = kind else {
        return Err(ScanError::UnknownCompression(peek_hex(decoder)));
    };
    let plain = kind == super::decompress::Compression::Plain;
    // A plain tar's blob digest is its diff_id: hash it once, from the chunks the walk
    // reads (no copy), not also while reading it.
    if let Some(source) = decoder.plain_source() {
        source.stop_hashing();
    }
    let mut scan = LayerScan {
        compression: kind,
        ..Default::default()
    };
    let hashing = if skip {
        Hashing::Off
    } else if plain {
        Hashing::Thread
    } else {
        Hashing::Walker
    };
    let (walked, inflated) = super::pipeline::inflate_beside(decoder, hashing, |stream| {
        let mut tar_stream = HashReader::new(stream, false, None);
        walk(&mut tar_stream, &mut scan, ctx).map_err(|e| match e {
            ScanError::Io(io) => corrupt_or_io(io),
            other => other,
        })?;
        // Trailing zero blocks and padding are part of the diff_id.
        io::copy(&mut tar_stream, &mut io::sink()).map_err(corrupt_or_io)?;
        Ok::<_, ScanError>(tar_stream.count())
    });
    scan.uncompressed_bytes = walked?;
    let raw = inflated.source.map_err(corrupt_or_io)?;
    scan.compressed_bytes = raw.count();
    scan.diff_id = inflated.hash.unwrap_or_default();
    scan.digest = match checked {
        // The source has read the blob to its end by now, and failed the read had the
        // bytes not matched.
        Some(d) => d.to_string(),
        None if skip => String::new(),
        None if plain => scan.diff_id.clone(),
        None => raw.finish().0,
    };
    Ok(scan)
}

pub(crate) fn corrupt_or_io(e: io::Error) -> ScanError {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => ScanError::Corrupt("stream ends early (truncated)".into()),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            ScanError::Corrupt(e.to_string())
        }
        _ => ScanError::Io(e),
    }
}

fn peek_hex<R: Read>(mut r: R) -> String {
    let mut head = [0u8; 8];
    let n = r.read(&mut head).unwrap_or(0);
    hex::encode(&head[..n])
}

fn walk<R: Read>(stream: R, scan: &mut LayerScan, ctx: &ScanContext<'_>) -> Result<(), ScanError> {
    let fence = Fence::default();
    let mut archive = tar::Archive::new(Fenced::new(stream, &fence));
    let mut index: HashMap<Arc<str>, u32> = HashMap::new();
    let mut buf = vec![0u8; 128 * 1024];
    let mut budgets = Budgets::default();
    // Captures of entries a duplicate path replaced: slot -> lengths of the capture lists
    // at the duplicate (filtered once at the end; a retain per duplicate is quadratic).
    let mut superseded: HashMap<u32, [usize; 3]> = HashMap::new();
    // Hard links whose target was not seen before them, checked once the layer is read.
    let mut forward_links: Vec<(Arc<str>, String)> = Vec::new();
    for item in archive.entries_with_seek()? {
        if ctx.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ScanError::Cancelled);
        }
        let mut te = item?;
        let stored = limits::stored_size(&mut te);
        fence.allow_until(te.raw_file_position().saturating_add(stored));
        let etype = te.header().entry_type();
        let mut pax_sparse = match etype {
            tar::EntryType::Regular | tar::EntryType::Continuous => super::sparse::detect(&mut te)?,
            _ => None,
        };
        let header = te.header();
        let kind = match etype {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            // PAX and GNU long-name headers are folded in by the tar crate; anything else
            // (volume labels, vendor types) carries nothing for the filesystem.
            other => {
                warn(
                    scan,
                    format!("skipped tar entry of type {:?}", other.as_byte() as char),
                );
                continue;
            }
        };
        let raw_path = match pax_sparse.as_mut().and_then(|s| s.name.take()) {
            Some(name) => name,
            None => te.path_bytes().into_owned(),
        };
        let (path, lossy) = match path::normalize(&raw_path) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(PathError::Traversal) => {
                return Err(ScanError::UnsafePath(
                    lossy(&raw_path),
                    "escapes the root once cleaned",
                ));
            }
        };
        budgets.admit_path(&path)?;
        if lossy {
            warn(scan, format!("path is not valid UTF-8, shown as {path:?}"));
        }
        if dir_is_aufs_metadata(&path) {
            continue;
        }
        let (dir, name) = path::split(&path);
        if let Some(target) = name.strip_prefix(".wh.") {
            if target == ".wh..opq" {
                scan.opaque_dirs.push(Arc::from(dir));
            } else if target.starts_with(".wh.") {
                // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not a deletion.
            } else if target.is_empty() {
                warn(scan, format!("invalid bare whiteout {path:?} ignored"));
            } else {
                scan.whiteouts.push(Arc::from(path::join(dir, target)));
            }
            continue;
        }
        if dir.is_empty() && is_estargz_metadata(name) {
            continue;
        }
        let mode = header.mode().unwrap_or(0o644);
        let old = header.as_old();
        let uid = owner_id(&old.uid, || header.uid());
        let gid = owner_id(&old.gid, || header.gid());
        let mut entry = Entry {
            path: Arc::from(path),
            kind,
            size: 0,
            mode,
            uid,
            gid,
            link: None,
            hash: 0,
        };
        let slot = match index.get(&entry.path) {
            Some(&i) => {
                warn(
                    scan,
                    format!("duplicate entry {:?}: the last one wins", entry.path),
                );
                let c = &scan.captured;
                superseded.insert(i, [c.files.len(), c.elf.len(), c.shebangs.len()]);
                i
            }
            // Entries are indexed by u32 everywhere after the scan.
            None => u32::try_from(scan.entries.len()).map_err(|_| {
                ScanError::Corrupt(format!("more than {} entries in one layer", u32::MAX))
            })?,
        };
        match kind {
            EntryKind::Symlink => {
                let target = te
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                entry.hash = xxhash_rust::xxh3::xxh3_64(target.as_bytes());
                entry.link = Some(target.into());
            }
            EntryKind::Hardlink => {
                let target = te.link_name_bytes().and_then(|b| path::normalize_link(&b));
                match target {
                    Some(t) => {
                        match index.get(t.as_str()) {
                            Some(&j) if scan.entries[j as usize].kind.is_dir() => warn(
                                scan,
                                format!("hard link {:?} points to directory {t:?}", entry.path),
                            ),
                            Some(_) => {}
                            None => forward_links.push((entry.path.clone(), t.clone())),
                        }
                        entry.link = Some(t.into());
                    }
                    None => warn(
                        scan,
                        format!("hard link {:?} has no valid target", entry.path),
                    ),
                }
            }
            EntryKind::File => {
                let file = FileRead {
                    slot,
                    stored,
                    pax_sparse: pax_sparse.take(),
                };
                scan_file(&mut te, &mut entry, file, scan, &mut buf, &mut budgets)?;
            }
            _ => {}
        }
        if slot as usize == scan.entries.len() {
            index.insert(entry.path.clone(), slot);
            scan.entries.push(entry);
        } else {
            scan.entries[slot as usize] = entry;
        }
    }
    for (path, target) in forward_links {
        let why = if *path == *target {
            "points to itself"
        } else if index.contains_key(target.as_str()) {
            "points to an entry that comes later in the layer"
        } else {
            "points to a path that is not in the layer"
        };
        warn(scan, format!("hard link {path:?} {why} ({target:?})"));
    }
    if !superseded.is_empty() {
        drop_superseded(&mut scan.captured, &superseded);
    }
    // Entries live as long as the image: give back the growth slack (up to half).
    scan.entries.shrink_to_fit();
    Ok(())
}

/// Drops what was captured for an entry that a later entry of the same path replaced.
fn drop_superseded(c: &mut crate::image::entry::Captured, superseded: &HashMap<u32, [usize; 3]>) {
    fn keep<T>(list: &mut Vec<(u32, T)>, superseded: &HashMap<u32, [usize; 3]>, which: usize) {
        let mut pos = 0;
        list.retain(|(slot, _)| {
            pos += 1;
            superseded.get(slot).is_none_or(|at| pos > at[which])
        });
    }
    keep(&mut c.files, superseded, 0);
    keep(&mut c.elf, superseded, 1);
    keep(&mut c.shebangs, superseded, 2);
}

/// A regular file's place in the layer and how its bytes are stored.
struct FileRead {
    slot: u32,
    /// Bytes of data the archive holds for it.
    stored: u64,
    pax_sparse: Option<super::sparse::PaxSparse>,
}

/// Sizes a regular file and reads it: a sparse file (old GNU or PAX) has its apparent size
/// and is read with its holes, within the layer's budget; its stored size is recorded.
fn scan_file<R: Read>(
    te: &mut tar::Entry<'_, R>,
    entry: &mut Entry,
    file: FileRead,
    scan: &mut LayerScan,
    buf: &mut [u8],
    budgets: &mut Budgets,
) -> Result<(), ScanError> {
    let slot = file.slot;
    let gnu = te.header().entry_type().is_gnu_sparse();
    entry.size = match &file.pax_sparse {
        Some(s) => s.apparent,
        None => te.size(),
    };
    if (slot as usize) < scan.entries.len() {
        // A duplicate path: forget what the entry it replaces recorded.
        scan.sparse.retain(|&(s, _)| s != slot);
    }
    if !gnu && file.pax_sparse.is_none() {
        return read_file(te, entry, slot, scan, buf, budgets);
    }
    scan.sparse.push((slot, file.stored));
    if let Admit::No(why) = budgets.admit_sparse(&entry.path, entry.size)? {
        // Left unread (hash 0): the tar reader skips its stored bytes.
        warn(scan, why);
        return Ok(());
    }
    match file.pax_sparse {
        Some(s) => {
            let mut expanded = super::sparse::Expand::open(&mut *te, s, file.stored)?;
            read_file(&mut expanded, entry, slot, scan, buf, budgets)
        }
        None => read_file(te, entry, slot, scan, buf, budgets),
    }
}

/// Hashes a regular file's content, keeping it when an analysis needs it.
fn read_file(
    te: &mut impl Read,
    entry: &mut Entry,
    slot: u32,
    scan: &mut LayerScan,
    buf: &mut [u8],
    budgets: &mut Budgets,
) -> Result<(), ScanError> {
    let mut hasher = Xxh3::new();
    let mut want = capture::wants_content(&entry.path);
    if want
        && entry.size <= capture::MAX_CAPTURE
        && let Admit::No(why) = budgets.admit_capture(&entry.path, entry.size)
    {
        warn(scan, why);
        want = false;
    }
    let keep = want && entry.size <= capture::MAX_CAPTURE;
    let mut kept = Vec::new();
    let mut elf = None;
    let mut jar = None;
    let mut first = true;
    let mut total = 0u64;
    loop {
        let n = te.read(buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if first {
            first = false;
            if chunk.starts_with(b"\x7fELF") {
                let executable = entry.mode & 0o111 != 0;
                elf = Some(crate::scan::elf::Collector::new(entry.size, executable));
            }
            if chunk.starts_with(b"PK\x03\x04") && super::jar::is_java_archive(&entry.path) {
                jar = Some(super::jar::JarCollector::default());
            }
            if chunk.starts_with(b"#!") {
                let line = chunk[2..].split(|&b| b == b'\n').next().unwrap_or(&[]);
                let line = &line[..line.len().min(capture::MAX_SHEBANG)];
                scan.captured
                    .shebangs
                    .push((slot, String::from_utf8_lossy(line).trim().to_string()));
            }
            if keep {
                kept.reserve_exact(entry.size as usize);
            }
        }
        hasher.update(chunk);
        total += n as u64;
        if keep {
            kept.extend_from_slice(chunk);
        }
        if let Some(e) = &mut elf {
            e.push(chunk);
        }
        if let Some(j) = &mut jar {
            j.push(chunk);
        }
    }
    if total != entry.size {
        return Err(ScanError::Corrupt(format!(
            "{:?}: {} bytes declared, {} present",
            entry.path, entry.size, total
        )));
    }
    entry.hash = hasher.digest();
    if want && entry.size > capture::MAX_CAPTURE {
        warn(
            scan,
            format!(
                "{:?} is too large to read ({} bytes)",
                entry.path, entry.size
            ),
        );
    }
    if let Some(j) = jar {
        scan.captured.jars.push((slot, j.finish()));
    }
    if let Some(info) = elf.and_then(|e| crate::scan::elf::inspect_collected(e.finish())) {
        scan.captured.elf.push((slot, info));
    }
    if keep {
        scan.captured.files.push((slot, kept));
    }
    Ok(())
}

/// A uid or gid field. Some writers leave it all NUL, which the tar crate reports as an
/// error after formatting a message: 8% of a scan of many small files, for a zero.
fn owner_id(field: &[u8; 8], parse: impl FnOnce() -> io::Result<u64>) -> u32 {
    if field.iter().all(|&b| b == 0) {
        return 0;
    }
    parse().unwrap_or(0).min(u32::MAX as u64) as u32
}

/// AUFS keeps hard-link bookkeeping under `.wh..wh.plnk/` and friends: not image content.
fn dir_is_aufs_metadata(path: &str) -> bool {
    let (dir, _) = path::split(path);
    dir.split('/').any(|c| c.starts_with(".wh..wh."))
}

/// eStargz adds a TOC and landmark files at the root; they are not part of the image.
fn is_estargz_metadata(name: &str) -> bool {
    matches!(
        name,
        "stargz.index.json" | ".prefetch.landmark" | ".no.prefetch.landmark"
    )
}

fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

fn warn(scan: &mut LayerScan, msg: String) {
    if scan.warnings.len() < MAX_WARNINGS {
        scan.warnings.push(msg);
    } else if scan.warnings.len() == MAX_WARNINGS {
        scan.warnings.push("further warnings suppressed".into());
    }
}

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;
