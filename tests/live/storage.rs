//! A Docker engine's layers read from its overlay2 storage (`--daemon-read`, issue 19 §5):
//! the report must be byte for byte the one the image export gives, a layer whose files
//! changed in the storage must fail its check (and be read from the export under `auto`),
//! and so must a layer without its tar-split record. Needs DOCKER_HOST (a dockerd with the
//! overlay2 driver, `.ci/run` starts one) and its data root readable (root).

use crate::support::live::{Isolated, corpus, have, service, sh};
use crate::support::skip;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

/// The engine and its storage, or None after saying why the test is skipped.
fn engine() -> Option<(String, PathBuf)> {
    let host = service("DOCKER_HOST", "a Docker engine")?;
    if !have("docker") {
        return None;
    }
    let out = Command::new("docker")
        .args([
            "-H",
            &host,
            "info",
            "--format",
            "{{.Driver}} {{.DockerRootDir}}",
        ])
        .output()
        .ok()?;
    let info = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let Some(("overlay2", root)) = info.split_once(' ') else {
        skip(format!(
            "the engine at {host} does not use overlay2 ({info:?})"
        ));
        return None;
    };
    let root = PathBuf::from(root);
    if std::fs::read_dir(root.join("image/overlay2/layerdb/sha256")).is_err() {
        skip(format!("{} is not readable here", root.display()));
        return None;
    }
    Some((host, root))
}

fn load_corpus(host: &str, corpus: &Path) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for f in [
            "dive-test-image.docker.tar",
            "micro-latest.docker.tar",
            "alpine-3.20.docker.tar",
            "real/dive-test-kaniko-image.tar",
        ] {
            let path = corpus.join(f).display().to_string();
            sh("docker", &["-H", host, "load", "-q", "-i", &path]);
        }
    });
}

/// Runs microscope on `name` through the engine with `--daemon-read=how`.
fn read(t: &Isolated, host: &str, name: &str, how: &str) -> std::process::Output {
    t.run(&[
        &format!("docker-daemon:{name}"),
        "--json",
        "--no-cache",
        &format!("--daemon-read={how}"),
    ])
    .env("DOCKER_HOST", host)
    .output()
}

fn report(out: &std::process::Output) -> serde_json::Value {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "microscope failed: {err}");
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

#[test]
fn storage_gives_the_exports_report() {
    let (Some((host, _)), Some(corpus)) = (engine(), corpus()) else {
        return;
    };
    load_corpus(&host, &corpus);
    let t = Isolated::new();
    let names = [
        "alpine:3.20",
        "micro:latest",
        "dive-test:latest",
        "dive-test:kaniko-latest",
    ];
    for name in names {
        let direct = read(&t, &host, name, "storage");
        let err = String::from_utf8_lossy(&direct.stderr);
        assert!(
            err.contains("layers from the engine's storage"),
            "{name}: says which way: {err}"
        );
        let export = read(&t, &host, name, "export");
        assert_eq!(
            String::from_utf8_lossy(&direct.stdout),
            String::from_utf8_lossy(&export.stdout),
            "{name}: the same JSON both ways"
        );
        report(&direct);
    }
}

/// An image of one layer no other image shares (its file names this process and time),
/// loaded into the engine and removed when dropped; where its layer's files are.
struct OwnImage {
    host: String,
    name: String,
    layer: PathBuf,
    diff: PathBuf,
}

impl OwnImage {
    fn load(host: &str, root: &Path, tag: &str) -> OwnImage {
        let unique = format!(
            "{} {:?} {tag}\n",
            std::process::id(),
            std::time::SystemTime::now()
        );
        let dir = tempfile::tempdir().unwrap();
        let (archive, diff_id) = docker_archive(dir.path(), tag, unique.as_bytes());
        sh("docker", &["-H", host, "load", "-q", "-i", &archive]);
        let hex = diff_id.trim_start_matches("sha256:");
        let layer = root.join("image/overlay2/layerdb/sha256").join(hex);
        let cache_id = std::fs::read_to_string(layer.join("cache-id")).unwrap();
        let diff = root.join("overlay2").join(cache_id.trim()).join("diff");
        OwnImage {
            host: host.to_string(),
            name: format!("microscope-storage-test:{tag}"),
            layer,
            diff,
        }
    }
}

