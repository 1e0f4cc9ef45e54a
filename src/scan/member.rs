//! A layer's tar stream, member by member. The common member — one 512-byte ustar, GNU or
//! v7 header and its data — is read here, its header viewed in place through the tar
//! crate's own field accessors: going through `tar::Archive` for it cost more than the
//! rest of the walk (a fresh header formatted per entry, a `Vec` per entry, the 0.6 KB
//! entry moved five times, the checksum and size parsed through `str`). A member that
//! extension headers describe (PAX `x`, GNU long names `L` and `K`) or an old GNU sparse
//! file (`S`) is handed to the tar crate, header and all, which folds them in as before;
//! the walk resumes by hand after its data.

use super::error::ScanError;
use super::limits::{Fence, Fenced};
use std::borrow::Cow;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};

const BLOCK: u64 = 512;

/// What the walk asks of a member, whichever reader produced it.
pub(super) trait Member: Read {
    fn header(&self) -> &tar::Header;
    /// Bytes its data reads as (a sparse file's expanded size).
    fn size(&self) -> u64;
    fn path_bytes(&self) -> Cow<'_, [u8]>;
    fn link_name_bytes(&self) -> Option<Cow<'_, [u8]>>;
    fn pax_extensions(&mut self) -> io::Result<Option<tar::PaxExtensions<'_>>>;
    /// The member's data to read in place, when its reader can hand out its own buffer.
    fn buffered(&mut self) -> Option<&mut dyn BufRead>;
}

impl<R: Read> Member for tar::Entry<'_, R> {
    fn header(&self) -> &tar::Header {
        tar::Entry::header(self)
    }
    fn size(&self) -> u64 {
        tar::Entry::size(self)
    }
    fn path_bytes(&self) -> Cow<'_, [u8]> {
        tar::Entry::path_bytes(self)
    }
    fn link_name_bytes(&self) -> Option<Cow<'_, [u8]>> {
        tar::Entry::link_name_bytes(self)
    }
    fn pax_extensions(&mut self) -> io::Result<Option<tar::PaxExtensions<'_>>> {
        tar::Entry::pax_extensions(self)
    }
    fn buffered(&mut self) -> Option<&mut dyn BufRead> {
        None
    }
}

/// A member with no extension headers: what the tar crate reports for one, read from its
/// header alone (no long name, no PAX records to override it).
struct Plain<'a, R> {
    header: &'a tar::Header,
    size: u64,
    data: io::Take<&'a mut R>,
}

impl<R: BufRead> Read for Plain<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.read(buf)
    }
}

impl<R: BufRead> BufRead for Plain<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.data.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.data.consume(n)
    }
}

impl<R: BufRead> Member for Plain<'_, R> {
    fn header(&self) -> &tar::Header {
        self.header
    }
    fn size(&self) -> u64 {
        self.size
    }
    fn path_bytes(&self) -> Cow<'_, [u8]> {
        self.header.path_bytes()
    }
    fn link_name_bytes(&self) -> Option<Cow<'_, [u8]>> {
        self.header.link_name_bytes()
    }
    fn pax_extensions(&mut self) -> io::Result<Option<tar::PaxExtensions<'_>>> {
        Ok(None)
    }
    fn buffered(&mut self) -> Option<&mut dyn BufRead> {
        Some(self)
    }
}

/// What is called with each member and the bytes of data it stores in the archive.
pub(super) type Visit<'v> = dyn FnMut(&mut dyn Member, u64) -> Result<(), ScanError> + 'v;

/// Calls `visit` with each member of the tar stream, up to its end (end of input or a
/// zero block, as the tar crate stops), checking `cancel` before each. Between one
/// member's data and the next member, at most [`super::limits::MAX_ENTRY_METADATA`]
/// bytes are read (see [`Fenced`]).
pub(super) fn for_each<R: BufRead>(
    stream: R,
    cancel: Option<&AtomicBool>,
    visit: &mut Visit<'_>,
) -> Result<(), ScanError> {
    let fence = Fence::default();
    let mut input = Fenced::new(stream, &fence);
    let mut block = [0u8; BLOCK as usize];
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ScanError::Cancelled);
        }
        if !next_header(&mut input, &mut block)? {
            return Ok(());
        }
        let header_at = fence.pos() - BLOCK;
        let header = tar::Header::from_byte_slice(&block);
        let next = if needs_the_crate(header) {
            match through_the_crate(&block, &mut input, header_at, visit)? {
                Some(next) => next,
                None => return Ok(()),
            }
        } else {
            let size = number(&header.as_old().size).map_or_else(|| header.entry_size(), Ok)?;
            let start = fence.pos();
            let next = data_end(start, size)?;
            fence.allow_until(start.saturating_add(size));
            let mut member = Plain {
                header,
                size,
                data: (&mut input).take(size),
            };
            visit(&mut member, size)?;
            next
        };
        let ahead = next.saturating_sub(fence.pos());
        let ahead = i64::try_from(ahead).map_err(|_| other("seek position out of bounds"))?;
        input.seek(SeekFrom::Current(ahead))?;
    }
}

