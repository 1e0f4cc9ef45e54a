//! The header: which image, and its sizes (final once analysed, running totals before).

use super::super::state::State;
use super::super::theme::Theme;
use super::super::widgets::{bytes, middle_ellipsis};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The header as a widget: the image's name, platform and layer count, then its sizes and
/// the rewrite's answer, over as many lines as the area has.
pub struct Header<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self.state, self.theme, area, buf);
    }
}

fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![title_line(state, theme, area.width as usize)];
    let (second, short_reclaim) = size_fields(state, theme);
    // The answer to "how small could it be" goes beside today's final size, in the widest
    // form that fits there.
    let mut fields: Vec<Vec<Vec<Span>>> = second.into_iter().map(|f| vec![f]).collect();
    let at = 2.min(fields.len());
    fields.insert(at, super::rewrite::answer_field(state, theme));
    // The reclaimable causes rather go to the next line than shorten; on the last line the
    // bytes alone stay on screen.
    let reclaim_at = short_reclaim.and_then(|(i, short)| {
        let i = if i >= at { i + 1 } else { i };
        fields.get_mut(i)?.push(short);
        Some(i)
    });
    flow(&mut lines, fields, reclaim_at, area);
    for (i, line) in lines.into_iter().enumerate() {
        if (i as u16) < area.height {
            line.render(
                Rect {
                    y: area.y + i as u16,
                    height: 1,
                    ..area
                },
                buf,
            );
        }
    }
}

/// While loading, how far the scan is; after a failure, why.
fn status<'a>(state: &State, theme: &Theme) -> Span<'a> {
    let n = state.layers.len();
    if let Some(e) = &state.error {
        Span::styled(format!("  failed: {e}"), theme.error)
    } else if state.loaded.is_none() {
        let (read, total) = super::progress::totals(state);
        let pct = if total > 0 {
            format!(" {:.0}%", read as f64 * 100.0 / total as f64)
        } else {
            String::new()
        };
        Span::styled(
            format!("  scanning {}/{n} layers{pct}", state.layers_done()),
            theme.message,
        )
    } else {
        Span::raw("")
    }
}

/// ` microscope NAME  PLATFORM  N layers  STATUS` in `full` columns.
fn title_line<'a>(state: &State, theme: &Theme, full: usize) -> Line<'a> {
    let meta = &state.meta;
    let n = state.layers.len();
    let platform = format!("  {}  ", meta.platform);
    let layers = format!("{n} layer{}", if n == 1 { "" } else { "s" });
    let status = status(state, theme);
    // The name gives way, in its middle, to the fields after it; the platform goes first
    // when the name would be left too short.
    const TITLE: &str = " microscope ";
    let w = |s: &str| s.chars().count();
    let after = w(&layers) + w(&status.content);
    let mut room = full.saturating_sub(w(TITLE) + w(&platform) + after);
    let platform = if room < 24.min(w(&meta.reference)) {
        room = full.saturating_sub(w(TITLE) + 2 + after);
        "  ".to_string()
    } else {
        platform
    };
    Line::from(vec![
        Span::styled(TITLE, theme.title),
        // A long failure is cut at the screen's edge rather than the name lost.
        Span::styled(middle_ellipsis(&meta.reference, room.max(16)), theme.value),
        Span::styled(platform, theme.label),
        Span::styled(layers, theme.label),
        status,
    ])
}

/// A header field: its spans.
type Field<'a> = Vec<Span<'a>>;

/// The size fields, and where the reclaimable one is with its short form (its bytes without
/// their causes, where the causes leave no room).
fn size_fields<'a>(state: &State, theme: &Theme) -> (Vec<Field<'a>>, Option<(usize, Field<'a>)>) {
    let field = |label: &str, value: String| {
        vec![
            Span::styled(format!(" {label} "), theme.label),
            Span::styled(value, theme.value),
            Span::raw(" "),
        ]
    };
    let mut second: Vec<Field> = Vec::new();
    let mut short_reclaim = None;
    match &state.loaded {
        Some(l) => {
            let s = &l.report.size;
            // Each byte once, however many findings name it.
            let savable = l.analysis.findings.findings_savable_bytes;
            second.push(field("total", bytes(s.layers_bytes)));
            second.push(field("final", bytes(s.final_bytes)));
            second.push(field("compressed", bytes(s.compressed_bytes)));
            second.push(field("efficiency", format!("{:.1}%", s.efficiency * 100.0)));
            second.push(field("reclaimable", reclaimable(&s.reclaimable_bytes, l)));
            short_reclaim = Some((
                second.len() - 1,
                field("reclaimable", bytes(s.reclaimable_bytes)),
            ));
            second.push(field(
                "savable",
                if state.findings.items().is_empty() {
                    "–".into()
                } else {
                    bytes(savable)
                },
            ));
        }
        None => {
            let scanned: u64 = state.layers.iter().filter_map(|l| l.bytes).sum();
            let compressed: u64 = state.layers.iter().filter_map(|l| l.compressed).sum();
            second.push(field("scanned", bytes(scanned)));
            second.push(field("compressed", bytes(compressed)));
            second.push(field("final", "…".into()));
            second.push(field("efficiency", "…".into()));
        }
    }
    (second, short_reclaim)
}

