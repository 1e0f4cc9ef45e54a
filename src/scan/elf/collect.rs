//! Keeps the parts of an ELF file that [`super::inspect_collected`] reads, as the file streams
//! by in a layer: the head (headers, and the read-only segment before the code, which holds
//! the dynamic strings), the dynamic table, the section headers and their names, and the few
//! named sections the inspection reads. Everything else only passes through the pattern
//! search and the compression sampler. A 100 MB library costs a few MB instead of 100.
//!
//! What to keep is learnt while reading: the ELF header says where the program and section
//! headers are, those say where the rest is. A range that is learnt of only after it went
//! by is simply missing, and the inspection treats it as it treats a lying offset.

use super::marks::{Marker, Window};
use super::probes::Probes;
use super::sample::Sampler;
use super::sparse::Sparse;
use super::wants::{Wants, wants};
use object::Endianness;
use object::elf;
use std::ops::Range;

/// Always kept from the start: the ELF header, program headers, interpreter and notes.
const HEAD: u64 = 64 << 10;
/// Most kept of the read-only segment in front of the code (symbols and their strings).
const MAX_PREFIX: u64 = 16 << 20;
/// Most kept of any other one range, and of all ranges of one file together.
const MAX_RANGE: u64 = 8 << 20;
const MAX_TOTAL: u64 = 40 << 20;
/// Ranges kept per file: a hostile file naming ten thousand `.dynstr` sections would
/// otherwise make every push walk ten thousand ranges.
const MAX_PIECES: usize = 64;

/// What [`Collector::finish`] hands to the inspection.
pub struct Collected {
    /// The file has an execute bit (only then is the compressed size estimated).
    pub executable: bool,
    pub data: Sparse,
    pub probes: Probes,
    /// zstd level-1 size estimate of the whole file, when it was sampled.
    pub zstd1: Option<u64>,
}

pub struct Collector {
    /// Bytes kept from the start before anything is known ([`HEAD`] but in tests).
    head: u64,
    pos: u64,
    executable: bool,
    /// The kept ranges, filled up to `pos` at most.
    data: Sparse,
    /// Where each range of `data` ends once complete.
    ends: Vec<u64>,
    kept: u64,
    planned: bool,
    probes: Probes,
    sampler: Option<Sampler>,
    /// See [`markers`].
    marks: [Marker; 2],
}

impl Collector {
    /// For a file of `len` bytes (the tar header's size) that starts with the ELF magic.
    pub fn new(len: u64, executable: bool) -> Collector {
        Collector::with_head(len, executable, HEAD)
    }

    /// With a head of `head` bytes, so that tests and the fuzzer reach the paths a big file
    /// takes with small inputs.
    #[doc(hidden)]
    pub fn with_head(len: u64, executable: bool, head: u64) -> Collector {
        let head = head.max(64);
        let first = head.min(len);
        Collector {
            head,
            pos: 0,
            executable,
            data: Sparse::new(len, vec![(0, Vec::with_capacity(first as usize))]),
            ends: vec![first],
            kept: first,
            planned: false,
            probes: Probes::default(),
            sampler: None,
            marks: markers().clone(),
        }
    }

