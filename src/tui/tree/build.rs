//! Building a [`Tree`] from one layer's scan or from the merged filesystem. One pass over the
//! entries with a path → node map for directories, then one reverse pass to add sizes up
//! (a child always has a higher index than its parent, because parents are made first).

use super::{NO_LAYER, Node, SortBy, Status, Tree, TreeMode};
use crate::image::merge::{Change, LayerChanges, Merged, NodeRef};
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
}

impl Builder {
    fn new(capacity: usize) -> Builder {
        let root = Node {
            path: SharedPath::from(""),
            name_at: 0,
            parent: 0,
            children: Vec::new(),
            size: 0,
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
        self.nodes.push(Node {
            path,
            name_at: name_at as u32,
            parent,
            children: Vec::new(),
            size: 0,
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

    fn removed(&mut self, path: &Arc<str>, bytes: u64) {
        let (parent_len, name) = match path.rfind('/') {
            Some(i) => (i, &path[i + 1..]),
            None => (0, &path[..]),
        };
        let parent = self.parent(path, parent_len);
        let exists = self.nodes[parent as usize]
            .children
            .iter()
            .any(|&c| self.nodes[c as usize].name() == name);
        if exists {
            // Re-created after the removal: the live node wins.
            return;
        }
        let id = self.node_for(path, false);
        let n = &mut self.nodes[id as usize];
        n.kind = EntryKind::File;
        n.size = bytes;
        n.status = Status::Removed;
        self.implied[id as usize] = false;
    }

    fn finish(mut self, mode: TreeMode, complete: bool) -> Tree {
        // Children come after parents, so one reverse pass sums every subtree. Removed bytes
        // add up separately: a removed directory shows what it held, a live one only what
        // is there.
        let mut ghost = vec![0u64; self.nodes.len()];
        for i in (1..self.nodes.len()).rev() {
            let (size, parent) = (self.nodes[i].size, self.nodes[i].parent as usize);
            if self.implied[i] && !self.nodes[i].children.is_empty() {
                let all_removed = self.nodes[i]
                    .children
                    .iter()
                    .all(|&c| self.nodes[c as usize].status == Status::Removed);
                if all_removed {
                    self.nodes[i].status = Status::Removed;
                }
            }
            let status = self.nodes[i].status;
            if status == Status::Removed {
                if self.implied[i] {
                    self.nodes[i].size = ghost[i];
                }
                ghost[parent] += self.nodes[i].size;
            } else {
                self.nodes[parent].size += size;
            }
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

fn status_of(change: Change) -> Status {
    match change {
        Change::Added => Status::Added,
        Change::Modified => Status::Modified,
        Change::Unchanged => Status::Unchanged,
    }
}

/// What layer `layer`'s tar holds, with what it removed below. `changes` is None before
/// the merge has run: statuses show as unknown.
pub fn layer(scan: &LayerScan, layer: usize, changes: Option<&LayerChanges>) -> Tree {
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
    if let Some(c) = changes {
        for (path, bytes) in &c.removed {
            b.removed(path, *bytes);
        }
    }
    b.finish(TreeMode::Layer(layer), changes.is_some())
}

/// The final filesystem. A path last written by layer 0 is unchanged; later writes show as
/// added or modified (relative to the filesystem below them); paths some layer removed and
/// none re-created show as removed.
pub fn image(scans: &[Arc<LayerScan>], merged: &Merged) -> Tree {
    let mut b = Builder::new(merged.tree.len());
    for &at in merged.tree.values() {
        let e = &scans[at.layer as usize].entries[at.entry as usize];
        let status = if at.layer == 0 {
            Status::Unchanged
        } else {
            merged
                .changes
                .get(at.layer as usize)
                .and_then(|c| c.status.get(at.entry as usize))
                .map_or(Status::Unknown, |&c| status_of(c))
        };
        b.put(e, at, status);
    }
    for c in &merged.changes {
        for (path, bytes) in &c.removed {
            b.removed(path, *bytes);
        }
    }
    b.finish(TreeMode::Image, true)
}

/// A tree to build off the UI thread: everything it needs, shared.
#[derive(Debug, Clone)]
pub struct TreeJob {
    pub mode: TreeMode,
    /// Every layer's scan for the whole image; just the one layer's for a layer.
    pub scans: Vec<Arc<LayerScan>>,
    pub analysis: Option<Arc<crate::analysis::Analysis>>,
}

impl TreeJob {
    pub fn run(&self) -> Option<Tree> {
        let merged = self.analysis.as_ref().map(|a| &a.merged);
        match self.mode {
            TreeMode::Image => Some(image(&self.scans, merged?)),
            TreeMode::Layer(i) => {
                let changes = merged.and_then(|m| m.changes.get(i));
                Some(layer(self.scans.first()?, i, changes))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn entry(path: &str, kind: EntryKind, size: u64) -> Entry {
        Entry {
            path: Arc::from(path),
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            link: None,
            hash: size,
        }
    }

    #[test]
    fn parents_are_implied_and_sizes_add_up() -> TestResult {
        // a/            (implied)
        // ├── b/c  10
        // └── d     5
        let scan = LayerScan {
            entries: vec![
                entry("a/b/c", EntryKind::File, 10),
                entry("a/d", EntryKind::File, 5),
                entry("a/b", EntryKind::Dir, 0),
            ],
            ..LayerScan::default()
        };
        let t = layer(&scan, 0, None);
        let a = t.find("a").ok_or("missing")?;
        assert_eq!(t.node(a).size, 15, "a directory's size is the sum below it");
        assert_eq!(
            t.node(t.find("a/b").ok_or("missing")?).status,
            Status::Unknown
        );
        let kids: Vec<&str> = t
            .node(a)
            .children
            .iter()
            .map(|&c| t.node(c).name())
            .collect();
        assert_eq!(kids, ["b", "d"], "sorted by size, largest first");
        assert_eq!(t.root().size, 15);
        Ok(())
    }

    #[test]
    fn removed_paths_show_but_do_not_count() -> TestResult {
        let lower = LayerScan {
            entries: vec![entry("x/big", EntryKind::File, 100)],
            ..LayerScan::default()
        };
        let upper = LayerScan {
            entries: vec![entry("y", EntryKind::File, 1)],
            whiteouts: vec![Arc::from("x/big")],
            ..LayerScan::default()
        };
        let scans = vec![Arc::new(lower), Arc::new(upper)];
        let merged = Merged::build(&scans);
        let t = layer(&scans[1], 1, merged.changes.get(1));
        let big = t.find("x/big").ok_or("missing")?;
        assert_eq!(t.node(big).status, Status::Removed);
        let x = t.node(t.find("x").ok_or("missing")?);
        assert_eq!(
            (x.status, x.size),
            (Status::Removed, 100),
            "x held what was removed"
        );
        assert_eq!(
            t.root().size,
            1,
            "removed bytes are not part of the layer's size"
        );
        let whole = image(&scans, &merged);
        assert_eq!(
            whole.node(whole.find("y").ok_or("missing")?).status,
            Status::Added
        );
        assert_eq!(
            whole.node(whole.find("x/big").ok_or("missing")?).status,
            Status::Removed
        );
        Ok(())
    }
}
