//! Registry answers that never end, stall or lie (issue 17, classes 2, 4 and 11), against a
//! fake registry in this process.

use crate::fake_registry::*;
use std::time::{Duration, Instant};

#[test]
fn a_well_behaved_fake_registry_is_read() {
    let reg = Registry::start(Image::new(), Box::new(|_, _, _| false));
    let report = reg.run(&[], Duration::from_secs(60)).report();
    assert_eq!(report["size"]["final_bytes"], 4096);
}

#[test]
fn an_endless_manifest_stops_at_4_mib() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/img/manifests/") {
                endless(s, "application/vnd.oci.image.manifest.v1+json");
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let o = reg.run(&[], Duration::from_secs(60));
    o.error("larger than 4 MiB");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
    eprintln!(
        "endless manifest: {:?}, peak {} KiB",
        start.elapsed(),
        o.peak_kib
    );
}

#[test]
fn a_config_longer_than_its_descriptor_is_refused() {
    let image = Image::new();
    let config_path = format!("/v2/img/blobs/{}", Image::digest_of(&image.config));
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == config_path {
                endless(s, "application/octet-stream");
                return true;
            }
            false
        }),
    );
    let o = reg.run(&[], Duration::from_secs(60));
    o.error("longer than its limit");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
}
