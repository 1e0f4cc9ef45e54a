//! What each key command and mouse event does to the state.

use super::effect::Effect;
use super::keymap::Command;
use super::prompt::Edit;
use super::state::{FilesView, Highlight, ListCursor, Pane, Prompt, State};
use super::tree::rows::status_slot;
use super::tree::{SortBy, Status};
use super::views;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

pub fn key(state: &mut State, k: KeyEvent, effects: &mut Vec<Effect>) {
    if state.help {
        help_key(state, k);
        return;
    }
    if state.prompt.is_some() {
        prompt_key(state, k);
        return;
    }
    if state.rewrite.save.is_some() {
        super::rewrite::save_key(state, k, effects);
        return;
    }
    if let Some(cmd) = state.keymap.lookup(&k, state.focus) {
        command(state, cmd, effects);
    }
}

fn help_key(state: &mut State, k: KeyEvent) {
    let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        state.quit = true;
        return;
    }
    let cmd = state.keymap.lookup(&k, Pane::Packages);
    let text = views::help::text(state);
    let max = views::help::MAX_WIDTH;
    let mut scroll = state.help_scroll;
    if super::widgets::help::key(&mut scroll, cmd, &text, state.screen, max)
        == super::widgets::help::HelpKey::Close
    {
        state.help = false;
        scroll = 0;
    }
    state.help_scroll = scroll;
}

fn prompt_key(state: &mut State, k: KeyEvent) {
    match super::prompt::edit(&mut state.prompt, k) {
        Edit::Quit => state.quit = true,
        Edit::Searched(t) => state.search = t,
        Edit::Cancelled { was_filter: true } => set_filter(state, String::new()),
        // Incremental: the cursor follows the first match from where it is.
        Edit::Typed(Prompt::Search(t))
            if !jump_to_match(state, &t, true, true) && !t.is_empty() =>
        {
            state.message = Some(format!("no match for {t:?}"));
        }
        Edit::Typed(Prompt::Filter(t)) => set_filter(state, t),
        Edit::Typed(Prompt::Search(_)) | Edit::Kept | Edit::Cancelled { .. } | Edit::Ignored => {}
    }
}

fn set_filter(state: &mut State, text: String) {
    state.filter.text = text;
    let f = state.filter.clone();
    for v in state.trees.values_mut() {
        v.apply_filter(&f);
    }
}

/// Puts the cursor on the next match and says where it is among all matches. A match the
/// filter hides clears the filter first: search finds every entry, removed ones included.
fn jump_to_match(state: &mut State, query: &str, forward: bool, include_current: bool) -> bool {
    let Some(found) = state
        .tree()
        .and_then(|v| v.find(query, forward, include_current))
    else {
        state.search_hits = None;
        return false;
    };
    if !found.shown {
        state.filter = Default::default();
        let f = state.filter.clone();
        for v in state.trees.values_mut() {
            v.apply_filter(&f);
        }
        state.message = Some("filter cleared to show the match".into());
    }
    state.search_hits = Some((found.at, found.of));
    state.tree_mut().is_some_and(|v| v.reveal(found.node))
}

fn list_len(state: &State, pane: Pane) -> usize {
    match pane {
        Pane::Layers => state.layers.len(),
        Pane::Packages => state.packages.items().len(),
        Pane::Findings => state.findings.items().len(),
        Pane::Tree => state.tree().map_or(0, |v| v.rows.len()),
        Pane::Rewrite => state.rewrite.lines.len(),
    }
}

/// Moves the selection of `pane` by `delta` rows.
fn step(state: &mut State, pane: Pane, delta: isize) {
    let len = list_len(state, pane);
    match pane {
        Pane::Layers => state.layer_cursor.step(delta, len),
        Pane::Packages => state.package_cursor.step(delta, len),
        Pane::Findings => state.finding_cursor.step(delta, len),
        Pane::Rewrite => super::rewrite::step(state, delta),
        Pane::Tree => {
            if let Some(v) = state.tree_mut() {
                let mut c = ListCursor {
                    selected: v.cursor,
                    offset: v.offset,
                };
                c.step(delta, len);
                v.cursor = c.selected;
            }
        }
    }
}

fn page(state: &State, pane: Pane) -> isize {
    let h = views::rewrite::rows_of(state, pane).height;
    h.saturating_sub(1).max(1) as isize
}

fn focus(state: &mut State, pane: Pane) {
    state.focus = pane;
    if pane != Pane::Tree {
        state.left = pane;
    }
}

