//! The screen: a summary header, a left column (Layers, Packages or Findings over a detail
//! pane), the file tree on the right, a key-hint bar. One layout function serves drawing,
//! mouse hits and scrolling, so they always agree.

pub mod compare;
pub mod findings;
#[cfg(test)]
mod fixture;
pub mod help;
pub mod layers;
pub mod packages;
pub mod progress;
pub mod rewrite;
pub mod status;
pub mod summary;
pub mod tree;

use super::state::{Pane, State};
use super::theme::Theme;
use ratatui::Frame;
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
pub const WIDE: u16 = 180;
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

/// The app's layout for its state: [`layout`], then adapted to what is shown. The focused
/// tree takes more of the width; a short layer list gives its spare rows to the detail pane;
/// the Findings detail grows so the selected finding's fix shows.
pub fn app_layout(area: Rect, state: &State) -> Areas {
    let mut a = layout(area);
    let column = Rect {
        height: a.left.height + a.detail.height,
        ..a.left
    };
    if let Some(banded) = band(&a, column, state) {
        return banded;
    }
    if state.focus == Pane::Tree {
        let narrow = (column.width * 3 / 4).max(24.min(column.width));
        let gained = column.width - narrow;
        a.left.width = narrow;
        a.detail.width = narrow;
        a.tree.x -= gained;
        a.tree.width += gained;
    }
    let detail_h = match state.left {
        // Borders, the column header, the rows: nothing below them but empty lines.
        Pane::Layers => column
            .height
            .saturating_sub(state.layers.len() as u16 + 3)
            .max(a.detail.height),
        Pane::Findings => (column.height / 2).max(a.detail.height),
        _ => a.detail.height,
    }
    .min(column.height.saturating_sub(4));
    a.left.height = column.height - detail_h;
    a.detail = Rect {
        y: a.left.bottom(),
        height: detail_h,
        ..a.left
    };
    a
}

/// A short layer list on a wide screen: the Layers pane and its details side by side in a
/// band as tall as they need, the tree below at the full width, rather than a column of
/// empty rows beside a cramped tree (a one-layer image at 160x48).
fn band(a: &Areas, column: Rect, state: &State) -> Option<Areas> {
    if state.left != Pane::Layers || column.width + a.tree.width < 120 {
        return None;
    }
    let list_h = state.layers.len() as u16 + 3;
    let middle = Rect {
        width: column.width + a.tree.width,
        ..column
    };
    let detail_w = middle.width - column.width;
    // The details' lines: name, counts, hidden bytes, the whole command wrapped (+1 for
    // word breaks); the band fits the tallest so it stays put as the cursor moves.
    let inner_w = detail_w.saturating_sub(2).max(1) as usize;
    let detail_h = state
        .layers
        .iter()
        .map(|l| 3 + l.command.chars().count().div_ceil(inner_w) + 1)
        .max()
        .unwrap_or(4) as u16
        + 2;
    let band_h = list_h.max(detail_h);
    // Worth it only when the column would leave a third of its rows empty.
    let spare = column.height.saturating_sub(list_h + a.detail.height);
    if spare < column.height / 3 || band_h > column.height / 2 {
        return None;
    }
    let left = Rect {
        height: band_h,
        ..column
    };
    Some(Areas {
        header: a.header,
        left,
        detail: Rect {
            x: left.right(),
            width: detail_w,
            ..left
        },
        tree: Rect {
            y: left.bottom(),
            height: middle.height - band_h,
            ..middle
        },
        status: a.status,
    })
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
        match pane {
            Pane::Tree => rows_in(self.tree, pane),
            _ => rows_in(self.left, pane),
        }
    }
}

/// The rectangle holding a pane's list rows when the pane is drawn in `outer`.
pub fn rows_in(outer: Rect, pane: Pane) -> Rect {
    let (header, footer) = match pane {
        Pane::Tree => (1, TREE_FOOTER),
        Pane::Layers => (1, 0),
        // The last line is the packages' total.
        Pane::Packages => (1, 1),
        Pane::Findings | Pane::Rewrite => (0, 0),
    };
    let inner = Block::bordered().inner(outer);
    Rect {
        x: inner.x,
        y: inner.y + header.min(inner.height),
        width: inner.width,
        height: inner.height.saturating_sub(header + footer),
    }
}

