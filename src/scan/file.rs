//! A regular file of a layer, read once as the walk passes it: sized (sparse files with
//! their holes), hashed, and kept when an analysis needs its content.

use super::capture;
use super::error::ScanError;
use super::limits::{Admit, Budgets};
use crate::image::entry::{Entry, LayerScan};
use std::io::Read;
use xxhash_rust::xxh3::Xxh3;

/// Warnings kept per layer; past it, one line says more were suppressed.
const MAX_WARNINGS: usize = 50;

/// A regular file's place in the layer and how its bytes are stored.
pub(super) struct FileRead {
    pub(super) slot: u32,
    /// Bytes of data the archive holds for it.
    pub(super) stored: u64,
    pub(super) pax_sparse: Option<super::sparse::PaxSparse>,
}

/// Sizes a regular file and reads it: a sparse file (old GNU or PAX) has its apparent size
/// and is read with its holes, within the layer's budget; its stored size is recorded.
pub(super) fn scan_file<R: Read>(
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

pub(super) fn warn(scan: &mut LayerScan, msg: String) {
    if scan.warnings.len() < MAX_WARNINGS {
        scan.warnings.push(msg);
    } else if scan.warnings.len() == MAX_WARNINGS {
        scan.warnings.push("further warnings suppressed".into());
    }
}
