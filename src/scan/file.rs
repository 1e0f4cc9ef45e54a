//! A regular file of a layer, read once as the walk passes it: sized (sparse files with
//! their holes), hashed, and kept when an analysis needs its content.

use super::capture;
use super::error::ScanError;
use super::limits::{Admit, Budgets};
use crate::image::entry::{Entry, LayerScan};
use std::io::{self, BufRead, Read};
use xxhash_rust::xxh3::Xxh3;

/// The most of a file handed to its sinks at once.
const MAX_PUSH: usize = 128 * 1024;

/// Warnings kept per layer; past it, one line says more were suppressed.
const MAX_WARNINGS: usize = 50;

/// A regular file's place in the layer and how its bytes are stored.
pub(super) struct FileRead {
    pub(super) slot: u32,
    /// Bytes of data the archive holds for it.
    pub(super) stored: u64,
    pub(super) pax_sparse: Option<super::sparse::PaxSparse>,
}

/// Sizes a regular file and reads it: a sparse file (old GNU or PAX) has its apparent size
/// and is read with its holes, within the layer's budget; its stored size is recorded.
pub(super) fn scan_file(
    te: &mut dyn super::member::Member,
    entry: &mut Entry,
    file: FileRead,
    scan: &mut LayerScan,
    buf: &mut [u8],
    budgets: &mut Budgets,
) -> Result<(), ScanError> {
    let slot = file.slot;
    let gnu = te.header().entry_type().is_gnu_sparse();
    entry.size = match &file.pax_sparse {
        Some(s) => s.apparent,
        None => te.size(),
    };
    if (slot as usize) < scan.entries.len() {
        // A duplicate path: forget what the entry it replaces recorded.
        scan.sparse.retain(|&(s, _)| s != slot);
    }
    if !gnu && file.pax_sparse.is_none() {
        return match te.buffered() {
            Some(data) => read_file(data, entry, slot, scan, budgets),
            None => read_file(&mut Buffered::new(te, buf), entry, slot, scan, budgets),
        };
    }
    scan.sparse.push((slot, file.stored));
    if let Admit::No(why) = budgets.admit_sparse(&entry.path, entry.size)? {
        // Left unread (hash 0): the tar reader skips its stored bytes.
        warn(scan, why);
        return Ok(());
    }
    match file.pax_sparse {
        Some(s) => {
            let expanded = super::sparse::Expand::open(&mut *te, s, file.stored)?;
            let mut data = Buffered::new(expanded, buf);
            read_file(&mut data, entry, slot, scan, budgets)
        }
        None => read_file(&mut Buffered::new(te, buf), entry, slot, scan, budgets),
    }
}

/// Hashes a regular file's content, keeping it when an analysis needs it. The bytes are
/// taken where the reader holds them (for most files, the chunk the layer arrived in).
fn read_file(
    data: &mut dyn BufRead,
    entry: &mut Entry,
    slot: u32,
    scan: &mut LayerScan,
    budgets: &mut Budgets,
) -> Result<(), ScanError> {
    let mut want = capture::wants_content(&entry.path);
    if want
        && entry.size <= capture::MAX_CAPTURE
        && let Admit::No(why) = budgets.admit_capture(&entry.path, entry.size)
    {
        warn(scan, why);
        want = false;
    }
    let mut sinks = Sinks::new(want && entry.size <= capture::MAX_CAPTURE, entry.size);
    loop {
        let chunk = data.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        // Pieces of at most the size the walk's buffer gave before (a read chunk is up to
        // 512 KiB): the collectors buffer what they cannot use yet (an ELF file's later
        // samples), and hold no more than they did.
        let chunk = &chunk[..chunk.len().min(MAX_PUSH)];
        if sinks.total == 0 {
            sinks.open(chunk, entry, slot, scan);
        }
        sinks.push(chunk);
        let n = chunk.len();
        data.consume(n);
    }
    if sinks.total != entry.size {
        return Err(ScanError::Corrupt(format!(
            "{:?}: {} bytes declared, {} present",
            entry.path, entry.size, sinks.total
        )));
    }
    entry.hash = sinks.hash.digest();
    if want && entry.size > capture::MAX_CAPTURE {
        warn(
            scan,
            format!(
                "{:?} is too large to read ({} bytes)",
                entry.path, entry.size
            ),
        );
    }
    sinks.record(slot, scan);
    Ok(())
}

/// A reader that has no buffer of its own to hand out (a member the tar crate reads, a
/// sparse file's expansion), read through the walk's buffer.
struct Buffered<'b, R> {
    inner: R,
    buf: &'b mut [u8],
    pos: usize,
    filled: usize,
}

impl<'b, R: Read> Buffered<'b, R> {
    fn new(inner: R, buf: &'b mut [u8]) -> Self {
        Buffered {
            inner,
            buf,
            pos: 0,
            filled: 0,
        }
    }
}

impl<R: Read> Read for Buffered<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        super::pipeline::read_buffered(self, out)
    }
}

