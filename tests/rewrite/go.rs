//! The rewrite of Go programs: static with and without debug info, with cgo (the demo fat
//! image), rebuilt from the toolchain and module the image carries or from the golang image.

use crate::support::rewrite;

use microscope::analysis::rewrite::Stage;
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;
use rewrite::{Elf, file, paths, rewrite};

fn go(cgo: bool, ldflags: &str, debug: usize) -> Elf {
    let mut modinfo =
        "path\texample.com/app/cmd/server\nmod\texample.com/app\t(devel)\t\n".to_string();
    if !ldflags.is_empty() {
        modinfo.push_str(&format!("build\t-ldflags=\"{ldflags}\"\n"));
    }
    modinfo.push_str(&format!("build\tCGO_ENABLED={}\n", u8::from(cgo)));
    let mut e = if cgo { Elf::glibc() } else { Elf::program() };
    e.text = 50_000;
    e.debug = debug;
    e.go = Some(("go1.22.5".into(), modinfo));
    e.gopclntab = vec![
        "crypto/x509.loadSystemRoots".into(),
        "time.loadLocation".into(),
        "os/user.lookupUserId".into(),
    ];
    if cgo {
        e.gopclntab.push("runtime/cgo.init".into());
    }
    e
}

fn base() -> LayerBuilder {
    LayerBuilder::new("base")
        .file("etc/ssl/certs/ca-certificates.crt", &[b'M'; 7000])
        .file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        .file("etc/group", b"root:x:0:\n")
        .file("usr/share/zoneinfo/UTC", &[b'T'; 120])
        .file("usr/share/zoneinfo/Europe/Paris", &[b'T'; 2900])
}

fn img(layers: Vec<LayerBuilder>) -> ImageBuilder {
    let mut i = ImageBuilder::new("test/go:latest");
    for l in layers {
        i = i.layer(l);
    }
    i.run = RunConfig {
        entrypoint: vec!["/server".into()],
        ..Default::default()
    };
    i
}

#[test]
fn static_go_with_debug_info_goes_to_scratch_stripped() {
    let server = go(false, "", 40_000).build();
    let app = LayerBuilder::new("app").file_with("server", &server, 0o755, 0, 0);
    let (_, r) = rewrite(&img(vec![base(), app]));
    assert_eq!(r.base, "scratch");
    assert!(r.reason.contains("static Go program"), "{}", r.reason);
    // What the linked-in functions say it reads: CA roots, zoneinfo, passwd (os/user).
    let p = paths(&r);
    for want in [
        "/etc/group",
        "/etc/passwd",
        "/etc/ssl/certs/ca-certificates.crt",
        "/usr/share/zoneinfo",
        "/server",
    ] {
        assert!(p.contains(&want), "{want} missing from {p:?}");
    }
    let s = file(&r, "/server");
    assert!(s.bytes - s.predicted_bytes > 40_000, "{s:?}");
    assert_eq!(s.from, Stage::Source, "no toolchain, no strip: advice only");
    assert!(
        r.advice[0].starts_with("go build -ldflags=\"-s -w\""),
        "{:?}",
        r.advice
    );
    assert!(
        r.dockerfile
            .contains("# Advice applied in the prediction: go build -ldflags=\"-s -w\"")
    );
    assert!(
        r.assumptions
            .iter()
            .any(|a| a.contains("copies /server unstripped"))
    );
    assert!(
        r.dockerfile
            .contains("COPY --from=source /usr/share/zoneinfo /usr/share/zoneinfo\n")
    );
    let files: u64 = r.files.iter().map(|f| f.predicted_bytes).sum();
    assert_eq!(r.predicted_bytes, files);
}

#[test]
fn stripped_static_go_is_predicted_at_its_own_size() {
    let server = go(false, "-s -w", 0).build();
    let app = LayerBuilder::new("app").file_with("server", &server, 0o755, 0, 0);
    let (a, r) = rewrite(&img(vec![base(), app]));
    assert!(r.advice.is_empty(), "{:?}", r.advice);
    assert_eq!(
        r.predicted_bytes, a.sizes.final_bytes,
        "the image already is its rewrite"
    );
}

