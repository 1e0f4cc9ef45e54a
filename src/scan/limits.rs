//! Bounds on what one layer may make the scan hold or do, whatever its headers claim.
//!
//! The `tar` crate reads GNU long names (`L`, `K`) and PAX records (`x`) whole into memory
//! with `read_to_end`, trusting the header's size: a gzip bomb whose long-name member
//! declares 10 GB would be buffered whole. [`Fenced`] stops that: between the end of one
//! entry's data and the next entry, the tar reader may consume at most
//! [`MAX_ENTRY_METADATA`] bytes (padding, headers, long names, PAX records, sparse maps).

use super::ScanError;
use std::cell::Cell;
use std::io::{self, BufRead, Read, Seek, SeekFrom};

/// Metadata the tar reader may read before the next entry (Go's archive/tar caps a PAX
/// header at 1 MiB; sparse maps of big sparse files need more).
pub const MAX_ENTRY_METADATA: u64 = 16 << 20;
/// Content kept for analyses, summed over one layer (each file is also capped by
/// `capture::MAX_CAPTURE`): a layer of many 60 MB `package.json` costs no more than this.
pub const MAX_CAPTURED_TOTAL: u64 = 256 << 20;
/// Zeros the scan reads back from the holes of GNU sparse files, summed over one layer.
/// A sparse header can declare an exabyte of holes at no cost; hashing them would hang.
pub const MAX_SPARSE_EXPANSION: u64 = 1 << 30;

/// How far into the uncompressed tar stream the tar reader may read right now.
pub struct Fence {
    pos: Cell<u64>,
    limit: Cell<u64>,
}

impl Default for Fence {
    fn default() -> Self {
        Fence {
            pos: Cell::new(0),
            limit: Cell::new(MAX_ENTRY_METADATA),
        }
    }
}

impl Fence {
    /// Lets the reader go to `data_end` (the end of the current entry's stored data) and
    /// then through the metadata of the next entry.
    pub fn allow_until(&self, data_end: u64) {
        self.limit.set(
            data_end
                .saturating_add(MAX_ENTRY_METADATA)
                .max(self.pos.get()),
        );
    }

    /// Bytes of the stream read so far.
    pub fn pos(&self) -> u64 {
        self.pos.get()
    }
}

/// A reader that refuses to go past its [`Fence`]. It reads in place: the walk takes a
/// small file's bytes and skips padding straight from the stream's own buffer.
pub struct Fenced<'f, R> {
    inner: R,
    fence: &'f Fence,
}

impl<'f, R> Fenced<'f, R> {
    pub fn new(inner: R, fence: &'f Fence) -> Self {
        Fenced { inner, fence }
    }

    pub fn fence(&self) -> &'f Fence {
        self.fence
    }

    /// Bytes that may be read now; an error when none may.
    fn room(&self) -> io::Result<usize> {
        let room = self.fence.limit.get() - self.fence.pos.get();
        if room == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "more than {} MiB of tar metadata before one entry (oversized long name or PAX header)",
                    MAX_ENTRY_METADATA >> 20
                ),
            ));
        }
        Ok(usize::try_from(room).unwrap_or(usize::MAX))
    }
}

impl<R: BufRead> BufRead for Fenced<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let room = self.room()?;
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..buf.len().min(room)])
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.fence.pos.set(self.fence.pos.get() + n as u64);
    }
}

impl<R: BufRead> Read for Fenced<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let available = self.fill_buf()?;
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Forward only, by reading: the stream is not seekable, and the tar reader only ever
/// skips ahead (padding, unread entries). Skipped bytes are passed over in place.
impl<R: BufRead> Seek for Fenced<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let SeekFrom::Current(ahead) = pos else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a layer stream only skips ahead",
            ));
        };
        let mut left = u64::try_from(ahead).map_err(|_| {
            io::Error::new(io::ErrorKind::Unsupported, "a layer stream cannot go back")
        })?;
        while left > 0 {
            let available = match self.fill_buf() {
                Ok([]) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                Ok(b) => b.len(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let n = available.min(usize::try_from(left).unwrap_or(usize::MAX));
            self.consume(n);
            left -= n as u64;
        }
        Ok(self.fence.pos.get())
    }
}

/// Apparent bytes GNU sparse files may claim in one layer (1 PiB; the worst real case
/// known, a `useradd` lastlog, is 327 GB). Past it the layer is corrupt: such sizes would
/// overflow the image's byte totals.
pub const MAX_SPARSE_CLAIMED: u64 = 1 << 50;

/// Bytes of directory names a layer's paths may imply, counted as depth × length / 2 per
/// path (a path's ancestors spelled out). compare and the app store each directory's path
/// once (`image::SharedPath`), but the app's directory index still hashes each one whole,
/// so this bounds that time; real layers imply a few tens of MB (a million 40-byte paths
/// three deep: 60 MB).
pub const MAX_IMPLIED_DIR_BYTES: u64 = 1 << 30;

