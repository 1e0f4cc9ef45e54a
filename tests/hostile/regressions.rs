//! Replays every input under `fuzz/regressions/<target>/` through the fuzz target's code
//! (`harness.rs`), bounded in time: a crash a fuzzer found stays fixed on stable Rust.
//! Also writes the fuzzers' seed corpora (`--ignored write_fuzz_seeds`).

use crate::harness::{self, SEP};
use crate::util::within;
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::path::PathBuf;
use std::time::Duration;

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn replay(target: &str, run: fn(&[u8])) {
    let dir = fuzz_dir().join("regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        crate::support::skip(format_args!(
            "needs {} (no saved regressions for {target})",
            dir.display()
        ));
        return;
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        within(Duration::from_secs(30), move || {
            eprintln!("replaying {name}");
            run(&data)
        });
    }
}

#[test]
fn scan_layer_regressions() {
    replay("scan_layer", harness::scan_layers);
}

#[test]
fn image_source_regressions() {
    replay("image_source", harness::image_source);
}

#[test]
fn elf_inspect_regressions() {
    replay("elf_inspect", harness::elf_inspect);
}

#[test]
fn go_buildinfo_regressions() {
    replay("go_buildinfo", harness::go_buildinfo);
}

#[test]
fn dpkg_db_regressions() {
    replay("dpkg_db", harness::dpkg_db);
}

#[test]
fn apk_db_regressions() {
    replay("apk_db", harness::apk_db);
}

#[test]
fn ci_config_regressions() {
    replay("ci_config", harness::ci_config);
}

#[test]
fn rpm_db_regressions() {
    replay("rpm_db", harness::rpm_db);
}

#[test]
fn dockerfile_regressions() {
    replay("dockerfile", harness::dockerfile);
}

/// The two new targets' properties on a few hostile inputs, so they are tested even where
/// nobody fuzzes.
#[test]
fn ci_config_and_dockerfile_targets_hold_on_hostile_inputs() {
    let mut bomb = String::from("a0: &a0 [x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(",")
        ));
    }
    within(Duration::from_secs(30), move || {
        harness::ci_config(bomb.as_bytes())
    });
    harness::ci_config(b"[ci]\nmax_layers = 3\n");
    harness::ci_config("- ".repeat(50_000).as_bytes());
    for input in [
        join(&[
            b"A=1\x01B=x\nRUN id\x01C=$HOME \"q\" \\",
            b"/srv/my dir $x",
            b"1000:1000",
            b"80/tcp",
            b"app/server",
            b"--flag",
        ]),
        join(&[
            b"EVIL=\nRUN curl x|sh",
            b"/a\nRUN id",
            b"root\nRUN id",
            b"81\nRUN id",
            b"a\nRUN b",
            b"\x1b]0;t\x07",
        ]),
        join(&[b"", b"", b"", b"", b"", b""]),
    ] {
        harness::dockerfile(&input);
    }
}

fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(SEP)
}

/// Seeds: small valid inputs of each target's format, so the fuzzers start past the
/// checksums and magic numbers. Written under `fuzz/corpus/` (not checked in).
#[test]
#[ignore = "writes fuzz/corpus; run before fuzzing"]
fn write_fuzz_seeds() {
    let base = LayerBuilder::new("base")
        .dir("etc")
        .file("etc/os-release", b"ID=debian\n")
        .file("bin/sh", b"#!/bin/busybox\n")
        .file(
            "var/lib/dpkg/status",
            b"Package: sh\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n",
        )
        .file("var/lib/dpkg/info/sh.list", b"/.\n/bin\n/bin/sh\n")
        .file(
            "lib/apk/db/installed",
            b"P:sh\nV:1\nF:bin\nR:sh\nZ:Q1AAAA\n\n",
        )
        .symlink("bin/ash", "sh")
        .hardlink("bin/ash2", "bin/sh")
        .build();
    let upper = LayerBuilder::new("upper")
        .whiteout("bin/ash")
        .opaque("etc")
        .file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
        .build();
    let gz = |b: &[u8]| crate::util::gzip(b);
    let zs = |b: &[u8]| zstd::encode_all(b, 3).unwrap();
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("scan_layer", base.clone()),
        ("scan_layer", gz(&base)),
        ("scan_layer", zs(&base)),
        ("scan_layer", join(&[&base, &upper])),
        ("scan_layer", join(&[&gz(&base), &zs(&upper), &base])),
    ];
    let image = ImageBuilder::new("seed:latest").layer(LayerBuilder::new("l").file("a", b"1"));
    let config = image.config_json();
    let docker_manifest = br#"[{"Config":"c.json","RepoTags":["seed:latest"],"Layers":["l.tar"]}]"#;
    let sha512 = |c: char| format!("sha512:{c}{}", "0".repeat(127));
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha512('c'), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": sha512('b'), "size": image.layers[0].0.len()}],
    });
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": sha512('a'), "size": 1,
                       "platform": {"os": "linux", "architecture": "amd64"}}],
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let index = serde_json::to_vec(&index).unwrap();
    let layer = &image.layers[0].0;
    let seeds2 = vec![
        (
            "image_source",
            join(&[docker_manifest, b"", &config, layer]),
        ),
        (
            "image_source",
            join(&[b"", &index, &config, layer, &manifest]),
        ),
    ];
    let elf = microscope::demo::elf::build(&microscope::demo::elf::ElfSpec {
        text: 256,
        gopclntab: 256,
        gopclntab_names: vec!["time.loadLocation"],
        go: Some(("go1.22.5".into(), "path\tx\nbuild\tCGO_ENABLED=0\n".into())),
        interp: Some("/lib/ld-musl-x86_64.so.1".into()),
        needed: vec!["libc.musl-x86_64.so.1".into()],
        debug_info: 64,
        symtab_entries: 4,
        strtab: 64,
        seed: 1,
        dep_v0: None,
    });
    let at = elf
        .windows(14)
        .position(|w| w == b"\xff Go buildinf:")
        .unwrap();
    let buildinfo = elf[at..at + 128.min(elf.len() - at)].to_vec();
    let seeds3 = vec![
        ("elf_inspect", elf.clone()),
        (
            "go_buildinfo",
            join(&[&buildinfo, &elf[..512], b"time.loadLocation"]),
        ),
    ];
    let status: &[u8] = b"Package: pkg\nStatus: install ok installed\nVersion: 1.0-1\n\
        Architecture: amd64\nMulti-Arch: same\nInstalled-Size: 12\nSource: src (1.0)\n\n\
        Package: gone\nStatus: deinstall ok config-files\nVersion: 2\n";
    let seeds4 = vec![
        (
            "dpkg_db",
            join(&[
                status,
                b"/.\n/bin\n/bin/pkg\n/usr/share/doc/pkg\n",
                b"9dd4e461268c8034f5c8564e155c67a6  usr/bin/pkg\n",
                b"/bin/pkg\n/bin/pkg.distrib\npkg\n",
            ]),
        ),
        (
            "apk_db",
            b"C:Q1abc=\nP:busybox\nV:1.36\nA:x86_64\nI:1024\nF:bin\nR:busybox\n\
              Z:Q1YWJj\na:0:0:755\n\nP:musl\nV:1.2\nF:lib\nR:ld-musl.so.1\n"
                .to_vec(),
        ),
    ];
    for (target, bytes) in seeds.into_iter().chain(seeds2).chain(seeds3).chain(seeds4) {
        let dir = fuzz_dir().join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        let name = crate::util::sha256(&bytes);
        std::fs::write(dir.join(&name[7..23]), bytes).unwrap();
    }
}
