//! The walk over a layer's tar entries: each cleaned, checked against the layer's budgets
//! and recorded as an entry, a whiteout or a warning; regular files go to the layer's file
//! reader ([`super::file`]).

use super::error::ScanError;
use super::file::{FileRead, scan_file, warn};
use super::limits::Budgets;
use super::member::Member;
use super::path::{self, PathError};
use super::path_index::PathIndex;
use crate::image::entry::{Entry, EntryKind, LayerScan};
use std::collections::HashMap;
use std::io::{self, BufRead};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub(super) fn walk<R: BufRead>(
    stream: R,
    scan: &mut LayerScan,
    cancel: Option<&AtomicBool>,
) -> Result<(), ScanError> {
    let mut walk = Walk::default();
    super::member::for_each(stream, cancel, &mut |te, stored| {
        walk.entry(te, stored, scan)
    })?;
    walk.finish(scan);
    Ok(())
}

/// What the walk keeps from one entry of a layer to the next.
struct Walk {
    index: PathIndex,
    buf: Vec<u8>,
    budgets: Budgets,
    /// Captures of entries a duplicate path replaced: slot -> lengths of the capture lists
    /// at the duplicate (filtered once at the end; a retain per duplicate is quadratic).
    superseded: HashMap<u32, [usize; 3]>,
    /// Hard links whose target was not seen before them, checked once the layer is read.
    forward_links: Vec<(Arc<str>, String)>,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            index: PathIndex::default(),
            buf: vec![0u8; 128 * 1024],
            budgets: Budgets::default(),
            superseded: HashMap::new(),
            forward_links: Vec::new(),
        }
    }
}

impl Walk {
    /// One tar entry: recorded as an entry of the layer, as a whiteout, or skipped.
    fn entry(
        &mut self,
        te: &mut dyn Member,
        stored: u64,
        scan: &mut LayerScan,
    ) -> Result<(), ScanError> {
        let etype = te.header().entry_type();
        let mut pax_sparse = match etype {
            tar::EntryType::Regular | tar::EntryType::Continuous => super::sparse::detect(te)?,
            _ => None,
        };
        let Some(kind) = entry_kind(etype, scan) else {
            return Ok(());
        };
        let pax_name = pax_sparse.as_mut().and_then(|s| s.name.take());
        let raw_path = match &pax_name {
            Some(name) => std::borrow::Cow::Borrowed(&name[..]),
            None => te.path_bytes(),
        };
        let Some(path) = self.admit_path(&raw_path, scan)? else {
            return Ok(());
        };
        let header = te.header();
        let old = header.as_old();
        let mut entry = Entry {
            path,
            kind,
            size: 0,
            mode: mode(&old.mode, || header.mode()),
            uid: owner_id(&old.uid, || header.uid()),
            gid: owner_id(&old.gid, || header.gid()),
            link: None,
            hash: 0,
        };
        let slot = self.slot(&entry.path, scan)?;
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
                self.hard_link(te.link_name_bytes().as_deref(), &mut entry, scan)
            }
            EntryKind::File => {
                let file = FileRead {
                    slot,
                    stored,
                    pax_sparse: pax_sparse.take(),
                };
                scan_file(te, &mut entry, file, scan, &mut self.buf, &mut self.budgets)?;
            }
            _ => {}
        }
        if slot as usize == scan.entries.len() {
            scan.entries.push(entry);
        } else {
            scan.entries[slot as usize] = entry;
        }
        Ok(())
    }

    /// The cleaned path of an entry the layer's filesystem holds; None for what is not a
    /// file of it (the root, a whiteout, which it records, AUFS and eStargz bookkeeping).
    fn admit_path(
        &mut self,
        raw_path: &[u8],
        scan: &mut LayerScan,
    ) -> Result<Option<Arc<str>>, ScanError> {
        let (path, lossy_utf8) = match path::clean(raw_path) {
            Ok(Some(p)) => p,
            Ok(None) => return Ok(None),
            Err(PathError::Traversal) => {
                return Err(ScanError::UnsafePath(
                    lossy(raw_path),
                    "escapes the root once cleaned",
                ));
            }
        };
        self.budgets.admit_path(&path)?;
        if lossy_utf8 {
            warn(scan, format!("path is not valid UTF-8, shown as {path:?}"));
        }
        if dir_is_aufs_metadata(&path) {
            return Ok(None);
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
            return Ok(None);
        }
        if dir.is_empty() && is_estargz_metadata(name) {
            return Ok(None);
        }
        Ok(Some(Arc::from(path)))
    }

    /// The entry's index: a new one, or the one of the earlier entry of the same path,
    /// which the last one replaces.
    fn slot(&mut self, path: &Arc<str>, scan: &mut LayerScan) -> Result<u32, ScanError> {
        // Entries are indexed by u32 everywhere after the scan.
        let next = u32::try_from(scan.entries.len()).map_err(|_| {
            ScanError::Corrupt(format!("more than {} entries in one layer", u32::MAX))
        })?;
        match self.index.get_or_insert(path, next, &scan.entries) {
            Some(i) => {
                warn(scan, format!("duplicate entry {path:?}: the last one wins"));
                let c = &scan.captured;
                self.superseded
                    .insert(i, [c.files.len(), c.elf.len(), c.shebangs.len()]);
                Ok(i)
            }
            None => Ok(next),
        }
    }

    /// A hard link's target, cleaned; one not seen yet is checked at the end.
    fn hard_link(&mut self, raw: Option<&[u8]>, entry: &mut Entry, scan: &mut LayerScan) {
        let Some(t) = raw.and_then(path::normalize_link) else {
            warn(
                scan,
                format!("hard link {:?} has no valid target", entry.path),
            );
            return;
        };
        match self.index.get(t.as_str(), &scan.entries) {
            Some(j) if scan.entries[j as usize].kind.is_dir() => warn(
                scan,
                format!("hard link {:?} points to directory {t:?}", entry.path),
            ),
            Some(_) => {}
            None => self.forward_links.push((entry.path.clone(), t.clone())),
        }
        entry.link = Some(t.into());
    }

    /// Warnings for hard links that never found their target; captures of replaced
    /// entries dropped.
    fn finish(self, scan: &mut LayerScan) {
        for (path, target) in self.forward_links {
            let why = if *path == *target {
                "points to itself"
            } else if self.index.get(target.as_str(), &scan.entries).is_some() {
                "points to an entry that comes later in the layer"
            } else {
                "points to a path that is not in the layer"
            };
            warn(scan, format!("hard link {path:?} {why} ({target:?})"));
        }
        if !self.superseded.is_empty() {
            drop_superseded(&mut scan.captured, &self.superseded);
        }
        // Entries live as long as the image: give back the growth slack (up to half).
        scan.entries.shrink_to_fit();
    }
}

