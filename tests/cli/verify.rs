//! `--no-verify` and `verify = false`: layers are not hashed, and the run says so on stderr
//! and in the report; without them a corrupt blob is an error.

use microscope::demo::builder::{BlobCompression, ImageBuilder, LayerBuilder};
use std::path::Path;
use std::process::{Command, Output};

/// The binary with its own cache and config homes (nothing of the user's is read).
fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("binary runs")
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("a JSON report")
}

/// An OCI layout whose one layer is a plain tar, so a flipped content byte still reads as a
/// tar (a gzip layer would fail its CRC whatever is verified).
fn plain_layout(dir: &Path) -> String {
    ImageBuilder::new("t:1")
        .compression(BlobCompression::Plain)
        .layer(LayerBuilder::new("x").file("a", &[b'a'; 4000]))
        .write_oci_dir(dir)
        .expect("layout written");
    format!("oci:{}", dir.display())
}

/// Flips a byte of the file's content inside the layer blob, keeping its size.
fn corrupt_layer(dir: &Path) {
    let blobs = dir.join("blobs/sha256");
    let layer = std::fs::read_dir(&blobs)
        .expect("blobs")
        .map(|e| e.expect("entry").path())
        .find(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) > 4000)
        .expect("the layer blob");
    let mut bytes = std::fs::read(&layer).expect("blob");
    let at = bytes
        .windows(64)
        .position(|w| w.iter().all(|&b| b == b'a'))
        .expect("the file's content")
        + 100;
    bytes[at] = b'b';
    std::fs::write(&layer, bytes).expect("rewritten");
}

#[test]
fn the_flag_turns_the_report_field_false_and_says_so() {
    let home = tempfile::tempdir().expect("tempdir");
    let image = plain_layout(&home.path().join("img"));
    let verified = run(home.path(), &[&image, "--json", "--no-cache"]);
    let v = json(&verified);
    assert!(
        v.get("digests_verified").is_none(),
        "a verified run's JSON is unchanged: {:?}",
        v.get("digests_verified")
    );
    assert!(!String::from_utf8_lossy(&verified.stderr).contains("not verifying"));
    let trusted = run(
        home.path(),
        &[&image, "--json", "--no-cache", "--no-verify"],
    );
    let t = json(&trusted);
    assert_eq!(t["digests_verified"], false);
    assert!(
        String::from_utf8_lossy(&trusted.stderr).contains("not verifying layer digests"),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    // The digests reported are the ones the manifest and config name.
    assert_eq!(t["layers"][0]["diff_id"], v["layers"][0]["diff_id"]);
    assert_eq!(t["layers"][0]["digest"], v["layers"][0]["digest"]);
    assert_eq!(t["size"], v["size"]);
}

#[test]
fn a_corrupt_blob_passes_with_no_verify_and_fails_without() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("img");
    let image = plain_layout(&dir);
    corrupt_layer(&dir);
    let o = run(home.path(), &[&image, "--json"]);
    assert_eq!(o.status.code(), Some(2), "verified: the corrupt blob fails");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("layer 0") && e.contains("mismatch"), "{e}");
    let t = json(&run(home.path(), &[&image, "--json", "--no-verify"]));
    assert_eq!(t["digests_verified"], false);
    // What --no-verify read is not cached: a later verified run still catches it.
    let again = run(home.path(), &[&image, "--json"]);
    assert_eq!(again.status.code(), Some(2), "still caught when verifying");
}

#[test]
fn verify_false_in_the_config_is_no_verify() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("img");
    let image = plain_layout(&dir);
    corrupt_layer(&dir);
    let config = home.path().join("config/microscope");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), "verify = false\n").expect("config");
    let o = run(home.path(), &[&image, "--json"]);
    assert_eq!(json(&o)["digests_verified"], false);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--no-verify"));
    std::fs::write(config.join("config.toml"), "verify = true\n").expect("config");
    let o = run(home.path(), &[&image, "--json"]);
    assert_eq!(o.status.code(), Some(2), "verify = true verifies");
}
