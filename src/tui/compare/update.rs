//! `update`, the only way the compare view's state changes: keys, loader messages, and the
//! events of each side's single-image app.

use super::help::{COMMANDS, HELP_WIDTH, help_text};
use super::sides;
use super::state::{CompareState, Event, Msg};
use crate::jobs::Progress;
use crate::jobs::compare::Which;
use crate::tui::compare::layout::layout;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::state::{ListCursor, Pane};
use crate::tui::tree::rows::{RowFilter, status_slot};
use crate::tui::tree::{SortBy, Status, TreeView};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// Changes the state; returns what the runtime must do for a side's app, tagged with the
/// side.
pub fn update(state: &mut CompareState, action: Event) -> Vec<(Which, Effect)> {
    let mut effects = Vec::new();
    match action {
        Event::Term(ev) if state.open.is_some() => effects = sides::term(state, ev),
        Event::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => {
            key(state, k, &mut effects)
        }
        Event::Term(TermEvent::Resize(w, h)) => state.screen = Rect::new(0, 0, w, h),
        Event::Term(_) => {}
        Event::Load(Msg::Progress(which, Progress::LayerDone { .. })) => {
            let side = match which {
                Which::Left => &mut state.left,
                Which::Right => &mut state.right,
            };
            side.done = (side.done + 1).min(side.layers);
        }
        Event::Load(Msg::Progress(..)) => {}
        Event::Load(Msg::Done(mut data)) => {
            data.view.apply_filter(&state.filter);
            data.view.sort(state.sort);
            state.left.done = state.left.layers;
            state.right.done = state.right.layers;
            state.data = Some(*data);
        }
        Event::Load(Msg::Failed(e)) => state.error = Some(e),
        Event::Side(which, a) => effects.extend(sides::to_app(state, which, a)),
    }
    fit(state);
    effects
}

/// A key: to the help overlay or the prompt while one is open, else the command it stands
/// for, if the compare view answers it.
fn key(state: &mut CompareState, k: KeyEvent, effects: &mut Vec<(Which, Effect)>) {
    state.notice = None;
    let cmd = state
        .keymap
        .lookup_in(&k, Context::Compare)
        .or_else(|| state.keymap.lookup(&k, state.focus));
    if state.help {
        return help_key(state, k, cmd);
    }
    if state.prompt.is_some() {
        return super::search::key(state, k);
    }
    if let Some(cmd) = cmd.filter(|c| COMMANDS.contains(c)) {
        command(state, cmd, effects);
    }
}

/// Keys while the help overlay is open: they scroll it, any other closes it; Ctrl+C quits.
fn help_key(state: &mut CompareState, k: KeyEvent, cmd: Option<Command>) {
    use crate::tui::widgets::help::{HelpKey, key as help_key};
    let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
    state.quit = ctrl_c;
    let text = help_text(&state.keymap, state.extra_help.as_ref());
    let mut scroll = state.help_scroll;
    if ctrl_c || help_key(&mut scroll, cmd, &text, state.screen, HELP_WIDTH) == HelpKey::Close {
        state.help = false;
        scroll = 0;
    }
    state.help_scroll = scroll;
}

/// One of the compare view's commands ([`COMMANDS`]).
fn command(state: &mut CompareState, cmd: Command, effects: &mut Vec<(Which, Effect)>) {
    match cmd {
        Command::Quit => state.quit = true,
        Command::Help => state.help = true,
        Command::NextPane
        | Command::PrevPane
        | Command::FocusLayers
        | Command::FocusPackages
        | Command::FocusFindings
        | Command::FocusTree => focus(state, cmd),
        Command::Up
        | Command::Down
        | Command::PageUp
        | Command::PageDown
        | Command::Top
        | Command::Bottom => movement(state, cmd),
        Command::Cancel => {
            state.filter = RowFilter::default();
            state.search.clear();
            state.search_hits = None;
            refilter(state);
        }
        Command::Search => super::search::start(state, false),
        Command::Filter => super::search::start(state, true),
        Command::NextMatch => super::search::next(state, true),
        Command::PrevMatch => super::search::next(state, false),
        Command::HideAdded => hide(state, Status::Added),
        Command::HideRemoved => hide(state, Status::Removed),
        Command::HideModified => hide(state, Status::Modified),
        Command::HideUnchanged => hide(state, Status::Unchanged),
        Command::OpenLeft | Command::OpenRight if state.data.is_none() => {
            state.notice = Some("the sides open once both images are compared".into());
        }
        Command::OpenLeft => effects.extend(sides::open(state, Which::Left)),
        Command::OpenRight => effects.extend(sides::open(state, Which::Right)),
        _ => tree_command(state, cmd),
    }
}

