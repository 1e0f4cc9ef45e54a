//! The merged tree's footer line: the prompt, or the search and filter in force; the
//! selected path's sizes and what changed, or the selected layer row's details; the
//! statuses hidden.

use crate::analysis::compare::tree::Status as Diff;
use crate::tui::compare::state::{CompareData, CompareState};
use crate::tui::compare::tree::Sides;
use crate::tui::state::{Pane, Prompt};
use crate::tui::theme::Theme;
use crate::tui::widgets::bytes;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Drawn into the footer's line, the last of its area; the line above it (the tree's last
/// row), when the area has one, takes the left side's layer details when both sides do
/// not fit on one line.
pub struct TreeFooter<'a> {
    pub state: &'a CompareState,
    pub data: &'a CompareData,
    pub theme: &'a Theme,
}

impl Widget for TreeFooter<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        footer(self.state, self.data, self.theme, area, buf);
    }
}

/// The selected layer row's details in the tree's footer while the Layers pane has focus:
/// each side's layer, bytes, entries and whole command, and whether the row is shared.
fn layer_details(state: &CompareState, d: &CompareData) -> Option<[String; 3]> {
    let row = d.report.diff.layers.rows.get(state.layer_cursor.selected)?;
    let side = |rep: &crate::report::Report, i: Option<usize>| {
        i.and_then(|i| rep.layers.get(i))
            .map_or("–".to_string(), |l| {
                let cmd = crate::report::compare::text::short_command(&l.command, 200);
                format!(
                    "L{} {} {}: {cmd}",
                    l.index,
                    bytes(l.bytes),
                    crate::units::plural(l.entries as u64, "entry", "entries")
                )
            })
    };
    let mark = if row.shared { "= shared" } else { "≠" };
    Some([
        side(&d.report.left, row.left),
        mark.to_string(),
        side(&d.report.right, row.right),
    ])
}

/// The layer details on the footer line, or, when both sides do not fit on it, the left
/// side on the line above (the tree's last row gives way while the Layers pane has focus)
/// and the right on the footer, each named.
fn layer_footer<'a>(
    state: &CompareState,
    d: &CompareData,
    theme: &Theme,
    spans: &mut Vec<Span<'a>>,
    area: Rect,
    buf: &mut Buffer,
) {
    let line = last_line(area);
    let Some([l, mark, r]) = layer_details(state, d) else {
        return;
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let one = used + l.chars().count() + mark.chars().count() + 4 + r.chars().count();
    if one <= line.width as usize || area.height < 2 {
        spans.push(Span::styled(l, theme.value));
        spans.push(Span::styled(format!("  {mark}  "), theme.label));
        spans.push(Span::styled(r, theme.value));
        return;
    }
    let above = Rect {
        y: line.y - 1,
        ..line
    };
    ratatui::widgets::Clear.render(above, buf);
    Line::from(vec![
        Span::styled("left  ", theme.label),
        Span::styled(l, theme.value),
        Span::styled(format!("  {mark}"), theme.label),
    ])
    .render(above, buf);
    spans.push(Span::styled("right ", theme.label));
    spans.push(Span::styled(r, theme.value));
}

/// What differs at a changed path: `content`, `mode 644→755`, `owner 0:0→1000:1000`,
/// `link target`, `kind`.
fn what_changed(d: &CompareData, path: &str) -> String {
    let entry = |a: &crate::jobs::background::Analysed| {
        let at = *a.analysis.merged.tree.get(path)?;
        let scan = &a.image.layers.get(at.layer as usize)?.scan;
        scan.entries.get(at.entry as usize).cloned()
    };
    let (Some(l), Some(r)) = (entry(&d.images[0]), entry(&d.images[1])) else {
        return String::new();
    };
    let mut parts = Vec::new();
    if l.kind != r.kind {
        parts.push(format!("kind {:?}→{:?}", l.kind, r.kind).to_lowercase());
    } else if (l.size, l.hash) != (r.size, r.hash) && l.link == r.link {
        parts.push("content".to_string());
    }
    if l.link != r.link {
        parts.push("link target".into());
    }
    if l.mode != r.mode {
        parts.push(format!("mode {:o}→{:o}", l.mode & 0o7777, r.mode & 0o7777));
    }
    if (l.uid, l.gid) != (r.uid, r.gid) {
        parts.push(format!("owner {}:{}→{}:{}", l.uid, l.gid, r.uid, r.gid));
    }
    parts.join(", ")
}

/// The tree's footer line: the prompt or the search and filter in force, then the selected
/// layer's or path's details, then which statuses are hidden.
fn footer(state: &CompareState, d: &CompareData, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = prompt_spans(state, d, theme);
    if d.view.rows.is_empty() {
        spans.push(Span::styled("no paths match  ", theme.dim));
    }
    if state.focus == Pane::Layers {
        layer_footer(state, d, theme, &mut spans, area, buf);
    } else if let Some((id, s)) = d.selected().filter(|_| state.prompt.is_none()) {
        spans.extend(path_spans(d, id, s, theme));
    }
    spans.extend(hidden_span(state, theme));
    Line::from(spans).render(last_line(area), buf);
}

fn last_line(area: Rect) -> Rect {
    Rect {
        y: area.bottom().saturating_sub(1),
        height: area.height.min(1),
        ..area
    }
}

/// The search or filter being typed, or else the search and the filter in force.
fn prompt_spans<'a>(state: &CompareState, d: &CompareData, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let hits = match state.search_hits {
        Some((at, of)) => format!("{at}/{of}"),
        None => "no match".into(),
    };
    match &state.prompt {
        Some(Prompt::Search(q)) => {
            spans.push(Span::styled("/", theme.key));
            spans.push(Span::raw(format!("{q}█  ")));
            if !q.is_empty() {
                spans.push(Span::styled(format!("{hits}  "), theme.label));
            }
            return spans;
        }
        Some(Prompt::Filter(q)) => {
            spans.push(Span::styled("filter: ", theme.key));
            spans.push(Span::raw(format!("{q}█  ")));
            spans.push(Span::styled(
                format!("{} rows  ", d.view.rows.len()),
                theme.label,
            ));
            return spans;
        }
        None => {}
    }
    if !state.search.is_empty() {
        spans.push(Span::styled(
            format!("/{} {hits} (n/N)  ", state.search),
            theme.key,
        ));
    }
    if !state.filter.text.is_empty() {
        spans.push(Span::styled(
            format!(
                "filter: {} ({} rows)  ",
                state.filter.text,
                d.view.rows.len()
            ),
            theme.key,
        ));
    }
    spans
}

