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

#[cfg(test)]
mod tests {
    use super::super::fixture::{small, styled, text, theme};
    use super::*;
    use ratatui::style::{Modifier, Style};

    #[test]
    fn the_focused_panes_keys_come_first_while_they_fit_styled() {
        let app = small(80, 24);
        let bar = |w| {
            styled(
                StatusBar {
                    state: &app.state,
                    theme: &theme(),
                },
                w,
                1,
            )
        };
        // Styles compared (mono theme): keys bold, what they do dim.
        let key = |k: &'static str| Span::styled(k, Style::default().add_modifier(Modifier::BOLD));
        let what = |w: &'static str| Span::styled(w, Style::default().add_modifier(Modifier::DIM));
        let expected = Buffer::with_lines([Line::from(vec![
            key(" Enter"),
            what(" files "),
            key(" ?"),
            what(" help "),
            key(" Tab"),
            what(" pane "),
            key(" q"),
            what(" quit "),
            Span::raw(" "),
        ])]);
        // At 40 columns the Layers pane's own `w` and `y` give way, whole.
        assert_eq!(bar(40), expected);
        let mut wide = bar(80);
        wide.set_style(wide.area, Style::reset());
        assert_eq!(
            wide,
            Buffer::with_lines([
                " Enter files  w layer only  y copy digest  ? help  Tab pane  q quit             "
            ])
        );
    }

    #[test]
    fn a_message_or_a_prompt_takes_the_bar() {
        let mut app = small(80, 24);
        app.press("2 y");
        let bar = |state: &State| {
            text(
                StatusBar {
                    state,
                    theme: &theme(),
                },
                48,
                1,
            )
        };
        // Text only (styles reset).
        let copied = Buffer::with_lines(["copied: /usr                                    "]);
        assert_eq!(bar(&app.state), copied);
        app.press("/");
        let prompt = Buffer::with_lines([" Enter accept · Esc cancel (search)             "]);
        assert_eq!(bar(&app.state), prompt);
    }
}
