//! Where the compare view's parts go on a screen of a given size: one function serves
//! drawing, paging and fitting, so they agree. A leaf the state's update and the view share.

use crate::tui::pane::Pane;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub layers: Rect,
    pub tree: Rect,
    pub status: Rect,
}

pub fn layout(area: Rect) -> Areas {
    let header_h = if area.width >= 120 { 3 } else { 4 };
    let layers_h = (area.height / 4).max(5);
    let [header, layers, tree, status] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Length(layers_h),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        layers,
        tree,
        status,
    }
}

/// Lines at the bottom of the tree pane for the selected path's details or the prompt.
pub const TREE_FOOTER: u16 = 1;

impl Areas {
    /// A pane's list rows: inside the border, below the column header (and above the tree's
    /// one-line footer).
    pub fn rows(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Tree => list_rows(self.tree, TREE_FOOTER),
            _ => list_rows(self.layers, 0),
        }
    }
}

/// The list rows of a pane drawn in `outer`: inside the border, below the column header,
/// above `footer` lines. Each pane's widget finds its rows from its own area with this.
pub fn list_rows(outer: Rect, footer: u16) -> Rect {
    let inner = Block::bordered().inner(outer);
    Rect {
        y: inner.y + 1.min(inner.height),
        height: inner.height.saturating_sub(1 + footer),
        ..inner
    }
}
