//! Drives the tour without a terminal: state on a `TestBackend`, keys by name, each step's
//! comparison loaded here and now.

use super::state::{Event, TourEffect, TourState, update};
use super::view;
use crate::demo::tour::measure::Measured;
use crate::tui::compare::state::{CompareData, Msg};
use crate::tui::effect::Effect;
use crate::tui::event::Event as AppEvent;
use crate::tui::harness::effect_tree;
use crate::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

pub struct TourHarness {
    pub state: TourState,
    pub theme: Theme,
    pub terminal: Terminal<TestBackend>,
}

impl TourHarness {
    /// The tour at `step` (0-based), its comparison loaded.
    pub fn new(step: usize, measured: Vec<Measured>, w: u16, h: u16) -> Self {
        let (state, first) =
            TourState::new(step, measured, Default::default(), Rect::new(0, 0, w, h));
        let mut harness = TourHarness {
            state,
            theme: Theme::mono(),
            terminal: crate::tui::harness::test_terminal(w, h),
        };
        harness.run(vec![first]);
        harness
    }

    fn run(&mut self, mut effects: Vec<TourEffect>) {
        while let Some(e) = effects.pop() {
            let action = match e {
                TourEffect::Open { step, generation } => {
                    let msg = match crate::jobs::tour::open_pair(step) {
                        Ok(pair) => match pair.compare_now(&|_, _| {}) {
                            Ok(c) => Msg::Done(Box::new(CompareData::new(c))),
                            Err(e) => Msg::Failed(e.to_string()),
                        },
                        Err(e) => Msg::Failed(e.to_string()),
                    };
                    Event::Load(generation, msg)
                }
                TourEffect::Side(which, Effect::BuildTree(job)) => {
                    Event::Side(which, effect_tree(job))
                }
                TourEffect::Side(which, Effect::WhatIf(a)) => Event::Side(
                    which,
                    AppEvent::WhatIfReady(crate::tui::rewrite_compare(&a)),
                ),
                TourEffect::Side(..) => continue,
            };
            effects.extend(update(&mut self.state, action));
        }
    }

    /// Presses keys given as space-separated names: `"n n p ]"`.
    pub fn press(&mut self, keys: &str) {
        for ev in crate::tui::harness::key_events(keys) {
            let effects = update(&mut self.state, Event::Term(ev));
            self.run(effects);
        }
    }

    /// Draws a frame and returns the screen as text.
    pub fn render(&mut self) -> String {
        let (state, theme) = (&self.state, &self.theme);
        crate::tui::harness::draw_text(&mut self.terminal, |f| view::draw(f, state, theme))
    }
}
