//! The compare view as plain data, and `update`, the only way it changes. One cursor per
//! pane serves both images: the layer table and the merged tree are aligned rows, so moving
//! moves both sides together.

pub use super::data::CompareData;
use super::sides;
use crate::jobs::Progress;
use crate::jobs::compare::Which;
use crate::tui::action::Action as AppAction;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::state::{ListCursor, Pane, Prompt, State};
use crate::tui::tree::rows::{RowFilter, status_slot};
use crate::tui::tree::{SortBy, Status, TreeView};
use crate::tui::views::compare::layout;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// The commands the compare view answers; the help lists these.
pub const COMMANDS: &[Command] = &[
    Command::Quit,
    Command::NextPane,
    Command::PrevPane,
    Command::FocusLayers,
    Command::FocusTree,
    Command::FocusPackages,
    Command::FocusFindings,
    Command::Help,
    Command::Cancel,
    Command::Up,
    Command::Down,
    Command::PageUp,
    Command::PageDown,
    Command::Top,
    Command::Bottom,
    Command::Collapse,
    Command::CollapseAll,
    Command::Expand,
    Command::Parent,
    Command::Sort,
    Command::HideAdded,
    Command::HideRemoved,
    Command::HideModified,
    Command::HideUnchanged,
    Command::Search,
    Command::NextMatch,
    Command::PrevMatch,
    Command::Filter,
    Command::OpenLeft,
    Command::OpenRight,
];

/// How far one image's load has come.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideLoad {
    pub reference: String,
    pub layers: usize,
    pub done: usize,
}

#[derive(Debug)]
pub enum Msg {
    Progress(Which, Progress),
    Done(Box<CompareData>),
    Failed(String),
}

#[derive(Debug)]
pub enum Action {
    Term(Event),
    Load(Msg),
    /// For the single-image app of one side (a tree built for it).
    Side(Which, AppAction),
}

#[derive(Debug)]
pub struct CompareState {
    pub keymap: Keymap,
    pub left: SideLoad,
    pub right: SideLoad,
    pub data: Option<CompareData>,
    pub error: Option<String>,
    /// Layers or Tree.
    pub focus: Pane,
    pub layer_cursor: ListCursor,
    /// The top pane: Layers, or the Packages or Findings deltas.
    pub top: Pane,
    /// The selection in the Packages or Findings delta list.
    pub delta_cursor: ListCursor,
    pub filter: RowFilter,
    pub sort: SortBy,
    pub help: bool,
    pub help_scroll: usize,
    /// Keys of the screen around the view (the tour's n/p/J/K), listed in its help.
    pub extra_help: Option<crate::tui::widgets::help::Group>,
    pub screen: Rect,
    /// The single-image apps of both sides, made when a side is first opened and kept, so
    /// going back and forth keeps each one's cursors.
    pub apps: [Option<Box<State>>; 2],
    /// The side shown in the single-image app; `None` shows the compare view.
    pub open: Option<Which>,
    /// A one-key message in the status bar (why a key did nothing); the next key clears it.
    pub notice: Option<String>,
    /// The search or filter being typed.
    pub prompt: Option<Prompt>,
    pub search: String,
    /// Where the cursor's match is among all matches (`3/17`).
    pub search_hits: Option<(usize, usize)>,
    pub quit: bool,
}

impl CompareState {
    pub fn new(left: SideLoad, right: SideLoad, keymap: Keymap) -> CompareState {
        CompareState {
            keymap,
            left,
            right,
            data: None,
            error: None,
            focus: Pane::Tree,
            layer_cursor: ListCursor::default(),
            top: Pane::Layers,
            delta_cursor: ListCursor::default(),
            filter: RowFilter::default(),
            sort: SortBy::Size,
            help: false,
            help_scroll: 0,
            extra_help: None,
            screen: Rect::new(0, 0, 80, 24),
            apps: [None, None],
            open: None,
            notice: None,
            prompt: None,
            search: String::new(),
            search_hits: None,
            quit: false,
        }
    }

    /// Rows of the top pane's list.
    pub fn top_rows(&self) -> usize {
        let Some(d) = &self.data else { return 0 };
        match self.top {
            Pane::Packages => {
                d.report.diff.packages.added.len()
                    + d.report.diff.packages.removed.len()
                    + d.report.diff.packages.changed.len()
            }
            Pane::Findings => {
                let f = &d.report.diff.findings;
                f.only_left.len() + f.only_right.len() + f.both.len()
            }
            _ => self.layer_rows(),
        }
    }

