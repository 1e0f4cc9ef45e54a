//! The help overlay, generated from the keymap (so overrides from the config show). Pairs of
//! commands read as one line (`↑ k / ↓ j  Up / down`), and a screen too short for one
//! column gets two, so the whole help fits a 24-row terminal.

use super::super::keymap::{Command, Context};
use super::super::state::State;
use super::super::theme::Theme;
use super::super::widgets::truncate;
use super::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

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

/// One group of help lines: its title, then (keys, what).
type Group = (&'static str, Vec<(String, String)>);

fn groups(state: &State) -> Vec<Group> {
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
    let mut out: Vec<Group> = Vec::new();
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
        match out.iter_mut().find(|(t, _)| *t == title) {
            Some((_, lines)) => lines.push(line),
            None => out.push((title, vec![line])),
        }
    }
    out
}

fn lines_of<'a>(groups: &[Group], theme: &Theme, width: usize, gap: bool) -> Vec<Line<'a>> {
    let key_w = groups
        .iter()
        .flat_map(|(_, l)| l.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(0)
        .min(width / 2);
    let mut lines = Vec::new();
    for (title, bindings) in groups {
        if gap && !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(*title, theme.header));
        for (keys, text) in bindings {
            let room = width.saturating_sub(key_w + 3);
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<key_w$}  ", truncate(keys, key_w)), theme.key),
                Span::raw(truncate(text, room)),
            ]));
        }
    }
    lines
}

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let r = crate::tui::widgets::popup(area, 120, buf);
    let block = pane_block(
        vec![Span::styled(
            " Help — any key closes, ↑↓ scroll ",
            theme.title,
        )],
        true,
        theme,
    );
    let inner = block.inner(r);
    block.render(r, buf);
    let mut notes = vec![Line::styled(
        "Glyphs: + added  ~ modified  - removed  ? not merged yet. Keys: $XDG_CONFIG_HOME/microscope/config.toml",
        theme.dim,
    )];
    if state.from_compare {
        notes.insert(
            0,
            Line::styled(
                "Opened from the compare view: Quit (and Cancel with nothing to clear) goes back.",
                theme.dim,
            ),
        );
    }
    let note_h = (notes.len() as u16 * 2).min(inner.height / 3);
    let body = Rect {
        height: inner.height.saturating_sub(note_h),
        ..inner
    };
    Paragraph::new(notes).wrap(Wrap { trim: false }).render(
        Rect {
            y: body.bottom(),
            height: note_h,
            ..inner
        },
        buf,
    );
    let groups = groups(state);
    let one = lines_of(&groups, theme, body.width as usize, true);
    if one.len() <= body.height as usize || body.width < 60 {
        let max_scroll = one.len().saturating_sub(body.height as usize);
        Paragraph::new(one)
            .scroll((state.help_scroll.min(max_scroll) as u16, 0))
            .render(body, buf);
        return;
    }
    // Two columns: groups in order, the second column starting at the group that passes
    // half of the lines.
    let total: usize = groups.iter().map(|(_, l)| l.len() + 1).sum();
    let mut split = groups.len();
    let mut acc = 0;
    for (i, (_, l)) in groups.iter().enumerate() {
        if acc + l.len() + 1 > total.div_ceil(2) && i > 0 {
            split = i;
            break;
        }
        acc += l.len() + 1;
    }
    let half = body.width / 2;
    let cols = [
        (
            &groups[..split],
            Rect {
                width: half,
                ..body
            },
        ),
        (
            &groups[split..],
            Rect {
                x: body.x + half + 1,
                width: body.width - half - 1,
                ..body
            },
        ),
    ];
    for (gs, rect) in cols {
        let lines = lines_of(gs, theme, rect.width as usize, false);
        let max_scroll = lines.len().saturating_sub(rect.height as usize);
        Paragraph::new(lines)
            .scroll((state.help_scroll.min(max_scroll) as u16, 0))
            .render(rect, buf);
    }
}
