//! SHA-256 of a stream, moved to its own thread once the stream proves long.
//!
//! A layer is hashed twice (the blob digest over the compressed bytes, the diff_id over the
//! tar), and on a big layer the two hashes cost as much CPU as inflating and walking it.
//! Done inline they sit on the critical path; here, past [`OFFLOAD_AFTER`] bytes, the bytes
//! are copied into chunks and hashed on a helper thread while the stream moves on (a copy
//! costs a fraction of a hash). Small streams, most layers and every test fixture, never
//! start a thread.

use sha2::{Digest, Sha256};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

/// Bytes hashed inline before the work moves to a thread.
const OFFLOAD_AFTER: u64 = 8 << 20;
/// Bytes per chunk handed over.
const CHUNK: usize = 256 * 1024;
/// Chunks queued for the hashing thread: bounds the memory a slow hasher can hold.
const DEPTH: usize = 2;

/// `sha256:<hex>`: how images name a finished sha256.
pub fn digest_name(h: Sha256) -> String {
    format!("sha256:{}", hex::encode(h.finalize()))
}

pub struct StreamHasher {
    state: State,
    seen: u64,
}

enum State {
    Inline(Sha256),
    Offloaded(Offloaded),
}

struct Offloaded {
    pending: Vec<u8>,
    tx: SyncSender<Vec<u8>>,
    free: Receiver<Vec<u8>>,
    worker: JoinHandle<Sha256>,
}

impl Default for StreamHasher {
    fn default() -> Self {
        StreamHasher {
            state: State::Inline(Sha256::new()),
            seen: 0,
        }
    }
}

impl StreamHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        let before = self.seen;
        self.seen += bytes.len() as u64;
        match &mut self.state {
            State::Inline(h) => {
                h.update(bytes);
                // Once, on crossing: if no thread could be had then, hashing stays inline.
                if before < OFFLOAD_AFTER && self.seen >= OFFLOAD_AFTER {
                    self.offload();
                }
            }
            State::Offloaded(o) => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    let room = CHUNK - o.pending.len();
                    let (now, later) = rest.split_at(room.min(rest.len()));
                    o.pending.extend_from_slice(now);
                    rest = later;
                    if o.pending.len() == CHUNK {
                        o.send();
                    }
                }
            }
        }
    }

    /// `sha256:<hex>` of everything given.
    pub fn finish(self) -> String {
        let hash = match self.state {
            State::Inline(h) => h,
            State::Offloaded(mut o) => {
                o.send();
                let Offloaded { tx, worker, .. } = o;
                drop(tx);
                match worker.join() {
                    Ok(h) => h,
                    // Hashing a byte slice does not panic; should the thread vanish
                    // anyway, an empty digest fails every comparison against the image.
                    Err(_) => return String::new(),
                }
            }
        };
        digest_name(hash)
    }

    fn offload(&mut self) {
        let State::Inline(h) = &self.state else {
            return;
        };
        let mut hash = h.clone();
        let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
        let (free_tx, free) = channel::<Vec<u8>>();
        let spawned = std::thread::Builder::new()
            .name("microscope-sha256".into())
            .spawn(move || {
                for chunk in rx {
                    hash.update(&chunk);
                    let mut chunk = chunk;
                    chunk.clear();
                    let _ = free_tx.send(chunk);
                }
                hash
            });
        // No thread to be had: keep hashing inline, which is only slower.
        if let Ok(worker) = spawned {
            self.state = State::Offloaded(Offloaded {
                pending: Vec::with_capacity(CHUNK),
                tx,
                free,
                worker,
            });
        }
    }
}

impl Offloaded {
    fn send(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let next = self
            .free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.pending, next);
        // The worker only stops when the sender is dropped, which happens in `finish`.
        let _ = self.tx.send(full);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offloaded_digest_equals_inline() {
        let data: Vec<u8> = (0..(OFFLOAD_AFTER as usize * 2 + 12345))
            .map(|i| (i % 253) as u8)
            .collect();
        let mut h = StreamHasher::default();
        for piece in data.chunks(70_001) {
            h.update(piece);
        }
        assert!(matches!(h.state, State::Offloaded(_)));
        let expected = format!("sha256:{}", hex::encode(Sha256::digest(&data)));
        assert_eq!(h.finish(), expected);
    }

    #[test]
    fn short_streams_hash_inline() {
        let mut h = StreamHasher::default();
        h.update(b"abc");
        assert!(matches!(h.state, State::Inline(_)));
        assert_eq!(
            h.finish(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
