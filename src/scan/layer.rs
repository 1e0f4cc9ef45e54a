//! One streaming pass over one layer blob: decompress, walk the tar, hash every file,
//! keep the few contents analyses need. Nothing is written to disk, and of an ELF file only
//! the parts its inspection reads are kept (see [`crate::scan::elf::Collector`]).

use super::decompress::{Decoder, HashReader};
pub use super::error::ScanError;
use super::pipeline::Hashing;
use crate::image::entry::LayerScan;
use std::io::{self, BufRead, Read};
use std::sync::atomic::AtomicBool;

/// What the caller provides besides the blob.
#[derive(Default)]
pub struct ScanContext<'a> {
    /// Called with the compressed bytes read so far, every few MB.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    pub cancel: Option<&'a AtomicBool>,
    /// The blob's digest when the source checks the bytes against it itself (a registry
    /// download hashes them as they arrive): then the scan does not hash them again.
    pub digest_checked_by_source: Option<&'a str>,
    /// `--no-verify`: hash neither the blob nor the tar (the scan's `digest` and `diff_id`
    /// stay empty for the caller to fill from the descriptor it trusts).
    pub skip_digests: bool,
}

/// Scans one layer blob as stored (gzip, zstd or plain tar). Reading and inflating run on
/// a helper thread beside the walk (see [`super::pipeline`]).
pub fn scan_layer(
    blob: impl BufRead + Send,
    ctx: &ScanContext<'_>,
) -> Result<LayerScan, ScanError> {
    let checked = ctx.digest_checked_by_source;
    let skip = ctx.skip_digests;
    let raw = HashReader::new(blob, checked.is_none() && !skip, ctx.progress);
    let (mut decoder, kind) = Decoder::new(raw)?;
    let Some(kind) = kind else {
        return Err(ScanError::UnknownCompression(peek_hex(decoder)));
    };
    let plain = kind == super::decompress::Compression::Plain;
    // A plain tar's blob digest is its diff_id: hash it once, from the chunks the walk
    // reads (no copy), not also while reading it.
    if let Some(source) = decoder.plain_source() {
        source.stop_hashing();
    }
    let mut scan = LayerScan {
        compression: kind,
        ..Default::default()
    };
    let hashing = if skip {
        Hashing::Off
    } else if plain {
        Hashing::Thread
    } else {
        Hashing::Walker
    };
    let (walked, inflated) = super::pipeline::inflate_beside(decoder, hashing, |stream| {
        let mut tar_stream = Counted {
            inner: stream,
            count: 0,
        };
        super::walk::walk(&mut tar_stream, &mut scan, ctx.cancel).map_err(|e| match e {
            ScanError::Io(io) => corrupt_or_io(io),
            other => other,
        })?;
        // Trailing zero blocks and padding are part of the diff_id.
        drain(&mut tar_stream).map_err(corrupt_or_io)?;
        Ok::<_, ScanError>(tar_stream.count)
    });
    scan.uncompressed_bytes = walked?;
    let raw = inflated.source.map_err(corrupt_or_io)?;
    scan.compressed_bytes = raw.count();
    scan.diff_id = inflated.hash.unwrap_or_default();
    scan.digest = match checked {
        // The source has read the blob to its end by now, and failed the read had the
        // bytes not matched.
        Some(d) => d.to_string(),
        None if skip => String::new(),
        None if plain => scan.diff_id.clone(),
        None => raw.finish().0,
    };
    Ok(scan)
}

/// The walk's stream, counting the bytes it passes (the layer's uncompressed size).
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.count += n as u64;
        self.inner.consume(n);
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads `r` to its end in place.
fn drain(r: &mut impl BufRead) -> io::Result<()> {
    loop {
        let n = r.fill_buf()?.len();
        if n == 0 {
            return Ok(());
        }
        r.consume(n);
    }
}

pub(crate) fn corrupt_or_io(e: io::Error) -> ScanError {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => ScanError::Corrupt("stream ends early (truncated)".into()),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            ScanError::CorruptStream(e)
        }
        _ => ScanError::Io(e),
    }
}

fn peek_hex<R: Read>(mut r: R) -> String {
    let mut head = [0u8; 8];
    let n = r.read(&mut head).unwrap_or(0);
    hex::encode(&head[..n])
}

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;
