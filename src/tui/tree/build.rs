//! Building a [`Tree`] from one layer's scan, the filesystem as of a layer, or the merged
//! filesystem. One pass over the entries with a path → node map for directories; removed
//! entries come back as the entries they were (a deleted directory stays a directory with
//! its files); then one reverse pass adds sizes up (a child always has a higher index than
//! its parent, because parents are made first).

use super::{NO_LAYER, Node, SortBy, Status, Tree, TreeMode};
use crate::image::merge::{Change, LayerChanges, Merged, NodeRef, Shadowed};
use crate::image::{Entry, EntryKind, LayerScan, SharedPath};
use std::collections::HashMap;
use std::sync::Arc;

/// FxHash (rustc's): paths are not attacker-chosen keys here in any way that matters for a
/// local view, and SipHash was a quarter of the build time on 600k entries.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

struct Builder {
    nodes: Vec<Node>,
    /// Directories by full path (files are never looked up: scans and the merged tree hold
    /// each path once). Keys share the entries' strings: an implied directory's path is the
    /// leading bytes of the path that implied it, so memory stays linear in path bytes.
    index: FxMap<SharedPath, u32>,
    /// The parent of the previous entry: tar order and the merged tree's order keep a
    /// directory's entries together, so most lookups end here.
    last_parent: Option<(SharedPath, u32)>,
    /// Nodes made up as parents: their status follows their children.
    implied: Vec<bool>,
    /// Every node by path, made on the first removal that needs to find a file.
    all: Option<FxMap<SharedPath, u32>>,
}

impl Builder {
    fn new(capacity: usize) -> Builder {
        let root = Node {
            path: SharedPath::from(""),
            name_at: 0,
            parent: 0,
            children: Vec::new(),
            size: 0,
            removed: 0,
            kind: EntryKind::Dir,
            status: Status::Unchanged,
            mode: 0o755,
            uid: 0,
            gid: 0,
            layer: NO_LAYER,
            entry: 0,
        };
        let mut index = FxMap::default();
        index.reserve(capacity / 8);
        index.insert(root.path.clone(), 0);
        let mut nodes = Vec::with_capacity(capacity + 1);
        nodes.push(root);
        Builder {
            nodes,
            index,
            last_parent: None,
            implied: vec![true],
            all: None,
        }
    }

    /// The directory node for `full[..len]`, made (with its missing parents) when absent.
    /// Iterative: a path 100 000 levels deep must not recurse that deep.
    fn parent(&mut self, full: &Arc<str>, len: usize) -> u32 {
        let path = full.get(..len).unwrap_or_default();
        if let Some((p, id)) = &self.last_parent
            && **p == *path
        {
            return *id;
        }
        // Up to the nearest directory already made ("" is the root, always there), then
        // down again making the missing ones.
        let mut missing = Vec::new();
        let mut at = len;
        let mut id = loop {
            let here = full.get(..at).unwrap_or_default();
            if let Some(&id) = self.index.get(here) {
                break id;
            }
            missing.push(at);
            at = here.rfind('/').unwrap_or(0);
        };
        for &end in missing.iter().rev() {
            id = self.make(SharedPath::prefix(full, end), id, true);
        }
        self.last_parent = Some((SharedPath::prefix(full, len), id));
        id
    }

    /// A new node for `path` below `parent`, indexed when it is a directory.
    fn make(&mut self, path: SharedPath, parent: u32, dir: bool) -> u32 {
        let name_at = path.rfind('/').map_or(0, |i| i + 1);
        let id = self.nodes.len() as u32;
        if dir {
            self.index.insert(path.clone(), id);
        }
        if let Some(all) = &mut self.all {
            all.insert(path.clone(), id);
        }
        self.nodes.push(Node {
            path,
            name_at: name_at as u32,
            parent,
            children: Vec::new(),
            size: 0,
            removed: 0,
            kind: EntryKind::Dir,
            status: Status::Unchanged,
            mode: 0o755,
            uid: 0,
            gid: 0,
            layer: NO_LAYER,
            entry: 0,
        });
        self.implied.push(true);
        self.nodes[parent as usize].children.push(id);
        id
    }