/// Tab between the top pane and the tree; a number key picks the top pane's list.
fn focus(state: &mut CompareState, cmd: Command) {
    let pane = match cmd {
        Command::NextPane | Command::PrevPane => {
            state.focus = match state.focus {
                Pane::Tree => state.top,
                _ => Pane::Tree,
            };
            return;
        }
        Command::FocusTree => {
            state.focus = Pane::Tree;
            return;
        }
        Command::FocusPackages => Pane::Packages,
        Command::FocusFindings => Pane::Findings,
        _ => Pane::Layers,
    };
    if state.top != pane {
        state.delta_cursor = ListCursor::default();
    }
    state.top = pane;
    state.focus = pane;
}

/// Up, down, a page, the top or the bottom of the focused pane.
fn movement(state: &mut CompareState, cmd: Command) {
    let page = layout(state.screen).rows(state.focus).height.max(1) as isize - 1;
    let delta = match cmd {
        Command::Up => -1,
        Command::Down => 1,
        Command::PageUp => -page,
        Command::PageDown => page,
        Command::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    };
    step(state, delta);
}

/// Sorting, collapsing and expanding the merged tree.
fn tree_command(state: &mut CompareState, cmd: Command) {
    match cmd {
        Command::Sort => {
            state.sort = match state.sort {
                SortBy::Size => SortBy::Name,
                SortBy::Name => SortBy::Size,
            };
            let sort = state.sort;
            with_tree(state, |v| v.sort(sort));
        }
        Command::Collapse => with_tree(state, |v| v.toggle_selected()),
        Command::CollapseAll => with_tree(state, |v| v.toggle_all()),
        Command::Expand => with_tree(state, |v| {
            if let Some(id) = v.selected()
                && v.collapsed[id as usize]
            {
                v.set_collapsed(id, false);
            }
        }),
        Command::Parent => with_tree(state, |v| {
            let Some(id) = v.selected() else { return };
            let node = v.tree.node(id);
            if node.is_dir() && !v.collapsed[id as usize] {
                v.set_collapsed(id, true);
            } else if let Some(i) = v.rows.iter().position(|r| r.node == node.parent) {
                v.cursor = i;
            }
        }),
        _ => {}
    }
}

fn step(state: &mut CompareState, delta: isize) {
    match state.focus {
        Pane::Tree => with_tree(state, |v| {
            let mut c = ListCursor {
                selected: v.cursor,
                offset: v.offset,
            };
            c.step(delta, v.rows.len());
            v.cursor = c.selected;
        }),
        Pane::Layers => {
            let n = state.layer_rows();
            state.layer_cursor.step(delta, n);
        }
        _ => {
            let n = state.top_rows();
            state.delta_cursor.step(delta, n);
        }
    }
}

/// Tree keys act once the comparison is there; before, there is no tree to act on.
fn with_tree(state: &mut CompareState, f: impl FnOnce(&mut TreeView)) {
    if let Some(d) = state.data.as_mut() {
        f(&mut d.view);
    }
}

fn hide(state: &mut CompareState, s: Status) {
    let slot = status_slot(s);
    state.filter.hidden[slot] = !state.filter.hidden[slot];
    refilter(state);
}

fn refilter(state: &mut CompareState) {
    let filter = state.filter.clone();
    with_tree(state, |v| v.apply_filter(&filter));
}

/// Keeps both selections inside their windows for the current screen size.
pub fn fit(state: &mut CompareState) {
    let areas = layout(state.screen);
    let n = state.layer_rows();
    state.layer_cursor.step(0, n);
    state
        .layer_cursor
        .fit(areas.rows(Pane::Layers).height as usize, n);
    let n = state.top_rows();
    state.delta_cursor.step(0, n);
    state
        .delta_cursor
        .fit(areas.rows(Pane::Layers).height as usize, n);
    let th = areas.rows(Pane::Tree).height as usize;
    with_tree(state, |v| {
        let mut c = ListCursor {
            selected: v.cursor,
            offset: v.offset,
        };
        c.fit(th, v.rows.len());
        v.offset = c.offset;
    });
}
