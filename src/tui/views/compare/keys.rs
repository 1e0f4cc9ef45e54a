//! The compare view's key hints and help overlay, from the keymap (overrides show), listing
//! only the commands the view answers.

use crate::tui::compare::help::{HELP_WIDTH, help_text};
use crate::tui::compare::state::CompareState;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The bottom line: a notice for one key, or the main keys' hints, whole hints only.
pub struct StatusBar<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        status_bar(self.state, self.theme, area, buf);
    }
}

/// The help overlay, centred in its area: the view's keys and the screen's around it.
pub struct CompareHelp<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for CompareHelp<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        help(self.state, self.theme, area, buf);
    }
}

fn status_bar(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
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

fn help(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = help_text(&state.keymap, state.extra_help.as_ref());
    crate::tui::widgets::help::Help {
        text: &text,
        scroll: state.help_scroll,
        max_width: HELP_WIDTH,
        theme,
    }
    .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, render};
    use super::{CompareHelp, StatusBar};
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    #[test]
    fn the_status_bar_shows_whole_hints_or_a_notice() {
        let (mut state, theme) = (compared(60, 20), Theme::mono());
        let buf = render(
            StatusBar {
                state: &state,
                theme: &theme,
            },
            60,
            1,
        );
        let expected =
            Buffer::with_lines([" q quit  Tab pane  ? help  [/] open left/right  / search    "]);
        assert_eq!(buf, expected);
        state.notice = Some("the sides open once both images are compared".into());
        let buf = render(
            StatusBar {
                state: &state,
                theme: &theme,
            },
            60,
            1,
        );
        let expected =
            Buffer::with_lines([" the sides open once both images are compared               "]);
        assert_eq!(buf, expected);
    }

    #[test]
    fn the_help_lists_the_views_keys_and_says_there_is_more() {
        let (state, theme) = (compared(60, 20), Theme::mono());
        let buf = render(
            CompareHelp {
                state: &state,
                theme: &theme,
            },
            60,
            12,
        );
        let expected = Buffer::with_lines([
            "                                                            ",
            "  ┏ Help — j/k PgDn/PgUp scroll · any other key closes ━━┓  ",
            "  ┃Everywhere                                            ┃  ",
            "  ┃ q Ctrl+C    Quit (cancels loading)                   ┃  ",
            "  ┃ Tab         Next pane                                ┃  ",
            "  ┃ Shift+Tab   Previous pane                            ┃  ",
            "  ┃ 1           Layers pane (the selected layer's detail…┃  ",
            "  ┃ 2           Files pane                               ┃  ",
            "  ┃ 3           Packages pane                            ┃  ",
            "  ┃ 4           Findings pane                            ┃  ",
            "  ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ more ↓ (32 lines) ┛  ",
            "                                                            ",
        ]);
        assert_eq!(buf, expected);
    }
}
