//! The compare view's merged tree: one row per path of either image, each side's size and
//! the change between, and the footer below.

use super::super::pane_block;
use super::footer::TreeFooter;
use super::{columns, select, signed};
use crate::analysis::compare::tree::Status as Diff;
use crate::report::compare::text::glyph;
use crate::tui::compare::layout::{TREE_FOOTER, list_rows};
use crate::tui::compare::state::{CompareData, CompareState};
use crate::tui::compare::tree::{Sides, status};
use crate::tui::state::Pane;
use crate::tui::theme::Theme;
use crate::tui::tree::SortBy;
use crate::tui::tree::rows::Row;
use crate::tui::widgets::{bytes, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The Files pane: left image | change | right image, a side without the path left blank.
pub struct MergedTree<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for MergedTree<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        tree(self.state, self.theme, area, buf);
    }
}

fn tree(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Tree;
    let sort = match state.sort {
        SortBy::Size => "by change",
        SortBy::Name => "by name",
    };
    let title = vec![
        Span::styled(" 2 Files ", theme.title),
        Span::styled(format!("— merged tree · {sort} "), theme.label),
    ];
    pane_block(title, focused, theme).render(area, buf);
    let rows = list_rows(area, TREE_FOOTER);
    let Some(d) = &state.data else {
        let text = match &state.error {
            Some(e) => format!("failed: {e}"),
            None => "comparing… the trees appear when both images are scanned".into(),
        };
        Paragraph::new(Line::styled(text, theme.dim))
            .wrap(Wrap { trim: false })
            .render(rows, buf);
        return;
    };
    heads(state, theme, rows, buf);
    let v = &d.view;
    let end = (v.offset + rows.height as usize).min(v.rows.len());
    for (i, row) in v.rows[v.offset.min(end)..end].iter().enumerate() {
        let Some(s) = d.sides.get(row.node as usize) else {
            continue;
        };
        let line_rect = Rect {
            y: rows.y + i as u16,
            height: 1,
            ..rows
        };
        path_row(d, row, s, theme, line_rect, buf);
        if v.offset + i == v.cursor {
            select(buf, line_rect, focused, theme);
        }
    }
    // The footer's line, and the tree's last row, which layer details may take.
    let above = rows.height.min(1);
    let footer = Rect {
        y: rows.bottom() - above,
        height: TREE_FOOTER + above,
        ..rows
    };
    TreeFooter {
        state,
        data: d,
        theme,
    }
    .render(footer, buf);
}

/// One path's row: each side's size, guide and name (blank where the side lacks the path:
/// the other side's tree shows where it is), the glyph and delta between.
fn path_row(d: &CompareData, row: &Row, s: &Sides, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let n = d.view.tree.node(row.node);
    let guide = guide(row);
    let mut name = n.name().to_string();
    if n.is_dir() {
        name.push('/');
        if d.view.collapsed[row.node as usize] {
            name.push_str(" ▸");
        }
    }
    let [lr, mr, rr] = columns(area);
    let style = theme.status(status(s.status));
    for (rect, present, b) in [
        (lr, s.in_left, s.left_bytes),
        (rr, s.in_right, s.right_bytes),
    ] {
        if !present {
            continue;
        }
        Line::from(vec![
            Span::raw(format!("{:>8}  ", bytes(b))),
            Span::styled(guide.clone(), theme.dim),
            Span::styled(name.clone(), style),
        ])
        .render(rect, buf);
    }
    Line::from(vec![
        Span::styled(format!(" {} ", glyph(s.status)), style),
        Span::raw(format!("{:>9} ", delta_text(s))),
    ])
    .render(mr, buf);
}

/// The columns' heads above the rows: each side's size and reference, the delta between.
fn heads(state: &CompareState, theme: &Theme, rows: Rect, buf: &mut Buffer) {
    let [l, m, r] = columns(Rect {
        y: rows.y - 1,
        height: 1,
        ..rows
    });
    let heads = [
        (l, format!("    Size  {}", state.left.reference)),
        (m, "       Δ".to_string()),
        (r, format!("    Size  {}", state.right.reference)),
    ];
    for (rect, text) in heads {
        Line::styled(truncate(&text, rect.width as usize), theme.header).render(rect, buf);
    }
}

/// The tree's guide lines in front of a row's name (`│ │ ├ `).
fn guide(row: &Row) -> String {
    let mut guide = String::new();
    for depth in 0..row.depth.min(63) {
        guide.push_str(if row.guides & (1 << depth) != 0 {
            "│ "
        } else {
            "  "
        });
    }
    guide.push_str(if row.last { "└ " } else { "├ " });
    guide
}

fn delta_text(s: &Sides) -> String {
    match s.status {
        Diff::Same => String::new(),
        _ => signed(s.delta()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, opening, render};
    use super::MergedTree;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    /// Largest change first; a side without the path stays blank; the footer names the
    /// selected path.
    #[test]
    fn both_trees_side_by_side_with_the_change_between() {
        let (state, theme) = (compared(60, 20), Theme::mono());
        let buf = render(
            MergedTree {
                state: &state,
                theme: &theme,
            },
            60,
            14,
        );
        let expected = Buffer::with_lines([
            "┏ 2 Files — merged tree · by change ━━━━━━━━━━━━━━━━━━━━━━━┓",
            "┃    Size  left               Δ         Size  right        ┃",
            "┃ 4.9 KiB  ├ app/       ~  −2.7 KiB  2.2 KiB  ├ app/       ┃",
            "┃ 4.9 KiB  │ ├ big      ~  −2.9 KiB  2.0 KiB  │ ├ big      ┃",
            "┃                       +    +300 B    300 B  │ ├ new      ┃",
            "┃    50 B  │ └ old      -     −50 B                        ┃",
            "┃   496 B  ├ var/       -    −496 B                        ┃",
            "┃   400 B  │ ├ cache/   -    −400 B                        ┃",
            "┃   400 B  │ │ └ apt/   -    −400 B                        ┃",
            "┃   400 B  │ │   └ arch -    −400 B                        ┃",
            "┃   400 B  │ │     └ cu -    −400 B                        ┃",
            "┃    96 B  │ └ lib/     -     −96 B                        ┃",
            "┃/app  changed  4.9 KiB → 2.2 KiB                          ┃",
            "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
        ]);
        assert_eq!(buf, expected);
    }

    #[test]
    fn before_the_comparison_the_pane_says_it_is_comparing() {
        let (state, theme) = (opening(60, 20), Theme::mono());
        let buf = render(
            MergedTree {
                state: &state,
                theme: &theme,
            },
            40,
            6,
        );
        let expected = Buffer::with_lines([
            "┏ 2 Files — merged tree · by change ━━━┓",
            "┃                                      ┃",
            "┃comparing… the trees appear when both ┃",
            "┃images are scanned                    ┃",
            "┃                                      ┃",
            "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
        ]);
        assert_eq!(buf, expected);
    }
}
