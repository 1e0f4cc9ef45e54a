//! Tar headers that lie: sizes past the end, truncation, GNU sparse maps, PAX records,
//! unknown types, bad checksums. Each case goes through the library scan and the binary.

use crate::util::*;
use microscope::scan::ScanError;
use tar::EntryType as T;

#[test]
fn declared_size_past_the_end_of_the_stream() {
    let mut t = RawTar::new();
    t.file(b"ok", b"1");
    t.raw(&header(b"big", T::Regular, 1 << 40), b"only this");
    let layer = t.bytes.clone();
    let (lib, bin) = check_layer(layer);
    let err = lib.unwrap_err().to_string();
    assert!(err.contains("corrupt layer"), "{err}");
    bin.error("corrupt layer");
}

#[test]
fn truncated_final_block() {
    let full = RawTar::new().file(b"a", b"x").file(b"b", b"y").finish();
    // Cut in the middle of the second header.
    let (lib, bin) = check_layer(full[..BLOCK * 2 + 300].to_vec());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("corrupt layer");
    // Cut in the second end-of-archive block: both entries are there; tolerated.
    let (lib, bin) = check_layer(full[..full.len() - 400].to_vec());
    assert_eq!(lib.unwrap().entries.len(), 2);
    bin.report();
    // Cut in the first one: a partial block is corrupt (as for Go's archive/tar).
    let (lib, bin) = check_layer(full[..full.len() - 700].to_vec());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("failed to read entire block");
    // No end-of-archive marker at all, ending on an entry boundary: tolerated (Go's
    // archive/tar does the same); the digests are what catch a cut blob.
    let (lib, _) = check_layer(full[..BLOCK * 4].to_vec());
    assert_eq!(lib.unwrap().entries.len(), 2);
}

/// A GNU sparse header: `real` bytes long, data blocks at `(offset, len)`.
/// As GNU tar does, a final empty block marks where the file ends.
fn sparse(name: &[u8], real: u64, blocks: &[(u64, u64)]) -> tar::Header {
    let stored: u64 = blocks.iter().map(|b| b.1).sum();
    let mut blocks = blocks.to_vec();
    if blocks.last().is_none_or(|&(off, len)| off + len < real) {
        blocks.push((real, 0));
    }
    let mut h = header(name, T::GNUSparse, stored);
    let gnu = h.as_gnu_mut().unwrap();
    for (slot, (off, len)) in gnu.sparse.iter_mut().zip(&blocks) {
        slot.offset = num12(*off);
        slot.numbytes = num12(*len);
    }
    gnu.realsize = num12(real);
    h.set_cksum();
    h
}

/// A 12-byte tar number: octal when it fits, GNU base-256 otherwise.
fn num12(v: u64) -> [u8; 12] {
    let mut out = [0u8; 12];
    if v < 1 << 33 {
        out[..11].copy_from_slice(format!("{v:011o}").as_bytes());
    } else {
        out[4..].copy_from_slice(&v.to_be_bytes());
        out[0] = 0x80;
    }
    out
}

#[test]
fn gnu_sparse_files() {
    let mut t = RawTar::new();
    // 1 MiB with one 512-byte block of data in the middle: real size is reported.
    t.raw(
        &sparse(b"var/log/lastlog", 1 << 20, &[(1 << 19, 512)]),
        &[b'z'; 512],
    );
    let (lib, bin) = check_layer(t.finish());
    assert_eq!(lib.unwrap().entries[0].size, 1 << 20);
    assert_eq!(bin.report()["size"]["layers_bytes"], 1 << 20);
}

#[test]
fn gnu_sparse_file_claiming_half_a_pebibyte_of_holes() {
    // Reading the holes back would hash 2^49 zeros: the scan must not try.
    let real = 1u64 << 49;
    let mut t = RawTar::new();
    t.raw(&sparse(b"huge", real, &[(real - 512, 512)]), &[1u8; 512]);
    t.file(b"after", b"still read");
    let (lib, bin) = check_layer(t.finish());
    let scan = lib.unwrap();
    assert_eq!(paths(&scan), ["huge", "after"]);
    assert_eq!(scan.entries[0].size, real);
    has_warning(&bin.report(), "sparse file \"huge\"");
}

