//! An ELF file of which only some byte ranges were kept while it streamed by.
//!
//! `object` reads through [`ReadRef`]; a read inside a kept range succeeds as on the whole
//! file, a read that touches anything else fails like a read out of bounds, so the
//! inspection code treats a missing range as it treats a lying offset.

use object::ReadRef;
use std::ops::Range;

/// The kept ranges of a file of `len` bytes.
#[derive(Debug, Default)]
pub struct Sparse {
    len: u64,
    /// `(offset, bytes)`; ranges may overlap.
    pub(super) pieces: Vec<(u64, Vec<u8>)>,
}

impl Sparse {
    pub fn new(len: u64, pieces: Vec<(u64, Vec<u8>)>) -> Sparse {
        Sparse { len, pieces }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// Bytes held, all ranges together.
    pub fn kept_bytes(&self) -> u64 {
        self.pieces.iter().map(|(_, b)| b.len() as u64).sum()
    }

    /// The bytes at `offset..offset + size` when one kept range holds them all.
    pub fn get(&self, offset: u64, size: u64) -> Option<&[u8]> {
        let end = offset.checked_add(size)?;
        self.pieces.iter().find_map(|(start, bytes)| {
            let piece_end = start + bytes.len() as u64;
            (offset >= *start && end <= piece_end)
                .then(|| &bytes[(offset - start) as usize..(end - start) as usize])
        })
    }

    /// Like [`Sparse::get`], clipped to what is kept from `offset` on (for searches that
    /// look at a prefix of a region).
    pub fn get_prefix(&self, offset: u64, size: u64) -> Option<&[u8]> {
        self.pieces.iter().find_map(|(start, bytes)| {
            let piece_end = start + bytes.len() as u64;
            (offset >= *start && offset < piece_end).then(|| {
                let from = (offset - start) as usize;
                let to = (offset.saturating_add(size).min(piece_end) - start) as usize;
                &bytes[from..to]
            })
        })
    }
}

impl<'a> ReadRef<'a> for &'a Sparse {
    fn len(self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        if size == 0 && offset <= self.len {
            return Ok(&[]);
        }
        self.get(offset, size).ok_or(())
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        let kept = self.get_prefix(range.start, u64::MAX).ok_or(())?;
        let wanted = usize::try_from(range.end.saturating_sub(range.start)).unwrap_or(usize::MAX);
        let window = &kept[..kept.len().min(wanted)];
        memchr::memchr(delimiter, window)
            .map(|i| &window[..i])
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_a_kept_range_only() {
        let s = Sparse::new(100, vec![(0, b"head\0x".to_vec()), (50, b"mid\0".to_vec())]);
        let r = &s;
        assert_eq!(r.read_bytes_at(0, 4), Ok(&b"head"[..]));
        assert_eq!(r.read_bytes_at(51, 2), Ok(&b"id"[..]));
        assert_eq!(r.read_bytes_at(4, 10), Err(()), "runs past the kept bytes");
        assert_eq!(r.read_bytes_at(20, 1), Err(()), "never kept");
        assert_eq!(r.read_bytes_at(99, 0), Ok(&[][..]));
        assert_eq!(r.read_bytes_at_until(50..100, 0), Ok(&b"mid"[..]));
        assert_eq!(r.read_bytes_at_until(1..3, 0), Err(()), "no NUL in range");
        assert_eq!(ReadRef::len(r), Ok(100));
        assert_eq!(s.get_prefix(2, 1000), Some(&b"ad\0x"[..]));
    }
}
