//! What each fuzz target does with its input, shared by the libFuzzer targets in `fuzz/`
//! (which include this file by path) and by the replay of `fuzz/regressions/` in
//! `regressions.rs`, so a crashing input stays a plain test on stable Rust.
//!
//! Only microscope's public API is used; nothing here may assume the input is sane.

use microscope::image::{Image, ImageMeta, LayerDesc, LayerScan};
use microscope::jobs::{LoadOptions, load_image};
use microscope::scan::{ScanContext, scan_layer};
use microscope::source::docker_archive::DockerArchive;
use microscope::source::oci_layout::OciLayout;
use microscope::source::store::BlobStore;
use microscope::source::{ImageSource, SourceError, SourceOptions};
use std::io::Read;
use std::sync::Arc;

/// Separates the parts of a multi-part input.
pub const SEP: &[u8] = b"\n@@\n";

/// Splits on [`SEP`], keeping at most `max` parts (the last one takes the rest).
pub fn split(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() + 1 < max {
        match rest.windows(SEP.len()).position(|w| w == SEP) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + SEP.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// `scan_layer` target: up to three layer blobs, scanned, merged, analysed, reported.
pub fn scan_layers(data: &[u8]) {
    let scans: Vec<Arc<LayerScan>> = split(data, 3)
        .into_iter()
        .filter_map(|blob| scan_layer(blob, &ScanContext::default()).ok())
        .map(Arc::new)
        .collect();
    let meta = ImageMeta {
        layers: scans
            .iter()
            .map(|s| LayerDesc {
                digest: Some(s.digest.clone()),
                diff_id: Some(s.diff_id.clone()),
                media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                size: Some(s.compressed_bytes),
                locator: String::new(),
            })
            .collect(),
        ..Default::default()
    };
    report(&Image::new(meta, scans));
}

fn report(image: &Image) {
    let analysis = microscope::analysis::analyze(image);
    let report = microscope::report::Report::build(image, &analysis);
    let json = serde_json::to_vec(&report).expect("a report always serialises");
    std::hint::black_box(json);
    std::hint::black_box(microscope::report::text::summary(&report));
}

/// A store whose files come from the input: `manifest.json` is part 0, `index.json` part 1,
/// any other `*.json` (a docker-archive config) part 2; under `blobs/ALG/HEX` a hex
/// starting with `c` is part 2 (config), with `a` part 4 (manifest), otherwise part 3
/// (a layer), and any other path is part 3. Digests are checked as usual, so OCI blobs
/// get past them only when the input holds matching blobs (every algorithm is verified).
struct FuzzStore {
    parts: Vec<Vec<u8>>,
}

impl FuzzStore {
    fn part(&self, path: &str) -> Option<&[u8]> {
        let i = match path {
            "manifest.json" => 0,
            "index.json" => 1,
            p if p.starts_with("blobs/") => match p.rsplit('/').next()?.as_bytes().first() {
                Some(b'c') => 2,
                Some(b'a') => 4,
                _ => 3,
            },
            p if p.ends_with(".json") => 2,
            _ => 3,
        };
        self.parts.get(i).map(Vec::as_slice)
    }
}

impl BlobStore for FuzzStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let part = self
            .part(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        Ok(Box::new(part))
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.part(path).map(|p| p.len() as u64)
    }

    fn describe(&self) -> String {
        "fuzz input".into()
    }
}

/// `image_source` target: the input's parts read as a docker archive and as an OCI layout;
/// whatever opens is loaded, analysed and reported.
pub fn image_source(data: &[u8]) {
    let parts: Vec<Vec<u8>> = split(data, 5).into_iter().map(<[u8]>::to_vec).collect();
    let opts = SourceOptions::default();
    let docker = DockerArchive::from_store(
        Box::new(FuzzStore {
            parts: parts.clone(),
        }),
        None,
        &opts,
        "fuzz",
    );
    if let Ok(src) = docker {
        load(&src);
    }
    let oci = OciLayout::from_store(Box::new(FuzzStore { parts }), None, &opts, "fuzz", "oci");
    if let Ok(src) = oci {
        load(&src);
    }
}

fn load(src: &dyn ImageSource) {
    if src.meta().layers.len() > 64 {
        // Thousands of layers are tested in the suite; here they only slow the fuzzer.
        return;
    }
    if let Ok(image) = load_image(src, &LoadOptions::default()) {
        report(&image);
    }
}

/// `elf_inspect` target: the ELF inspector (with its Go and Rust probes) on any bytes; and
/// the same bytes streamed in pieces, with a head short enough that what a big file learns
/// late is learnt late here too, must give the same facts.
pub fn elf_inspect(data: &[u8]) {
    use microscope::scan::elf::{Collector, inspect, inspect_collected};
    for executable in [false, true] {
        if let Some(info) = inspect(data, executable) {
            assert!(
                info.strip_bytes <= data.len() as u64,
                "strip_bytes past the file"
            );
        }
    }
    if !data.starts_with(b"\x7fELF") {
        return;
    }
    let head = 64 + u64::from(data.get(8).copied().unwrap_or(0)) * 4;
    let streamed = |piece: usize| {
        let mut c = Collector::with_head(data.len() as u64, true, head);
        for p in data.chunks(piece) {
            c.push(p);
        }
        inspect_collected(c.finish())
    };
    let whole = streamed(data.len().max(1));
    for piece in [1, 7, 61] {
        assert_eq!(
            streamed(piece),
            whole,
            "pieces of {piece} bytes, head {head}"
        );
    }
}

/// `go_buildinfo` target: the build-info reader, the segment search and the pclntab probe,
/// on the input's parts (build info, writable segment, pclntab).
pub fn go_buildinfo(data: &[u8]) {
    use microscope::scan::elf::gobuild;
    let parts = split(data, 3);
    let _ = gobuild::parse_buildinfo(parts[0]);
    let _ = gobuild::find_buildinfo(parts[0]);
    let _ = gobuild::pclntab_needs(parts[0]);
    let segment = parts.get(1).copied();
    let pclntab = parts.get(2).copied().unwrap_or_default();
    let _ = gobuild::inspect(parts[0], segment, pclntab, data.len().is_multiple_of(2));
}

/// `dpkg_db` target: the dpkg parsers on the input's parts (status, a `.list`, `.md5sums`,
/// diversions), then the same files in a layer through attribution and the report.
pub fn dpkg_db(data: &[u8]) {
    use microscope::analysis::packages as p;
    let parts = split(data, 4);
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    for stanza in p::parse_dpkg_status(part(0)) {
        std::hint::black_box(stanza.is_installed());
    }
    std::hint::black_box(p::parse_dpkg_list(part(1)));
    std::hint::black_box(p::parse_md5sums(part(2)));
    std::hint::black_box(p::parse_diversions(part(3)));
    let layer = microscope::demo::builder::LayerBuilder::new("dpkg")
        .file("var/lib/dpkg/status", part(0))
        .file("var/lib/dpkg/info/pkg.list", part(1))
        .file("var/lib/dpkg/info/pkg.md5sums", part(2))
        .file("var/lib/dpkg/diversions", part(3))
        .file("usr/bin/pkg", b"x")
        .symlink("bin", "usr/bin")
        .build();
    scan_layers(&layer);
}

/// `apk_db` target: the apk `installed` parser on any bytes, then the same file in a layer
/// (with busybox applet links) through attribution and the report.
pub fn apk_db(data: &[u8]) {
    let db = microscope::analysis::packages::parse_apk_installed(data);
    std::hint::black_box(db.packages.len() + db.nameless);
    let layer = microscope::demo::builder::LayerBuilder::new("apk")
        .file("lib/apk/db/installed", data)
        .file("bin/busybox", b"\x7fELF")
        .symlink("bin/sh", "/bin/busybox")
        .build();
    scan_layers(&layer);
}

/// `ci_config` target: the input as `.microscope.toml` and as `.dive-ci`, both parsers
/// bounded (a YAML alias bomb is refused before it is loaded): no panic, no hang.
pub fn ci_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = microscope::report::ci::config::parse_toml(&text, "fuzz");
    let _ = microscope::report::ci::dive::parse(&text, "fuzz");
}

