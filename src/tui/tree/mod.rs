//! The file tree as the tree pane shows it: a node arena built once per view mode (one layer,
//! the filesystem as of a layer, or the whole image), directory sizes aggregated at build time, children sorted in place.
//! Flattening to visible rows is a single pass, so a 600k-entry image stays responsive:
//! only the rows on screen are ever formatted.

pub mod build;
pub mod rows;

use crate::image::{EntryKind, SharedPath};

pub use rows::{Row, TreeView};

/// How a node relates to the layers below (layer mode) or to the base layer (image mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Added,
    Modified,
    Removed,
    Unchanged,
    /// The layer is scanned but the merge has not run yet.
    Unknown,
}

impl Status {
    /// Drawn in every row, so the status reads without colour (NO_COLOR).
    pub fn glyph(self) -> char {
        match self {
            Status::Added => '+',
            Status::Modified => '~',
            Status::Removed => '-',
            Status::Unchanged => ' ',
            Status::Unknown => '?',
        }
    }
}

/// Which filesystem the tree pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TreeMode {
    /// The final filesystem, statuses relative to the base layer.
    Image,
    /// What one layer's tar holds, plus what it removed.
    Layer(usize),
    /// The filesystem as of a layer (layers 0..=N merged), N's changes marked (dive's view).
    AsOf(usize),
}

impl TreeMode {
    /// The pane title's words for it.
    pub fn describe(self) -> String {
        match self {
            TreeMode::Image => "whole image".into(),
            TreeMode::Layer(i) => format!("layer {i} only"),
            TreeMode::AsOf(i) => format!("as of layer {i}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    Size,
    Name,
}

/// Marks a node that no layer entry stands for (a parent directory the tar omitted).
pub const NO_LAYER: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Node {
    /// Full path, shared with the scan's entry when there is one (no copy per node); an
    /// implied directory's is the leading bytes of the path below it.
    pub path: SharedPath,
    /// Byte offset of the last component in `path`.
    pub name_at: u32,
    pub parent: u32,
    pub children: Vec<u32>,
    /// File bytes; for a directory, the sum over every live file below it.
    pub size: u64,
    /// Bytes of lower layers' files this view removed or overwrote, at this path or below.
    pub removed: u64,
    pub kind: EntryKind,
    pub status: Status,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// The layer and entry that wrote it, or [`NO_LAYER`].
    pub layer: u32,
    pub entry: u32,
}

impl Node {
    pub fn name(&self) -> &str {
        &self.path[self.name_at as usize..]
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir || !self.children.is_empty()
    }

    /// What the size column shows and sorts by. A directory counts live and removed bytes
    /// together, so it is never smaller than anything beneath it; a live file its own
    /// bytes (the copies it replaced count in its directory); a removed entry what it held.
    pub fn bytes(&self) -> u64 {
        if self.is_dir() {
            self.size + self.removed
        } else if self.status == Status::Removed {
            self.removed
        } else {
            self.size
        }
    }
}

/// A built tree. Node 0 is the root (path ""), never shown.
#[derive(Debug, Clone)]
pub struct Tree {
    pub mode: TreeMode,
    pub nodes: Vec<Node>,
    pub sorted_by: SortBy,
    /// False while statuses are unknown (built before the merge finished).
    pub complete: bool,
}

impl Tree {
    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    /// Sorts every directory's children. Size sorts largest first, ties by name.
    pub fn sort(&mut self, by: SortBy) {
        let mut nodes = std::mem::take(&mut self.nodes);
        for i in 0..nodes.len() {
            let mut kids = std::mem::take(&mut nodes[i].children);
            let name = |id: &u32| nodes[*id as usize].name();
            match by {
                SortBy::Name => kids.sort_by(|a, b| name(a).cmp(name(b))),
                SortBy::Size => kids.sort_by(|a, b| {
                    let (na, nb) = (&nodes[*a as usize], &nodes[*b as usize]);
                    nb.bytes()
                        .cmp(&na.bytes())
                        .then_with(|| na.name().cmp(nb.name()))
                }),
            }
            nodes[i].children = kids;
        }
        self.nodes = nodes;
        self.sorted_by = by;
    }

    /// The node at `path`, walking components from the root.
    pub fn find(&self, path: &str) -> Option<u32> {
        let path = path.trim_matches('/');
        if path.is_empty() {
            return Some(0);
        }
        let mut at = 0u32;
        for comp in path.split('/') {
            at = *self
                .node(at)
                .children
                .iter()
                .find(|&&c| self.node(c).name() == comp)?;
        }
        Some(at)
    }

    /// Every node in display order (depth first, children in sorted order), root excluded.
    pub fn preorder(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<u32> = self.root().children.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.node(n).children.iter().rev().copied());
        }
        out
    }

    /// The ancestors of `id`, nearest first, root excluded.
    pub fn ancestors(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = id;
        std::iter::from_fn(move || {
            if at == 0 {
                return None;
            }
            at = self.node(at).parent;
            (at != 0).then_some(at)
        })
    }
}
