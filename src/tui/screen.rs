//! The one event loop of every screen (the app, the compare view, the tour). One tokio task
//! waits on three streams: terminal events, the screen's loader messages and the tree
//! worker's answers; each batch is drained and folded into the screen, and the screen is
//! redrawn at most once per frame (16 ms), so a flood of progress never blocks keys (yazi's
//! batched render). What differs between screens is the [`Screen`] trait: its event type,
//! how it changes and what it asks the runtime to do, and how it draws.

use super::event::Event as AppEvent;
use super::terminal::Term;
use super::theme::Theme;
use super::{TreeRequests, tree_worker};
use anyhow::Result;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// At most one render per frame.
const FRAME: Duration = Duration::from_millis(16);

/// What the loop needs to run the effects a screen asks for: the terminal (the clipboard)
/// and the tree worker, whose answers come back tagged.
pub struct Runtime<'a, T> {
    pub term: &'a mut Term,
    pub trees: &'a TreeRequests<T>,
}

/// A screen's state, as the loop drives it. `update` is the screen's own pure update plus
/// running the effects it returns on the runtime.
pub trait Screen {
    /// What changes the screen.
    type Event;
    /// A loader's message.
    type Msg;
    /// Which of the screen's apps a tree is built for (`()` for the app alone).
    type Tag: Clone + Send + 'static;

    fn term(ev: TermEvent) -> Self::Event;
    fn msg(m: Self::Msg) -> Self::Event;
    /// A tree built (or an answer from a background job) for the app tagged `tag`.
    fn built(tag: Self::Tag, e: AppEvent) -> Self::Event;
    fn resize(&mut self, area: Rect);
    fn update(&mut self, ev: Self::Event, rt: &mut Runtime<'_, Self::Tag>);
    fn draw(&self, frame: &mut Frame, theme: &Theme);
    fn quit(&self) -> bool;
    /// After each frame drawn (the app's frame trace).
    fn drawn(&mut self) {}
    /// A key arrived (the app's frame trace).
    fn key(&mut self) {}
}

/// Runs `screen` until it quits or the terminal's events end.
pub async fn run<S: Screen>(
    term: &mut Term,
    screen: &mut S,
    theme: &Theme,
    mut msgs: UnboundedReceiver<S::Msg>,
) -> Result<()> {
    let size = term.size()?;
    screen.resize(Rect::new(0, 0, size.width, size.height));
    // The first frame before any work shows: what the screen knows already.
    term.draw(|f| screen.draw(f, theme))?;
    screen.drawn();
    let mut last_draw = Instant::now();
    let (trees, mut built) = tree_worker::<S::Tag>()?;
    let mut events = EventStream::new();
    let mut dirty = false;
    loop {
        if screen.quit() {
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            term.draw(|f| screen.draw(f, theme))?;
            last_draw = Instant::now();
            dirty = false;
            screen.drawn();
        }
        let mut batch: Vec<S::Event> = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(ev) => {
                    let ev = ev?;
                    if ev.is_key_press() {
                        screen.key();
                    }
                    batch.push(S::term(ev));
                    // Drain what is already queued: one render for a burst of keys. Polled
                    // with this task's waker (not `now_or_never`'s no-op one): crossterm keeps
                    // the first waker it is given and would never wake us again.
                    while let Ok(Some(ev)) = tokio::time::timeout(Duration::ZERO, events.next()).await {
                        batch.push(S::term(ev?));
                    }
                }
                None => return Ok(()),
            },
            Some(m) = msgs.recv() => {
                batch.push(S::msg(m));
                while let Ok(m) = msgs.try_recv() {
                    batch.push(S::msg(m));
                }
            }
            Some((tag, a)) = built.recv() => batch.push(S::built(tag, a)),
            _ = tokio::time::sleep_until((last_draw + FRAME).into()), if dirty => {}
        }
        let mut rt = Runtime {
            term: &mut *term,
            trees: &trees,
        };
        for ev in batch {
            dirty = true;
            screen.update(ev, &mut rt);
            if screen.quit() {
                break;
            }
        }
    }
}
