//! Source → scans → image: every layer read once, in parallel where the source allows,
//! checked against the digests the manifest and config promise, and cached by digest.

use super::checks::{cache_key, check_blob, guard, guarded_key, trusted, verify};
pub use crate::cache::ScanCache;
use crate::image::{Image, LayerScan};
use crate::scan::{ScanContext, ScanError, scan_layer};
use crate::source::{ImageSource, LAYER_BY_CONTENT, LayerReader};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Threads that read and decode cached scans at most.
const DECODERS: usize = 4;

/// What the loader reports while it works.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Compressed bytes of a layer read so far (total when the manifest gives it).
    Bytes {
        layer: usize,
        read: u64,
        total: Option<u64>,
    },
    /// A layer is scanned (or came from the cache).
    LayerDone {
        layer: usize,
        scan: Arc<LayerScan>,
        cached: bool,
    },
}

#[derive(Default)]
pub struct LoadOptions<'a> {
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
    pub cache: Option<&'a dyn ScanCache>,
    /// A cached scan is used only once this image's own blob is read and found to hash to
    /// the key it was found by (compare's second image: a scan of the first image's layer
    /// must not stand for a corrupt blob of the second).
    pub verify_reuse: bool,
    /// `--no-verify`: hash neither blobs nor tars; digests are taken from the manifest and
    /// config as they are, the image says so, and nothing is written to the scan cache
    /// (an unchecked scan must not stand for a digest later, verified runs).
    pub skip_digests: bool,
}

/// Scans every layer of the source's image and builds the model.
pub fn load_image(source: &dyn ImageSource, opts: &LoadOptions<'_>) -> Result<Image, crate::Error> {
    let mut loader = Loader::new(source, opts);
    let wanted = loader.take_cached();
    let by_content = Mutex::new(wanted.clone());
    source.for_each_layer(&wanted, &|i, reader| {
        if i == LAYER_BY_CONTENT {
            let store = |i, scan, cached| loader.store(i, scan, cached);
            let keyed = (loader.opts, loader.keys.as_slice());
            return scan_by_content(loader.meta, reader, &by_content, keyed, &store);
        }
        loader.scan(i, reader)
    })?;
    loader.finish()
}

/// One image's load: what the cache already had, then each layer the source streams.
struct Loader<'a> {
    source: &'a dyn ImageSource,
    meta: &'a crate::image::ImageMeta,
    opts: &'a LoadOptions<'a>,
    /// Taken before any byte is read: a file edited while it is read no longer matches the
    /// key its scan is stored under.
    keys: Vec<Option<String>>,
    /// Cached scans that stand only once this image's own blob is read and checked.
    reuse: HashMap<usize, Arc<LayerScan>>,
    slots: Mutex<Vec<Option<Arc<LayerScan>>>>,
}

impl<'a> Loader<'a> {
    fn new(source: &'a dyn ImageSource, opts: &'a LoadOptions<'a>) -> Self {
        let meta = source.meta();
        let n = meta.layers.len();
        Loader {
            source,
            meta,
            opts,
            keys: (0..n).map(|i| guarded_key(source, meta, i)).collect(),
            reuse: HashMap::new(),
            slots: Mutex::new(vec![None; n]),
        }
    }

    fn store(&self, i: usize, scan: Arc<LayerScan>, cached: bool) {
        if let Some(p) = self.opts.progress {
            p(Progress::LayerDone {
                layer: i,
                scan: scan.clone(),
                cached,
            });
        }
        self.slots.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(scan);
    }

    /// A scan of the same blob in another file (compare's first image) may stand for this
    /// one only when its blob is read and checked again (`verify_reuse`): a one-run cache
    /// also keeps it under the bare digest, which only such a checked load looks up.
    fn bare(&self, i: usize) -> Option<String> {
        let key = cache_key(self.meta.layers.get(i)?)?;
        (self.keys[i].as_deref() != Some(key.as_str())).then_some(key)
    }

