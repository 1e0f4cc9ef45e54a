//! `microscope tour` on a terminal: each step in the compare view against the step before,
//! with the lesson pane. The loop is the compare view's, plus a new comparison (on its own
//! thread, tagged with a generation) whenever the step changes.

#[cfg(feature = "test-support")]
pub mod harness;
pub mod layout;
pub mod state;
pub mod view;

use crate::demo::tour::measure::Measured;
use crate::jobs::compare::Which;
use crate::jobs::pair::{PairEvent, PairHandle};
use crate::tui::compare::state::{CompareData, Msg};
use crate::tui::{config, terminal, theme::Theme};
use anyhow::{Context, Result};
use crossterm::event::EventStream;
use futures_util::StreamExt;
use ratatui::layout::Rect;
use state::{Event, TourEffect, TourState, update};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

const FRAME: Duration = Duration::from_millis(16);

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
            rt.block_on(event_loop(&mut term, &mut t, &theme, first))
        }
        Err(e) => Err(e.into()),
    };
    terminal::restore();
    rt.shutdown_background();
    result
}

async fn event_loop(
    term: &mut terminal::Term,
    t: &mut TourState,
    theme: &Theme,
    first: TourEffect,
) -> Result<()> {
    let (tx, mut msgs) = unbounded_channel();
    let mut loading: Option<PairHandle> = None;
    let (trees, mut built) = crate::tui::tree_worker::<Which>();
    let mut pending = vec![first];
    let mut events = EventStream::new();
    let mut last_draw = Instant::now();
    let mut dirty = true;
    loop {
        for e in pending.drain(..) {
            match e {
                TourEffect::Open { step, generation } => {
                    // Dropping the old handle cancels the old comparison.
                    loading = spawn(step, generation, &tx);
                }
                TourEffect::Side(which, effect) => {
                    crate::tui::run_effect(term, &trees, which, effect)
                }
            }
        }
        if t.compare.quit {
            drop(loading);
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            term.draw(|f| view::draw(f, t, theme))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let mut batch: Vec<Event> = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(ev) => batch.push(Event::Term(ev?)),
                None => return Ok(()),
            },
            Some((which, a)) = built.recv() => batch.push(Event::Side(which, a)),
            Some(a) = msgs.recv() => {
                batch.push(a);
                while let Ok(a) = msgs.try_recv() {
                    batch.push(a);
                }
            }
            _ = tokio::time::sleep_until((last_draw + FRAME).into()), if dirty => {}
        }
        for a in batch {
            dirty = true;
            pending.extend(update(t, a));
            if t.compare.quit {
                break;
            }
        }
    }
}
