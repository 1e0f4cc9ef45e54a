//! The compare screen: both images' figures with deltas on top, the layer table aligned on
//! the shared base, and the merged file tree split in two, left image | change | right
//! image, one row per path so a single cursor moves both sides. Glyphs mark each row
//! (`-` only left, `+` only right, `~` changed, `=` same), so it reads without colour.

mod deltas;
mod header;
mod keys;
pub use crate::tui::compare::layout::{Areas, layout};
pub use keys::help;

use super::pane_block;
use crate::analysis::compare::tree::Status as Diff;
use crate::report::compare::text::glyph;
use crate::tui::compare::state::{CompareData, CompareState, WhatIf};
use crate::tui::compare::tree::{Sides, status};
use crate::tui::state::{Pane, Prompt, State};
use crate::tui::theme::Theme;
use crate::tui::tree::SortBy;
use crate::tui::tree::rows::Row;
use crate::tui::widgets::{bytes, truncate};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

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
    header::render(state, theme, areas.header, buf);
    match state.top {
        Pane::Layers => layers(state, theme, &areas, buf),
        _ => deltas::render(state, theme, &areas, buf),
    }
    tree(state, theme, &areas, buf);
    keys::status_bar(state, theme, areas.status, buf);
    if state.help {
        keys::help(state, theme, area, frame.buffer_mut());
    }
}

fn layers(state: &CompareState, theme: &Theme, areas: &Areas, buf: &mut Buffer) {
    let focused = state.focus == Pane::Layers;
    let rows = areas.rows(Pane::Layers);
    let Some(d) = &state.data else {
        pane_block(deltas::title(state, theme, String::new()), focused, theme)
            .render(areas.layers, buf);
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
    let title = deltas::title(state, theme, shared);
    pane_block(title, focused, theme).render(areas.layers, buf);
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

fn select(buf: &mut Buffer, r: Rect, focused: bool, theme: &Theme) {
    buf.set_style(
        r,
        if focused {
            theme.selected
        } else {
            theme.selected_unfocused
        },
    );
}

fn tree(state: &CompareState, theme: &Theme, areas: &Areas, buf: &mut Buffer) {
    let focused = state.focus == Pane::Tree;
    let sort = match state.sort {
        SortBy::Size => "by change",
        SortBy::Name => "by name",
    };
    let title = vec![
        Span::styled(" 2 Files ", theme.title),
        Span::styled(format!("— merged tree · {sort} "), theme.label),
    ];
    pane_block(title, focused, theme).render(areas.tree, buf);
    let rows = areas.rows(Pane::Tree);
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
        let n = v.tree.node(row.node);
        let guide = guide(row);
        let mut name = n.name().to_string();
        if n.is_dir() {
            name.push('/');
            if v.collapsed[row.node as usize] {
                name.push_str(" ▸");
            }
        }
        let line_rect = Rect {
            y: rows.y + i as u16,
            height: 1,
            ..rows
        };
        let [lr, mr, rr] = columns(line_rect);
        let style = theme.status(status(s.status));
        // A side without the path stays blank: the other side's tree shows where it is.
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
        if v.offset + i == v.cursor {
            select(buf, line_rect, focused, theme);
        }
    }
    footer(state, d, theme, rows, buf);
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
    rows: Rect,
    buf: &mut Buffer,
) {
    let area = Rect {
        y: rows.bottom(),
        height: 1,
        ..rows
    };
    let Some([l, mark, r]) = layer_details(state, d) else {
        return;
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let one = used + l.chars().count() + mark.chars().count() + 4 + r.chars().count();
    if one <= area.width as usize || rows.height == 0 {
        spans.push(Span::styled(l, theme.value));
        spans.push(Span::styled(format!("  {mark}  "), theme.label));
        spans.push(Span::styled(r, theme.value));
        return;
    }
    let above = Rect {
        y: area.y - 1,
        ..area
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
fn footer(state: &CompareState, d: &CompareData, theme: &Theme, rows: Rect, buf: &mut Buffer) {
    let area = Rect {
        y: rows.bottom(),
        height: 1,
        ..rows
    };
    let mut spans = prompt_spans(state, d, theme);
    if d.view.rows.is_empty() {
        spans.push(Span::styled("no paths match  ", theme.dim));
    }
    if state.focus == Pane::Layers {
        layer_footer(state, d, theme, &mut spans, rows, buf);
    } else if let Some((id, s)) = d.selected().filter(|_| state.prompt.is_none()) {
        spans.extend(path_spans(d, id, s, theme));
    }
    spans.extend(hidden_span(state, theme));
    Line::from(spans).render(area, buf);
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
