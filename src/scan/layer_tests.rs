use super::*;
use crate::demo::builder::LayerBuilder;
use crate::image::Compression;
use std::io::Write;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn scan(bytes: &[u8]) -> Result<LayerScan, ScanError> {
    scan_layer(bytes, &ScanContext::default())
}

#[test]
fn plain_tar_digest_is_diff_id() -> TestResult {
    let tar = LayerBuilder::new("x")
        .file("a/b", b"hello")
        .symlink("c", "a/b")
        .build();
    let s = scan(&tar)?;
    assert_eq!(s.compression, Compression::Plain);
    assert_eq!(s.digest, crate::demo::builder::sha256(&tar));
    assert_eq!(s.diff_id, s.digest);
    assert_eq!(s.uncompressed_bytes, tar.len() as u64);
    assert_eq!(s.entries.len(), 2);
    assert_eq!(s.entries[0].size, 5);
    assert_eq!(s.entries[0].hash, xxhash_rust::xxh3::xxh3_64(b"hello"));
    assert_eq!(s.entries[1].link.as_deref(), Some("a/b"));
    Ok(())
}

#[test]
fn gzip_and_zstd_give_the_same_entries_and_diff_id() -> TestResult {
    let tar = LayerBuilder::new("x").file("f", &[5; 10_000]).build();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar)?;
    let gz = gz.finish()?;
    let zs = zstd::encode_all(&tar[..], 3)?;
    let a = scan(&tar)?;
    let b = scan(&gz)?;
    let c = scan(&zs)?;
    assert_eq!(
        (b.compression.name(), c.compression.name()),
        ("gzip", "zstd")
    );
    assert_eq!(a.diff_id, b.diff_id);
    assert_eq!(a.diff_id, c.diff_id);
    assert_eq!(b.digest, crate::demo::builder::sha256(&gz));
    assert_eq!(b.compressed_bytes, gz.len() as u64);
    assert_eq!(a.entries, c.entries);
    Ok(())
}

#[test]
fn whiteouts_and_opaque_markers_are_split_out() -> TestResult {
    let tar = LayerBuilder::new("x")
        .whiteout("etc/gone")
        .opaque("var/app")
        .file(".wh..wh.plnk/123", b"")
        .build();
    let s = scan(&tar)?;
    assert_eq!(s.whiteouts, vec![Arc::from("etc/gone")]);
    assert_eq!(s.opaque_dirs, vec![Arc::from("var/app")]);
    assert!(s.entries.is_empty());
    Ok(())
}

#[test]
fn duplicate_entries_keep_the_last() -> TestResult {
    let tar = LayerBuilder::new("x")
        .file("f", b"first")
        .file("f", b"second!")
        .build();
    let s = scan(&tar)?;
    assert_eq!(s.entries.len(), 1);
    assert_eq!(s.entries[0].size, 7);
    assert!(s.warnings[0].contains("duplicate"));
    Ok(())
}

#[test]
fn captures_package_databases_only() -> TestResult {
    let tar = LayerBuilder::new("x")
        .file("var/lib/dpkg/status", b"Package: a\n")
        .file("usr/bin/tool", b"#!/bin/sh\necho hi\n")
        .build();
    let s = scan(&tar)?;
    assert_eq!(s.captured.files.all(), [(0, b"Package: a\n".to_vec())]);
    assert_eq!(s.captured.shebangs, vec![(1, "/bin/sh".to_string())]);
    Ok(())
}

#[test]
fn estargz_metadata_is_not_part_of_the_image() -> TestResult {
    let tar = LayerBuilder::new("x")
        .file("app", b"1")
        .file("stargz.index.json", b"{}")
        .build();
    let s = scan(&tar)?;
    assert_eq!(s.entries.len(), 1);
    Ok(())
}

/// A tar of (raw name, type, content), names written as they are (tar::Builder would clean
/// them).
fn raw_tar(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, kind, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_entry_type(*kind);
        h.set_mode(0o755);
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    tar
}

