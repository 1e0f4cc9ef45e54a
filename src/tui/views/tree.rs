//! The file tree pane: status glyph, permissions, owner, size, the tree itself; only the
//! rows in the window are formatted. The footer names the selected file's layer, owner
//! package and the findings that touch it, or shows the search/filter prompt.

use super::super::state::{Pane, Prompt, State};
use super::super::theme::Theme;
use super::super::tree::rows::matches;
use super::super::tree::{NO_LAYER, Node, Row, SortBy, TreeView};
use super::super::widgets::{bytes, permissions, truncate};
use super::{Areas, pane_block};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn render(state: &State, theme: &Theme, areas: &Areas, buf: &mut Buffer) {
    let focused = state.focus == Pane::Tree;
    let what = state.tree_mode().describe();
    let sort = match state.sort {
        SortBy::Size => "by size",
        SortBy::Name => "by name",
    };
    let mut title = vec![
        Span::styled(" 2 Files ", theme.title),
        Span::styled(format!("— {what} · {sort} "), theme.label),
    ];
    if let Some(removed) = state
        .tree()
        .map(|v| v.tree.root().removed)
        .filter(|&r| r > 0)
    {
        let used: usize = title.iter().map(|s| s.content.chars().count()).sum();
        let long = format!("· {} removed ", bytes(removed));
        let text = if used + long.chars().count() + 2 <= areas.tree.width as usize {
            long
        } else {
            format!("· −{} ", bytes(removed))
        };
        title.push(Span::styled(text, theme.removed));
    }
    pane_block(title, focused, theme).render(areas.tree, buf);
    let rows = areas.rows(Pane::Tree);
    let Some(view) = state.tree() else {
        let text = super::progress::tree_placeholder(state);
        let style = if state.error.is_some() {
            theme.error
        } else {
            theme.dim
        };
        Paragraph::new(Line::styled(text, style))
            .wrap(Wrap { trim: false })
            .render(rows, buf);
        return;
    };
    let end = (view.offset + rows.height as usize).min(view.rows.len());
    let window = &view.rows[view.offset.min(end)..end];
    let width = rows.width as usize;
    // Attributes drop, for the whole window so columns stay aligned, before any name would
    // be cut short by them.
    let owner_w = owner_width(window.iter().map(|r| {
        let n = view.tree.node(r.node);
        (n.uid, n.gid)
    }));
    let attrs_w = ATTRS - OWNER + owner_w;
    let attrs = state.show_attributes
        && window.iter().all(|r| {
            let name = display_name(state, view, r.node).chars().count();
            FIXED + attrs_w + indent(r.depth as usize) + name.min(MIN_NAME) <= width
        });
    let head = if attrs {
        format!("  Permission  {:<owner_w$}    Size  Name", "UID:GID")
    } else {
        "       Size  Name".to_string()
    };
    Line::styled(truncate(&head, width), theme.header).render(
        Rect {
            y: rows.y - 1,
            height: 1,
            ..rows
        },
        buf,
    );
    let query = match &state.prompt {
        Some(Prompt::Search(q)) => q.as_str(),
        _ => state.search.as_str(),
    };
    for (i, row) in window.iter().enumerate() {
        let line_no = view.offset + i;
        let n = view.tree.node(row.node);
        // ◆ after the status glyph: the rewrite keeps this file.
        let kept = state.rewrite.keeps(&n.path).is_some();
        let mut spans = vec![
            Span::styled(n.status.glyph().to_string(), theme.status(n.status)),
            Span::styled(if kept { "◆" } else { " " }, theme.added),
        ];
        if attrs {
            spans.push(Span::styled(
                format!(
                    "{} {:>owner_w$} ",
                    permissions(n.kind, n.mode),
                    truncate(&format!("{}:{}", n.uid, n.gid), owner_w)
                ),
                theme.dim,
            ));
        }
        // While `r` shows only what the rewrite keeps, a directory weighs what it keeps.
        let size = match &state.filter.only {
            Some(_) if n.is_dir() => state.rewrite.dir_bytes.get(&*n.path).copied().unwrap_or(0),
            _ => n.bytes(),
        };
        spans.push(Span::raw(format!("{:>9}  ", bytes(size))));
        let room = width.saturating_sub(FIXED + if attrs { attrs_w } else { 0 });
        let name = display_name(state, view, row.node);
        let guide = guide(row, room.saturating_sub(name.chars().count().min(MIN_NAME)));
        let name = truncate(&name, room.saturating_sub(guide.chars().count()));
        spans.push(Span::styled(guide, theme.dim));
        let mut name_style = theme.status(n.status);
        if state
            .highlight
            .as_ref()
            .is_some_and(|h| h.set.contains(&*n.path))
        {
            name_style = theme.highlight;
        }
        if !query.is_empty() && matches(n.name(), query) {
            name_style = name_style.patch(theme.search_hit);
        }
        spans.push(Span::styled(name, name_style));
        let mut line = Line::from(spans);
        let r = Rect {
            y: rows.y + i as u16,
            height: 1,
            ..rows
        };
        if line_no == view.cursor {
            let s = if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            };
            buf.set_style(r, s);
            line = line.style(s);
        }
        line.render(r, buf);
    }
    footer(state, theme, view, rows, buf);
}

