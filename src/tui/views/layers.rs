//! The Layers pane (size, blob size, share of the image, command) and the layer detail pane
//! below it, which shows the whole command wrapped, never cut (dive #356).

use super::super::state::{LayerLoad, LayerRow, Pane, State};
use super::super::theme::Theme;
use super::super::widgets::{bar::bar, bytes, short_digest, truncate};
use super::{left_title, pane_block, rows_in};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// `/bin/sh -c #(nop) ADD x` → `ADD x`; `RUN /bin/sh -c y # buildkit` → `RUN y`.
pub fn short_command(c: &str) -> String {
    let c = c.trim();
    let c = c.strip_suffix("# buildkit").unwrap_or(c).trim_end();
    if let Some(rest) = c.strip_prefix("/bin/sh -c #(nop) ") {
        return rest.trim().to_string();
    }
    if let Some(rest) = c.strip_prefix("/bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    c.replacen("RUN /bin/sh -c ", "RUN ", 1)
}

/// The Layers pane as a widget: the left column's frame and title, the table's header and
/// the layers in the window, the selected one marked.
pub struct LayerList<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for LayerList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        list(self.state, self.theme, area, buf);
    }
}

fn list(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Layers;
    pane_block(left_title(state, theme), focused, theme).render(area, buf);
    let rows = rows_in(area, Pane::Layers);
    let w = rows.width as usize;
    let cols = Columns {
        w,
        wide: w >= 60,
        bw: if w < 50 { 6 } else { 10 },
        max: state
            .layers
            .iter()
            .filter_map(|l| l.bytes)
            .max()
            .unwrap_or(0),
    };
    let head = if cols.wide {
        format!(
            "{:>2} {:>8} {:>8} {:<bw$} Command",
            "#",
            "Size",
            "Blob",
            "Share",
            bw = cols.bw
        )
    } else {
        format!(
            "{:>2} {:>8} {:<bw$} Command",
            "#",
            "Size",
            "Share",
            bw = cols.bw
        )
    };
    Line::styled(truncate(&head, w), theme.header).render(
        Rect {
            y: rows.y - 1,
            height: 1,
            ..rows
        },
        buf,
    );
    let c = state.layer_cursor;
    for (line, row) in state
        .layers
        .iter()
        .enumerate()
        .skip(c.offset)
        .take(rows.height as usize)
    {
        let mut l = row_line(row, &cols, theme);
        if line == c.selected {
            l = l.style(theme.selection(focused));
        }
        let r = Rect {
            y: rows.y + (line - c.offset) as u16,
            height: 1,
            ..rows
        };
        buf.set_style(r, l.style);
        l.render(r, buf);
    }
}

/// The layer table's shape: its width, whether the blob column fits, the bar's width and
/// the biggest layer the bars are scaled to.
struct Columns {
    w: usize,
    wide: bool,
    bw: usize,
    max: u64,
}

/// One layer's row: index, size (or progress), blob, share bar and command.
fn row_line<'a>(row: &LayerRow, cols: &Columns, theme: &Theme) -> Line<'a> {
    let done = matches!(row.load, LayerLoad::Done { .. });
    let size = match (row.bytes, super::progress::layer(row).0) {
        (Some(b), _) => bytes(b),
        (None, Some(f)) if matches!(row.load, LayerLoad::Reading { .. }) => {
            format!("{:.0}%", f * 100.0)
        }
        _ => "…".to_string(),
    };
    let (fill, empty, bar_style) = if done {
        let f = row.bytes.unwrap_or(0) as f64 / cols.max.max(1) as f64;
        let (a, b) = bar(f, cols.bw);
        (a, b, theme.bar)
    } else {
        let (f, _) = super::progress::layer(row);
        let (a, b) = bar(f.unwrap_or(0.0), cols.bw);
        (a, b, theme.message)
    };
    let mut spans = vec![Span::raw(format!("{:>2} {:>8} ", row.index, size))];
    if cols.wide {
        let blob = row.compressed.map_or_else(|| "…".into(), bytes);
        spans.push(Span::styled(format!("{blob:>8} "), theme.dim));
    }
    spans.push(Span::styled(fill, bar_style));
    spans.push(Span::styled(empty, theme.bar_empty));
    let used: usize = spans
        .iter()
        .map(|s| s.content.chars().count())
        .sum::<usize>()
        + 1;
    let cmd = if done {
        short_command(&row.command)
    } else {
        super::progress::layer(row).1
    };
    spans.push(Span::raw(" "));
    spans.push(Span::raw(truncate(&cmd, cols.w.saturating_sub(used))));
    Line::from(spans)
}

/// The selected layer's details: digest, compression, what it added, changed and removed,
/// the bytes later layers hide, and the whole command, wrapped.
pub struct LayerDetails<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for LayerDetails<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        detail(self.state, self.theme, area, buf);
    }
}

fn detail(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = pane_block(
        vec![Span::styled(" Layer details ", theme.title)],
        false,
        theme,
    );
    let Some(row) = state.selected_layer() else {
        block.render(area, buf);
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("Layer {} ", row.index), theme.value),
        Span::styled(short_digest(&row.digest).to_string(), theme.dim),
        Span::styled(
            row.scan
                .as_ref()
                .map(|s| format!("  {}", s.compression))
                .unwrap_or_default(),
            theme.dim,
        ),
    ])];
    let stats = state
        .loaded
        .as_ref()
        .and_then(|l| l.analysis.layers.get(row.index));
    match stats {
        Some(s) => {
            // The count leads: wrapped in a narrow pane, "-0 removed 517 entries" read as
            // "removed 517 entries".
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{}: ",
                        crate::units::plural(s.entries as u64, "entry", "entries")
                    ),
                    theme.dim,
                ),
                Span::styled(format!("+{} added ", s.added), theme.added),
                Span::styled(format!("~{} modified ", s.modified), theme.modified),
                Span::styled(format!("-{} removed", s.removed), theme.removed),
            ]));
            if s.reclaimable_bytes > 0 {
                lines.push(Line::from(vec![
                    Span::styled("hidden by later layers: ", theme.label),
                    Span::styled(bytes(s.reclaimable_bytes), theme.value),
                ]));
            }
        }
        None => lines.push(Line::styled(super::progress::layer(row).1, theme.dim)),
    }
    lines.push(Line::styled(row.command.clone(), theme.unchanged));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

#[cfg(test)]
#[path = "layers_tests.rs"]
mod tests;
