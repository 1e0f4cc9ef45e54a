//! Paths a megabyte long or ten thousand levels deep (issue 17 §5): compare and the app's
//! trees keep each implied directory's path as the leading bytes of the path below it, so
//! memory grows with the bytes of the paths, not with depth × length. Before, one 1 MB
//! path 900 levels deep cost each of them ~450 MB of directory names (and `compare` kept a
//! copy per level), the kind of image that took 2 GB.

use crate::rss::peak_rss;
use crate::util::*;
use std::time::Duration;

/// A layer with two files at the bottom of `depth` directories of `comp` bytes each
/// (PAX paths, as a hostile tar would write them); `extra` bytes more in each file, so
/// two layers with different `extra` differ at every level.
pub fn deep_layer(depth: usize, comp: usize, extra: usize) -> Vec<u8> {
    let dir = format!("{}/", "d".repeat(comp)).repeat(depth);
    let mut t = RawTar::new();
    for (name, size) in [("x", 1000 + extra), ("y", 10 + extra)] {
        let path = format!("{dir}{name}");
        t.pax(&[("path", path.as_bytes())])
            .file(b"placeholder", &vec![b'z'; size]);
    }
    t.finish()
}

fn oci_dir(layer: &[u8]) -> tempfile::TempDir {
    let files = oci_files(&[gzip(layer)], &[sha256(layer)], |_, _| {});
    write_dir(&files)
}

/// `compare --json` of two such images: exit 0, every level's directory in the breakdown's
/// reach, and the binary's peak memory under `bound_mib`.
fn compare_json(depth: usize, comp: usize, bound_mib: u64) {
    let (left, right) = (
        oci_dir(&deep_layer(depth, comp, 0)),
        oci_dir(&deep_layer(depth, comp, 7)),
    );
    let cwd = tempfile::tempdir().unwrap();
    let out = run_limited(
        &[
            "compare",
            left.path().to_str().unwrap(),
            right.path().to_str().unwrap(),
            "--json",
        ],
        Duration::from_secs(300),
        cwd.path(),
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(report.is_object());
    eprintln!(
        "compare --json, one path {} bytes {depth} deep: peak {} MiB",
        depth * (comp + 1) + 1,
        out.peak_kib >> 10
    );
    assert!(
        out.peak_kib < bound_mib << 10,
        "compare --json took {} MiB (bound {bound_mib} MiB)",
        out.peak_kib >> 10
    );
}

#[test]
fn compare_json_on_a_one_megabyte_path_stays_linear() {
    compare_json(900, 1111, 200);
}

#[test]
fn compare_json_on_a_path_ten_thousand_levels_deep_stays_linear() {
    compare_json(10_000, 8, 200);
}

/// The app's image tree, a layer's tree and the compare tree, built in a child process.
fn trees(depth: usize, comp: usize, bound_mib: u64) {
    let peak = peak_rss(&format!("deep-trees:{depth}x{comp}"));
    eprintln!(
        "tree builds, one path {} bytes {depth} deep: peak {} MiB ({})",
        depth * (comp + 1) + 1,
        peak.kib >> 10,
        peak.detail
    );
    assert!(
        peak.detail.contains(&format!("dirs={}", depth + 1)),
        "{}",
        peak.detail
    );
    assert!(
        peak.kib < bound_mib << 10,
        "the tree builds took {} MiB (bound {bound_mib} MiB): {}",
        peak.kib >> 10,
        peak.detail
    );
}

#[test]
fn tree_builds_on_a_one_megabyte_path_stay_linear() {
    trees(900, 1111, 200);
}

#[test]
fn tree_builds_on_a_path_ten_thousand_levels_deep_stay_linear() {
    trees(10_000, 8, 200);
}
