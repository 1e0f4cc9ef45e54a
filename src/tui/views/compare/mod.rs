//! The compare screen: both images' figures with deltas on top, the layer table aligned on
//! the shared base, and the merged file tree split in two, left image | change | right
//! image, one row per path so a single cursor moves both sides. Glyphs mark each row
//! (`-` only left, `+` only right, `~` changed, `=` same), so it reads without colour.
//!
//! Each pane is a widget drawn into its own area ([`Header`], [`LayerTable`], [`Deltas`],
//! [`MergedTree`] with its [`TreeFooter`], [`StatusBar`], [`CompareHelp`]), each with its
//! own small buffer tests; [`draw_in`] only lays them out.

mod deltas;
#[cfg(test)]
mod fixture;
mod footer;
mod header;
mod keys;
mod layers;
mod tree;

pub use crate::tui::compare::layout::{Areas, layout};
pub use deltas::Deltas;
pub use footer::TreeFooter;
pub use header::Header;
pub use keys::{CompareHelp, StatusBar};
pub use layers::LayerTable;
pub use tree::MergedTree;

use crate::tui::compare::state::{CompareState, WhatIf};
use crate::tui::state::{Pane, State};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

/// The middle column of both tables: glyph and delta.
const MID: u16 = 13;

/// Left half, middle, right half of a row.
fn columns(r: Rect) -> [Rect; 3] {
    let half = r.width.saturating_sub(MID) / 2;
    Layout::horizontal([
        Constraint::Length(half),
        Constraint::Length(MID.min(r.width)),
        Constraint::Min(0),
    ])
    .areas(r)
}

/// `+1.2 MiB`, `−1.2 MiB`, `±0 B`: report::units, as every output.
fn signed(d: i64) -> String {
    crate::units::signed_bytes(d)
}

/// One row of a list, the selected one: reversed while its pane has focus.
fn select(buf: &mut Buffer, r: Rect, focused: bool, theme: &Theme) {
    buf.set_style(r, theme.selection(focused));
}

pub fn draw(frame: &mut Frame, state: &CompareState, theme: &Theme) {
    draw_in(frame, frame.area(), state, theme)
}

/// The single-image app, or its what-if comparison over it while that is open.
pub fn draw_app(frame: &mut Frame, app: &State, whatif: &WhatIf, theme: &Theme) {
    match whatif.shown() {
        Some(cs) => draw(frame, cs, theme),
        None => super::draw(frame, app, theme),
    }
}

/// [`draw`] into `area` (the tour keeps a pane of its own beside it); an opened side still
/// takes the whole frame.
pub fn draw_in(frame: &mut Frame, area: Rect, state: &CompareState, theme: &Theme) {
    if let Some(side) = state.open_side() {
        return draw_app(frame, &side.app, &side.whatif, theme);
    }
    let areas = layout(area);
    let buf = frame.buffer_mut();
    Header { state, theme }.render(areas.header, buf);
    match state.top {
        Pane::Layers => LayerTable { state, theme }.render(areas.layers, buf),
        _ => Deltas { state, theme }.render(areas.layers, buf),
    }
    MergedTree { state, theme }.render(areas.tree, buf);
    StatusBar { state, theme }.render(areas.status, buf);
    if state.help {
        CompareHelp { state, theme }.render(area, frame.buffer_mut());
    }
}
