//! Drives the compare view without a terminal, as the single-image harness does: state on
//! a `TestBackend`, keys by name, loading replayed synchronously.

use super::state::{CompareData, CompareState, Event, Msg};
use super::update::update;
use crate::jobs::Progress;
use crate::jobs::compare::Which;
use crate::jobs::pair::OpenedPair;
use crate::tui::effect::Effect;
use crate::tui::harness::effect_tree;
use crate::tui::theme::Theme;
use crate::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::Mutex;

pub struct CompareHarness {
    pub state: CompareState,
    pub theme: Theme,
    pub terminal: Terminal<TestBackend>,
    /// What an opened side's app sent to the clipboard.
    pub copied: Vec<String>,
}

impl CompareHarness {
    /// The view as it opens, before anything is scanned.
    pub fn opening(pair: &OpenedPair, w: u16, h: u16) -> Self {
        let (left, right) = pair.metas();
        let mut state =
            CompareState::new(super::side(left), super::side(right), Default::default());
        state.screen = Rect::new(0, 0, w, h);
        CompareHarness {
            state,
            theme: Theme::mono(),
            terminal: crate::tui::harness::test_terminal(w, h),
            copied: Vec::new(),
        }
    }

    /// The view after loading and comparing both images, progress replayed in order.
    pub fn loaded(pair: &OpenedPair, w: u16, h: u16) -> anyhow::Result<Self> {
        let mut harness = Self::opening(pair, w, h);
        let events: Mutex<Vec<(Which, Progress)>> = Mutex::new(Vec::new());
        let record = |which, p| {
            events
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((which, p))
        };
        let compared = pair.compare_now(&record)?;
        for (which, p) in events.into_inner().unwrap_or_else(|e| e.into_inner()) {
            harness.apply(Event::Load(Msg::Progress(which, p)));
        }
        let data = CompareData::new(compared);
        harness.apply(Event::Load(Msg::Done(Box::new(data))));
        Ok(harness)
    }

    /// Applies an action and runs the effects it asks for here and now.
    pub fn apply(&mut self, action: Event) {
        let mut queue = vec![action];
        while let Some(a) = queue.pop() {
            for (which, e) in update(&mut self.state, a) {
                match e {
                    Effect::BuildTree(job) => queue.push(Event::Side(which, effect_tree(job))),
                    Effect::Copy(t) => self.copied.push(t),
                    Effect::WhatIf(a) => queue.push(Event::Side(
                        which,
                        crate::tui::event::Event::WhatIfReady(crate::tui::rewrite_compare(&a)),
                    )),
                    // ShowWhatIf is answered by the side's own update before it gets here.
                    Effect::Save { .. } | Effect::ShowWhatIf => {}
                }
            }
        }
    }

    /// Presses keys given as space-separated names: `"j j ctrl-o tab"`.
    pub fn press(&mut self, keys: &str) {
        for ev in crate::tui::harness::key_events(keys) {
            self.apply(Event::Term(ev));
        }
    }

    /// Draws a frame and returns the screen as text.
    pub fn render(&mut self) -> String {
        let (state, theme) = (&self.state, &self.theme);
        // The same function the terminal loop draws with: an opened side included.
        crate::tui::harness::draw_text(&mut self.terminal, |f| {
            views::compare::draw(f, state, theme)
        })
    }

    /// The selected tree row's path.
    pub fn selected_path(&self) -> Option<String> {
        let d = self.state.data.as_ref()?;
        let id = d.view.selected()?;
        Some(d.view.tree.node(id).path.to_string())
    }
}
