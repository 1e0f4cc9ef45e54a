//! The interactive app. [`screen::run`] is the loop of every screen (this app, the compare
//! view, the tour); here the single-image app is a [`screen::Screen`]. Loading and tree
//! building run on their own threads; quitting sets the loader's cancel flag and returns at
//! once.

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
pub(crate) mod screen;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod tour;
pub mod trace;
pub mod tree;
pub mod update;
pub mod views;
pub mod whatif;
pub mod widgets;

use crate::jobs::Opened;
use anyhow::{Context, Result};
use effect::Effect;
use event::Event;
use ratatui::layout::Rect;
use state::State;
use theme::Theme;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tree::build::TreeJob;
use whatif::WhatIf;

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
    let mut load = opened.spawn();
    let (_, none) = unbounded_channel();
    let msgs = std::mem::replace(&mut load.events, none);
    let mut app = App {
        state: &mut state,
        whatif: WhatIf::default(),
        load,
        trace: trace::Trace::from_env(),
        first: false,
    };
    let result = rt.block_on(screen::run(&mut term, &mut app, &theme, msgs));
    terminal::restore();
    // The loader may still be unwinding a layer; it sees the cancel flag and stops. Don't
    // wait for it: the process exits right after.
    rt.shutdown_background();
    result
}

/// The single-image app as the loop drives it: its state, the what-if comparison beside
/// it, the loader (cancelled on quit) and the frame trace.
struct App<'a> {
    state: &'a mut State,
    whatif: WhatIf,
    load: crate::jobs::background::LoadHandle,
    trace: trace::Trace,
    first: bool,
}

impl screen::Screen for App<'_> {
    type Event = Event;
    type Msg = crate::jobs::background::LoadEvent;
    type Tag = ();

    fn term(ev: crossterm::event::Event) -> Event {
        Event::Term(ev)
    }

    fn msg(m: Self::Msg) -> Event {
        Event::Load(m)
    }

    fn built((): (), e: Event) -> Event {
        e
    }

    fn resize(&mut self, area: Rect) {
        self.state.screen = area;
    }

    fn update(&mut self, ev: Event, rt: &mut screen::Runtime<'_, ()>) {
        for effect in whatif::update(self.state, &mut self.whatif, ev) {
            run_effect(rt.term, rt.trees, (), effect);
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame, theme: &Theme) {
        views::compare::draw_app(frame, self.state, &self.whatif, theme)
    }

    fn quit(&self) -> bool {
        if self.state.quit {
            self.load.cancel();
        }
        self.state.quit
    }

    fn drawn(&mut self) {
        if !self.first {
            self.first = true;
            self.trace.mark("first_frame");
        }
        self.trace.frame(self.state);
    }

    fn key(&mut self) {
        self.trace.mark("key");
    }
}

/// Runs an effect of the app whose trees are tagged `tag` (the compare view runs one app
/// per image on the same worker). Answers come back on the worker's channel.
pub(crate) fn run_effect<T: Clone + Send + 'static>(
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
        // Answered by `whatif::update`, which holds the comparison, before it gets here.
        Effect::ShowWhatIf => {}
        Effect::WhatIf(analysed) => {
            let done = trees.done.clone();
            let (tag_back, done_back) = (tag.clone(), trees.done.clone());
            let spawned = std::thread::Builder::new()
                .name("microscope-whatif".into())
                .spawn(move || {
                    let _ = done.send((tag, Event::WhatIfReady(rewrite_compare(&analysed))));
                });
            // The pane says why instead of waiting for an answer that will never come.
            if let Err(e) = spawned {
                let why = format!("cannot start the comparison's thread: {e}");
                let _ = done_back.send((tag_back, Event::WhatIfReady(Err(why))));
            }
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

/// Where to ask for trees, and where every background answer arrives.
pub(crate) type TreeWorker<T> = (TreeRequests<T>, UnboundedReceiver<(T, Event)>);

/// Builds trees on a thread of its own. Requests queued behind a newer one are skipped
/// (scrolling through layers asks for each), and reported so the state can ask again. The
/// tag says which app asked and comes back with the answer.
pub(crate) fn tree_worker<T: Send + 'static>() -> std::io::Result<TreeWorker<T>> {
    let (req_tx, req_rx) = std::sync::mpsc::channel::<(T, TreeJob)>();
    let (tx, rx): (UnboundedSender<(T, Event)>, _) = unbounded_channel();
    let done = tx.clone();
    std::thread::Builder::new()
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
        })?;
    Ok((TreeRequests { jobs: req_tx, done }, rx))
}
