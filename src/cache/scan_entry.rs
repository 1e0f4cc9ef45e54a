//! A layer's scan as the cache keeps it: two frames of postcard after the entry's header,
//! the scan without the captured package databases (its entries encoded by `entries.rs`),
//! then those databases.
//!
//! A rebuild that takes the kept package analysis over never reads the databases, and they
//! were most of what decoding the cached scans cost: 18 MB of large-latest's 29 MB, a third
//! of a rebuild's CPU went to reading and decoding the 13 scans. So the second frame is
//! decoded only when something asks for one of its files (a package analysis made afresh),
//! and the files other analyses read (passwd, os-release, ld.so.conf: small, under `etc/`)
//! stay in the first. The header's checksum covers both frames and the sizes it names, and
//! is checked before anything is decoded: the deferred frame is held, checked, in memory.
//!
//! Each frame is decoded into a buffer of the size the header gives: growing one as zstd
//! fills it was a tenth of the decoding.
//!
//! The first frame is lz4 (`lz4_flex`), the second zstd. The first is written by every cold
//! run and read by every rebuild, and what is left of it once the entries are dense is
//! mostly hashes and path ends, which zstd shrinks little: on the 90k-file chmod copy lz4
//! writes it in 50 M fewer instructions (of 1,249 M beside the hash), on large-latest it
//! reads it in 12 M fewer, for 2.5 MB on disk instead of 2.2 MB. The package databases are
//! text, read only by a package analysis made afresh: zstd keeps them in 3.9 MB, lz4 in 6.3.
//! Not compressing the first frame at all saved 65 M more instructions writing the chmod
//! copy and 24 M reading large-latest's, for 1.2 MB more on disk, but python-app's cold
//! peak (cache written) rose by 1.8 MiB in that build (README, "Scan cache format 7").

use super::entries::{EntriesRef, decode_chunk};
use super::entry::{MAGIC, ZSTD_LEVEL, format_tag};
use crate::image::captured::{CapturedFiles, FileList};
use crate::image::entry::Captured;
use crate::image::facts::ElfInfo;
use crate::image::jar::JarInfo;
use crate::image::{Compression, LayerScan};
use lz4_flex::frame::{BlockMode, BlockSize, FrameDecoder, FrameEncoder, FrameInfo};
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteBuf, Bytes};
use std::io::{Read, Write};
use std::sync::Arc;

/// A frame decoding to more than this is not decoded (it passed the checksum, so only a
/// writer's bug could ask for it).
const MAX_RAW: u64 = 1 << 34;

/// zstd's window for the package databases' frame, 4 MiB instead of level 1's 512 KiB: its
/// input buffer is the window, and once input wraps around it every block goes through the
/// slower external-dictionary matcher (twice the instructions per byte on the chmod copy's
/// 4 MB scans, when they were zstd). Only the part of the buffer a frame fills is touched.
const WINDOW_LOG: u32 = 22;

/// The scan as the first frame holds it (written from borrows, read back owned).
#[derive(Serialize)]
struct HeadRef<'a> {
    digest: &'a str,
    diff_id: &'a str,
    compression: Compression,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    entry_count: u64,
    entries: EntriesRef<'a>,
    whiteouts: &'a [Arc<str>],
    opaque_dirs: &'a [Arc<str>],
    /// The captured files not deferred, where each sits among all of them, and the entries
    /// whose files the second frame holds.
    files: Vec<(u32, &'a Bytes)>,
    files_at: Vec<u32>,
    deferred: Vec<u32>,
    elf: &'a [(u32, ElfInfo)],
    shebangs: &'a [(u32, String)],
    jars: &'a [(u32, JarInfo)],
    sparse: &'a [(u32, u64)],
    warnings: &'a [String],
}

/// [`HeadRef`], owned but for the encoded entries, which borrow the decoded frame.
#[derive(Deserialize)]
struct Head<'a> {
    digest: String,
    diff_id: String,
    compression: Compression,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    entry_count: u64,
    #[serde(borrow)]
    entries: Vec<&'a [u8]>,
    whiteouts: Vec<Arc<str>>,
    opaque_dirs: Vec<Arc<str>>,
    files: Vec<(u32, ByteBuf)>,
    files_at: Vec<u32>,
    deferred: Vec<u32>,
    elf: Vec<(u32, ElfInfo)>,
    shebangs: Vec<(u32, String)>,
    jars: Vec<(u32, JarInfo)>,
    sparse: Vec<(u32, u64)>,
    warnings: Vec<String>,
}

