//! Loads the two images of a comparison so that a layer both hold is scanned once: the
//! second load finds the first one's scans in a shared in-memory cache, by blob digest or,
//! across formats (a gzip OCI blob and the same tar in a `docker save`), by diff_id.

use super::load::{LoadOptions, Progress, ScanCache, load_image};
use crate::analysis::compare::{Comparison, Side, compare};
use crate::analysis::{Analysis, analyze};
use crate::image::{Image, LayerDesc, LayerScan};
use crate::report::Report;
use crate::report::compare::CompareReport;
use crate::source::ImageSource;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Which image of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Left,
    Right,
}

impl Which {
    /// 0 for left, 1 for right: an index into per-side pairs.
    pub fn index(self) -> usize {
        usize::from(self == Which::Right)
    }

    pub fn name(self) -> &'static str {
        match self {
            Which::Left => "left",
            Which::Right => "right",
        }
    }
}

/// Scans kept for the length of one comparison, in front of an optional longer-lived cache
/// (the on-disk one).
#[derive(Default)]
pub struct SharedScans<'a> {
    inner: Option<&'a dyn ScanCache>,
    /// By the key load_image asked for (blob digest, else diff_id).
    by_key: Mutex<HashMap<String, Arc<LayerScan>>>,
    /// diff_id → a key of `by_key`.
    by_diff_id: Mutex<HashMap<String, String>>,
    reused: AtomicUsize,
}

impl<'a> SharedScans<'a> {
    pub fn new(inner: Option<&'a dyn ScanCache>) -> Self {
        SharedScans {
            inner,
            ..SharedScans::default()
        }
    }

    /// Layers served from this comparison's own scans.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    fn lookup(&self, key: &str) -> Option<LayerScan> {
        let by_key = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = by_key.get(key) {
            return Some((**s).clone());
        }
        // load_image asks by diff_id only when the blob has no digest of its own (a legacy
        // `docker save` layer.tar) or when its digest is the diff_id (an uncompressed blob):
        // either way the blob is the plain tar, so a scan of the same tar under another
        // compression is this layer's scan once its blob facts say "plain tar".
        let by_diff_id = self.by_diff_id.lock().unwrap_or_else(|p| p.into_inner());
        let scan = by_key.get(by_diff_id.get(key)?)?;
        let mut scan = (**scan).clone();
        scan.digest = key.to_string();
        scan.compression = crate::image::Compression::Plain;
        scan.compressed_bytes = scan.uncompressed_bytes;
        Some(scan)
    }
}

impl ScanCache for SharedScans<'_> {
    fn get(&self, key: &str) -> Option<LayerScan> {
        if let Some(scan) = self.lookup(key) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Some(scan);
        }
        let scan = self.inner?.get(key)?;
        self.remember(key, Arc::new(scan.clone()));
        Some(scan)
    }

    fn put(&self, key: &str, scan: &Arc<LayerScan>) {
        self.remember(key, scan.clone());
        if let Some(inner) = self.inner {
            inner.put(key, scan);
        }
    }

    fn put_shared(&self, key: &str, scan: &Arc<LayerScan>) {
        self.remember(key, scan.clone());
    }
}

impl SharedScans<'_> {
    fn remember(&self, key: &str, scan: Arc<LayerScan>) {
        let diff_id = scan.diff_id.clone();
        self.by_key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), scan);
        self.by_diff_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(diff_id)
            .or_insert_with(|| key.to_string());
    }
}

/// What [`load_pair`] takes: like [`LoadOptions`], with progress saying which side.
#[derive(Default)]
pub struct PairOptions<'a> {
    pub progress: Option<&'a (dyn Fn(Which, Progress) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
    pub cache: Option<&'a dyn ScanCache>,
}

/// The loaded pair and how much scanning the sharing saved.
pub struct Pair {
    pub left: Image,
    pub right: Image,
    /// Layers scanned from their blobs (cache misses), over both images.
    pub scanned: usize,
    /// Layers of the second image served by a scan of the first.
    pub reused: usize,
}

/// Loads both images, one after the other so the second finds the first one's scans.
pub fn load_pair(
    left: &dyn ImageSource,
    right: &dyn ImageSource,
    opts: &PairOptions<'_>,
) -> Result<Pair, crate::Error> {
    let shared = SharedScans::new(opts.cache);
    let scanned = AtomicUsize::new(0);
    let load = |which: Which, src: &dyn ImageSource, second: bool| {
        let progress = |p: Progress| {
            if let Progress::LayerDone { cached: false, .. } = p {
                scanned.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(f) = opts.progress {
                f(which, p);
            }
        };
        let lo = LoadOptions {
            progress: Some(&progress),
            cancel: opts.cancel,
            cache: Some(&shared),
            verify_reuse: second,
            skip_digests: false,
        };
        load_image(src, &lo).map_err(|e| match e {
            crate::Error::Cancelled => e,
            e => crate::Error::Side {
                side: which.name(),
                reference: src.meta().reference.clone(),
                source: Box::new(e),
            },
        })
    };
    let (left, right) = if scan_right_first(left, right) {
        let r = load(Which::Right, right, false)?;
        (load(Which::Left, left, true)?, r)
    } else {
        let l = load(Which::Left, left, false)?;
        (l, load(Which::Right, right, true)?)
    };
    Ok(Pair {
        left,
        right,
        scanned: scanned.into_inner(),
        reused: shared.reused(),
    })
}

/// A shared layer's scan can be reused across formats only from its compressed blob to the
/// plain tar (see [`SharedScans::lookup`]), so when only the right side stores shared layers
/// compressed, it goes first.
fn scan_right_first(left: &dyn ImageSource, right: &dyn ImageSource) -> bool {
    let compressed_shared = |a: &dyn ImageSource, b: &dyn ImageSource| {
        let other: Vec<&str> = b
            .meta()
            .layers
            .iter()
            .filter_map(|l| l.diff_id.as_deref())
            .collect();
        a.meta()
            .layers
            .iter()
            .filter(|l| l.diff_id.as_deref().is_some_and(|d| other.contains(&d)))
            .any(is_compressed)
    };
    compressed_shared(right, left) && !compressed_shared(left, right)
}

fn is_compressed(l: &LayerDesc) -> bool {
    l.digest.is_some() && l.digest != l.diff_id
}

/// A loaded, analysed and compared pair: what every front end of `compare` starts from.
pub struct Compared {
    pub pair: Pair,
    pub left: Analysis,
    pub right: Analysis,
    pub comparison: Comparison,
}

impl Compared {
    /// The `{left, right, diff}` report.
    pub fn report(&self) -> CompareReport {
        CompareReport::build(
            Report::build(&self.pair.left, &self.left),
            Report::build(&self.pair.right, &self.right),
            &self.comparison,
        )
    }
}

/// Loads both images (shared layers scanned once), analyses each, and compares them.
pub fn load_and_compare(
    left: &dyn ImageSource,
    right: &dyn ImageSource,
    opts: &PairOptions<'_>,
) -> Result<Compared, crate::Error> {
    let pair = load_pair(left, right, opts)?;
    let (la, ra) = (analyze(&pair.left), analyze(&pair.right));
    let comparison = compare(Side::new(&pair.left, &la), Side::new(&pair.right, &ra));
    Ok(Compared {
        pair,
        left: la,
        right: ra,
        comparison,
    })
}
