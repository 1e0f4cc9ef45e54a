use super::*;
use crate::image::LayerScan;
use std::sync::Mutex;
use std::time::Duration;

#[test]
fn shards_parse_one_based_and_from_the_job_index() {
    assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 2, count: 8 }));
    assert_eq!(Shard::from_index("7", 8), Ok(Shard { index: 7, count: 8 }));
    for (bad, why) in [
        ("0/8", "I must be between 1 and N"),
        ("9/8", "I must be between 1 and N"),
        ("1/0", "I must be between 1 and N"),
        ("3", "expected I/N, e.g. 3/8"),
        ("a/b", "expected I/N, e.g. 3/8"),
    ] {
        assert_eq!(Shard::parse(bad), Err(format!("--shard {bad}: {why}")));
    }
    assert_eq!(
        Shard::from_index("8", 8),
        Err("JOB_COMPLETION_INDEX=8 is not below --shards 8".into())
    );
    assert_eq!(
        Shard::from_index("x", 8),
        Err("JOB_COMPLETION_INDEX=\"x\" is not a number (0-based shard index)".into())
    );
}

#[test]
fn shards_split_the_list_without_overlap_and_own_every_key_once() {
    let items: Vec<usize> = (0..23).collect();
    let mut all: Vec<usize> = (0..4)
        .flat_map(|i| Shard { index: i, count: 4 }.take(items.clone()))
        .collect();
    all.sort();
    assert_eq!(all, items);
    let key = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let owners: Vec<bool> = (0..4)
        .map(|i| Shard { index: i, count: 4 }.owns(key))
        .collect();
    assert_eq!(owners.iter().filter(|&&o| o).count(), 1);
    // The hash is fixed: every machine agrees on the owner.
    assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
}

#[derive(Default)]
struct Memory(Mutex<std::collections::HashMap<String, LayerScan>>);

impl ScanCache for Memory {
    fn get(&self, key: &str) -> Option<LayerScan> {
        self.0.lock().ok()?.get(key).cloned()
    }
    fn put(&self, key: &str, scan: &Arc<LayerScan>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.to_string(), (**scan).clone());
        }
    }
}

fn key_owned_by(shard: Shard, owner: bool) -> String {
    (0..1000)
        .map(|i| format!("sha256:{i:064x}"))
        .find(|k| shard.owns(k) == owner)
        .unwrap_or_default()
}

#[test]
fn a_far_tier_hit_fills_the_near_one_and_counts_reuse() {
    let near = Arc::new(Memory::default());
    let far = Arc::new(Memory::default());
    let key = key_owned_by(Shard::WHOLE, true);
    far.put(&key, &Arc::new(LayerScan::default()));
    let shared = SharedScans::new(vec![near.clone(), far], Shard::WHOLE, Duration::ZERO);
    assert!(shared.get(&key).is_some());
    assert!(near.get(&key).is_some(), "copied nearer");
    shared.put("sha256:x", &Arc::new(LayerScan::default()));
    let c = shared.counts();
    assert_eq!((c.reused, c.scanned), (1, 1));
}

#[test]
fn a_non_owner_waits_for_the_owner_then_gives_up_bounded() {
    let shard = Shard { index: 0, count: 2 };
    let tier = Arc::new(Memory::default());
    let shared = SharedScans::new(vec![tier.clone()], shard, Duration::from_millis(1200));
    // Owned here: a miss at once, no wait.
    let mine = key_owned_by(shard, true);
    let started = std::time::Instant::now();
    assert!(shared.get(&mine).is_none());
    assert!(started.elapsed() < Duration::from_millis(400));
    // Another's, arriving while we wait: found.
    let theirs = key_owned_by(shard, false);
    let (t, k) = (tier.clone(), theirs.clone());
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        t.put(&k, &Arc::new(LayerScan::default()));
    });
    assert!(shared.get(&theirs).is_some());
    let _ = writer.join();
    // Another's that never comes: a miss after the bound.
    let started = std::time::Instant::now();
    let never = (0..1000)
        .map(|i| format!("sha256:{:064x}", i + 5000))
        .find(|k| !shard.owns(k))
        .unwrap_or_default();
    assert!(shared.get(&never).is_none());
    assert!(started.elapsed() >= Duration::from_millis(1200));
    // The same owner is not waited for again: it is taken for absent.
    let started = std::time::Instant::now();
    let also_never = (0..1000)
        .map(|i| format!("sha256:{:064x}", i + 9000))
        .find(|k| !shard.owns(k))
        .unwrap_or_default();
    assert!(shared.get(&also_never).is_none());
    assert!(started.elapsed() < Duration::from_millis(400));
    let c = shared.counts();
    assert_eq!((c.waited, c.timed_out), (1, 1));
}
