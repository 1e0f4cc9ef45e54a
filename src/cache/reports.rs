//! Whole reports, for a second look at an unchanged image: stored under a key that names
//! everything the report was made from (see `jobs::warm`), in the scan entries' verified
//! form. The cache knows nothing of what a report holds; a value that fails its check, or
//! that this binary cannot read, is removed and is a miss.

use super::entry::{Codec, decode, encode};
use super::{Cache, MAX_ENTRY, read_bounded, touch, write_atomically};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// Bump when the stored form of a report changes (the key already names the binary).
/// r2: an xxh3-128 checksum instead of sha256 (`cache/entry.rs`).
const REPORT_FORMAT: &str = "r2";

impl Cache {
    /// The report stored under `key`, if whole and readable.
    pub fn get_report<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let path = self.report_path(key)?;
        let bytes = read_bounded(&path, MAX_ENTRY).ok()?;
        match decode(&bytes, key, REPORT_FORMAT, Codec::Json) {
            Some(report) => {
                touch(&path);
                Some(report)
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores a report under `key` (a `sha256:` digest; anything else is not stored).
    pub fn put_report<T: Serialize>(&self, key: &str, report: &T) {
        let Some(path) = self.report_path(key) else {
            return;
        };
        let Some((head, payload)) = encode(report, key, REPORT_FORMAT, Codec::Json) else {
            return;
        };
        if write_atomically(&path, &[&head, &payload]).is_ok() {
            // Pruned when the cache is dropped, as after a scan's write.
            let len = (head.len() + payload.len()) as u64;
            self.unpruned.fetch_add(len.max(1), Ordering::Relaxed);
        }
    }

    fn report_path(&self, key: &str) -> Option<PathBuf> {
        self.entry_path("reports", REPORT_FORMAT, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::DEFAULT_LIMIT;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const KEY: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn reports_round_trip_and_a_flipped_bit_is_a_miss() -> TestResult {
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
        let value = vec!["a".to_string(), "b".into()];
        assert!(cache.get_report::<Vec<String>>(KEY).is_none());
        cache.put_report(KEY, &value);
        assert_eq!(cache.get_report::<Vec<String>>(KEY), Some(value));
        let other = KEY.replace("01234", "43210");
        assert!(cache.get_report::<Vec<String>>(&other).is_none());
        let path = cache.report_path(KEY).ok_or("path")?;
        let mut bytes = fs::read(&path)?;
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, bytes)?;
        assert!(cache.get_report::<Vec<String>>(KEY).is_none());
        assert!(!path.exists(), "the bad entry is removed");
        cache.put_report("../x", &1);
        assert!(!dir.path().join("reports").join("x").exists());
        Ok(())
    }

    #[test]
    fn reports_count_towards_the_bound() -> TestResult {
        let dir = tempfile::tempdir()?;
        let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
        cache.put_report(KEY, &"x".repeat(1000));
        let stats = cache.prune(0)?;
        assert_eq!(stats.removed_files, 1, "{stats:?}");
        Ok(())
    }
}
