//! Hostile tar entries: each case goes through the library scan and the real binary.

use crate::util::*;
use microscope::image::EntryKind;
use microscope::scan::ScanError;
use tar::EntryType as T;

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

/// Issue 18: Docker's layer applier joins a rooted name under the root (kaniko writes `/`).
#[test]
fn absolute_names_are_read_under_the_root() {
    let layer = RawTar::new()
        .dir(b"/")
        .file(b"/etc/passwd", b"root")
        .finish();
    let (lib, bin) = check_layer(layer);
    let scan = lib.expect("a rooted name is read");
    assert_eq!(paths(&scan), ["etc/passwd"]);
    bin.report();
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

/// Issue 17 class 5: one path of 200 KB of `a/a/a/…` implies 100 000 directories whose
/// full names compare and the app would keep (5 GB); the layer is refused in bounded time.
#[test]
fn a_path_implying_gigabytes_of_directory_names_is_refused() {
    let deep = format!("{}f", "a/".repeat(100_000));
    let mut t = RawTar::new();
    t.pax(&[("path", deep.as_bytes())]).file(b"x", b"1");
    let (lib, bin) = check_layer(t.finish());
    assert!(lib.as_ref().is_err_and(ScanError::is_corrupt), "{lib:?}");
    bin.error("of directory names");
}
