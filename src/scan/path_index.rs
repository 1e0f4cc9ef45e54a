//! The walk's index of a layer's paths, to find an earlier entry of the same path (the last
//! one wins) and a hard link's target.
//!
//! Keyed by a 64-bit hash of the path, not by the path: a layer of a million entries
//! looked each path up and inserted it with SipHash over the string and a reference count
//! per key, 6 % of a scan of small files. A hash match is confirmed against the entry's
//! path, and a path whose hash another path already holds goes to a map keyed by the path
//! itself, so the index stays exact whatever an image's names hash to.

use crate::image::entry::Entry;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Default)]
pub(super) struct PathIndex {
    by_hash: foldhash::HashMap<u64, u32>,
    /// Paths whose hash an earlier, different path holds in `by_hash`.
    spill: HashMap<Arc<str>, u32>,
}

fn hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

impl PathIndex {
    /// The slot of `path` among `entries`; None when no entry has it yet.
    pub(super) fn get(&self, path: &str, entries: &[Entry]) -> Option<u32> {
        let &slot = self.by_hash.get(&hash(path))?;
        if entries.get(slot as usize).is_some_and(|e| &*e.path == path) {
            return Some(slot);
        }
        self.spill.get(path).copied()
    }

    /// The slot of `path` when an entry has it; else None, and `path` is indexed at `next`
    /// (the slot its entry is about to take).
    pub(super) fn get_or_insert(
        &mut self,
        path: &Arc<str>,
        next: u32,
        entries: &[Entry],
    ) -> Option<u32> {
        use std::collections::hash_map::Entry as Slot;
        match self.by_hash.entry(hash(path)) {
            Slot::Vacant(v) => {
                v.insert(next);
                None
            }
            Slot::Occupied(o) => {
                let slot = *o.get();
                if entries.get(slot as usize).is_some_and(|e| e.path == *path) {
                    return Some(slot);
                }
                match self.spill.entry(path.clone()) {
                    Slot::Occupied(s) => Some(*s.get()),
                    Slot::Vacant(s) => {
                        s.insert(next);
                        None
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::entry::EntryKind;

    fn entry(path: &str) -> Entry {
        Entry {
            path: Arc::from(path),
            kind: EntryKind::File,
            size: 0,
            mode: 0o644,
            uid: 0,
            gid: 0,
            link: None,
            hash: 0,
        }
    }

    #[test]
    fn finds_earlier_paths_and_indexes_new_ones() {
        let mut index = PathIndex::default();
        let mut entries = Vec::new();
        for (i, p) in ["a", "a/b", "c"].into_iter().enumerate() {
            let path: Arc<str> = Arc::from(p);
            assert_eq!(index.get_or_insert(&path, i as u32, &entries), None);
            entries.push(entry(p));
        }
        assert_eq!(index.get_or_insert(&Arc::from("a/b"), 3, &entries), Some(1));
        assert_eq!(index.get("c", &entries), Some(2));
        assert_eq!(index.get("d", &entries), None);
    }

    /// Two paths with one hash (forced here by planting a foreign slot under the hash of
    /// the second): both are found, each at its own slot.
    #[test]
    fn paths_that_share_a_hash_stay_apart() {
        let mut index = PathIndex::default();
        let entries = vec![entry("first"), entry("second")];
        index.by_hash.insert(hash("second"), 0);
        let second: Arc<str> = Arc::from("second");
        assert_eq!(index.get_or_insert(&second, 1, &entries), None);
        assert_eq!(index.get("second", &entries), Some(1));
        assert_eq!(index.get_or_insert(&second, 2, &entries), Some(1));
        assert_eq!(
            index.get("first", &entries),
            None,
            "not indexed under its own hash"
        );
    }

    /// A path indexed for the entry about to be pushed is not found through it yet (a hard
    /// link to itself is reported as such, not as pointing at itself found).
    #[test]
    fn a_slot_not_yet_filled_is_not_a_match() {
        let mut index = PathIndex::default();
        let path: Arc<str> = Arc::from("x");
        assert_eq!(index.get_or_insert(&path, 0, &[]), None);
        assert_eq!(index.get("x", &[]), None);
    }
}