/// The selected path: which side has it, both sizes, and what changed.
fn path_spans<'a>(d: &CompareData, id: u32, s: &Sides, theme: &Theme) -> Vec<Span<'a>> {
    let what = match s.status {
        Diff::OnlyLeft => "only left",
        Diff::OnlyRight => "only right",
        Diff::Changed => "changed",
        Diff::Same => "same",
    };
    let path = &d.view.tree.node(id).path;
    let mut spans = vec![
        Span::styled(format!("/{path}  "), theme.value),
        Span::styled(
            format!(
                "{what}  {} → {}  ",
                bytes(s.left_bytes),
                bytes(s.right_bytes)
            ),
            theme.label,
        ),
    ];
    if s.status == Diff::Changed {
        spans.push(Span::styled(
            format!("{}  ", what_changed(d, path)),
            theme.value,
        ));
    }
    spans
}

/// `hidden: only right, same` while status toggles hide rows.
fn hidden_span<'a>(state: &CompareState, theme: &Theme) -> Option<Span<'a>> {
    let hidden: Vec<&str> = ["only right", "changed", "only left", "same"]
        .iter()
        .zip(state.filter.hidden)
        .filter(|(_, h)| *h)
        .map(|(n, _)| *n)
        .collect();
    (!hidden.is_empty()).then(|| Span::styled(format!("hidden: {}", hidden.join(", ")), theme.dim))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, render};
    use super::TreeFooter;
    use crate::tui::state::Pane;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The search in force, the selected file's sizes and what changed, the hidden status.
    #[test]
    fn a_changed_file_says_what_changed_beside_the_search_and_hidden_statuses() -> TestResult {
        let (mut state, theme) = (compared(60, 20), Theme::mono());
        if let Some(d) = state.data.as_mut() {
            d.view.cursor = 1;
        }
        state.search = "big".into();
        state.search_hits = Some((1, 1));
        state.filter.hidden[3] = true;
        let data = state.data.as_ref().ok_or("compared")?;
        let footer = TreeFooter {
            state: &state,
            data,
            theme: &theme,
        };
        let buf = render(footer, 75, 1);
        let expected = Buffer::with_lines([
            "/big 1/1 (n/N)  /app/big  changed  4.9 KiB → 2.0 KiB  content  hidden: same",
        ]);
        assert_eq!(buf, expected);
        Ok(())
    }

    /// While the Layers pane has focus: both sides' layer on one line when they fit, else
    /// the left one on the line above, each named.
    #[test]
    fn layer_details_take_the_line_above_only_when_they_do_not_fit() -> TestResult {
        let (mut state, theme) = (compared(60, 20), Theme::mono());
        state.focus = Pane::Layers;
        state.layer_cursor.selected = 1;
        let data = state.data.as_ref().ok_or("compared")?;
        let footer = || TreeFooter {
            state: &state,
            data,
            theme: &theme,
        };
        let expected = Buffer::with_lines([
            "                                                                              ",
            "L1 5.4 KiB 4 entries: COPY app /app  ≠  L1 2.2 KiB 2 entries: COPY app /app   ",
        ]);
        assert_eq!(render(footer(), 78, 2), expected);
        let expected = Buffer::with_lines([
            "left  L1 5.4 KiB 4 entries: COPY app /app  ≠                ",
            "right L1 2.2 KiB 2 entries: COPY app /app                   ",
        ]);
        assert_eq!(render(footer(), 60, 2), expected);
        Ok(())
    }
}
