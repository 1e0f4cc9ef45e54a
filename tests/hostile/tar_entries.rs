//! Hostile tar entries: each case goes through the library scan and the real binary.

use crate::util::*;
use microscope::image::EntryKind;
use microscope::scan::ScanError;
use tar::EntryType as T;

fn paths(scan: &microscope::image::LayerScan) -> Vec<&str> {
    scan.entries.iter().map(|e| &*e.path).collect()
}

#[test]
fn dot_dot_names_are_refused() {
    for name in [&b"../etc/passwd"[..], b"a/../../x", b"./.."] {
        let layer = RawTar::new().file(b"ok", b"1").file(name, b"x").finish();
        let (lib, bin) = check_layer(layer);
        assert!(
            matches!(lib, Err(ScanError::UnsafePath(_, _))),
            "{name:?}: {lib:?}"
        );
        bin.error("escapes the root");
    }
}

#[test]
fn absolute_names_are_refused() {
    let layer = RawTar::new().file(b"/etc/passwd", b"root").finish();
    let (lib, bin) = check_layer(layer);
    assert!(matches!(
        lib,
        Err(ScanError::UnsafePath(_, "absolute name"))
    ));
    bin.error("absolute name");
}

#[test]
fn dot_and_empty_names_are_the_root() {
    let layer = RawTar::new()
        .dir(b".")
        .dir(b"./")
        .file(b"", b"")
        .dir(b"./etc/")
        .file(b"./etc/./hosts", b"localhost")
        .finish();
    let (lib, bin) = check_layer(layer);
    assert_eq!(paths(&lib.unwrap()), ["etc", "etc/hosts"]);
    assert_eq!(bin.report()["layers"][0]["entries"], 2);
}

#[test]
fn non_utf8_names_are_kept_lossily_with_a_warning() {
    let layer = RawTar::new().file(b"caf\xe9/\xff\xfe", b"x").finish();
    let (lib, bin) = check_layer(layer);
    let scan = lib.unwrap();
    assert_eq!(paths(&scan), ["caf\u{fffd}/\u{fffd}\u{fffd}"]);
    has_warning(&bin.report(), "not valid UTF-8");
}

#[test]
fn names_of_4096_bytes_through_gnu_and_pax_long_names() {
    let gnu = format!("{}/f", "g".repeat(4094));
    let pax = format!("{}/p", "p".repeat(4094));
    let mut t = RawTar::new();
    t.long_name(gnu.as_bytes(), T::Regular, b"gnu");
    t.pax(&[("path", pax.as_bytes())]).file(b"short", b"pax");
    let (lib, bin) = check_layer(t.finish());
    let scan = lib.unwrap();
    assert_eq!(paths(&scan), [gnu.as_str(), pax.as_str()]);
    assert_eq!(bin.report()["layers"][0]["entries"], 2);
}

#[test]
fn directories_ten_thousand_deep() {
    let deep = "d/".repeat(10_000);
    let mut lower = RawTar::new();
    lower.pax(&[("path", format!("{deep}f").as_bytes())]);
    lower.file(b"x", b"deep file");
    lower.pax(&[("path", format!("{deep}gone").as_bytes())]);
    lower.file(b"x", b"deleted later");
    let mut upper = RawTar::new();
    // Opaque marker halfway down: hides everything below it.
    upper.pax(&[(
        "path",
        format!("{}.wh..wh..opq", "d/".repeat(5_000)).as_bytes(),
    )]);
    upper.file(b"x", b"");
    let (lower, upper) = (lower.finish(), upper.finish());
    assert_eq!(scan(lower.clone()).unwrap().entries.len(), 2);
    let img = write_file("image.tar", &docker_archive(vec![lower, upper]));
    let report = run(&img.path).report();
    assert_eq!(report["size"]["final_bytes"], 0);
    assert_eq!(report["size"]["reclaimable"]["opaque_hidden_bytes"], 22);
}

#[test]
fn duplicate_entries_the_last_one_wins() {
    let layer = RawTar::new()
        .file(b"etc/passwd", b"first")
        .file(b"etc/passwd", b"second, longer")
        .finish();
    let (lib, bin) = check_layer(layer);
    let scan = lib.unwrap();
    assert_eq!(scan.entries.len(), 1);
    assert_eq!(scan.entries[0].size, 14);
    // The captured content is the last one's.
    assert_eq!(scan.captured_file(0), Some(&b"second, longer"[..]));
    let report = bin.report();
    has_warning(&report, "duplicate entry");
    assert_eq!(report["size"]["final_bytes"], 14);
}

#[test]
fn duplicates_replacing_captured_files_drop_the_capture() {
    // A captured file replaced by a directory of the same path keeps no content.
    let layer = RawTar::new()
        .file(b"etc/passwd", b"root:x:0:0")
        .file(b"run.sh", b"#!/bin/sh\n")
        .dir(b"etc/passwd")
        .file(b"run.sh", b"#!/bin/bash\n")
        .finish();
    let scan = scan(layer).unwrap();
    assert!(scan.captured.files.is_empty());
    assert_eq!(scan.captured.shebangs, [(1, "/bin/bash".to_string())]);
}

#[test]
fn hard_links_to_missing_later_and_self() {
    let layer = RawTar::new()
        .link(b"early", T::Link, b"late")
        .file(b"late", b"content")
        .link(b"dangling", T::Link, b"nowhere")
        .link(b"me", T::Link, b"me")
        .dir(b"d")
        .link(b"to-dir", T::Link, b"d")
        .finish();
    let (lib, bin) = check_layer(layer);
    assert_eq!(lib.unwrap().entries.len(), 6);
    let report = bin.report();
    has_warning(&report, "comes later in the layer");
    has_warning(
        &report,
        "points to a path that is not in the layer (\"nowhere\")",
    );
    has_warning(&report, "points to itself");
    has_warning(&report, "points to directory");
    // Hard links carry no bytes: only the file counts.
    assert_eq!(report["size"]["final_bytes"], 7);
}

