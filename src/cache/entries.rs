//! A scan's entries as format 7 keeps them: a byte encoding of their own instead of
//! postcard's field by field, in chunks of [`PER_CHUNK`] entries.
//!
//! On the 90k-file chmod copy, compressing the two scans' postcard (8 MB) was 237 M of
//! the 341 M instructions their cache writes took, and most of those bytes were what zstd
//! cannot shrink or what need not be there: each content hash, random, as a 10-byte varint;
//! each path whole, its directories repeated from the entry before; mode, owner and group
//! repeated from it too. Here an entry is a flag byte (its kind, and which fields follow),
//! its path as the length it shares with the previous path and the rest, its size, its mode,
//! uid and gid only where they differ from the previous entry's, its link target, and its
//! hash as 8 bytes, only when it is not 0.
//!
//! Each chunk starts afresh (the previous entry is the default one), so it is encoded into
//! a buffer of its own and decoded by itself: the scan is never held encoded whole.

use crate::image::entry::LinkTarget;
use crate::image::{Entry, EntryKind};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_bytes::Bytes;
use std::sync::Arc;

/// Entries per chunk: a chunk of small files' entries is some 60-100 KB.
const PER_CHUNK: usize = 4096;

const KINDS: [EntryKind; 7] = [
    EntryKind::File,
    EntryKind::Dir,
    EntryKind::Symlink,
    EntryKind::Hardlink,
    EntryKind::CharDevice,
    EntryKind::BlockDevice,
    EntryKind::Fifo,
];
const KIND_BITS: u8 = 0b111;
const LINK: u8 = 1 << 3;
const MODE: u8 = 1 << 4;
const UID: u8 = 1 << 5;
const GID: u8 = 1 << 6;
const HASH: u8 = 1 << 7;

/// The entries, serialized as a sequence of encoded chunks.
pub(super) struct EntriesRef<'a>(pub &'a [Entry]);

impl Serialize for EntriesRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len().div_ceil(PER_CHUNK)))?;
        let mut buf = Vec::new();
        for chunk in self.0.chunks(PER_CHUNK) {
            buf.clear();
            encode_chunk(chunk, &mut buf);
            seq.serialize_element(Bytes::new(&buf))?;
        }
        seq.end()
    }
}

fn encode_chunk(entries: &[Entry], out: &mut Vec<u8>) {
    let mut prev: Option<&Entry> = None;
    for e in entries {
        let (path, mode, uid, gid) =
            prev.map_or(("", 0, 0, 0), |p| (&*p.path, p.mode, p.uid, p.gid));
        let kind = KINDS.iter().position(|k| *k == e.kind).unwrap_or(0) as u8;
        let mut flags = kind;
        flags |= if e.link.is_some() { LINK } else { 0 };
        flags |= if e.mode != mode { MODE } else { 0 };
        flags |= if e.uid != uid { UID } else { 0 };
        flags |= if e.gid != gid { GID } else { 0 };
        flags |= if e.hash != 0 { HASH } else { 0 };
        out.push(flags);
        let shared = shared_prefix(path, &e.path);
        let rest = &e.path.as_bytes()[shared..];
        varint(out, shared as u64);
        varint(out, rest.len() as u64);
        out.extend_from_slice(rest);
        varint(out, e.size);
        if flags & MODE != 0 {
            varint(out, e.mode.into());
        }
        if flags & UID != 0 {
            varint(out, e.uid.into());
        }
        if flags & GID != 0 {
            varint(out, e.gid.into());
        }
        if let Some(link) = &e.link {
            varint(out, link.len() as u64);
            out.extend_from_slice(link.as_bytes());
        }
        if flags & HASH != 0 {
            out.extend_from_slice(&e.hash.to_le_bytes());
        }
        prev = Some(e);
    }
}

/// The length of the longest common prefix of `a` and `b` that ends at a character
/// boundary, so the rest of `b` is UTF-8 by itself and a reader checks only that.
fn shared_prefix(a: &str, b: &str) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let mut n = 0;
    // Eight bytes at a time: paths share their directories, tens of bytes.
    for (p, q) in x.chunks_exact(8).zip(y.chunks_exact(8)) {
        let diff = u64::from_le_bytes(p.try_into().unwrap_or_default())
            ^ u64::from_le_bytes(q.try_into().unwrap_or_default());
        if diff != 0 {
            n += (diff.trailing_zeros() / 8) as usize;
            return back_to_boundary(b, n);
        }
        n += 8;
    }
    n += x[n..]
        .iter()
        .zip(&y[n..])
        .take_while(|(p, q)| p == q)
        .count();
    back_to_boundary(b, n)
}