    /// Ranges still to fill (from the current position or later).
    fn filling(&self) -> impl Iterator<Item = usize> + '_ {
        let pos = self.pos;
        self.data
            .pieces
            .iter()
            .zip(&self.ends)
            .enumerate()
            .filter(move |(_, ((start, bytes), end))| {
                let filled = start + bytes.len() as u64;
                filled >= pos && **end > filled
            })
            .map(|(i, _)| i)
    }

    pub fn push(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            // Cut where a kept range completes: what it says may ask for ranges that
            // start right after it.
            let mut boundary = self.data.len().max(self.pos + 1);
            if !self.planned {
                boundary = boundary.min(self.head.max(self.pos + 1));
            }
            for i in self.filling() {
                boundary = boundary.min(self.ends[i]);
            }
            let take = usize::try_from(boundary - self.pos)
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            let (now, rest) = chunk.split_at(take);
            self.feed(now);
            chunk = rest;
            let completed = self.ends.contains(&self.pos);
            if (!self.planned && self.pos >= self.head) || (self.planned && completed) {
                self.plan();
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let pos = self.pos;
        let end = pos + bytes.len() as u64;
        let filling: Vec<usize> = self.filling().collect();
        for i in filling {
            let piece = &mut self.data.pieces[i];
            let filled = piece.0 + piece.1.len() as u64;
            let stop = self.ends[i].min(end);
            if filled < stop {
                piece
                    .1
                    .extend_from_slice(&bytes[(filled - pos) as usize..(stop - pos) as usize]);
            }
        }
        if self.planned {
            self.probes.feed(pos, bytes);
            if let Some(s) = &mut self.sampler {
                s.feed(pos, bytes);
            }
            let windows: Vec<Window> = self
                .marks
                .iter_mut()
                .flat_map(|m| m.feed(pos, bytes))
                .collect();
            self.keep(windows);
        }
        self.pos += bytes.len() as u64;
    }

    pub fn finish(mut self) -> Collected {
        if !self.planned {
            self.plan();
        }
        Collected {
            executable: self.executable,
            data: self.data,
            probes: self.probes,
            zstd1: self.sampler.and_then(Sampler::finish),
        }
    }

    /// Reads what is kept so far and asks for the ranges it points to. Runs again each
    /// time a range completes; asking twice for a range is a no-op.
    fn plan(&mut self) {
        let wants = match self.data.get(4, 1) {
            Some([1]) => wants::<elf::FileHeader32<Endianness>>(&self.data),
            Some([2]) => wants::<elf::FileHeader64<Endianness>>(&self.data),
            _ => Wants::default(),
        };
        if !self.planned {
            self.planned = true;
            // The head went by before anything was known: search and sample it now.
            let head = &self.data.pieces[0].1;
            self.probes = Probes::new(wants.search);
            self.probes.feed(0, head);
            self.marks[0].search(std::iter::once(wants.unloaded_from..u64::MAX).collect());
            self.marks[1].search(wants.writable);
            let windows: Vec<Window> = self
                .marks
                .iter_mut()
                .flat_map(|m| m.feed(0, head))
                .collect();
            if self.executable && wants.program && self.data.len() >= super::ZSTD_MIN_BYTES {
                let mut s = Sampler::new(self.data.len());
                s.feed(0, head);
                self.sampler = Some(s);
            }
            self.keep(windows);
            if let Some(end) = wants.prefix_end {
                let end = end.min(MAX_PREFIX).min(self.data.len());
                if end > self.ends[0] && self.data.pieces[0].1.len() as u64 == self.pos {
                    self.kept += end - self.ends[0];
                    self.ends[0] = end;
                }
            }
        }
        for r in wants.ranges {
            self.request(r);
        }
    }

    /// Ranges that started to be kept when a marker was seen.
    fn keep(&mut self, windows: Vec<Window>) {
        for (start, bytes, end) in windows {
            let end = end.min(self.data.len());
            let fits = self.kept + end.saturating_sub(start) <= MAX_TOTAL
                && self.data.pieces.len() < MAX_PIECES;
            if fits && start + (bytes.len() as u64) <= end {
                self.kept += end - start;
                self.data.pieces.push((start, bytes));
                self.ends.push(end);
            }
        }
    }

    fn request(&mut self, r: Range<u64>) {
        let start = r.start.min(self.data.len());
        let end = r
            .end
            .min(self.data.len())
            .min(start.saturating_add(MAX_RANGE));
        if start >= end
            || self.data.pieces.len() >= MAX_PIECES
            || self.data.pieces.iter().any(|(s, _)| *s == start)
        {
            return;
        }
        let mut bytes = Vec::new();
        if start < self.pos {
            // Already under way: what went by is kept in another range, or gone.
            let pos = self.pos;
            let Some((s, b)) = self
                .data
                .pieces
                .iter()
                .find(|(s, b)| *s <= start && s + b.len() as u64 >= pos.min(end))
            else {
                return;
            };
            if end <= pos {
                return;
            }
            bytes = b[(start - s) as usize..].to_vec();
        }
        if self.kept + (end - start) > MAX_TOTAL {
            return;
        }
        self.kept += end - start;
        self.data.pieces.push((start, bytes));
        self.ends.push(end);
    }
}

/// `.shstrtab` among the sections that are not loaded, Go's build info in writable data;
/// built once (their searchers cost more to build than a small ELF file costs to scan).
fn markers() -> &'static [Marker; 2] {
    static M: std::sync::OnceLock<[Marker; 2]> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        [
            Marker::new(b"\0.shstrtab\0", 1, 8 << 10, 8 << 10),
            Marker::new(super::gobuild::MAGIC, 16, 0, 64 << 10),
        ]
    })
}
