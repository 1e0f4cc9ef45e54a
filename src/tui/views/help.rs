//! The help overlay, generated from the keymap (so overrides from the config show). Pairs of
//! commands read as one line (`↑ k / ↓ j  Up / down`); widgets::help lays it out (one
//! column, two, or one that scrolls and says so).

use super::super::keymap::{Command, Context};
use super::super::state::State;
use super::super::theme::Theme;
use super::super::widgets::help::{self, Group, HelpText};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// Commands shown on one help line, with the words for the pair.
const PAIRS: [(Command, Command, &str); 7] = [
    (Command::NextPane, Command::PrevPane, "Next / previous pane"),
    (Command::Up, Command::Down, "Up / down"),
    (Command::PageUp, Command::PageDown, "Page up / down"),
    (Command::Top, Command::Bottom, "First / last row"),
    (
        Command::NextMatch,
        Command::PrevMatch,
        "Next / previous match (or highlighted file)",
    ),
    (
        Command::FocusLayers,
        Command::FocusTree,
        "Layers / Files pane",
    ),
    (
        Command::FocusPackages,
        Command::FocusFindings,
        "Packages / Findings pane",
    ),
];

/// The app's help: its key groups (the compare view's own keys left out), then notes.
pub fn text(state: &State) -> HelpText {
    let km = &state.keymap;
    let keys = |c: Command| -> String {
        km.bindings
            .iter()
            .find(|b| b.command == c)
            .map(|b| {
                b.keys
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    let mut groups: Vec<Group> = Vec::new();
    // The compare view's own keys mean nothing here.
    for b in km.bindings.iter().filter(|b| b.context != Context::Compare) {
        let second = PAIRS.iter().find(|p| p.1 == b.command);
        if second.is_some() {
            continue;
        }
        let line = match PAIRS.iter().find(|p| p.0 == b.command) {
            Some(&(a, z, what)) => (format!("{} / {}", keys(a), keys(z)), what.to_string()),
            None => (keys(b.command), b.help.to_string()),
        };
        let title = b.context.title();
        match groups.iter_mut().find(|g| g.title == title) {
            Some(g) => g.lines.push(line),
            None => groups.push(Group {
                title: title.to_string(),
                lines: vec![line],
            }),
        }
    }
    let mut notes = Vec::new();
    if state.from_compare {
        notes.push(
            "Opened from the compare view: Quit (and Cancel with nothing to clear) goes back."
                .to_string(),
        );
    }
    notes.push(
        "Glyphs: + added  ~ modified  - removed  ? not merged yet. Keys: \
         $XDG_CONFIG_HOME/microscope/config.toml"
            .to_string(),
    );
    HelpText { groups, notes }
}

/// The pop-up's widest.
pub const MAX_WIDTH: u16 = 120;

/// The app's help pop-up over the screen as a widget: [`text`] laid out by
/// [`help::Help`], scrolled as far as the state says.
pub struct AppHelp<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for AppHelp<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let text = text(self.state);
        help::Help {
            text: &text,
            scroll: self.state.help_scroll,
            max_width: MAX_WIDTH,
            theme: self.theme,
        }
        .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{small, text, theme};
    use super::*;

    #[test]
    fn the_help_scrolls_and_says_so_at_both_ends() {
        let mut app = small(80, 24);
        app.press("? j j");
        let buf = text(
            AppHelp {
                state: &app.state,
                theme: &theme(),
            },
            60,
            12,
        );
        // Text only (styles reset): pairs of keys on one line, long lines cut at the frame.
        let expected = Buffer::with_lines([
            "                                                            ",
            "  ┏ Help — j/k PgDn/PgUp scroll · any other key closes ━━┓  ",
            "  ┃ Tab / Shift+Tab  Next / previous pane                ┃  ",
            "  ┃ 1 / 2            Layers / Files pane                 ┃  ",
            "  ┃ 3 / 4            Packages / Findings pane            ┃  ",
            "  ┃ 5                Rewrite pane: how small it could be ┃  ",
            "  ┃ c                What-if: the image against its rewr…┃  ",
            "  ┃ r                Files: only what the rewrite keeps  ┃  ",
            "  ┃ w                Files: as of layer / layer only / w…┃  ",
            "  ┃ y                Copy the selected path (OSC 52)     ┃  ",
            "  ┗ ↑ more ━━━━━━━━━━━━━━━━━━━━━━━━━━━ more ↓ (36 lines) ┛  ",
            "                                                            ",
        ]);
        assert_eq!(buf, expected);
    }
}
