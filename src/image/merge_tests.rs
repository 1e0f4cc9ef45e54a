//! Every whiteout case, with exact bytes.

use super::*;
use crate::demo::builder::LayerBuilder;
use crate::scan::{ScanContext, scan_layer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn scans(layers: Vec<LayerBuilder>) -> Result<Vec<Arc<LayerScan>>, crate::scan::ScanError> {
    layers
        .into_iter()
        .map(|l| scan_layer(&l.build()[..], &ScanContext::default()).map(Arc::new))
        .collect()
}

fn final_paths(m: &Merged) -> Vec<&str> {
    m.tree.keys().map(|k| &**k).collect()
}

fn wasted(m: &Merged, kind: WasteKind) -> u64 {
    m.shadowed
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| s.bytes)
        .sum()
}

#[test]
fn file_whiteout_deletes_lower_file() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a")
            .dir("etc")
            .file("etc/a", &[1; 100])
            .file("etc/b", &[2; 50]),
        LayerBuilder::new("b").whiteout("etc/a"),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["etc", "etc/b"]);
    assert_eq!(wasted(&m, WasteKind::Deleted), 100);
    assert_eq!(m.changes[1].removed, vec![(Arc::from("etc/a"), 100)]);
    Ok(())
}

#[test]
fn directory_whiteout_deletes_whole_subtree() -> TestResult {
    // `rm -rf dir` — dive counts this as zero waste.
    let s = scans(vec![
        LayerBuilder::new("a")
            .dir("root/example")
            .file("root/example/one", &[1; 1000])
            .file("root/example/sub/two", &[2; 2000])
            .file("root/examples-other", &[3; 7]),
        LayerBuilder::new("b").whiteout("root/example"),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["root/examples-other"]);
    assert_eq!(wasted(&m, WasteKind::Deleted), 3000);
    assert_eq!(
        m.changes[1].removed,
        vec![(Arc::from("root/example"), 3000)]
    );
    Ok(())
}

#[test]
fn opaque_directory_hides_lower_children_but_keeps_its_own() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a")
            .dir("app")
            .file("app/old1", &[1; 300])
            .file("app/deep/old2", &[1; 200]),
        LayerBuilder::new("b")
            .dir("app")
            .file("app/new", &[9; 40])
            .opaque("app"),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["app", "app/new"]);
    assert_eq!(wasted(&m, WasteKind::OpaqueHidden), 500);
    assert_eq!(wasted(&m, WasteKind::Deleted), 0);
    Ok(())
}

#[test]
fn whiteout_only_affects_lower_layers() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a").file("x", &[1; 10]),
        LayerBuilder::new("b").whiteout("x").file("x", &[2; 20]),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["x"]);
    assert_eq!(m.tree["x"].layer, 1);
    assert_eq!(wasted(&m, WasteKind::Deleted), 10);
    assert_eq!(m.changes[1].status, vec![Change::Added]);
    Ok(())
}

#[test]
fn overwrite_counts_the_lower_copy_once() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a").file("f", &[1; 100]),
        LayerBuilder::new("b").file("f", &[2; 150]),
        LayerBuilder::new("c").file("f", &[3; 70]),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(wasted(&m, WasteKind::Overwritten), 250);
    assert_eq!(m.changes[2].status, vec![Change::Modified]);
    assert!(m.same_content.is_empty());
    Ok(())
}

#[test]
fn chmod_copy_is_same_content_with_metadata_change() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a").file_with("bin/app", &[7; 4096], 0o644, 0, 0),
        LayerBuilder::new("chmod").file_with("bin/app", &[7; 4096], 0o755, 0, 0),
        LayerBuilder::new("noop").file_with("bin/app", &[7; 4096], 0o755, 0, 0),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(m.same_content.len(), 2);
    assert!(m.same_content[0].metadata_changed);
    assert!(!m.same_content[1].metadata_changed);
    assert_eq!(wasted(&m, WasteKind::Overwritten), 8192);
    Ok(())
}

