//! Two opened images for the compare app: the one door through which the UI starts a
//! comparison, so it never holds a source or the cache itself.

use super::compare::{Compared, PairOptions, Which, load_and_compare};
use super::load::{Progress, ScanCache};
use crate::cache::Cache;
use crate::image::ImageMeta;
use crate::source::ImageSource;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Both sides of a comparison, opened, and the scan cache they share (shared layers are
/// scanned once).
pub struct OpenedPair {
    pub left: Box<dyn ImageSource>,
    pub right: Box<dyn ImageSource>,
    pub cache: Option<Arc<Cache>>,
}

/// What a comparison running in the background reports.
pub enum PairEvent {
    Progress(Which, Progress),
    Done(Box<Compared>),
    /// The whole cause chain, on one line.
    Failed(String),
}

/// A comparison running on its own thread. Dropping the handle cancels it at the next
/// layer boundary.
pub struct PairHandle {
    cancel: Arc<AtomicBool>,
}

impl Drop for PairHandle {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl OpenedPair {
    /// What is known of each image before it is read.
    pub fn metas(&self) -> (&ImageMeta, &ImageMeta) {
        (self.left.meta(), self.right.meta())
    }

    /// Loads, analyses and compares on a thread of its own; `on_event` runs on that thread
    /// for each progress step and once with the result (so the caller can prepare its view
    /// of the result there too). Fails only when the thread cannot be started.
    pub fn spawn(
        self,
        on_event: impl Fn(PairEvent) + Send + Sync + 'static,
    ) -> std::io::Result<PairHandle> {
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        std::thread::Builder::new()
            .name("microscope-compare".into())
            .spawn(move || {
                let progress = |which: Which, p| on_event(PairEvent::Progress(which, p));
                let opts = PairOptions {
                    progress: Some(&progress),
                    cancel: Some(&flag),
                    cache: self.cache.as_deref().map(|c| c as &dyn ScanCache),
                };
                let event = match load_and_compare(&*self.left, &*self.right, &opts) {
                    Ok(c) => PairEvent::Done(Box::new(c)),
                    Err(e) => PairEvent::Failed(crate::error::one_line(&e)),
                };
                on_event(event);
            })?;
        Ok(PairHandle { cancel })
    }

    /// Loads, analyses and compares here and now (tests, scripts), with every progress
    /// step given to `progress` in order.
    pub fn compare_now(
        &self,
        progress: &(dyn Fn(Which, Progress) + Sync),
    ) -> Result<Compared, crate::Error> {
        let opts = PairOptions {
            progress: Some(progress),
            cancel: None,
            cache: self.cache.as_deref().map(|c| c as &dyn ScanCache),
        };
        load_and_compare(&*self.left, &*self.right, &opts)
    }
}