    /// The node for `path`: looked up and indexed when it is a directory, else made.
    fn node_for(&mut self, path: &Arc<str>, dir: bool) -> u32 {
        if dir && let Some(&id) = self.index.get(&**path) {
            return id;
        }
        let parent = self.parent(path, path.rfind('/').unwrap_or(0));
        self.make(SharedPath::from(path.clone()), parent, dir)
    }

    fn put(&mut self, e: &Entry, at: NodeRef, status: Status) {
        let id = self.node_for(&e.path, e.kind.is_dir());
        let n = &mut self.nodes[id as usize];
        n.kind = e.kind;
        n.size = if e.kind == EntryKind::File { e.size } else { 0 };
        n.status = status;
        n.mode = e.mode;
        n.uid = e.uid;
        n.gid = e.gid;
        n.layer = at.layer;
        n.entry = at.entry;
        self.implied[id as usize] = false;
    }

    /// The node at `path`, whatever its kind.
    fn existing(&mut self, path: &str) -> Option<u32> {
        let nodes = &self.nodes;
        let all = self.all.get_or_insert_with(|| {
            nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.path.clone(), i as u32))
                .collect()
        });
        all.get(path).copied()
    }

    /// A lower entry this view's layer removed, drawn as what it was (a directory stays a
    /// directory) unless something live holds its path.
    fn ghost(&mut self, e: &Entry, at: NodeRef) {
        if self.existing(&e.path).is_some() {
            return;
        }
        let id = self.node_for(&e.path, e.kind.is_dir());
        let n = &mut self.nodes[id as usize];
        n.kind = e.kind;
        n.status = Status::Removed;
        n.mode = e.mode;
        n.uid = e.uid;
        n.gid = e.gid;
        n.layer = at.layer;
        n.entry = at.entry;
        self.implied[id as usize] = false;
    }

    /// Bytes of a lower file this view's layer hid, counted at its path.
    fn hidden_bytes(&mut self, path: &Arc<str>, bytes: u64) {
        let id = match self.existing(path) {
            Some(id) => id,
            None => {
                let id = self.node_for(path, false);
                let n = &mut self.nodes[id as usize];
                (n.kind, n.status) = (EntryKind::File, Status::Removed);
                self.implied[id as usize] = false;
                id
            }
        };
        self.nodes[id as usize].removed += bytes;
    }

    /// Ghosts for `gone` and removed bytes for `shadowed` (each already chosen for the view).
    fn removals<'a>(
        &mut self,
        scans: &[Arc<LayerScan>],
        gone: impl Iterator<Item = &'a NodeRef>,
        shadowed: impl Iterator<Item = &'a Shadowed>,
    ) {
        for &at in gone {
            if let Some(e) = entry(scans, at) {
                self.ghost(e, at);
            }
        }
        for s in shadowed {
            if let Some(e) = entry(scans, s.at) {
                self.hidden_bytes(&e.path, s.bytes);
            }
        }
    }

    fn finish(mut self, mode: TreeMode, complete: bool) -> Tree {
        // Children come after parents, so one reverse pass sums every subtree, live and
        // removed bytes apart. A directory made up only as a parent of removed entries is
        // removed itself.
        for i in (1..self.nodes.len()).rev() {
            if self.implied[i] && !self.nodes[i].children.is_empty() {
                let all_removed = self.nodes[i]
                    .children
                    .iter()
                    .all(|&c| self.nodes[c as usize].status == Status::Removed);
                if all_removed {
                    self.nodes[i].status = Status::Removed;
                }
            }
            let n = &self.nodes[i];
            let (size, removed, parent) = (n.size, n.removed, n.parent as usize);
            self.nodes[parent].size += size;
            self.nodes[parent].removed += removed;
        }
        let mut tree = Tree {
            mode,
            nodes: self.nodes,
            sorted_by: SortBy::Name,
            complete,
        };
        tree.sort(SortBy::Size);
        tree
    }
}

fn entry(scans: &[Arc<LayerScan>], at: NodeRef) -> Option<&Entry> {
    scans.get(at.layer as usize)?.entries.get(at.entry as usize)
}

fn status_of(change: Change) -> Status {
    match change {
        Change::Added => Status::Added,
        Change::Modified => Status::Modified,
        Change::Unchanged => Status::Unchanged,
    }
}