    /// Stores the layers the cache already has; the rest are returned, to be read.
    fn take_cached(&mut self) -> Vec<usize> {
        let opts = self.opts;
        let mut wanted = Vec::new();
        let hits = match opts.cache {
            Some(cache) => cached_scans(self.keys.len(), &|i| self.lookup(cache, i)),
            None => Vec::new(),
        };
        let mut hits = hits.into_iter();
        for i in 0..self.keys.len() {
            match hits.next().flatten() {
                Some(scan) if opts.verify_reuse => {
                    self.reuse.insert(i, Arc::new(scan));
                    wanted.push(i);
                }
                Some(scan) => self.store(i, Arc::new(scan), true),
                None => wanted.push(i),
            }
        }
        // Biggest first: with a few workers, the longest layer then overlaps the rest instead
        // of starting last (sources that stream in their own order ignore this).
        wanted.sort_by_key(|&i| std::cmp::Reverse(self.meta.layers[i].size.unwrap_or(0)));
        wanted
    }

    /// Layer `i`'s scan in the cache: under its key, or for a load that checks its blobs
    /// again, under the bare digest of a scan another file's load left.
    fn lookup(&self, cache: &dyn ScanCache, i: usize) -> Option<LayerScan> {
        self.keys[i]
            .as_ref()
            .and_then(|k| cache.get(k))
            .or_else(|| {
                self.opts
                    .verify_reuse
                    .then(|| self.bare(i))
                    .flatten()
                    .and_then(|k| cache.get(&k))
            })
    }

    /// Layer `i` as the source streamed it: a reused scan once its blob checks out, else
    /// a fresh scan, cached unless unverified.
    fn scan(&self, i: usize, reader: LayerReader<'_>) -> Result<(), crate::Error> {
        // A source hands back indices from `wanted`; one that does not is a bug in it, and
        // an error names the layer rather than panicking the loader.
        let desc = self.meta.layers.get(i).ok_or_else(|| {
            crate::source::SourceError::MissingBlob(format!(
                "layer {i} (the source streamed a layer the image does not list)"
            ))
        })?;
        let source_verifies = self.source.verifies_blob_digests();
        let reader = guard(reader, desc, source_verifies || self.opts.skip_digests)?;
        if let Some(scan) = self.reuse.get(&i) {
            check_blob(i, reader, desc, source_verifies)?;
            self.store(i, scan.clone(), true);
            return Ok(());
        }
        let scan = Arc::new(self.scan_checked(i, desc, reader)?);
        let opts = self.opts;
        if let (Some(cache), Some(key), false) = (opts.cache, &self.keys[i], opts.skip_digests) {
            cache.put(key, &scan);
            if let Some(b) = self.bare(i) {
                cache.put_shared(&b, &scan);
            }
        }
        self.store(i, scan, false);
        Ok(())
    }

    /// Scans the stream and holds it to the digests and size its descriptor promises.
    fn scan_checked(
        &self,
        i: usize,
        desc: &crate::image::LayerDesc,
        reader: LayerReader<'_>,
    ) -> Result<LayerScan, crate::Error> {
        let opts = self.opts;
        let progress = |read: u64| {
            if let Some(p) = opts.progress {
                p(Progress::Bytes {
                    layer: i,
                    read,
                    total: desc.size,
                });
            }
        };
        let ctx = ScanContext {
            progress: Some(&progress),
            cancel: opts.cancel,
            digest_checked_by_source: desc
                .digest
                .as_deref()
                .filter(|d| self.source.verifies_blob_digests() && d.starts_with("sha256:")),
            skip_digests: opts.skip_digests,
        };
        let scan = scan_layer(reader, &ctx).map_err(|e| match e {
            ScanError::Cancelled => crate::Error::Cancelled,
            source => crate::Error::Scan {
                layer: i,
                digest: desc
                    .digest
                    .clone()
                    .or(desc.diff_id.clone())
                    .unwrap_or_else(|| desc.locator.clone()),
                source,
            },
        })?;
        if opts.skip_digests {
            trusted(i, desc, scan)
        } else {
            verify(i, desc, &scan)?;
            Ok(scan)
        }
    }

