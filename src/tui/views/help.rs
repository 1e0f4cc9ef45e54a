//! The help overlay, generated from the keymap (so overrides from the config show).

use super::super::state::State;
use super::super::theme::Theme;
use super::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(4).min(76);
    let h = area.height.saturating_sub(2);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    Clear.render(r, buf);
    let mut lines: Vec<Line> = Vec::new();
    for (ctx, bindings) in state.keymap.help() {
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
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Tree glyphs: + added  ~ modified  - removed  ? not merged yet. Keys: $XDG_CONFIG_HOME/microscope/config.toml",
        theme.dim,
    ));
    let title = vec![Span::styled(
        " Help — any key closes, ↑↓ scroll ",
        theme.title,
    )];
    let max_scroll = lines.len().saturating_sub(h.saturating_sub(2) as usize);
    Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .scroll((state.help_scroll.min(max_scroll) as u16, 0))
        .block(pane_block(title, true, theme))
        .render(r, buf);
}
