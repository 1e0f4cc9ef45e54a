//! The merged tree of a comparison as the app's tree arena, so the compare view gets the
//! single-image tree's collapse, filter, sort and rows for free. One node per path of
//! either image; beside the arena, what each side has at that node. A node's `size` is how
//! much it changed (|delta| of a file, Σ|delta| below a directory), so "sort by size" puts
//! the largest changes first.

use crate::analysis::compare::tree::{Status as Diff, TreeDiff, parent};
use crate::image::EntryKind;
use crate::tui::tree::{NO_LAYER, Node, SortBy, Status, Tree, TreeMode};
use std::collections::HashMap;
use std::sync::Arc;

/// What the two images have at one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    pub status: Diff,
    /// The path exists on that side.
    pub in_left: bool,
    pub in_right: bool,
    /// Regular-file bytes at or below the node.
    pub left_bytes: u64,
    pub right_bytes: u64,
}

impl Sides {
    pub fn delta(&self) -> i64 {
        crate::analysis::compare::signed_delta(self.left_bytes, self.right_bytes)
    }
}

/// The compare status in the app's vocabulary, so the tree's status filter works as is:
/// only on the right reads as added, only on the left as removed.
pub fn status(s: Diff) -> Status {
    match s {
        Diff::OnlyLeft => Status::Removed,
        Diff::OnlyRight => Status::Added,
        Diff::Changed => Status::Modified,
        Diff::Same => Status::Unchanged,
    }
}

/// Builds the arena: every directory and entry of the diff, parents first (a parent's path
/// is a prefix of its children's, so it sorts before them), sorted by change.
pub fn build(t: &TreeDiff) -> (Tree, Vec<Sides>) {
    let root_sides = t.dirs.get("").map_or(
        Sides {
            status: Diff::Same,
            in_left: true,
            in_right: true,
            left_bytes: 0,
            right_bytes: 0,
        },
        |a| Sides {
            status: a.status,
            in_left: a.in_left,
            in_right: a.in_right,
            left_bytes: a.left_bytes,
            right_bytes: a.right_bytes,
        },
    );
    let mut nodes = vec![node(Arc::from(""), 0, EntryKind::Dir, 0, root_sides.status)];
    let mut sides = vec![root_sides];
    let mut index: HashMap<&str, u32> = HashMap::from([("", 0)]);
    let dirs = t.dirs.iter().filter(|(d, _)| !d.is_empty()).peekable();
    // Entries that are also directories (a directory on one side, a file on the other with
    // children below) are shown once, as the directory.
    let entries = t
        .paths
        .iter()
        .filter(|p| !t.dirs.contains_key(&*p.path))
        .peekable();
    let mut merged: Vec<(&Arc<str>, bool)> = Vec::with_capacity(t.dirs.len() + t.paths.len());
    let (mut dirs, mut entries) = (dirs, entries);
    loop {
        let take_dir = match (dirs.peek(), entries.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((d, _)), Some(p)) => d.as_ref() <= p.path.as_ref(),
        };
        if take_dir {
            if let Some((d, _)) = dirs.next() {
                merged.push((d, true));
            }
        } else if let Some(p) = entries.next() {
            merged.push((&p.path, false));
        }
    }
    for (path, is_dir) in merged {
        let Some(&parent_id) = index.get(parent(path)) else {
            continue;
        };
        let id = nodes.len() as u32;
        let (kind, s) = if is_dir {
            let Some(a) = t.dirs.get(&**path) else {
                continue;
            };
            let s = Sides {
                status: a.status,
                in_left: a.in_left,
                in_right: a.in_right,
                left_bytes: a.left_bytes,
                right_bytes: a.right_bytes,
            };
            (EntryKind::Dir, (s, a.gross))
        } else {
            let Some(p) = t.path(path) else { continue };
            let kind = p.right.or(p.left).map_or(EntryKind::File, |f| f.kind);
            let s = Sides {
                status: p.status,
                in_left: p.left.is_some(),
                in_right: p.right.is_some(),
                left_bytes: p.left_bytes(),
                right_bytes: p.right_bytes(),
            };
            (kind, (s, p.delta().unsigned_abs()))
        };
        let name_at = path.rfind('/').map_or(0, |i| i + 1) as u32;
        nodes.push(node(path.clone(), name_at, kind, parent_id, s.0.status));
        nodes[id as usize].size = s.1;
        nodes[parent_id as usize].children.push(id);
        sides.push(s.0);
        if is_dir {
            index.insert(path, id);
        }
    }
    nodes[0].size = t.dirs.get("").map_or(0, |a| a.gross);
    let mut tree = Tree {
        mode: TreeMode::Image,
        nodes,
        sorted_by: SortBy::Name,
        complete: true,
    };
    tree.sort(SortBy::Size);
    (tree, sides)
}

fn node(path: Arc<str>, name_at: u32, kind: EntryKind, parent: u32, s: Diff) -> Node {
    Node {
        path,
        name_at,
        parent,
        children: Vec::new(),
        size: 0,
        removed: 0,
        kind,
        status: status(s),
        mode: 0,
        uid: 0,
        gid: 0,
        layer: NO_LAYER,
        entry: 0,
    }
}
