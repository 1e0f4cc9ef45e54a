//! Where the section names are, found by their content. The section headers come last, so
//! by the time they say where `.shstrtab` is, it went by: GNU ld puts it just before them
//! (a window kept in front of them covers it), but lld puts the whole symbol string table
//! in between. Every linker names the table `.shstrtab` inside itself, so the bytes around
//! that name, among the sections that are not loaded, are kept as they pass.

use memchr::memmem::Finder;
use std::sync::OnceLock;

const NAME: &[u8] = b"\0.shstrtab\0";
/// Kept on either side of the name: a program's section names take a few hundred bytes.
const BEHIND: usize = 8 << 10;
const AHEAD: u64 = 8 << 10;
/// Windows kept per file (the name may also occur in debug strings).
const MAX_WINDOWS: usize = 4;

fn finder() -> &'static Finder<'static> {
    static F: OnceLock<Finder<'static>> = OnceLock::new();
    F.get_or_init(|| Finder::new(NAME))
}

/// A range to keep: `(start, bytes from start up to the current position, end)`.
pub type Window = (u64, Vec<u8>, u64);

#[derive(Default)]
pub struct NameFinder {
    /// Searching starts here: the end of the loaded segments.
    from: u64,
    /// The last bytes searched, ending at `ring_end`.
    ring: Vec<u8>,
    ring_end: u64,
    windows: usize,
}

impl NameFinder {
    pub fn new(from: u64) -> NameFinder {
        NameFinder {
            from,
            ..Default::default()
        }
    }

    /// `bytes` are the file's at `pos`; returns the windows that start to be kept here.
    pub fn feed(&mut self, pos: u64, bytes: &[u8]) -> Vec<Window> {
        let end = pos + bytes.len() as u64;
        if end <= self.from || self.windows >= MAX_WINDOWS {
            return Vec::new();
        }
        let part_pos = pos.max(self.from);
        let part = &bytes[(part_pos - pos) as usize..];
        let mut hits = Vec::new();
        if self.ring_end == part_pos && !self.ring.is_empty() {
            let keep = self.ring.len().min(NAME.len() - 1);
            let mut seam = self.ring[self.ring.len() - keep..].to_vec();
            seam.extend_from_slice(&part[..part.len().min(NAME.len() - 1)]);
            hits.extend(
                finder()
                    .find_iter(&seam)
                    .map(|at| part_pos - keep as u64 + at as u64),
            );
        }
        hits.extend(finder().find_iter(part).map(|at| part_pos + at as u64));
        let ring_start = self.ring_end - self.ring.len() as u64;
        let mut out: Vec<Window> = Vec::new();
        for h in hits {
            if self.windows >= MAX_WINDOWS {
                break;
            }
            let start = h.saturating_sub(BEHIND as u64).max(self.from);
            let start = if self.ring_end == part_pos {
                start.max(ring_start)
            } else {
                start.max(part_pos)
            };
            if out.last().is_some_and(|w| w.0 == start) {
                continue;
            }
            let mut kept = Vec::new();
            if start < part_pos {
                kept.extend_from_slice(&self.ring[(start - ring_start) as usize..]);
            }
            kept.extend_from_slice(&part[(start.max(part_pos) - part_pos) as usize..]);
            let stop = h + NAME.len() as u64 + AHEAD;
            kept.truncate((stop - start) as usize);
            out.push((start, kept, stop));
            self.windows += 1;
        }
        // Keep the last BEHIND bytes searched for a name found in what comes next.
        if self.ring_end != part_pos {
            self.ring.clear();
        }
        // (and the name itself, should it be cut by the next push).
        let keep = BEHIND + NAME.len();
        if part.len() >= keep {
            self.ring.clear();
            self.ring.extend_from_slice(&part[part.len() - keep..]);
        } else {
            self.ring.extend_from_slice(part);
            let excess = self.ring.len().saturating_sub(keep);
            self.ring.drain(..excess);
        }
        self.ring_end = end;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_bytes_around_the_name_across_pushes() {
        let mut file = vec![b'x'; 100_000];
        file[60_000..60_011].copy_from_slice(NAME);
        let mut f = NameFinder::new(10_000);
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
        let mut f = NameFinder::new(0);
        let a = f.feed(0, &file[..12_005]);
        let b = f.feed(12_005, &file[12_005..]);
        assert!(a.is_empty());
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].0, 12_000 - BEHIND as u64);
    }
}