pub fn command(state: &mut State, cmd: Command, effects: &mut Vec<Effect>) {
    let pane = state.focus;
    if super::rewrite::command(state, cmd, effects) {
        return;
    }
    match cmd {
        Command::Quit => state.quit = true,
        Command::NextPane | Command::PrevPane => {
            let n = Pane::ORDER.len();
            let i = Pane::ORDER.iter().position(|&p| p == pane).unwrap_or(0);
            let d = if cmd == Command::NextPane { 1 } else { n - 1 };
            focus(state, Pane::ORDER[(i + d) % n]);
        }
        Command::FocusLayers => focus(state, Pane::Layers),
        Command::FocusTree => focus(state, Pane::Tree),
        Command::FocusPackages => focus(state, Pane::Packages),
        Command::FocusFindings => focus(state, Pane::Findings),
        Command::ToggleImage => state.files = state.files.next(),
        Command::ShowImage => state.files = FilesView::Image,
        Command::ShowAsOf => state.files = FilesView::AsOf,
        Command::ShowLayer => state.files = FilesView::Layer,
        Command::CopyPath => copy(state, selected_text(state), effects),
        Command::CopyFix => {
            let fix = state
                .findings
                .items()
                .get(state.finding_cursor.selected)
                .map(|f| f.fix.clone());
            if fix.as_deref() == Some("") {
                // Advice without a line: copying its prose would paste prose into a Dockerfile.
                state.message =
                    Some("no Dockerfile line fixes this one; the note says what to do".into());
            } else {
                copy(state, fix, effects);
            }
        }
        Command::Help => state.help = true,
        Command::Cancel => {
            if state.highlight.take().is_none() && !state.filter.text.is_empty() {
                set_filter(state, String::new());
            }
            state.search.clear();
            state.search_hits = None;
        }
        Command::Up => step(state, pane, -1),
        Command::Down => step(state, pane, 1),
        Command::PageUp => step(state, pane, -page(state, pane)),
        Command::PageDown => step(state, pane, page(state, pane)),
        Command::Top => step(state, pane, isize::MIN / 2),
        Command::Bottom => step(state, pane, isize::MAX / 2),
        Command::Select => select(state, pane),
        _ => tree_command(state, cmd),
    }
}

fn tree_command(state: &mut State, cmd: Command) {
    match cmd {
        Command::Sort => {
            state.sort = match state.sort {
                SortBy::Size => SortBy::Name,
                SortBy::Name => SortBy::Size,
            };
        }
        Command::Search => state.prompt = Some(Prompt::Search(String::new())),
        Command::Filter => state.prompt = Some(Prompt::Filter(state.filter.text.clone())),
        Command::NextMatch | Command::PrevMatch => {
            let forward = cmd == Command::NextMatch;
            if !state.search.is_empty() {
                let q = state.search.clone();
                if !jump_to_match(state, &q, forward, false) {
                    state.message = Some(format!("no match for {q:?}"));
                }
            } else if let Some(h) = state.highlight.as_mut() {
                let n = h.paths.len();
                h.at = if forward {
                    (h.at + 1) % n
                } else {
                    (h.at + n - 1) % n
                };
                state.jump = Some(h.paths[h.at].clone());
            }
        }
        Command::HideAdded => toggle_hidden(state, Status::Added),
        Command::HideRemoved => toggle_hidden(state, Status::Removed),
        Command::HideModified => toggle_hidden(state, Status::Modified),
        Command::HideUnchanged => toggle_hidden(state, Status::Unchanged),
        Command::Attributes => state.show_attributes = !state.show_attributes,
        Command::Collapse => with_tree(state, |v| v.toggle_selected()),
        Command::CollapseAll => with_tree(state, |v| v.toggle_all()),
        Command::Expand => with_tree(state, |v| {
            if let Some(id) = v.selected() {
                if v.collapsed[id as usize] {
                    v.set_collapsed(id, false);
                } else if !v.tree.node(id).children.is_empty() {
                    v.cursor = (v.cursor + 1).min(v.rows.len().saturating_sub(1));
                }
            }
        }),
        Command::Parent => with_tree(state, |v| {
            if let Some(id) = v.selected() {
                let node = v.tree.node(id);
                if node.is_dir() && !v.collapsed[id as usize] {
                    v.set_collapsed(id, true);
                } else if let Some(i) = v.rows.iter().position(|r| r.node == node.parent) {
                    v.cursor = i;
                }
            }
        }),
        _ => {}
    }
}

fn with_tree(state: &mut State, f: impl FnOnce(&mut super::tree::TreeView)) {
    if let Some(v) = state.tree_mut() {
        f(v);
    }
}

