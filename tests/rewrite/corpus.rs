//! The proof on real images (`$MICROSCOPE_CORPUS`): micro-debug, the Go server with debug
//! info, rewritten to scratch must predict micro-latest's real size (the same server built
//! with -s -w, plus the CA bundle) within 15 %; micro-latest is its own rewrite.

use crate::support::corpus;
use microscope::analysis::analyze;
use microscope::analysis::rewrite::Rewrite;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};

/// micro-latest: 4,587,520 B server + 222,073 B CA bundle (corpus README).
const MICRO_LATEST_BYTES: u64 = 4_809_593;
/// micro-latest.oci.tar: the gzip blobs a registry stores (corpus README).
const MICRO_LATEST_COMPRESSED: u64 = 2_197_481;

fn rewrite(file: &std::path::Path) -> Rewrite {
    let r = ImageRef::parse(&file.to_string_lossy()).unwrap();
    let src = open(&r, &SourceOptions::default()).unwrap();
    let image = load_image(&*src, &LoadOptions::default()).unwrap();
    analyze(&image).rewrite.unwrap()
}

fn off(predicted: u64, real: u64) -> f64 {
    (predicted as f64 - real as f64).abs() / real as f64
}

#[test]
fn micro_debug_rewrites_to_scratch_within_15_percent_of_micro_latest() {
    let Some(dir) = corpus() else { return };
    let r = rewrite(&dir.join("micro-debug.docker.tar"));
    assert_eq!(r.base, "scratch", "{}", r.reason);
    let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["/etc/ssl/certs/ca-certificates.crt", "/hello"]);
    assert!(
        r.advice.iter().any(|a| a.contains("-s -w")),
        "{:?}",
        r.advice
    );
    let e = off(r.predicted_bytes, MICRO_LATEST_BYTES);
    let c = off(r.predicted_compressed_bytes, MICRO_LATEST_COMPRESSED);
    eprintln!(
        "micro-debug → scratch: predicted {} B (real micro-latest {MICRO_LATEST_BYTES} B, {:.2} % off), compressed {} B (real {MICRO_LATEST_COMPRESSED} B, {:.2} % off)",
        r.predicted_bytes,
        e * 100.0,
        r.predicted_compressed_bytes,
        c * 100.0
    );
    assert!(e <= 0.15, "on disk {:.1} % off", e * 100.0);
    assert!(c <= 0.15, "compressed {:.1} % off", c * 100.0);
}

#[test]
fn micro_latest_is_already_its_rewrite() {
    let Some(dir) = corpus() else { return };
    let r = rewrite(&dir.join("micro-latest.docker.tar"));
    assert_eq!(r.base, "scratch");
    assert_eq!(r.predicted_bytes, MICRO_LATEST_BYTES);
    assert!(r.advice.is_empty(), "{:?}", r.advice);
}

#[test]
fn alpine_shell_and_debian_bash_copy_their_closures() {
    let Some(dir) = corpus() else { return };
    let a = rewrite(&dir.join("alpine-3.20.docker.tar"));
    let paths: Vec<&str> = a.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(a.base, "scratch", "{}", a.reason);
    assert!(
        paths.contains(&"/lib/ld-musl-x86_64.so.1") && paths.contains(&"/bin/sh"),
        "{paths:?}"
    );
    assert!(a.predicted_bytes < 7_792_915 / 4, "{}", a.predicted_bytes);

    let d = rewrite(&dir.join("debian-bookworm.oci.tar"));
    let paths: Vec<&str> = d.files.iter().map(|f| f.path.as_str()).collect();
    for want in [
        "/usr/bin/bash",
        "/lib/x86_64-linux-gnu/libtinfo.so.6",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/ld-linux-x86-64.so.2",
    ] {
        assert!(paths.contains(&want), "{want} missing from {paths:?}");
    }
    assert!(d.missing.is_empty(), "{:?}", d.missing);
}