impl<R: Read> BufRead for Buffered<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            self.filled = self.inner.read(self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

/// Where a file's bytes go as they stream past, each read once: the hash, the copy an
/// analysis keeps, and the ELF and Java archive collectors the first bytes ask for. The
/// collectors are boxed: inline they made this a 0.5 KB value, moved (a `memcpy`) for
/// every file of a layer, of which few are ELF files and fewer Java archives.
struct Sinks {
    hash: ContentHash,
    total: u64,
    /// Some when the content is kept.
    kept: Option<Vec<u8>>,
    elf: Option<Box<crate::scan::elf::Collector>>,
    jar: Option<Box<super::jar::JarCollector>>,
}

impl Sinks {
    fn new(keep: bool, size: u64) -> Self {
        Sinks {
            hash: ContentHash::Empty { size },
            total: 0,
            kept: keep.then(Vec::new),
            elf: None,
            jar: None,
        }
    }

    /// The first chunk says what the file is: an ELF, a Java archive, a `#!` script.
    fn open(&mut self, chunk: &[u8], entry: &Entry, slot: u32, scan: &mut LayerScan) {
        if chunk.starts_with(b"\x7fELF") {
            let executable = entry.mode & 0o111 != 0;
            self.elf = Some(Box::new(crate::scan::elf::Collector::new(
                entry.size, executable,
            )));
        }
        if chunk.starts_with(b"PK\x03\x04") && super::jar::is_java_archive(&entry.path) {
            self.jar = Some(Box::default());
        }
        if chunk.starts_with(b"#!") {
            let line = chunk[2..].split(|&b| b == b'\n').next().unwrap_or(&[]);
            let line = &line[..line.len().min(capture::MAX_SHEBANG)];
            scan.captured
                .shebangs
                .push((slot, String::from_utf8_lossy(line).trim().to_string()));
        }
        if let Some(kept) = &mut self.kept {
            kept.reserve_exact(entry.size as usize);
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.hash.update(chunk);
        self.total += chunk.len() as u64;
        if let Some(kept) = &mut self.kept {
            kept.extend_from_slice(chunk);
        }
        if let Some(e) = &mut self.elf {
            e.push(chunk);
        }
        if let Some(j) = &mut self.jar {
            j.push(chunk);
        }
    }

    /// What the scan keeps of the file: its Java archive's contents, its ELF facts, its
    /// bytes.
    fn record(self, slot: u32, scan: &mut LayerScan) {
        if let Some(j) = self.jar {
            scan.captured.jars.push((slot, j.finish()));
        }
        if let Some(info) = self
            .elf
            .and_then(|e| crate::scan::elf::inspect_collected((*e).finish()))
        {
            scan.captured.elf.push((slot, info));
        }
        if let Some(kept) = self.kept {
            scan.captured.files.push((slot, kept));
        }
    }
}

/// A file's xxh3-64, one-shot when its content arrives in one read (a small file: no
/// streaming state, which is 600 bytes to set up, move and finish for every entry), else
/// streamed. Both give the same value (xxh3's streaming form is defined to).
enum ContentHash {
    /// Nothing read yet, of a file of `size` bytes.
    Empty {
        size: u64,
    },
    Done(u64),
    Streaming(Box<Xxh3>),
}

impl ContentHash {
    fn update(&mut self, chunk: &[u8]) {
        match self {
            ContentHash::Empty { size } if *size == chunk.len() as u64 => {
                *self = ContentHash::Done(xxhash_rust::xxh3::xxh3_64(chunk));
            }
            ContentHash::Empty { .. } => {
                let mut h = Box::new(Xxh3::new());
                h.update(chunk);
                *self = ContentHash::Streaming(h);
            }
            // More bytes than declared: the tar reader stops at the declared size, and
            // were it not to, the size check after the read would refuse the file.
            ContentHash::Done(_) => {}
            ContentHash::Streaming(h) => h.update(chunk),
        }
    }

    fn digest(&self) -> u64 {
        match self {
            ContentHash::Empty { .. } => xxhash_rust::xxh3::xxh3_64(&[]),
            ContentHash::Done(h) => *h,
            ContentHash::Streaming(h) => h.digest(),
        }
    }
}

pub(super) fn warn(scan: &mut LayerScan, msg: String) {
    if scan.warnings.len() < MAX_WARNINGS {
        scan.warnings.push(msg);
    } else if scan.warnings.len() == MAX_WARNINGS {
        scan.warnings.push("further warnings suppressed".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One-shot, streamed and empty: the same xxh3-64 as the whole content hashed at once.
    #[test]
    fn content_hash_is_xxh3_of_the_whole_file_however_it_arrives() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 31 % 253) as u8).collect();
        for len in [0usize, 1, 19, 240, 241, 1000, 300_000] {
            let want = xxhash_rust::xxh3::xxh3_64(&data[..len]);
            for piece in [len.max(1), 7, 4096] {
                let mut h = ContentHash::Empty { size: len as u64 };
                for chunk in data[..len].chunks(piece) {
                    h.update(chunk);
                }
                assert_eq!(h.digest(), want, "{len} bytes in pieces of {piece}");
            }
        }
    }
}
