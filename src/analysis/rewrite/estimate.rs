//! Predicted sizes. On disk: the regular-file bytes the rewrite copies (after strip where it
//! is advised) plus the base, counted as the image's own sizes are. Compressed: what a push
//! would store as gzip layers, estimated per file, since the analysis never re-reads bytes:
//!
//! - an ELF the scan measured uses its zstd-1 size, less what stripping removes, scaled to
//!   gzip (the constants below are measured on the corpus pair micro-debug/micro-latest);
//! - any other file uses its own layer's compressed/uncompressed ratio when that layer was
//!   stored compressed, and a ratio by file type when it was stored as a plain tar (as
//!   `docker save` stores them).

use super::classify::Binary;
use super::fs::{self, Fs};
use crate::image::{Compression, EntryKind, LayerScan};
use std::sync::Arc;

/// Pushed gzip size over zstd-1 size, for a Go server: 2,067,750 B (the registry blob of
/// micro-latest's binary layer) / 2,145,608 B (zstd-1 of that binary).
const GZIP_PER_ZSTD1: f64 = 0.964;
/// What one stripped byte takes off the zstd-1 size of a Go program: its DWARF is already
/// zlib-compressed, so it barely shrinks. Measured: (3,923,245 − 2,145,608) / 2,045,710.
const GO_STRIP_COMPRESSED: f64 = 0.87;
/// The same for C, C++ and Rust, whose plain DWARF compresses to about a third.
const NATIVE_STRIP_COMPRESSED: f64 = 0.3;
/// Tar header and padding of one file after compression (a header compresses very well).
const PER_FILE_COMPRESSED: u64 = 60;

/// gzip-6 ratio by kind of content, for files in uncompressed layers, measured file by file
/// on the rewritten python-app image (104 MB): ELF 0.415, .pyc 0.406, .py 0.258, PEM
/// 0.55-0.58 (base64), everything else 0.274.
fn type_ratio(path: &str, elf: bool) -> f64 {
    if elf {
        return 0.42;
    }
    let name = fs::basename(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some(
            "gz" | "tgz" | "xz" | "zst" | "bz2" | "zip" | "jar" | "whl" | "png" | "jpg" | "jpeg"
            | "gif" | "webp" | "woff" | "woff2" | "br" | "lz4" | "7z" | "apk" | "deb" | "egg",
        ) => 1.0,
        Some("pem" | "crt" | "cer") => 0.58,
        Some("pyc") => 0.41,
        Some(
            "py" | "js" | "mjs" | "ts" | "txt" | "json" | "html" | "css" | "md" | "xml" | "yaml"
            | "yml" | "rb" | "pl" | "pm" | "sh" | "conf" | "cfg" | "toml" | "ini" | "rst" | "csv",
        ) => 0.26,
        _ => 0.3,
    }
}

/// The compressed/uncompressed ratio of a layer stored compressed.
fn layer_ratio(scan: &LayerScan) -> Option<f64> {
    (scan.compression != Compression::Plain && scan.uncompressed_bytes > 0)
        .then(|| scan.compressed_bytes as f64 / scan.uncompressed_bytes as f64)
}

/// Estimated compressed bytes of one file of `bytes` bytes stored in `layer`, after
/// `strip` bytes are removed.
pub fn compressed_file(
    scans: &[Arc<LayerScan>],
    layer: u32,
    path: &str,
    bytes: u64,
    binary: Option<&Binary>,
    strip: u64,
) -> u64 {
    let kept = bytes.saturating_sub(strip);
    if let Some(z) = binary.and_then(|b| b.zstd1_bytes) {
        let per_strip = if binary.is_some_and(|b| b.go.is_some()) {
            GO_STRIP_COMPRESSED
        } else {
            NATIVE_STRIP_COMPRESSED
        };
        let z = (z as f64 - strip as f64 * per_strip).max(kept as f64 * 0.1);
        return (z * GZIP_PER_ZSTD1) as u64 + PER_FILE_COMPRESSED;
    }
    let ratio = scans
        .get(layer as usize)
        .and_then(|s| layer_ratio(s))
        .unwrap_or_else(|| type_ratio(path, binary.is_some()));
    (kept as f64 * ratio) as u64 + PER_FILE_COMPRESSED
}

/// Estimated compressed bytes of every regular file under a real directory.
pub fn compressed_dir(fs: &Fs<'_>, scans: &[Arc<LayerScan>], real_dir: &str) -> u64 {
    fs.walk(real_dir)
        .filter(|(_, e)| e.kind == EntryKind::File)
        .map(|(p, e)| {
            let (layer, bin) = fs
                .file(&p)
                .map(|(_, f)| (f.at.layer, f.elf.map(Binary::from_elf)))
                .unwrap_or((0, None));
            compressed_file(scans, layer, &p, e.size, bin.as_ref(), 0)
        })
        .fold(0, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_by_type() {
        assert_eq!(type_ratio("/a/b.whl", false), 1.0);
        assert_eq!(
            type_ratio("/etc/ssl/certs/ca-certificates.crt", false),
            0.58
        );
        assert_eq!(type_ratio("/app/app.py", false), 0.26);
        assert_eq!(type_ratio("/usr/lib/libc.so.6", true), 0.42);
        assert_eq!(type_ratio("/usr/share/zoneinfo/UTC", false), 0.3);
    }

    #[test]
    fn plain_layers_use_the_type_ratio() {
        let scans = vec![Arc::new(LayerScan {
            compression: Compression::Plain,
            ..Default::default()
        })];
        assert_eq!(
            compressed_file(&scans, 0, "/x.py", 1000, None, 0),
            260 + PER_FILE_COMPRESSED
        );
        let gz = vec![Arc::new(LayerScan {
            compression: Compression::Gzip,
            compressed_bytes: 250,
            uncompressed_bytes: 1000,
            ..Default::default()
        })];
        assert_eq!(
            compressed_file(&gz, 0, "/x.py", 1000, None, 0),
            250 + PER_FILE_COMPRESSED
        );
    }
}
