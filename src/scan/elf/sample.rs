//! zstd level-1 size of a program, estimated as it streams by: small files are compressed
//! whole, big ones through evenly spaced samples whose result is scaled (compressing a
//! toolchain's 30 MB binaries whole was a fifth of a whole scan's CPU time, and the figure
//! only feeds an estimate).

use std::io::{self, Write};
use std::ops::Range;

pub const SAMPLE_BYTES: u64 = 4 << 20;
pub const SAMPLE_CHUNKS: u64 = 16;

pub struct Sampler {
    len: u64,
    samples: Vec<Range<u64>>,
    /// The sample being compressed; later ones that overlap it wait in `waiting`.
    front: usize,
    waiting: Vec<Vec<u8>>,
    enc: Option<zstd::stream::Encoder<'static, Counter>>,
}

impl Sampler {
    pub fn new(len: u64) -> Sampler {
        let samples: Vec<Range<u64>> = if len <= SAMPLE_BYTES {
            std::iter::once(0..len).collect()
        } else {
            let chunk = SAMPLE_BYTES / SAMPLE_CHUNKS;
            let stride = (len - chunk) / (SAMPLE_CHUNKS - 1);
            (0..SAMPLE_CHUNKS)
                .map(|i| i * stride..i * stride + chunk)
                .collect()
        };
        Sampler {
            len,
            waiting: vec![Vec::new(); samples.len()],
            samples,
            front: 0,
            enc: zstd::stream::Encoder::new(Counter(0), 1).ok(),
        }
    }

    /// `bytes` are the file's at `pos`.
    pub fn feed(&mut self, pos: u64, bytes: &[u8]) {
        let end = pos + bytes.len() as u64;
        for i in self.front..self.samples.len() {
            let r = &self.samples[i];
            if r.start >= end {
                break;
            }
            let (lo, hi) = (r.start.max(pos), r.end.min(end));
            if lo >= hi {
                continue;
            }
            let part = &bytes[(lo - pos) as usize..(hi - pos) as usize];
            if i == self.front {
                self.write(part);
            } else {
                self.waiting[i].extend_from_slice(part);
            }
        }
        while self.front < self.samples.len() && self.samples[self.front].end <= end {
            self.front += 1;
            if let Some(w) = self.waiting.get_mut(self.front) {
                let w = std::mem::take(w);
                self.write(&w);
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if let Some(enc) = &mut self.enc
            && enc.write_all(bytes).is_err()
        {
            self.enc = None;
        }
    }

    /// The estimate; None when the file ended early or the compressor failed.
    pub fn finish(self) -> Option<u64> {
        if self.front < self.samples.len() {
            return None;
        }
        let compressed = self.enc?.finish().ok()?.0;
        if self.len <= SAMPLE_BYTES {
            return Some(compressed);
        }
        let sampled = SAMPLE_BYTES / SAMPLE_CHUNKS * SAMPLE_CHUNKS;
        Some(compressed * self.len / sampled)
    }
}

/// A writer that only counts.
pub struct Counter(pub u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