impl Drop for OwnImage {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["-H", &self.host, "rmi", "-f", &self.name])
            .output();
    }
}

/// A `docker save` archive of one layer: `data/unique.txt` (with `body`), a symlink out of
/// the image and an empty file; returns its path and the layer's diff_id.
fn docker_archive(dir: &Path, tag: &str, body: &[u8]) -> (String, String) {
    use sha2::{Digest, Sha256};
    let mut layer = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    layer.append_data(&mut h, "data/", &[][..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o644);
    h.set_size(body.len() as u64);
    layer.append_data(&mut h, "data/unique.txt", body).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(0);
    layer.append_data(&mut h, "data/empty", &[][..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    layer
        .append_link(&mut h, "data/out", "/etc/passwd")
        .unwrap();
    let layer = layer.into_inner().unwrap();
    let diff_id = format!("sha256:{}", hex::encode(Sha256::digest(&layer)));
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "test layer"}]
    })
    .to_string();
    let config_hex = hex::encode(Sha256::digest(config.as_bytes()));
    let manifest = serde_json::json!([{
        "Config": format!("{config_hex}.json"),
        "RepoTags": [format!("microscope-storage-test:{tag}")],
        "Layers": ["layer/layer.tar"]
    }])
    .to_string();
    let path = dir.join("image.tar");
    let mut out = tar::Builder::new(std::fs::File::create(&path).unwrap());
    for (name, bytes) in [
        (format!("{config_hex}.json"), config.as_bytes()),
        ("layer/layer.tar".to_string(), &layer[..]),
        ("manifest.json".to_string(), manifest.as_bytes()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(bytes.len() as u64);
        out.append_data(&mut h, name, bytes).unwrap();
    }
    out.finish().unwrap();
    (path.display().to_string(), diff_id)
}

/// `--daemon-read=storage` on `img`: exit 2 and its one line.
fn refused(t: &Isolated, host: &str, img: &OwnImage) -> String {
    t.run(&[
        &format!("docker-daemon:{}", img.name),
        "--json",
        "--no-cache",
        "--daemon-read=storage",
    ])
    .env("DOCKER_HOST", host)
    .fails()
}

/// The engine's export rebuilds the tar from the same files and checks the same CRC-64:
/// a changed file fails both ways, and the user hears both.
#[test]
fn a_changed_file_fails_the_check() {
    let Some((host, root)) = engine() else {
        return;
    };
    let img = OwnImage::load(&host, &root, "tampered");
    let t = Isolated::new();
    let cached = |t: &Isolated| {
        t.run(&[&format!("docker-daemon:{}", img.name), "--json"])
            .env("DOCKER_HOST", &host)
            .output()
    };
    let clean = report(&cached(&t));
    let file = img.diff.join("data/unique.txt");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&file, &bytes).unwrap();
    // Only what the scan cache lacks is read: a warm run does not open the layer.
    assert_eq!(report(&cached(&t)), clean, "served by the cache");

    let auto = read(&t, &host, &img.name, "auto");
    let err = String::from_utf8_lossy(&auto.stderr);
    assert_eq!(auto.status.code(), Some(2), "{err}");
    assert!(
        err.contains("fails a check") && err.contains("CRC-64"),
        "says the storage failed: {err}"
    );
    assert!(
        err.contains("image export") && err.contains("checksum failed"),
        "then the engine's own export: {err}"
    );
    let line = refused(&t, &host, &img);
    assert!(
        line.contains("unique.txt") && line.contains("CRC-64"),
        "{line}"
    );
}