#[test]
fn hard_link_chains_and_cycles() {
    let layer = RawTar::new()
        .file(b"c", b"data")
        .link(b"b", T::Link, b"c")
        .link(b"a", T::Link, b"b")
        .link(b"x", T::Link, b"y")
        .link(b"y", T::Link, b"x")
        .finish();
    let (lib, bin) = check_layer(layer);
    assert_eq!(lib.unwrap().entries.len(), 5);
    let report = bin.report();
    has_warning(&report, "\"x\" points to an entry that comes later");
    assert_eq!(report["size"]["final_bytes"], 4);
}

#[test]
fn symlink_loops() {
    let layer = RawTar::new()
        .link(b"a", T::Symlink, b"b")
        .link(b"b", T::Symlink, b"a")
        .link(b"self", T::Symlink, b"self")
        .link(b"up", T::Symlink, b".")
        .link(b"d/parent", T::Symlink, b"..")
        .link(b"bin", T::Symlink, b"usr/bin")
        .link(b"usr/bin", T::Symlink, b"/bin")
        .finish();
    let (lib, bin) = check_layer(layer);
    assert_eq!(lib.unwrap().entries.len(), 7);
    bin.report();
}

#[test]
fn symlink_out_of_the_root_used_as_a_directory() {
    // Extracted naively, `evil/passwd` would land in the host's /etc. The scan never
    // extracts: it records the literal path (and safety.rs checks nothing is written).
    let layer = RawTar::new()
        .link(b"evil", T::Symlink, b"../../../../../../etc")
        .file(b"evil/passwd", b"root::0:0")
        .link(b"abs", T::Symlink, b"/etc")
        .file(b"abs/shadow", b"root:*")
        .finish();
    let (lib, bin) = check_layer(layer);
    let scan = lib.unwrap();
    assert_eq!(paths(&scan), ["evil", "evil/passwd", "abs", "abs/shadow"]);
    assert_eq!(bin.report()["size"]["final_bytes"], 15);
}

#[test]
fn device_nodes_and_fifos() {
    let mut t = RawTar::new();
    t.entry(b"dev/null", T::Char)
        .entry(b"dev/sda", T::Block)
        .entry(b"run/fifo", T::Fifo);
    // A device node whose header claims data: skipped, not counted.
    t.raw(&header(b"dev/zero", T::Char, 1000), &[7u8; 1000]);
    let (lib, bin) = check_layer(t.finish());
    let kinds: Vec<EntryKind> = lib.unwrap().entries.iter().map(|e| e.kind).collect();
    use EntryKind::*;
    assert_eq!(kinds, [CharDevice, BlockDevice, Fifo, CharDevice]);
    assert_eq!(bin.report()["size"]["layers_bytes"], 0);
}

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
    assert!(matches!(lib, Err(ScanError::Corrupt(_))), "{lib:?}");
    bin.error("corrupt layer");
    // Cut in the second end-of-archive block: both entries are there; tolerated.
    let (lib, bin) = check_layer(full[..full.len() - 400].to_vec());
    assert_eq!(lib.unwrap().entries.len(), 2);
    bin.report();
    // Cut in the first one: a partial block is corrupt (as for Go's archive/tar).
    let (lib, bin) = check_layer(full[..full.len() - 700].to_vec());
    assert!(matches!(lib, Err(ScanError::Corrupt(_))), "{lib:?}");
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
fn gnu_sparse_file_claiming_an_exabyte_of_holes() {
    // Reading the holes back would hash 2^60 zeros: the scan must not try.
    let real = 1u64 << 60;
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
fn gnu_sparse_with_inconsistent_map_is_corrupt() {
    let mut t = RawTar::new();
    // Blocks out of order.
    t.raw(
        &sparse(b"bad", 4096, &[(2048, 512), (0, 512)]),
        &[0u8; 1024],
    );
    let (lib, bin) = check_layer(t.finish());
    assert!(matches!(lib, Err(ScanError::Corrupt(_))), "{lib:?}");
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
    assert!(matches!(lib, Err(ScanError::Corrupt(_))), "{lib:?}");
    bin.error("corrupt layer");
    // A size past u64: rejected by the tar reader.
    let mut t = RawTar::new();
    t.pax(&[("size", b"18446744073709551615")]).file(b"a", b"1");
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.is_err());
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
    assert!(matches!(lib, Err(ScanError::Corrupt(_))), "{lib:?}");
    bin.error("checksum");
}

#[test]
fn many_duplicate_scripts_stay_linear() {
    // Every duplicate used to scan the whole capture list: quadratic in scripts.
    const N: usize = 40_000;
    let mut t = RawTar::new();
    for i in 0..N {
        t.file(format!("bin/s{i}").as_bytes(), b"#!/bin/sh\n");
    }
    for i in 0..N {
        t.file(format!("bin/s{i}").as_bytes(), b"#!/bin/bash\n");
    }
    let layer = t.finish();
    let start = std::time::Instant::now();
    let scan = scan(layer).unwrap();
    eprintln!("{} duplicates scanned in {:?}", N, start.elapsed());
    assert_eq!(scan.entries.len(), N);
    assert_eq!(scan.captured.shebangs.len(), N);
    assert!(scan.captured.shebangs.iter().all(|(_, s)| s == "/bin/bash"));
}
