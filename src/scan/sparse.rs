//! GNU tar's PAX sparse formats (`tar --sparse --format=pax`, versions 0.0, 0.1 and 1.0),
//! read as GNU tar, Go's archive/tar and Python's tarfile read them: the file's name is
//! `GNU.sparse.name` (the header's `GNUSparseFile.<pid>/NAME` is a decoy for old readers),
//! its size is the apparent one (`GNU.sparse.size` or `GNU.sparse.realsize`), and its
//! content is the stored chunks placed at their offsets with zeros in the holes. The map is
//! in the PAX records (0.0: repeated `offset`/`numbytes`; 0.1: `map`) or, for 1.0, in
//! 512-byte blocks at the start of the data. Old-GNU sparse (type `S`) is the tar crate's.

use super::ScanError;
use std::io::{self, Read};

/// A 1.0 map opening the data may take this many bytes (Go's archive/tar caps it at 1 MiB).
const MAX_MAP_BYTES: usize = 1 << 20;
/// Chunks a map may list (a PAX header is fenced at 16 MiB; this bounds the 0.x maps too).
const MAX_CHUNKS: usize = 1 << 20;

/// A regular entry that is a PAX sparse file.
#[derive(Debug)]
pub struct PaxSparse {
    pub name: Option<Vec<u8>>,
    pub apparent: u64,
    /// (offset, length) of each stored chunk; None for 1.0, where the data opens with it.
    map: Option<Vec<(u64, u64)>>,
}

fn corrupt(why: &str) -> ScanError {
    ScanError::Corrupt(format!("GNU sparse file: {why}"))
}

fn number(v: &[u8]) -> Result<u64, ScanError> {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| corrupt("a number in its map is not one"))
}

/// The PAX sparse records of an entry, if it has any (of a version Go knows: else it is
/// read as the plain file it claims to be, as Go does).
pub(super) fn detect(te: &mut dyn super::member::Member) -> Result<Option<PaxSparse>, ScanError> {
    let Some(records) = te.pax_extensions()? else {
        return Ok(None);
    };
    let (mut major, mut minor, mut name, mut size, mut map) = (None, None, None, None, None);
    let mut pairs: Vec<u64> = Vec::new();
    // A malformed record is skipped, as the tar crate skips it when it reads `path`.
    for r in records.flatten() {
        let v = r.value_bytes();
        match r.key_bytes() {
            b"GNU.sparse.major" => major = Some(v.to_vec()),
            b"GNU.sparse.minor" => minor = Some(v.to_vec()),
            b"GNU.sparse.name" => name = Some(v.to_vec()),
            b"GNU.sparse.size" | b"GNU.sparse.realsize" => size = Some(number(v)?),
            b"GNU.sparse.map" => map = Some(v.to_vec()),
            b"GNU.sparse.offset" | b"GNU.sparse.numbytes" if pairs.len() < 2 * MAX_CHUNKS => {
                pairs.push(number(v)?)
            }
            _ => {}
        }
    }
    let v1 = match (major.as_deref(), minor.as_deref()) {
        (Some(b"1"), Some(b"0")) => true,
        (Some(b"0"), Some(b"0" | b"1")) => false,
        (None, None) if map.is_some() || !pairs.is_empty() => false,
        _ => return Ok(None),
    };
    let map = if v1 {
        None
    } else if let Some(text) = map {
        let numbers: Result<Vec<u64>, _> = text.split(|&b| b == b',').map(number).collect();
        Some(as_chunks(&numbers?)?)
    } else {
        Some(as_chunks(&pairs)?)
    };
    Ok(Some(PaxSparse {
        name: name.filter(|n| !n.is_empty()),
        apparent: size.unwrap_or_else(|| te.size()),
        map,
    }))
}

fn as_chunks(numbers: &[u64]) -> Result<Vec<(u64, u64)>, ScanError> {
    if !numbers.len().is_multiple_of(2) || numbers.len() > 2 * MAX_CHUNKS {
        return Err(corrupt("its map is not offset/length pairs"));
    }
    Ok(numbers.chunks(2).map(|c| (c[0], c[1])).collect())
}

