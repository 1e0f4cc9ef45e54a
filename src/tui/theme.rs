//! Every style in one place. With `NO_COLOR` set, colours go and only modifiers (bold,
//! reverse, dim) remain; tree statuses still read through their glyphs.

use super::tree::Status;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone)]
pub struct Theme {
    pub border: Style,
    pub focus_border: Style,
    pub title: Style,
    pub header: Style,
    pub label: Style,
    pub value: Style,
    pub dim: Style,
    pub key: Style,
    pub message: Style,
    pub error: Style,
    pub selected: Style,
    /// The selection in a pane without focus.
    pub selected_unfocused: Style,
    pub bar: Style,
    pub bar_empty: Style,
    pub highlight: Style,
    pub search_hit: Style,
    pub added: Style,
    pub modified: Style,
    pub removed: Style,
    pub unchanged: Style,
    pub unknown: Style,
}

impl Theme {
    /// The selected row's style: bright in the focused pane, muted elsewhere.
    pub fn selection(&self, focused: bool) -> Style {
        if focused {
            self.selected
        } else {
            self.selected_unfocused
        }
    }

    /// Colours unless `NO_COLOR` is set (<https://no-color.org>: any non-empty value).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::color(),
        }
    }

    pub fn color() -> Theme {
        let s = Style::default();
        Theme {
            border: s.fg(Color::DarkGray),
            focus_border: s.fg(Color::Cyan),
            title: s.add_modifier(Modifier::BOLD),
            header: s.fg(Color::Gray).add_modifier(Modifier::BOLD),
            label: s.fg(Color::Gray),
            value: s.add_modifier(Modifier::BOLD),
            dim: s.fg(Color::DarkGray),
            key: s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            message: s.fg(Color::Yellow),
            error: s.fg(Color::Red).add_modifier(Modifier::BOLD),
            selected: s.bg(Color::Blue).fg(Color::White),
            selected_unfocused: s.bg(Color::DarkGray),
            bar: s.fg(Color::Cyan),
            bar_empty: s.fg(Color::DarkGray),
            highlight: s.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            search_hit: s.add_modifier(Modifier::UNDERLINED),
            added: s.fg(Color::Green),
            modified: s.fg(Color::Yellow),
            removed: s.fg(Color::Red),
            unchanged: s,
            unknown: s.fg(Color::DarkGray),
        }
    }

    pub fn mono() -> Theme {
        let s = Style::default();
        Theme {
            border: s,
            focus_border: s.add_modifier(Modifier::BOLD),
            title: s.add_modifier(Modifier::BOLD),
            header: s.add_modifier(Modifier::BOLD),
            label: s,
            value: s.add_modifier(Modifier::BOLD),
            dim: s.add_modifier(Modifier::DIM),
            key: s.add_modifier(Modifier::BOLD),
            message: s.add_modifier(Modifier::BOLD),
            error: s.add_modifier(Modifier::BOLD),
            selected: s.add_modifier(Modifier::REVERSED),
            selected_unfocused: s.add_modifier(Modifier::UNDERLINED),
            bar: s,
            bar_empty: s.add_modifier(Modifier::DIM),
            highlight: s.add_modifier(Modifier::BOLD),
            search_hit: s.add_modifier(Modifier::UNDERLINED),
            added: s,
            modified: s,
            removed: s.add_modifier(Modifier::DIM),
            unchanged: s,
            unknown: s.add_modifier(Modifier::DIM),
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Added => self.added,
            Status::Modified => self.modified,
            Status::Removed => self.removed,
            Status::Unchanged => self.unchanged,
            Status::Unknown => self.unknown,
        }
    }
}
