//! Drives the app without a terminal (feature `test-support`, tests only): the state on a
//! `TestBackend`, keys given by name, effects run synchronously. Tests (dua-cli's
//! "journeys") and snapshot scripts use it.

use super::effect::Effect;
use super::event::Event;
use super::keymap::Key;
use super::state::State;
use super::theme::Theme;
use super::views;
use super::whatif::{self, WhatIf};
use crate::jobs::background::{Analysed, LoadEvent};
use crate::jobs::{Opened, Progress};
use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::Mutex;

pub struct Harness {
    pub state: State,
    /// The what-if comparison, held beside the state as the app's screen holds it.
    pub whatif: WhatIf,
    pub theme: Theme,
    pub terminal: Terminal<TestBackend>,
    /// What the app sent to the clipboard.
    pub copied: Vec<String>,
}

/// Builds a tree here and now, as the worker thread would.
pub fn effect_tree(job: super::tree::build::TreeJob) -> Event {
    match job.run() {
        Some(t) => Event::TreeBuilt(Box::new(t)),
        None => Event::TreeSkipped(job.mode),
    }
}

impl Harness {
    /// The app as it opens, before any layer is scanned.
    pub fn opening(opened: &Opened, width: u16, height: u16) -> Harness {
        let mut state = State::new(opened.meta().clone(), Default::default());
        state.screen = Rect::new(0, 0, width, height);
        let terminal = test_terminal(width, height);
        Harness {
            state,
            whatif: WhatIf::default(),
            theme: Theme::mono(),
            terminal,
            copied: Vec::new(),
        }
    }

    /// The app after loading `source` completely, progress events replayed in order.
    pub fn loaded(opened: &Opened, width: u16, height: u16) -> anyhow::Result<Harness> {
        let mut h = Harness::opening(opened, width, height);
        let events: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
        let record = |p: Progress| events.lock().unwrap_or_else(|e| e.into_inner()).push(p);
        let image = opened.load(Some(&record), None)?;
        for p in events.into_inner().unwrap_or_else(|e| e.into_inner()) {
            h.apply(Event::Load(LoadEvent::Progress(p)));
        }
        h.apply(Event::Load(LoadEvent::Done(Box::new(Analysed::new(image)))));
        Ok(h)
    }

    /// The app on an image loaded before (tests share one load): each layer arrives, then
    /// the analysis, as from the loader.
    pub fn from_analysed(a: &Analysed, width: u16, height: u16) -> Harness {
        let screen = Rect::new(0, 0, width, height);
        let (state, effects) = super::update::loaded_state(a, Default::default(), screen);
        let terminal = test_terminal(width, height);
        let mut h = Harness {
            state,
            whatif: WhatIf::default(),
            theme: Theme::mono(),
            terminal,
            copied: Vec::new(),
        };
        for e in effects {
            h.run_effect(e);
        }
        h
    }

    /// Applies an action and runs its effects here and now.
    pub fn apply(&mut self, action: Event) {
        let mut queue = vec![action];
        while let Some(a) = queue.pop() {
            for e in whatif::update(&mut self.state, &mut self.whatif, a) {
                queue.extend(self.effect(e));
            }
        }
    }

    fn run_effect(&mut self, e: Effect) {
        if let Some(a) = self.effect(e) {
            self.apply(a);
        }
    }

    /// Runs an effect synchronously; a built tree comes back as the action to apply.
    fn effect(&mut self, e: Effect) -> Option<Event> {
        match e {
            Effect::BuildTree(job) => Some(effect_tree(job)),
            Effect::Copy(t) => {
                self.copied.push(t);
                None
            }
            Effect::WhatIf(a) => Some(Event::WhatIfReady(super::rewrite_compare(&a))),
            // Answered by `whatif::update` before it gets here.
            Effect::ShowWhatIf => None,
            Effect::Save {
                path,
                text,
                overwrite,
            } => Some(Event::Saved(
                crate::jobs::save::write_text(&path, &text, overwrite).map(|()| path),
            )),
        }
    }

    /// Presses keys given as space-separated names: `"j j ctrl-o / tab"`.
    pub fn press(&mut self, keys: &str) {
        for ev in key_events(keys) {
            self.apply(Event::Term(ev));
        }
    }

    /// Types text into a prompt, one key per character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let ev = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            self.apply(Event::Term(TermEvent::Key(ev)));
        }
    }

    pub fn mouse(&mut self, kind: MouseEventKind, column: u16, row: u16) {
        let ev = MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        self.apply(Event::Term(TermEvent::Mouse(ev)));
    }

    /// Draws a frame and returns the screen as text.
    pub fn render(&mut self) -> String {
        let (state, whatif, theme) = (&self.state, &self.whatif, &self.theme);
        draw_text(&mut self.terminal, |f| {
            views::compare::draw_app(f, state, whatif, theme)
        })
    }

    /// The selected tree row's path, if any.
    pub fn selected_path(&self) -> Option<String> {
        let v = self.state.tree()?;
        Some(v.tree.node(v.selected()?).path.to_string())
    }
}

/// A terminal in memory. Its backend's error type is `Infallible`, so this cannot fail.
pub fn test_terminal(width: u16, height: u16) -> Terminal<TestBackend> {
    let Ok(terminal) = Terminal::new(TestBackend::new(width, height));
    terminal
}

/// Draws one frame on a test terminal and returns the screen as text.
pub fn draw_text(
    terminal: &mut Terminal<TestBackend>,
    render: impl FnOnce(&mut ratatui::Frame),
) -> String {
    let Ok(_) = terminal.draw(render);
    terminal.backend().to_string()
}

/// Key events for space-separated key names (`"j j ctrl-o / tab"`), as a terminal sends
/// them. A name that does not parse is a mistake in the test, so it panics there.
pub fn key_events(keys: &str) -> impl Iterator<Item = TermEvent> + '_ {
    keys.split_whitespace().map(|name| {
        let k = Key::parse(name).unwrap_or_else(|e| panic!("key {name:?}: {e}"));
        let mut mods = KeyModifiers::NONE;
        if k.ctrl {
            mods |= KeyModifiers::CONTROL;
        }
        if k.alt {
            mods |= KeyModifiers::ALT;
        }
        if let KeyCode::Char(c) = k.code
            && c.is_ascii_uppercase()
        {
            mods |= KeyModifiers::SHIFT;
        }
        TermEvent::Key(KeyEvent::new(k.code, mods))
    })
}
