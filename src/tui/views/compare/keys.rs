//! The compare view's key hints and help overlay, from the keymap (overrides show), listing
//! only the commands the view answers.

use super::super::pane_block;
use crate::tui::compare::state::{COMMANDS, CompareState};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

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
    let r = crate::tui::widgets::popup(area, 72, buf);
    let mut lines: Vec<Line> = Vec::new();
    for b in state
        .keymap
        .bindings
        .iter()
        .filter(|b| COMMANDS.contains(&b.command))
    {
        let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
        let text = match b.command {
            crate::tui::keymap::Command::HideAdded => "Show / hide only right (+)",
            crate::tui::keymap::Command::HideRemoved => "Show / hide only left (-)",
            crate::tui::keymap::Command::HideModified => "Show / hide changed (~)",
            crate::tui::keymap::Command::HideUnchanged => "Show / hide same (=)",
            crate::tui::keymap::Command::Sort => "Sort by change / name",
            crate::tui::keymap::Command::Cancel => "Show every status again",
            _ => b.help,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", keys.join(" ")), theme.key),
            Span::raw(text),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Glyphs: - only left  + only right  ~ changed  = same. One cursor moves both sides.",
        theme.dim,
    ));
    let title = vec![Span::styled(" Help — any key closes ", theme.title)];
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(pane_block(title, true, theme))
        .render(r, buf);
}
