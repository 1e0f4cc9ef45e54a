//! The file tree pane: status glyph, permissions, owner, size, the tree itself; only the
//! rows in the window are formatted. The footer ([`footer::Footer`]) names the selected
//! file's layer, owner package and the findings that touch it, or shows the search/filter
//! prompt.

mod footer;

use super::super::state::{Pane, Prompt, State};
use super::super::theme::Theme;
use super::super::tree::rows::matches;
use super::super::tree::{NO_LAYER, Node, Row, SortBy, TreeView};
use super::super::widgets::{bytes, permissions, truncate};
use super::{pane_block, rows_in};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub use footer::Footer;

/// The Files pane as a widget: its frame, the column header, the rows in the tree's window
/// and the footer; the loading placeholder while the tree on screen is not built yet.
pub struct Files<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for Files<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Files { state, theme } = self;
        let focused = state.focus == Pane::Tree;
        pane_block(title(state, theme, area.width), focused, theme).render(area, buf);
        let rows = rows_in(area, Pane::Tree);
        let Some(view) = state.tree() else {
            super::progress::Placeholder { state, theme }.render(rows, buf);
            return;
        };
        let window = window(view, rows.height);
        let cols = Columns::new(state, view, window, rows.width as usize);
        cols.head_line(theme).render(
            Rect {
                y: rows.y - 1,
                height: 1,
                ..rows
            },
            buf,
        );
        for (i, row) in window.iter().enumerate() {
            let r = Rect {
                y: rows.y + i as u16,
                height: 1,
                ..rows
            };
            let mut line = cols.row_line(state, theme, view, row);
            if view.offset + i == view.cursor {
                let s = theme.selection(focused);
                buf.set_style(r, s);
                line = line.style(s);
            }
            line.render(r, buf);
        }
        Footer { state, theme, view }.render(
            Rect {
                y: rows.bottom(),
                height: super::TREE_FOOTER,
                ..rows
            },
            buf,
        );
    }
}

/// ` 2 Files — as of layer 2 · by size · 1.2 MiB removed `, the removed bytes shortened to
/// `· −1.2 MiB` when the pane is narrow.
fn title<'a>(state: &State, theme: &Theme, width: u16) -> Vec<Span<'a>> {
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
        let text = if used + long.chars().count() + 2 <= width as usize {
            long
        } else {
            format!("· −{} ", bytes(removed))
        };
        title.push(Span::styled(text, theme.removed));
    }
    title
}

/// The window's columns: its width, whether the attributes show (for the whole window so
/// columns stay aligned) and how wide the owner is, the search query names are marked by.
struct Columns<'s> {
    width: usize,
    attrs: bool,
    owner_w: usize,
    attrs_w: usize,
    query: &'s str,
}

/// The rows in the window: `height` of them from the view's offset.
fn window(view: &TreeView, height: u16) -> &[Row] {
    let end = (view.offset + height as usize).min(view.rows.len());
    &view.rows[view.offset.min(end)..end]
}

impl<'s> Columns<'s> {
    fn new(state: &'s State, view: &TreeView, window: &[Row], width: usize) -> Self {
        // Attributes drop, for the whole window so columns stay aligned, before any name
        // would be cut short by them.
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
        let query = match &state.prompt {
            Some(Prompt::Search(q)) => q.as_str(),
            _ => state.search.as_str(),
        };
        Columns {
            width,
            attrs,
            owner_w,
            attrs_w,
            query,
        }
    }

    /// `  Permission  UID:GID       Size  Name`, or only size and name.
    fn head_line<'a>(&self, theme: &Theme) -> Line<'a> {
        let head = if self.attrs {
            let owner_w = self.owner_w;
            format!("  Permission  {:<owner_w$}    Size  Name", "UID:GID")
        } else {
            "       Size  Name".to_string()
        };
        Line::styled(truncate(&head, self.width), theme.header)
    }

    /// One row: status glyph, `◆` when the rewrite keeps the file, the attributes, the
    /// size, the guide and the name (highlighted, search hits marked).
    fn row_line<'a>(&self, state: &State, theme: &Theme, view: &TreeView, row: &Row) -> Line<'a> {
        let n = view.tree.node(row.node);
        // ◆ after the status glyph: the rewrite keeps this file.
        let kept = state.rewrite.keeps(&n.path).is_some();
        let mut spans = vec![
            Span::styled(n.status.glyph().to_string(), theme.status(n.status)),
            Span::styled(if kept { "◆" } else { " " }, theme.added),
        ];
        if self.attrs {
            let owner_w = self.owner_w;
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
        let room = self
            .width
            .saturating_sub(FIXED + if self.attrs { self.attrs_w } else { 0 });
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
        if !self.query.is_empty() && matches(n.name(), self.query) {
            name_style = name_style.patch(theme.search_hit);
        }
        spans.push(Span::styled(name, name_style));
        Line::from(spans)
    }
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

#[cfg(test)]
mod tests;
