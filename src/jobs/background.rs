//! Loading on a background thread for the interactive app: scan → analyse → report, with
//! progress sent as messages and a cancel flag the front end sets when the user quits.
//! The loader itself stays synchronous (`load_image` runs layers on its own worker threads);
//! this only moves it off the UI thread and turns its callbacks into a channel.

use super::load::Progress;
use super::open::Opened;
use crate::analysis::{self, Analysis};
use crate::image::Image;
use crate::report::Report;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// The image with everything computed from it.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub image: Arc<Image>,
    pub analysis: Arc<Analysis>,
    pub report: Arc<Report>,
}

impl Analysed {
    pub fn new(image: Image) -> Analysed {
        let analysis = analysis::analyze(&image);
        let report = Report::build(&image, &analysis);
        Analysed {
            image: Arc::new(image),
            analysis: Arc::new(analysis),
            report: Arc::new(report),
        }
    }
}

/// Frees `value` on a thread of its own, for a front end that has what it needs from it:
/// freeing large-latest's model and analysis (288k entries) took 15-20 ms of a warm run,
/// on the way to printing the report. A process that exits first skips the work.
pub fn drop_beside<T: Send + 'static>(value: T) {
    // When no thread can be had, `spawn` drops the closure, and the value with it, here.
    let _ = std::thread::Builder::new()
        .name("microscope-free".into())
        .spawn(move || drop(value));
}

#[derive(Debug)]
pub enum LoadEvent {
    Progress(Progress),
    Done(Box<Analysed>),
    /// The whole cause chain, on one line.
    Failed(String),
}

/// A load running in the background. Dropping the handle cancels it.
pub struct LoadHandle {
    pub events: UnboundedReceiver<LoadEvent>,
    cancel: Arc<AtomicBool>,
}

impl LoadHandle {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for LoadHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Starts loading on its own thread, through the opened image's cache. The receiver yields
/// progress as layers scan, then `Done` or `Failed`; a cancelled load ends silently.
pub fn spawn_load(opened: Opened) -> LoadHandle {
    let (tx, events) = unbounded_channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let spawned = std::thread::Builder::new()
        .name("microscope-load".into())
        .spawn(move || run(&opened, &flag, &tx));
    if let Err(e) = spawned {
        // No thread, no load: say so through the channel the UI already watches.
        let (tx, rx) = unbounded_channel();
        let _ = tx.send(LoadEvent::Failed(format!("cannot start the loader: {e}")));
        return LoadHandle { events: rx, cancel };
    }
    LoadHandle { events, cancel }
}

impl Opened {
    /// Loads on a background thread (the app), through the same cache.
    pub fn spawn(self) -> LoadHandle {
        spawn_load(self)
    }
}

fn run(opened: &Opened, cancel: &AtomicBool, tx: &UnboundedSender<LoadEvent>) {
    let progress = |p: Progress| {
        // A closed channel means the UI is gone; the cancel flag stops the scan.
        let _ = tx.send(LoadEvent::Progress(p));
    };
    let event = match opened.load(Some(&progress), Some(cancel)) {
        Ok(image) if !cancel.load(Ordering::Relaxed) => {
            LoadEvent::Done(Box::new(Analysed::new(image)))
        }
        Ok(_) | Err(crate::Error::Cancelled) => return,
        Err(e) => LoadEvent::Failed(crate::error::one_line(&e)),
    };
    let _ = tx.send(event);
}
