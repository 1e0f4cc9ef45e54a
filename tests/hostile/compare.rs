//! compare must not vouch for the second image with the first one's scans (issue 17,
//! class 10): a shared layer is reused only after the second image's own blob hashes to it.

use crate::util::*;
use std::time::Duration;

#[test]
fn a_corrupt_right_image_fails_the_comparison_as_it_fails_alone() {
    let tar = RawTar::new().file(b"f", &[b'x'; 5000]).finish();
    let blob = gzip(&tar);
    let files = oci_files(std::slice::from_ref(&blob), &[sha256(&tar)], |_, _| {});
    let left = write_dir(&files);
    let right = write_dir(&files);
    // Same name, other bytes: the right blob no longer hashes to its digest.
    let p = right.path().join(blob_path(&sha256(&blob)));
    let mut bytes = std::fs::read(&p).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&p, bytes).unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (l, r) = (
        left.path().to_str().unwrap(),
        right.path().to_str().unwrap(),
    );
    let alone = run_limited(&[r, "--json"], Duration::from_secs(60), cwd.path(), &[]);
    assert_eq!(alone.code, Some(2), "{}", alone.stderr);
    let both = run_limited(
        &["compare", l, r, "--json"],
        Duration::from_secs(60),
        cwd.path(),
        &[],
    );
    let line = both.error("right image");
    assert!(
        line.contains("mismatch") || line.contains("corrupt"),
        "{line}"
    );
    // And an intact pair still shares the scan.
    let ok = run_limited(
        &["compare", l, l, "--json"],
        Duration::from_secs(60),
        cwd.path(),
        &[],
    );
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
}