/// Files another analysis than the package analysis reads (passwd, group, nsswitch.conf,
/// os-release, ld.so.conf and its directory, musl's path file; `scan::capture` lists what
/// is kept): decoded with the scan. Which part a file is in changes only when it is decoded.
fn read_at_once(path: &str) -> bool {
    path.starts_with("etc/") || path == "usr/lib/os-release"
}

/// `MAGIC`, a header line `format key length checksum first raw-first raw-second`, then
/// the two frames (see the module's notes), returned apart so the payload is written as it
/// is, never copied.
pub(super) fn encode_scan(scan: &LayerScan, key: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    // Every field named, so a field added to the scan does not compile until it is kept.
    let LayerScan {
        digest,
        diff_id,
        compression,
        compressed_bytes,
        uncompressed_bytes,
        entries,
        whiteouts,
        opaque_dirs,
        captured:
            Captured {
                files: all,
                elf,
                shebangs,
                jars,
            },
        sparse,
        warnings,
    } = scan;
    let (mut files, mut files_at, mut later) = (Vec::new(), Vec::new(), Vec::new());
    for (at, (i, bytes)) in all.iter().enumerate() {
        let path = entries.get(*i as usize).map_or("", |e| &*e.path);
        if read_at_once(path) {
            files.push((*i, Bytes::new(bytes)));
            files_at.push(at as u32);
        } else {
            later.push((*i, Bytes::new(bytes)));
        }
    }
    let head = HeadRef {
        digest,
        diff_id,
        compression: *compression,
        compressed_bytes: *compressed_bytes,
        uncompressed_bytes: *uncompressed_bytes,
        entry_count: entries.len() as u64,
        entries: EntriesRef(entries),
        whiteouts,
        opaque_dirs,
        files,
        files_at,
        deferred: later.iter().map(|(i, _)| *i).collect(),
        elf,
        shebangs,
        jars,
        sparse,
        warnings,
    };
    let (mut payload, first_raw) = frame(&head, Codec::Lz4)?;
    let first = payload.len() as u64;
    let second_raw = if later.is_empty() {
        0
    } else {
        let (second, raw) = frame(&later, Codec::Zstd)?;
        payload.extend_from_slice(&second);
        raw
    };
    let sizes = [first, first_raw, second_raw];
    let mut head = Vec::with_capacity(200);
    head.extend_from_slice(MAGIC);
    let (tag, len, sum) = (format_tag(), payload.len(), checksum(&payload, &sizes));
    writeln!(
        head,
        "{tag} {key} {len} {sum} {first} {first_raw} {second_raw}"
    )
    .ok()?;
    Some((head, payload))
}

/// The scan of an entry written by [`encode_scan`] under `key`; None when anything differs
/// or fails its check. Its deferred frame stays in memory, decoded on first use.
pub(super) fn decode_scan(mut bytes: Vec<u8>, key: &str) -> Option<LayerScan> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let nl = rest.iter().position(|&b| b == b'\n')?;
    let start = MAGIC.len() + nl + 1;
    let header = std::str::from_utf8(&rest[..nl]).ok()?;
    let fields: Vec<&str> = header.split(' ').collect();
    let [format, k, len, sum, sizes @ ..] = fields.as_slice() else {
        return None;
    };
    let sizes = sizes
        .iter()
        .map(|s| s.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    let (&[first, first_raw, second_raw], payload) = (sizes.as_slice(), &bytes[start..]) else {
        return None;
    };
    let first_end = usize::try_from(first)
        .ok()
        .filter(|&f| f <= payload.len())?;
    if *format != format_tag()
        || *k != key
        || len.parse::<usize>().ok()? != payload.len()
        || checksum(payload, &[first, first_raw, second_raw]) != *sum
    {
        return None;
    }
    let first = inflate(&payload[..first_end], first_raw, Codec::Lz4)?;
    let head: Head = whole(&first)?;
    let second = bytes.split_off(start + first_end);
    into_scan(head, second, second_raw)
}

