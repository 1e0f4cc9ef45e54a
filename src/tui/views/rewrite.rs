//! The Rewrite pane: how small the image could be, and how. Focused, it takes the tree's
//! place too, so the Dockerfile reads at full width; otherwise it sits in the left column
//! beside the tree (where Enter on a copied file shows it). The detail pane below shows
//! the selected line whole, or the prompt for the file to write. Also the header's answer.

use super::super::keymap::Command;
use super::super::rewrite::doc;
use super::super::rewrite::state::SavePrompt;
use super::super::state::{Pane, State};
use super::super::theme::Theme;
use super::super::widgets::{bytes, truncate};
use super::{app_layout, left_title, pane_block};
use crate::analysis::rewrite::Stage;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// The focused pane covers the tree's place too.
pub fn wide(state: &State) -> bool {
    state.focus == Pane::Rewrite
}

/// The pane's list block and its detail block.
pub fn areas(state: &State) -> (Rect, Rect) {
    let a = app_layout(state.screen, state);
    if !wide(state) {
        return (a.left, a.detail);
    }
    let middle = a.left.union(a.tree);
    let detail_h = (middle.height / 4).clamp(5.min(middle.height), 8);
    let [list, detail] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(middle);
    (list, detail)
}

/// The rectangle holding the pane's lines.
pub fn rows(state: &State) -> Rect {
    Block::bordered().inner(areas(state).0)
}

/// The rows of any pane: this one's own, the others' from the layout.
pub fn rows_of(state: &State, pane: Pane) -> Rect {
    match pane {
        Pane::Rewrite => rows(state),
        _ => app_layout(state.screen, state).rows(pane),
    }
}

/// The Rewrite pane as a widget: the list block's frame and title, the rewrite's lines in
/// the window, the selected one marked. Drawn in [`areas`]'s first rectangle.
pub struct RewriteList<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for RewriteList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        list(self.state, self.theme, area, buf);
    }
}

/// The selected line whole (a copied file: its sizes, stage and reason), or the prompt for
/// the file to write. Drawn in [`areas`]'s second rectangle.
pub struct RewriteDetails<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for RewriteDetails<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        detail(self.state, self.theme, area, buf);
    }
}

fn list(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Rewrite;
    pane_block(left_title(state, theme), focused, theme).render(area, buf);
    let rows = Block::bordered().inner(area);
    if state.loaded.is_none() {
        let text = "the rewrite shows once the image is analysed (it comes with the analysis)";
        Paragraph::new(Line::styled(text, theme.dim))
            .wrap(Wrap { trim: false })
            .render(rows, buf);
        return;
    }
    let rw = &state.rewrite;
    let c = rw.cursor;
    let w = rows.width as usize;
    for (i, l) in rw
        .lines
        .iter()
        .enumerate()
        .skip(c.offset)
        .take(rows.height as usize)
    {
        let r = Rect {
            y: rows.y + (i - c.offset) as u16,
            height: 1,
            ..rows
        };
        let style = match l.kind {
            doc::Kind::Heading => theme.header,
            doc::Kind::Answer => theme.added.patch(theme.value),
            doc::Kind::Text => theme.label,
            doc::Kind::File(_) | doc::Kind::Dockerfile => Default::default(),
        };
        let indent = match l.kind {
            doc::Kind::Heading => "",
            _ => " ",
        };
        let mut line = Line::styled(truncate(&format!("{indent}{}", l.text), w), style);
        if i == c.selected {
            let s = theme.selection(focused);
            buf.set_style(r, s);
            line = line.style(style.patch(s));
        }
        line.render(r, buf);
    }
}

fn detail(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = pane_block(vec![Span::styled(" Rewrite ", theme.title)], false, theme);
    let mut lines: Vec<Line> = Vec::new();
    match &state.rewrite.save {
        Some(SavePrompt::Path(p)) => {
            lines.push(Line::from(vec![
                Span::styled("write the Dockerfile to: ", theme.key),
                Span::raw(format!("{p}█")),
            ]));
            lines.push(Line::styled(
                "Enter writes (never over an existing file without asking) · Esc cancels",
                theme.dim,
            ));
        }
        Some(SavePrompt::Overwrite(p)) => {
            lines.push(Line::styled(
                format!("{p} exists: overwrite it? y / any other key keeps it"),
                theme.key,
            ));
        }
        None => {}
    }
    let rewrite = state
        .loaded
        .as_ref()
        .and_then(|l| l.analysis.rewrite.as_ref().ok());
    let selected = state.rewrite.lines.get(state.rewrite.cursor.selected);
    match (selected, rewrite) {
        (Some(l), Some(r)) => match l.kind {
            doc::Kind::File(i) => {
                if let Some(f) = r.files.get(i) {
                    lines.extend(file_detail(f, theme));
                }
            }
            _ => lines.push(Line::raw(l.text.clone())),
        },
        (Some(l), None) => lines.push(Line::raw(l.text.clone())),
        _ => {}
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

fn file_detail<'a>(f: &crate::analysis::rewrite::CopiedPath, theme: &Theme) -> Vec<Line<'a>> {
    let from = match f.from {
        Stage::Source => "copied from the image",
        Stage::Build => "built in the Go build stage",
        Stage::Strip => "stripped in the strip stage",
    };
    let was = if f.predicted_bytes != f.bytes {
        format!(" (today {})", bytes(f.bytes))
    } else {
        String::new()
    };
    vec![
        Line::styled(f.path.clone(), theme.value),
        Line::styled(
            format!(
                "{}{was}, about {} compressed · {from}",
                bytes(f.predicted_bytes),
                bytes(f.predicted_compressed_bytes)
            ),
            theme.label,
        ),
        Line::raw(format!("why: {}", f.why)),
        Line::styled("Enter shows it in the tree", theme.dim),
    ]
}

/// The header's answer, longest form first: each is a field (label and value) the header
/// places beside today's size, in the widest form that fits.
pub fn answer_field<'a>(state: &State, theme: &Theme) -> Vec<Vec<Span<'a>>> {
    let value = theme.added.patch(theme.value);
    let field = |text: String| vec![Span::raw(" "), Span::styled(text, value), Span::raw(" ")];
    let Some(loaded) = &state.loaded else {
        return vec![field("could be …".into())];
    };
    match &loaded.analysis.rewrite {
        Ok(r) => {
            let [full, medium, short] = crate::report::rewrite::answers(r);
            let key = state
                .keymap
                .key_for(super::super::keymap::Command::FocusRewrite);
            vec![
                field(format!("{full} ({key})")),
                field(full),
                field(medium),
                field(short),
            ]
        }
        Err(why) => vec![
            vec![Span::styled(format!(" no rewrite: {why} "), theme.label)],
            vec![Span::styled(" no rewrite ", theme.label)],
        ],
    }
}

/// The pane's own keys for the key bar (help, pane and quit follow); whole hints fit 80
/// columns.
pub const HINTS: &[(Command, &str)] = &[
    (Command::Select, "show file"),
    (Command::CopyDockerfile, "copy"),
    (Command::SaveDockerfile, "write"),
    (Command::WhatIf, "what-if"),
    (Command::KeptOnly, "kept"),
];

#[cfg(test)]
#[path = "rewrite_tests.rs"]
mod tests;