/// A file swapped for a symlink (to the same bytes elsewhere) is not followed here; the
/// engine's export follows it, so under `auto` the report is the untouched image's.
#[test]
fn a_symlink_in_the_storage_is_not_followed_and_the_export_is_read() {
    let Some((host, root)) = engine() else {
        return;
    };
    let img = OwnImage::load(&host, &root, "symlinked");
    let t = Isolated::new();
    let clean = report(&read(&t, &host, &img.name, "storage"));
    let file = img.diff.join("data/unique.txt");
    let elsewhere = t.home.path().join("unique.txt");
    std::fs::copy(&file, &elsewhere).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();

    let auto = read(&t, &host, &img.name, "auto");
    let err = String::from_utf8_lossy(&auto.stderr);
    assert!(err.contains("fails a check"), "says why: {err}");
    assert_eq!(report(&auto), clean, "the export's report");
    let line = refused(&t, &host, &img);
    assert!(line.contains("unique.txt"), "{line}");
}

/// Without its tar-split record a layer is read from the export (which Docker 20.10
/// cannot give either: it rebuilds from the same record).
#[test]
fn a_missing_tar_split_record_is_said_and_refused_under_storage() {
    let Some((host, root)) = engine() else {
        return;
    };
    let img = OwnImage::load(&host, &root, "no-record");
    let t = Isolated::new();
    report(&read(&t, &host, &img.name, "storage"));
    let record = img.layer.join("tar-split.json.gz");
    std::fs::rename(&record, img.layer.join("moved")).unwrap();

    let auto = read(&t, &host, &img.name, "auto");
    let err = String::from_utf8_lossy(&auto.stderr);
    assert!(
        err.contains("layer 0: from the image export")
            && err.contains("tar-split.json.gz: no such file"),
        "says why the storage was not used: {err}"
    );
    let line = refused(&t, &host, &img);
    assert!(
        line.contains("--daemon-read=storage") && line.contains("tar-split.json.gz"),
        "{line}"
    );
    std::fs::rename(img.layer.join("moved"), &record).unwrap();
}

/// Scan entries in the run's cache and their inodes: a layer a run reads is written anew
/// (a new file renamed into place), a layer the cache serves is only touched.
fn scans_cached(t: &Isolated) -> Vec<(PathBuf, u64)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
        use std::os::unix::fs::MetadataExt;
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let (path, meta) = (e.path(), e.metadata().unwrap());
            if meta.is_dir() {
                walk(&path, out);
            } else {
                out.push((path, meta.ino()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&t.cache_dir().join("microscope/scans"), &mut out);
    out
}

/// Issue 19: after a rebuild that added one layer, only that layer is read from the
/// storage; the base's layer comes from the scan cache.
#[test]
fn a_rebuild_reads_only_its_new_layer_from_the_storage() {
    let Some((host, root)) = engine() else {
        return;
    };
    let base = OwnImage::load(&host, &root, "rebuild-base");
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(
        ctx.path().join("x"),
        format!("{:?}\n", std::time::SystemTime::now()),
    )
    .unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!("FROM {}\nCOPY x /x\n", base.name),
    )
    .unwrap();
    let rebuilt = format!("{}-top", base.name);
    let out = Command::new("docker")
        .args(["-H", &host, "build", "-q", "-t", &rebuilt])
        .arg(ctx.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = Isolated::new();
    let run = |name: &str| {
        t.run(&[
            &format!("docker-daemon:{name}"),
            "--json",
            "--daemon-read=storage",
        ])
        .env("DOCKER_HOST", &host)
        .output()
    };
    report(&run(&base.name));
    let before = scans_cached(&t);
    assert_eq!(before.len(), 1, "the base's one layer");
    let top = report(&run(&rebuilt));
    let _ = Command::new("docker")
        .args(["-H", &host, "rmi", "-f", &rebuilt])
        .output();
    assert_eq!(top["layers"].as_array().map(Vec::len), Some(2));
    let after = scans_cached(&t);
    assert_eq!(after.len(), 2, "the new layer's scan is added");
    assert!(
        after.contains(&before[0]),
        "the base's scan was served, not written again: {before:?} {after:?}"
    );
}