#[test]
fn gnu_sparse_sizes_that_would_overflow_the_totals() {
    let real = 1u64 << 63;
    let mut t = RawTar::new();
    t.raw(&sparse(b"a", real, &[(real - 512, 512)]), &[1u8; 512]);
    t.raw(&sparse(b"b", real, &[(real - 512, 512)]), &[1u8; 512]);
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("sparse files claim more than");
}

#[test]
fn gnu_sparse_with_inconsistent_map_is_corrupt() {
    let mut t = RawTar::new();
    // Blocks out of order.
    t.raw(
        &sparse(b"bad", 4096, &[(2048, 512), (0, 512)]),
        &[0u8; 1024],
    );
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("corrupt layer");
}

#[test]
fn pax_headers_with_bogus_size() {
    // An unparsable size is ignored (the header's size is used), as the tar crate does.
    let mut t = RawTar::new();
    t.pax(&[("size", b"abc")]).file(b"a", b"12345");
    t.pax(&[("size", b"-1")]).file(b"b", b"678");
    let (lib, bin) = check_layer(t.finish());
    let scan = lib.unwrap();
    assert_eq!(
        scan.entries.iter().map(|e| e.size).collect::<Vec<_>>(),
        [5, 3]
    );
    bin.report();
    // A size larger than the stream: corrupt.
    let mut t = RawTar::new();
    t.pax(&[("size", b"99999999999")]).file(b"a", b"12345");
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("corrupt layer");
    // A size past u64: rejected by the tar reader.
    let mut t = RawTar::new();
    t.pax(&[("size", b"18446744073709551615")]).file(b"a", b"1");
    let (lib, bin) = check_layer(t.finish());
    let e = microscope::error::one_line(&lib.unwrap_err());
    assert!(e.contains("size overflow"), "{e}");
    bin.error("corrupt layer");
}

#[test]
fn pax_headers_with_bogus_path() {
    let mut t = RawTar::new();
    t.pax(&[("path", b"../../etc/shadow")])
        .file(b"innocent", b"x");
    let (lib, bin) = check_layer(t.finish());
    assert!(matches!(lib, Err(ScanError::UnsafePath(_, _))), "{lib:?}");
    bin.error("escapes the root");
    // Empty path: the root, skipped.
    let mut t = RawTar::new();
    t.pax(&[("path", b"")]).file(b"x", b"");
    assert!(scan(t.finish()).unwrap().entries.is_empty());
    // Malformed records (length that lies, no '='): the tar reader's error or fallback,
    // never a panic.
    for body in [&b"999 path=x\n"[..], b"5 pa", b"12 noequals\n", b"0 =\n"] {
        let mut t = RawTar::new();
        t.pax_raw(body).file(b"name", b"x");
        let (lib, bin) = check_layer(t.finish());
        match lib {
            Ok(_) => {
                bin.report();
            }
            Err(_) => {
                bin.error("corrupt layer");
            }
        }
    }
}

#[test]
fn unknown_and_global_header_types_are_skipped_with_a_warning() {
    let mut t = RawTar::new();
    t.raw(&header(b"label", T::new(b'V'), 0), &[]);
    t.raw(
        &header(b"global", T::XGlobalHeader, 20),
        b"16 comment=abcd\n\0\0\0\0",
    );
    t.file(b"f", b"1");
    let (lib, bin) = check_layer(t.finish());
    assert_eq!(paths(&lib.unwrap()), ["f"]);
    has_warning(&bin.report(), "skipped tar entry of type");
}

#[test]
fn bad_header_checksum_is_corrupt() {
    let mut h = header(b"f", T::Regular, 1);
    h.as_old_mut().cksum = *b"0000000\0";
    let mut t = RawTar::new();
    t.raw(&h, b"1");
    // Sniffing sees `ustar` and calls it a tar; the tar reader refuses the checksum.
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("checksum");
}
