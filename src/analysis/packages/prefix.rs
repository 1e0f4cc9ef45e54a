//! Reusing the package analysis of the image below a new top layer (a rebuild that added
//! or changed the last layer): the analysis is kept as a [`Snapshot`], and the image with
//! one more layer takes it over when that layer provably changes nothing the analysis
//! looked at, else the analysis runs again.
//!
//! A top layer is neutral when it holds only regular files at paths the tree below does
//! not have, and directories (new, or repeating one that is there): no whiteout, opaque
//! marker, link, device or replaced path, so every path below keeps its node, every
//! database file version stays visible to the same layers and no directory symlink
//! appears; no database file (by path, captured or not), no Go or cargo-auditable binary
//! and no Java archive, so the managers observe the same packages; no file at a path some
//! package claims (the claimed paths the tree below lacks are kept for that), nor below a
//! package directory some claim names (npm, gems, Composer own what is added there). Then
//! every claim, instance and owner below is what it was, with the last layer's `to` one
//! further; the new files are unowned; and the only changes are the new layer's row, the
//! final and unowned bytes, and the largest unowned files. `tests` checks that against the
//! whole analysis on every image the package tests build.

use super::history::classify;
use super::{LayerPackages, PackageAnalysis};
use crate::image::merge::LayerChanges;
use crate::image::{Change, EntryKind, LayerScan, Merged};
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What reusing an analysis needs beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reuse {
    /// Claimed paths that are no non-directory of the final tree, sorted.
    pub claimed_absent: Vec<Box<str>>,
    /// Package directories that own what no path claim names below them, sorted.
    pub claimed_dirs: Vec<Box<str>>,
}

/// A package analysis as kept for the image with one more layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The analysis without its owners, as JSON: a package leaves its empty fields out,
    /// which a format without field names cannot read back. The owners are rebuilt from
    /// `owner_nodes` and the scans.
    analysis: String,
    owner_nodes: Vec<Vec<u32>>,
    reuse: Reuse,
}

impl Snapshot {
    /// `analysis` as kept (its owners are not copied, and are left empty).
    pub fn new(analysis: &mut PackageAnalysis, reuse: Reuse) -> Option<Snapshot> {
        analysis.owners = Default::default();
        let owner_nodes = std::mem::take(&mut analysis.owner_nodes);
        Some(Snapshot {
            analysis: serde_json::to_string(analysis).ok()?,
            owner_nodes,
            reuse,
        })
    }

    /// The analysis of `scans` (whose merge is `merged`), if it is this snapshot's image
    /// with one neutral layer on top (see the module's notes); None otherwise.
    pub fn extend(
        self,
        scans: &[Arc<LayerScan>],
        merged: &Merged,
    ) -> Option<(PackageAnalysis, Reuse)> {
        self.extend_with(scans, merged, true)
    }

    /// [`Snapshot::extend`]; without `by_path`, the owners by path are left empty (the owners
    /// by node are there): rebuilding them hashed 100k+ paths of large-latest, 4 % of a
    /// rebuild's CPU, on the critical path, for a report that never reads them.
    pub fn extend_with(
        self,
        scans: &[Arc<LayerScan>],
        merged: &Merged,
        by_path: bool,
    ) -> Option<(PackageAnalysis, Reuse)> {
        self.extend_checked(scans, merged, by_path, false)
    }

    /// [`Snapshot::extend_with`]; `layer_checked`: [`may_be_neutral`] holds for the top
    /// layer (the caller asked), so it is not asked again (a classification of every path).
    fn extend_checked(
        self,
        scans: &[Arc<LayerScan>],
        merged: &Merged,
        by_path: bool,
        layer_checked: bool,
    ) -> Option<(PackageAnalysis, Reuse)> {
        let (top, below) = scans.split_last()?;
        let fits = self.owner_nodes.len() == below.len()
            && (self.owner_nodes.iter().zip(below)).all(|(n, s)| n.len() == s.entries.len());
        if !fits || merged.changes.len() != scans.len() {
            return None;
        }
        let added = added_files(top, merged.changes.last()?, Some(&self.reuse))?;
        if !layer_checked && !may_be_neutral(top) {
            return None;
        }
        let mut a: PackageAnalysis = serde_json::from_str(&self.analysis).ok()?;
        if a.layers.len() != below.len() {
            return None;
        }
        let bytes = added
            .iter()
            .try_fold(0u64, |sum, &(size, _)| sum.checked_add(size))?;
        // A sum that saturated below could come out otherwise in another order.
        a.final_bytes = a.final_bytes.checked_add(bytes).filter(|&b| b < u64::MAX)?;
        a.unowned_bytes = a.unowned_bytes.checked_add(bytes)?;
        a.layers.push(LayerPackages {
            by_package: Vec::new(),
            unowned_bytes: bytes,
        });
        a.largest_unowned = largest(std::mem::take(&mut a.largest_unowned), &added);
        let mut nodes = self.owner_nodes;
        nodes.push(vec![u32::MAX; top.entries.len()]);
        if by_path {
            a.owners = owners(scans, &nodes);
        }
        a.owner_nodes = nodes;
        Some((a, self.reuse))
    }
}