    /// The model, once every layer has its scan.
    fn finish(self) -> Result<Image, crate::Error> {
        let scans = self
            .slots
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                s.ok_or_else(|| {
                    crate::Error::Source(crate::source::SourceError::MissingBlob(format!(
                        "layer {i}"
                    )))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut image = Image::new(self.meta.clone(), scans);
        image.digests_verified = !self.opts.skip_digests;
        Ok(image)
    }
}

/// `lookup` of layers `0..n`, in order, on up to [`DECODERS`] threads: reading, checking
/// and decoding large-latest's 13 cached scans was a third of a warm run's CPU, all of it
/// before the first analysis could start.
fn cached_scans(
    n: usize,
    lookup: &(dyn Fn(usize) -> Option<LayerScan> + Sync),
) -> Vec<Option<LayerScan>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(DECODERS)
        .min(n);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, lookup(i)));
        }
    };
    let mut found: Vec<Option<LayerScan>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        // This thread is one of the workers; a helper that cannot be had is one fewer.
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, work).ok())
            .collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().unwrap_or_default());
        }
        for (i, scan) in done {
            found[i] = scan;
        }
    });
    found
}

/// A stream the source could not name (a legacy `docker save` stream names layers by v1 id):
/// scan it, then fill every wanted layer whose diff_id it turns out to have. A stream that
/// matches none of them (a layer already cached, or one the image does not list) is dropped.
fn scan_by_content(
    meta: &crate::image::ImageMeta,
    reader: LayerReader<'_>,
    pending: &Mutex<Vec<usize>>,
    (opts, keys): (&LoadOptions<'_>, &[Option<String>]),
    store: &(dyn Fn(usize, Arc<LayerScan>, bool) + Sync),
) -> Result<(), crate::Error> {
    // A stream named by nothing but its content is matched by its diff_id, so it is hashed
    // even under `--no-verify`.
    let ctx = ScanContext {
        progress: None,
        cancel: opts.cancel,
        ..ScanContext::default()
    };
    let scan = scan_layer(reader, &ctx).map_err(|e| match e {
        ScanError::Cancelled => crate::Error::Cancelled,
        e => crate::Error::Source(crate::source::SourceError::CorruptBecause {
            what: "a layer of the stream cannot be read".into(),
            source: e.into(),
        }),
    })?;
    let matched: Vec<usize> = {
        let mut pending = pending.lock().unwrap_or_else(|p| p.into_inner());
        let (hit, rest): (Vec<usize>, Vec<usize>) = pending
            .iter()
            .partition(|&&i| meta.layers[i].diff_id.as_deref() == Some(scan.diff_id.as_str()));
        *pending = rest;
        hit
    };
    let Some(&first) = matched.first() else {
        return Ok(());
    };
    let scan = Arc::new(scan);
    if let (Some(cache), Some(key)) = (opts.cache, &keys[first]) {
        cache.put(key, &scan);
    }
    for i in matched {
        store(i, scan.clone(), false);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scans looked up on several threads come back in layer order, misses where they were.
    #[test]
    fn cached_scans_keep_their_layers_order() {
        let lookup = |i: usize| {
            (i % 3 != 1).then(|| LayerScan {
                digest: format!("layer {i}"),
                ..Default::default()
            })
        };
        let found = cached_scans(20, &lookup);
        assert_eq!(found.len(), 20);
        for (i, scan) in found.iter().enumerate() {
            assert_eq!(
                scan.as_ref().map(|s| s.digest.clone()),
                lookup(i).map(|s| s.digest)
            );
        }
        assert!(cached_scans(0, &lookup).is_empty());
    }
}
