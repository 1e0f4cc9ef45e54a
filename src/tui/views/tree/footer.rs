//! The Files pane's footer: the selected file (path, sizes, layer, owner package) or the
//! search/filter prompt on the first line, then notes on what shapes the tree (search,
//! findings, the rewrite, the highlight, the filter, hidden statuses).

use super::super::super::data::UNOWNED;
use super::super::super::keymap::Command;
use super::super::super::state::{Data, Prompt, State};
use super::super::super::theme::Theme;
use super::super::super::tree::{NO_LAYER, Node, TreeView};
use super::super::super::widgets::bytes;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The footer as a widget, over as many of its lines as the area has.
pub struct Footer<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
    pub view: &'a TreeView,
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = first_line(&self).into_iter().chain([notes(&self)]);
        for (i, l) in lines.take(area.height as usize).enumerate() {
            l.render(
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

/// The prompt being typed, else the selected file.
fn first_line<'a>(f: &Footer) -> Option<Line<'a>> {
    let (state, theme) = (f.state, f.theme);
    match &state.prompt {
        Some(Prompt::Search(q)) => Some(Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(format!("{q}█  ")),
            Span::styled(hits_text(state, q), theme.label),
        ])),
        Some(Prompt::Filter(q)) => Some(Line::from(vec![
            Span::styled("filter: ", theme.key),
            Span::raw(format!("{q}█")),
        ])),
        None => f
            .view
            .selected()
            .map(|id| selected_line(state, theme, f.view.tree.node(id))),
    }
}

/// The notes line: each note that applies, in this order.
fn notes<'a>(f: &Footer) -> Line<'a> {
    let selected = f.view.selected().map(|id| f.view.tree.node(id));
    let notes = [
        search_note(f),
        selected.and_then(|n| findings_note(f, n)),
        selected.and_then(|n| kept_note(f, n)),
        only_kept_note(f),
        highlight_note(f),
        filter_note(f),
        hidden_note(f),
        f.view
            .rows
            .is_empty()
            .then(|| Span::styled("no files match", f.theme.dim)),
    ];
    Line::from(notes.into_iter().flatten().collect::<Vec<_>>())
}

/// `/server 1/3 (n/N)`: the search the tree marks, once its prompt is closed.
fn search_note<'a>(f: &Footer) -> Option<Span<'a>> {
    let s = f.state;
    (s.prompt.is_none() && !s.search.is_empty()).then(|| {
        Span::styled(
            format!("/{} {} (n/N) ", s.search, hits_text(s, &s.search)),
            f.theme.key,
        )
    })
}

/// `findings: …`, the findings naming the selected file. The highlighted finding is said
/// once, by the highlight's own note.
fn findings_note<'a>(f: &Footer, n: &Node) -> Option<Span<'a>> {
    let state = f.state;
    let fs = state.lookup.findings.get(&*n.path)?;
    let lit = state.highlight.as_ref().map(|h| h.label.as_str());
    let titles: Vec<&str> = fs
        .iter()
        .filter_map(|&i| state.findings.items().get(i as usize))
        .map(|f| f.title.as_str())
        .filter(|t| Some(*t) != lit)
        .collect();
    (!titles.is_empty())
        .then(|| Span::styled(format!("findings: {} ", titles.join("; ")), f.theme.message))
}

/// `◆ kept: why`, when the rewrite keeps the selected file.
fn kept_note<'a>(f: &Footer, n: &Node) -> Option<Span<'a>> {
    let i = f.state.rewrite.keeps(&n.path)?;
    let r = f.state.loaded.as_ref()?.analysis.rewrite.as_ref().ok()?;
    let file = r.files.get(i as usize)?;
    Some(Span::styled(
        format!("◆ kept: {} ", file.why),
        f.theme.added,
    ))
}

/// While `r` shows only what the rewrite keeps, how to see everything again.
fn only_kept_note<'a>(f: &Footer) -> Option<Span<'a>> {
    f.state.filter.only.as_ref()?;
    let key = f.state.keymap.key_for(Command::KeptOnly);
    Some(Span::styled(
        format!("only what the rewrite keeps ({key}: all) "),
        f.theme.key,
    ))
}

/// `● what (3 files, n/N)`: the highlighted package's or finding's files.
fn highlight_note<'a>(f: &Footer) -> Option<Span<'a>> {
    let h = f.state.highlight.as_ref()?;
    Some(Span::styled(
        format!(
            "● {} ({}, n/N) ",
            h.label,
            crate::units::plural(h.paths.len() as u64, "file", "files")
        ),
        f.theme.highlight,
    ))
}

/// The filter in force, once its prompt is closed.
fn filter_note<'a>(f: &Footer) -> Option<Span<'a>> {
    let s = f.state;
    (!s.filter.text.is_empty() && s.prompt.is_none())
        .then(|| Span::styled(format!("filter: {} ", s.filter.text), f.theme.key))
}

/// `hidden: added, removed`: the statuses toggled off.
fn hidden_note<'a>(f: &Footer) -> Option<Span<'a>> {
    let hidden: Vec<&str> = ["added", "modified", "removed", "unchanged", "unknown"]
        .iter()
        .zip(f.state.filter.hidden)
        .filter(|(_, h)| *h)
        .map(|(n, _)| *n)
        .collect();
    (!hidden.is_empty())
        .then(|| Span::styled(format!("hidden: {} ", hidden.join(", ")), f.theme.dim))
}

/// `3/17` while a search has matches, `no match` when it has none.
fn hits_text(state: &State, query: &str) -> String {
    match state.search_hits {
        _ if query.is_empty() => String::new(),
        Some((at, of)) => format!("{at}/{of}"),
        None => "no match".into(),
    }
}

/// `/path  1 KiB here + 2 KiB removed  layer 2  owner: name version (manager)`.
fn selected_line<'a>(state: &State, theme: &Theme, n: &Node) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("/{}", n.path), theme.value)];
    // What the size column adds up, when part of it is gone from this view's filesystem.
    if n.removed > 0 && n.size > 0 {
        spans.push(Span::styled(
            format!("  {} here + {} removed", bytes(n.size), bytes(n.removed)),
            theme.label,
        ));
    } else if n.removed > 0 {
        spans.push(Span::styled(
            format!("  {} removed", bytes(n.removed)),
            theme.removed,
        ));
    }
    if n.layer != NO_LAYER {
        spans.push(Span::styled(format!("  layer {}", n.layer), theme.label));
    }
    spans.push(Span::styled(
        owner_text(state, n),
        Style::default().patch(theme.label),
    ));
    Line::from(spans)
}

/// `  owner: name version (manager)`, or why there is none.
fn owner_text(state: &State, n: &Node) -> String {
    let owner = state
        .lookup
        .owner
        .get(&*n.path)
        .and_then(|&i| state.packages.items().get(i as usize));
    match (&state.packages, owner) {
        // The Packages pane's row for files no package lists is no package.
        (_, Some(p)) if p.name == UNOWNED => "  owner: no package".into(),
        (_, Some(p)) => format!("  owner: {} {} ({})", p.name, p.version, p.manager),
        (Data::Loading, _) => "  owner: loading…".into(),
        _ if n.is_dir() => String::new(),
        _ => "  owner: none".into(),
    }
}
