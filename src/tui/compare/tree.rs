//! The merged tree of a comparison as the app's tree arena, so the compare view gets the
//! single-image tree's collapse, filter, sort and rows for free. One node per path of
//! either image; beside the arena, what each side has at that node. A node's `size` is how
//! much it changed (|delta| of a file, Σ|delta| below a directory), so "sort by size" puts
//! the largest changes first.

use crate::analysis::compare::tree::{DirAgg, Status as Diff, TreeDiff};
use crate::image::{EntryKind, SharedPath};
use crate::tui::tree::{NO_LAYER, Node, SortBy, Status, Tree, TreeMode};

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

/// Builds the arena: every directory of the diff (parents first, as the diff keeps them),
/// then the entries each directory holds, sorted by change. A node's path shares the
/// diff's strings: linear memory whatever the depth.
pub fn build(t: &TreeDiff) -> (Tree, Vec<Sides>) {
    let dir_sides = |a: &DirAgg| Sides {
        status: a.status,
        in_left: a.in_left,
        in_right: a.in_right,
        left_bytes: a.left_bytes,
        right_bytes: a.right_bytes,
    };
    let root_sides = t.dirs.get("").map_or(
        Sides {
            status: Diff::Same,
            in_left: true,
            in_right: true,
            left_bytes: 0,
            right_bytes: 0,
        },
        dir_sides,
    );
    let mut nodes = vec![node(
        SharedPath::from(""),
        0,
        EntryKind::Dir,
        0,
        root_sides.status,
    )];
    let mut sides = vec![root_sides];
    // A directory's node, by its index in the diff's directories.
    let mut node_of = vec![0u32; t.dirs.len()];
    for (i, d) in t.dirs.all().iter().enumerate().skip(1) {
        let id = nodes.len() as u32;
        let parent = node_of[d.parent as usize];
        let s = dir_sides(&d.agg);
        nodes.push(node(
            d.path.clone(),
            d.name_at as u32,
            EntryKind::Dir,
            parent,
            s.status,
        ));
        nodes[id as usize].size = d.agg.gross;
        nodes[parent as usize].children.push(id);
        sides.push(s);
        node_of[i] = id;
    }
    // Entries that are also directories (a directory on one side, a file on the other with
    // children below) are shown once, as the directory: the diff's directories do not
    // list them.
    for (i, d) in t.dirs.all().iter().enumerate() {
        let parent = node_of[i];
        for p in d.entries.iter().filter_map(|&e| t.paths.get(e as usize)) {
            let id = nodes.len() as u32;
            let kind = p.right.or(p.left).map_or(EntryKind::File, |f| f.kind);
            let s = Sides {
                status: p.status,
                in_left: p.left.is_some(),
                in_right: p.right.is_some(),
                left_bytes: p.left_bytes(),
                right_bytes: p.right_bytes(),
            };
            let name_at = p.path.rfind('/').map_or(0, |i| i + 1) as u32;
            let path = SharedPath::from(p.path.clone());
            nodes.push(node(path, name_at, kind, parent, s.status));
            nodes[id as usize].size = p.delta().unsigned_abs();
            nodes[parent as usize].children.push(id);
            sides.push(s);
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

fn node(path: SharedPath, name_at: u32, kind: EntryKind, parent: u32, s: Diff) -> Node {
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
