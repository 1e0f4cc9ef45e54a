//! The compare view's key hints and help overlay, from the keymap (overrides show), listing
//! only the commands the view answers.

use crate::tui::compare::help::{HELP_WIDTH, help_text};
use crate::tui::compare::state::CompareState;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn status_bar(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    use crate::tui::keymap::Command as C;
    if let Some(notice) = &state.notice {
        Line::from(Span::styled(format!(" {notice}"), theme.key)).render(area, buf);
        return;
    }
    let k = &state.keymap;
    let hints = [
        (C::Quit, "quit"),
        (C::NextPane, "pane"),
        (C::Help, "help"),
        (C::Search, "search"),
        (C::Filter, "filter"),
        (C::Collapse, "collapse"),
        (C::Sort, "sort"),
        (C::HideUnchanged, "hide same"),
    ];
    let open = format!("{}/{}", k.key_for(C::OpenLeft), k.key_for(C::OpenRight));
    let mut pairs: Vec<(String, &str)> = hints
        .into_iter()
        .map(|(c, what)| (k.key_for(c), what))
        .collect();
    pairs.insert(3, (open, "open left/right"));
    let mut spans = Vec::new();
    let mut width = 0;
    for (key, what) in pairs {
        let (key, what) = (format!(" {key}"), format!(" {what} "));
        // Whole hints only: a hint cut in half reads as a different key.
        width += key.chars().count() + what.chars().count();
        if width > area.width as usize {
            break;
        }
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(what, theme.dim));
    }
    Line::from(spans).render(area, buf);
}

pub fn help(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = help_text(&state.keymap, state.extra_help.as_ref());
    crate::tui::widgets::help::Help {
        text: &text,
        scroll: state.help_scroll,
        max_width: HELP_WIDTH,
        theme,
    }
    .render(area, buf);
}
