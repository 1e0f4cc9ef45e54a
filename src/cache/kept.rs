//! Analyses kept for the image that will have one more layer (`jobs::reuse`): a value of
//! the analysis's choosing under a key naming what it was made from, in the scan entries'
//! verified form. As with reports, the cache knows nothing of what the value holds; one
//! that fails its check or does not decode is removed and is a miss.

use super::entry::{Codec, decode, encode};
use super::{Cache, MAX_ENTRY, read_bounded, touch, write_atomically};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Bump when the stored form changes (the key already names the binary).
const KEPT_FORMAT: &str = "k1";

impl Cache {
    /// The value kept under `key`, if whole and readable.
    pub fn get_kept<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let path = self.kept_path(key)?;
        let bytes = read_bounded(&path, MAX_ENTRY).ok()?;
        match decode(&bytes, key, KEPT_FORMAT, Codec::Postcard) {
            Some(value) => {
                touch(&path);
                Some(value)
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Keeps what `make` returns under `key` (a `sha256:` digest), made, encoded and
    /// written on a helper thread: a run does not wait for it before printing.
    pub fn put_kept_later<T, F>(&self, key: &str, make: F)
    where
        T: Serialize,
        F: FnOnce() -> Option<T> + Send + 'static,
    {
        let Some(path) = self.kept_path(key) else {
            return;
        };
        let key = key.to_string();
        let unpruned = self.unpruned.clone();
        // The job may be cloned (run here when no thread can be had): share, not copy, what
        // it owns.
        let make = Arc::new(Mutex::new(Some(make)));
        self.writes.spawn(move || {
            let taken = make.lock().map(|mut m| m.take()).unwrap_or(None);
            let Some(value) = taken.and_then(|f| f()) else {
                return;
            };
            let Some((head, payload)) = encode(&value, &key, KEPT_FORMAT, Codec::Postcard) else {
                return;
            };
            if write_atomically(&path, &[&head, &payload]).is_ok() {
                // Pruned when the cache is dropped, as after a report's write.
                let len = (head.len() + payload.len()) as u64;
                unpruned.fetch_add(len.max(1), Ordering::Relaxed);
            }
        });
    }

    fn kept_path(&self, key: &str) -> Option<PathBuf> {
        self.entry_path("kept", KEPT_FORMAT, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::DEFAULT_LIMIT;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const KEY: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn kept_values_round_trip_count_towards_the_bound_and_a_flipped_bit_is_a_miss() -> TestResult {
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
        let value = vec![vec![1u32, u32::MAX], vec![]];
        assert!(cache.get_kept::<Vec<Vec<u32>>>(KEY).is_none());
        let made = value.clone();
        cache.put_kept_later(KEY, move || Some(made));
        // A read waits for nothing: the write is awaited first.
        cache.writes.wait();
        assert_eq!(cache.get_kept::<Vec<Vec<u32>>>(KEY), Some(value));
        assert!(
            cache
                .get_kept::<Vec<Vec<u32>>>(&KEY.replace("01234", "43210"))
                .is_none()
        );
        let path = cache.kept_path(KEY).ok_or("path")?;
        let mut bytes = fs::read(&path)?;
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, bytes)?;
        assert!(cache.get_kept::<Vec<Vec<u32>>>(KEY).is_none());
        assert!(!path.exists(), "the bad entry is removed");
        cache.put_kept_later("../x", || Some(1u8));
        cache.put_kept_later(KEY, || Some(vec![9u8; 1000]));
        assert_eq!(cache.prune(0)?.removed_files, 1);
        assert!(!dir.path().join("kept").join("x").exists());
        Ok(())
    }
}
