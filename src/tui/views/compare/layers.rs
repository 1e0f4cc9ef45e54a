//! The compare view's layer table: both images' layers side by side, aligned on the shared
//! base, the size change between them in the middle.

use super::super::pane_block;
use super::deltas::title;
use super::{columns, select, signed};
use crate::tui::compare::layout::list_rows;
use crate::tui::compare::state::CompareState;
use crate::tui::state::Pane;
use crate::tui::theme::Theme;
use crate::tui::widgets::{bytes, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// The top pane while it shows Layers: `=` marks a row both images share, `~` one that
/// differs.
pub struct LayerTable<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for LayerTable<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        layers(self.state, self.theme, area, buf);
    }
}

fn layers(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Layers;
    let rows = list_rows(area, 0);
    let Some(d) = &state.data else {
        pane_block(title(state, theme, String::new()), focused, theme).render(area, buf);
        return;
    };
    let ld = &d.report.diff.layers;
    let shared = match ld.shared {
        0 => "— nothing shared ".to_string(),
        n => format!(
            "— {n} shared, {} of them the common base ({}) ",
            ld.shared_base,
            bytes(ld.shared_bytes)
        ),
    };
    let title = title(state, theme, shared);
    pane_block(title, focused, theme).render(area, buf);
    let [l, m, r] = columns(Rect {
        y: rows.y - 1,
        height: 1,
        ..rows
    });
    for (rect, text) in [
        (l, "   #     Size  Command"),
        (m, "       Δ"),
        (r, "   #     Size  Command"),
    ] {
        Line::styled(truncate(text, rect.width as usize), theme.header).render(rect, buf);
    }
    let cell = |rep: &crate::report::Report, i: Option<usize>, w: u16| {
        i.and_then(|i| rep.layers.get(i))
            .map_or(String::new(), |x| {
                let cmd = crate::report::compare::text::short_command(&x.command, w as usize);
                truncate(
                    &format!("{:>4} {:>8}  {cmd}", x.index, bytes(x.bytes)),
                    w as usize,
                )
            })
    };
    let cur = state.layer_cursor;
    let end = (cur.offset + rows.height as usize).min(ld.rows.len());
    for (i, row) in ld.rows[cur.offset.min(end)..end].iter().enumerate() {
        let line_rect = Rect {
            y: rows.y + i as u16,
            height: 1,
            ..rows
        };
        let [l, m, r] = columns(line_rect);
        let mark = if row.shared { '=' } else { '~' };
        Line::raw(cell(&d.report.left, row.left, l.width)).render(l, buf);
        Line::styled(format!(" {mark} {:>9} ", signed(row.delta)), theme.dim).render(m, buf);
        Line::raw(cell(&d.report.right, row.right, r.width)).render(r, buf);
        if cur.offset + i == cur.selected {
            select(buf, line_rect, focused, theme);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, render};
    use super::LayerTable;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    #[test]
    fn the_shared_base_is_aligned_and_marked() {
        let (state, theme) = (compared(60, 20), Theme::mono());
        let buf = render(
            LayerTable {
                state: &state,
                theme: &theme,
            },
            60,
            5,
        );
        let expected = Buffer::with_lines([
            "┌[1 Layers] 3 Packages  4 Findings  — 1 shared, 1 of them t┐",
            "│   #     Size  Command       Δ        #     Size  Command │",
            "│   0  1.1 KiB  RUN in… =      ±0 B    0  1.1 KiB  RUN ins…│",
            "│   1  5.4 KiB  COPY a… ~  −3.2 KiB    1  2.2 KiB  COPY ap…│",
            "└──────────────────────────────────────────────────────────┘",
        ]);
        assert_eq!(buf, expected);
    }
}