#[test]
fn file_replacing_directory_and_the_reverse() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a")
            .dir("d")
            .file("d/inner", &[1; 64])
            .file("f", &[2; 32]),
        LayerBuilder::new("b")
            .file("d", &[3; 8])
            .dir("f")
            .file("f/child", &[4; 4]),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["d", "f", "f/child"]);
    assert_eq!(wasted(&m, WasteKind::Overwritten), 96);
    assert_eq!(m.changes[1].removed, vec![(Arc::from("d"), 64)]);
    Ok(())
}

#[test]
fn whiteout_of_missing_path_removes_nothing() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a").file("keep", &[1; 5]),
        LayerBuilder::new("b").whiteout("never-there"),
    ])?;
    let m = Merged::build(&s);
    assert!(m.changes[1].removed.is_empty());
    assert!(m.shadowed.is_empty());
    Ok(())
}

#[test]
fn hard_links_carry_no_bytes_of_their_own() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a")
            .file("a", &[1; 100])
            .hardlink("b", "a"),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(final_paths(&m), ["a", "b"]);
    assert_eq!(s[0].file_bytes(), 100);
    Ok(())
}

#[test]
fn unchanged_parent_dirs_are_not_modifications() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a").dir("etc").file("etc/a", b"1"),
        LayerBuilder::new("b").dir("etc").file("etc/b", b"2"),
    ])?;
    let m = Merged::build(&s);
    assert_eq!(m.changes[1].status, vec![Change::Unchanged, Change::Added]);
    assert_eq!((m.changes[1].added, m.changes[1].modified), (1, 0));
    Ok(())
}

/// The base layer's tree is built in one pass; it must say what a search per entry says,
/// and a hand-built scan that repeats a path still gets the search (the last one wins).
#[test]
fn the_base_layer_built_at_once_matches_the_entry_by_entry_merge() -> TestResult {
    let s = scans(vec![
        LayerBuilder::new("a")
            .dir("usr")
            .file("usr/b", &[1; 10])
            .file("usr/a", &[2; 20])
            .symlink("usr/c", "a"),
    ])?;
    let fast = Merged::build(&s);
    let mut slow = Merged::default();
    let changes = slow.apply_layer(&s, &s[0], 0, false);
    assert_eq!(fast.tree, slow.tree);
    assert_eq!(fast.changes, vec![changes]);
    let file = |path: &str| crate::image::entry::Entry {
        path: Arc::from(path),
        kind: EntryKind::File,
        size: 1,
        mode: 0o644,
        uid: 0,
        gid: 0,
        link: None,
        hash: 0,
    };
    let repeated = Arc::new(LayerScan {
        entries: vec![file("x"), file("y"), file("x")],
        ..Default::default()
    });
    let m = Merged::build(&[repeated]);
    let status = &m.changes[0].status;
    assert_eq!(status, &[Change::Added, Change::Added, Change::Modified]);
    assert_eq!(m.tree.get("x"), Some(&NodeRef { layer: 0, entry: 2 }));
    assert_eq!(m.shadowed.len(), 1);
    Ok(())
}

/// Both ways of merging a layer give the same view: in one ordered pass (a layer at least
/// half the size of the tree below it) and entry by entry.
fn same_both_ways(scans: &[Arc<LayerScan>]) {
    let (one_pass, by_entry) = (Merged::build(scans), Merged::build_with(scans, false));
    assert_eq!(one_pass.tree, by_entry.tree);
    assert_eq!(one_pass.changes, by_entry.changes);
    assert_eq!(one_pass.shadowed, by_entry.shadowed);
    assert_eq!(one_pass.same_content, by_entry.same_content);
    assert_eq!(one_pass.kept_by_link, by_entry.kept_by_link);
}

