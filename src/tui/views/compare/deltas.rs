//! The compare view's Packages and Findings panes: what the text report lists under
//! "packages" and "findings", one row per package or kind of finding, in the top pane.

use super::super::pane_block;
use super::{select, signed};
use crate::tui::compare::layout::list_rows;
use crate::tui::compare::state::{CompareData, CompareState};
use crate::tui::state::Pane;
use crate::tui::theme::Theme;
use crate::tui::widgets::{bytes, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The pane bar of the top pane: the shown list marked.
pub fn title<'a>(state: &CompareState, theme: &Theme, detail: String) -> Vec<Span<'a>> {
    let mut spans: Vec<Span> = [(Pane::Layers, 1), (Pane::Packages, 3), (Pane::Findings, 4)]
        .into_iter()
        .map(|(p, key)| {
            let name = if p == Pane::Layers {
                "Layers"
            } else {
                p.title()
            };
            match state.top == p {
                true => Span::styled(format!("[{key} {name}]"), theme.title),
                false => Span::styled(format!(" {key} {name} "), theme.dim),
            }
        })
        .collect();
    spans.push(Span::styled(format!(" {detail}"), theme.label));
    spans
}

/// `head` ("— 1 added, 2 removed, …") cut after the last count that fits in `room` columns,
/// never inside a word.
fn fit_counts(head: &str, room: usize) -> String {
    if head.chars().count() <= room {
        return head.to_string();
    }
    let mut out = String::new();
    for part in head.trim_end().split(", ") {
        let next = if out.is_empty() {
            part.to_string()
        } else {
            format!("{out}, {part}")
        };
        if next.chars().count() + 2 > room {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        String::new()
    } else {
        format!("{out} … ")
    }
}

/// (glyph, delta, text) per row.
fn rows(state: &CompareState, d: &CompareData) -> (String, Vec<(char, i64, String)>) {
    let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    match state.top {
        Pane::Packages => {
            let p = &d.report.diff.packages;
            let head = format!(
                "— {} added, {} removed, {} changed, {} unchanged ",
                p.added.len(),
                p.removed.len(),
                p.changed.len(),
                p.unchanged
            );
            let row = |g: char, c: &crate::analysis::compare::packages::PackageChange| {
                let text = format!(
                    "{} {} → {}",
                    c.name,
                    version(&c.left_version),
                    version(&c.right_version)
                );
                (g, c.delta, text)
            };
            let rows = (p.added.iter().map(|c| row('+', c)))
                .chain(p.removed.iter().map(|c| row('-', c)))
                .chain(p.changed.iter().map(|c| row('~', c)))
                .collect();
            (head, rows)
        }
        _ => {
            let f = &d.report.diff.findings;
            let head = format!(
                "— {} fixed, {} new, {} on both sides ",
                f.only_left.len(),
                f.only_right.len(),
                f.both.len()
            );
            let rows = (f.only_left.iter())
                .map(|x| {
                    let text = format!("fixed: {} ({})", x.title, bytes(x.savable_bytes));
                    ('-', -(x.savable_bytes as i64), text)
                })
                .chain(f.only_right.iter().map(|x| {
                    let text = format!("new: {} ({})", x.title, bytes(x.savable_bytes));
                    ('+', x.savable_bytes as i64, text)
                }))
                .chain(f.both.iter().map(|x| {
                    let text = format!("{} → {}", x.left_title, x.right_title);
                    ('~', x.delta, text)
                }))
                .collect();
            (head, rows)
        }
    }
}

/// The top pane while it shows Packages or Findings: one row per package or kind of
/// finding that differs, its size change first.
pub struct Deltas<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for Deltas<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self.state, self.theme, area, buf);
    }
}

fn render(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == state.top;
    let rows_area = list_rows(area, 0);
    let Some(d) = &state.data else {
        pane_block(title(state, theme, String::new()), focused, theme).render(area, buf);
        return;
    };
    let (head, rows) = rows(state, d);
    let labels: usize = title(state, theme, String::new())
        .iter()
        .map(|s| s.width())
        .sum();
    let room = (area.width as usize).saturating_sub(labels + 4);
    pane_block(title(state, theme, fit_counts(&head, room)), focused, theme).render(area, buf);
    let what = match state.top {
        Pane::Packages => "package  left → right version",
        _ => "kind of finding (savable bytes: left → right)",
    };
    Line::styled(
        truncate(&format!("       Δ    {what}"), rows_area.width as usize),
        theme.header,
    )
    .render(
        Rect {
            y: rows_area.y - 1,
            height: 1,
            ..rows_area
        },
        buf,
    );
    if rows.is_empty() {
        Line::styled("no change", theme.dim).render(rows_area, buf);
        return;
    }
    let cur = state.delta_cursor;
    let end = (cur.offset + rows_area.height as usize).min(rows.len());
    for (i, (g, delta, text)) in rows[cur.offset.min(end)..end].iter().enumerate() {
        let r = Rect {
            y: rows_area.y + i as u16,
            height: 1,
            ..rows_area
        };
        let line = format!(" {g} {:>9}  {text}", signed(*delta));
        Line::raw(truncate(&line, r.width as usize)).render(r, buf);
        if cur.offset + i == cur.selected {
            select(buf, r, focused, theme);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, render};
    use super::{Deltas, fit_counts};
    use crate::tui::state::Pane;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    #[test]
    fn the_packages_pane_lists_the_package_only_the_left_has() {
        let (mut state, theme) = (compared(60, 20), Theme::mono());
        state.top = Pane::Packages;
        let buf = render(
            Deltas {
                state: &state,
                theme: &theme,
            },
            50,
            5,
        );
        let expected = Buffer::with_lines([
            "┌ 1 Layers [3 Packages] 4 Findings  — 0 added … ─┐",
            "│       Δ    package  left → right version       │",
            "│ -      ±0 B  curl 7.88 → –                     │",
            "│                                                │",
            "└────────────────────────────────────────────────┘",
        ]);
        assert_eq!(buf, expected);
    }

    #[test]
    fn the_findings_pane_says_what_the_right_fixed() {
        let (mut state, theme) = (compared(60, 20), Theme::mono());
        state.top = Pane::Findings;
        let buf = render(
            Deltas {
                state: &state,
                theme: &theme,
            },
            60,
            5,
        );
        let expected = Buffer::with_lines([
            "┌ 1 Layers  3 Packages [4 Findings] — 1 fixed, 0 new … ────┐",
            "│       Δ    kind of finding (savable bytes: left → right) │",
            "│ -    −400 B  fixed: apt cache (.deb files, pkgcache.bin)…│",
            "│                                                          │",
            "└──────────────────────────────────────────────────────────┘",
        ]);
        assert_eq!(buf, expected);
    }

    #[test]
    fn counts_are_cut_between_counts_never_inside_a_word() {
        let head = "— 0 added, 6 removed, 1 changed, 0 unchanged ";
        assert_eq!(fit_counts(head, 80), head);
        assert_eq!(fit_counts(head, 40), "— 0 added, 6 removed, 1 changed … ");
        assert_eq!(fit_counts(head, 12), "— 0 added … ");
        assert_eq!(fit_counts(head, 5), "");
    }
}