fn into_scan(head: Head, second: Vec<u8>, second_raw: u64) -> Option<LayerScan> {
    // The count was checksummed with the rest: only a writer's bug makes it wrong, and
    // the entries decoded are what is kept.
    let mut entries = Vec::with_capacity(usize::try_from(head.entry_count.min(1 << 24)).ok()?);
    for chunk in head.entries {
        decode_chunk(chunk, &mut entries)?;
    }
    let files: FileList = head
        .files
        .into_iter()
        .map(|(i, b)| (i, b.into_vec()))
        .collect();
    let files = CapturedFiles::deferred(
        files,
        head.files_at,
        head.deferred,
        Box::new(move || {
            let files: Vec<(u32, ByteBuf)> = whole(&inflate(&second, second_raw, Codec::Zstd)?)?;
            Some(files.into_iter().map(|(i, b)| (i, b.into_vec())).collect())
        }),
    );
    Some(LayerScan {
        digest: head.digest,
        diff_id: head.diff_id,
        compression: head.compression,
        compressed_bytes: head.compressed_bytes,
        uncompressed_bytes: head.uncompressed_bytes,
        entries,
        whiteouts: head.whiteouts,
        opaque_dirs: head.opaque_dirs,
        captured: Captured {
            files,
            elf: head.elf,
            shebangs: head.shebangs,
            jars: head.jars,
        },
        sparse: head.sparse,
        warnings: head.warnings,
    })
}

/// How a frame is compressed: the scan's first frame with lz4, the package databases with
/// zstd (see the module's notes).
#[derive(Clone, Copy)]
enum Codec {
    Lz4,
    Zstd,
}

/// A value as a frame of postcard compressed with `codec`, and its length before.
fn frame<T: Serialize>(value: &T, codec: Codec) -> Option<(Vec<u8>, u64)> {
    // The value goes straight into the encoder, a chunk at a time: a scan held whole before
    // compression would be a large part of the peak memory of a run on 900k entries.
    match codec {
        Codec::Lz4 => {
            let info = FrameInfo::new()
                .block_size(BlockSize::Max256KB)
                .block_mode(BlockMode::Linked);
            let encoder = FrameEncoder::with_frame_info(info, Vec::new());
            let (encoder, raw) = super::chunked::to_writer(value, encoder)?;
            Some((encoder.finish().ok()?, raw))
        }
        Codec::Zstd => {
            let mut encoder = zstd::Encoder::new(Vec::new(), ZSTD_LEVEL).ok()?;
            encoder.window_log(WINDOW_LOG).ok()?;
            let (encoder, raw) = super::chunked::to_writer(value, encoder)?;
            Some((encoder.finish().ok()?, raw))
        }
    }
}

/// The bytes of a frame written by [`frame`] with `codec`, `raw` bytes long decoded.
fn inflate(frame: &[u8], raw: u64, codec: Codec) -> Option<Vec<u8>> {
    if raw > MAX_RAW {
        return None;
    }
    let raw = usize::try_from(raw).ok()?;
    match codec {
        Codec::Lz4 => {
            let mut out = vec![0; raw];
            let mut decoder = FrameDecoder::new(frame);
            decoder.read_exact(&mut out).ok()?;
            // A frame that holds more than the header says is not what was written.
            (decoder.read(&mut [0]).ok()? == 0).then_some(out)
        }
        Codec::Zstd => {
            let bytes = zstd::bulk::decompress(frame, raw).ok()?;
            (bytes.len() == raw).then_some(bytes)
        }
    }
}

/// The value `bytes` hold, all of them: a payload with bytes left over is not what was
/// written.
fn whole<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    match postcard::take_from_bytes(bytes).ok()? {
        (value, []) => Some(value),
        _ => None,
    }
}

/// xxh3-128 of the payload and the sizes the header names (a torn size must not make a
/// reader allocate for it).
fn checksum(payload: &[u8], sizes: &[u64]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(payload);
    for s in sizes {
        h.update(&s.to_le_bytes());
    }
    format!("xxh3-{:032x}", h.digest128())
}