/// Status glyph and size columns; the attribute columns; the name's width kept before
/// indentation or attributes take more.
const FIXED: usize = 2 + 11;
const ATTRS: usize = 21;
/// The owner column's share of ATTRS; it grows to the window's widest `uid:gid`, up to
/// OWNER_MAX (`65534:65534` whole), and a wider one is cut with `…`.
const OWNER: usize = 9;
const OWNER_MAX: usize = 11;

/// The owner column's width for these rows: never narrower than OWNER.
fn owner_width(owners: impl Iterator<Item = (u32, u32)>) -> usize {
    owners
        .map(|(u, g)| format!("{u}:{g}").len())
        .max()
        .unwrap_or(0)
        .clamp(OWNER, OWNER_MAX)
}
const MIN_NAME: usize = 24;

/// Columns the tree guide takes at `depth` (two per level, as the compare view draws).
fn indent(depth: usize) -> usize {
    2 * depth + 2
}

/// `│ ├ ` guides, at most `room` columns wide: a deep row keeps its innermost levels and
/// marks the cut with `…`.
fn guide(row: &Row, room: usize) -> String {
    let depth = row.depth.min(63) as usize;
    let mut g = String::new();
    for d in 0..depth {
        g.push_str(if row.guides & (1 << d) != 0 {
            "│ "
        } else {
            "  "
        });
    }
    g.push_str(if row.last { "└ " } else { "├ " });
    let cols = indent(depth);
    if cols <= room {
        return g;
    }
    // Keep the last levels that fit after the `…` marker.
    let keep = room.saturating_sub(1) & !1;
    let tail: String = g.chars().skip(cols - keep).collect();
    format!("…{tail}")
}

/// `name/` for directories (with `▸` when collapsed), `name → target` for links.
fn display_name(state: &State, view: &TreeView, id: u32) -> String {
    let n = view.tree.node(id);
    let mut s = n.name().to_string();
    if n.is_dir() {
        s.push('/');
        if view.collapsed[id as usize] {
            s.push_str(" ▸");
        }
    } else if let Some(target) = link(state, n) {
        s.push_str(" → ");
        s.push_str(&target);
    }
    s
}

fn link(state: &State, n: &Node) -> Option<String> {
    if n.layer == NO_LAYER {
        return None;
    }
    let scan = state.layers.get(n.layer as usize)?.scan.as_ref()?;
    let e = scan.entries.get(n.entry as usize)?;
    e.link.as_deref().map(str::to_string)
}

