//! The help overlay every screen shares (the app, the compare view, the tour): key groups
//! in one column when they fit, else two columns when every line fits whole in half the
//! width, else one column that scrolls, its borders saying `↑ more` / `more ↓` so no key is
//! out of sight without the screen saying so.

use super::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

/// One group of help lines: its title, then (keys, what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub title: String,
    pub lines: Vec<(String, String)>,
}

/// Everything the overlay shows: the key groups, then notes (wrapped to the width).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpText {
    pub groups: Vec<Group>,
    pub notes: Vec<String>,
}

/// The title's promise, true in every layout: the scroll keys work even when all fits.
const TITLE: &str = " Help — j/k PgDn/PgUp scroll · any other key closes ";

/// What a key does while the help is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKey {
    /// Scrolled (or already at the end): the help stays.
    Scroll,
    Close,
}

/// Moves `scroll` for a list command, clamped to what `text` needs in `screen`; any other
/// key closes the help.
pub fn key(
    scroll: &mut usize,
    cmd: Option<crate::tui::keymap::Command>,
    text: &HelpText,
    screen: Rect,
    max_width: u16,
) -> HelpKey {
    use crate::tui::keymap::Command as C;
    let max = max_scroll(text, screen, max_width);
    let page = body(screen, max_width).height.max(2) as usize - 1;
    *scroll = match cmd {
        Some(C::Down) => *scroll + 1,
        Some(C::Up) => scroll.saturating_sub(1),
        Some(C::PageDown) => *scroll + page,
        Some(C::PageUp) => scroll.saturating_sub(page),
        Some(C::Top) => 0,
        Some(C::Bottom) => max,
        _ => return HelpKey::Close,
    }
    .min(max);
    HelpKey::Scroll
}

/// The pop-up's rectangle in `area`.
fn popup(area: Rect, max_width: u16) -> Rect {
    let w = area.width.saturating_sub(4).min(max_width);
    let h = area.height.saturating_sub(2);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn body(area: Rect, max_width: u16) -> Rect {
    Block::bordered().inner(popup(area, max_width))
}

/// The width of the keys column: the widest keys, at most half the width.
fn key_width(groups: &[Group], width: usize) -> usize {
    groups
        .iter()
        .flat_map(|g| g.lines.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(0)
        .min(width / 2)
}

/// Words of `text` in lines of at most `width` characters (a longer word is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out.into_iter().map(|l| truncate(&l, width)).collect()
}

/// (keys column, lines) of `groups` at `width`, a blank line between groups.
fn group_lines(groups: &[Group], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let key_w = key_width(groups, width);
    let mut lines = Vec::new();
    for g in groups {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(g.title.clone(), theme.header));
        for (keys, what) in &g.lines {
            let room = width.saturating_sub(key_w + 3);
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<key_w$}  ", truncate(keys, key_w)), theme.key),
                Span::raw(truncate(what, room)),
            ]));
        }
    }
    lines
}

fn note_lines(notes: &[String], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for n in notes {
        lines.extend(
            wrap(n, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.dim)),
        );
    }
    lines
}

/// Whether every line of `groups` fits whole in `width`.
fn fits(groups: &[Group], width: usize) -> bool {
    let key_w = key_width(groups, width);
    groups.iter().all(|g| {
        g.title.chars().count() <= width
            && g.lines
                .iter()
                .all(|(k, w)| k.chars().count() <= key_w && key_w + 3 + w.chars().count() <= width)
    })
}

/// The two columns: groups in order, the second starting at the group that passes half
/// of the lines.
fn split(groups: &[Group]) -> usize {
    let total: usize = groups.iter().map(|g| g.lines.len() + 1).sum();
    let mut acc = 0;
    for (i, g) in groups.iter().enumerate() {
        if acc + g.lines.len() + 1 > total.div_ceil(2) && i > 0 {
            return i;
        }
        acc += g.lines.len() + 1;
    }
    groups.len()
}

/// How the help is laid out in a body of this size.
enum Plan {
    One(Vec<Line<'static>>),
    Two(Vec<Line<'static>>, Vec<Line<'static>>, Vec<Line<'static>>),
}

fn plan(text: &HelpText, inner: Rect, theme: &Theme) -> Plan {
    let w = inner.width as usize;
    let h = inner.height as usize;
    let mut one = group_lines(&text.groups, w, theme);
    let notes = note_lines(&text.notes, w, theme);
    if !notes.is_empty() {
        one.push(Line::raw(""));
        one.extend(notes);
    }
    let half = w.saturating_sub(1) / 2;
    let at = split(&text.groups);
    let (a, b) = text.groups.split_at(at);
    if one.len() <= h || !fits(a, half) || !fits(b, half) {
        return Plan::One(one);
    }
    let (la, lb) = (group_lines(a, half, theme), group_lines(b, half, theme));
    let notes = note_lines(&text.notes, w, theme);
    if la.len().max(lb.len()) + 1 + notes.len() > h {
        return Plan::One(one);
    }
    Plan::Two(la, lb, notes)
}

/// How far the help can scroll in `screen`: 0 when it all shows.
pub fn max_scroll(text: &HelpText, screen: Rect, max_width: u16) -> usize {
    let inner = body(screen, max_width);
    match plan(text, inner, &Theme::mono()) {
        Plan::One(lines) => lines.len().saturating_sub(inner.height as usize),
        Plan::Two(..) => 0,
    }
}

/// The help over the screen, at most `max_width` wide, scrolled by `scroll` lines.
pub struct Help<'a> {
    pub text: &'a HelpText,
    pub scroll: usize,
    pub max_width: u16,
    pub theme: &'a Theme,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(
            self.text,
            self.scroll,
            self.max_width,
            self.theme,
            area,
            buf,
        );
    }
}

