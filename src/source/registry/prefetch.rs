//! The first layers a cold pull reads, asked for as soon as the manifest names them: beside
//! the config's request instead of after it and after the loader's set-up. Each of those is
//! a wait on the registry before the first byte (a local registry takes 4-5 ms to answer a
//! blob's request, a remote one a round trip or more), and the inflating thread, the
//! critical path of a cold pull, starts only at that byte.
//!
//! Only for an image this cache has not seen: its config is not in the cache (a warm run
//! still asks for the tag's manifest alone), and only layers whose scan the cache holds
//! under no format (a rebuild's base layers, already scanned, are not asked for). A
//! download started and never read (the config fails its checks, the report is served from
//! the cache) is dropped with the source, which hangs up on it; what it holds meanwhile is
//! its few chunks in flight.

use super::bounded::Http;
use super::fetch::{Download, Owned, start};
use crate::cache::Cache;
use oci_client::Reference;
use oci_spec::image::{Descriptor, ImageManifest};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Downloads started early, by blob digest, until the loader opens their layers.
#[derive(Default)]
pub(super) struct Prefetched(Mutex<HashMap<String, Download>>);

/// What starting a download needs, apart from the manifest.
pub(super) struct Plan<'a> {
    pub http: &'a Http,
    pub reference: &'a Reference,
    pub ctx: Owned,
    pub stall: Duration,
    pub cache: Option<&'a Cache>,
}

impl Prefetched {
    /// Starts the downloads of the layers the loader opens first: the biggest, one per
    /// core, as [`crate::source::in_parallel`] takes them, leaving out those the cache has
    /// scanned. Called on the runtime, before the config is asked for.
    pub(super) fn start(&self, plan: &Plan<'_>, manifest: &ImageManifest) {
        if crate::source::config::artifact_kind(manifest).is_some() {
            return; // not an image the loader reads
        }
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        let rt = tokio::runtime::Handle::current();
        let mut started = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for d in first_read(manifest.layers(), plan.cache, workers) {
            let digest = d.digest().to_string();
            let what = (digest.clone(), Some(d.size()));
            let (http, reference) = (plan.http.clone(), plan.reference.clone());
            if let Ok(download) = start(&rt, http, reference, what, plan.ctx.clone(), plan.stall) {
                started.insert(digest, download);
            }
        }
    }

    /// The download of blob `digest`, if one was started early.
    pub(super) fn take(&self, digest: &str) -> Option<Download> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(digest)
    }
}

/// The first `workers` layers the loader reads when the cache has none of them scanned:
/// biggest first (ties in manifest order, as the loader's stable sort leaves them).
fn first_read<'m>(
    layers: &'m [Descriptor],
    cache: Option<&Cache>,
    workers: usize,
) -> Vec<&'m Descriptor> {
    let mut by_size: Vec<&Descriptor> = layers.iter().collect();
    by_size.sort_by_key(|d| std::cmp::Reverse(d.size()));
    by_size
        .into_iter()
        .filter(|d| !maybe_scanned(cache, d.digest().as_ref()))
        .take(workers)
        .collect()
}

/// Whether the cache holds a scan of blob `digest` (then the loader will not download it);
/// a digest that is not a sha256 one the cache could name is never started early either.
fn maybe_scanned(cache: Option<&Cache>, digest: &str) -> bool {
    let sha256 = digest.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if !sha256 {
        return true;
    }
    cache.is_some_and(|c| c.has_scan(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(digest: &str, size: u64) -> Descriptor {
        let json = format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{digest}","size":{size}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn the_biggest_unscanned_layers_are_started_one_per_worker() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(dir.path(), 1 << 20);
        let layers = [
            layer(&digest('a'), 10),
            layer(&digest('b'), 300),
            layer(&digest('c'), 200),
            layer(&digest('d'), 300),
            layer(&format!("sha512:{}", "0".repeat(128)), 900),
        ];
        let names = |v: Vec<&Descriptor>| -> Vec<String> {
            v.iter().map(|d| d.digest().to_string()).collect()
        };
        let first = names(first_read(&layers, Some(&cache), 2));
        assert_eq!(first, [digest('b'), digest('d')]);
        // A layer whose scan is kept is not asked for again; one kept in another format
        // (another build's directory) is read again, so it is.
        let other = dir.path().join("scans/v1-old/dd").join("d".repeat(64));
        std::fs::create_dir_all(other.parent().unwrap_or(dir.path()))?;
        std::fs::write(&other, b"x")?;
        crate::cache::ScanCache::put(&cache, &digest('b'), &std::sync::Arc::default());
        assert!(
            crate::cache::ScanCache::get(&cache, &digest('b')).is_some(),
            "written"
        );
        let first = names(first_read(&layers, Some(&cache), 2));
        assert_eq!(first, [digest('d'), digest('c')]);
        assert_eq!(names(first_read(&layers, None, 1)), [digest('b')]);
        Ok(())
    }

    /// The probe reads the cache's own layout: a scan the cache keeps is seen.
    #[test]
    fn a_scan_the_cache_keeps_is_seen() -> std::io::Result<()> {
        use crate::cache::ScanCache;
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(dir.path(), 1 << 20);
        let key = digest('e');
        assert!(!maybe_scanned(Some(&cache), &key));
        cache.put(&key, &std::sync::Arc::default());
        assert!(cache.get(&key).is_some(), "written and read back");
        assert!(maybe_scanned(Some(&cache), &key));
        Ok(())
    }
}