#[test]
fn cgo_go_with_toolchain_and_module_rebuilds_in_the_source_image() {
    let server = go(true, "", 30_000).build();
    let app = LayerBuilder::new("app")
        .file_with("usr/local/go/bin/go", &Elf::program().build(), 0o755, 0, 0)
        .file("src/app/go.mod", b"module example.com/app\n\ngo 1.22\n")
        .file("src/app/cmd/server/main.go", b"package main\n")
        .file(
            "root/go/pkg/mod/golang.org/x/net@v0.1.0/go.mod",
            b"module golang.org/x/net\n",
        )
        .file_with("server", &server, 0o755, 0, 0);
    let mut i = img(vec![base(), app]);
    i.run.working_dir = "/src/app".into();
    let (_, r) = rewrite(&i);
    assert_eq!(r.base, "scratch", "{}", r.reason);
    assert!(r.reason.contains("CGO_ENABLED=0"), "{}", r.reason);
    let d = &r.dockerfile;
    assert!(
        d.contains("FROM source AS build\nWORKDIR /src/app\nENV CGO_ENABLED=0\nRUN [\"/usr/local/go/bin/go\",\"build\",\"-ldflags=-s -w\",\"-o\",\"/microscope-out/server\",\"./cmd/server\"]\n"),
        "{d}"
    );
    assert!(
        d.contains("COPY --from=build /microscope-out/server /server\n"),
        "{d}"
    );
    let s = file(&r, "/server");
    assert_eq!(s.from, Stage::Build);
    assert!(s.bytes - s.predicted_bytes > 30_000);
    assert!(
        !paths(&r)
            .iter()
            .any(|p| p.contains("ld-linux") || p.contains("libc")),
        "no libc after the rebuild"
    );
    assert!(
        r.advice[0].starts_with("CGO_ENABLED=0 go build"),
        "{:?}",
        r.advice
    );
    assert!(
        d.contains("WORKDIR /src/app\n"),
        "the final WORKDIR is kept: {d}"
    );
}

#[test]
fn cgo_go_without_toolchain_builds_from_the_golang_image() {
    let server = go(true, "-s -w", 0).build();
    let app = LayerBuilder::new("app").file_with("server", &server, 0o755, 0, 0);
    let (_, r) = rewrite(&img(vec![base(), app]));
    let d = &r.dockerfile;
    assert!(
        d.contains("FROM golang:1.22.5 AS build\nWORKDIR /src\nCOPY . .\nENV CGO_ENABLED=0\n"),
        "{d}"
    );
    assert!(r.assumptions.iter().any(|a| a.contains("your source")));
    assert_eq!(
        file(&r, "/server").predicted_bytes,
        file(&r, "/server").bytes,
        "already -s -w"
    );
}

#[test]
fn demo_fat_rewrites_to_scratch_without_cgo_and_symbols() {
    let (a, r) = rewrite(&microscope::demo::fat());
    assert_eq!(r.base, "scratch");
    assert!(r.program.kind.contains("cgo on"), "{}", r.program.kind);
    let d = &r.dockerfile;
    assert!(d.contains("ENV CGO_ENABLED=0\n"), "{d}");
    assert!(d.contains("-ldflags=-s -w"), "{d}");
    assert!(
        d.contains("FROM source AS build\nWORKDIR /src\n"),
        "the demo carries /src and a Go toolchain: {d}"
    );
    assert_eq!(
        paths(&r),
        [
            "/etc/ssl/certs/ca-certificates.crt",
            "/usr/local/bin/server"
        ]
    );
    let server = file(&r, "/usr/local/bin/server");
    assert_eq!(r.predicted_bytes, server.predicted_bytes + 219_597);
    assert!(
        r.predicted_bytes * 10 < a.sizes.final_bytes,
        "a tenth of the fat image at most"
    );
    assert!(
        r.may_also_need.iter().any(|m| m.contains("timetzdata")),
        "no zoneinfo in the demo"
    );
    // The same server, built as the advice says, is the demo micro image.
    let (m, micro) = rewrite(&microscope::demo::micro());
    assert_eq!(micro.predicted_bytes, m.sizes.final_bytes);
    let diff = r.predicted_bytes.abs_diff(micro.predicted_bytes) as f64;
    assert!(
        diff / micro.predicted_bytes as f64 <= 0.15,
        "{} vs {}",
        r.predicted_bytes,
        micro.predicted_bytes
    );
}
