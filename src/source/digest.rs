//! Digests of every algorithm the OCI image spec registers (sha256, sha512), checked over
//! the whole blob whatever the transfer; any other algorithm is an error, never a pass.

use super::SourceError;
use sha2::{Digest, Sha256, Sha512};
use std::io::{self, BufRead, Read};

/// A running hash of one of the registered algorithms.
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// The hasher for `digest` (`ALG:HEX`); an unregistered algorithm or a hex of the
    /// wrong length is refused.
    pub fn for_digest(digest: &str) -> Result<Hasher, SourceError> {
        let (alg, hex) = digest.split_once(':').unwrap_or(("", digest));
        let (hasher, len) = match alg {
            "sha256" => (Hasher::Sha256(Sha256::new()), 64),
            "sha512" => (Hasher::Sha512(Sha512::new()), 128),
            _ => {
                return Err(SourceError::Unsupported(format!(
                    "digest {digest:?}: algorithm {alg:?} is not one microscope can verify \
                     (sha256, sha512)"
                )));
            }
        };
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SourceError::Corrupt(format!(
                "digest {digest:?} is not {alg} followed by {len} hex digits"
            )));
        }
        Ok(hasher)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// `ALG:HEX` of what was hashed.
    pub fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// Checks `bytes` against `expected`, of any registered algorithm.
pub fn verify(bytes: &[u8], expected: &str, what: &str) -> Result<(), SourceError> {
    let mut h = Hasher::for_digest(expected)?;
    h.update(bytes);
    let actual = h.finish();
    if actual != expected {
        return Err(SourceError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// A blob stream hashed as it is consumed; at its end, an error if it does not hash to
/// the digest that names it. Used for the digests the scan does not compute itself.
pub struct Verifying<R> {
    inner: R,
    hasher: Option<Hasher>,
    expected: String,
}

impl<R: BufRead> Verifying<R> {
    pub fn new(inner: R, expected: &str) -> Result<Self, SourceError> {
        Ok(Verifying {
            inner,
            hasher: Some(Hasher::for_digest(expected)?),
            expected: expected.to_string(),
        })
    }
}

impl<R: BufRead> BufRead for Verifying<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let at_end = self.inner.fill_buf()?.is_empty();
        if at_end && let Some(h) = self.hasher.take() {
            let actual = h.finish();
            if actual != self.expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "blob digest mismatch: expected {}, got {actual}",
                        self.expected
                    ),
                ));
            }
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if let Some(h) = self.hasher.as_mut()
            && let Ok(buf) = self.inner.fill_buf()
        {
            h.update(&buf[..n.min(buf.len())]);
        }
        self.inner.consume(n);
    }
}

impl<R: BufRead> Read for Verifying<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = out.len().min(buf.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

/// A blob stream that may not run past its descriptor's size: the bytes after it are an
/// error, not more of the blob (a symlink to `/dev/zero`, a registry that never stops).
pub struct Bounded<R> {
    inner: R,
    left: u64,
    what: String,
}

impl<R: BufRead> Bounded<R> {
    pub fn new(inner: R, size: u64, what: &str) -> Self {
        Bounded {
            inner,
            left: size,
            what: what.to_string(),
        }
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let left = self.left;
        let buf = self.inner.fill_buf()?;
        if left == 0 {
            if buf.is_empty() {
                return Ok(buf);
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is longer than its descriptor's size", self.what),
            ));
        }
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        Ok(&buf[..n])
    }

    fn consume(&mut self, n: usize) {
        self.left = self.left.saturating_sub(n as u64);
        self.inner.consume(n);
    }
}

impl<R: BufRead> Read for Bounded<R> {
    /// Reads through the inner reader's own `read`, not its buffer: a `BufReader` then
    /// reads a big request straight into `out`, and the layer's bytes are copied once, from
    /// the file into the pipeline's chunk (through `fill_buf` they were copied twice, 8 %
    /// of a scan's CPU).
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // Past the size: an error if the stream goes on, the end if it does not.
            self.fill_buf()?;
            return Ok(0);
        }
        let max = out
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut out[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn sha512_of(b: &[u8]) -> String {
        format!("sha512:{}", hex::encode(Sha512::digest(b)))
    }

    #[test]
    fn sha512_is_verified_and_unknown_algorithms_refused() {
        let d = sha512_of(b"abc");
        assert!(verify(b"abc", &d, "x").is_ok());
        let e = verify(b"abd", &d, "x").unwrap_err().to_string();
        assert!(e.contains("x digest mismatch"), "{e}");
        let e = verify(b"abc", "md5:900150983cd24fb0d6963f7d28e17f72", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not one microscope can verify"), "{e}");
        let e = verify(b"abc", "sha256:abc", "x").unwrap_err().to_string();
        assert!(e.contains("is not sha256 followed by 64 hex digits"), "{e}");
    }

    #[test]
    fn a_stream_is_checked_at_its_end() -> TestResult {
        let d = sha512_of(b"hello");
        let mut ok = Verifying::new(&b"hello"[..], &d)?;
        let mut out = Vec::new();
        ok.read_to_end(&mut out)?;
        let mut bad = Verifying::new(&b"hellp"[..], &d)?;
        let e = bad.read_to_end(&mut Vec::new()).unwrap_err().to_string();
        assert!(e.contains("blob digest mismatch"), "{e}");
        Ok(())
    }

    #[test]
    fn a_big_read_goes_past_the_inner_buffer() -> TestResult {
        // A read bigger than the BufReader's buffer is served by the file itself, in one
        // call (no copy through the buffer), and still stops at the size.
        let data = vec![7u8; 10_000];
        let inner = std::io::BufReader::with_capacity(1024, &data[..]);
        let mut bounded = Bounded::new(inner, 9_000, "blob");
        let mut out = vec![0u8; 20_000];
        assert_eq!(bounded.read(&mut out)?, 9_000);
        let e = bounded.read(&mut out).unwrap_err().to_string();
        assert!(e.contains("longer than its descriptor's size"), "{e}");
        Ok(())
    }

    #[test]
    fn a_stream_stops_at_its_size() -> TestResult {
        let mut exact = Bounded::new(&b"12345"[..], 5, "blob");
        exact.read_to_end(&mut Vec::new())?;
        let mut long = Bounded::new(&b"123456"[..], 5, "blob");
        let err = long
            .read_to_end(&mut Vec::new())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("blob is longer than its descriptor's size")
        );
        let mut short = Bounded::new(&b"123"[..], 5, "blob");
        let mut out = Vec::new();
        short.read_to_end(&mut out)?;
        assert_eq!(out, b"123", "short blobs are the loader's to report");
        Ok(())
    }
}
