//! `update(&mut State, Event) -> Vec<Effect>`: the only way state changes. Effects are what
//! the runtime must do outside the state (build a tree off-thread, write to the clipboard);
//! tests run them synchronously.

use super::commands;
use super::data;
use super::keymap::Keymap;
use super::state::{Data, LayerLoad, State};
use super::tree::build::TreeJob;
use super::tree::{TreeMode, TreeView};
use super::views;
use crate::jobs::Progress;
use crate::jobs::background::{Analysed, LoadEvent};
use crossterm::event::{Event as TermEvent, KeyEventKind};
use ratatui::layout::Rect;

pub use super::effect::Effect;
pub use super::event::Event;

/// How many tree views to keep built besides the one on screen: a 600k-entry layer's tree
/// takes tens of MB, so switching layers must not keep them all.
const TREE_CACHE: usize = 4;

pub fn update(state: &mut State, action: Event) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        // The comparison is held beside the state, by the screen around the app; its
        // update (`tui::whatif::update`) takes this first.
        Event::WhatIfReady(_) => {}
        Event::Saved(r) => super::rewrite::saved(state, r),
        Event::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => {
            state.message = None;
            commands::key(state, k, &mut effects);
        }
        Event::Term(TermEvent::Mouse(m)) => commands::mouse(state, m),
        Event::Term(TermEvent::Resize(w, h)) => state.screen = Rect::new(0, 0, w, h),
        Event::Term(_) => {}
        Event::Load(ev) => load(state, ev),
        // Built from a scan alone while the merge was running: stale now, ask again.
        Event::TreeBuilt(tree) if !tree.complete && state.loaded.is_some() => {
            state.pending.remove(&tree.mode);
        }
        Event::TreeBuilt(tree) => {
            state.pending.remove(&tree.mode);
            let mode = tree.mode;
            let mut view = TreeView::new(*tree, &state.filter);
            view.sort(state.sort);
            state.trees.insert(mode, view);
            evict(state);
        }
        Event::TreeSkipped(mode) => {
            state.pending.remove(&mode);
        }
    }
    effects.extend(settle(state));
    effects
}

/// What follows every change: the tree on screen asked for when missing, every selection
/// kept inside its window.
pub fn settle(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    ensure_tree(state, &mut effects);
    fit(state);
    effects
}

/// The app on an image analysed before (the compare view's sides, tests sharing one load):
/// each layer arrives, then the analysis, as from the loader, so the state is the one a
/// load of its own would leave.
pub fn loaded_state(a: &Analysed, keymap: Keymap, screen: Rect) -> (State, Vec<Effect>) {
    let mut state = State::new(a.image.meta.clone(), keymap);
    state.screen = screen;
    for l in &a.image.layers {
        let done = LoadEvent::Progress(Progress::LayerDone {
            layer: l.index,
            scan: l.scan.clone(),
            cached: false,
        });
        // A tree asked for now would lack the analysis and be rebuilt once it lands.
        let _ = update(&mut state, Event::Load(done));
        state.pending.clear();
    }
    let effects = update(
        &mut state,
        Event::Load(LoadEvent::Done(Box::new(a.clone()))),
    );
    (state, effects)
}

fn load(state: &mut State, ev: LoadEvent) {
    match ev {
        LoadEvent::Progress(Progress::Bytes { layer, read, total }) => {
            if let Some(row) = state.layers.get_mut(layer)
                && !matches!(row.load, LayerLoad::Done { .. })
            {
                row.load = LayerLoad::Reading { read, total };
            }
        }
        LoadEvent::Progress(Progress::LayerDone {
            layer,
            scan,
            cached,
        }) => {
            if let Some(row) = state.layers.get_mut(layer) {
                row.bytes = Some(scan.file_bytes());
                row.entries = Some(scan.entries.len());
                row.compressed = Some(scan.compressed_bytes);
                row.load = LayerLoad::Done { cached };
                row.scan = Some(scan);
            }
        }
        LoadEvent::Done(analysed) => {
            let packages = data::sort_packages(data::packages(&analysed.analysis));
            let packages = data::with_unowned(packages, &analysed.analysis);
            let findings = data::group_findings(data::findings(&analysed.analysis));
            state.lookup = data::Lookup::build(&packages, &findings);
            state.packages = Data::Ready(packages);
            state.findings = Data::Ready(findings);
            // Trees built before the merge have no statuses: rebuild on demand.
            state.trees.retain(|_, v| v.tree.complete);
            state.rewrite = super::rewrite::RewriteState::new(&analysed);
            state.loaded = Some(*analysed);
        }
        LoadEvent::Failed(e) => state.error = Some(e),
    }
}

/// Asks for the tree on screen when it is missing and its data is there; applies the sort
/// and any pending jump to it when it is built.
fn ensure_tree(state: &mut State, effects: &mut Vec<Effect>) {
    let mode = state.tree_mode();
    let sort = state.sort;
    if let Some(view) = state.trees.get_mut(&mode) {
        view.sort(sort);
        if let Some(path) = state.jump.take() {
            let found = view.tree.find(&path).is_some_and(|id| view.reveal(id));
            if !found {
                state.message = Some(format!("/{path} is not shown in this view"));
            }
        }
        return;
    }
    if state.pending.contains(&mode) {
        return;
    }
    let analysis = state.loaded.as_ref().map(|l| l.analysis.clone());
    // Every layer's scan up to the one shown: a layer's removed entries are lower layers'.
    let upto = match mode {
        TreeMode::Image if state.loaded.is_none() => return,
        TreeMode::Image => state.layers.len(),
        TreeMode::Layer(i) | TreeMode::AsOf(i) => i + 1,
    };
    let scans: Option<Vec<_>> = state
        .layers
        .iter()
        .take(upto)
        .map(|r| r.scan.clone())
        .collect();
    let Some(scans) = scans.filter(|s| s.len() == upto) else {
        return;
    };
    state.pending.insert(mode);
    effects.push(Effect::BuildTree(TreeJob {
        mode,
        scans,
        analysis,
    }));
}

fn evict(state: &mut State) {
    let current = state.tree_mode();
    while state.trees.len() > TREE_CACHE + 1 {
        let victim = state
            .trees
            .keys()
            .copied()
            .find(|&m| m != current && m != TreeMode::Image)
            .or_else(|| state.trees.keys().copied().find(|&m| m != current));
        match victim {
            Some(m) => {
                state.trees.remove(&m);
            }
            None => break,
        }
    }
}

/// Keeps every selection inside its pane's window for the current screen size.
pub fn fit(state: &mut State) {
    let areas = views::app_layout(state.screen, state);
    use super::state::Pane;
    let h = |p: Pane| areas.rows(p).height as usize;
    let n_layers = state.layers.len();
    state.layer_cursor.step(0, n_layers);
    state.layer_cursor.fit(h(Pane::Layers), n_layers);
    let n = state.packages.items().len();
    state.package_cursor.step(0, n);
    state.package_cursor.fit(h(Pane::Packages), n);
    let n = state.findings.items().len();
    state.finding_cursor.step(0, n);
    super::rewrite::fit(state);
    // Group headings take lines too; the findings view scrolls by line itself.
    let th = h(Pane::Tree);
    if let Some(v) = state.tree_mut() {
        let mut c = super::state::ListCursor {
            selected: v.cursor,
            offset: v.offset,
        };
        c.fit(th, v.rows.len());
        v.offset = c.offset;
    }
}