fn back_to_boundary(s: &str, mut n: usize) -> usize {
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[inline]
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends the entries of a chunk written by [`encode_chunk`] to `out`; None when it is
/// not one (it passed its entry's checksum, so only a writer's bug gets here).
pub(super) fn decode_chunk(mut bytes: &[u8], out: &mut Vec<Entry>) -> Option<()> {
    let mut path = String::new();
    let (mut mode, mut uid, mut gid) = (0, 0, 0);
    while let Some((&flags, rest)) = bytes.split_first() {
        bytes = rest;
        let kind = *KINDS.get(usize::from(flags & KIND_BITS))?;
        let shared = usize::try_from(read_varint(&mut bytes)?).ok()?;
        let n = usize::try_from(read_varint(&mut bytes)?).ok()?;
        let suffix = std::str::from_utf8(take(&mut bytes, n)?).ok()?;
        // The writer shares a prefix only up to a character boundary.
        if !path.is_char_boundary(shared) {
            return None;
        }
        let size = read_varint(&mut bytes)?;
        if flags & MODE != 0 {
            mode = u32::try_from(read_varint(&mut bytes)?).ok()?;
        }
        if flags & UID != 0 {
            uid = u32::try_from(read_varint(&mut bytes)?).ok()?;
        }
        if flags & GID != 0 {
            gid = u32::try_from(read_varint(&mut bytes)?).ok()?;
        }
        let link = if flags & LINK != 0 {
            let n = usize::try_from(read_varint(&mut bytes)?).ok()?;
            Some(LinkTarget::from(
                std::str::from_utf8(take(&mut bytes, n)?).ok()?,
            ))
        } else {
            None
        };
        let hash = if flags & HASH != 0 {
            u64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?)
        } else {
            0
        };
        path.truncate(shared);
        path.push_str(suffix);
        out.push(Entry {
            path: Arc::from(path.as_str()),
            kind,
            size,
            mode,
            uid,
            gid,
            link,
            hash,
        });
    }
    Some(())
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if n > bytes.len() {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

#[inline]
fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    // Most fields (lengths, modes, ids, small sizes) are one byte.
    if let Some((&b, rest)) = bytes.split_first()
        && b < 0x80
    {
        *bytes = rest;
        return Some(b.into());
    }
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> Entry {
        let kind = KINDS[i % KINDS.len()];
        Entry {
            // Directories repeated and not, a path that is a prefix of the next, and a
            // shared prefix that ends inside a two-byte character.
            path: match i % 5 {
                0 => format!("usr/lib/dir{}/é{i}", i / 50).into(),
                1 => format!("usr/lib/dir{}/è{i}", i / 50).into(),
                2 => format!("usr/lib/dir{}/é{i}/sub", i / 50).into(),
                3 => format!("{i}").into(),
                _ => format!("opt/app/{}", "x".repeat(i % 30)).into(),
            },
            kind,
            size: if kind == EntryKind::File {
                (i as u64) << (i % 40)
            } else {
                0
            },
            mode: if i.is_multiple_of(7) { 0o4755 } else { 0o644 },
            uid: if i.is_multiple_of(11) { u32::MAX } else { 0 },
            gid: (i % 3) as u32 * 1000,
            link: (i.is_multiple_of(4)).then(|| format!("../target/{i}").into()),
            hash: if i.is_multiple_of(6) {
                0
            } else {
                (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            },
        }
    }

    fn decode(encoded: &[u8]) -> Option<Vec<Entry>> {
        let chunks: Vec<&[u8]> = postcard::from_bytes(encoded).ok()?;
        let mut out = Vec::new();
        for chunk in chunks {
            decode_chunk(chunk, &mut out)?;
        }
        Some(out)
    }

    #[test]
    fn entries_come_back_as_they_were_across_chunks() -> Result<(), postcard::Error> {
        let entries: Vec<Entry> = (0..2 * PER_CHUNK + 17).map(entry).collect();
        let encoded = postcard::to_stdvec(&EntriesRef(&entries))?;
        assert_eq!(decode(&encoded).as_deref(), Some(&entries[..]));
        // Denser than postcard's field by field, which this encoding replaced.
        let plain = postcard::to_stdvec(&entries)?.len();
        assert!(
            encoded.len() * 5 < plain * 4,
            "{} against {plain}",
            encoded.len()
        );
        assert_eq!(
            decode(&postcard::to_stdvec(&EntriesRef(&[]))?),
            Some(vec![])
        );
        Ok(())
    }

    #[test]
    fn a_chunk_cut_short_or_altered_does_not_decode() -> Result<(), postcard::Error> {
        let entries: Vec<Entry> = (0..100).map(entry).collect();
        let mut chunk = Vec::new();
        encode_chunk(&entries, &mut chunk);
        let mut out = Vec::new();
        assert!(decode_chunk(&chunk[..chunk.len() - 1], &mut out).is_none());
        // A kind past the last one.
        let mut bad = chunk.clone();
        bad[0] |= KIND_BITS;
        assert!(decode_chunk(&bad, &mut Vec::new()).is_none());
        // The first path sharing more than the empty path before it has.
        let mut bad = chunk.clone();
        bad[1] = 3;
        assert!(decode_chunk(&bad, &mut Vec::new()).is_none());
        // A path that is not UTF-8 (the first path's first byte).
        let mut bad = chunk;
        bad[3] = 0xff;
        assert!(decode_chunk(&bad, &mut Vec::new()).is_none());
        Ok(())
    }
}
