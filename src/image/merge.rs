//! Applies layers in order to build the final filesystem, and accounts for every byte that
//! does not reach it: overwritten by a later layer, deleted by a whiteout, or hidden by an
//! opaque directory. dive counts none of the last two (../shared/DOMAIN.md §6); we count all.

use super::entry::{Entry, EntryKind, LayerScan};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, btree_map};
use std::ops::Bound;
use std::sync::Arc;

/// Where a path of the merged tree was last written: layer index and entry index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRef {
    pub layer: u32,
    pub entry: u32,
}

/// How a layer's entry relates to the filesystem below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Modified,
    /// A directory repeated with the same mode and owner (tar parents of changed files).
    Unchanged,
}

/// Why bytes of a lower layer are not in the final filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WasteKind {
    Overwritten,
    Deleted,
    OpaqueHidden,
}

/// A regular file of some layer that the final filesystem does not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The layer that wrote the file, and its entry there.
    pub at: NodeRef,
    pub bytes: u64,
    pub kind: WasteKind,
    /// The layer whose whiteout, opaque marker or new entry hid it.
    pub by_layer: u32,
}

/// A file rewritten by a later layer with identical content (`chmod -R`, `chown -R`, or a
/// `chmod` that changed nothing: overlay copies the file up either way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameContent {
    pub lower: NodeRef,
    pub upper: NodeRef,
    pub bytes: u64,
    /// Mode or owner differ; false means a byte-for-byte and metadata-identical copy.
    pub metadata_changed: bool,
}

/// What one layer did to the filesystem below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// Parallel to the layer's entries.
    pub status: Vec<Change>,
    /// Paths of lower layers this layer removed (whiteout targets, opaque-hidden children,
    /// directories replaced by non-directories), with the regular-file bytes under each.
    pub removed: Vec<(Arc<str>, u64)>,
    /// Every lower entry this layer removed (files, directories, links), so a view can draw
    /// a deleted directory as the directory it was, with what it held.
    pub gone: Vec<NodeRef>,
    pub added: usize,
    pub modified: usize,
}

impl LayerChanges {
    /// Counts an entry's status and keeps it, in entry order.
    fn record(&mut self, status: Change) {
        match status {
            Change::Added => self.added += 1,
            Change::Modified => self.modified += 1,
            Change::Unchanged => {}
        }
        self.status.push(status);
    }
}

/// The merged view of all layers.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The final filesystem: every visible path and where it was last written.
    pub tree: BTreeMap<Arc<str>, NodeRef>,
    pub changes: Vec<LayerChanges>,
    pub shadowed: Vec<Shadowed>,
    pub same_content: Vec<SameContent>,
    /// Files a later layer removed, rewrote or hid under their own name while a hard link
    /// of the same layer still names them: (the surviving link, the file). The inode and
    /// its bytes stay in the final filesystem, counted once, on the link.
    pub kept_by_link: Vec<(NodeRef, NodeRef)>,
}

impl Merged {
    /// Builds the merged view. Linear in entries: every removal is a B-tree range walk over
    /// the removed paths only.
    pub fn build(scans: &[Arc<LayerScan>]) -> Merged {
        Merged::build_with(scans, true)
    }

    /// [`Merged::build`], big layers merged in one ordered pass when `ordered` (the same
    /// result; tests build it both ways).
    fn build_with(scans: &[Arc<LayerScan>], ordered: bool) -> Merged {
        let mut m = Merged::default();
        for (li, scan) in scans.iter().enumerate() {
            let li = li as u32;
            let changes = match m.tree.is_empty() {
                true => m.first_layer(scan, li),
                false => None,
            };
            let changes = changes.unwrap_or_else(|| m.apply_layer(scans, scan, li, ordered));
            m.changes.push(changes);
        }
        m.keep_linked_files(scans);
        m
    }

    /// A layer over an empty tree (the base layer): every entry is added, and the tree is
    /// built from its sorted paths in one pass rather than by a search per entry. None when
    /// a path repeats (only a hand-built scan has that; the walk keeps the last one).
    fn first_layer(&mut self, scan: &LayerScan, li: u32) -> Option<LayerChanges> {
        let n = scan.entries.len();
        let tree: BTreeMap<Arc<str>, NodeRef> = (scan.entries.iter().enumerate())
            .map(|(ei, e)| {
                let at = NodeRef {
                    layer: li,
                    entry: ei as u32,
                };
                (e.path.clone(), at)
            })
            .collect();
        if tree.len() != n {
            return None;
        }
        self.tree = tree;
        // Whiteouts and opaque markers remove nothing from an empty tree.
        Some(LayerChanges {
            status: vec![Change::Added; n],
            added: n,
            ..Default::default()
        })
    }

