//! A tree plus what the user did to it (collapsed directories, filter, cursor), flattened to
//! the rows the pane can show. Rebuilding rows is one pass over the nodes; rendering reads a
//! window of them.

use super::{SortBy, Status, Tree};
use std::collections::HashSet;
use std::sync::Arc;

/// One visible line of the tree pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub node: u32,
    pub depth: u16,
    /// Bit `d` set: the ancestor at depth `d` has siblings below, so a `│` runs through.
    pub guides: u64,
    /// The last visible child of its parent (`└──` rather than `├──`).
    pub last: bool,
}

/// Which nodes the rows keep: a path filter and statuses to hide.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFilter {
    pub text: String,
    /// Indexed by [`status_slot`].
    pub hidden: [bool; 5],
    /// Only these paths (and the directories above them): what the rewrite keeps.
    pub only: Option<Arc<HashSet<Arc<str>>>>,
}

impl RowFilter {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && !self.hidden.iter().any(|&h| h) && self.only.is_none()
    }
}

pub fn status_slot(s: Status) -> usize {
    match s {
        Status::Added => 0,
        Status::Modified => 1,
        Status::Removed => 2,
        Status::Unchanged => 3,
        Status::Unknown => 4,
    }
}

/// Substring test, ASCII case-insensitive unless the needle has an upper-case letter
/// ("smart case"); allocation-free because it runs over every path on each keystroke.
pub fn matches(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.bytes().any(|b| b.is_ascii_uppercase()) {
        return hay.contains(needle);
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Rows a new tree may open with before deeper directories start collapsed.
pub const OPEN_ROWS: usize = 200;

#[derive(Debug, Clone)]
pub struct TreeView {
    pub tree: Tree,
    pub collapsed: Vec<bool>,
    /// Nodes the filter keeps (itself or something below matches); empty when no filter.
    keep: Vec<bool>,
    pub rows: Vec<Row>,
    pub cursor: usize,
    pub offset: usize,
}

impl TreeView {
    pub fn new(tree: Tree, filter: &RowFilter) -> TreeView {
        let n = tree.nodes.len();
        let mut v = TreeView {
            tree,
            collapsed: vec![false; n],
            keep: Vec::new(),
            rows: Vec::new(),
            cursor: 0,
            offset: 0,
        };
        v.collapse_deep();
        v.apply_filter(filter);
        v
    }

    /// A large tree opens with every directory below the deepest level that still fits in
    /// [`OPEN_ROWS`] rows collapsed: the top of the tree reads at once, any depth is a key
    /// away (search, filter and jumps expand what they reveal).
    fn collapse_deep(&mut self) {
        let nodes = &self.tree.nodes;
        if nodes.len() <= OPEN_ROWS + 1 {
            return;
        }
        // Parents come before children, so one forward pass gives every depth.
        let mut depth = vec![0u16; nodes.len()];
        let mut per_depth: Vec<usize> = Vec::new();
        for i in 1..nodes.len() {
            let p = nodes[i].parent as usize;
            let d = if p == 0 { 0 } else { depth[p] + 1 };
            depth[i] = d;
            let d = d as usize;
            if per_depth.len() <= d {
                per_depth.resize(d + 1, 0);
            }
            per_depth[d] += 1;
        }
        let mut shown = 0;
        let mut open_to = 0;
        for (d, count) in per_depth.iter().enumerate() {
            shown += count;
            if shown > OPEN_ROWS {
                break;
            }
            open_to = d;
        }
        for (i, n) in nodes.iter().enumerate().skip(1) {
            self.collapsed[i] = depth[i] as usize >= open_to && n.is_dir();
        }
    }

    pub fn selected(&self) -> Option<u32> {
        self.rows.get(self.cursor).map(|r| r.node)
    }

    fn kept(&self, id: u32) -> bool {
        self.keep.is_empty() || self.keep[id as usize]
    }

    /// Recomputes which nodes pass `filter`, then the rows; the cursor stays on its node
    /// when that node is still shown.
    pub fn apply_filter(&mut self, filter: &RowFilter) {
        self.keep.clear();
        if !filter.is_empty() {
            let nodes = &self.tree.nodes;
            let mut keep = vec![false; nodes.len()];
            // Children have higher indexes than parents: one reverse pass propagates upward.
            for i in (1..nodes.len()).rev() {
                let n = &nodes[i];
                let own = !filter.hidden[status_slot(n.status)]
                    && (n.children.is_empty() || filter.text.is_empty() || keep[i])
                    && matches(&n.path, &filter.text)
                    && filter.only.as_ref().is_none_or(|o| o.contains(&*n.path));
                if own || keep[i] {
                    keep[i] = true;
                    keep[n.parent as usize] = true;
                }
            }
            // A directory that holds a match (or a file the rewrite keeps) opens, so the
            // matches show at once.
            if !filter.text.is_empty() || filter.only.is_some() {
                for (i, k) in keep.iter().enumerate() {
                    let p = &nodes[i].path;
                    let holds = !matches(p, &filter.text)
                        || filter.only.as_ref().is_some_and(|o| !o.contains(&**p));
                    if *k && holds {
                        self.collapsed[i] = false;
                    }
                }
            }
            self.keep = keep;
        }
        self.refresh();
    }

    /// Rebuilds the rows after a collapse, sort or filter change.
    pub fn refresh(&mut self) {
        let selected = self.selected();
        self.rows.clear();
        let mut stack: Vec<Row> = Vec::new();
        self.push_children(&mut stack, 0, 0, 0);
        while let Some(row) = stack.pop() {
            self.rows.push(row);
            if !self.collapsed[row.node as usize] {
                let guides = if row.last || row.depth >= 63 {
                    row.guides
                } else {
                    row.guides | (1 << row.depth)
                };
                self.push_children(&mut stack, row.node, row.depth + 1, guides);
            }
        }
        self.cursor = selected
            .and_then(|s| self.rows.iter().position(|r| r.node == s))
            .unwrap_or(self.cursor.min(self.rows.len().saturating_sub(1)));
    }

    fn push_children(&self, stack: &mut Vec<Row>, id: u32, depth: u16, guides: u64) {
        let start = stack.len();
        for &c in self.tree.node(id).children.iter().rev() {
            if self.kept(c) {
                stack.push(Row {
                    node: c,
                    depth,
                    guides,
                    last: false,
                });
            }
        }
        // Pushed in reverse: the first one pushed is popped last, so it is the last child.
        if let Some(r) = stack.get_mut(start) {
            r.last = true;
        }
    }

    pub fn sort(&mut self, by: SortBy) {
        if self.tree.sorted_by != by {
            self.tree.sort(by);
            self.refresh();
        }
    }

    /// Collapses or expands the selected directory.
    pub fn toggle_selected(&mut self) {
        if let Some(id) = self.selected()
            && self.tree.node(id).is_dir()
        {
            self.collapsed[id as usize] = !self.collapsed[id as usize];
            self.refresh();
        }
    }

    pub fn set_collapsed(&mut self, id: u32, collapsed: bool) {
        if self.tree.node(id).is_dir() && self.collapsed[id as usize] != collapsed {
            self.collapsed[id as usize] = collapsed;
            self.refresh();
        }
    }

    /// Collapses every directory when any top-level one is open, else expands all
    /// (dive's Ctrl+Space).
    pub fn toggle_all(&mut self) {
        let any_open = self
            .tree
            .root()
            .children
            .iter()
            .any(|&c| self.tree.node(c).is_dir() && !self.collapsed[c as usize]);
        for (i, n) in self.tree.nodes.iter().enumerate() {
            self.collapsed[i] = any_open && i != 0 && n.is_dir();
        }
        self.refresh();
    }

    /// Expands the ancestors of `id` and puts the cursor on it. False when the filter
    /// hides it.
    pub fn reveal(&mut self, id: u32) -> bool {
        if !self.kept(id) {
            return false;
        }
        let ancestors: Vec<u32> = self.tree.ancestors(id).collect();
        for a in ancestors {
            self.collapsed[a as usize] = false;
        }
        self.refresh();
        match self.rows.iter().position(|r| r.node == id) {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    /// The next node (in display order, collapsed and filtered-out ones included) after
    /// the selected one whose name matches `query`, wrapping around; with its place among
    /// all matches (1-based) and their count.
    pub fn find(&self, query: &str, forward: bool, include_current: bool) -> Option<Found> {
        if query.is_empty() {
            return None;
        }
        let hits: Vec<u32> = self
            .tree
            .preorder()
            .into_iter()
            .filter(|&n| matches(self.tree.node(n).name(), query))
            .collect();
        if hits.is_empty() {
            return None;
        }
        let order = self.tree.preorder();
        let rank: Vec<usize> = {
            let mut r = vec![0; self.tree.nodes.len()];
            for (i, &n) in order.iter().enumerate() {
                r[n as usize] = i;
            }
            r
        };
        let here = self.selected().map(|s| rank[s as usize]);
        let pick = match here {
            None => 0,
            Some(h) => {
                let after = |&n: &u32| {
                    let r = rank[n as usize];
                    if include_current { r >= h } else { r > h }
                };
                let before = |&n: &u32| {
                    let r = rank[n as usize];
                    if include_current { r <= h } else { r < h }
                };
                if forward {
                    hits.iter().position(after).unwrap_or(0)
                } else {
                    hits.iter().rposition(before).unwrap_or(hits.len() - 1)
                }
            }
        };
        Some(Found {
            node: hits[pick],
            at: pick + 1,
            of: hits.len(),
            shown: self.kept(hits[pick]),
        })
    }
}

/// A search hit: the node, its place among the matches, and whether the filter shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub node: u32,
    pub at: usize,
    pub of: usize,
    pub shown: bool,
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