    pub fn layer_rows(&self) -> usize {
        self.data
            .as_ref()
            .map_or(0, |d| d.report.diff.layers.rows.len())
    }

    /// The single-image app on screen, if a side is open.
    pub fn open_app(&self) -> Option<&State> {
        self.apps[self.open?.index()].as_deref()
    }
}

/// Changes the state; returns what the runtime must do for a side's app, tagged with the
/// side.
pub fn update(state: &mut CompareState, action: Action) -> Vec<(Which, Effect)> {
    let mut effects = Vec::new();
    match action {
        Action::Term(ev) if state.open.is_some() => effects = sides::term(state, ev),
        Action::Term(Event::Key(k)) if k.kind != KeyEventKind::Release => {
            key(state, k, &mut effects)
        }
        Action::Term(Event::Resize(w, h)) => state.screen = Rect::new(0, 0, w, h),
        Action::Term(_) => {}
        Action::Load(Msg::Progress(which, Progress::LayerDone { .. })) => {
            let side = match which {
                Which::Left => &mut state.left,
                Which::Right => &mut state.right,
            };
            side.done = (side.done + 1).min(side.layers);
        }
        Action::Load(Msg::Progress(..)) => {}
        Action::Load(Msg::Done(mut data)) => {
            data.view.apply_filter(&state.filter);
            data.view.sort(state.sort);
            state.left.done = state.left.layers;
            state.right.done = state.right.layers;
            state.data = Some(*data);
        }
        Action::Load(Msg::Failed(e)) => state.error = Some(e),
        Action::Side(which, a) => effects.extend(sides::to_app(state, which, a)),
    }
    fit(state);
    effects
}

fn key(state: &mut CompareState, k: KeyEvent, effects: &mut Vec<(Which, Effect)>) {
    state.notice = None;
    let cmd = state
        .keymap
        .lookup_in(&k, Context::Compare)
        .or_else(|| state.keymap.lookup(&k, state.focus));
    if state.help {
        use crate::tui::widgets::help::{HelpKey, key as help_key};
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        state.quit = ctrl_c;
        let text = crate::tui::views::compare::help_text(state);
        let width = crate::tui::views::compare::HELP_WIDTH;
        let mut scroll = state.help_scroll;
        if ctrl_c || help_key(&mut scroll, cmd, &text, state.screen, width) == HelpKey::Close {
            state.help = false;
            scroll = 0;
        }
        state.help_scroll = scroll;
        return;
    }
    if state.prompt.is_some() {
        super::search::key(state, k);
        return;
    }
    let Some(cmd) = cmd.filter(|c| COMMANDS.contains(c)) else {
        return;
    };
    let page = |state: &CompareState, pane: Pane| {
        layout(state.screen).rows(pane).height.max(1) as isize - 1
    };
    match cmd {
        Command::Quit => state.quit = true,
        Command::NextPane | Command::PrevPane => {
            state.focus = match state.focus {
                Pane::Tree => state.top,
                _ => Pane::Tree,
            }
        }
        Command::FocusLayers | Command::FocusPackages | Command::FocusFindings => {
            let pane = match cmd {
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
        Command::FocusTree => state.focus = Pane::Tree,
        Command::Help => state.help = true,
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
        Command::Up => step(state, -1),
        Command::Down => step(state, 1),
        Command::PageUp => step(state, -page(state, state.focus)),
        Command::PageDown => step(state, page(state, state.focus)),
        Command::Top => step(state, isize::MIN / 2),
        Command::Bottom => step(state, isize::MAX / 2),
        Command::Sort => {
            state.sort = match state.sort {
                SortBy::Size => SortBy::Name,
                SortBy::Name => SortBy::Size,
            };
            let sort = state.sort;
            with_tree(state, |v| v.sort(sort));
        }
        Command::HideAdded => hide(state, Status::Added),
        Command::HideRemoved => hide(state, Status::Removed),
        Command::HideModified => hide(state, Status::Modified),
        Command::HideUnchanged => hide(state, Status::Unchanged),
        Command::OpenLeft | Command::OpenRight if state.data.is_none() => {
            state.notice = Some("the sides open once both images are compared".into());
        }
        Command::OpenLeft => effects.extend(sides::open(state, Which::Left)),
        Command::OpenRight => effects.extend(sides::open(state, Which::Right)),
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
