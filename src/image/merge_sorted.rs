//! A layer about as big as the tree below it (a `chmod -R` or `chown -R` of the image, a
//! rebuilt application tree), merged in one ordered pass: its paths sorted, joined with the
//! tree's in order, and the tree rebuilt by one merge of the two sorted sequences. Searching
//! the tree once per entry cost a B-tree descent of path comparisons each, 90k descents for
//! the generated 90k-file chmod copy: most of its merge, on the way to every analysis.

use super::{Change, LayerChanges, Merged, NodeRef, entry_at};
use crate::image::entry::LayerScan;
use std::collections::BTreeMap;
use std::sync::Arc;

impl Merged {
    /// Applies layer `li` (`scan`) as [`Merged::apply_entry`] would entry by entry, when
    /// that provably gives the same: no two entries share a path, and none replaces a
    /// directory by something else (which removes the directory's lower subtree). Each
    /// entry then meets, whatever the order, the reference the tree held before the layer,
    /// so statuses, shadowed files and same-content copies are made from those in entry
    /// order, as one by one. False, the tree untouched, when it is not so or the layer is
    /// small next to the tree (a descent per entry is then cheaper than a pass over all).
    pub(super) fn apply_sorted(
        &mut self,
        scans: &[Arc<LayerScan>],
        scan: &LayerScan,
        li: u32,
        changes: &mut LayerChanges,
    ) -> bool {
        let entries = &scan.entries;
        if entries.len() < 2 || entries.len().saturating_mul(2) < self.tree.len() {
            return false;
        }
        let Some((order, lowers)) = self.lowers(scans, scan) else {
            return false;
        };
        // Every path of the layer already in the tree (a chmod copy): its references are
        // replaced in place, with no tree to build, merge in and free.
        let rewrites_only = lowers.iter().all(Option::is_some);
        for (ei, (entry, lower)) in entries.iter().zip(lowers).enumerate() {
            let at = NodeRef {
                layer: li,
                entry: ei as u32,
            };
            let status = match lower {
                Some(lower) => self.over_lower(scans, entry, lower, at, changes),
                None => Change::Added,
            };
            changes.record(status);
        }
        if rewrites_only {
            self.replace_in_place(&order, scan, li);
            return true;
        }
        let mut upper: BTreeMap<Arc<str>, NodeRef> = (order.iter())
            .map(|&ei| {
                let at = NodeRef {
                    layer: li,
                    entry: ei,
                };
                (entries[ei as usize].path.clone(), at)
            })
            .collect();
        // One merge of both sorted trees; on a path in both, the layer's reference wins.
        self.tree.append(&mut upper);
        true
    }

    /// Points the tree at layer `li`'s entries, visited in path `order`, every one of whose
    /// paths the tree has: one ordered pass over both. A key stays the one below (equal to
    /// the entry's path), as entry by entry.
    fn replace_in_place(&mut self, order: &[u32], scan: &LayerScan, li: u32) {
        let mut tree = self.tree.iter_mut();
        for &ei in order {
            let path = &*scan.entries[ei as usize].path;
            for (key, at) in tree.by_ref() {
                if **key == *path {
                    *at = NodeRef {
                        layer: li,
                        entry: ei,
                    };
                    break;
                }
            }
        }
    }

    /// The layer's entry indices in path order, and the reference the tree holds at each
    /// entry's path (by entry index); None when two entries share a path or one replaces a
    /// directory by something else.
    fn lowers(
        &self,
        scans: &[Arc<LayerScan>],
        scan: &LayerScan,
    ) -> Option<(Vec<u32>, Vec<Option<NodeRef>>)> {
        let entries = &scan.entries;
        let path = |ei: u32| &*entries[ei as usize].path;
        let n = u32::try_from(entries.len()).ok()?;
        let mut order: Vec<u32> = (0..n).collect();
        // Stable, and linear on a tar already in path order.
        order.sort_by(|&a, &b| path(a).cmp(path(b)));
        if order.windows(2).any(|w| path(w[0]) == path(w[1])) {
            return None;
        }
        let mut lowers = vec![None; entries.len()];
        let mut below = self.tree.iter().peekable();
        for &ei in &order {
            let p = path(ei);
            while below.next_if(|(k, _)| &***k < p).is_some() {}
            let Some((_, &lower)) = below.next_if(|(k, _)| &***k == p) else {
                continue;
            };
            let entry = &entries[ei as usize];
            if entry_at(scans, lower).kind.is_dir() && !entry.kind.is_dir() {
                return None;
            }
            lowers[ei as usize] = Some(lower);
        }
        Some((order, lowers))
    }
}
