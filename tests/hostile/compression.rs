//! Compression: bombs, truncation, trailing garbage, magic bytes that lie.

use crate::bombs::gzip_bomb;
use crate::rss::peak_rss;
use crate::util::*;
use microscope::scan::ScanError;
use std::io::Write;

fn layer() -> Vec<u8> {
    RawTar::new()
        .dir(b"etc")
        .file(b"etc/hosts", &[b'h'; 5000])
        .finish()
}

/// Runs the binary on an OCI layout whose single layer blob is `blob`.
fn run_blob(blob: Vec<u8>) -> Outcome {
    let dir = write_dir(&oci_files(&[blob], &[], |_, _| {}));
    run(dir.path())
}

const GIB: u64 = 1 << 30;

fn gzip_bomb_case(chunks: u64) {
    let peak = peak_rss(&format!("gzip-bomb:{chunks}"));
    let size = chunks << 26;
    assert!(
        peak.detail.contains(&format!("size={size}")),
        "{}",
        peak.detail
    );
    let stored: u64 = peak.detail["stored=".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    eprintln!(
        "gzip bomb: {stored} bytes stored, {size} bytes of tar, peak RSS {} MiB",
        peak.kib >> 10
    );
    assert!(
        stored * 500 < size,
        "not much of a bomb: {stored} -> {size}"
    );
    // A scan of a tiny layer peaks around 10 MiB; the bomb must not add to that.
    assert!(peak.kib < 64 << 10, "peak RSS {} KiB", peak.kib);
}

#[test]
fn gzip_bomb_one_gib_streams_in_bounded_memory() {
    gzip_bomb_case(16);
    // And through the binary (address space capped): the size is reported.
    let blob = gzip_bomb(b"bomb.bin", tar::EntryType::Regular, 16);
    let report = run_blob(blob).report();
    assert_eq!(report["size"]["layers_bytes"], 16u64 << 26);
    has_warning(&report, "diff_ids not checked");
}

#[test]
#[ignore = "slow: 16 GiB of zeros"]
fn gzip_bomb_sixteen_gib() {
    gzip_bomb_case(256);
}

#[test]
fn gnu_long_name_bomb_is_refused_before_it_is_buffered() {
    // A `L` member declaring 1 GiB of name: the tar crate would read it whole.
    let peak = peak_rss("longname-bomb:16");
    assert!(peak.detail.contains("tar metadata"), "{}", peak.detail);
    assert!(peak.kib < 64 << 10, "peak RSS {} KiB", peak.kib);
    let blob = gzip_bomb(b"././@LongLink", tar::EntryType::GNULongName, 16);
    run_blob(blob).error("tar metadata");
}

#[test]
fn pax_header_bomb_is_refused() {
    let blob = gzip_bomb(b"PaxHeader", tar::EntryType::XHeader, 2);
    let err = scan(blob.clone()).unwrap_err();
    let err = microscope::error::one_line(&err);
    assert!(err.contains("tar metadata"), "{err}");
    run_blob(blob).error("tar metadata");
}

#[test]
fn captured_files_are_bounded_per_layer() {
    // Ten 64 MiB package.json files: each under the per-file cap, together 640 MiB.
    let peak = peak_rss("capture-bomb:10");
    let kept: u64 = peak.detail["kept=".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(kept <= 256 << 20, "{}", peak.detail);
    assert!(peak.kib < (256 + 128) << 10, "peak RSS {} KiB", peak.kib);
}

#[test]
fn a_five_gib_file_costs_no_more_memory_than_a_five_kib_one() {
    let small = peak_rss("synth:5000");
    let big = peak_rss(&format!("synth:{}", 5 * GIB));
    assert!(big.detail.contains(&format!("size={}", 5 * GIB)));
    eprintln!(
        "peak RSS: 5 kB file {} KiB, 5 GiB file {} KiB",
        small.kib, big.kib
    );
    assert!(
        big.kib <= small.kib + 4096,
        "5 GiB: {} KiB, 5 kB: {} KiB",
        big.kib,
        small.kib
    );
}

#[test]
fn truncated_gzip() {
    let blob = gzip(&layer());
    for cut in [blob.len() - 4, blob.len() / 2, 11] {
        let err = scan(blob[..cut].to_vec()).unwrap_err();
        assert!(err.is_corrupt(), "cut {cut}: {err}");
        run_blob(blob[..cut].to_vec()).error("corrupt layer");
    }
}

#[test]
fn truncated_zstd() {
    let blob = zstd::encode_all(&layer()[..], 3).unwrap();
    for cut in [blob.len() - 3, blob.len() / 2, 6] {
        let err = scan(blob[..cut].to_vec()).unwrap_err();
        assert!(err.is_corrupt(), "cut {cut}: {err}");
        run_blob(blob[..cut].to_vec()).error("corrupt layer");
    }
}

#[test]
fn zstd_frame_demanding_a_two_gib_window_is_refused() {
    // Frame header by hand: no checksum, no content size, window log 31; one raw block.
    let tar = layer();
    let mut blob = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3];
    let bh = ((tar.len() as u32) << 3) | 1; // last block, raw
    blob.extend_from_slice(&bh.to_le_bytes()[..3]);
    blob.extend_from_slice(&tar);
    let err = scan(blob.clone()).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    run_blob(blob).error("corrupt layer");
}

#[test]
fn gzip_with_garbage_after_the_last_member() {
    let mut blob = gzip(&layer());
    blob.extend_from_slice(b"this is not a gzip member");
    let err = scan(blob.clone()).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    run_blob(blob).error("corrupt layer");
}

#[test]
fn gzip_magic_with_a_body_that_is_not_gzip() {
    let mut blob = vec![0x1f, 0x8b];
    blob.extend_from_slice(&layer());
    let err = scan(blob.clone()).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    run_blob(blob).error("corrupt layer");
    // A valid gzip header followed by a corrupt deflate stream.
    let mut blob = gzip(&layer());
    for b in &mut blob[10..40] {
        *b ^= 0x5a;
    }
    let err = scan(blob.clone()).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    run_blob(blob).error("corrupt layer");
}

#[test]
fn gzip_of_something_that_is_not_a_tar() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&[0xabu8; 4096]).unwrap();
    let blob = gz.finish().unwrap();
    let err = scan(blob.clone()).unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    run_blob(blob).error("corrupt layer");
}

#[test]
fn neither_tar_gzip_nor_zstd() {
    let blob = b"PK\x03\x04 a zip file, not a layer".to_vec();
    let err = scan(blob.clone()).unwrap_err();
    assert!(matches!(err, ScanError::UnknownCompression(_)), "{err}");
    run_blob(blob).error("not a tar, gzip or zstd stream");
}
