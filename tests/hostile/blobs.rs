//! Blobs and sources that are not regular files, or longer than their descriptor (issue 17,
//! class 3): a FIFO must not block, a device must not be read for ever.

use crate::util::*;
use std::path::Path;
use std::time::Duration;

fn mkfifo(p: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap()
            .success()
    );
}

fn layout() -> (tempfile::TempDir, String) {
    let tar = RawTar::new().file(b"f", b"content").finish();
    let blob = gzip(&tar);
    let files = oci_files(std::slice::from_ref(&blob), &[sha256(&tar)], |_, _| {});
    (write_dir(&files), blob_path(&sha256(&blob)))
}

fn run_in_time(p: &Path) -> Outcome {
    let cwd = tempfile::tempdir().unwrap();
    run_limited(
        &[p.to_str().unwrap(), "--json"],
        Duration::from_secs(30),
        cwd.path(),
        &[],
    )
}

#[test]
fn a_layer_blob_linked_to_dev_zero_is_refused() {
    let (dir, blob) = layout();
    let p = dir.path().join(&blob);
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
    run_in_time(dir.path()).error("not a regular file (a character device)");
}

#[test]
fn a_layer_blob_that_is_a_fifo_is_refused_without_blocking() {
    let (dir, blob) = layout();
    let p = dir.path().join(&blob);
    std::fs::remove_file(&p).unwrap();
    mkfifo(&p);
    run_in_time(dir.path()).error("not a regular file (a FIFO)");
}

#[test]
fn an_image_path_that_is_a_fifo_or_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("image.tar");
    mkfifo(&p);
    run_in_time(&p).error("not a regular file (a FIFO)");
    run_in_time(Path::new("/dev/zero")).error("not a regular file (a character device)");
}

#[test]
fn a_docker_archive_dir_whose_layer_is_a_device_is_refused() {
    let archive = docker_archive(vec![RawTar::new().file(b"f", b"x").finish()]);
    let dir = tempfile::tempdir().unwrap();
    let mut a = tar::Archive::new(&archive[..]);
    a.unpack(dir.path()).unwrap();
    let layer = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("layer.tar"))
        .find(|p| p.exists())
        .expect("a legacy layer.tar");
    std::fs::remove_file(&layer).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &layer).unwrap();
    run_in_time(dir.path()).error("not a regular file");
}

#[test]
fn a_local_blob_longer_than_its_descriptor_stops_there() {
    let (dir, blob) = layout();
    let p = dir.path().join(&blob);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes.extend(vec![0u8; 1 << 20]);
    std::fs::write(&p, bytes).unwrap();
    run_in_time(dir.path()).error("longer than its descriptor's size");
}
