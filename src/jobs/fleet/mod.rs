//! The fleet's I/O: the scan cache its shards share, which shard owns which layer, and
//! scanning the layers a shard owns before it analyses its images.
//!
//! How each distinct layer is scanned once while N shards run at once: a layer belongs to
//! shard `hash(key) mod N` (the key is the layer's blob digest, as the cache's). Every shard
//! first reads the manifests of the whole fleet (small, cached) and scans the layers it owns
//! that the shared cache lacks, pushing each as it finishes; only then does it analyse its
//! own images, and a layer owned by another shard that is not in the cache yet is waited for
//! (polling, bounded) before the shard scans it itself. Since no shard waits while it scans
//! what it owns, no two shards wait on each other.

mod shared;

pub use shared::{Counts, SharedScans};

use crate::cache::ScanCache;
use crate::image::ImageMeta;
use crate::jobs::checks::{cache_key, verify};
use crate::scan::{ScanContext, ScanError, scan_layer};
use crate::source::{ImageSource, LAYER_BY_CONTENT};
use std::sync::Arc;

/// Which part of the fleet this process does: `index` of `count`, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// `I/N` (1-based `I`, as people count shards: `--shard 3/8` is the third of eight).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard {s}: expected I/N, e.g. 3/8"))?;
        let (i, n): (usize, usize) = match (i.trim().parse(), n.trim().parse()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => return Err(format!("--shard {s}: expected I/N, e.g. 3/8")),
        };
        if n == 0 || i == 0 || i > n {
            return Err(format!("--shard {s}: I must be between 1 and N"));
        }
        Ok(Shard {
            index: i - 1,
            count: n,
        })
    }

    /// `JOB_COMPLETION_INDEX` (0-based, as Kubernetes sets it) of `--shards N`.
    pub fn from_index(index: &str, count: usize) -> Result<Shard, String> {
        let i: usize = index.trim().parse().map_err(|_| {
            format!("JOB_COMPLETION_INDEX={index:?} is not a number (0-based shard index)")
        })?;
        if count == 0 || i >= count {
            return Err(format!(
                "JOB_COMPLETION_INDEX={i} is not below --shards {count}"
            ));
        }
        Ok(Shard { index: i, count })
    }

    /// This shard's items: every `count`-th, from `index`, in the list's order (which every
    /// shard sees alike: a sorted listing, or the same file).
    pub fn take<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index)
            .map(|(_, t)| t)
            .collect()
    }

    /// The shard that scans the layer cached under `key`.
    pub fn owner(&self, key: &str) -> usize {
        (stable_hash(key) % self.count as u64) as usize
    }

    pub fn owns(&self, key: &str) -> bool {
        self.owner(key) == self.index
    }
}

/// FNV-1a: the same number on every machine and build (std's hasher is seeded per process).
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The layers of `meta` this shard owns that `cache` does not hold yet, once each across
/// calls (`seen` holds the keys already dealt with).
pub fn owned_missing(
    meta: &ImageMeta,
    shard: Shard,
    cache: &SharedScans,
    seen: &mut std::collections::HashSet<String>,
) -> Vec<usize> {
    meta.layers
        .iter()
        .enumerate()
        .filter_map(|(i, desc)| {
            let key = cache_key(desc)?;
            (shard.owns(&key) && seen.insert(key.clone()) && !cache.holds(&key)).then_some(i)
        })
        .collect()
}

/// Scans layers `wanted` of `source` into `cache`, checked as the loader checks them.
pub fn prefetch(
    source: &dyn ImageSource,
    wanted: &[usize],
    cache: &dyn ScanCache,
) -> Result<(), crate::Error> {
    let meta = source.meta();
    source.for_each_layer(wanted, &|i, reader| {
        // A stream named only by its content (a legacy `docker save`) is left to the load.
        let Some(desc) = meta.layers.get(i).filter(|_| i != LAYER_BY_CONTENT) else {
            return Ok(());
        };
        let ctx = ScanContext {
            digest_checked_by_source: desc
                .digest
                .as_deref()
                .filter(|d| source.verifies_blob_digests() && d.starts_with("sha256:")),
            ..ScanContext::default()
        };
        let scan = scan_layer(reader, &ctx).map_err(|e| match e {
            ScanError::Cancelled => crate::Error::Cancelled,
            source => crate::Error::Scan {
                layer: i,
                digest: desc.digest.clone().unwrap_or_else(|| desc.locator.clone()),
                source,
            },
        })?;
        verify(i, desc, &scan)?;
        if let Some(key) = cache_key(desc) {
            cache.put(&key, &Arc::new(scan));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests;
