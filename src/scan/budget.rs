//! A process-wide cap on bytes of ELF files buffered at once. Layers scan in parallel, and
//! without it two threads meeting two 100 MB libraries at the same moment double the peak
//! memory of the whole analysis.

use std::sync::{Condvar, Mutex};

/// Buffers above this wait for others to finish (one buffer is always allowed, whatever
/// its size, so a single huge file never waits forever).
const BUDGET: u64 = 96 << 20;
/// Small files never wait: the budget is for the rare big ones.
const FREE: u64 = 4 << 20;

static USED: Mutex<u64> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// Held while a buffer of `bytes` is alive.
pub struct Reservation(u64);

pub fn reserve(bytes: u64) -> Reservation {
    if bytes <= FREE {
        return Reservation(0);
    }
    let mut used = USED.lock().unwrap_or_else(|p| p.into_inner());
    while *used > 0 && *used + bytes > BUDGET {
        used = FREED.wait(used).unwrap_or_else(|p| p.into_inner());
    }
    *used += bytes;
    Reservation(bytes)
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.0 == 0 {
            return;
        }
        let mut used = USED.lock().unwrap_or_else(|p| p.into_inner());
        *used = used.saturating_sub(self.0);
        FREED.notify_all();
    }
}

/// A file's bytes collected while its tar entry streams by. Big ones live in an anonymous
/// mapping, returned to the system the moment it drops: glibc raises its mmap threshold after
/// freeing a big heap block, and the next 100 MB library would then stay in the heap for good.
pub enum Kept {
    Heap(Vec<u8>),
    Anon { map: memmap2::MmapMut, len: usize },
}

const ANON_FROM: u64 = 1 << 20;

impl Kept {
    /// Room for `size` bytes; `heap` forces a plain vector (for contents kept after the scan).
    pub fn with_capacity(size: u64, heap: bool) -> Kept {
        if !heap
            && size >= ANON_FROM
            && let Ok(map) = memmap2::MmapMut::map_anon(size as usize)
        {
            return Kept::Anon { map, len: 0 };
        }
        Kept::Heap(Vec::with_capacity(size as usize))
    }

    pub fn push(&mut self, chunk: &[u8]) {
        match self {
            Kept::Heap(v) => v.extend_from_slice(chunk),
            Kept::Anon { map, len } => {
                // The tar entry's size was checked against the mapping's; a longer stream is
                // caught as corrupt by the caller, so extra bytes are simply not kept.
                let end = (*len + chunk.len()).min(map.len());
                map[*len..end].copy_from_slice(&chunk[..end - *len]);
                *len = end;
            }
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Kept::Heap(v) => v,
            Kept::Anon { map, len } => &map[..*len],
        }
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Kept::Heap(v) => v,
            Kept::Anon { map, len } => map[..len].to_vec(),
        }
    }
}
