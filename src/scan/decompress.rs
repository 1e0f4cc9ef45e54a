//! Compression sniffed from magic bytes (never from media types, which lie: skopeo labels
//! plain tars as gzip), with digests computed on the fly over both the stored and the
//! uncompressed stream.

use super::hasher::StreamHasher;
use std::io::{self, BufRead, Read};

pub use crate::image::Compression;

/// Sniffs the first bytes of a blob. `None` means it is none of the three.
pub fn sniff(head: &[u8]) -> Option<Compression> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || is_zstd_skippable(head) {
        Some(Compression::Zstd)
    } else if head.is_empty() || looks_like_tar(head) {
        Some(Compression::Plain)
    } else {
        None
    }
}

/// A zstd stream may open with a skippable frame (magic 0x184D2A50..5F, little-endian),
/// which zstd and containerd's decoder pass over (RFC 8878 §3.1.2).
fn is_zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

/// A tar header has `ustar` at 257, or (old v7 tars, and the end-of-archive marker) a
/// valid octal checksum; an all-zero block is an empty archive.
fn looks_like_tar(head: &[u8]) -> bool {
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return true;
    }
    if head.len() >= 512 && head[..512].iter().all(|&b| b == 0) {
        return true;
    }
    if head.len() >= 512 {
        let stored = std::str::from_utf8(&head[148..156])
            .ok()
            .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
            .and_then(|s| u32::from_str_radix(s, 8).ok());
        let sum: u32 = head[..512]
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    b as u32
                }
            })
            .sum();
        return stored == Some(sum);
    }
    false
}

/// Counts and sha256-hashes what passes through, and reports progress: what is read
/// through it, or, when a decoder reads through the source's buffer, what it consumes.
pub struct HashReader<'p, R> {
    inner: R,
    tally: Tally<'p>,
}

struct Tally<'p> {
    hasher: Option<StreamHasher>,
    count: u64,
    progress: Option<&'p (dyn Fn(u64) + Sync)>,
    reported: u64,
}

impl Tally<'_> {
    fn passed(&mut self, bytes: &[u8]) {
        if let Some(h) = &mut self.hasher {
            h.update(bytes);
        }
        self.count += bytes.len() as u64;
        if let Some(p) = self.progress
            && (self.count - self.reported >= 1 << 22 || bytes.is_empty())
        {
            p(self.count);
            self.reported = self.count;
        }
    }
}

impl<'p, R> HashReader<'p, R> {
    pub fn new(inner: R, hash: bool, progress: Option<&'p (dyn Fn(u64) + Sync)>) -> Self {
        HashReader {
            inner,
            tally: Tally {
                hasher: hash.then(StreamHasher::default),
                count: 0,
                progress,
                reported: 0,
            },
        }
    }

    /// Bytes passed so far.
    pub fn count(&self) -> u64 {
        self.tally.count
    }

    /// Stops hashing (what was hashed so far is dropped): a plain tar's digest is taken
    /// from the stream handed to the tar walk instead, without another copy.
    pub fn stop_hashing(&mut self) {
        self.tally.hasher = None;
    }

    /// `sha256:<hex>` of everything read so far (empty when hashing was off), and the
    /// reader it wrapped.
    pub fn finish(self) -> (String, R) {
        let digest = match self.tally.hasher {
            Some(h) => h.finish(),
            None => String::new(),
        };
        (digest, self.inner)
    }
}

impl<R: Read> Read for HashReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tally.passed(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for HashReader<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            self.tally.passed(&[]);
        }
        Ok(buf)
    }

    fn consume(&mut self, n: usize) {
        // The bytes `fill_buf` just returned: asking again hands back the same slice.
        if let Ok(buf) = self.inner.fill_buf() {
            self.tally.passed(&buf[..n.min(buf.len())]);
        }
        self.inner.consume(n);
    }
}

