//! Issue 18: every image a container engine accepts is read, and read as the engine reads
//! it. Fixtures are generated here; the real images are `$MICROSCOPE_CORPUS/real/` (written
//! by kaniko and stereoscope), their sizes checked against an independent reading done
//! here with the tar crate; reference splitting is checked against skopeo where installed.

use crate::support::corpus;
use microscope::analysis::analyze;
use microscope::demo::builder::{ImageBuilder, LayerBuilder, sha256};
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::report::Report;
use microscope::source::{ImageSource, SourceOptions, open};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn source(reference: &str) -> Result<Box<dyn ImageSource>, microscope::Error> {
    open(&ImageRef::parse(reference)?, &SourceOptions::default())
}

fn report(reference: &str) -> Result<Report, microscope::Error> {
    let src = source(reference)?;
    let image = load_image(&*src, &LoadOptions::default())?;
    Ok(Report::build(&image, &analyze(&image)))
}

fn image(tag: &str, file: &str, bytes: usize) -> ImageBuilder {
    ImageBuilder::new(tag).layer(LayerBuilder::new("COPY").file(file, &vec![7; bytes]))
}

fn config_digest(image: &ImageBuilder) -> String {
    sha256(&image.config_json())
}

/// The members of a tar, by name.
fn members(tar: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Box<dyn std::error::Error>> {
    let mut out = BTreeMap::new();
    for e in tar::Archive::new(tar).entries()? {
        let mut e = e?;
        let name = e.path()?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes)?;
        out.insert(name, bytes);
    }
    Ok(out)
}

fn write_tar(path: &Path, files: &BTreeMap<String, Vec<u8>>) -> TestResult {
    let mut b = tar::Builder::new(std::fs::File::create(path)?);
    for (name, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, &bytes[..])?;
    }
    b.finish()?;
    Ok(())
}

/// `docker save a b`: one archive, one manifest.json entry per image.
fn docker_save(path: &Path, images: &[&ImageBuilder]) -> TestResult {
    let mut files = BTreeMap::new();
    let mut manifest = Vec::new();
    for i in images {
        let mut m = members(&i.docker_archive())?;
        let entry: serde_json::Value =
            serde_json::from_slice(&m.remove("manifest.json").ok_or("m")?)?;
        manifest.push(entry[0].clone());
        files.extend(m);
    }
    files.insert("manifest.json".into(), serde_json::to_vec(&manifest)?);
    write_tar(path, &files)
}

/// An OCI layout directory whose index.json lists every image's manifests.
fn oci_layout(dir: &Path, images: &[&ImageBuilder]) -> TestResult {
    let mut manifests = Vec::new();
    for i in images {
        for (p, b) in i.oci_files() {
            if p == "index.json" {
                let index: serde_json::Value = serde_json::from_slice(&b)?;
                manifests.extend(index["manifests"].as_array().ok_or("manifests")?.clone());
                continue;
            }
            let full = dir.join(&p);
            std::fs::create_dir_all(full.parent().ok_or("parent")?)?;
            std::fs::write(full, b)?;
        }
    }
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(dir.join("index.json"), index.to_string())?;
    Ok(())
}

