//! The compare view as plain data; `super::update::update` is the only way it changes. One cursor per
//! pane serves both images: the layer table and the merged tree are aligned rows, so moving
//! moves both sides together.

pub use super::data::CompareData;
use crate::jobs::Progress;
use crate::jobs::compare::Which;
use crate::tui::cursor::ListCursor;
use crate::tui::event::Event as AppEvent;
use crate::tui::keymap::Keymap;
use crate::tui::pane::Pane;
use crate::tui::prompt::Prompt;
use crate::tui::state::State;
use crate::tui::tree::SortBy;
use crate::tui::tree::rows::RowFilter;
use crossterm::event::Event as TermEvent;
use ratatui::layout::Rect;

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
pub enum Event {
    Term(TermEvent),
    Load(Msg),
    /// For the single-image app of one side (a tree built for it).
    Side(Which, AppEvent),
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
    pub apps: [Option<Box<Side>>; 2],
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
        self.open_side().map(|s| &s.app)
    }

    /// The side on screen (its app and the app's what-if), if a side is open.
    pub fn open_side(&self) -> Option<&Side> {
        self.apps[self.open?.index()].as_deref()
    }
}

/// One image of the comparison in the single-image app, with that app's what-if beside it.
#[derive(Debug)]
pub struct Side {
    pub app: State,
    pub whatif: WhatIf,
}

/// The what-if comparison of an app's image with its rewrite. Whoever holds an app's
/// [`State`] holds this beside it (the app's screen; this view, for each side), never the
/// app's state itself: a state that held a compare view holding states would tie the
/// app's and the compare view's modules into one knot.
#[derive(Debug, Default)]
pub struct WhatIf {
    /// Once computed; kept when closed so it reopens at once.
    pub view: Option<Box<CompareState>>,
    pub open: bool,
    pub pending: bool,
}

impl WhatIf {
    /// The comparison on screen, if it is open.
    pub fn shown(&self) -> Option<&CompareState> {
        self.view.as_deref().filter(|_| self.open)
    }
}
