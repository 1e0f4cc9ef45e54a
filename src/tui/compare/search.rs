//! Search and filter in the compare view's merged tree, as the single-image app has them:
//! `/` searches names (every path, filtered out or collapsed; `3/17` as `n`/`N` cycle),
//! `Ctrl+F` filters paths and opens the directories holding matches.

use super::state::CompareState;
use crate::tui::prompt::Edit;
use crate::tui::state::Prompt;
use crossterm::event::KeyEvent;

/// Opens the prompt: an empty search, or the filter as it stands.
pub fn start(state: &mut CompareState, filter: bool) {
    if state.data.is_none() {
        state.notice = Some("search and filter work once both images are compared".into());
        return;
    }
    state.prompt = Some(match filter {
        true => Prompt::Filter(state.filter.text.clone()),
        false => Prompt::Search(String::new()),
    });
}

/// A key while the prompt is open: typing, Enter keeps it, Esc drops it.
pub fn key(state: &mut CompareState, k: KeyEvent) {
    match crate::tui::prompt::edit(&mut state.prompt, k) {
        Edit::Quit => state.quit = true,
        Edit::Searched(t) => state.search = t,
        Edit::Cancelled { was_filter: true } => set_filter(state, String::new()),
        Edit::Typed(Prompt::Search(t)) => jump(state, &t, true, true),
        Edit::Typed(Prompt::Filter(t)) => set_filter(state, t),
        Edit::Kept | Edit::Cancelled { .. } | Edit::Ignored => {}
    }
}

/// `n` / `N`: the next or previous match of the last search.
pub fn next(state: &mut CompareState, forward: bool) {
    if state.search.is_empty() {
        state.notice = Some("no search yet: / searches names".into());
        return;
    }
    let q = state.search.clone();
    jump(state, &q, forward, false);
}

fn jump(state: &mut CompareState, query: &str, forward: bool, include_current: bool) {
    let Some(d) = state.data.as_mut() else {
        return;
    };
    let Some(found) = d.view.find(query, forward, include_current) else {
        state.search_hits = None;
        if !query.is_empty() {
            state.notice = Some(format!("no match for {query:?}"));
        }
        return;
    };
    if !found.shown {
        state.filter = Default::default();
        d.view.apply_filter(&state.filter);
        state.notice = Some("filter cleared to show the match".into());
    }
    d.view.reveal(found.node);
    state.search_hits = Some((found.at, found.of));
}

fn set_filter(state: &mut CompareState, text: String) {
    state.filter.text = text;
    let f = state.filter.clone();
    if let Some(d) = state.data.as_mut() {
        d.view.apply_filter(&f);
    }
}