/// Issue 18 §3: several images and no name: one error line listing them, as skopeo
/// refuses; `:NAME:TAG` and `:@N` select.
#[test]
fn several_images_in_one_docker_archive_need_a_name_or_an_index() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (a, b) = (image("app:1", "a", 10), image("tools/other:2", "b", 20));
    let path = dir.path().join("two.tar");
    docker_save(&path, &[&a, &b])?;
    let p = path.display();
    let err = source(&format!("{p}")).err().ok_or("no error")?.to_string();
    assert!(
        err.contains("holds 2 images")
            && err.contains("@0 (app:1)")
            && err.contains("@1 (tools/other:2)"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
    for (reference, want) in [
        (format!("docker-archive:{p}:@1"), &b),
        (format!("docker-archive:{p}:tools/other:2"), &b),
        (format!("docker-archive:{p}:docker.io/library/app:1"), &a),
        (format!("docker-archive:{p}:@0"), &a),
    ] {
        let meta = source(&reference)?.meta().clone();
        assert_eq!(meta.config_digest, Some(config_digest(want)), "{reference}");
    }
    let e = source(&format!("docker-archive:{p}:app"))
        .err()
        .expect("app is app:latest, which the archive does not hold")
        .to_string();
    assert!(
        e.contains(r#"no image tagged "app" in the archive (it holds @0 (app:1), @1"#),
        "{e}"
    );
    Ok(())
}

/// The names come from the archive: shown escaped in the error line.
#[test]
fn names_in_the_listing_are_escaped() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (a, b) = (image("app:1", "a", 10), image("evil:\u{1b}[2J", "b", 20));
    let path = dir.path().join("two.tar");
    docker_save(&path, &[&a, &b])?;
    let err = source(&path.display().to_string())
        .err()
        .ok_or("no error")?
        .to_string();
    assert!(
        !err.contains('\u{1b}') && err.contains("evil:\\u{1b}[2J"),
        "{err}"
    );
    Ok(())
}

/// ...or the only one of the wanted platform (the host's by default).
#[test]
fn several_images_of_which_one_matches_the_platform() -> TestResult {
    let dir = tempfile::tempdir()?;
    let host = image("app:host", "a", 10);
    let mut other = image("app:other", "b", 20);
    other.architecture = if host.architecture == "s390x" {
        "riscv64"
    } else {
        "s390x"
    }
    .into();
    let path = dir.path().join("two.tar");
    docker_save(&path, &[&other, &host])?;
    let meta = source(&path.display().to_string())?.meta().clone();
    assert_eq!(meta.config_digest, Some(config_digest(&host)));

    let layout = dir.path().join("layout");
    oci_layout(&layout, &[&other, &host])?;
    let meta = source(&format!("oci:{}", layout.display()))?.meta().clone();
    assert_eq!(meta.config_digest, Some(config_digest(&host)));
    Ok(())
}

#[test]
fn several_images_in_one_oci_layout_need_a_name_or_an_index() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (a, b) = (image("app:v1", "a", 10), image("app:v2", "b", 20));
    oci_layout(dir.path(), &[&a, &b])?;
    let d = dir.path().display();
    let err = source(&format!("oci:{d}"))
        .err()
        .ok_or("no error")?
        .to_string();
    assert!(err.contains("@0 (v1") && err.contains("@1 (v2"), "{err}");
    assert_eq!(
        source(&format!("oci:{d}:v2"))?.meta().config_digest,
        Some(config_digest(&b))
    );
    assert_eq!(
        source(&format!("oci:{d}:@0"))?.meta().config_digest,
        Some(config_digest(&a))
    );
    Ok(())
}

fn artifact_files(dir: &Path) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let blob = |bytes: &[u8]| -> Result<String, std::io::Error> {
        let d = sha256(bytes);
        std::fs::create_dir_all(dir.join("blobs/sha256"))?;
        std::fs::write(dir.join("blobs/sha256").join(&d[7..]), bytes)?;
        Ok(d)
    };
    let sbom = br#"{"spdxVersion":"SPDX-2.3"}"#;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/spdx+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": blob(b"{}")?, "size": 2},
        "layers": [{"mediaType": "application/spdx+json", "digest": blob(sbom)?, "size": sbom.len()}],
    })
    .to_string();
    Ok(serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/spdx+json",
        "digest": blob(manifest.as_bytes())?, "size": manifest.len(),
    }))
}

