//! What-if: the compare view between the image and its rewrite, over the app. It is the
//! compare view itself (its state, `update` and drawing), fed a comparison built in the
//! background from the rewrite's files; `q` (or Esc with nothing to clear) comes back.

use crate::tui::compare::state::{self as cmp, CompareData, CompareState, Msg, SideLoad};
use crate::tui::effect::Effect;
use crate::tui::keymap::Command;
use crate::tui::state::State;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// `c`: opens the comparison, computing it first when it is not there yet.
pub fn open(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(loaded) = &state.loaded else {
        state.message = Some("the what-if compare opens once the image is analysed".into());
        return;
    };
    if let Err(why) = &loaded.analysis.rewrite {
        state.message = Some(format!("no rewrite proposed: {why}"));
        return;
    }
    let rw = &mut state.rewrite;
    if let Some(cs) = rw.whatif.as_mut() {
        // The terminal may have changed size while it was hidden.
        cs.screen = state.screen;
        rw.whatif_open = true;
        return;
    }
    if !rw.whatif_pending {
        rw.whatif_pending = true;
        effects.push(Effect::WhatIf(Box::new(loaded.clone())));
    }
    state.message = Some("comparing the image with its rewrite…".into());
}

/// The comparison is built: show it.
pub fn ready(state: &mut State, r: Result<Box<CompareData>, String>) {
    state.rewrite.whatif_pending = false;
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
    state.rewrite.whatif = Some(Box::new(cs));
    state.rewrite.whatif_open = true;
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

/// The comparison on screen, if it is open.
pub fn shown(state: &State) -> Option<&CompareState> {
    state
        .rewrite
        .whatif
        .as_deref()
        .filter(|_| state.rewrite.whatif_open)
}

/// A terminal event while the comparison is open goes to it; true when it took the event.
/// Ctrl+C quits the app; Quit, or Cancel with nothing to clear, comes back; the compare
/// view's keys that would open a side do nothing here (the image is the app behind it).
pub fn term(state: &mut State, ev: &TermEvent) -> bool {
    if !state.rewrite.whatif_open {
        return false;
    }
    let Some(cs) = state.rewrite.whatif.as_deref_mut() else {
        state.rewrite.whatif_open = false;
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
                Some(Command::Quit) => state.rewrite.whatif_open = false,
                Some(Command::Cancel) if idle => state.rewrite.whatif_open = false,
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
