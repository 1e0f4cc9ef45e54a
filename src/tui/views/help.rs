//! The help overlay, generated from the keymap (so overrides from the config show).

use super::super::keymap::Context;
use super::super::state::State;
use super::super::theme::Theme;
use super::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let r = crate::tui::widgets::popup(area, 76, buf);
    let mut lines: Vec<Line> = Vec::new();
    // The compare view's own keys mean nothing here.
    let groups = state.keymap.help().into_iter();
    for (ctx, bindings) in groups.filter(|(c, _)| *c != Context::Compare) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(ctx.title(), theme.header));
        for (keys, text) in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<20}"), theme.key),
                Span::raw(text),
            ]));
        }
    }
    if state.from_compare {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Opened from the compare view: Quit goes back to it, and so does Cancel when there is nothing to clear.",
            theme.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Tree glyphs: + added  ~ modified  - removed  ? not merged yet. Keys: $XDG_CONFIG_HOME/microscope/config.toml",
        theme.dim,
    ));
    let title = vec![Span::styled(
        " Help — any key closes, ↑↓ scroll ",
        theme.title,
    )];
    let max_scroll = lines
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize);
    Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .scroll((state.help_scroll.min(max_scroll) as u16, 0))
        .block(pane_block(title, true, theme))
        .render(r, buf);
}
