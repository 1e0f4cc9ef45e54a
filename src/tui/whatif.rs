//! What-if: the compare view between the image and its rewrite, over the app. It is the
//! compare view itself (its state, `update` and drawing), fed a comparison built in the
//! background from the rewrite's files; `q` (or Esc with nothing to clear) comes back.
//!
//! The comparison ([`WhatIf`]) is held beside the app's state by the screen that holds the
//! app (the app's screen, the compare view for each side), and [`update`] is the app's
//! update with it: the app asks for the comparison with [`Effect::ShowWhatIf`], and while
//! it is open the terminal's events go to it. So the app's state never holds a compare view,
//! and this file sits above both the app's and the compare view's updates.

use crate::jobs::background::Analysed;
use crate::tui::compare::sides::SideApp;
use crate::tui::compare::state::{self as cmp, CompareData, CompareState, Msg, Side, SideLoad};
use crate::tui::effect::Effect;
use crate::tui::event::Event;
use crate::tui::keymap::{Command, Keymap};
use crate::tui::state::State;
use crate::tui::update::{self as app, loaded_state};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

pub use crate::tui::compare::state::WhatIf;

/// The app's update with its what-if comparison beside it: the only way either changes.
pub fn update(state: &mut State, whatif: &mut WhatIf, ev: Event) -> Vec<Effect> {
    match ev {
        Event::Term(t) if term(state, whatif, &t) => Vec::new(),
        Event::WhatIfReady(r) => {
            ready(state, whatif, r);
            app::settle(state)
        }
        ev => {
            let mut effects = Vec::new();
            for e in app::update(state, ev) {
                match e {
                    Effect::ShowWhatIf => open(state, whatif, &mut effects),
                    e => effects.push(e),
                }
            }
            effects
        }
    }
}

/// A side of the compare view is the app with its what-if; the compare view reaches it
/// through [`SideApp`], so its files name neither this update nor the app's.
impl SideApp for Side {
    fn loaded(a: &Analysed, keymap: Keymap, screen: Rect) -> (Side, Vec<Effect>) {
        let (app, effects) = loaded_state(a, keymap, screen);
        let side = Side {
            app,
            whatif: WhatIf::default(),
        };
        (side, effects)
    }

    fn update(&mut self, e: Event) -> Vec<Effect> {
        update(&mut self.app, &mut self.whatif, e)
    }
}

/// `c` (the app checked there is a rewrite): opens the comparison, computing it first when
/// it is not there yet.
fn open(state: &mut State, whatif: &mut WhatIf, effects: &mut Vec<Effect>) {
    let Some(loaded) = &state.loaded else {
        return;
    };
    if let Some(cs) = whatif.view.as_mut() {
        // The terminal may have changed size while it was hidden.
        cs.screen = state.screen;
        whatif.open = true;
        return;
    }
    if !whatif.pending {
        whatif.pending = true;
        effects.push(Effect::WhatIf(Box::new(loaded.clone())));
    }
    state.message = Some("comparing the image with its rewrite…".into());
}

/// The comparison is built: show it.
fn ready(state: &mut State, whatif: &mut WhatIf, r: Result<Box<CompareData>, String>) {
    whatif.pending = false;
    let data = match r {
        Ok(d) => d,
        Err(e) => {
            state.message = Some(format!("what-if: {e}"));
            return;
        }
    };
    let side = |reference: &str, layers: usize| SideLoad {
        reference: reference.to_string(),
        layers,
        done: layers,
    };
    let left = side(
        &data.report.left.image.reference,
        data.report.left.layers.len(),
    );
    let right = side(
        &data.report.right.image.reference,
        data.report.right.layers.len(),
    );
    let mut cs = CompareState::new(left, right, state.keymap.clone());
    cs.screen = state.screen;
    let _ = crate::tui::compare::update::update(&mut cs, cmp::Event::Load(Msg::Done(data)));
    cs.notice = Some(notice(&cs));
    whatif.view = Some(Box::new(cs));
    whatif.open = true;
    state.message = None;
}

fn notice(cs: &CompareState) -> String {
    let k = &cs.keymap;
    format!(
        "what-if: the image → its rewrite · {} back · {} help",
        k.key_for(Command::Quit),
        k.key_for(Command::Help)
    )
}

/// A terminal event while the comparison is open goes to it; true when it took the event.
/// Ctrl+C quits the app; Quit, or Cancel with nothing to clear, comes back; the compare
/// view's keys that would open a side do nothing here (the image is the app behind it).
fn term(state: &mut State, whatif: &mut WhatIf, ev: &TermEvent) -> bool {
    if !whatif.open {
        return false;
    }
    let Some(cs) = whatif.view.as_deref_mut() else {
        whatif.open = false;
        return false;
    };
    match ev {
        TermEvent::Resize(w, h) => {
            state.screen = Rect::new(0, 0, *w, *h);
            let _ = crate::tui::compare::update::update(cs, cmp::Event::Term(ev.clone()));
        }
        TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
            if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
                state.quit = true;
                return true;
            }
            let cmd = cs
                .keymap
                .lookup_in(k, crate::tui::keymap::Context::Compare)
                .or_else(|| cs.keymap.lookup(k, cs.focus));
            let idle = !cs.help && cs.filter == Default::default();
            match cmd {
                _ if cs.help => {
                    let _ = crate::tui::compare::update::update(cs, cmp::Event::Term(ev.clone()));
                }
                Some(Command::Quit) => whatif.open = false,
                Some(Command::Cancel) if idle => whatif.open = false,
                Some(Command::OpenLeft | Command::OpenRight) => {
                    cs.notice = Some("what-if: the image is the app behind this view (q)".into());
                    return true;
                }
                _ => {
                    let _ = crate::tui::compare::update::update(cs, cmp::Event::Term(ev.clone()));
                }
            }
            if cs.notice.is_none() && !cs.help {
                cs.notice = Some(notice(cs));
            }
        }
        _ => {}
    }
    true
}
