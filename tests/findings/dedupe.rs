//! The savings total counts each byte once, in the documented precedence; and a fat-like
//! image (careless apt, Go toolchain, unstripped server, rm and chmod layers) shows what the
//! corpus's fat:latest should.

use crate::support::elf;

use elf::*;
use microscope::analysis::findings::{FindingsInput, FindingsReport, find};
use microscope::demo::builder::LayerBuilder;
use microscope::image::Merged;
use microscope::scan::{ScanContext, scan_layer};
use std::sync::Arc;

fn report(layers: Vec<LayerBuilder>) -> FindingsReport {
    let commands: Vec<String> = layers.iter().map(|l| l.command.clone()).collect();
    let scans: Vec<_> = layers
        .into_iter()
        .map(|l| Arc::new(scan_layer(&l.build()[..], &ScanContext::default()).unwrap()))
        .collect();
    let merged = Merged::build(&scans);
    find(&FindingsInput {
        scans: &scans,
        merged: &merged,
        commands: &commands,
        packages: None,
    })
}

fn kind_total(r: &FindingsReport, kind: &str) -> (u64, u64) {
    r.findings
        .iter()
        .filter(|f| f.kind == kind)
        .fold((0, 0), |(s, c), f| {
            (s + f.savable_bytes, c + f.counted_bytes)
        })
}

#[test]
fn a_byte_is_counted_once() {
    let bin = unstripped(500, 300, 200, 4000);
    let cost = strip_cost(300, 200, 4000);
    let r = report(vec![
        LayerBuilder::new("/bin/sh -c make")
            // Docs that are also duplicates: docs claim both copies whole.
            .file("usr/share/doc/a/README", &[1; 1000])
            .file("usr/share/doc/b/README", &[1; 1000])
            // One unstripped binary at two paths: the copy is a duplicate, the kept one strippable.
            .file_with("usr/bin/x", &bin, 0o755, 0, 0)
            .file_with("usr/bin/y", &bin, 0o755, 0, 0),
    ]);
    assert_eq!(kind_total(&r, "docs"), (2000, 2000));
    let (dup_savable, dup_counted) = kind_total(&r, "duplicate");
    assert_eq!(dup_savable, 1000 + bin.len() as u64);
    assert_eq!(
        dup_counted,
        bin.len() as u64,
        "the README copy is already counted as docs"
    );
    let (dbg_savable, dbg_counted) = kind_total(&r, "debug-symbols");
    assert_eq!(dbg_savable, 2 * cost, "both paths carry symbols");
    assert_eq!(
        dbg_counted, cost,
        "the duplicate copy is already counted whole"
    );
    assert_eq!(r.findings_savable_bytes, 2000 + bin.len() as u64 + cost);
    let sum: u64 = r.findings.iter().map(|f| f.counted_bytes).sum();
    assert_eq!(sum, r.findings_savable_bytes);
}

#[test]
fn fat_like_image() {
    let go = go_binary(90_000, 110_000, 1_800_000, "");
    let base = LayerBuilder::new("/bin/sh -c #(nop) ADD file:debian in / ")
        .file("usr/bin/bash", &[1; 1200])
        .file("usr/share/doc/bash/copyright", &[2; 300]);
    let apt = LayerBuilder::new(
        "/bin/sh -c apt-get update && apt-get install -y golang-go build-essential ca-certificates curl",
    )
    .file("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", &[3; 90_000])
    .file("var/cache/apt/archives/golang-1.19-go_1.19.8-2_amd64.deb", &[4; 70_000])
    .file("var/cache/apt/pkgcache.bin", &[5; 30_000])
    .file("usr/lib/go-1.19/pkg/tool/linux_amd64/compile", &[6; 50_000])
    .file("usr/lib/gcc/x86_64-linux-gnu/12/cc1", &[7; 40_000])
    .file_with("usr/lib/go-1.19/bin/go", &[8; 20_000], 0o755, 0, 0)
    .file("usr/share/doc/golang-1.19-go/changelog.gz", &[9; 3_000]);
    let copy = LayerBuilder::new("/bin/sh -c #(nop) COPY dir:abc in /src/hello/ ")
        .file("src/hello/main.go", &[10; 800]);
    let build = LayerBuilder::new(
        "/bin/sh -c cd /src/hello && go build -o /tmp/build/hello . && cp /tmp/build/hello /usr/local/bin/hello",
    )
    .file_with("tmp/build/hello", &go, 0o755, 0, 0)
    .file_with("usr/local/bin/hello", &go, 0o755, 0, 0)
    .file("root/.cache/go-build/ab/abcdef-d", &[11; 5_000]);
    let cleanup = LayerBuilder::new(
        "/bin/sh -c rm -rf /tmp/* /var/cache/apt/archives/*.deb && chmod 0555 /usr/local/bin/hello && chmod 0700 /usr/lib/go-1.19/pkg/tool/linux_amd64/compile",
    )
    .whiteout("tmp/build")
    .whiteout("var/cache/apt/archives/golang-1.19-go_1.19.8-2_amd64.deb")
    .file_with("usr/local/bin/hello", &go, 0o555, 0, 0)
    .file_with("usr/lib/go-1.19/pkg/tool/linux_amd64/compile", &[6; 50_000], 0o700, 0, 0);
    let r = report(vec![base, apt, copy, build, cleanup]);
    for f in &r.findings {
        eprintln!(
            "{:>9} {:>9} L{} {:<20} {} | {}",
            f.savable_bytes, f.counted_bytes, f.layer, f.kind, f.title, f.fix
        );
    }
    let g = go.len() as u64;
    assert_eq!(kind_total(&r, "apt-lists").0, 90_000);
    assert_eq!(kind_total(&r, "package-cache").0, 30_000 + 5_000);
    assert_eq!(kind_total(&r, "toolchain").0, 40_000 + 20_000 + 50_000);
    assert_eq!(kind_total(&r, "deleted-later").0, 70_000 + g);
    assert_eq!(kind_total(&r, "metadata-copy").0, g + 50_000);
    let dbg = r
        .findings
        .iter()
        .find(|f| f.kind == "debug-symbols")
        .expect("unstripped server");
    assert_eq!(
        (dbg.layer, dbg.savable_bytes),
        (4, strip_cost(90_000, 110_000, 1_800_000))
    );
    assert_eq!(dbg.paths[0].path, "/usr/local/bin/hello");
    assert!(
        dbg.fix
            .starts_with("RUN cd /src/hello && go build -ldflags=\"-s -w\" -o"),
        "{}",
        dbg.fix
    );
    // The chmod'ed compile binary is a metadata copy (layer 1) and toolchain (layer 4).
    assert_eq!(
        r.findings_savable_bytes,
        90_000 + 35_000 + 110_000 + 3_000 + 70_000 + 2 * g + 50_000 + dbg.savable_bytes
    );
}
