//! Byte strings that mark where something is, kept with the bytes around them as they pass.
//!
//! The section names: the section headers come last, so by the time they say where
//! `.shstrtab` is, it went by. GNU ld puts it just before them (a window kept in front of
//! them covers it), but lld puts the whole symbol string table in between. Every linker
//! names the table `.shstrtab` inside itself, so the bytes around that name, among the
//! sections that are not loaded, are kept.
//!
//! Go's build info: it starts with a magic string, 16-byte aligned, in a writable segment;
//! an externally linked Go program has its section headers at the end, after it.

use memchr::memmem::Finder;
use std::ops::Range;

/// A range to keep: `(start, bytes from start up to the current position, end)`.
pub type Window = (u64, Vec<u8>, u64);

#[derive(Clone)]
pub struct Marker {
    finder: Finder<'static>,
    needle_len: usize,
    /// Only hits at a multiple of this count.
    align: u64,
    /// Kept before and after a hit.
    behind: usize,
    ahead: u64,
    /// Where to look, in file order.
    ranges: Vec<Range<u64>>,
    /// The last bytes searched, ending at `ring_end`.
    ring: Vec<u8>,
    ring_end: u64,
    windows: usize,
}

/// Windows kept per file and marker (a name may also occur in debug strings).
const MAX_WINDOWS: usize = 4;

impl Marker {
    pub fn new(needle: &'static [u8], align: u64, behind: usize, ahead: u64) -> Marker {
        Marker {
            finder: Finder::new(needle),
            needle_len: needle.len(),
            align: align.max(1),
            behind,
            ahead,
            ranges: Vec::new(),
            ring: Vec::new(),
            ring_end: 0,
            windows: 0,
        }
    }

    /// Where to look; nothing is searched before this is set.
    pub fn search(&mut self, mut ranges: Vec<Range<u64>>) {
        ranges.sort_by_key(|r| r.start);
        self.ranges = ranges;
    }

    /// `bytes` are the file's at `pos`; returns the windows that start to be kept here.
    pub fn feed(&mut self, pos: u64, bytes: &[u8]) -> Vec<Window> {
        let end = pos + bytes.len() as u64;
        let mut out = Vec::new();
        for i in 0..self.ranges.len() {
            let r = &self.ranges[i];
            let (lo, hi) = (r.start.max(pos), r.end.min(end));
            if lo < hi && self.windows < MAX_WINDOWS {
                let part = &bytes[(lo - pos) as usize..(hi - pos) as usize];
                self.feed_part(lo, part, &mut out);
            }
        }
        out
    }

    fn feed_part(&mut self, part_pos: u64, part: &[u8], out: &mut Vec<Window>) {
        if self.ring_end != part_pos {
            self.ring.clear();
        }
        let mut hits = Vec::new();
        if !self.ring.is_empty() {
            let keep = self.ring.len().min(self.needle_len - 1);
            let mut seam = self.ring[self.ring.len() - keep..].to_vec();
            seam.extend_from_slice(&part[..part.len().min(self.needle_len - 1)]);
            hits.extend(
                self.finder
                    .find_iter(&seam)
                    .map(|at| part_pos - keep as u64 + at as u64),
            );
        }
        hits.extend(self.finder.find_iter(part).map(|at| part_pos + at as u64));
        let ring_start = part_pos - self.ring.len() as u64;
        for h in hits {
            if self.windows >= MAX_WINDOWS {
                break;
            }
            if h % self.align != 0 {
                continue;
            }
            let start = h.saturating_sub(self.behind as u64).max(ring_start);
            if out.last().is_some_and(|w: &Window| w.0 == start) {
                continue;
            }
            let mut kept = Vec::new();
            if start < part_pos {
                kept.extend_from_slice(&self.ring[(start - ring_start) as usize..]);
            }
            kept.extend_from_slice(&part[(start.max(part_pos) - part_pos) as usize..]);
            let stop = h + self.needle_len as u64 + self.ahead;
            kept.truncate((stop - start) as usize);
            out.push((start, kept, stop));
            self.windows += 1;
        }
        // The last bytes searched, for a hit in what comes next (and the needle itself,
        // should it be cut by the next push).
        keep_last(&mut self.ring, part, self.behind + self.needle_len);
        self.ring_end = part_pos + part.len() as u64;
    }
}

/// Appends `part` to `buf` and keeps only its last `keep` bytes: the tail of a stream
/// searched in pushes, for a match that straddles two of them.
pub(super) fn keep_last(buf: &mut Vec<u8>, part: &[u8], keep: usize) {
    if part.len() >= keep {
        buf.clear();
        buf.extend_from_slice(&part[part.len() - keep..]);
    } else {
        buf.extend_from_slice(part);
        let excess = buf.len().saturating_sub(keep);
        buf.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &[u8] = b"\0.shstrtab\0";
    const BEHIND: usize = 8 << 10;
    const AHEAD: u64 = 8 << 10;

    fn marker(from: u64) -> Marker {
        let mut m = Marker::new(NAME, 1, BEHIND, AHEAD);
        m.search(std::iter::once(from..u64::MAX).collect());
        m
    }

    #[test]
    fn keeps_the_bytes_around_the_name_across_pushes() {
        let mut file = vec![b'x'; 100_000];
        file[60_000..60_011].copy_from_slice(NAME);
        let mut f = marker(10_000);
        let mut got = Vec::new();
        for (i, piece) in file.chunks(4099).enumerate() {
            got.extend(f.feed((i * 4099) as u64, piece));
        }
        assert_eq!(got.len(), 1);
        let (start, bytes, end) = &got[0];
        assert_eq!(*start, 60_000 - BEHIND as u64);
        assert_eq!(*end, 60_011 + AHEAD);
        // What was kept so far matches the file; the rest is filled by the caller.
        assert_eq!(
            &file[*start as usize..*start as usize + bytes.len()],
            &bytes[..]
        );
        assert!(bytes.len() > BEHIND);
    }

    #[test]
    fn a_name_cut_in_two_is_found() {
        let mut file = vec![b'x'; 20_000];
        file[12_000..12_011].copy_from_slice(NAME);
        let mut f = marker(0);
        let a = f.feed(0, &file[..12_005]);
        let b = f.feed(12_005, &file[12_005..]);
        assert!(a.is_empty());
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].0, 12_000 - BEHIND as u64);
    }

    #[test]
    fn only_aligned_hits_inside_the_ranges_count() {
        let mut file = vec![b'x'; 1000];
        file[101..112].copy_from_slice(NAME);
        file[496..507].copy_from_slice(NAME);
        file[800..811].copy_from_slice(NAME);
        let mut m = Marker::new(NAME, 16, 0, 10);
        m.search(std::iter::once(0..700).collect());
        let got = m.feed(0, &file);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0, got[0].2), (496, 517));
        assert_eq!(&got[0].1[..], &file[496..517]);
    }
}
