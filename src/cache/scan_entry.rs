//! A layer's scan as the cache keeps it: two zstd frames of postcard after the entry's
//! header, the scan without the captured package databases, then those databases.
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

use super::entry::{MAGIC, ZSTD_LEVEL, format_tag};
use crate::image::captured::{CapturedFiles, FileList};
use crate::image::entry::Captured;
use crate::image::facts::ElfInfo;
use crate::image::jar::JarInfo;
use crate::image::{Compression, Entry, LayerScan};
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteBuf, Bytes};
use std::io::Write;
use std::sync::Arc;

/// A frame decoding to more than this is not decoded (it passed the checksum, so only a
/// writer's bug could ask for it).
const MAX_RAW: u64 = 1 << 34;

/// zstd's window for a scan's frames, 4 MiB instead of level 1's 512 KiB: its input buffer
/// is the window, and once input wraps around it every block goes through the slower
/// external-dictionary matcher (twice the instructions per byte on the chmod copy's 4 MB
/// scans). Only the part of the buffer a frame fills is touched.
const WINDOW_LOG: u32 = 22;

/// The scan as the first frame holds it (written from borrows, read back owned).
#[derive(Serialize)]
struct HeadRef<'a> {
    digest: &'a str,
    diff_id: &'a str,
    compression: Compression,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    entries: &'a [Entry],
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

/// [`HeadRef`], owned.
#[derive(Deserialize)]
struct Head {
    digest: String,
    diff_id: String,
    compression: Compression,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    entries: Vec<Entry>,
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
        entries,
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
    let (mut payload, first_raw) = frame(&head)?;
    let first = payload.len() as u64;
    let second_raw = if later.is_empty() {
        0
    } else {
        let (second, raw) = frame(&later)?;
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
    let head: Head = unframe(&payload[..first_end], first_raw)?;
    let second = bytes.split_off(start + first_end);
    Some(into_scan(head, second, second_raw))
}

fn into_scan(head: Head, second: Vec<u8>, second_raw: u64) -> LayerScan {
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
            let files: Vec<(u32, ByteBuf)> = unframe(&second, second_raw)?;
            Some(files.into_iter().map(|(i, b)| (i, b.into_vec())).collect())
        }),
    );
    LayerScan {
        digest: head.digest,
        diff_id: head.diff_id,
        compression: head.compression,
        compressed_bytes: head.compressed_bytes,
        uncompressed_bytes: head.uncompressed_bytes,
        entries: head.entries,
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
    }
}

/// A value as a zstd frame of postcard, and its length before compression.
fn frame<T: Serialize>(value: &T) -> Option<(Vec<u8>, u64)> {
    let mut encoder = zstd::Encoder::new(Vec::new(), ZSTD_LEVEL).ok()?;
    encoder.window_log(WINDOW_LOG).ok()?;
    // The value goes straight into the encoder, a chunk at a time: a scan held whole before
    // compression would be a large part of the peak memory of a run on 900k entries.
    let (encoder, raw) = super::chunked::to_writer(value, encoder)?;
    Some((encoder.finish().ok()?, raw))
}

/// The value of a frame written by [`frame`], `raw` bytes long decoded.
fn unframe<T: serde::de::DeserializeOwned>(frame: &[u8], raw: u64) -> Option<T> {
    if raw > MAX_RAW {
        return None;
    }
    let bytes = zstd::bulk::decompress(frame, usize::try_from(raw).ok()?).ok()?;
    if bytes.len() as u64 != raw {
        return None;
    }
    // A payload with bytes left over is not what was written.
    match postcard::take_from_bytes(&bytes).ok()? {
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