/// A Dockerfile's logical lines (continuations joined), without comments and blank lines.
pub fn dockerfile_instructions(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in dockerfile.split('\n') {
        let t = line.trim_start();
        if cur.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => cur.push_str(head),
            None => {
                cur.push_str(line);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A value as BuildKit's lexer reads it: bare, or in double quotes where `\"`, `\\` and
/// `\$` stand for themselves. None for anything else (an unescaped quote or `$`).
pub fn dockerfile_unquote(v: &str) -> Option<String> {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return (!v.contains(['"', '\\', '$', ' '])).then(|| v.to_string());
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                n @ ('"' | '\\' | '$') => out.push(n),
                _ => return None,
            },
            '"' | '$' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// `dockerfile` target: the parts are ENV entries, WORKDIR, USER, a port, a copied path and
/// an entrypoint argument, as an image config could hold them. The Dockerfile written from
/// them, parsed back, holds only the instructions the writer means to write, and every value
/// it kept reads back as it was.
pub fn dockerfile(data: &[u8]) {
    use microscope::analysis::rewrite::dockerfile::{Launch, Spec, render};
    use microscope::analysis::rewrite::{CopiedPath, Stage};
    let parts: Vec<String> = split(data, 6)
        .into_iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let part = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let run = microscope::image::RunConfig {
        env: part(0).split('\u{1}').map(str::to_string).collect(),
        working_dir: part(1),
        user: part(2),
        exposed_ports: vec![part(3)],
        entrypoint: vec!["/app".into(), part(5)],
        ..Default::default()
    };
    let copies = [CopiedPath {
        path: format!("/{}", part(4)),
        source_path: format!("/{}", part(4)),
        from: Stage::Source,
        ..Default::default()
    }];
    let spec = Spec {
        source_image: "source".into(),
        header: vec![part(0)],
        go_build: None,
        strip: None,
        base: "scratch".into(),
        apk_add: Vec::new(),
        dnf_install: vec![part(2)],
        copies: &copies,
        run: &run,
        launch: Launch::default(),
        advice: vec![part(5)],
    };
    let (text, _notes) = render(&spec);
    for line in dockerfile_instructions(&text) {
        let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
        match word {
            "ARG" | "FROM" | "COPY" | "EXPOSE" => {}
            "ENV" => {
                let (k, v) = rest.split_once('=').expect("ENV k=v");
                let v = dockerfile_unquote(v).expect("an ENV value reads back");
                assert!(
                    run.env.contains(&format!("{k}={v}")),
                    "ENV {k}={v} not in the input"
                );
            }
            "WORKDIR" => {
                assert_eq!(dockerfile_unquote(rest).as_deref(), Some(&*run.working_dir));
            }
            "USER" => assert_eq!(rest, run.user),
            "ENTRYPOINT" => {
                let argv: Vec<String> = serde_json::from_str(rest).expect("exec form is JSON");
                assert_eq!(argv, run.entrypoint);
            }
            "RUN" => {
                // Only the rpm install, with the one name the input gave, as one word.
                let name = rest
                    .strip_prefix("microdnf install -y --nodocs ")
                    .and_then(|r| r.strip_suffix(" && microdnf clean all"))
                    .expect("RUN is the microdnf install");
                assert_eq!(name, part(2), "the package name is written as given");
            }
            other => panic!("unexpected instruction {other:?} in:\n{text}"),
        }
    }
}

/// `rpm_db` target: the rpm database readers (SQLite, Berkeley DB hash, ndb, and the header
/// parser behind them) on any bytes, and the streaming Java archive reader on the same bytes.
pub fn rpm_db(data: &[u8]) {
    let _ = microscope::analysis::packages::read_rpm_db(data);
    let _ = microscope::analysis::packages::parse_rpm_header(data);
    let mut jar = microscope::scan::jar::JarCollector::default();
    for part in data.chunks(97) {
        jar.push(part);
    }
    let _ = jar.finish();
}
