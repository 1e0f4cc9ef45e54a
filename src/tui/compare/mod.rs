//! The compare app: two images side by side. Loading, analysing and diffing run on a
//! thread of their own (shared layers scanned once); the loop is every screen's
//! ([`crate::tui::screen::run`]).

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
use crate::tui::screen::{self, Runtime, Screen};
use crate::tui::{config, terminal, theme::Theme, views};
use anyhow::{Context, Result};
use ratatui::layout::Rect;
use state::{CompareData, CompareState, Event, Msg, SideLoad};
use tokio::sync::mpsc::unbounded_channel;
use update::update;

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
        Ok(_loading) => rt.block_on(screen::run(
            &mut term,
            &mut Compare(&mut state),
            &theme,
            msgs,
        )),
        Err(e) => Err(anyhow::Error::new(e).context("cannot start the loader")),
    };
    terminal::restore();
    rt.shutdown_background();
    result
}

/// The compare view as the loop drives it.
struct Compare<'a>(&'a mut CompareState);

impl Screen for Compare<'_> {
    type Event = Event;
    type Msg = Msg;
    type Tag = Which;

    fn term(ev: crossterm::event::Event) -> Event {
        Event::Term(ev)
    }

    fn msg(m: Msg) -> Event {
        Event::Load(m)
    }

    fn built(which: Which, e: crate::tui::event::Event) -> Event {
        Event::Side(which, e)
    }

    fn resize(&mut self, area: Rect) {
        self.0.screen = area;
    }

    fn update(&mut self, ev: Event, rt: &mut Runtime<'_, Which>) {
        for (which, effect) in update(self.0, ev) {
            crate::tui::run_effect(rt.term, rt.trees, which, effect);
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame, theme: &Theme) {
        views::compare::draw(frame, self.0, theme)
    }

    fn quit(&self) -> bool {
        self.0.quit
    }
}
