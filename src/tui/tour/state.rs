//! The tour on screen as plain data: the step, the compare view of that step against the
//! one before, and `update`, the only way it changes. `n` and `p` move between steps (a
//! new comparison is asked of the runtime); every other key goes to the compare view.

use crate::demo::tour::measure::Measured;
use crate::demo::tour::{STEPS, pair_of};
use crate::jobs::compare::Which;
use crate::tui::compare::state::{self as cs, CompareState, Msg, SideLoad};
use crate::tui::effect::Effect;
use crate::tui::event::Event as AppEvent;
use crate::tui::keymap::Keymap;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// The tour's own keys; documented in the lesson pane's title and the README.
pub const NEXT: char = 'n';
pub const PREV: char = 'p';
/// Scroll the lesson pane down / up.
pub const SCROLL_DOWN: char = 'J';
pub const SCROLL_UP: char = 'K';

#[derive(Debug)]
pub enum Event {
    Term(TermEvent),
    /// A comparison's message, tagged with the load it belongs to.
    Load(u64, Msg),
    Side(Which, AppEvent),
}

/// What the runtime must do.
#[derive(Debug)]
pub enum TourEffect {
    Side(Which, Effect),
    /// Compare step `step` with its step before; tag its messages with `generation`.
    Open {
        step: usize,
        generation: u64,
    },
}

#[derive(Debug)]
pub struct TourState {
    pub step: usize,
    pub measured: Vec<Measured>,
    pub compare: CompareState,
    /// The whole screen; the compare view gets [`super::layout::split`]'s part of it.
    pub screen: Rect,
    /// The load the compare view's messages must carry; older loads' are dropped.
    pub generation: u64,
    pub keymap: Keymap,
    /// Lines the lesson pane is scrolled by (`J`/`K`).
    pub lesson_scroll: u16,
}

/// The tour's own keys, as its help lists them.
pub fn tour_keys() -> crate::tui::widgets::help::Group {
    let line = |k: String, what: &str| (k, what.to_string());
    crate::tui::widgets::help::Group {
        title: "Tour".into(),
        lines: vec![
            line(format!("{NEXT} / {PREV}"), "Next / previous step"),
            line(
                format!("{SCROLL_DOWN} / {SCROLL_UP}"),
                "Scroll the lesson down / up",
            ),
        ],
    }
}

fn side(index: usize, measured: &[Measured]) -> SideLoad {
    SideLoad {
        reference: STEPS
            .get(index)
            .map_or(String::new(), |s| format!("tour:{}", s.id)),
        layers: measured.get(index).map_or(0, |m| m.layers),
        done: 0,
    }
}

impl TourState {
    /// The tour at `step`, its comparison not yet loaded: the runtime answers the returned
    /// effect.
    pub fn new(
        step: usize,
        measured: Vec<Measured>,
        keymap: Keymap,
        screen: Rect,
    ) -> (TourState, TourEffect) {
        let step = step.min(STEPS.len().saturating_sub(1));
        let mut t = TourState {
            step,
            compare: CompareState::new(SideLoad::default(), SideLoad::default(), keymap.clone()),
            measured,
            screen,
            generation: 0,
            keymap,
            lesson_scroll: 0,
        };
        let effect = t.go(step);
        (t, effect)
    }

    fn go(&mut self, step: usize) -> TourEffect {
        let (before, this) = pair_of(step);
        self.step = step;
        self.generation += 1;
        self.lesson_scroll = 0;
        self.compare = CompareState::new(
            side(before, &self.measured),
            side(this, &self.measured),
            self.keymap.clone(),
        );
        self.compare.extra_help = Some(tour_keys());
        self.fit();
        TourEffect::Open {
            step,
            generation: self.generation,
        }
    }

    /// The compare view's size: its part of the screen, or the whole of it while a side is
    /// open (the side's app is sized from it).
    fn fit(&mut self) {
        if self.compare.open.is_some() {
            self.compare.screen = self.screen;
        } else {
            let area = super::layout::split(self.screen).compare;
            self.compare.screen = Rect::new(0, 0, area.width, area.height);
            crate::tui::compare::update::fit(&mut self.compare);
        }
    }
}

/// Changes the state; returns what the runtime must do.
pub fn update(t: &mut TourState, action: Event) -> Vec<TourEffect> {
    let compare_action = match action {
        Event::Term(TermEvent::Resize(w, h)) => {
            t.screen = Rect::new(0, 0, w, h);
            cs::Event::Term(TermEvent::Resize(w, h))
        }
        Event::Term(TermEvent::Key(k))
            if k.kind != KeyEventKind::Release
                && t.compare.open.is_none()
                && !t.compare.help
                && k.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE
                && matches!(k.code, KeyCode::Char(NEXT | PREV)) =>
        {
            let step = match k.code {
                KeyCode::Char(NEXT) => (t.step + 1).min(STEPS.len().saturating_sub(1)),
                _ => t.step.saturating_sub(1),
            };
            if step == t.step {
                t.compare.notice = Some(if step == 0 {
                    "this is the first step".into()
                } else {
                    "this is the last step".into()
                });
                return Vec::new();
            }
            return vec![t.go(step)];
        }
        Event::Term(TermEvent::Key(k))
            if k.kind != KeyEventKind::Release
                && t.compare.open.is_none()
                && !t.compare.help
                && matches!(k.code, KeyCode::Char(SCROLL_DOWN | SCROLL_UP)) =>
        {
            t.lesson_scroll = if k.code == KeyCode::Char(SCROLL_DOWN) {
                t.lesson_scroll.saturating_add(1).min(200)
            } else {
                t.lesson_scroll.saturating_sub(1)
            };
            return Vec::new();
        }
        Event::Term(ev) => cs::Event::Term(ev),
        Event::Load(g, _) if g != t.generation => return Vec::new(),
        Event::Load(_, m) => cs::Event::Load(m),
        Event::Side(which, a) => cs::Event::Side(which, a),
    };
    // Sides open at the whole screen's size; the compare view is fitted to its part after.
    t.compare.screen = t.screen;
    let effects = crate::tui::compare::update::update(&mut t.compare, compare_action);
    t.fit();
    effects
        .into_iter()
        .map(|(w, e)| TourEffect::Side(w, e))
        .collect()
}
