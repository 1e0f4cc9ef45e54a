//! Everything the app shows, as plain data: no I/O, no terminal. [`super::update::update`]
//! changes it; [`super::views`] draws it.

use super::data::{FindingRow, Lookup, PackageRow};
use super::keymap::Keymap;
use super::tree::rows::RowFilter;
use super::tree::{SortBy, TreeMode, TreeView};
use crate::image::{ImageMeta, LayerScan};
use crate::jobs::background::Analysed;
use ratatui::layout::Rect;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use super::pane::Pane;

/// What the Files pane shows for the selected layer; `w` cycles them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FilesView {
    /// The filesystem as of the layer, its changes marked (dive's default).
    #[default]
    AsOf,
    /// Only the layer's own entries and what it removed.
    Layer,
    /// The final filesystem.
    Image,
}

impl FilesView {
    pub fn next(self) -> FilesView {
        match self {
            FilesView::AsOf => FilesView::Layer,
            FilesView::Layer => FilesView::Image,
            FilesView::Image => FilesView::AsOf,
        }
    }
}

pub use super::cursor::ListCursor;

/// How far a layer's scan has come.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerLoad {
    Waiting,
    Reading { read: u64, total: Option<u64> },
    Done { cached: bool },
}

/// A row of the Layers pane; filled from the manifest at once and from the scan when done.
#[derive(Debug, Clone)]
pub struct LayerRow {
    pub index: usize,
    pub command: String,
    pub digest: String,
    /// Blob size from the manifest, then from the scan.
    pub compressed: Option<u64>,
    /// Regular-file bytes, once scanned.
    pub bytes: Option<u64>,
    pub entries: Option<usize>,
    pub load: LayerLoad,
    pub scan: Option<Arc<LayerScan>>,
}

/// Data a pane shows once the background work produced it.
#[derive(Debug, Clone, PartialEq)]
pub enum Data<T> {
    Loading,
    Ready(Vec<T>),
}

impl<T> Data<T> {
    pub fn items(&self) -> &[T] {
        match self {
            Data::Loading => &[],
            Data::Ready(v) => v,
        }
    }
}

pub use super::prompt::Prompt;

/// Files picked out in the tree by selecting a package or a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub label: String,
    pub paths: Vec<Arc<str>>,
    pub set: HashSet<Arc<str>>,
    /// Which of `paths` `n`/`N` last jumped to.
    pub at: usize,
}

#[derive(Debug)]
pub struct State {
    pub meta: ImageMeta,
    pub keymap: Keymap,
    pub layers: Vec<LayerRow>,
    pub layer_cursor: ListCursor,
    pub loaded: Option<Analysed>,
    pub error: Option<String>,
    pub packages: Data<PackageRow>,
    pub package_cursor: ListCursor,
    pub findings: Data<FindingRow>,
    pub finding_cursor: ListCursor,
    /// Owner packages and findings per path, built when those land.
    pub lookup: Lookup,
    pub focus: Pane,
    /// Which list the left column shows: Layers, Packages or Findings.
    pub left: Pane,
    /// Tree pane: the selected layer as of, its own entries, or the whole image.
    pub files: FilesView,
    pub trees: HashMap<TreeMode, TreeView>,
    /// Builds asked for and not yet back.
    pub pending: HashSet<TreeMode>,
    pub sort: SortBy,
    pub filter: RowFilter,
    pub search: String,
    /// Where the cursor's match is among all matches of the search (`3/17`).
    pub search_hits: Option<(usize, usize)>,
    pub prompt: Option<Prompt>,
    pub show_attributes: bool,
    pub highlight: Option<Highlight>,
    /// A path to put the cursor on once the tree it belongs to is built.
    pub jump: Option<Arc<str>>,
    pub help: bool,
    pub help_scroll: usize,
    /// The terminal size the last frame had: layout for mouse hits and scrolling.
    pub screen: Rect,
    /// One line of feedback in the status bar (copied, not found...).
    pub message: Option<String>,
    /// Opened from the compare view on one of its images: quitting goes back there.
    pub from_compare: bool,
    /// The Rewrite pane and the files the rewrite keeps (the what-if compare is held beside
    /// the state: `compare::state::WhatIf`).
    pub rewrite: super::rewrite::RewriteState,
    pub quit: bool,
}

impl State {
    pub fn new(meta: ImageMeta, keymap: Keymap) -> State {
        let layers = meta
            .layers
            .iter()
            .enumerate()
            .map(|(index, desc)| LayerRow {
                index,
                command: layer_command(&meta, index),
                digest: desc
                    .digest
                    .clone()
                    .or_else(|| desc.diff_id.clone())
                    .unwrap_or_default(),
                compressed: desc.size,
                bytes: None,
                entries: None,
                load: LayerLoad::Waiting,
                scan: None,
            })
            .collect();
        State {
            meta,
            keymap,
            layers,
            layer_cursor: ListCursor::default(),
            loaded: None,
            error: None,
            packages: Data::Loading,
            package_cursor: ListCursor::default(),
            findings: Data::Loading,
            finding_cursor: ListCursor::default(),
            lookup: Lookup::default(),
            focus: Pane::Layers,
            left: Pane::Layers,
            files: FilesView::default(),
            trees: HashMap::new(),
            pending: HashSet::new(),
            sort: SortBy::Size,
            filter: RowFilter::default(),
            search: String::new(),
            search_hits: None,
            prompt: None,
            show_attributes: true,
            highlight: None,
            jump: None,
            help: false,
            help_scroll: 0,
            screen: Rect::new(0, 0, 80, 24),
            message: None,
            from_compare: false,
            rewrite: Default::default(),
            quit: false,
        }
    }

    /// What the tree pane shows now.
    pub fn tree_mode(&self) -> TreeMode {
        let i = self.layer_cursor.selected;
        match self.files {
            FilesView::AsOf => TreeMode::AsOf(i),
            FilesView::Layer => TreeMode::Layer(i),
            FilesView::Image => TreeMode::Image,
        }
    }

    pub fn tree(&self) -> Option<&TreeView> {
        self.trees.get(&self.tree_mode())
    }

    pub fn tree_mut(&mut self) -> Option<&mut TreeView> {
        let mode = self.tree_mode();
        self.trees.get_mut(&mode)
    }

    /// Layers scanned so far.
    pub fn layers_done(&self) -> usize {
        self.layers
            .iter()
            .filter(|l| matches!(l.load, LayerLoad::Done { .. }))
            .count()
    }

    pub fn selected_layer(&self) -> Option<&LayerRow> {
        self.layers.get(self.layer_cursor.selected)
    }
}

/// The `created_by` of the history entry that made layer `index` (empty layers skipped).
fn layer_command(meta: &ImageMeta, index: usize) -> String {
    meta.history
        .iter()
        .filter(|h| !h.empty_layer)
        .nth(index)
        .map(|h| h.created_by.clone())
        .unwrap_or_default()
}
