//! Findings on the real-image corpus (`$MICROSCOPE_CORPUS`; skipped when unset). Prints
//! each image's top findings, and checks what the issue promises: the unstripped Go server
//! of micro-debug with its `-s -w` fix, almost nothing on micro-latest, and dive's test
//! image's waste.

use crate::support::elf;

use elf::corpus;
use microscope::analysis::findings::{FindingsInput, FindingsReport, find};
use microscope::image::Merged;

fn findings(name: &str) -> Option<FindingsReport> {
    let loaded = corpus::load(name)?;
    let merged = Merged::build(&loaded.scans);
    let r = find(&FindingsInput {
        scans: &loaded.scans,
        merged: &merged,
        commands: &loaded.commands,
        packages: None,
    });
    eprintln!(
        "== {name}: {} findings, {} B savable",
        r.findings.len(),
        r.findings_savable_bytes
    );
    for f in r.findings.iter().take(8) {
        eprintln!(
            "  {:>10} B  L{} {:<20} {:?} {}  | {}",
            f.savable_bytes, f.layer, f.kind, f.severity, f.title, f.fix
        );
    }
    Some(r)
}

#[test]
fn micro_debug_shows_the_unstripped_go_server() {
    let Some(r) = findings("micro-debug.docker.tar") else {
        return;
    };
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == "debug-symbols")
        .expect("debug symbols");
    assert_eq!(f.paths[0].path, "/hello");
    assert!(
        f.savable_bytes > 2_000_000
            && f.fix.is_empty()
            && f.explanation.contains("-ldflags=\"-s -w\""),
        "{f:?}"
    );
    assert_eq!(r.findings_savable_bytes, f.savable_bytes);
}

#[test]
fn micro_latest_shows_almost_nothing() {
    let Some(r) = findings("micro-latest.docker.tar") else {
        return;
    };
    assert_eq!(r.findings_savable_bytes, 0);
    assert!(r.findings.iter().all(|f| f.kind == "uncompressed-binary"));
}

#[test]
fn dive_test_image_waste_matches_dive() {
    let Some(r) = findings("dive-test-image.docker.tar") else {
        return;
    };
    // dive counts 32,025 inefficient bytes (rewritten files, smallest copy kept); we count
    // every hidden byte of lower layers plus deletions dive ignores.
    let waste: u64 = r
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind.as_str(),
                "overwritten" | "metadata-copy" | "deleted-later" | "opaque-hidden"
            )
        })
        .map(|f| f.savable_bytes)
        .sum();
    assert!(waste > 0);
    assert!(
        r.findings.iter().any(|f| f.kind == "metadata-copy"),
        "its chmod layer"
    );
}

#[test]
fn base_images() {
    for name in ["alpine-3.20.docker.tar", "debian-bookworm.oci.tar"] {
        if let Some(r) = findings(name) {
            let sum: u64 = r.findings.iter().map(|f| f.counted_bytes).sum();
            assert_eq!(sum, r.findings_savable_bytes);
        }
    }
}
