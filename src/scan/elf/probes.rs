//! The few byte strings the inspection looks for in a file's read-only data, found as the
//! file streams by: where each occurs is recorded, and once the section headers are read
//! the inspection asks whether one lies in `.rodata` or in the Go function-name table.

use aho_corasick::AhoCorasick;
use std::ops::Range;
use std::sync::OnceLock;

use super::gobuild::NEED_NAMES;

/// Index of a pattern in [`Probes`]: the Go names of [`NEED_NAMES`] first, then these.
pub const RUSTC: usize = NEED_NAMES.len();
pub const LIBNSS: usize = RUSTC + 1;
const PATTERNS: usize = LIBNSS + 1;

/// The patterns, in index order.
fn patterns() -> [&'static [u8]; PATTERNS] {
    let mut all: [&[u8]; PATTERNS] = [b""; PATTERNS];
    all[..RUSTC].copy_from_slice(&NEED_NAMES);
    all[RUSTC] = b"/rustc/";
    all[LIBNSS] = b"libnss_";
    all
}
/// Occurrences recorded per pattern; past it, later ones are not seen.
const MAX_HITS: usize = 4096;

/// Non-overlapping, leftmost-first search on a DFA: that is what lets the SIMD prefilter
/// (Teddy) skip ahead; the overlapping or standard searches ran the automaton byte by byte
/// (14 % of python-app's CPU, against 1 %). Nothing is lost: no pattern's end is another's
/// beginning.
fn automaton() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(patterns())
            .ok()
    })
    .as_ref()
}

fn longest() -> usize {
    patterns().iter().map(|p| p.len()).max().unwrap_or(0)
}

#[derive(Debug, Default)]
pub struct Probes {
    /// File ranges searched, in file order.
    ranges: Vec<Range<u64>>,
    hits: [Vec<u64>; PATTERNS],
    /// The last bytes searched, for matches that straddle two pushes.
    tail: Vec<u8>,
    tail_end: u64,
}

impl Probes {
    pub fn new(mut ranges: Vec<Range<u64>>) -> Probes {
        ranges.sort_by_key(|r| r.start);
        Probes {
            ranges,
            ..Default::default()
        }
    }

    /// `bytes` are the file's at `pos`.
    pub fn feed(&mut self, pos: u64, bytes: &[u8]) {
        let Some(ac) = automaton() else {
            return;
        };
        let end = pos + bytes.len() as u64;
        for i in 0..self.ranges.len() {
            let r = &self.ranges[i];
            let (lo, hi) = (r.start.max(pos), r.end.min(end));
            if lo >= hi {
                continue;
            }
            let part = &bytes[(lo - pos) as usize..(hi - pos) as usize];
            if self.tail_end == lo && !self.tail.is_empty() {
                // Only matches that begin in the tail and end in `part`: the rest are
                // found by one search or the other.
                let keep = self.tail.len();
                let mut seam = self.tail.clone();
                seam.extend_from_slice(&part[..part.len().min(longest())]);
                let at = lo - keep as u64;
                for m in ac.find_iter(&seam) {
                    if m.start() < keep && m.end() > keep {
                        self.hit(m.pattern().as_usize(), at + m.start() as u64);
                    }
                }
            }
            for m in ac.find_iter(part) {
                self.hit(m.pattern().as_usize(), lo + m.start() as u64);
            }
            if self.tail_end != lo {
                self.tail.clear();
            }
            super::marks::keep_last(&mut self.tail, part, longest().saturating_sub(1));
            self.tail_end = hi;
        }
    }

    fn hit(&mut self, pattern: usize, at: u64) {
        if let Some(hits) = self.hits.get_mut(pattern)
            && hits.len() < MAX_HITS
            && hits.last() != Some(&at)
        {
            hits.push(at);
        }
    }

    /// Whether `pattern` lies wholly inside `within` (a file range).
    pub fn found_in(&self, pattern: usize, within: &Range<u64>) -> bool {
        let len = patterns().get(pattern).map_or(0, |p| p.len() as u64);
        self.hits.get(pattern).is_some_and(|hits| {
            hits.iter()
                .any(|&at| at >= within.start && at.saturating_add(len) <= within.end)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_patterns_inside_the_ranges_and_across_pushes() {
        let mut data = vec![b'.'; 1000];
        data[100..107].copy_from_slice(b"/rustc/");
        data[500..512].copy_from_slice(b"time/tzdata.");
        data[900..907].copy_from_slice(b"libnss_");
        let mut p = Probes::new(std::iter::once(0..600).collect());
        // Pushes cut through the middle of the second pattern.
        for (i, piece) in data.chunks(505).enumerate() {
            p.feed(i as u64 * 505, piece);
        }
        assert!(p.found_in(RUSTC, &(0..200)));
        assert!(!p.found_in(RUSTC, &(101..200)));
        assert!(p.found_in(2, &(400..600)), "straddles two pushes");
        assert!(
            !p.found_in(LIBNSS, &(0..1000)),
            "outside the searched ranges"
        );
    }
}
