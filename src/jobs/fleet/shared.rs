//! The scan cache a fleet run reads and fills: tiers in order (the local disk cache, then
//! the registry's), counting what was scanned and what was reused, and waiting (bounded)
//! for a layer another shard owns.

use super::Shard;
use crate::cache::ScanCache;
use crate::image::LayerScan;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Layers scanned here, found in a cache, and found only after waiting for their owner.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub scanned: u64,
    pub reused: u64,
    pub waited: u64,
    /// Waits that ran out: the owner's entry never came, and the layer was scanned here.
    pub timed_out: u64,
}

pub struct SharedScans {
    tiers: Vec<Arc<dyn ScanCache + Send + Sync>>,
    shard: Shard,
    /// How long a shard waits for a layer another shard owns; zero when no tier is shared
    /// with the other shards (then waiting could only lose time).
    wait: Duration,
    poll: Duration,
    scanned: AtomicU64,
    reused: AtomicU64,
    waited: AtomicU64,
    timed_out: AtomicU64,
    /// Shards a wait ran out for: not running (a Job whose parallelism is below its
    /// completions runs them later), or gone. They are not waited for again.
    absent: Mutex<HashSet<usize>>,
}

impl SharedScans {
    /// `tiers` nearest first. `wait` is how long to wait for another shard's layer.
    pub fn new(tiers: Vec<Arc<dyn ScanCache + Send + Sync>>, shard: Shard, wait: Duration) -> Self {
        SharedScans {
            tiers,
            shard,
            wait: if shard.count > 1 {
                wait
            } else {
                Duration::ZERO
            },
            poll: Duration::from_millis(500),
            scanned: AtomicU64::new(0),
            reused: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            timed_out: AtomicU64::new(0),
            absent: Mutex::default(),
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            scanned: self.scanned.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            waited: self.waited.load(Ordering::Relaxed),
            timed_out: self.timed_out.load(Ordering::Relaxed),
        }
    }

    /// Whether some tier holds `key` (no waiting, not counted).
    pub fn holds(&self, key: &str) -> bool {
        self.lookup(key).is_some()
    }

    /// The first tier's entry; one found further out is copied into the nearer tiers, so the
    /// next run (or image) reads it from disk.
    fn lookup(&self, key: &str) -> Option<LayerScan> {
        for (i, tier) in self.tiers.iter().enumerate() {
            if let Some(scan) = tier.get(key) {
                if i > 0 {
                    let shared = Arc::new(scan.clone());
                    for nearer in &self.tiers[..i] {
                        nearer.put(key, &shared);
                    }
                }
                return Some(scan);
            }
        }
        None
    }
}

impl ScanCache for SharedScans {
    fn get(&self, key: &str) -> Option<LayerScan> {
        if let Some(scan) = self.lookup(key) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Some(scan);
        }
        let owner = self.shard.owner(key);
        let absent = |set: &Mutex<HashSet<usize>>| {
            set.lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&owner)
        };
        if self.wait.is_zero() || owner == self.shard.index || absent(&self.absent) {
            return None;
        }
        let deadline = Instant::now() + self.wait;
        while Instant::now() < deadline {
            std::thread::sleep(
                self.poll
                    .min(deadline.saturating_duration_since(Instant::now())),
            );
            if let Some(scan) = self.lookup(key) {
                self.reused.fetch_add(1, Ordering::Relaxed);
                self.waited.fetch_add(1, Ordering::Relaxed);
                return Some(scan);
            }
        }
        self.timed_out.fetch_add(1, Ordering::Relaxed);
        self.absent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(owner);
        None
    }

    fn put(&self, key: &str, scan: &Arc<LayerScan>) {
        self.scanned.fetch_add(1, Ordering::Relaxed);
        for tier in &self.tiers {
            tier.put(key, scan);
        }
    }
}
