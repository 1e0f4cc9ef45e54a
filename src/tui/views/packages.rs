//! The Packages pane: installed packages by bytes, with manager, version, layer and files;
//! Enter highlights a package's files in the tree.

use super::super::state::{Data, Pane, State};
use super::super::theme::Theme;
use super::super::widgets::{bytes, truncate};
use super::{left_title, pane_block, rows_in};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The Packages pane as a widget: the left column's frame and title, the packages in the
/// window (the selected one marked) and their total below.
pub struct PackageList<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for PackageList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        list(self.state, self.theme, area, buf);
    }
}

/// The selected package: name, version, manager, bytes and its largest files.
pub struct PackageDetails<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for PackageDetails<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        detail(self.state, self.theme, area, buf);
    }
}

fn list(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let focused = state.focus == Pane::Packages;
    pane_block(left_title(state, theme), focused, theme).render(area, buf);
    let rows = rows_in(area, Pane::Packages);
    let w = rows.width as usize;
    let items = match &state.packages {
        Data::Loading => {
            Line::styled(
                "loading… (packages show once every layer is scanned)",
                theme.dim,
            )
            .render(rows, buf);
            return;
        }
        Data::Ready(v) if v.is_empty() => {
            Line::styled("none found", theme.dim).render(rows, buf);
            return;
        }
        Data::Ready(v) => v,
    };
    let head = format!(
        "{:>8} {:>5} {:>3} {:<7} Name",
        "Size", "Files", "L", "Manager"
    );
    Line::styled(truncate(&head, w), theme.header).render(
        Rect {
            y: rows.y - 1,
            height: 1,
            ..rows
        },
        buf,
    );
    let c = state.package_cursor;
    for (i, p) in items
        .iter()
        .enumerate()
        .skip(c.offset)
        .take(rows.height as usize)
    {
        let layer = p.layer.map_or_else(|| "–".into(), |l| l.to_string());
        let text = format!(
            "{:>8} {:>5} {:>3} {:<7} {} {}",
            bytes(p.bytes),
            p.paths.len(),
            layer,
            truncate(&p.manager, 7),
            p.name,
            p.version
        );
        let mut line = Line::raw(truncate(&text, w));
        let r = Rect {
            y: rows.y + (i - c.offset) as u16,
            height: 1,
            ..rows
        };
        if i == c.selected {
            let s = theme.selection(focused);
            buf.set_style(r, s);
            line = line.style(s);
        }
        line.render(r, buf);
    }
    total(state, theme, rows, buf);
}

/// `96 packages own 74.2 MiB of 78.6 MiB`, below the list, as `--packages` ends.
fn total(state: &State, theme: &Theme, rows: Rect, buf: &mut Buffer) {
    let Some(l) = &state.loaded else {
        return;
    };
    let items = state.packages.items();
    let n = crate::tui::data::package_count(items);
    let final_bytes = l.analysis.packages.final_bytes;
    let owned = final_bytes.saturating_sub(l.analysis.packages.unowned_bytes);
    let text = format!(
        "{n} package{} own {} of {}",
        if n == 1 { "" } else { "s" },
        bytes(owned),
        bytes(final_bytes)
    );
    Line::styled(truncate(&text, rows.width as usize), theme.label).render(
        Rect {
            y: rows.bottom(),
            height: 1,
            ..rows
        },
        buf,
    );
}

fn detail(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = pane_block(vec![Span::styled(" Package ", theme.title)], false, theme);
    let Some(p) = state.packages.items().get(state.package_cursor.selected) else {
        block.render(area, buf);
        return;
    };
    let unowned = p.name == crate::tui::data::UNOWNED && p.layer.is_none();
    let what = if unowned {
        Span::styled(" final bytes no package owns", theme.label)
    } else {
        Span::styled(format!(" {} ({})", p.version, p.manager), theme.label)
    };
    let files = if unowned {
        format!(
            "{}; the {} largest files · Enter shows them",
            bytes(p.bytes),
            p.paths.len()
        )
    } else {
        format!(
            "{} in {} · Enter shows them",
            bytes(p.bytes),
            crate::units::plural(p.paths.len() as u64, "file", "files")
        )
    };
    let mut lines = vec![
        Line::from(vec![Span::styled(p.name.clone(), theme.value), what]),
        Line::styled(files, theme.label),
    ];
    for path in p.paths.iter().take(area.height.saturating_sub(4) as usize) {
        lines.push(Line::styled(format!("/{path}"), theme.dim));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

#[cfg(test)]
#[path = "packages_tests.rs"]
mod tests;
