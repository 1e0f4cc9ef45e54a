//! A rebuild that added a layer, or changed the top one: the package analysis of the image
//! below the top layer is kept in the cache, and taken over when the top layer provably
//! leaves it as it was (`analysis::packages::prefix` says when), so such a run does not
//! redo the package analysis, the longest step of a warm run's critical path.
//!
//! The key names what the analysis was made from: this binary (version and executable
//! identity, as for a kept report) and each layer's verified digest and diff_id, in order.
//! A scan is a function of its layer's bytes, so equal digests mean equal scans; under
//! `--no-verify` the digests are only what the manifest says, and nothing is kept or
//! reused.

use super::open::Opened;
use super::warm::binary_identity;
use crate::analysis::{self, Reusing, packages::Snapshot};
use crate::image::Image;
use crate::report::Report;

impl Opened {
    /// The report of a loaded image, its package analysis reused from the image below its
    /// top layer where that is sound, and kept for the image that will have one more.
    pub fn report(&self, image: Image, opts: &analysis::rewrite::Options) -> Report {
        let cache = self
            .cache
            .as_ref()
            .filter(|_| self.verify && image.digests_verified);
        let n = image.layers.len();
        let this = cache.and_then(|_| packages_key(&image, n));
        let below = match (cache, n) {
            (Some(cache), 2..) => packages_key(&image, n - 1).and_then(|k| cache.get_kept(&k)),
            _ => None,
        };
        // The report reads owners by node only; the snapshot kept below drops them anyway.
        let reusing = Reusing {
            below,
            keep: this.is_some(),
            no_owners_by_path: true,
        };
        let (mut analysis, kept) = analysis::analyze_reusing(&image, opts, reusing);
        let report = Report::build(&image, &analysis);
        if let (Some(cache), Some(key), Some(kept)) = (cache, this, kept) {
            let mut packages = std::mem::take(&mut analysis.packages);
            let reuse = kept.this;
            cache.put_kept_later(&key, move || Snapshot::new(&mut packages, reuse));
            if let (Some(snap), Some(key)) = (kept.below, packages_key(&image, n - 1)) {
                cache.put_kept_later(&key, move || Some(snap));
            }
        }
        super::background::drop_beside((image, analysis));
        report
    }
}

/// The key of the package analysis of the image's first `layers` layers.
pub(crate) fn packages_key(image: &Image, layers: usize) -> Option<String> {
    let mut text = format!(
        "microscope packages\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        binary_identity()?
    );
    for layer in image.layers.get(..layers)? {
        let scan = &layer.scan;
        text.push_str(&format!("{} {}\n", scan.digest, scan.diff_id));
    }
    Some(crate::source::config::sha256(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Cache, DEFAULT_LIMIT};
    use crate::demo::builder::{ImageBuilder, LayerBuilder};
    use std::sync::Arc;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn opened(image: ImageBuilder, cache: &Arc<Cache>) -> Result<Opened, crate::Error> {
        let mut opened = Opened::uncached(crate::demo::source_of("demo:t", image)?);
        opened.cache = Some(cache.clone());
        Ok(opened)
    }

    fn with_layer(image: ImageBuilder, name: &str) -> ImageBuilder {
        image.layer(LayerBuilder::new("COPY rebuild /").file(name, b"rebuild\n"))
    }

    /// The demo image, then the same with one more layer: the first keeps its package
    /// analysis under the key the second looks up, and the second's report is the report
    /// made from scratch. A different layer below is another key; `--no-verify` keeps none.
    #[test]
    fn a_layer_more_finds_the_kept_analysis_and_reports_the_same() -> TestResult {
        let dir = tempfile::tempdir()?;
        let cache = Arc::new(Cache::open(dir.path(), DEFAULT_LIMIT));
        let opts = analysis::rewrite::Options::default();
        let base = opened(crate::demo::fat(), &cache)?;
        let image = base.load(None, None)?;
        let n = image.layers.len();
        let key = packages_key(&image, n).ok_or("a key")?;
        base.report(image, &opts);
        cache.prune(DEFAULT_LIMIT)?; // waits for the cache's writes
        assert!(cache.get_kept::<Snapshot>(&key).is_some(), "kept");

        let more = opened(with_layer(crate::demo::fat(), "x"), &cache)?.load(None, None)?;
        assert_eq!(packages_key(&more, n).as_ref(), Some(&key));
        let reused = opened(with_layer(crate::demo::fat(), "x"), &cache)?.report(more, &opts);
        let fresh = Opened::uncached(crate::demo::source_of(
            "demo:t",
            with_layer(crate::demo::fat(), "x"),
        )?);
        let image = fresh.load(None, None)?;
        let whole = Report::build(&image, &analysis::analyze_with(&image, &opts));
        assert_eq!(reused, whole);

        let other = with_layer(with_layer(crate::demo::fat(), "y"), "x");
        let other = opened(other, &cache)?.load(None, None)?;
        assert_ne!(
            packages_key(&other, n + 1),
            packages_key(&with_x_x(&cache)?, n + 1)
        );

        // A rebuild that changes the top layer: the first image's analysis went through the
        // image below it and kept that one too.
        let fresh = tempfile::tempdir()?;
        let cache = Arc::new(Cache::open(fresh.path(), DEFAULT_LIMIT));
        let y = opened(with_layer(crate::demo::fat(), "y"), &cache)?;
        let image = y.load(None, None)?;
        y.report(image, &opts);
        cache.prune(DEFAULT_LIMIT)?;
        assert!(
            cache.get_kept::<Snapshot>(&key).is_some(),
            "the image below is kept"
        );

        let unverified = tempfile::tempdir()?;
        let cache = Arc::new(Cache::open(unverified.path(), DEFAULT_LIMIT));
        let mut base = opened(crate::demo::fat(), &cache)?;
        base.verify = false;
        let image = base.load(None, None)?;
        let key = packages_key(&image, n).ok_or("a key")?;
        base.report(image, &opts);
        cache.prune(DEFAULT_LIMIT)?;
        assert!(
            cache.get_kept::<Snapshot>(&key).is_none(),
            "nothing kept unverified"
        );
        Ok(())
    }

    fn with_x_x(cache: &Arc<Cache>) -> Result<Image, crate::Error> {
        opened(with_layer(with_layer(crate::demo::fat(), "x"), "x"), cache)?.load(None, None)
    }
}