/// Issue 18 §4: an artifact is named as such; in an index it is skipped.
#[test]
fn oci_artifacts_are_named_and_skipped_in_an_index() -> TestResult {
    let dir = tempfile::tempdir()?;
    let only = dir.path().join("only");
    let desc = artifact_files(&only)?;
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [desc]});
    std::fs::write(only.join("index.json"), index.to_string())?;
    let err = source(&format!("oci:{}", only.display()))
        .err()
        .ok_or("no error")?
        .to_string();
    assert!(
        err.ends_with("is an OCI artifact (config type application/vnd.oci.empty.v1+json), not a container image"),
        "{err}"
    );

    let both = dir.path().join("both");
    let app = image("app:1", "a", 10);
    oci_layout(&both, &[&app])?;
    let desc = artifact_files(&both)?;
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(both.join("index.json"))?)?;
    index["manifests"]
        .as_array_mut()
        .ok_or("manifests")?
        .insert(0, desc);
    std::fs::write(both.join("index.json"), index.to_string())?;
    let meta = source(&format!("oci:{}", both.display()))?.meta().clone();
    assert_eq!(meta.config_digest, Some(config_digest(&app)));
    Ok(())
}

/// Issue 18 §7: `docker save x | gzip > x.tar.gz`, as `docker load` takes it.
#[test]
fn a_gzipped_docker_save_gives_the_numbers_of_the_plain_one() -> TestResult {
    let dir = tempfile::tempdir()?;
    let app = ImageBuilder::new("app:1")
        .layer(
            LayerBuilder::new("a")
                .file("etc/a", &[1; 3000])
                .file("etc/b", &[2; 500]),
        )
        .layer(LayerBuilder::new("b").whiteout("etc/a"));
    let plain = dir.path().join("x.tar");
    std::fs::write(&plain, app.docker_archive())?;
    let gz_path = dir.path().join("x.tar.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&app.docker_archive())?;
    std::fs::write(&gz_path, gz.finish()?)?;
    let a = report(&plain.display().to_string())?;
    for reference in [
        gz_path.display().to_string(),
        format!("docker-archive:{}:app:1", gz_path.display()),
    ] {
        let b = report(&reference)?;
        assert_eq!(a.size, b.size, "{reference}");
        assert_eq!(a.layers, b.layers, "{reference}");
    }
    assert_eq!((a.size.layers_bytes, a.size.final_bytes), (3500, 500));
    Ok(())
}

/// Regular-file bytes of each layer and of the merged filesystem, read here with the tar
/// crate alone: names cleaned under the root, whiteouts and opaque markers applied.
fn independent_sizes(archive: &Path) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let outer = members(&std::fs::read(archive)?)?;
    let manifest: serde_json::Value = serde_json::from_slice(&outer["manifest.json"])?;
    let (mut layers, mut fs) = (0u64, BTreeMap::<String, u64>::new());
    for l in manifest[0]["Layers"].as_array().ok_or("layers")? {
        let blob = &outer[l.as_str().ok_or("layer")?];
        let mut raw = Vec::new();
        if blob.starts_with(&[0x1f, 0x8b]) {
            flate2::read::GzDecoder::new(&blob[..]).read_to_end(&mut raw)?;
        } else {
            raw = blob.clone();
        }
        for e in tar::Archive::new(&raw[..]).entries()? {
            let e = e?;
            let raw_name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let name: Vec<&str> = raw_name
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .collect();
            let name = name.join("/");
            let (dir, base) = name.rsplit_once('/').unwrap_or(("", &name));
            let under = |d: &str| {
                if d.is_empty() {
                    String::new()
                } else {
                    format!("{d}/")
                }
            };
            if base == ".wh..wh..opq" {
                fs.retain(|k, _| !k.starts_with(&under(dir)));
            } else if let Some(gone) = base.strip_prefix(".wh.") {
                let gone = format!("{}{gone}", under(dir));
                fs.retain(|k, _| *k != gone && !k.starts_with(&format!("{gone}/")));
            } else if !name.is_empty() {
                let size = if e.header().entry_type().is_file() {
                    e.size()
                } else {
                    0
                };
                layers += size;
                if !e.header().entry_type().is_dir() {
                    fs.retain(|k, _| !k.starts_with(&format!("{name}/")));
                }
                fs.insert(name, size);
            }
        }
    }
    Ok((layers, fs.values().sum()))
}

