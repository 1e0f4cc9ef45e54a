//! Scan entries are written on helper threads, so a cold analysis does not wait for
//! encoding, compressing and writing them (10-20 ms for debian:bookworm's one layer)
//! before it can go on to the report. Pending writes are waited for before any read, and
//! when the last handle on the cache goes, so a run never exits with a write half done.

use std::sync::Mutex;
use std::thread::JoinHandle;

#[derive(Default)]
pub(super) struct Writes {
    pending: Mutex<Vec<JoinHandle<()>>>,
}

/// Cache writes in flight at most.
const MAX_PENDING: usize = 8;

impl Writes {
    /// Runs `job` on a new thread, or here if no thread can be had.
    /// At most [`MAX_PENDING`] writes run at once: an image of thousands of small layers
    /// must not start a thread per layer (the system's thread limit ends the run).
    pub fn spawn(&self, job: impl FnOnce() + Send + Clone + 'static) {
        let oldest = {
            let mut pending = self.lock();
            pending.retain(|h| !h.is_finished());
            (pending.len() >= MAX_PENDING).then(|| pending.remove(0))
        };
        if let Some(h) = oldest {
            let _ = h.join();
        }
        let spawned = std::thread::Builder::new()
            .name("microscope-cache".into())
            .spawn(job.clone());
        match spawned {
            Ok(handle) => self.lock().push(handle),
            Err(_) => job(),
        }
    }

    /// Returns once every write started so far is done. The lock is held while joining: a
    /// second reader waiting at the same time (layers are read in parallel) must not find
    /// the list already taken by the first and read an entry still being written. Writes
    /// never call back into [`Writes`], so holding it cannot deadlock.
    pub fn wait(&self) {
        let mut pending = self.lock();
        for h in pending.drain(..) {
            // A write that panicked left at most a temp file, which pruning removes.
            let _ = h.join();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Writes {
    fn drop(&mut self) {
        self.wait();
    }
}

impl std::fmt::Debug for Writes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Writes({} pending)", self.lock().len())
    }
}

/// A temp file of a write that never finished (the run was killed, e.g. by SIGXFSZ): named
/// `.tmp-*` and untouched for ten minutes, longer than any write takes. Pruning removes it
/// whatever the cache's size.
pub(super) fn stale_temp(path: &std::path::Path, meta: &std::fs::Metadata) -> bool {
    const STALE: std::time::Duration = std::time::Duration::from_secs(600);
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".tmp-"))
        && meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn wait_and_drop_see_every_write_done() {
        let done = Arc::new(AtomicUsize::new(0));
        let writes = Writes::default();
        for _ in 0..4 {
            let done = done.clone();
            writes.spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        writes.wait();
        assert_eq!(done.load(Ordering::SeqCst), 4);
        let d = done.clone();
        writes.spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            d.fetch_add(1, Ordering::SeqCst);
        });
        drop(writes);
        assert_eq!(done.load(Ordering::SeqCst), 5);
    }

    /// Two readers waiting at once both return after the write, not only the first.
    #[test]
    fn concurrent_waiters_both_see_the_write_done() {
        for _ in 0..5 {
            let done = Arc::new(AtomicUsize::new(0));
            let writes = Arc::new(Writes::default());
            let d = done.clone();
            writes.spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                d.fetch_add(1, Ordering::SeqCst);
            });
            let seen: Vec<usize> = std::thread::scope(|s| {
                let waiters: Vec<_> = (0..2)
                    .map(|_| {
                        s.spawn(|| {
                            writes.wait();
                            done.load(Ordering::SeqCst)
                        })
                    })
                    .collect();
                waiters.into_iter().filter_map(|h| h.join().ok()).collect()
            });
            assert_eq!(seen, vec![1, 1]);
        }
    }
}