fn toggle_hidden(state: &mut State, s: Status) {
    let slot = status_slot(s);
    state.filter.hidden[slot] = !state.filter.hidden[slot];
    let f = state.filter.clone();
    for v in state.trees.values_mut() {
        v.apply_filter(&f);
    }
}

/// Enter: a layer opens its files; a package or finding highlights its files and jumps to
/// the first one.
fn select(state: &mut State, pane: Pane) {
    let (label, paths, layer) = match pane {
        Pane::Layers => {
            if state.files == FilesView::Image {
                state.files = FilesView::AsOf;
            }
            focus(state, Pane::Tree);
            return;
        }
        Pane::Tree => {
            with_tree(state, |v| v.toggle_selected());
            return;
        }
        Pane::Rewrite => {
            super::rewrite::select(state);
            return;
        }
        Pane::Packages => match state.packages.items().get(state.package_cursor.selected) {
            Some(p) => (format!("package {}", p.name), p.paths.clone(), p.layer),
            None => return,
        },
        Pane::Findings => match state.findings.items().get(state.finding_cursor.selected) {
            Some(f) => (f.title.clone(), f.paths.clone(), f.layer),
            None => return,
        },
    };
    let Some(first) = paths.first().cloned() else {
        state.message = Some(format!("{label}: no files to show"));
        return;
    };
    // Files gone from the final filesystem are shown in the layer that holds them.
    let in_image = state
        .loaded
        .as_ref()
        .is_some_and(|l| l.analysis.merged.tree.contains_key(&*first));
    match (in_image, layer) {
        (false, Some(l)) if l < state.layers.len() => {
            state.files = FilesView::Layer;
            state.layer_cursor.selected = l;
        }
        _ => state.files = FilesView::Image,
    }
    state.highlight = Some(Highlight {
        label,
        set: paths.iter().cloned().collect(),
        paths,
        at: 0,
    });
    state.jump = Some(first);
    focus(state, Pane::Tree);
}

/// The text `y` copies: the selected file's path, layer digest, package name or finding's
/// first path.
fn selected_text(state: &State) -> Option<String> {
    match state.focus {
        Pane::Tree => {
            let v = state.tree()?;
            Some(format!("/{}", v.tree.node(v.selected()?).path))
        }
        Pane::Layers => state.selected_layer().map(|l| l.digest.clone()),
        Pane::Packages => state
            .packages
            .items()
            .get(state.package_cursor.selected)
            .map(|p| p.name.clone()),
        Pane::Findings => state
            .findings
            .items()
            .get(state.finding_cursor.selected)
            .and_then(|f| f.paths.first())
            .map(|p| format!("/{p}")),
        Pane::Rewrite => super::rewrite::selected_text(state),
    }
}

fn copy(state: &mut State, text: Option<String>, effects: &mut Vec<Effect>) {
    match text.filter(|t| !t.is_empty()) {
        Some(t) => {
            state.message = Some(format!("copied: {t}"));
            effects.push(Effect::Copy(t));
        }
        None => state.message = Some("nothing to copy".into()),
    }
}

/// Click: focus the pane and select the row. Wheel: move the selection of the pane under
/// the pointer.
pub fn mouse(state: &mut State, m: MouseEvent) {
    let areas = views::app_layout(state.screen, state);
    let Some(mut pane) = areas.pane_at(m.column, m.row, state.left) else {
        return;
    };
    if views::rewrite::wide(state) {
        // The focused Rewrite pane covers the tree's place too.
        pane = Pane::Rewrite;
    }
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            focus(state, pane);
            let rows = views::rewrite::rows_of(state, pane);
            if m.row < rows.y || m.row >= rows.bottom() {
                return;
            }
            let line = (m.row - rows.y) as usize;
            click_row(state, pane, line);
        }
        MouseEventKind::ScrollDown => step(state, pane, 3),
        MouseEventKind::ScrollUp => step(state, pane, -3),
        _ => {}
    }
}

fn click_row(state: &mut State, pane: Pane, line: usize) {
    let len = list_len(state, pane);
    let set = |c: &mut ListCursor| {
        let i = c.offset + line;
        if i < len {
            c.selected = i;
        }
    };
    match pane {
        Pane::Layers => set(&mut state.layer_cursor),
        Pane::Packages => set(&mut state.package_cursor),
        Pane::Rewrite => set(&mut state.rewrite.cursor),
        Pane::Findings => {
            if let Some(i) = views::findings::row_at(state, line) {
                state.finding_cursor.selected = i;
            }
        }
        Pane::Tree => {
            if let Some(v) = state.tree_mut() {
                let i = v.offset + line;
                if i < v.rows.len() {
                    v.cursor = i;
                }
            }
        }
    }
}