/// Fields (each in its forms, widest first) flow onto as many lines as the header has,
/// never cut mid-field; the field at `reclaim_at` goes whole to the next line rather than
/// shortened, unless it is on the last line.
fn flow<'a>(
    lines: &mut Vec<Line<'a>>,
    fields: Vec<Vec<Field<'a>>>,
    reclaim_at: Option<usize>,
    area: Rect,
) {
    let width = |f: &Field| f.iter().map(|s| s.content.chars().count()).sum::<usize>();
    let full = area.width as usize;
    let mut line: Field = Vec::new();
    let mut used = 0;
    for (i, forms) in fields.into_iter().enumerate() {
        let fits = |room: usize| forms.iter().find(|f| width(f) <= room).cloned();
        let room = full.saturating_sub(used);
        let more_lines = lines.len() + 1 < area.height as usize;
        let whole_first = reclaim_at == Some(i) && more_lines;
        let f = match fits(room).filter(|f| !whole_first || width(f) == width(&forms[0])) {
            Some(f) => f,
            None => {
                if !line.is_empty() {
                    lines.push(Line::from(std::mem::take(&mut line)));
                    used = 0;
                }
                fits(full)
                    .or_else(|| forms.last().cloned())
                    .unwrap_or_default()
            }
        };
        used += width(&f);
        line.extend(f);
    }
    lines.push(Line::from(line));
}

/// The reclaimable bytes and why, always on screen (dive's "Image details"): `8.2 MiB
/// (8.2 MiB deleted, 3.2 MiB overwritten)`, causes largest first, none that is zero.
fn reclaimable(total: &u64, l: &crate::jobs::background::Analysed) -> String {
    let r = &l.analysis.sizes.reclaimable;
    let mut causes = [
        (r.deleted_bytes, "deleted"),
        (r.overwritten_bytes, "overwritten"),
        (r.opaque_hidden_bytes, "hidden by opaque dirs"),
    ];
    causes.sort_by_key(|c| std::cmp::Reverse(c.0));
    let parts: Vec<String> = causes
        .iter()
        .filter(|(b, _)| *b > 0)
        .map(|(b, why)| format!("{} {why}", bytes(*b)))
        .collect();
    match parts.len() {
        0 => bytes(*total),
        _ => format!("{} ({})", bytes(*total), parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{ImageMeta, Platform};

    fn opening(reference: &str) -> State {
        let meta = ImageMeta {
            reference: reference.into(),
            platform: Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
            },
            ..ImageMeta::default()
        };
        State::new(meta, Default::default())
    }

    fn header(state: &State, width: u16) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 3));
        let theme = Theme::mono();
        Header {
            state,
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        buf
    }

    fn text(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn opening_shows_the_name_and_running_totals() {
        let buf = header(&opening("demo:app"), 70);
        let expected = Buffer::with_lines([
            " microscope demo:app  linux/amd64  0 layers  scanning 0/0 layers      ",
            " scanned 0 B  compressed 0 B  could be …  final …  efficiency …",
            "",
        ]);
        assert_eq!(text(&buf), text(&expected));
    }

    #[test]
    fn a_long_name_gives_way_in_its_middle() {
        let name = format!("registry.example/{}/app:v1", "team".repeat(30));
        let buf = header(&opening(&name), 60);
        let expected = Buffer::with_lines([
            // The platform goes first when the name would be left too short.
            " microscope registry.e…app:v1  0 layers  scanning 0/0 layers",
            "",
            "",
        ]);
        assert_eq!(text(&buf)[0], text(&expected)[0]);
    }

    #[test]
    fn once_analysed_the_sizes_flow_over_the_lines() {
        let app = super::super::fixture::small(80, 24);
        let buf = super::super::fixture::text(
            Header {
                state: &app.state,
                theme: &Theme::mono(),
            },
            80,
            3,
        );
        // Text only (styles reset): the rewrite's answer beside the final size; the
        // reclaimable bytes with their causes whole on the next line.
        let expected = Buffer::with_lines([
            " microscope test/small:1  linux/amd64  2 layers                                 ",
            " total 1.7 MiB  final 1.7 MiB  already minimal  compressed 1.7 MiB              ",
            " efficiency 99.8%  reclaimable 2.9 KiB (2.9 KiB deleted)  savable 2.9 KiB       ",
        ]);
        assert_eq!(buf, expected);
    }
}
