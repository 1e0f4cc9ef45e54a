//! A registry's blobs checked and kept: a corrupted blob is caught by its digest, and a
//! warm cache asks for no blob (nor, when only the config is missing, for a layer). Needs
//! MICROSCOPE_TEST_REGISTRY and its MICROSCOPE_TEST_REGISTRY_DATA and
//! MICROSCOPE_TEST_REGISTRY_LOG (see `registry.rs`), and MICROSCOPE_CORPUS.

use crate::registry::{arg, registry};
use crate::support::live;

use live::{Isolated, logged_requests, push_once, service};
use microscope::demo::builder::{BlobCompression, ImageBuilder, LayerBuilder};
use std::path::Path;

#[test]
fn a_corrupted_blob_is_caught_by_its_digest() {
    let Some((reg, _)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let Some(data) = service("MICROSCOPE_TEST_REGISTRY_DATA", "the registry's storage") else {
        return;
    };
    // A layer no other test shares (blobs are shared across repositories).
    let nonce = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
    let img = ImageBuilder::new("corrupt:1")
        .compression(BlobCompression::Gzip)
        .layer(LayerBuilder::new("COPY nonce /").file("nonce", nonce.as_bytes()));
    let dir = tempfile::tempdir().unwrap();
    img.write_oci_dir(dir.path()).unwrap();
    let image = format!("docker://{reg}/corrupt:{}", std::process::id());
    push_once(&format!("oci:{}", arg(dir.path())), &image, None, false);
    let t = Isolated::new();
    let report = t.run(&[&image, "--json", "--no-cache"]).json();
    let digest = report["layers"][0]["digest"].as_str().unwrap().to_string();
    let hex = digest.strip_prefix("sha256:").unwrap();
    let blob = Path::new(&data).join(format!(
        "docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    // The gzip header's OS byte: the stream still inflates to the same tar (same diff_id),
    // so only the blob digest can tell.
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[9] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    let line = t.run(&[&image, "--no-cache"]).fails();
    assert!(line.contains("digest"), "{line}");
    assert!(line.contains(&digest), "{line}");
}

#[test]
fn a_warm_cache_asks_for_no_blob() {
    let Some((reg, corpus)) = registry("MICROSCOPE_TEST_REGISTRY") else {
        return;
    };
    let Some(log) = service("MICROSCOPE_TEST_REGISTRY_LOG", "the registry's log") else {
        return;
    };
    // A repository of its own, so that other tests' requests are not counted.
    let image = format!("docker://{reg}/warm-cache/alpine:3.20");
    push_once(
        &format!(
            "docker-archive:{}",
            arg(&corpus.join("alpine-3.20.docker.tar"))
        ),
        &image,
        None,
        false,
    );
    let t = Isolated::new();
    let settled = || logged_requests(&log, "/v2/warm-cache/alpine/blobs/");
    let before = settled();
    let cold = t.run(&[&image, "--json"]).json();
    let after_cold = settled();
    assert!(after_cold > before, "the cold run fetches blobs");
    let start = std::time::Instant::now();
    let warm = t.run(&[&image, "--json"]).json();
    let took = start.elapsed();
    assert_eq!(settled(), after_cold, "the warm run asks for no blob");
    assert_eq!(cold, warm);
    eprintln!("warm run: {took:?}");
    // A config the cache lacks (a rebuild's) with every layer's scan kept: the config is
    // asked for, and no layer is asked for beside it.
    let layer = cold["layers"][0]["digest"].as_str().unwrap().to_string();
    let layer_gets = || logged_requests(&log, &format!("/v2/warm-cache/alpine/blobs/{layer}"));
    let layer_before = layer_gets();
    std::fs::remove_dir_all(t.cache_dir().join("microscope/blobs")).unwrap();
    let again = t.run(&[&image, "--json"]).json();
    assert!(settled() > after_cold, "the config is asked for");
    assert_eq!(layer_gets(), layer_before, "no layer is asked for");
    assert_eq!(cold, again);
}