/// The decompressing reader for one blob, reading through the blob's own buffer (no copy
/// into another), and able to give back its source so the rest of the blob can be drained
/// (and so fully hashed).
pub enum Decoder<R: BufRead> {
    Gzip(Box<flate2::bufread::MultiGzDecoder<Sniffed<R>>>),
    Zstd(zstd::stream::read::Decoder<'static, Sniffed<R>>),
    Plain(Sniffed<R>),
}

/// A blob after sniffing: the bytes taken to sniff it (when its first buffer was too
/// short to hold them), then the rest.
pub type Sniffed<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// What sniffing reads: a tar header.
const SNIFF: usize = 512;

impl<R: BufRead> Decoder<R> {
    /// Peeks at the blob and wraps it in the matching decoder.
    pub fn new(mut inner: R) -> io::Result<(Decoder<R>, Option<Compression>)> {
        let mut head = Vec::new();
        let kind = {
            let first = inner.fill_buf()?;
            if first.len() >= SNIFF {
                sniff(first)
            } else {
                // A file's first read gives 512 bytes, but a download's first chunk is what
                // came with the response headers, which may be a few bytes.
                while head.len() < SNIFF {
                    let buf = inner.fill_buf()?;
                    if buf.is_empty() {
                        break;
                    }
                    let take = buf.len().min(SNIFF - head.len());
                    head.extend_from_slice(&buf[..take]);
                    inner.consume(take);
                }
                sniff(&head)
            }
        };
        let source = io::Cursor::new(head).chain(inner);
        let dec = match kind {
            Some(Compression::Gzip) => {
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(source)))
            }
            Some(Compression::Zstd) => {
                Decoder::Zstd(zstd::stream::read::Decoder::with_buffer(source)?)
            }
            _ => Decoder::Plain(source),
        };
        Ok((dec, kind))
    }

    /// The source of a plain tar (None for a compressed one).
    pub fn plain_source(&mut self) -> Option<&mut R> {
        match self {
            Decoder::Plain(r) => Some(r.get_mut().1),
            _ => None,
        }
    }

    /// Reads the compressed source to its end and returns it.
    pub fn finish(self) -> io::Result<R> {
        let mut source = match self {
            Decoder::Gzip(d) => d.into_inner(),
            Decoder::Zstd(d) => d.finish(),
            Decoder::Plain(r) => r,
        };
        io::copy(&mut source, &mut io::sink())?;
        Ok(source.into_inner().1)
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(out),
            Decoder::Zstd(d) => d.read(out),
            // A plain tar is read in the pipeline's big chunks, which a file's buffered
            // reader passes straight through instead of copying.
            Decoder::Plain(r) => r.read(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn sniffs_by_magic() -> TestResult {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello")?;
        let gz = gz.finish()?;
        assert_eq!(sniff(&gz), Some(Compression::Gzip));
        let zs = zstd::encode_all(&b"hello"[..], 1)?;
        assert_eq!(sniff(&zs), Some(Compression::Zstd));
        assert_eq!(sniff(&[0u8; 1024]), Some(Compression::Plain));
        assert_eq!(sniff(b"{\"not\": \"a tar\"}"), None);
        Ok(())
    }

    /// Issue 18 §8: a skippable frame (here 0x184D2A5E, 4 bytes of payload) first.
    #[test]
    fn zstd_opening_with_a_skippable_frame_is_zstd() -> TestResult {
        let mut blob = vec![0x5e, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
        blob.extend(zstd::encode_all(&b"hello"[..], 1)?);
        assert_eq!(sniff(&blob), Some(Compression::Zstd));
        let (mut dec, _) = Decoder::new(&blob[..])?;
        let mut s = String::new();
        dec.read_to_string(&mut s)?;
        assert_eq!(s, "hello");
        Ok(())
    }

    #[test]
    fn multi_member_gzip_reads_all_members() -> TestResult {
        let mut all = Vec::new();
        for part in [&b"first "[..], b"second"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part)?;
            all.extend(gz.finish()?);
        }
        let (mut dec, kind) = Decoder::new(&all[..])?;
        assert_eq!(kind, Some(Compression::Gzip));
        let mut s = String::new();
        dec.read_to_string(&mut s)?;
        assert_eq!(s, "first second");
        Ok(())
    }
}
