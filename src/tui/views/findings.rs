//! The Findings pane: findings grouped by kind under a heading with the group's savable
//! bytes; the detail pane shows the fix line. Enter jumps to the finding's files.

use super::super::data::FindingRow;
use super::super::state::{Data, Pane, State};
use super::super::theme::Theme;
use super::super::widgets::{bytes, truncate};
use super::{left_title, pane_block, rows_in};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The pane's lines: `None` for a group heading, `Some(i)` for finding `i`.
fn lines(state: &State) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut kind: Option<&str> = None;
    for (i, f) in state.findings.items().iter().enumerate() {
        if kind != Some(f.kind.as_str()) {
            out.push(None);
            kind = Some(&f.kind);
        }
        out.push(Some(i));
    }
    out
}

/// First line shown: the selection's line stays in the window.
fn offset(state: &State, lines: &[Option<usize>], height: usize) -> usize {
    let sel = state.finding_cursor.selected;
    let at = lines.iter().position(|l| *l == Some(sel)).unwrap_or(0);
    // Keep the group heading above the first finding visible.
    (at + 1)
        .saturating_sub(height.max(1))
        .min(at.saturating_sub(1))
}

/// The finding on line `line` of the pane (for mouse clicks).
pub fn row_at(state: &State, line: usize) -> Option<usize> {
    let ls = lines(state);
    let h = super::app_layout(state.screen, state)
        .rows(Pane::Findings)
        .height as usize;
    ls.get(offset(state, &ls, h) + line).copied().flatten()
}

/// The Findings pane as a widget: the left column's frame and title, the findings grouped
/// under their headings, the selected one marked.
pub struct FindingList<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for FindingList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        list(self.state, self.theme, area, buf);
    }
}

/// The selected finding: title, fix, what it saves, why, and its paths as room allows.
pub struct FindingDetails<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for FindingDetails<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        detail(self.state, self.theme, area, buf);
    }
}

fn list(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Findings;
    pane_block(left_title(state, theme), focused, theme).render(area, buf);
    let rows = rows_in(area, Pane::Findings);
    let items = match &state.findings {
        Data::Loading => {
            Line::styled(
                "loading… (findings show once the image is analysed)",
                theme.dim,
            )
            .render(rows, buf);
            return;
        }
        Data::Ready(v) if v.is_empty() => {
            Line::styled("none", theme.dim).render(rows, buf);
            return;
        }
        Data::Ready(v) => v,
    };
    let ls = lines(state);
    let w = rows.width as usize;
    let off = offset(state, &ls, rows.height as usize);
    for (k, l) in ls.iter().enumerate().skip(off).take(rows.height as usize) {
        let r = Rect {
            y: rows.y + (k - off) as u16,
            height: 1,
            ..rows
        };
        match l {
            None => {
                let kind = &items[ls[k + 1].unwrap_or(0)].kind;
                Line::styled(truncate(&heading(items, kind), w), theme.header).render(r, buf);
            }
            Some(i) => {
                let f = &items[*i];
                let text = format!("  {:>8}  {}", bytes(f.savable), row_text(f));
                let mut line = Line::raw(truncate(&text, w));
                if *i == state.finding_cursor.selected {
                    let s = theme.selection(focused);
                    buf.set_style(r, s);
                    line = line.style(s);
                }
                line.render(r, buf);
            }
        }
    }
}

/// A group's heading: what the header's savable total counts of it, so the headings add up
/// to that total; advice it does not count says so.
fn heading(items: &[FindingRow], kind: &str) -> String {
    let group: Vec<&FindingRow> = items.iter().filter(|f| f.kind == kind).collect();
    let counted: u64 = group.iter().map(|f| f.counted).sum();
    let savable: u64 = group.iter().map(|f| f.savable).sum();
    let n = group.len();
    if counted == 0 {
        format!("▾ not counted: {kind} ({n}) {}", bytes(savable))
    } else if counted < savable {
        format!(
            "▾ {} {kind} ({n}), {} with overlap",
            bytes(counted),
            bytes(savable)
        )
    } else {
        format!("▾ {} {kind} ({n})", bytes(counted))
    }
}

/// What tells a finding from the others of its kind: its layer and first path (the title,
/// alike across a kind, is in the detail pane).
fn row_text(f: &FindingRow) -> String {
    let layer = f.layer.map(|l| format!("L{l} ")).unwrap_or_default();
    match f.paths.first() {
        Some(p) => {
            let more = f.path_count.saturating_sub(1);
            let more = if more > 0 {
                format!(" +{more}")
            } else {
                String::new()
            };
            format!("{layer}/{p}{more}")
        }
        None => format!("{layer}{}", f.title),
    }
}

fn detail(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = pane_block(vec![Span::styled(" Finding ", theme.title)], false, theme);
    let Some(f) = state.findings.items().get(state.finding_cursor.selected) else {
        block.render(area, buf);
        return;
    };
    let layer = match (f.layer, f.by_layer) {
        (Some(l), Some(b)) => format!(" · layer {l}, by layer {b}"),
        (Some(l), None) => format!(" · layer {l}"),
        _ => String::new(),
    };
    let counted = if f.counted == f.savable {
        String::new()
    } else if f.counted == 0 {
        " · advice, not in the total".into()
    } else {
        format!(" · {} not counted elsewhere", bytes(f.counted))
    };
    // Title, then the fix: at 80x24 the pane has three lines and the fix must be one of them.
    let mut lines = vec![Line::styled(
        truncate(&f.title, area.width.saturating_sub(2) as usize),
        theme.value,
    )];
    if !f.fix.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("fix: ", theme.key),
            Span::raw(f.fix.clone()),
        ]));
    }
    lines.push(Line::styled(
        format!(
            "saves {} of {} · {}{layer}{counted}",
            bytes(f.savable),
            bytes(f.bytes),
            crate::units::plural(f.path_count, "file", "files")
        ),
        theme.label,
    ));
    if !f.explanation.is_empty() {
        lines.push(Line::styled(f.explanation.clone(), theme.dim));
    }
    // Borders and the lines above; the paths get what is left.
    let room = area.height.saturating_sub(lines.len() as u16 + 2) as usize;
    for p in f.paths.iter().take(room) {
        lines.push(Line::styled(format!("/{p}"), theme.dim));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