/// The package analysis of `scans` made through the image below the top layer: that one's
/// analysis, kept as a [`Snapshot`] for the next rebuild that changes the top layer, then
/// extended. None when the top layer is not neutral (decided before analysing anything
/// where the layer alone tells; the rest after). `below_merged`: the merge of the image
/// below, when the caller has it.
pub fn through_below(
    scans: &[Arc<LayerScan>],
    merged: &Merged,
    below_merged: Option<Merged>,
) -> Option<(PackageAnalysis, Reuse, Snapshot)> {
    let (top, below) = scans.split_last()?;
    // The statuses first: a layer that rewrites a path below (a chmod copy) fails at its
    // first such file, before every path is classified.
    if below.is_empty()
        || added_files(top, merged.changes.last()?, None).is_none()
        || !may_be_neutral(top)
    {
        return None;
    }
    let below_merged = below_merged.unwrap_or_else(|| Merged::build(below));
    let (mut a, reuse) = super::attribute_for_reuse(below, &below_merged);
    let snap = Snapshot::new(&mut a, reuse?)?;
    let (a, reuse) = snap.clone().extend_checked(scans, merged, true, true)?;
    Some((a, reuse, snap))
}

/// Whether `top` can be neutral over some image, as far as the layer alone tells: no
/// whiteout, opaque marker, link or device, database file, Go or cargo-auditable binary or
/// Java archive.
pub fn may_be_neutral(top: &LayerScan) -> bool {
    let captured = &top.captured;
    let binaries = captured.jars.is_empty()
        && (captured.elf.iter()).all(|(_, e)| e.go.is_none() && e.crates.is_empty());
    let entries = (top.entries.iter())
        .all(|e| matches!(e.kind, EntryKind::File | EntryKind::Dir) && classify(&e.path).is_none());
    top.whiteouts.is_empty() && top.opaque_dirs.is_empty() && binaries && entries
}

/// The new regular files of a top layer that adds only regular files and directories at
/// paths the tree below lacks (size, path); None when it does anything else. With `reuse`,
/// also None when a file is at a path some package below claims. The layer is neutral
/// when this and [`may_be_neutral`] hold.
fn added_files<'a>(
    top: &'a LayerScan,
    changes: &LayerChanges,
    reuse: Option<&Reuse>,
) -> Option<Vec<(u64, &'a str)>> {
    if changes.status.len() != top.entries.len() {
        return None;
    }
    let has = |list: &[Box<str>], path: &str| list.binary_search_by(|p| (**p).cmp(path)).is_ok();
    let mut files = Vec::new();
    for (e, status) in top.entries.iter().zip(&changes.status) {
        match (e.kind, status) {
            (EntryKind::Dir, Change::Added | Change::Unchanged) => {}
            (EntryKind::File, Change::Added) => {
                // Every directory above the file, the nearest package directory among them.
                let mut dirs = e.path.match_indices('/').map(|(i, _)| &e.path[..i]);
                let claimed = reuse.is_some_and(|r| {
                    has(&r.claimed_absent, &e.path) || dirs.any(|d| has(&r.claimed_dirs, d))
                });
                if claimed {
                    return None;
                }
                files.push((e.size, &*e.path));
            }
            _ => return None,
        }
    }
    Some(files)
}

/// The largest unowned files once `added` join `kept` (the largest below): the same top
/// list the whole analysis keeps, largest (size, path) first, then by size and path.
fn largest(kept: Vec<(String, u64)>, added: &[(u64, &str)]) -> Vec<(String, u64)> {
    let mut all: Vec<(u64, String)> = kept.into_iter().map(|(p, b)| (b, p)).collect();
    all.extend(added.iter().map(|&(b, p)| (b, p.to_string())));
    all.sort_unstable_by(|a, b| b.cmp(a));
    all.truncate(super::largest::LARGEST_UNOWNED);
    let mut out: Vec<(String, u64)> = all.into_iter().map(|(b, p)| (p, b)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The owners by path, from the owners by node (every owned node is in the final tree).
fn owners(scans: &[Arc<LayerScan>], nodes: &[Vec<u32>]) -> HashMap<Arc<str>, u32> {
    let count = nodes.iter().flatten().filter(|&&i| i != u32::MAX).count();
    let mut by_path = HashMap::with_capacity(count);
    for (scan, layer) in scans.iter().zip(nodes) {
        for (e, &i) in scan.entries.iter().zip(layer) {
            if i != u32::MAX {
                by_path.insert(e.path.clone(), i);
            }
        }
    }
    by_path
}

#[cfg(test)]
#[path = "prefix_tests.rs"]
pub(super) mod tests;
