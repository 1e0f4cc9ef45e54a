//! The top of the compare view: both references, then progress, the failure, or both
//! images' figures with their deltas and the change explained in a few items.

use super::signed;
use crate::analysis::compare::explain::ItemKind;
use crate::tui::compare::data::CompareData;
use crate::tui::compare::state::{CompareState, SideLoad};
use crate::tui::theme::Theme;
use crate::tui::widgets::{bytes, middle_ellipsis};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

fn lines_into(lines: Vec<Line>, area: Rect, buf: &mut Buffer) {
    for (i, l) in lines.into_iter().take(area.height as usize).enumerate() {
        let r = Rect {
            y: area.y + i as u16,
            height: 1,
            ..area
        };
        l.render(r, buf);
    }
}

fn loading(s: &SideLoad) -> String {
    format!("{} {}/{} layers", s.reference, s.done, s.layers)
}

/// The compare view's header: ` microscope compare LEFT → RIGHT`, then the progress, the
/// failure, or the figures and the change explained.
pub struct Header<'a> {
    pub state: &'a CompareState,
    pub theme: &'a Theme,
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self.state, self.theme, area, buf);
    }
}

fn render(state: &CompareState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut top = names(state, theme, area.width as usize);
    let Some(d) = &state.data else {
        let what = match &state.error {
            Some(e) => Line::styled(format!(" failed: {e}"), theme.error),
            None => Line::styled(
                format!(
                    " scanning {} · {}",
                    loading(&state.left),
                    loading(&state.right)
                ),
                theme.message,
            ),
        };
        lines_into(vec![Line::from(top), what], area, buf);
        return;
    };
    if d.reused > 0 {
        top.push(Span::styled(
            format!("  {} shared layer(s) scanned once", d.reused),
            theme.dim,
        ));
    }
    let mut lines = vec![Line::from(top)];
    flow(&mut lines, fields(d, theme), area);
    lines.push(change(d, theme, area.width as usize));
    lines_into(lines, area, buf);
}

/// ` microscope compare LEFT → RIGHT` in `width` columns.
fn names<'a>(state: &CompareState, theme: &Theme, width: usize) -> Vec<Span<'a>> {
    // Each name gives way in its middle to half of the room, so both stay readable.
    let room = width.saturating_sub(23) / 2;
    let (l, r) = (&state.left.reference, &state.right.reference);
    let fits = l.chars().count() + r.chars().count() <= room * 2;
    let name = |s: &str| match fits {
        true => s.to_string(),
        false => middle_ellipsis(s, room.max(12)),
    };
    vec![
        Span::styled(" microscope compare ", theme.title),
        Span::styled(name(l), theme.value),
        Span::styled(" → ", theme.label),
        Span::styled(name(r), theme.value),
    ]
}

/// Both images' figures, each `label left→right delta`; the counts come right after the
/// final size: whatever the width, they are kept and the other byte figures give way.
fn fields<'a>(d: &CompareData, theme: &Theme) -> Vec<Vec<Span<'a>>> {
    let s = &d.report.diff.summary;
    let field = |label: &str, l: String, r: String, delta: String| {
        vec![
            Span::styled(format!(" {label} "), theme.label),
            Span::styled(format!("{l}→{r} "), theme.value),
            Span::styled(format!("{delta} "), theme.dim),
        ]
    };
    let b = |label: &str, x: &crate::analysis::compare::Delta| {
        field(label, bytes(x.left), bytes(x.right), signed(x.delta))
    };
    let n = |label: &str, x: &crate::analysis::compare::Delta| {
        field(
            label,
            x.left.to_string(),
            x.right.to_string(),
            String::new(),
        )
    };
    let e = &s.efficiency;
    vec![
        b("final", &s.final_bytes),
        n("layers", &s.layers),
        n("files", &s.files),
        n("packages", &s.packages),
        field(
            "efficiency",
            format!("{:.0}%", e.left * 100.0),
            format!("{:.0}%", e.right * 100.0),
            String::new(),
        ),
        b("total", &s.layers_bytes),
        b("compressed", &s.compressed_bytes),
        b("savable", &s.savable_bytes),
    ]
}

/// Fields flow onto the lines the header has, never cut mid-field.
fn flow<'a>(lines: &mut Vec<Line<'a>>, fields: Vec<Vec<Span<'a>>>, area: Rect) {
    let room = area.height.saturating_sub(2).max(1) as usize;
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for f in fields {
        let w: usize = f.iter().map(|s| s.content.chars().count()).sum();
        if used + w > area.width as usize && !line.is_empty() {
            if lines.len() >= room {
                break;
            }
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        used += w;
        line.extend(f);
    }
    lines.push(Line::from(line));
}

/// ` change −21.0 MiB: −5.4 MiB golang-1.19-go · …`: whole items only, a change is never
/// cut mid-number; `…` says more were left out.
fn change<'a>(d: &CompareData, theme: &Theme, width: usize) -> Line<'a> {
    let mut why = vec![Span::styled(
        format!(
            " change {}: ",
            signed(d.report.diff.summary.final_bytes.delta)
        ),
        theme.header,
    )];
    let mut used: usize = why.iter().map(|s| s.content.chars().count()).sum();
    let items = &d.report.diff.explained.items;
    for (i, it) in items.iter().enumerate() {
        let name = match (it.kind, it.dir) {
            (ItemKind::Path, true) => format!("{}/", it.name),
            _ => it.name.clone(),
        };
        let sep = if i > 0 { " · " } else { "" };
        let text = format!("{} {name}", signed(it.delta));
        let w = sep.chars().count() + text.chars().count();
        let more = if i + 1 < items.len() { 2 } else { 0 };
        if used + w + more > width {
            why.push(Span::styled(" …", theme.dim));
            break;
        }
        used += w;
        why.push(Span::styled(sep, theme.dim));
        why.push(Span::styled(text, theme.value));
    }
    Line::from(why)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{compared, opening, render};
    use super::Header;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;

    #[test]
    fn while_loading_both_references_and_their_progress() {
        let (state, theme) = (opening(60, 20), Theme::mono());
        let buf = render(
            Header {
                state: &state,
                theme: &theme,
            },
            60,
            2,
        );
        let expected = Buffer::with_lines([
            " microscope compare left → right                            ",
            " scanning left 0/2 layers · right 0/2 layers                ",
        ]);
        assert_eq!(buf, expected);
    }

    /// Fields flow onto the lines there are, never cut; the change keeps whole items and
    /// says `…` for the rest.
    #[test]
    fn figures_flow_whole_and_the_change_is_explained() {
        let (state, theme) = (compared(60, 20), Theme::mono());
        let buf = render(
            Header {
                state: &state,
                theme: &theme,
            },
            60,
            4,
        );
        let expected = Buffer::with_lines([
            " microscope compare left → right  1 shared layer(s) scanned ",
            " final 6.5 KiB→3.3 KiB −3.2 KiB  layers 2→2   files 6→4     ",
            " packages 1→0   efficiency 100%→100%                        ",
            " change −3.2 KiB: −2.7 KiB app/ …                           ",
        ]);
        assert_eq!(buf, expected);
    }
}
