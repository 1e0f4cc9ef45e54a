//! The compare app: two images side by side. Loading, analysing and diffing run on a
//! thread of their own (shared layers scanned once); the loop folds its messages and the
//! terminal's events into the state and redraws at most once per frame, like the
//! single-image app.

pub mod data;
#[cfg(feature = "test-support")]
pub mod harness;
pub mod help;
pub mod layout;
mod search;
pub mod sides;
pub mod state;
pub mod tree;
pub mod update;

use crate::image::ImageMeta;
use crate::jobs::compare::Which;
use crate::jobs::pair::{OpenedPair, PairEvent};
use crate::tui::{config, terminal, theme::Theme, views};
use anyhow::{Context, Result};
use crossterm::event::EventStream;
use futures_util::StreamExt;
use ratatui::layout::Rect;
use state::{CompareData, CompareState, Event, Msg, SideLoad};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use update::update;

const FRAME: Duration = Duration::from_millis(16);

/// What the view knows of an image before it is read: its name and layer count.
pub fn side(meta: &ImageMeta) -> SideLoad {
    SideLoad {
        reference: meta.reference.clone(),
        layers: meta.layers.len(),
        done: 0,
    }
}

/// Opens the compare view on two images and returns when the user quits; the pair's cache
/// holds scans across runs (the on-disk cache, for live images).
pub fn run(pair: OpenedPair) -> Result<()> {
    let keymap = config::load()?.keymap().context("config [keys]")?;
    let (left, right) = pair.metas();
    let mut state = CompareState::new(side(left), side(right), keymap);
    let theme = Theme::from_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let mut term = terminal::enter()?;
    let (tx, msgs) = unbounded_channel();
    // The view of a result is prepared on the loader's thread, off the UI thread.
    let spawned = pair.spawn(move |event| {
        let _ = tx.send(match event {
            PairEvent::Progress(which, p) => Msg::Progress(which, p),
            PairEvent::Done(c) => Msg::Done(Box::new(CompareData::new(*c))),
            PairEvent::Failed(why) => Msg::Failed(why),
        });
    });
    let result = match spawned {
        Ok(_loading) => rt.block_on(event_loop(&mut term, &mut state, &theme, msgs)),
        Err(e) => Err(anyhow::Error::new(e).context("cannot start the loader")),
    };
    terminal::restore();
    rt.shutdown_background();
    result
}

async fn event_loop(
    term: &mut terminal::Term,
    state: &mut CompareState,
    theme: &Theme,
    mut msgs: UnboundedReceiver<Msg>,
) -> Result<()> {
    let size = term.size()?;
    state.screen = Rect::new(0, 0, size.width, size.height);
    term.draw(|f| views::compare::draw(f, state, theme))?;
    let mut last_draw = Instant::now();
    let mut events = EventStream::new();
    // Trees for the single-image app of an opened side, tagged with the side.
    let (trees, mut built) = crate::tui::tree_worker::<Which>();
    let mut dirty = false;
    loop {
        if state.quit {
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            term.draw(|f| views::compare::draw(f, state, theme))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let mut batch: Vec<Event> = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(ev) => {
                    batch.push(Event::Term(ev?));
                    // See the single-image loop: polled with this task's waker.
                    while let Ok(Some(ev)) = tokio::time::timeout(Duration::ZERO, events.next()).await {
                        batch.push(Event::Term(ev?));
                    }
                }
                None => return Ok(()),
            },
            Some((which, a)) = built.recv() => batch.push(Event::Side(which, a)),
            Some(m) = msgs.recv() => {
                batch.push(Event::Load(m));
                while let Ok(m) = msgs.try_recv() {
                    batch.push(Event::Load(m));
                }
            }
            _ = tokio::time::sleep_until((last_draw + FRAME).into()), if dirty => {}
        }
        for a in batch {
            dirty = true;
            for (which, effect) in update(state, a) {
                crate::tui::run_effect(term, &trees, which, effect);
            }
            if state.quit {
                break;
            }
        }
    }
}
