//! The fleet's shared scan cache in a registry (`--cache-registry`), against a hostile one:
//! its answers are read with the bounds of an image's (a manifest 4 MiB, a blob its
//! descriptor's size, an error answer 1 MiB), by microscope's own requests, pushes included.

use crate::fake_registry::*;
use crate::util::{Outcome, run_limited};
use std::time::Duration;

/// Peak RSS these runs stay under (15-25 MiB measured; an endless answer read whole passes
/// it in a fraction of a second).
const PEAK_KIB: u64 = 64 << 10;

/// `fleet --from LIST --cache-registry docker://127.0.0.1:PORT/cache`, LIST naming the
/// registry's one image.
fn fleet_with_cache(reg: &Registry) -> Outcome {
    let home = tempfile::tempdir().unwrap();
    let list = home.path().join("refs.txt");
    std::fs::write(&list, format!("{}\n", reg.reference())).unwrap();
    let cache = format!("docker://127.0.0.1:{}/cache", reg.port);
    let out = home.path().join("fleet.jsonl");
    let args = [
        "fleet",
        "--from",
        list.to_str().unwrap(),
        "--cache-registry",
        &cache,
        "--no-cache",
        "-o",
        out.to_str().unwrap(),
    ];
    run_limited(
        &args,
        Duration::from_secs(60),
        home.path(),
        &[
            ("HOME", home.path()),
            ("XDG_CACHE_HOME", home.path()),
            ("DOCKER_CONFIG", home.path()),
        ],
    )
}

#[test]
fn an_endless_cache_manifest_stops_at_4_mib() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/cache/manifests/") {
                endless(s, "application/vnd.oci.image.manifest.v1+json");
                return true;
            }
            false
        }),
    );
    let o = fleet_with_cache(&reg);
    let line = o.error("larger than 4 MiB, the limit for it");
    assert!(line.contains("--cache-registry"), "{line}");
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
}

#[test]
fn an_endless_error_to_a_cache_push_stops_at_1_mib() {
    // Lookups miss (404); every upload is answered with an endless error body: each push
    // fails at 1 MiB, is counted, and the run goes on.
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "POST" && p.starts_with("/v2/cache/blobs/uploads/") {
                endless_answer(s, "500 Internal Server Error", "application/json");
                return true;
            }
            false
        }),
    );
    let o = fleet_with_cache(&reg);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("1 request with the cache registry failed"),
        "{}",
        o.stderr
    );
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
    eprintln!("endless push error: peak {} KiB", o.peak_kib);
}

#[test]
fn a_cache_blob_longer_than_its_descriptor_is_not_read_on() {
    // The entry's manifest says 10 bytes; its blob never ends: a failed lookup, no balloon.
    let blob_digest = format!("sha256:{}", "ab".repeat(32));
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.microscope.layer-scan.v1",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                   "digest": Image::digest_of(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/octet-stream", "digest": blob_digest, "size": 10}],
    }))
    .unwrap();
    let blob_path = format!("/v2/cache/blobs/{blob_digest}");
    let reg = Registry::start(
        Image::new(),
        Box::new(move |m, p, s| {
            if m == "GET" && p.starts_with("/v2/cache/manifests/sha256-") {
                let ct = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")];
                respond(s, "200 OK", &ct, &manifest);
                return true;
            }
            if m == "GET" && p == blob_path {
                endless(s, "application/octet-stream");
                return true;
            }
            false
        }),
    );
    let o = fleet_with_cache(&reg);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains("with the cache registry failed"),
        "{}",
        o.stderr
    );
    assert!(o.peak_kib < PEAK_KIB, "peak RSS {} KiB", o.peak_kib);
}
