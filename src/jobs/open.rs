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
    /// Layer scans: by digest for live sources (engines, registries), by digest and file
    /// identity for local layouts and archives (see [`crate::source::CacheGuard`]).
    pub cache: Option<Arc<Cache>>,
    /// False under `--no-verify` (or `verify = false` in the config): layers are not hashed.
    pub verify: bool,
}

impl Opened {
    /// Opens what `reference` names, telling `note` where a bare name was found.
    pub fn open(
        reference: &ImageRef,
        opts: &SourceOptions,
        note: &mut dyn FnMut(String),
    ) -> Result<Opened, crate::Error> {
        let source = source::open_reporting(reference, opts, note)?;
        let cache = opts.cache.clone();
        Ok(Opened {
            source,
            cache,
            verify: !opts.no_verify,
        })
    }

    /// A source that has no cache (demo images, tests).
    pub fn uncached(source: Box<dyn ImageSource>) -> Opened {
        Opened {
            source,
            cache: None,
            verify: true,
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
            skip_digests: !self.verify,
        };
        load_image(&*self.source, &opts)
    }
}