/// What is left of a layer's budgets while it is walked.
pub struct Budgets {
    pub captured: u64,
    pub sparse: u64,
    pub sparse_claimed: u64,
    pub implied_dirs: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            captured: MAX_CAPTURED_TOTAL,
            sparse: MAX_SPARSE_EXPANSION,
            sparse_claimed: MAX_SPARSE_CLAIMED,
            implied_dirs: MAX_IMPLIED_DIR_BYTES,
        }
    }
}

/// Whether a budget lets the scan read a file, or why not (a warning for the report).
pub enum Admit {
    Yes,
    No(String),
}

impl Budgets {
    /// Charges `path`'s ancestors to the layer; a layer past [`MAX_IMPLIED_DIR_BYTES`] is
    /// refused (issue 17: memory quadratic in path length downstream).
    pub fn admit_path(&mut self, path: &str) -> Result<(), ScanError> {
        let depth = slashes(path.as_bytes());
        let cost = depth.saturating_mul(path.len() as u64) / 2;
        self.implied_dirs = self.implied_dirs.checked_sub(cost).ok_or_else(|| {
            ScanError::Corrupt(format!(
                "paths imply more than {} MiB of directory names (the last is {} bytes, {} \
                 levels deep)",
                MAX_IMPLIED_DIR_BYTES >> 20,
                path.len(),
                depth
            ))
        })?;
        Ok(())
    }

    /// A GNU sparse file of `size` apparent bytes: read it (holes and all) while the
    /// layer's expansion budget lasts; a layer claiming absurd totals is corrupt.
    pub fn admit_sparse(&mut self, path: &str, size: u64) -> Result<Admit, ScanError> {
        self.sparse_claimed = self.sparse_claimed.checked_sub(size).ok_or_else(|| {
            ScanError::Corrupt(format!(
                "sparse files claim more than {} TiB",
                MAX_SPARSE_CLAIMED >> 40
            ))
        })?;
        if size > self.sparse {
            return Ok(Admit::No(format!(
                "sparse file {path:?} ({size} bytes with holes) not read: the layer's sparse files exceed {} MiB",
                MAX_SPARSE_EXPANSION >> 20
            )));
        }
        self.sparse -= size;
        Ok(Admit::Yes)
    }

    /// A file whose content an analysis wants kept.
    pub fn admit_capture(&mut self, path: &str, size: u64) -> Admit {
        if size > self.captured {
            return Admit::No(format!(
                "{path:?} not read: the layer's package databases and manifests exceed {} MiB",
                MAX_CAPTURED_TOTAL >> 20
            ));
        }
        self.captured -= size;
        Admit::Yes
    }
}

/// The `/` in a path, counted in u8 lanes (a count in `usize` lanes, as `filter().count()`
/// makes it, took four bytes per step: 140 instructions for a 26-byte path).
fn slashes(path: &[u8]) -> u64 {
    path.chunks(255)
        .map(|c| u64::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'/'))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn slashes_are_counted_in_paths_of_any_length() {
        for len in [0usize, 1, 26, 254, 255, 256, 511, 1000] {
            for every in [1usize, 2, 7] {
                let path: Vec<u8> = (0..len)
                    .map(|i| if i % every == 0 { b'/' } else { b'a' })
                    .collect();
                let want = path.iter().filter(|&&b| b == b'/').count() as u64;
                assert_eq!(slashes(&path), want, "{len} bytes, every {every}");
            }
        }
    }

    #[test]
    fn fence_stops_reads_past_the_limit() -> TestResult {
        let fence = Fence::default();
        let data = vec![0u8; (MAX_ENTRY_METADATA + 10) as usize];
        let mut r = Fenced::new(&data[..], &fence);
        let err = io::copy(&mut r, &mut io::sink()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        fence.allow_until(MAX_ENTRY_METADATA);
        assert_eq!(io::copy(&mut r, &mut io::sink())?, 10);
        Ok(())
    }

    #[test]
    fn skipping_ahead_reads_through_the_fence_and_reports_the_position() -> TestResult {
        let fence = Fence::default();
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let mut r = Fenced::new(&data[..], &fence);
        assert_eq!(r.seek(SeekFrom::Current(70_000))?, 70_000);
        let mut next = [0u8; 1];
        r.read_exact(&mut next)?;
        assert_eq!(next[0], 70_000u32 as u8);
        let e = r.seek(SeekFrom::Current(-1)).unwrap_err().to_string();
        assert!(e.contains("cannot go back"), "{e}");
        let e = r.seek(SeekFrom::Start(0)).unwrap_err().to_string();
        assert!(e.contains("only skips ahead"), "{e}");
        let past_end = r.seek(SeekFrom::Current(40_000)).unwrap_err();
        assert_eq!(past_end.kind(), io::ErrorKind::UnexpectedEof);

        let fenced_off = Fence::default();
        let big = vec![0u8; (MAX_ENTRY_METADATA + 10) as usize];
        let mut r = Fenced::new(&big[..], &fenced_off);
        let err = r.seek(SeekFrom::Current(big.len() as i64)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        Ok(())
    }
}