fn footer(state: &State, theme: &Theme, view: &TreeView, rows: Rect, buf: &mut Buffer) {
    let area = Rect {
        y: rows.bottom(),
        height: super::TREE_FOOTER,
        ..rows
    };
    let mut lines: Vec<Line> = Vec::new();
    match &state.prompt {
        Some(Prompt::Search(q)) => lines.push(Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(format!("{q}█  ")),
            Span::styled(hits_text(state, q), theme.label),
        ])),
        Some(Prompt::Filter(q)) => lines.push(Line::from(vec![
            Span::styled("filter: ", theme.key),
            Span::raw(format!("{q}█")),
        ])),
        None => {
            if let Some(id) = view.selected() {
                lines.push(selected_line(state, theme, view.tree.node(id)));
            }
        }
    }
    let mut notes: Vec<Span> = Vec::new();
    if state.prompt.is_none() && !state.search.is_empty() {
        notes.push(Span::styled(
            format!(
                "/{} {} (n/N) ",
                state.search,
                hits_text(state, &state.search)
            ),
            theme.key,
        ));
    }
    if let Some(id) = view.selected() {
        let n = view.tree.node(id);
        if let Some(fs) = state.lookup.findings.get(&*n.path) {
            // The highlighted finding is said once, by the highlight's own note below.
            let lit = state.highlight.as_ref().map(|h| h.label.as_str());
            let titles: Vec<&str> = fs
                .iter()
                .filter_map(|&i| state.findings.items().get(i as usize))
                .map(|f| f.title.as_str())
                .filter(|t| Some(*t) != lit)
                .collect();
            if !titles.is_empty() {
                notes.push(Span::styled(
                    format!("findings: {} ", titles.join("; ")),
                    theme.message,
                ));
            }
        }
    }
    if let Some(id) = view.selected()
        && let Some(i) = state.rewrite.keeps(&view.tree.node(id).path)
        && let Some(r) = state
            .loaded
            .as_ref()
            .and_then(|l| l.analysis.rewrite.as_ref().ok())
        && let Some(f) = r.files.get(i as usize)
    {
        notes.push(Span::styled(format!("◆ kept: {} ", f.why), theme.added));
    }
    if state.filter.only.is_some() {
        let key = state
            .keymap
            .key_for(super::super::keymap::Command::KeptOnly);
        notes.push(Span::styled(
            format!("only what the rewrite keeps ({key}: all) "),
            theme.key,
        ));
    }
    if let Some(h) = &state.highlight {
        notes.push(Span::styled(
            format!(
                "● {} ({}, n/N) ",
                h.label,
                crate::units::plural(h.paths.len() as u64, "file", "files")
            ),
            theme.highlight,
        ));
    }
    if !state.filter.text.is_empty() && state.prompt.is_none() {
        notes.push(Span::styled(
            format!("filter: {} ", state.filter.text),
            theme.key,
        ));
    }
    let hidden: Vec<&str> = ["added", "modified", "removed", "unchanged", "unknown"]
        .iter()
        .zip(state.filter.hidden)
        .filter(|(_, h)| *h)
        .map(|(n, _)| *n)
        .collect();
    if !hidden.is_empty() {
        notes.push(Span::styled(
            format!("hidden: {} ", hidden.join(", ")),
            theme.dim,
        ));
    }
    if view.rows.is_empty() {
        notes.push(Span::styled("no files match", theme.dim));
    }
    lines.push(Line::from(notes));
    for (i, l) in lines.into_iter().take(area.height as usize).enumerate() {
        l.render(
            Rect {
                y: area.y + i as u16,
                height: 1,
                ..area
            },
            buf,
        );
    }
}

/// `3/17` while a search has matches, `no match` when it has none.
fn hits_text(state: &State, query: &str) -> String {
    match state.search_hits {
        _ if query.is_empty() => String::new(),
        Some((at, of)) => format!("{at}/{of}"),
        None => "no match".into(),
    }
}

fn selected_line<'a>(state: &State, theme: &Theme, n: &Node) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("/{}", n.path), theme.value)];
    // What the size column adds up, when part of it is gone from this view's filesystem.
    if n.removed > 0 && n.size > 0 {
        spans.push(Span::styled(
            format!("  {} here + {} removed", bytes(n.size), bytes(n.removed)),
            theme.label,
        ));
    } else if n.removed > 0 {
        spans.push(Span::styled(
            format!("  {} removed", bytes(n.removed)),
            theme.removed,
        ));
    }
    if n.layer != NO_LAYER {
        spans.push(Span::styled(format!("  layer {}", n.layer), theme.label));
    }
    let owner = state
        .lookup
        .owner
        .get(&*n.path)
        .and_then(|&i| state.packages.items().get(i as usize));
    let owner_text = match (&state.packages, owner) {
        // The Packages pane's row for files no package lists is no package.
        (_, Some(p)) if p.name == super::super::data::UNOWNED => "  owner: no package".into(),
        (_, Some(p)) => format!("  owner: {} {} ({})", p.name, p.version, p.manager),
        (super::super::state::Data::Loading, _) => "  owner: loading…".into(),
        _ if n.is_dir() => String::new(),
        _ => "  owner: none".into(),
    };
    spans.push(Span::styled(
        owner_text,
        Style::default().patch(theme.label),
    ));
    Line::from(spans)
}
