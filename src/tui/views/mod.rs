//! The screen: a summary header, a left column (Layers, Packages or Findings over a detail
//! pane), the file tree on the right, a key-hint bar. One layout function serves drawing,
//! mouse hits and scrolling, so they always agree.

pub mod compare;
pub mod findings;
pub mod help;
pub mod layers;
pub mod packages;
pub mod progress;
pub mod summary;
pub mod tree;

use super::state::{Pane, Prompt, State};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub left: Rect,
    pub detail: Rect,
    pub tree: Rect,
    pub status: Rect,
}

/// The summary fits two lines from this width on; below it takes three.
pub const WIDE: u16 = 110;
/// Lines at the bottom of the tree pane for the selected file's details or the prompt.
pub const TREE_FOOTER: u16 = 2;

pub fn layout(area: Rect) -> Areas {
    let [header, middle, status] = Layout::vertical([
        Constraint::Length(if area.width >= WIDE { 2 } else { 3 }),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_w = (middle.width * 2 / 5).clamp(32.min(middle.width), 72);
    let [left_col, tree] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(middle);
    let detail_h = (left_col.height / 3).clamp(5.min(left_col.height), 14);
    let [left, detail] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(left_col);
    Areas {
        header,
        left,
        detail,
        tree,
        status,
    }
}

impl Areas {
    /// The pane a point falls in (the left column shows `left`).
    pub fn pane_at(&self, x: u16, y: u16, left: Pane) -> Option<Pane> {
        let hit = |r: Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
        if hit(self.tree) {
            Some(Pane::Tree)
        } else if hit(self.left) {
            Some(left)
        } else {
            None
        }
    }

    /// The rectangle holding a pane's list rows: inside the border, below the column header.
    pub fn rows(&self, pane: Pane) -> Rect {
        let (outer, header, footer) = match pane {
            Pane::Tree => (self.tree, 1, TREE_FOOTER),
            Pane::Layers | Pane::Packages => (self.left, 1, 0),
            Pane::Findings => (self.left, 0, 0),
        };
        let inner = Block::bordered().inner(outer);
        Rect {
            x: inner.x,
            y: inner.y + header.min(inner.height),
            width: inner.width,
            height: inner.height.saturating_sub(header + footer),
        }
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let areas = layout(frame.area());
    let buf = frame.buffer_mut();
    summary::render(state, theme, areas.header, buf);
    match state.left {
        Pane::Packages => packages::render(state, theme, &areas, buf),
        Pane::Findings => findings::render(state, theme, &areas, buf),
        _ => layers::render(state, theme, &areas, buf),
    }
    tree::render(state, theme, &areas, buf);
    status_bar(state, theme, areas.status, buf);
    if state.help {
        help::render(state, theme, frame.area(), frame.buffer_mut());
    }
}

/// A pane's frame: the title shows the pane's number key; the focused pane is drawn bold.
pub fn pane_block<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.focus_border
        } else {
            theme.border
        })
        .title(Line::from(title))
}

/// The left column's title: all three lists, the shown one marked.
pub fn left_title<'a>(state: &State, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let narrow = layout(state.screen).left.width < 40;
    for (i, p) in [Pane::Layers, Pane::Packages, Pane::Findings]
        .into_iter()
        .enumerate()
    {
        let key = [1, 3, 4][i];
        let name = match (narrow, p) {
            (true, Pane::Packages) => "Pkgs",
            (true, Pane::Findings) => "Finds",
            _ => p.title(),
        };
        let text = format!(" {key} {name} ");
        spans.push(if state.left == p {
            Span::styled(format!("[{}]", text.trim()), theme.title)
        } else {
            Span::styled(text, theme.dim)
        });
    }
    spans
}

fn status_bar(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let line = if let Some(msg) = &state.message {
        Line::from(Span::styled(msg.clone(), theme.message))
    } else if let Some(p) = &state.prompt {
        let what = match p {
            Prompt::Search(_) => "search",
            Prompt::Filter(_) => "filter",
        };
        Line::from(Span::styled(
            format!(" Enter accept · Esc cancel ({what})"),
            theme.dim,
        ))
    } else {
        let mut spans = Vec::new();
        for (key, what) in hints(state) {
            spans.push(Span::styled(format!(" {key}"), theme.key));
            spans.push(Span::styled(format!(" {what} "), theme.dim));
        }
        Line::from(spans)
    };
    line.render(area, buf);
}

/// The key bar's hints: the focused pane's own keys first, then the ones every pane has.
fn hints(state: &State) -> Vec<(String, String)> {
    use super::keymap::Command as C;
    use super::state::FilesView;
    let k = &state.keymap;
    let next_view = match state.files.next() {
        FilesView::AsOf => "as of layer",
        FilesView::Layer => "layer only",
        FilesView::Image => "whole image",
    };
    let own: &[(C, &str)] = match state.focus {
        Pane::Layers => &[
            (C::Select, "files"),
            (C::ToggleImage, next_view),
            (C::CopyPath, "copy digest"),
        ],
        Pane::Tree => &[
            (C::Collapse, "collapse"),
            (C::Search, "search"),
            (C::NextMatch, "next"),
            (C::Filter, "filter"),
            (C::ToggleImage, next_view),
            (C::Sort, "sort"),
            (C::Attributes, "attrs"),
            (C::CopyPath, "copy"),
        ],
        Pane::Packages => &[(C::Select, "show files"), (C::CopyPath, "copy name")],
        Pane::Findings => &[
            (C::Select, "show files"),
            (C::CopyFix, "copy fix"),
            (C::CopyPath, "copy path"),
        ],
    };
    let quit = if state.from_compare { "back" } else { "quit" };
    let common = [(C::Help, "help"), (C::NextPane, "pane"), (C::Quit, quit)];
    own.iter()
        .chain(common.iter())
        .map(|&(c, what)| (k.key_for(c), what.to_string()))
        .collect()
}
