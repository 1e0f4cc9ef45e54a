//! One image of the comparison in the full single-image app, and back. The app is the
//! single-image app itself (its state, `update` and views), fed the image and analysis the
//! comparison already holds, so opening a side reads nothing again.

use super::state::{CompareState, Side};
use crate::jobs::background::Analysed;
use crate::jobs::compare::Which;
use crate::tui::effect::Effect;
use crate::tui::event::Event as AppEvent;
use crate::tui::keymap::{Command, Keymap};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// What the compare view asks of a side's single-image app. The side implements it (in
/// `tui::whatif`, the app's update with its what-if), so this file names no update of the
/// app's: that update runs the what-if comparison, a compare view whose update runs this
/// file's, and the loop stays in types.
pub trait SideApp: Sized {
    /// The app on an image analysed before, as a load of its own would leave it.
    fn loaded(a: &Analysed, keymap: Keymap, screen: Rect) -> (Self, Vec<Effect>);
    /// The app's update: the only way its state changes.
    fn update(&mut self, e: AppEvent) -> Vec<Effect>;
}

fn tag(which: Which, effects: Vec<Effect>) -> impl Iterator<Item = (Which, Effect)> {
    effects.into_iter().map(move |e| (which, e))
}

/// Shows `which` in the single-image app, made on first use. Before the comparison is
/// there, there is nothing to show and the key does nothing.
pub fn open(state: &mut CompareState, which: Which) -> Vec<(Which, Effect)> {
    let Some(data) = &state.data else {
        return Vec::new();
    };
    let screen = state.screen;
    let slot = &mut state.apps[which.index()];
    let effects = match slot {
        // The terminal may have changed size while it was hidden.
        Some(app) => app.update(resize(screen)),
        None => {
            let image = &data.images[which.index()];
            let (mut side, effects) = Side::loaded(image, state.keymap.clone(), screen);
            side.app.from_compare = true;
            *slot = Some(Box::new(side));
            effects
        }
    };
    state.open = Some(which);
    tag(which, effects).collect()
}

fn resize(r: Rect) -> AppEvent {
    AppEvent::Term(TermEvent::Resize(r.width, r.height))
}

/// A terminal event while a side is open: the app takes it, except Ctrl+C (quits
/// everything), and Quit or a Cancel with nothing left to clear (back to the compare view).
pub fn term(state: &mut CompareState, ev: TermEvent) -> Vec<(Which, Effect)> {
    let Some(which) = state.open else {
        return Vec::new();
    };
    if let TermEvent::Resize(w, h) = ev {
        state.screen = Rect::new(0, 0, w, h);
    }
    let Some(side) = state.apps[which.index()].as_deref_mut() else {
        state.open = None;
        return Vec::new();
    };
    if let TermEvent::Key(k) = &ev
        && k.kind != KeyEventKind::Release
    {
        if is_ctrl_c(k) {
            state.quit = true;
            return Vec::new();
        }
        if goes_back(side, k) {
            state.open = None;
            return Vec::new();
        }
    }
    let effects = side.update(AppEvent::Term(ev));
    if side.app.quit {
        side.app.quit = false;
        state.open = None;
    }
    tag(which, effects).collect()
}

/// An action for a side's app from the runtime (a built tree). It goes to that app whether
/// it is on screen or not, so a tree asked for before going back is there on return.
pub fn to_app(state: &mut CompareState, which: Which, a: AppEvent) -> Vec<(Which, Effect)> {
    match state.apps[which.index()].as_deref_mut() {
        Some(side) => tag(which, side.update(a)).collect(),
        None => Vec::new(),
    }
}

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

/// Cancel (Esc) clears the app's prompt, help, highlight, filter or search first; only
/// once there is nothing to clear does it leave, so Esc never loses a filter by surprise.
fn goes_back(side: &Side, k: &KeyEvent) -> bool {
    let app = &side.app;
    let idle = !app.help
        && !side.whatif.open
        && app.rewrite.save.is_none()
        && app.prompt.is_none()
        && app.highlight.is_none()
        && app.filter.text.is_empty()
        && app.search.is_empty();
    idle && app.keymap.lookup(k, app.focus) == Some(Command::Cancel)
}
