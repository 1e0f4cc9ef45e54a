//! The on-disk form of an entry (a layer's scan, or an image's report): a magic line, a
//! header naming the format, the key, the payload's length and sha256, then the
//! zstd-compressed JSON of the value.

use super::SCAN_FORMAT;
use crate::image::LayerScan;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;

const MAGIC: &[u8] = b"microscope-scan\n";
const ZSTD_LEVEL: i32 = 3;

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

/// `MAGIC` and a header line `format key length sha256`, then the zstd-compressed JSON,
/// returned apart so the payload is written as it is, never copied.
pub(super) fn encode_scan(scan: &LayerScan, key: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    encode(scan, key, format_tag())
}

pub(super) fn decode_scan(bytes: &[u8], key: &str) -> Option<LayerScan> {
    decode(bytes, key, format_tag())
}

/// An entry of any value under format `tag` (see [`encode_scan`]).
pub(super) fn encode<T: Serialize>(value: &T, key: &str, tag: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    // The JSON goes straight into the encoder: held whole it is 5-6 times the compressed
    // payload, and was half the peak memory of a run on 900k entries.
    let mut encoder = zstd::Encoder::new(Vec::new(), ZSTD_LEVEL).ok()?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut encoder);
        serde_json::to_writer(&mut buffered, value).ok()?;
        buffered.flush().ok()?;
    }
    let payload = encoder.finish().ok()?;
    let mut head = Vec::with_capacity(200);
    head.extend_from_slice(MAGIC);
    writeln!(
        head,
        "{tag} {key} {} {}",
        payload.len(),
        hex::encode(Sha256::digest(&payload))
    )
    .ok()?;
    Some((head, payload))
}

/// The value of an entry written by [`encode`] with the same key and tag; None when
/// anything differs or fails its check.
pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8], key: &str, tag: &str) -> Option<T> {
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
    if hex::encode(Sha256::digest(payload)) != sum {
        return None;
    }
    let json = zstd::decode_all(payload).ok()?;
    serde_json::from_slice(&json).ok()
}