/// Issue 18 §1: kaniko's `/` entry and rooted names, joined under the root as moby's
/// `UnpackLayer` does; a rooted name is its relative twin.
#[test]
fn kaniko_root_entry_and_rooted_names_are_read_under_the_root() -> TestResult {
    use tar::EntryType::{Directory, Regular};
    let tar = raw_tar(&[
        ("/", Directory, b""),
        ("/usr/", Directory, b""),
        ("/usr/bin/x", Regular, b"abc"),
        ("/../../etc/y", Regular, b"12345"),
        ("usr/bin/x", Regular, b"abcd"),
    ]);
    let s = scan(&tar)?;
    let paths: Vec<(&str, u64)> = s.entries.iter().map(|e| (&*e.path, e.size)).collect();
    assert_eq!(paths, [("usr", 0), ("usr/bin/x", 4), ("etc/y", 5)]);
    assert!(s.warnings.iter().any(|w| w.contains("duplicate")));
    Ok(())
}

#[test]
fn unsafe_paths_are_errors() {
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_entry_type(tar::EntryType::Regular);
    // tar::Builder refuses `..`, so write the name into the header by hand.
    let name = b"../evil";
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(&[b'x'; 1]);
    tar.resize(1024 + 1024, 0);
    let err = scan(&tar).unwrap_err();
    assert!(matches!(err, ScanError::UnsafePath(_, _)), "{err}");
    // Still outside once cleaned: refused as moby refuses it ("is outside of").
    let tar = raw_tar(&[("a/../../etc/x", tar::EntryType::Regular, b"x")]);
    let err = scan(&tar).unwrap_err();
    assert!(
        err.to_string().contains("escapes the root once cleaned"),
        "{err}"
    );
}

/// Issue 18 §8: a zstd layer opening with a skippable frame is scanned like any zstd one.
#[test]
fn zstd_layer_opening_with_a_skippable_frame() -> TestResult {
    let tar = LayerBuilder::new("x").file("f", b"hello").build();
    let mut blob = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, b'a', b'b', b'c'];
    blob.extend(zstd::encode_all(&tar[..], 3)?);
    let s = scan(&blob)?;
    assert_eq!(s.compression, Compression::Zstd);
    assert_eq!(s.diff_id, crate::demo::builder::sha256(&tar));
    assert_eq!(s.entries.len(), 1);
    Ok(())
}

#[test]
fn unknown_compression_and_truncation_are_errors() -> TestResult {
    assert!(matches!(
        scan(&[0x42; 600]),
        Err(ScanError::UnknownCompression(_))
    ));
    let tar = LayerBuilder::new("x").file("big", &[1; 5000]).build();
    let err = scan(&tar[..3000]).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar)?;
    let gz = gz.finish()?;
    let e = scan(&gz[..gz.len() / 2]).unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
    Ok(())
}

#[test]
fn the_blob_digest_covers_every_byte_however_the_source_buffers() -> TestResult {
    // Past 8 MiB the digest moves to its helper thread; decoders hash what they consume.
    let data: Vec<u8> = (0..9_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let tar = LayerBuilder::new("x").file("big", &data).build();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar)?;
    let gz = gz.finish()?;
    let zs = zstd::encode_all(&tar[..], 1)?;
    let sha256 = crate::demo::builder::sha256;
    for blob in [&gz, &zs, &tar] {
        for capacity in [61, 1 << 16] {
            let source = std::io::BufReader::with_capacity(capacity, &blob[..]);
            let s = scan_layer(source, &ScanContext::default())?;
            assert_eq!(s.digest, sha256(blob), "{} {capacity}", s.compression);
            assert_eq!(s.compressed_bytes, blob.len() as u64);
            assert_eq!(s.diff_id, sha256(&tar));
        }
    }
    Ok(())
}

#[test]
fn a_digest_the_source_checked_is_not_hashed_again() -> TestResult {
    let tar = LayerBuilder::new("x").file("f", b"hello").build();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar)?;
    let gz = gz.finish()?;
    let ctx = ScanContext {
        digest_checked_by_source: Some("sha256:checked-by-the-source"),
        ..ScanContext::default()
    };
    let s = scan_layer(&gz[..], &ctx)?;
    assert_eq!(s.digest, "sha256:checked-by-the-source");
    assert_eq!(s.compressed_bytes, gz.len() as u64);
    assert_eq!(s.diff_id, crate::demo::builder::sha256(&tar));
    Ok(())
}