/// Issue 18 §1, on the real thing: dive's kaniko test image (a `/` entry in every layer).
#[test]
fn kaniko_image_from_dive_reads_with_independent_sizes() -> TestResult {
    let Some(dir) = corpus() else { return Ok(()) };
    let path = dir.join("real/dive-test-kaniko-image.tar");
    let (layers, fin) = independent_sizes(&path)?;
    assert_eq!(
        (layers, fin),
        (1_326_410, 1_280_165),
        "the independent reading"
    );
    for reference in [
        path.display().to_string(),
        format!("docker-archive:{}", path.display()),
    ] {
        let r = report(&reference)?;
        assert_eq!(r.size.layers_bytes, layers, "{reference}");
        assert_eq!(r.size.final_bytes, fin, "{reference}");
        assert_eq!(r.size.reclaimable_bytes, 46_245, "{reference}");
        assert_eq!(r.layers.len(), 14);
    }
    Ok(())
}

/// Issue 18 §2: stereoscope's oci-archive, its manifest named `sample:latest`.
#[test]
fn an_oci_ref_name_with_a_colon_selects() -> TestResult {
    let Some(dir) = corpus() else { return Ok(()) };
    let path = dir.join("real/stereoscope-valid-oci.tar");
    let named = source(&format!("oci-archive:{}:sample:latest", path.display()))?;
    let whole = source(&format!("oci-archive:{}", path.display()))?;
    assert_eq!(named.meta().manifest_digest, whole.meta().manifest_digest);
    let Err(e) = source(&format!("oci-archive:{}:sample", path.display())) else {
        panic!("opened an image tagged sample:latest as sample");
    };
    let e = e.to_string();
    assert!(e.contains("no image tagged"), "{e}");
    Ok(())
}

/// Issue 18 §2: where skopeo reads a reference, microscope reads the same image; where it
/// refuses, so does microscope. (skopeo 1.9 has no `@N` for oci:, newer ones do: those
/// cases are checked against the index instead.)
#[test]
fn references_split_as_skopeo_splits_them() -> TestResult {
    let Some(dir) = corpus() else { return Ok(()) };
    let skopeo = std::process::Command::new("skopeo")
        .arg("--version")
        .output();
    if skopeo.is_err() {
        crate::support::skip("skopeo is not installed");
        return Ok(());
    }
    let d = dir.display();
    let cases = [
        format!("docker-archive:{d}/alpine-3.20.docker.tar"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:alpine:3.20"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:docker.io/library/alpine:3.20"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:alpine"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:@0"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:@1"),
        format!("docker-archive:{d}/alpine-3.20.docker.tar:nope:1"),
        format!("docker-archive:{d}/micro-latest.docker.tar:micro:latest"),
        format!("docker-archive:{d}/real/dive-test-kaniko-image.tar"),
        format!("docker-archive:{d}/real/dive-test-kaniko-image.tar:dive-test:kaniko-latest"),
        format!("oci-archive:{d}/real/stereoscope-valid-oci.tar:sample:latest"),
        format!("oci-archive:{d}/real/stereoscope-valid-oci.tar:sample"),
        format!("oci-archive:{d}/alpine-3.20.oci.tar"),
        format!("oci:{d}/variants/alpine-3.20.oci-zstd:3.20"),
        format!("oci:{d}/variants/alpine-3.20.oci-zstd:3.21"),
    ];
    for reference in cases {
        let theirs = std::process::Command::new("skopeo")
            .args(["inspect", "--config", "--raw"])
            .arg(&reference)
            .output()?;
        let ours = source(&reference);
        assert_eq!(
            ours.is_ok(),
            theirs.status.success(),
            "{reference}: skopeo says {}, microscope {:?}",
            String::from_utf8_lossy(&theirs.stderr).trim(),
            ours.as_ref().err().map(ToString::to_string)
        );
        if let Ok(src) = ours {
            assert_eq!(
                src.meta().config_digest,
                Some(sha256(&theirs.stdout)),
                "{reference}"
            );
        }
    }
    let at0 = source(&format!("oci:{d}/variants/alpine-3.20.oci-zstd:@0"))?;
    let named = source(&format!("oci:{d}/variants/alpine-3.20.oci-zstd:3.20"))?;
    assert_eq!(at0.meta().manifest_digest, named.meta().manifest_digest);
    Ok(())
}