    /// What one layer does to the tree below it.
    fn apply_layer(
        &mut self,
        scans: &[Arc<LayerScan>],
        scan: &LayerScan,
        li: u32,
        ordered: bool,
    ) -> LayerChanges {
        let mut changes = LayerChanges::default();
        // Opaque markers apply first, wherever they sit in the tar (layer.md).
        for dir in &scan.opaque_dirs {
            let tops = self.remove_under(
                scans,
                dir,
                false,
                (WasteKind::OpaqueHidden, li),
                &mut changes.gone,
            );
            changes.removed.extend(tops);
        }
        for path in &scan.whiteouts {
            if let Some(bytes) = self.remove_path(scans, path, li, &mut changes.gone) {
                changes.removed.push((path.clone(), bytes));
            }
        }
        changes.status.reserve(scan.entries.len());
        if ordered && self.apply_sorted(scans, scan, li, &mut changes) {
            return changes;
        }
        for (ei, entry) in scan.entries.iter().enumerate() {
            let at = NodeRef {
                layer: li,
                entry: ei as u32,
            };
            let status = self.apply_entry(scans, entry, at, &mut changes);
            changes.record(status);
        }
        changes
    }

    /// A hard link is another name for its target's inode: while any name survives, so do
    /// the bytes (what overlayfs and an unpacked layer hold). Moves each shadowed file that
    /// a surviving link of its layer names out of the waste into `kept_by_link`.
    fn keep_linked_files(&mut self, scans: &[Arc<LayerScan>]) {
        let mut links: std::collections::HashMap<(u32, &str), Vec<u32>> = Default::default();
        // By layer index, not a hashed set: this runs for every shadowed file (a chmod -R
        // of 90k files shadows 90k), nearly always with no hard link anywhere.
        let mut indexed = vec![false; scans.len()];
        let mut kept = Vec::new();
        self.shadowed.retain(|s| {
            let layer = s.at.layer;
            if !std::mem::replace(&mut indexed[layer as usize], true) {
                for (i, e) in scans[layer as usize].entries.iter().enumerate() {
                    if let (EntryKind::Hardlink, Some(t)) = (e.kind, &e.link) {
                        links.entry((layer, &**t)).or_default().push(i as u32);
                    }
                }
            }
            if links.is_empty() {
                return true;
            }
            let path = &*entry_at(scans, s.at).path;
            let survivor = links
                .get(&(layer, path))
                .into_iter()
                .flatten()
                .find(|&&li| {
                    let link = &scans[layer as usize].entries[li as usize];
                    let at = NodeRef { layer, entry: li };
                    self.tree.get(&link.path) == Some(&at)
                });
            match survivor {
                Some(&li) => {
                    kept.push((NodeRef { layer, entry: li }, s.at));
                    false
                }
                None => true,
            }
        });
        self.kept_by_link = kept;
    }

    fn apply_entry(
        &mut self,
        scans: &[Arc<LayerScan>],
        entry: &Entry,
        at: NodeRef,
        changes: &mut LayerChanges,
    ) -> Change {
        // One search of the tree per entry: the new reference goes in whatever was there.
        let lower = match self.tree.entry(entry.path.clone()) {
            btree_map::Entry::Vacant(v) => {
                v.insert(at);
                return Change::Added;
            }
            btree_map::Entry::Occupied(mut o) => std::mem::replace(o.get_mut(), at),
        };
        self.over_lower(scans, entry, lower, at, changes)
    }

