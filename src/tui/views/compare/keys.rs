//! The compare view's key hints and help overlay, from the keymap (overrides show), listing
//! only the commands the view answers.

use crate::tui::compare::state::{COMMANDS, CompareState};
use crate::tui::theme::Theme;
use crate::tui::widgets::help::{Group, HelpText};
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

/// The compare view's help: the commands it answers, grouped as the app's help is, in its
/// own words, after the screen's own keys (the tour's); then the glyphs.
pub fn help_text(state: &CompareState) -> HelpText {
    use crate::tui::keymap::Command as C;
    // The screen's own keys first: the tour's are what its reader looks for.
    let mut groups: Vec<Group> = state.extra_help.iter().cloned().collect();
    for b in state
        .keymap
        .bindings
        .iter()
        .filter(|b| COMMANDS.contains(&b.command))
    {
        let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
        let text = match b.command {
            C::HideAdded => "Show / hide only right (+)",
            C::HideRemoved => "Show / hide only left (-)",
            C::HideModified => "Show / hide changed (~)",
            C::HideUnchanged => "Show / hide same (=)",
            C::Sort => "Sort by change / name",
            C::Cancel => "Show every status again",
            C::FocusLayers => "Layers pane (the selected layer's details below)",
            _ => b.help,
        };
        let title = b.context.title();
        let line = (keys.join(" "), text.to_string());
        match groups.iter_mut().find(|g| g.title == title) {
            Some(g) => g.lines.push(line),
            None => groups.push(Group {
                title: title.to_string(),
                lines: vec![line],
            }),
        }
    }
    HelpText {
        groups,
        notes: vec![
            "Glyphs: - only left  + only right  ~ changed  = same. One cursor moves both sides."
                .to_string(),
        ],
    }
}

/// The pop-up's widest.
pub const HELP_WIDTH: u16 = 100;

pub fn help(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = help_text(state);
    crate::tui::widgets::help::render(&text, state.help_scroll, HELP_WIDTH, theme, area, buf);
}