/// Draws the whole screen: the header, the shown list and its details, the Files pane
/// (unless the Rewrite pane takes its place), the key bar and the help over them.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let areas = app_layout(frame.area(), state);
    let buf = frame.buffer_mut();
    summary::Header { state, theme }.render(areas.header, buf);
    match state.left {
        Pane::Packages => {
            packages::PackageList { state, theme }.render(areas.left, buf);
            packages::PackageDetails { state, theme }.render(areas.detail, buf);
        }
        Pane::Findings => {
            findings::FindingList { state, theme }.render(areas.left, buf);
            findings::FindingDetails { state, theme }.render(areas.detail, buf);
        }
        Pane::Rewrite => {
            let (list, detail) = rewrite::areas(state);
            rewrite::RewriteList { state, theme }.render(list, buf);
            rewrite::RewriteDetails { state, theme }.render(detail, buf);
        }
        _ => {
            layers::LayerList { state, theme }.render(areas.left, buf);
            layers::LayerDetails { state, theme }.render(areas.detail, buf);
        }
    }
    if !rewrite::wide(state) {
        tree::Files { state, theme }.render(areas.tree, buf);
    }
    status::StatusBar { state, theme }.render(areas.status, buf);
    if state.help {
        let area = frame.area();
        help::AppHelp { state, theme }.render(area, frame.buffer_mut());
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

/// The left column's lists and their keys.
const LISTS: [(Pane, u8); 4] = [
    (Pane::Layers, 1),
    (Pane::Packages, 3),
    (Pane::Findings, 4),
    (Pane::Rewrite, 5),
];

/// The left column's title: all four lists, the shown one marked, Packages and Findings
/// with their counts once known; names shorten, then counts go, before the title is cut.
pub fn left_title<'a>(state: &State, theme: &Theme) -> Vec<Span<'a>> {
    // The list block: the left column's, or wider while the Rewrite pane is focused.
    let room = rewrite::areas(state).0.width.saturating_sub(2) as usize;
    let count = |p: Pane| -> Option<usize> {
        match (p, &state.packages, &state.findings) {
            (Pane::Packages, super::state::Data::Ready(v), _) => {
                Some(super::data::package_count(v))
            }
            (Pane::Findings, _, super::state::Data::Ready(v)) => Some(v.len()),
            _ => None,
        }
    };
    // The last resort: the shown list's name, the others' keys.
    let keys_only = LISTS
        .into_iter()
        .map(|(p, key)| match state.left == p {
            true => (format!("[{key} {}]", p.title()), true),
            false => (format!(" {key} "), false),
        })
        .collect::<Vec<_>>();
    let build = |short: bool, counts: bool, pad: bool| -> Vec<(String, bool)> {
        LISTS
            .into_iter()
            .map(|(p, key)| {
                let name = match (short, p) {
                    (true, Pane::Packages) => "Pkgs",
                    (true, Pane::Findings) => "Finds",
                    (true, Pane::Rewrite) => "Rw",
                    _ => p.title(),
                };
                let n = count(p)
                    .filter(|_| counts)
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                let text = match (state.left == p, pad) {
                    (true, _) => format!("[{key} {name}{n}]"),
                    (false, true) => format!(" {key} {name}{n} "),
                    (false, false) => format!(" {key} {name}{n}"),
                };
                (text, state.left == p)
            })
            .collect()
    };
    let width = |v: &[(String, bool)]| v.iter().map(|(t, _)| t.chars().count()).sum::<usize>();
    let options = [
        build(false, true, true),
        build(true, true, true),
        build(true, true, false),
        build(true, false, true),
        build(true, false, false),
    ];
    let chosen = options
        .into_iter()
        .find(|o| width(o) <= room)
        .unwrap_or(keys_only);
    chosen
        .into_iter()
        .map(|(t, on)| Span::styled(t, if on { theme.title } else { theme.dim }))
        .collect()
}
