//! One way to open an image for loading, shared by the command line and the interactive
//! app: the source, and the scan cache its load reads and fills. Deciding the cache here,
//! once, is what keeps the app from scanning a live image afresh that the command line
//! would have found cached (and the other way round).

use super::load::{LoadOptions, Progress, ScanCache, load_image};
use crate::cache::Cache;
use crate::image::{Image, ImageMeta};
use crate::reference::ImageRef;
use crate::source::{self, ImageSource, SourceOptions};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// An opened image, ready to load.
pub struct Opened {
    pub source: Box<dyn ImageSource>,
    /// Layer scans by digest. Only for live sources (engines, registries): there a layer
    /// costs a download, and its digest names it for good; an archive is read from disk.
    pub cache: Option<Arc<Cache>>,
}

impl Opened {
    /// Opens what `reference` names, telling `note` where a bare name was found.
    pub fn open(
        reference: &ImageRef,
        opts: &SourceOptions,
        note: &mut dyn FnMut(String),
    ) -> Result<Opened, crate::Error> {
        let source = source::open_reporting(reference, opts, note)?;
        let cache = opts.cache.clone().filter(|_| reference.is_live());
        Ok(Opened { source, cache })
    }

    /// A source that has no cache (demo images, tests).
    pub fn uncached(source: Box<dyn ImageSource>) -> Opened {
        Opened {
            source,
            cache: None,
        }
    }

    /// What is known of the image before it is read.
    pub fn meta(&self) -> &ImageMeta {
        self.source.meta()
    }

    /// Loads here and now (the command line).
    pub fn load(
        &self,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
        cancel: Option<&AtomicBool>,
    ) -> Result<Image, crate::Error> {
        let opts = LoadOptions {
            progress,
            cancel,
            cache: self.cache.as_deref().map(|c| c as &dyn ScanCache),
            verify_reuse: false,
        };
        load_image(&*self.source, &opts)
    }
}
