//! The on-disk form of an entry (a layer's scan, an image's report, a kept package
//! analysis): a magic line, a header naming the format, the key, the payload's length and
//! checksum, then the zstd-compressed value — postcard for a scan (in two frames,
//! `scan_entry.rs`) and a kept analysis, JSON for a report.
//!
//! A scan is postcard, not JSON: decoding large-latest's 13 cached scans (144k entries,
//! 18 MB of captured package databases) took 154 ms of CPU as JSON with base64 contents
//! and 62 ms as postcard with raw bytes, zstd included. A report stays JSON: it carries
//! `skip_serializing_if` fields and serde_json's `RawValue`, which a format without field
//! names cannot read back, and it is read whole in one piece anyway.
//!
//! The checksum is xxh3-128, not sha256: it guards against a torn or rotten entry, not
//! against someone who can write the cache (they could write a matching sha256 too), and
//! sha256 of large-latest's compressed scans cost 6-7 ms of a warm run (xxh3: 1 ms).

use super::SCAN_FORMAT;
use crate::image::LayerScan;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;

pub(super) const MAGIC: &[u8] = b"microscope-scan\n";
/// Decoding costs the same at levels 1 and 3 (28-30 ms for large-latest's scans); level 1
/// writes faster, on a cold run's helper threads, for 4 % more bytes. Uncompressed, the
/// scans are 29 MB instead of 6.7 MB, for 14 ms less inflating.
pub(super) const ZSTD_LEVEL: i32 = 1;

/// How the value in an entry's payload is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codec {
    Json,
    Postcard,
}

/// The scan format: [`SCAN_FORMAT`], the crate version and a fingerprint of the fields of
/// [`LayerScan`], so a binary whose scan has other fields never reads an older entry.
pub(super) fn format_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let shape = serde_json::to_vec(&LayerScan::default()).unwrap_or_default();
        let fp = hex::encode(&Sha256::digest(&shape)[..6]);
        format!("v{SCAN_FORMAT}-{}-{fp}", env!("CARGO_PKG_VERSION"))
    })
}

/// `MAGIC` and a header line `format key length checksum`, then the compressed value,
/// returned apart so the payload is written as it is, never copied.
pub(super) fn encode<T: Serialize>(
    value: &T,
    key: &str,
    tag: &str,
    codec: Codec,
) -> Option<(Vec<u8>, Vec<u8>)> {
    // The value goes straight into the encoder: held whole, a scan's JSON was 5-6 times the
    // compressed payload, and half the peak memory of a run on 900k entries.
    let mut encoder = zstd::Encoder::new(Vec::new(), ZSTD_LEVEL).ok()?;
    match codec {
        Codec::Json => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut encoder);
            serde_json::to_writer(&mut buffered, value).ok()?;
            buffered.flush().ok()?;
        }
        Codec::Postcard => {
            super::chunked::to_writer(value, &mut encoder)?;
        }
    }
    let payload = encoder.finish().ok()?;
    let mut head = Vec::with_capacity(200);
    head.extend_from_slice(MAGIC);
    writeln!(head, "{tag} {key} {} {}", payload.len(), checksum(&payload)).ok()?;
    Some((head, payload))
}

/// The value of an entry written by [`encode`] with the same key, tag and codec; None when
/// anything differs or fails its check.
pub(super) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    key: &str,
    tag: &str,
    codec: Codec,
) -> Option<T> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let nl = rest.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&rest[..nl]).ok()?;
    let payload = &rest[nl + 1..];
    let mut fields = header.split(' ');
    let (format, k, len, sum) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if format != tag || k != key || len.parse::<usize>().ok()? != payload.len() {
        return None;
    }
    if checksum(payload) != sum {
        return None;
    }
    let raw = zstd::decode_all(payload).ok()?;
    match codec {
        Codec::Json => serde_json::from_slice(&raw).ok(),
        // A payload with bytes left over is not what was written.
        Codec::Postcard => match postcard::take_from_bytes(&raw).ok()? {
            (value, []) => Some(value),
            _ => None,
        },
    }
}

fn checksum(payload: &[u8]) -> String {
    format!("xxh3-{:032x}", xxhash_rust::xxh3::xxh3_128(payload))
}