/// A chmod copy, rewrites, new paths, a directory's mode, files turned into directories and
/// links, whiteouts and an opaque directory beside them, in tar orders that are not path
/// order (`a.b` sorts before `a/`), over a tree of the same size; then the cases the ordered
/// pass leaves to entry by entry: a directory replaced by a file, a repeated path.
#[test]
fn a_big_layer_merges_in_one_pass_as_entry_by_entry() -> TestResult {
    let base = || {
        LayerBuilder::new("base")
            .dir("a")
            .file("a/x", b"x")
            .file("a/y", b"yy")
            .file("a.b", b"ab")
            .dir("d")
            .file("d/f", b"f")
            .file("e", b"e")
            .file("g", b"g")
            .dir("o")
            .file("o/in", b"in")
            .file("w", b"w")
    };
    let upper = LayerBuilder::new("chmod")
        .file_with("g", b"g", 0o600, 0, 0)
        .dir("a")
        .file_with("a/x", b"x", 0o755, 0, 0)
        .file("a/y", b"changed")
        .file("a.b", b"ab")
        .file_with("e", b"e", 0o644, 1, 1)
        .file("new", b"n")
        .symlink("d/f", "../e")
        .whiteout("w")
        .opaque("o")
        .file("o/again", b"a");
    let s = scans(vec![base(), upper])?;
    same_both_ways(&s);
    let m = Merged::build(&s);
    assert_eq!(m.same_content.len(), 4, "{:?}", m.same_content);
    assert_eq!(m.changes[1].added, 2);
    let one_pass = |s: &[Arc<LayerScan>]| {
        let mut below = Merged::build(&s[..1]);
        below.apply_sorted(s, &s[1], 1, &mut LayerChanges::default())
    };
    assert!(one_pass(&s), "the chmod layer is merged in one pass");

    let replaced = LayerBuilder::new("b")
        .file("a", b"a file now")
        .file("z", b"z")
        .file("y", b"y")
        .file("x", b"x")
        .file("v", b"v")
        .file("u", b"u");
    let replaced = scans(vec![base(), replaced])?;
    assert!(replaced[1].entries.len() * 2 >= Merged::build(&replaced[..1]).tree.len());
    assert!(!one_pass(&replaced));
    same_both_ways(&replaced);
    let mut twice = (*scans(vec![base(), LayerBuilder::new("c").file("e", b"1")])?[1]).clone();
    twice.entries.extend(twice.entries.clone());
    twice.entries.extend(twice.entries.clone());
    twice.entries.extend(twice.entries.clone());
    let twice = vec![scans(vec![base()])?.remove(0), Arc::new(twice)];
    assert!(!one_pass(&twice));
    same_both_ways(&twice);
    Ok(())
}

/// A layer that only rewrites paths the tree has (a chmod copy, in a tar order that is not
/// path order) has its references replaced in place: the same view as entry by entry.
#[test]
fn a_chmod_copy_merges_in_place_as_entry_by_entry() -> TestResult {
    let base = LayerBuilder::new("base")
        .dir("a")
        .file("a/x", b"x")
        .file("a/y", b"yy")
        .file("a.b", b"ab")
        .file("e", b"e");
    let chmod = LayerBuilder::new("chmod")
        .file_with("e", b"e", 0o600, 0, 0)
        .dir("a")
        .file_with("a/y", b"yy", 0o755, 0, 0)
        .file("a/x", b"changed")
        .file("a.b", b"ab");
    let s = scans(vec![base, chmod])?;
    same_both_ways(&s);
    let m = Merged::build(&s);
    assert_eq!(m.changes[1].added, 0);
    let upper: Vec<&str> = (m.tree.iter())
        .filter(|(_, at)| at.layer == 1)
        .map(|(p, _)| &**p)
        .collect();
    assert_eq!(upper, ["a", "a.b", "a/x", "a/y", "e"]);
    assert_eq!(m.same_content.len(), 3, "{:?}", m.same_content);
    Ok(())
}
