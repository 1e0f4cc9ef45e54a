//! A kept analysis extended by a neutral layer must be the whole analysis of the image
//! with that layer; any other layer must not be taken for neutral.

use super::*;
use crate::analysis::packages::{attribute, attribute_for_reuse};
use crate::demo::builder::LayerBuilder;
use crate::scan::{ScanContext, scan_layer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn scan(layer: LayerBuilder) -> Arc<LayerScan> {
    match scan_layer(&layer.build()[..], &ScanContext::default()) {
        Ok(s) => Arc::new(s),
        Err(e) => panic!("the test layer scans: {e}"),
    }
}

/// The snapshot of `below` as the cache would give it back (postcard, then read again),
/// or None when no layer could reuse it.
fn kept(below: &[Arc<LayerScan>]) -> Option<Snapshot> {
    let (mut a, reuse) = attribute_for_reuse(below, &Merged::build(below));
    let snap = Snapshot::new(&mut a, reuse?)?;
    let bytes = postcard::to_stdvec(&snap).ok()?;
    let back: Snapshot = postcard::from_bytes(&bytes).ok()?;
    assert_eq!(back, snap, "a snapshot reads back as it was written");
    Some(back)
}

/// The whole analysis, the kept one extended, the one made through the image below.
type Both = (
    PackageAnalysis,
    Option<PackageAnalysis>,
    Option<(PackageAnalysis, Reuse, Snapshot)>,
);

/// `below` with `top` on it: the whole analysis, `kept` (below's) extended, and the
/// analysis made through `below` (None when it was not reused).
fn both(below: &[Arc<LayerScan>], kept: Option<Snapshot>, top: LayerBuilder) -> Both {
    let mut scans = below.to_vec();
    scans.push(scan(top));
    let merged = Merged::build(&scans);
    let whole = attribute(&scans, &merged);
    let lean = (kept.clone()).and_then(|s| s.extend_with(&scans, &merged, false));
    let reused = kept.and_then(|s| s.extend(&scans, &merged)).map(|(a, _)| a);
    // Without the owners by path, the very same analysis, those left empty.
    let mut expected = reused.clone();
    if let Some(a) = expected.as_mut() {
        a.owners = Default::default();
    }
    assert_eq!(
        lean.map(|(a, _)| a),
        expected,
        "extended without owners by path"
    );
    (whole, reused, through_below(&scans, &merged, None))
}

/// Top layers that are neutral: new regular files and directories only.
fn neutral_tops() -> [LayerBuilder; 2] {
    [
        LayerBuilder::new("COPY rebuild /").file("zz-rebuild", b"rebuild 1\n"),
        LayerBuilder::new("COPY app /srv/")
            .dir("srv")
            .dir("srv/app")
            .file("srv/app/server", &[7; 3000])
            .file("srv/app/empty", b""),
    ]
}

/// Top layers that are not neutral over `scans`: links, a whiteout, database files, a file
/// below a claimed package directory (if `snap` has one) and an overwritten file.
fn not_neutral_tops(scans: &[Arc<LayerScan>], snap: Option<&Snapshot>) -> Vec<LayerBuilder> {
    let mut tops = vec![
        LayerBuilder::new("link").symlink("zz-link", "usr"),
        LayerBuilder::new("hard link")
            .file("zz-a", b"a")
            .hardlink("zz-b", "zz-a"),
        LayerBuilder::new("rm").whiteout("zz-gone"),
        LayerBuilder::new("dpkg").file("var/lib/dpkg/status", b""),
        LayerBuilder::new("pip").file("zz/x-1.dist-info/METADATA", b"Name: x\n"),
    ];
    if let Some(dir) = snap.and_then(|s| s.reuse.claimed_dirs.first()) {
        tops.push(LayerBuilder::new("under").file(&format!("{dir}/zz/new.js"), b"x"));
    }
    let merged = Merged::build(scans);
    let file = (merged.tree.iter()).find(|(_, at)| {
        scans[at.layer as usize].entries[at.entry as usize].kind == EntryKind::File
    });
    if let Some((path, _)) = file {
        tops.push(LayerBuilder::new("overwrite").file(path, b"changed"));
    }
    tops
}

/// Called by every package test on its image: a neutral layer on top reuses the analysis
/// and gives exactly the whole analysis; a layer that is not neutral is never reused.
pub(in crate::analysis::packages) fn check_reuse(scans: &[Arc<LayerScan>]) {
    let captured: usize = (scans.iter().flat_map(|s| &s.captured.files))
        .map(|(_, b)| b.len())
        .sum();
    if captured > 1 << 20 {
        // A stress test's million-path list: nine more analyses of it in a debug build
        // take minutes; the small images cover reuse.
        return;
    }
    let snap = kept(scans);
    assert!(snap.is_some(), "an analysis is always kept");
    for top in neutral_tops() {
        let (whole, reused, through) = both(scans, snap.clone(), top);
        assert_eq!(
            reused.as_ref(),
            Some(&whole),
            "the extended analysis is the whole one"
        );
        let (a, _, below) = through.unwrap_or_else(|| panic!("made through the image below"));
        assert_eq!((a, Some(below)), (whole, snap.clone()));
    }
    for top in not_neutral_tops(scans, snap.as_ref()) {
        let (_, reused, through) = both(scans, snap.clone(), top);
        assert!(
            reused.is_none() && through.is_none(),
            "not neutral, not reused"
        );
    }
}

/// A file a package lists but the image lacks (deleted below, say) belongs to that package
/// once a layer adds it back: such a layer is not neutral, though it only adds a file.
#[test]
fn a_claimed_path_the_image_lacks_is_not_neutral() -> TestResult {
    let status = "Package: foo\nStatus: install ok installed\nArchitecture: amd64\n\
                  Version: 1\nDescription: foo\n\n";
    let base = LayerBuilder::new("base")
        .dir("usr/bin")
        .file("usr/bin/foo", &[1; 100])
        .file("var/lib/dpkg/status", status.as_bytes())
        .file(
            "var/lib/dpkg/info/foo.list",
            b"/usr\n/usr/bin\n/usr/bin/foo\n/usr/bin/bar\n",
        );
    let below = vec![scan(base)];
    let snap = kept(&below).ok_or("kept")?;
    assert_eq!(
        snap.reuse.claimed_absent,
        vec![Box::<str>::from("usr/bin/bar")]
    );
    let bar = LayerBuilder::new("bar").file("usr/bin/bar", &[2; 50]);
    let (whole, reused, _) = both(&below, Some(snap.clone()), bar);
    assert_eq!(
        whole.owner("usr/bin/bar").map(|p| p.name.as_str()),
        Some("foo")
    );
    assert!(reused.is_none(), "bar is foo's: the layer is not neutral");
    let baz = LayerBuilder::new("baz").file("usr/bin/baz", &[3; 50]);
    let (whole, reused, _) = both(&below, Some(snap), baz);
    assert_eq!(reused.as_ref(), Some(&whole), "baz is no one's: reused");
    assert_eq!(whole.layers[1].unowned_bytes, 50);
    Ok(())
}

/// npm owns what is added below a package directory; a layer adding a file there is not
/// neutral, one adding a file beside the packages is.
#[test]
fn a_file_below_a_package_directory_is_not_neutral() -> TestResult {
    let base = LayerBuilder::new("npm ci")
        .file(
            "app/node_modules/left-pad/package.json",
            br#"{"name": "left-pad", "version": "1.3.0"}"#,
        )
        .file("app/node_modules/left-pad/index.js", &[1; 200]);
    let below = vec![scan(base)];
    let snap = kept(&below).ok_or("kept")?;
    assert_eq!(
        snap.reuse.claimed_dirs,
        vec![Box::<str>::from("app/node_modules/left-pad")]
    );
    let patch = LayerBuilder::new("patch").file("app/node_modules/left-pad/lib/x.js", &[2; 9]);
    let (whole, reused, _) = both(&below, Some(snap.clone()), patch);
    let owner = whole.owner("app/node_modules/left-pad/lib/x.js");
    assert_eq!(owner.map(|p| p.name.as_str()), Some("left-pad"));
    assert!(
        reused.is_none(),
        "x.js is left-pad's: the layer is not neutral"
    );
    let app = LayerBuilder::new("COPY").file("app/server.js", &[3; 9]);
    let (whole, reused, _) = both(&below, Some(snap), app);
    assert_eq!(reused, Some(whole), "server.js is no one's: reused");
    Ok(())
}

/// The largest unowned files: the kept list and the new files, the top
/// [`super::super::largest::LARGEST_UNOWNED`] by size, then path.
#[test]
fn the_largest_unowned_files_merge_as_the_whole_analysis_ranks_them() {
    let mut kept: Vec<(String, u64)> = (0..18).map(|i| (format!("k{i:02}"), 100 - i)).collect();
    kept.push(("m".into(), 81));
    let added = [(95, "a"), (81, "zz"), (81, "b"), (0, "e")];
    let out = largest(kept, &added);
    assert_eq!(out.len(), 20);
    assert_eq!(out[0], ("k00".to_string(), 100));
    let at = |p: &str| out.iter().position(|(q, _)| q == p);
    assert!(at("a").is_some_and(|i| out[i - 1].1 == 96 && out[i + 1].0 == "k05"));
    // Three files of 81 bytes for the last place: the largest (size, path) stays.
    assert_eq!(out[19], ("zz".into(), 81));
    assert_eq!((at("m"), at("b")), (None, None));
    assert_eq!(at("e"), None);
}

/// The bounded heap of the largest unowned files keeps what pushing every file and popping
/// the smallest past the bound keeps, ties in size included.
#[test]
fn keeping_the_largest_skips_only_what_the_heap_would_drop() {
    use super::super::largest::{LARGEST_UNOWNED, keep_largest};
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::sync::Arc;
    let files: Vec<(u64, Arc<str>)> = (0..500u64)
        .map(|i| {
            (
                (i * 7919) % 97 % 13,
                Arc::from(format!("f{:03}", (i * 31) % 500)),
            )
        })
        .collect();
    let (mut fast, mut slow) = (BinaryHeap::new(), BinaryHeap::new());
    for (size, path) in &files {
        keep_largest(&mut fast, *size, path);
        slow.push(Reverse((*size, path.clone())));
        if slow.len() > LARGEST_UNOWNED {
            slow.pop();
        }
    }
    let (fast, slow) = (fast.into_sorted_vec(), slow.into_sorted_vec());
    assert_eq!(fast.len(), LARGEST_UNOWNED);
    assert_eq!(fast, slow);
}