/// The kind of entry a tar type makes; None, with a warning, for one that carries nothing
/// for the filesystem.
fn entry_kind(etype: tar::EntryType, scan: &mut LayerScan) -> Option<EntryKind> {
    Some(match etype {
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
            return None;
        }
    })
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
    keep(c.files.list_mut(), superseded, 0);
    keep(&mut c.elf, superseded, 1);
    keep(&mut c.shebangs, superseded, 2);
}
/// A uid or gid field. Some writers leave it all NUL, which the tar crate reports as an
/// error after formatting a message: 8% of a scan of many small files, for a zero.
fn owner_id(field: &[u8; 8], parse: impl FnOnce() -> io::Result<u64>) -> u32 {
    if field.iter().all(|&b| b == 0) {
        return 0;
    }
    parse().unwrap_or(0).min(u32::MAX as u64) as u32
}

/// The mode field, read in place when it is plain octal digits as nearly every writer
/// leaves it (the tar crate checks UTF-8, trims and parses through a `str`, for every
/// entry); anything else goes to its parser, as before.
fn mode(field: &[u8; 8], parse: impl FnOnce() -> io::Result<u32>) -> u32 {
    let digits = field.split(|&b| b == 0).next().unwrap_or_default();
    if !digits.is_empty() && digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
        return digits
            .iter()
            .fold(0u32, |m, &b| (m << 3) | u32::from(b - b'0'));
    }
    parse().unwrap_or(0o644)
}

/// AUFS keeps hard-link bookkeeping under `.wh..wh.plnk/` and friends: not image content.
fn dir_is_aufs_metadata(path: &str) -> bool {
    // One searcher for every path: `str::contains` builds a two-way searcher per call.
    static AUFS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(".wh..wh."));
    if AUFS.find(path.as_bytes()).is_none() {
        return false;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain digits are read in place; anything else is the tar crate's parse, as before.
    #[test]
    fn mode_fields_read_as_the_tar_crate_reads_them() {
        let field = |s: &[u8]| {
            let mut f = [0u8; 8];
            f[..s.len()].copy_from_slice(s);
            f
        };
        let unused = || -> io::Result<u32> { Err(io::Error::other("not asked")) };
        assert_eq!(mode(&field(b"0000755"), unused), 0o755);
        assert_eq!(mode(&field(b"0100644"), unused), 0o100644);
        assert_eq!(mode(&field(b"7777"), unused), 0o7777);
        assert_eq!(mode(&field(b"01777777"), unused), 0o1777777);
        for odd in [&b" 000644 "[..], b"", b"0009", b"+644"] {
            let mut h = tar::Header::new_old();
            h.as_old_mut().mode = field(odd);
            let want = h.mode().unwrap_or(0o644);
            assert_eq!(mode(&field(odd), || h.mode()), want, "{odd:?}");
        }
    }
}