/// Reads the next header into `block`: false at the end of the input or at a zero block
/// (the tar crate's end of archive). The checksum is checked as the tar crate checks it.
fn next_header(input: &mut impl BufRead, block: &mut [u8; BLOCK as usize]) -> io::Result<bool> {
    let mut read = 0;
    while read < block.len() {
        let available = input.fill_buf()?;
        if available.is_empty() {
            if read == 0 {
                return Ok(false);
            }
            return Err(other("failed to read entire block"));
        }
        let n = available.len().min(block.len() - read);
        block[read..read + n].copy_from_slice(&available[..n]);
        input.consume(n);
        read += n;
    }
    if block.iter().all(|&b| b == 0) {
        return Ok(false);
    }
    // The checksum field counts as eight spaces.
    let field: u32 = block[148..156].iter().map(|&b| u32::from(b)).sum();
    let sum = byte_sum(block) - field + 8 * 32;
    let header = tar::Header::from_byte_slice(&block[..]);
    let cksum = match number(&header.as_old().cksum) {
        Some(n) => n as u32,
        None => header.cksum()?,
    };
    if sum != cksum {
        return Err(other("archive header checksum mismatch"));
    }
    Ok(true)
}

/// The sum of a header's bytes. Summed in two halves: a sum over a chain of two slices
/// does not vectorize, and 256 bytes fit a u16 lane's sum. Not inlined: inlined into the
/// walk, the header was copied to the stack and reloaded eight bytes at a time (440
/// instructions a header, against 210 here).
#[inline(never)]
fn byte_sum(block: &[u8; BLOCK as usize]) -> u32 {
    let half = |b: &[u8]| u32::from(b.iter().map(|&b| u16::from(b)).sum::<u16>());
    half(&block[..256]) + half(&block[256..])
}

/// Whether the tar crate must read this member: it opens with an extension header the
/// crate folds into the member after it, or it is an old GNU sparse file.
fn needs_the_crate(header: &tar::Header) -> bool {
    let t = header.entry_type();
    if t.is_gnu_sparse() {
        return true;
    }
    let extension = t.is_gnu_longname() || t.is_gnu_longlink() || t.is_pax_local_extensions();
    extension && (header.as_gnu().is_some() || header.as_ustar().is_some())
}

/// The member that opens with the header in `block`, read by the tar crate from there
/// (extension headers, sparse maps); returns where the next header starts, None when the
/// crate finds no member.
fn through_the_crate<R: BufRead>(
    block: &[u8; BLOCK as usize],
    input: &mut Fenced<'_, R>,
    header_at: u64,
    visit: &mut Visit<'_>,
) -> Result<Option<u64>, ScanError> {
    let fence = input.fence();
    let mut archive = tar::Archive::new(io::Cursor::new(&block[..]).chain(&mut *input));
    let Some(item) = archive.entries()?.next() else {
        return Ok(None);
    };
    let mut te = item?;
    // The crate reads no further than the headers before handing out the member.
    let start = fence.pos();
    let stored = stored_size(&mut te);
    let next = data_end(start, crate_size(&mut te)?)?;
    fence.allow_until(
        header_at
            .saturating_add(te.raw_file_position())
            .saturating_add(stored),
    );
    visit(&mut te, stored)?;
    Ok(Some(next))
}

/// The data size the tar crate steps over after a member: the PAX `size` record as the
/// crate reads it (the first record named so, if it parses and no record before it is
/// malformed), else the header's size field. For a member not sparse, the size it reports.
fn crate_size<R: Read>(te: &mut tar::Entry<'_, R>) -> io::Result<u64> {
    if !te.header().entry_type().is_gnu_sparse() {
        return Ok(te.size());
    }
    let pax = te.pax_extensions()?.and_then(|records| {
        for r in records {
            let r = r.ok()?;
            if r.key() == Ok("size") {
                return r.value().ok()?.parse::<u64>().ok();
            }
        }
        None
    });
    match pax {
        Some(size) => Ok(size),
        None => te.header().entry_size(),
    }
}

/// Bytes an entry stores in the archive. The `tar` crate reports a sparse file's expanded
/// size; its stored size is the header's (or the PAX `size` record's).
fn stored_size(te: &mut dyn Member) -> u64 {
    if !te.header().entry_type().is_gnu_sparse() {
        return te.size();
    }
    let pax = te.pax_extensions().ok().flatten().and_then(|mut exts| {
        exts.find_map(|e| {
            let e = e.ok()?;
            (e.key() == Ok("size")).then(|| e.value().ok()?.parse::<u64>().ok())?
        })
    });
    pax.or_else(|| te.header().entry_size().ok()).unwrap_or(0)
}

/// Where the data of `size` bytes starting at `start` ends, padded to a whole block.
fn data_end(start: u64, size: u64) -> io::Result<u64> {
    let padded = size
        .checked_add(BLOCK - 1)
        .ok_or_else(|| other("size overflow"))?;
    start
        .checked_add(padded & !(BLOCK - 1))
        .ok_or_else(|| other("size overflow"))
}

/// A numeric field read in place when it is plain octal digits (optionally padded with
/// ASCII whitespace, NUL terminated), as nearly every writer leaves it; None for anything
/// else, which the tar crate's parser then reads (base-256, odd padding, errors with its
/// messages). One pass: the field up to its first NUL, trimmed, must be 1 to 21 digits.
fn number(field: &[u8]) -> Option<u64> {
    // 0: before the digits, 1: in them, 2: after them.
    let (mut n, mut digits, mut state) = (0u64, 0usize, 0u8);
    for &b in field {
        match b {
            0 => break,
            b'0'..=b'7' if state < 2 => {
                n = (n << 3) | u64::from(b - b'0');
                digits += 1;
                state = 1;
            }
            b if b.is_ascii_whitespace() => state += u8::from(state == 1),
            _ => return None,
        }
    }
    (1..=21).contains(&digits).then_some(n)
}

fn other(msg: &str) -> io::Error {
    io::Error::other(msg)
}

#[cfg(test)]
#[path = "member_tests.rs"]
mod tests;
