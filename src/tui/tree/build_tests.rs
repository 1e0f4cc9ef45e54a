//! Tree building: sizes, statuses, removed entries drawn as what they were.

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn entry(path: &str, kind: EntryKind, size: u64) -> Entry {
    Entry {
        path: Arc::from(path),
        kind,
        size,
        mode: 0o644,
        uid: 0,
        gid: 0,
        link: None,
        hash: size,
    }
}

#[test]
fn parents_are_implied_and_sizes_add_up() -> TestResult {
    // a/            (implied)
    // ├── b/c  10
    // └── d     5
    let scan = LayerScan {
        entries: vec![
            entry("a/b/c", EntryKind::File, 10),
            entry("a/d", EntryKind::File, 5),
            entry("a/b", EntryKind::Dir, 0),
        ],
        ..LayerScan::default()
    };
    let t = layer(&[Arc::new(scan)], 0, None);
    let a = t.find("a").ok_or("missing")?;
    assert_eq!(t.node(a).size, 15, "a directory's size is the sum below it");
    assert_eq!(
        t.node(t.find("a/b").ok_or("missing")?).status,
        Status::Unknown
    );
    let kids: Vec<&str> = t
        .node(a)
        .children
        .iter()
        .map(|&c| t.node(c).name())
        .collect();
    assert_eq!(kids, ["b", "d"], "sorted by size, largest first");
    assert_eq!(t.root().size, 15);
    Ok(())
}

#[test]
fn removed_paths_show_but_do_not_count() -> TestResult {
    let lower = LayerScan {
        entries: vec![entry("x/big", EntryKind::File, 100)],
        ..LayerScan::default()
    };
    let upper = LayerScan {
        entries: vec![entry("y", EntryKind::File, 1)],
        whiteouts: vec![Arc::from("x/big")],
        ..LayerScan::default()
    };
    let scans = vec![Arc::new(lower), Arc::new(upper)];
    let merged = Merged::build(&scans);
    let t = layer(&scans, 1, Some(&merged));
    let big = t.find("x/big").ok_or("missing")?;
    assert_eq!(t.node(big).status, Status::Removed);
    let x = t.node(t.find("x").ok_or("missing")?);
    assert_eq!(
        (x.status, x.size, x.bytes()),
        (Status::Removed, 0, 100),
        "x held what was removed"
    );
    assert_eq!(
        t.root().size,
        1,
        "removed bytes are not part of the layer's size"
    );
    let whole = image(&scans, &merged);
    assert_eq!(
        whole.node(whole.find("y").ok_or("missing")?).status,
        Status::Added
    );
    assert_eq!(
        whole.node(whole.find("x/big").ok_or("missing")?).status,
        Status::Removed
    );
    Ok(())
}

/// A small deterministic generator (xorshift): no test dependency for one property.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Layers over a few directories and files: writes, rewrites, whiteouts of files and of
/// directories, opaque markers, and a directory replaced by a file.
fn generated_image(seed: u64) -> Vec<Arc<LayerScan>> {
    const DIRS: [&str; 4] = ["a", "a/b", "a/b/c", "d"];
    const FILES: [&str; 7] = ["a/x", "a/b/y", "a/b/z", "a/b/c/v", "d/w", "top", "a/b/c/u"];
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let layers = 1 + r.pick(5);
    (0..layers)
        .map(|_| {
            let mut scan = LayerScan::default();
            let d_is_file = r.pick(8) == 0;
            for d in DIRS {
                if r.pick(3) == 0 && !(d_is_file && d == "d") {
                    let mut e = entry(d, EntryKind::Dir, 0);
                    e.mode = 0o700 + r.pick(0o100) as u32;
                    scan.entries.push(e);
                }
            }
            for f in FILES {
                if r.pick(3) == 0 && !(d_is_file && f.starts_with("d/")) {
                    let mut e = entry(f, EntryKind::File, 1 + r.pick(1000));
                    e.hash = r.pick(3);
                    scan.entries.push(e);
                }
            }
            if d_is_file {
                scan.entries.push(entry("d", EntryKind::File, 7));
            }
            for p in DIRS.iter().chain(&FILES) {
                let written = scan.entries.iter().any(|e| e.path.starts_with(*p));
                if !written && r.pick(6) == 0 {
                    scan.whiteouts.push(Arc::from(*p));
                }
            }
            if r.pick(6) == 0 {
                scan.opaque_dirs.push(Arc::from(DIRS[r.pick(4) as usize]));
            }
            Arc::new(scan)
        })
        .collect()
}