/// The 1.0 map: a count, then offset and length per chunk, one decimal per line, padded
/// to whole 512-byte blocks. Returns the chunks and the bytes it took.
fn read_v1_map(data: &mut impl Read) -> Result<(Vec<(u64, u64)>, u64), ScanError> {
    let mut text = Vec::new();
    let mut block = [0u8; 512];
    let mut numbers: Vec<u64> = Vec::new();
    loop {
        data.read_exact(&mut block)
            .map_err(|_| corrupt("its map ends early"))?;
        let start = text.len();
        text.extend_from_slice(&block);
        // Whole lines only: a number may straddle two blocks.
        let mut line_start = text[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        for i in start..text.len() {
            if text[i] != b'\n' {
                continue;
            }
            numbers.push(number(&text[line_start..i])?);
            line_start = i + 1;
            let want = numbers
                .first()
                .map(|&n| n.saturating_mul(2).saturating_add(1));
            if want.is_some_and(|w| numbers.len() as u64 >= w) {
                let chunks = as_chunks(&numbers[1..])?;
                return Ok((chunks, text.len() as u64));
            }
        }
        if text.len() >= MAX_MAP_BYTES {
            return Err(corrupt("its map is larger than 1 MiB"));
        }
    }
}

/// The apparent content of a PAX sparse file: its stored chunks at their offsets, zeros
/// between and after them.
pub struct Expand<R> {
    data: R,
    chunks: std::vec::IntoIter<(u64, u64)>,
    /// Next (offset, length) once the current chunk is read.
    pending: Option<(u64, u64)>,
    in_chunk: u64,
    pos: u64,
    apparent: u64,
}

impl<R: Read> Expand<R> {
    /// `stored` is the entry's data size in the archive (map included, for 1.0).
    pub fn open(mut data: R, sparse: PaxSparse, stored: u64) -> Result<Self, ScanError> {
        let (chunks, map_bytes) = match sparse.map {
            Some(m) => (m, 0),
            None => read_v1_map(&mut data)?,
        };
        let mut end = 0u64;
        let mut total = 0u64;
        for &(offset, len) in &chunks {
            let chunk_end = offset.checked_add(len).filter(|&e| e <= sparse.apparent);
            match chunk_end {
                Some(e) if offset >= end => end = e,
                _ => return Err(corrupt("its chunks overlap, go backwards or pass its size")),
            }
            total += len;
        }
        if Some(total) != stored.checked_sub(map_bytes) {
            return Err(corrupt(&format!(
                "its map lists {total} stored bytes, the archive holds {}",
                stored.saturating_sub(map_bytes)
            )));
        }
        let mut chunks = chunks.into_iter();
        Ok(Expand {
            data,
            pending: chunks.next(),
            chunks,
            in_chunk: 0,
            pos: 0,
            apparent: sparse.apparent,
        })
    }
}

impl<R: Read> Read for Expand<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.in_chunk > 0 {
                let want = buf
                    .len()
                    .min(usize::try_from(self.in_chunk).unwrap_or(usize::MAX));
                let n = self.data.read(&mut buf[..want])?;
                if n == 0 && want > 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                self.in_chunk -= n as u64;
                self.pos += n as u64;
                return Ok(n);
            }
            let hole_end = match self.pending {
                Some((offset, len)) if self.pos >= offset => {
                    self.in_chunk = len;
                    self.pending = self.chunks.next();
                    continue;
                }
                Some((offset, _)) => offset,
                None => self.apparent,
            };
            let n = buf
                .len()
                .min(usize::try_from(hole_end - self.pos).unwrap_or(usize::MAX));
            buf[..n].fill(0);
            self.pos += n as u64;
            return Ok(n);
        }
    }
}

#[cfg(test)]
#[path = "sparse_tests.rs"]
mod tests;
