//! Loading progress: per-layer bytes scanned, overall totals, and what the tree pane says
//! while its data is not there yet.

use super::super::state::{LayerLoad, LayerRow, State};
use super::super::theme::Theme;
use super::super::tree::TreeMode;
use super::super::widgets::bytes;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Compressed bytes read so far and expected, over all layers (a finished layer counts
/// whole).
pub fn totals(state: &State) -> (u64, u64) {
    let mut read = 0;
    let mut total = 0;
    for l in &state.layers {
        let size = l.compressed.unwrap_or(0);
        total += size;
        read += match l.load {
            LayerLoad::Waiting => 0,
            LayerLoad::Reading { read, .. } => read.min(size.max(read)),
            LayerLoad::Done { .. } => size,
        };
    }
    (read, total.max(read))
}

/// A layer's scan as a fraction (None when the size is unknown) and a short label.
pub fn layer(row: &LayerRow) -> (Option<f64>, String) {
    match row.load {
        LayerLoad::Waiting => (Some(0.0), "waiting".into()),
        LayerLoad::Reading { read, total } => match total.or(row.compressed) {
            Some(t) if t > 0 => (
                Some(read as f64 / t as f64),
                format!("{}/{}", bytes(read), bytes(t)),
            ),
            _ => (None, bytes(read)),
        },
        LayerLoad::Done { cached: true } => (Some(1.0), "cached".into()),
        LayerLoad::Done { cached: false } => (Some(1.0), "done".into()),
    }
}

/// What the tree pane shows while the tree on screen cannot be drawn yet.
pub fn tree_placeholder(state: &State) -> String {
    if let Some(e) = &state.error {
        return format!("Loading failed: {e}");
    }
    match state.tree_mode() {
        TreeMode::Image if state.loaded.is_none() => format!(
            "The whole image shows once every layer is scanned ({}/{} so far).",
            state.layers_done(),
            state.layers.len()
        ),
        TreeMode::Layer(i) | TreeMode::AsOf(i) => match state.layers.get(i) {
            Some(row) if row.scan.is_none() => {
                let (_, label) = layer(row);
                format!("Scanning layer {i}… {label}")
            }
            _ if state.layers.iter().take(i).any(|r| r.scan.is_none()) => {
                format!("Layer {i}'s files show once the layers below it are scanned.")
            }
            _ => "Building the file tree…".into(),
        },
        TreeMode::Image => "Building the file tree…".into(),
    }
}

/// The tree pane's rows while its tree is not there: [`tree_placeholder`], wrapped; a
/// failure in the error style.
pub struct Placeholder<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for Placeholder<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let style = if self.state.error.is_some() {
            self.theme.error
        } else {
            self.theme.dim
        };
        Paragraph::new(Line::styled(tree_placeholder(self.state), style))
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{small_opening, text, theme};
    use super::*;

    #[test]
    fn the_tree_pane_says_what_it_waits_for() {
        let mut app = small_opening(80, 24);
        let placeholder = |state: &State| {
            text(
                Placeholder {
                    state,
                    theme: &theme(),
                },
                30,
                3,
            )
        };
        // Text only (styles reset).
        let layer = Buffer::with_lines([
            "Scanning layer 0… waiting     ",
            "                              ",
            "                              ",
        ]);
        assert_eq!(placeholder(&app.state), layer);
        app.press("W");
        let image = Buffer::with_lines([
            "The whole image shows once    ",
            "every layer is scanned (0/2 so",
            "far).                         ",
        ]);
        assert_eq!(placeholder(&app.state), image);
    }
}
