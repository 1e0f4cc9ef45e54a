//! `microscope tour` on a terminal: each step in the compare view against the step before,
//! with the lesson pane. The loop is every screen's ([`crate::tui::screen::run`]); the
//! tour's effects start a new comparison (on its own thread, tagged with a generation)
//! whenever the step changes.

#[cfg(feature = "test-support")]
pub mod harness;
pub mod layout;
pub mod state;
pub mod view;

use crate::demo::tour::measure::Measured;
use crate::jobs::compare::Which;
use crate::jobs::pair::{PairEvent, PairHandle};
use crate::tui::compare::state::{CompareData, Msg};
use crate::tui::screen::{self, Runtime, Screen};
use crate::tui::{config, terminal, theme::Theme};
use anyhow::{Context, Result};
use ratatui::layout::Rect;
use state::{Event, TourEffect, TourState, update};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Starts the comparison of `step`; its messages carry `generation`.
fn spawn(step: usize, generation: u64, tx: &UnboundedSender<Event>) -> Option<PairHandle> {
    let pair = match crate::jobs::tour::open_pair(step) {
        Ok(p) => p,
        Err(e) => {
            let _ = tx.send(Event::Load(generation, Msg::Failed(e.to_string())));
            return None;
        }
    };
    let tx2 = tx.clone();
    let spawned = pair.spawn(move |event| {
        let _ = tx2.send(Event::Load(
            generation,
            match event {
                PairEvent::Progress(which, p) => Msg::Progress(which, p),
                PairEvent::Done(c) => Msg::Done(Box::new(CompareData::new(*c))),
                PairEvent::Failed(why) => Msg::Failed(why),
            },
        ));
    });
    match spawned {
        Ok(h) => Some(h),
        Err(e) => {
            let why = format!("cannot start the loader: {e}");
            let _ = tx.send(Event::Load(generation, Msg::Failed(why)));
            None
        }
    }
}

/// Opens the tour at `start` (0-based) and returns when the user quits.
pub fn run(start: usize, measured: Vec<Measured>) -> Result<()> {
    let keymap = config::load()?.keymap().context("config [keys]")?;
    let theme = Theme::from_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let mut term = terminal::enter()?;
    let result = match term.size() {
        Ok(size) => {
            let screen = Rect::new(0, 0, size.width, size.height);
            let (mut t, first) = TourState::new(start, measured, keymap, screen);
            let (tx, msgs) = unbounded_channel();
            let loading = match first {
                TourEffect::Open { step, generation } => spawn(step, generation, &tx),
                TourEffect::Side(..) => None,
            };
            let mut tour = Tour {
                t: &mut t,
                tx,
                loading,
            };
            rt.block_on(screen::run(&mut term, &mut tour, &theme, msgs))
        }
        Err(e) => Err(e.into()),
    };
    terminal::restore();
    rt.shutdown_background();
    result
}

/// The tour as the loop drives it: its state, and the comparison of the step shown (a new
/// one, with a new generation, replaces it when the step changes; dropping cancels it).
struct Tour<'a> {
    t: &'a mut TourState,
    tx: UnboundedSender<Event>,
    loading: Option<PairHandle>,
}

impl Screen for Tour<'_> {
    type Event = Event;
    type Msg = Event;
    type Tag = Which;

    fn term(ev: crossterm::event::Event) -> Event {
        Event::Term(ev)
    }

    fn msg(m: Event) -> Event {
        m
    }

    fn built(which: Which, e: crate::tui::event::Event) -> Event {
        Event::Side(which, e)
    }

    /// The tour was made at the screen's size.
    fn resize(&mut self, _area: Rect) {}

    fn update(&mut self, ev: Event, rt: &mut Runtime<'_, Which>) {
        for e in update(self.t, ev) {
            match e {
                TourEffect::Open { step, generation } => {
                    self.loading = spawn(step, generation, &self.tx);
                }
                TourEffect::Side(which, effect) => {
                    crate::tui::run_effect(rt.term, rt.trees, which, effect)
                }
            }
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame, theme: &Theme) {
        view::draw(frame, self.t, theme)
    }

    fn quit(&self) -> bool {
        self.t.compare.quit
    }
}