fn check_sizes(t: &Tree, what: &str) {
    for n in &t.nodes {
        for &c in &n.children {
            let child = t.node(c);
            assert!(
                n.bytes() >= child.bytes(),
                "{what}: /{} ({}) is smaller than its child {} ({})",
                n.path,
                n.bytes(),
                child.name(),
                child.bytes()
            );
        }
    }
}

#[test]
fn every_directory_holds_its_children_and_the_image_shows_every_removed_byte() {
    for seed in 0..400 {
        let scans = generated_image(seed);
        let merged = Merged::build(&scans);
        let whole = image(&scans, &merged);
        check_sizes(&whole, &format!("seed {seed} image"));
        let stored: u64 = scans.iter().map(|s| s.file_bytes()).sum();
        let live: u64 = merged
            .tree
            .values()
            .map(|&at| merged.entry(&scans, at))
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .sum();
        assert_eq!(
            whole.root().removed,
            stored - live,
            "seed {seed}: the whole image's removed bytes are the reclaimable bytes"
        );
        assert_eq!(whole.root().size, live, "seed {seed}");
        for i in 0..scans.len() {
            check_sizes(
                &layer(&scans, i, Some(&merged)),
                &format!("seed {seed} layer {i}"),
            );
            check_sizes(&as_of(&scans, i), &format!("seed {seed} as of {i}"));
        }
    }
}

#[test]
fn a_deleted_directory_is_a_directory_holding_what_it_removed() -> TestResult {
    let mut dir = entry("root/example", EntryKind::Dir, 0);
    dir.mode = 0o755;
    let mut exe = entry("root/example/run.sh", EntryKind::File, 300);
    exe.mode = 0o755;
    let lower = LayerScan {
        entries: vec![dir, exe, entry("root/example/notes", EntryKind::File, 200)],
        ..LayerScan::default()
    };
    let mut rw = entry("root/example/notes", EntryKind::File, 250);
    rw.hash = 1;
    let middle = LayerScan {
        entries: vec![rw],
        ..LayerScan::default()
    };
    let upper = LayerScan {
        whiteouts: vec![Arc::from("root/example")],
        ..LayerScan::default()
    };
    let scans = vec![Arc::new(lower), Arc::new(middle), Arc::new(upper)];
    let merged = Merged::build(&scans);
    for t in [layer(&scans, 2, Some(&merged)), as_of(&scans, 2)] {
        let ex = t.node(t.find("root/example").ok_or("missing dir")?);
        assert_eq!(
            (ex.kind, ex.status, ex.mode),
            (EntryKind::Dir, Status::Removed, 0o755)
        );
        let run = t.node(t.find("root/example/run.sh").ok_or("missing file")?);
        assert_eq!(
            (run.kind, run.mode, run.bytes()),
            (EntryKind::File, 0o755, 300)
        );
        assert_eq!(ex.children.len(), 2);
        assert_eq!(
            ex.bytes(),
            550,
            "the removed directory held the middle layer's copy"
        );
    }
    let whole = image(&scans, &merged);
    let ex = whole.node(whole.find("root/example").ok_or("missing")?);
    assert_eq!(ex.kind, EntryKind::Dir);
    assert_eq!(
        ex.bytes(),
        750,
        "both copies of notes were stored and removed"
    );
    assert_eq!(whole.root().removed, 750);
    Ok(())
}

#[test]
fn as_of_a_layer_is_the_merged_filesystem_with_its_changes_marked() -> TestResult {
    let lower = LayerScan {
        entries: vec![
            entry("a", EntryKind::File, 1),
            entry("b", EntryKind::File, 2),
        ],
        ..LayerScan::default()
    };
    let upper = LayerScan {
        entries: vec![entry("c", EntryKind::File, 3)],
        whiteouts: vec![Arc::from("a")],
        ..LayerScan::default()
    };
    let scans = vec![Arc::new(lower), Arc::new(upper)];
    let t = as_of(&scans, 1);
    let status = |p: &str| t.find(p).map(|id| t.node(id).status);
    assert_eq!(status("a"), Some(Status::Removed));
    assert_eq!(
        status("b"),
        Some(Status::Unchanged),
        "layer 0's file is there"
    );
    assert_eq!(status("c"), Some(Status::Added));
    assert_eq!(t.mode, TreeMode::AsOf(1));
    let only = layer(&scans, 1, Some(&Merged::build(&scans)));
    assert_eq!(only.find("b"), None, "the layer alone does not hold b");
    Ok(())
}