/// What layer `layer`'s tar holds, with what it removed below. `scans` are every layer's
/// (the removed entries are lower layers'); `merged` is None before the merge has run:
/// statuses show as unknown.
pub fn layer(scans: &[Arc<LayerScan>], layer: usize, merged: Option<&Merged>) -> Tree {
    let Some(scan) = scans.get(layer) else {
        return Builder::new(0).finish(TreeMode::Layer(layer), merged.is_some());
    };
    let changes: Option<&LayerChanges> = merged.and_then(|m| m.changes.get(layer));
    let mut b = Builder::new(scan.entries.len());
    for (i, e) in scan.entries.iter().enumerate() {
        let status = changes
            .and_then(|c| c.status.get(i))
            .map_or(Status::Unknown, |&c| status_of(c));
        let at = NodeRef {
            layer: layer as u32,
            entry: i as u32,
        };
        b.put(e, at, status);
    }
    if let (Some(m), Some(c)) = (merged, changes) {
        let by = |s: &&Shadowed| s.by_layer as usize == layer;
        b.removals(scans, c.gone.iter(), m.shadowed.iter().filter(by));
    }
    b.finish(TreeMode::Layer(layer), changes.is_some())
}

/// The final filesystem. A path last written by layer 0 is unchanged; later writes show as
/// added or modified (relative to the filesystem below them); paths some layer removed and
/// none re-created show as removed, and every byte a layer stored that the final
/// filesystem does not show is counted where it was.
pub fn image(scans: &[Arc<LayerScan>], merged: &Merged) -> Tree {
    let mut b = merged_tree(scans, merged, None);
    // The latest removal of a path draws it.
    let gone = merged.changes.iter().rev().flat_map(|c| c.gone.iter());
    b.removals(scans, gone, merged.shadowed.iter());
    b.finish(TreeMode::Image, true)
}

/// The filesystem as of layer `layer` (layers 0..=layer merged), that layer's changes
/// marked and what it removed shown; the rest unchanged. dive's default view. Needs only
/// the scans up to `layer`: merging is causal, so no later layer changes what it shows.
pub fn as_of(scans: &[Arc<LayerScan>], layer: usize) -> Tree {
    let upto = &scans[..(layer + 1).min(scans.len())];
    let merged = Merged::build(upto);
    let mut b = merged_tree(upto, &merged, Some(layer as u32));
    if let Some(c) = merged.changes.get(layer) {
        let by = |s: &&Shadowed| s.by_layer as usize == layer;
        b.removals(upto, c.gone.iter(), merged.shadowed.iter().filter(by));
    }
    b.finish(TreeMode::AsOf(layer), true)
}

/// The live paths of `merged`: statuses of `only` layer's entries (every layer's above 0
/// when None), the rest unchanged.
fn merged_tree(scans: &[Arc<LayerScan>], merged: &Merged, only: Option<u32>) -> Builder {
    let mut b = Builder::new(merged.tree.len());
    for &at in merged.tree.values() {
        let Some(e) = entry(scans, at) else {
            continue;
        };
        let marked = match only {
            Some(l) => at.layer == l,
            None => at.layer != 0,
        };
        let status = if marked {
            merged
                .changes
                .get(at.layer as usize)
                .and_then(|c| c.status.get(at.entry as usize))
                .map_or(Status::Unknown, |&c| status_of(c))
        } else {
            Status::Unchanged
        };
        b.put(e, at, status);
    }
    b
}

/// A tree to build off the UI thread: everything it needs, shared.
#[derive(Debug, Clone)]
pub struct TreeJob {
    pub mode: TreeMode,
    /// Every layer's scan (a layer's removed entries are lower layers').
    pub scans: Vec<Arc<LayerScan>>,
    pub analysis: Option<Arc<crate::analysis::Analysis>>,
}

impl TreeJob {
    pub fn run(&self) -> Option<Tree> {
        let merged = self.analysis.as_ref().map(|a| &a.merged);
        match self.mode {
            TreeMode::Image => Some(image(&self.scans, merged?)),
            TreeMode::AsOf(i) => Some(as_of(&self.scans, i)),
            TreeMode::Layer(i) => Some(layer(&self.scans, i, merged)),
        }
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