    /// What `entry`, written at `at`, does to `lower`, the reference it replaced in the
    /// tree: its status, the bytes it shadows, and (a directory replaced by something else)
    /// the lower subtree it removes.
    fn over_lower(
        &mut self,
        scans: &[Arc<LayerScan>],
        entry: &Entry,
        lower: NodeRef,
        at: NodeRef,
        changes: &mut LayerChanges,
    ) -> Change {
        let old = entry_at(scans, lower);
        let status = if old.kind.is_dir() && entry.kind.is_dir() {
            if (old.mode, old.uid, old.gid) == (entry.mode, entry.uid, entry.gid) {
                Change::Unchanged
            } else {
                Change::Modified
            }
        } else {
            Change::Modified
        };
        if old.kind == EntryKind::File {
            self.shadowed.push(Shadowed {
                at: lower,
                bytes: old.size,
                kind: WasteKind::Overwritten,
                by_layer: at.layer,
            });
            if entry.kind == EntryKind::File && entry.size == old.size && entry.hash == old.hash {
                self.same_content.push(SameContent {
                    lower,
                    upper: at,
                    bytes: old.size,
                    metadata_changed: (old.mode, old.uid, old.gid)
                        != (entry.mode, entry.uid, entry.gid),
                });
            }
        } else if old.kind.is_dir() && !entry.kind.is_dir() {
            // A directory replaced by a file: its whole lower subtree goes.
            let path = entry.path.clone();
            let removed = self.remove_under(
                scans,
                &path,
                false,
                (WasteKind::Overwritten, at.layer),
                &mut changes.gone,
            );
            let bytes = removed.iter().map(|(_, b)| *b).fold(0, u64::saturating_add);
            if !removed.is_empty() {
                changes.removed.push((path, bytes));
            }
        }
        status
    }

    /// Removes `path` and everything under it (a whiteout); None when nothing was there.
    fn remove_path(
        &mut self,
        scans: &[Arc<LayerScan>],
        path: &Arc<str>,
        by_layer: u32,
        gone: &mut Vec<NodeRef>,
    ) -> Option<u64> {
        let existed = self.tree.contains_key(&**path);
        let under = self.remove_under(scans, path, true, (WasteKind::Deleted, by_layer), gone);
        if !existed && under.is_empty() {
            return None;
        }
        Some(under.iter().map(|(_, b)| *b).fold(0, u64::saturating_add))
    }

    /// Removes everything below `dir` (and `dir` itself when `inclusive`), recording shadowed
    /// files (why, and by which layer) and every removed entry in `gone`. Returns the removed
    /// paths that sit directly in `dir` (or `dir` itself) with the file bytes under each.
    fn remove_under(
        &mut self,
        scans: &[Arc<LayerScan>],
        dir: &str,
        inclusive: bool,
        (kind, by_layer): (WasteKind, u32),
        gone: &mut Vec<NodeRef>,
    ) -> Vec<(Arc<str>, u64)> {
        // The root (an opaque marker at the top of a layer) has every path under it.
        let lo = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // '0' is the byte after '/', so this range is exactly the paths under `dir/`.
        let hi = format!("{dir}0");
        let hi = match dir.is_empty() {
            true => Bound::Unbounded,
            false => Bound::Excluded(hi.as_str()),
        };
        let mut keys: Vec<Arc<str>> = self
            .tree
            .range::<str, _>((Bound::Included(lo.as_str()), hi))
            .map(|(k, _)| k.clone())
            .collect();
        if inclusive && self.tree.contains_key(dir) {
            keys.push(Arc::from(dir));
        }
        let mut tops: BTreeMap<Arc<str>, u64> = BTreeMap::new();
        for key in keys {
            let Some(at) = self.tree.remove(&*key) else {
                continue;
            };
            gone.push(at);
            let e = entry_at(scans, at);
            let bytes = if e.kind == EntryKind::File { e.size } else { 0 };
            if e.kind == EntryKind::File {
                self.shadowed.push(Shadowed {
                    at,
                    bytes,
                    kind,
                    by_layer,
                });
            }
            let top = if inclusive {
                Arc::from(dir)
            } else {
                let rest = &key[lo.len()..];
                let first = rest.split('/').next().unwrap_or(rest);
                Arc::from(format!("{lo}{first}"))
            };
            let t = tops.entry(top).or_default();
            *t = t.saturating_add(bytes);
        }
        tops.into_iter().collect()
    }

    /// The entry a merged-tree reference points at.
    pub fn entry<'a>(&self, scans: &'a [Arc<LayerScan>], at: NodeRef) -> &'a Entry {
        entry_at(scans, at)
    }
}

fn entry_at(scans: &[Arc<LayerScan>], at: NodeRef) -> &Entry {
    &scans[at.layer as usize].entries[at.entry as usize]
}

#[path = "merge_sorted.rs"]
mod sorted;

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
