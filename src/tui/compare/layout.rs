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

impl Areas {
    /// A pane's list rows: inside the border, below the column header (and above the tree's
    /// one-line footer).
    pub fn rows(&self, pane: Pane) -> Rect {
        let (outer, footer) = match pane {
            Pane::Tree => (self.tree, 1),
            _ => (self.layers, 0),
        };
        let inner = Block::bordered().inner(outer);
        Rect {
            y: inner.y + 1.min(inner.height),
            height: inner.height.saturating_sub(1 + footer),
            ..inner
        }
    }
}