fn render(
    text: &HelpText,
    scroll: usize,
    max_width: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let r = popup(area, max_width);
    ratatui::widgets::Clear.render(r, buf);
    let inner = Block::bordered().inner(r);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border)
        .title(Line::from(Span::styled(TITLE, theme.title)));
    match plan(text, inner, theme) {
        Plan::One(lines) => {
            let max = lines.len().saturating_sub(inner.height as usize);
            let scroll = scroll.min(max);
            if scroll > 0 {
                block = block.title_bottom(Line::styled(" ↑ more ", theme.key).left_aligned());
            }
            if scroll < max {
                let below = max - scroll;
                block = block.title_bottom(
                    Line::styled(format!(" more ↓ ({below} lines) "), theme.key).right_aligned(),
                );
            }
            block.render(r, buf);
            Paragraph::new(lines)
                .scroll((scroll as u16, 0))
                .render(inner, buf);
        }
        Plan::Two(a, b, notes) => {
            block.render(r, buf);
            let half = inner.width.saturating_sub(1) / 2;
            let h = inner.height.saturating_sub(notes.len() as u16 + 1);
            let left = Rect {
                width: half,
                height: h,
                ..inner
            };
            let right = Rect {
                x: inner.x + half + 1,
                width: inner.width - half - 1,
                height: h,
                ..inner
            };
            Paragraph::new(a).render(left, buf);
            Paragraph::new(b).render(right, buf);
            let rest = Rect {
                y: inner.y + h + 1,
                height: notes.len() as u16,
                ..inner
            };
            Paragraph::new(notes).render(rest, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> HelpText {
        HelpText {
            groups: vec![Group {
                title: "Keys".into(),
                lines: (0..n)
                    .map(|i| (format!("k{i}"), format!("does {i}")))
                    .collect(),
            }],
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn a_short_help_does_not_scroll() {
        let t = text(3);
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 12));
        help(&t, 5, &Theme::mono()).render(buf.area, &mut buf);
        let expected = Buffer::with_lines([
            "                              ",
            "  ┏ Help — j/k PgDn/PgUp sc┓  ",
            "  ┃Keys                    ┃  ",
            "  ┃ k0  does 0             ┃  ",
            "  ┃ k1  does 1             ┃  ",
            "  ┃ k2  does 2             ┃  ",
            "  ┃                        ┃  ",
            "  ┃a note                  ┃  ",
            "  ┃                        ┃  ",
            "  ┃                        ┃  ",
            "  ┗━━━━━━━━━━━━━━━━━━━━━━━━┛  ",
            "                              ",
        ]);
        assert_eq!(plain(&buf), plain(&expected));
        assert_eq!(max_scroll(&t, buf.area, 40), 0);
    }

    #[test]
    fn a_long_help_says_more_below_and_above() {
        let t = text(12);
        let area = Rect::new(0, 0, 30, 10);
        assert_eq!(max_scroll(&t, area, 40), 15 - 6);
        let mut buf = Buffer::empty(area);
        help(&t, 0, &Theme::mono()).render(area, &mut buf);
        let bottom = row(&buf, 8);
        assert!(bottom.contains("more ↓ (9 lines)"), "{bottom}");
        assert!(!bottom.contains("↑ more"), "{bottom}");
        let mut buf = Buffer::empty(area);
        help(&t, 9, &Theme::mono()).render(area, &mut buf);
        let bottom = row(&buf, 8);
        assert!(
            bottom.contains("↑ more") && !bottom.contains("more ↓"),
            "{bottom}"
        );
        assert!(
            row(&buf, 7).contains("a note"),
            "the last line shows at the end"
        );
    }

    #[test]
    fn keys_scroll_within_bounds_and_others_close() {
        use crate::tui::keymap::Command as C;
        let t = text(12);
        let area = Rect::new(0, 0, 30, 10);
        let mut s = 0;
        assert_eq!(key(&mut s, Some(C::Bottom), &t, area, 40), HelpKey::Scroll);
        assert_eq!(s, 9);
        key(&mut s, Some(C::Down), &t, area, 40);
        assert_eq!(s, 9, "clamped at the end");
        key(&mut s, Some(C::PageUp), &t, area, 40);
        assert_eq!(s, 4);
        assert_eq!(key(&mut s, Some(C::Quit), &t, area, 40), HelpKey::Close);
        assert_eq!(key(&mut s, None, &t, area, 40), HelpKey::Close);
    }

    #[test]
    fn wraps_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abc…"]);
    }

    fn help<'a>(text: &'a HelpText, scroll: usize, theme: &'a Theme) -> Help<'a> {
        Help {
            text,
            scroll,
            max_width: 40,
            theme,
        }
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    fn plain(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height).map(|y| row(buf, y)).collect()
    }
}
