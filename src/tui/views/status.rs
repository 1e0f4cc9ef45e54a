//! The key bar at the screen's foot: a message, the prompt's keys, or the focused pane's
//! own keys (as many whole hints as fit) before the ones every pane has.

use super::super::keymap::Command as C;
use super::super::state::{FilesView, Pane, Prompt, State};
use super::super::theme::Theme;
use super::rewrite;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The key bar as a widget, one line.
pub struct StatusBar<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        line(self.state, self.theme, area).render(area, buf);
    }
}

fn line<'a>(state: &State, theme: &Theme, area: Rect) -> Line<'a> {
    if let Some(msg) = &state.message {
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
        let (own, common) = hints(state);
        // Whole hints only: the pane's own keys while they fit beside the common ones.
        let cells = |(k, w): &(String, String)| k.chars().count() + w.chars().count() + 3;
        let mut room = (area.width as usize).saturating_sub(common.iter().map(cells).sum());
        let own = own.into_iter().take_while(|h| {
            let fits = cells(h) <= room;
            room = room.saturating_sub(cells(h));
            fits
        });
        let mut spans = Vec::new();
        for (key, what) in own.chain(common) {
            spans.push(Span::styled(format!(" {key}"), theme.key));
            spans.push(Span::styled(format!(" {what} "), theme.dim));
        }
        Line::from(spans)
    }
}

/// The key bar's hints: the focused pane's own keys, and the ones every pane has.
type Hints = Vec<(String, String)>;
fn hints(state: &State) -> (Hints, Hints) {
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
        // Most wanted first: the key bar keeps what fits.
        Pane::Tree => &[
            (C::ToggleImage, next_view),
            (C::Search, "search"),
            (C::NextMatch, "next"),
            (C::Filter, "filter"),
            (C::Collapse, "collapse"),
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
        Pane::Rewrite => rewrite::HINTS,
    };
    let quit = if state.from_compare { "back" } else { "quit" };
    let common = [(C::Help, "help"), (C::NextPane, "pane"), (C::Quit, quit)];
    let named = |v: &[(C, &str)]| {
        v.iter()
            .map(|&(c, what)| (k.key_for(c), what.to_string()))
            .collect()
    };
    (named(own), named(&common))
}
