//! The interactive app. One tokio task runs the loop: terminal events, loader messages and
//! built trees arrive on streams; each batch is drained and folded into the state, and the
//! screen is redrawn at most once per frame (16 ms), so a flood of progress never blocks
//! keys (yazi's batched render). Loading and tree building run on their own threads;
//! quitting sets the loader's cancel flag and returns at once.

mod commands;
pub mod compare;
pub mod config;
pub mod cursor;
pub mod data;
pub mod effect;
pub mod event;
#[cfg(feature = "test-support")]
pub mod harness;
pub mod keymap;
pub mod pane;
mod prompt;
pub mod rewrite;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod tour;
pub mod trace;
pub mod tree;
pub mod update;
pub mod views;
pub mod widgets;

use crate::jobs::Opened;
use anyhow::{Context, Result};
use crossterm::event::EventStream;
use effect::Effect;
use event::Event;
use futures_util::StreamExt;
use ratatui::layout::Rect;
use state::State;
use std::time::{Duration, Instant};
use theme::Theme;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tree::build::TreeJob;
use update::update;

/// At most one render per frame.
const FRAME: Duration = Duration::from_millis(16);

/// Opens the app on an opened image (loaded through its cache, as the command line would)
/// and returns when the user quits.
pub fn run(opened: Opened) -> Result<()> {
    let config = config::load()?;
    let keymap = config.keymap().context("config [keys]")?;
    let mut state = State::new(opened.source.meta().clone(), keymap);
    config.apply(&mut state);
    let theme = Theme::from_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let mut term = terminal::enter()?;
    let result = rt.block_on(event_loop(&mut term, &mut state, &theme, opened));
    terminal::restore();
    // The loader may still be unwinding a layer; it sees the cancel flag and stops. Don't
    // wait for it: the process exits right after.
    rt.shutdown_background();
    result
}

async fn event_loop(
    term: &mut terminal::Term,
    state: &mut State,
    theme: &Theme,
    opened: Opened,
) -> Result<()> {
    let size = term.size()?;
    state.screen = Rect::new(0, 0, size.width, size.height);
    // First frame before any work starts: the layer list is known from the manifest.
    term.draw(|f| views::draw(f, state, theme))?;
    let mut last_draw = Instant::now();
    let mut trace = trace::Trace::from_env();
    trace.mark("first_frame");
    let mut load = opened.spawn();
    let (trees, mut built) = tree_worker::<()>();
    let mut events = EventStream::new();
    let mut dirty = false;
    loop {
        if state.quit {
            load.cancel();
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            term.draw(|f| views::draw(f, state, theme))?;
            last_draw = Instant::now();
            dirty = false;
            trace.frame(state);
        }
        let mut batch: Vec<Event> = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(ev) => {
                    let ev = ev?;
                    if ev.is_key_press() {
                        trace.mark("key");
                    }
                    batch.push(Event::Term(ev));
                    // Drain what is already queued: one render for a burst of keys. Polled
                    // with this task's waker (not `now_or_never`'s no-op one): crossterm keeps
                    // the first waker it is given and would never wake us again.
                    while let Ok(Some(ev)) = tokio::time::timeout(Duration::ZERO, events.next()).await {
                        batch.push(Event::Term(ev?));
                    }
                }
                None => return Ok(()),
            },
            Some(ev) = load.events.recv() => {
                batch.push(Event::Load(ev));
                while let Ok(ev) = load.events.try_recv() {
                    batch.push(Event::Load(ev));
                }
            }
            Some(((), a)) = built.recv() => batch.push(a),
            _ = tokio::time::sleep_until((last_draw + FRAME).into()), if dirty => {}
        }
        for a in batch {
            dirty = true;
            for effect in update(state, a) {
                run_effect(term, &trees, (), effect);
            }
            if state.quit {
                break;
            }
        }
    }
}

/// Runs an effect of the app whose trees are tagged `tag` (the compare view runs one app
/// per image on the same worker). Answers come back on the worker's channel.
pub(crate) fn run_effect<T: Send + 'static>(
    term: &mut terminal::Term,
    trees: &TreeRequests<T>,
    tag: T,
    e: Effect,
) {
    match e {
        Effect::BuildTree(job) => {
            // The worker only goes away with the process.
            let _ = trees.jobs.send((tag, job));
        }
        Effect::Copy(text) => {
            let _ = terminal::osc52(term.backend_mut(), &text);
        }
        Effect::WhatIf(analysed) => {
            let done = trees.done.clone();
            let _ = std::thread::Builder::new()
                .name("microscope-whatif".into())
                .spawn(move || {
                    let _ = done.send((tag, Event::WhatIfReady(rewrite_compare(&analysed))));
                });
        }
        Effect::Save {
            path,
            text,
            overwrite,
        } => {
            // A Dockerfile is a few KiB: written here, at once.
            let r = crate::jobs::save::write_text(&path, &text, overwrite).map(|()| path);
            let _ = trees.done.send((tag, Event::Saved(r)));
        }
    }
}

/// The what-if comparison of an image with its rewrite, as the compare view shows it.
pub fn rewrite_compare(
    a: &crate::jobs::background::Analysed,
) -> Result<Box<compare::state::CompareData>, String> {
    let c = crate::jobs::whatif::compare_with_rewrite(a)?;
    Ok(Box::new(compare::state::CompareData::new(c)))
}

/// Where tree builds are asked for, each tagged with the app that asks; and where other
/// background answers (the what-if comparison, a written file) are sent to the loop.
pub(crate) struct TreeRequests<T> {
    jobs: std::sync::mpsc::Sender<(T, TreeJob)>,
    done: UnboundedSender<(T, Event)>,
}

/// Builds trees on a thread of its own. Requests queued behind a newer one are skipped
/// (scrolling through layers asks for each), and reported so the state can ask again. The
/// tag says which app asked and comes back with the answer.
pub(crate) fn tree_worker<T: Send + 'static>() -> (TreeRequests<T>, UnboundedReceiver<(T, Event)>) {
    let (req_tx, req_rx) = std::sync::mpsc::channel::<(T, TreeJob)>();
    let (tx, rx): (UnboundedSender<(T, Event)>, _) = unbounded_channel();
    let done = tx.clone();
    let _ = std::thread::Builder::new()
        .name("microscope-tree".into())
        .spawn(move || {
            while let Ok(mut job) = req_rx.recv() {
                while let Ok(newer) = req_rx.try_recv() {
                    let (tag, old) = std::mem::replace(&mut job, newer);
                    if tx.send((tag, Event::TreeSkipped(old.mode))).is_err() {
                        return;
                    }
                }
                let (tag, job) = job;
                let msg = match job.run() {
                    Some(t) => Event::TreeBuilt(Box::new(t)),
                    None => Event::TreeSkipped(job.mode),
                };
                if tx.send((tag, msg)).is_err() {
                    return;
                }
            }
        });
    (TreeRequests { jobs: req_tx, done }, rx)
}
