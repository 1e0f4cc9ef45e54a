//! The Docker and Podman engines, real ones (`.ci/run` starts them): an image read through
//! the engine's API must give exactly the numbers the same image gives from its archive.
//! Needs DOCKER_HOST (dockerd) and MICROSCOPE_TEST_PODMAN_HOST (podman's socket).

use crate::support::live;

use live::{Isolated, corpus, have, numbers, service, sh};
use std::sync::Once;

fn docker_host() -> Option<String> {
    let host = service("DOCKER_HOST", "a Docker engine")?;
    if !have("docker") {
        return None;
    }
    Some(host)
}

/// Loads the corpus images the tests read into the engine at `host` (once per process).
fn load_into(host: &str, corpus: &std::path::Path) {
    static DOCKER: Once = Once::new();
    static PODMAN: Once = Once::new();
    let once = if host.contains("podman") {
        &PODMAN
    } else {
        &DOCKER
    };
    once.call_once(|| {
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

#[test]
fn docker_daemon_numbers_equal_the_archive() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    for (name, archive) in [
        ("dive-test:latest", "dive-test-image.docker.tar"),
        ("micro:latest", "micro-latest.docker.tar"),
    ] {
        let live = t
            .run(&[&format!("docker-daemon:{name}"), "--json", "--no-cache"])
            .env("DOCKER_HOST", &host)
            .json();
        let file = t
            .run(&[
                &corpus.join(archive).display().to_string(),
                "--json",
                "--no-cache",
            ])
            .json();
        assert_eq!(live["image"]["source"], "docker-daemon");
        assert_eq!(
            numbers(live),
            numbers(file),
            "{name}: the engine's export gives the archive's numbers"
        );
    }
}

/// Issue 18 §1: kaniko's `/` entries, refused through the engine before. The engine
/// exports the layers uncompressed, kaniko's archive holds them gzipped: the file sizes
/// agree, and they are the independent reading's.
#[test]
fn docker_daemon_reads_a_kaniko_image() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    let live = t
        .run(&[
            "docker-daemon:dive-test:kaniko-latest",
            "--json",
            "--no-cache",
        ])
        .env("DOCKER_HOST", &host)
        .json();
    let size = &live["size"];
    let figures = [
        &size["layers_bytes"],
        &size["final_bytes"],
        &size["reclaimable_bytes"],
    ];
    assert_eq!(figures, [1_326_410, 1_280_165, 46_245]);
}

#[test]
fn bare_name_prefers_the_engine_and_says_so() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    let out = t
        .run(&["alpine:3.20", "--json"])
        .env("DOCKER_HOST", &host)
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("alpine:3.20: from the Docker engine at"),
        "stderr says where the image came from: {err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["image"]["source"], "docker-daemon");
}

#[test]
fn a_warm_cache_gives_the_same_report() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    let cold = t
        .run(&["docker-daemon:dive-test:latest", "--json"])
        .env("DOCKER_HOST", &host)
        .json();
    let distinct: std::collections::HashSet<&str> = cold["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap())
        .collect();
    let scans = walk(&t.cache_dir().join("microscope/scans"));
    assert_eq!(scans, distinct.len(), "one cached scan per distinct layer");
    let warm = t
        .run(&["docker-daemon:dive-test:latest", "--json"])
        .env("DOCKER_HOST", &host)
        .json();
    assert_eq!(cold, warm);
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                usize::from(!e.file_name().to_string_lossy().starts_with('.'))
            }
        })
        .sum()
}

#[test]
fn missing_image_and_missing_engine_are_one_clear_line() {
    let Some(host) = docker_host() else {
        return;
    };
    let t = Isolated::new();
    let line = t
        .run(&["docker-daemon:no-such-image:1"])
        .env("DOCKER_HOST", &host)
        .fails();
    assert!(line.contains("not in the Docker engine at"), "{line}");
    // A bare name the engine lacks: the error names the engine and why, then the registry.
    let line = t
        .run(&["127.0.0.1:1/no-such-image:1", "--no-cache"])
        .env("DOCKER_HOST", &host)
        .fails();
    assert!(
        line.contains(&format!("the Docker engine at {host}")) && line.contains(": no such image"),
        "{line}"
    );
    assert!(line.contains("then the registry: "), "{line}");
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    let line = t
        .run(&["docker-daemon:alpine:3.20"])
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .fails();
    assert!(
        line.contains("does not exist (is dockerd running?)"),
        "{line}"
    );
    // A socket nobody listens on: refused.
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    let line = t
        .run(&["docker-daemon:alpine:3.20"])
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .fails();
    assert!(
        line.contains("is not running (connection refused"),
        "{line}"
    );
}

#[test]
fn an_unknown_platform_is_one_clear_line() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    let line = t
        .run(&["docker-daemon:alpine:3.20", "--platform", "linux/s390x"])
        .env("DOCKER_HOST", &host)
        .fails();
    assert!(line.contains("no image for platform linux/s390x"), "{line}");
    assert!(
        line.contains("(the image in the Docker engine at"),
        "{line}"
    );
}

#[test]
fn the_docker_context_is_honoured() {
    let (Some(host), Some(corpus)) = (docker_host(), corpus()) else {
        return;
    };
    load_into(&host, &corpus);
    let t = Isolated::new();
    let cfg = t.docker_config();
    let name = "microscope-test";
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(name.as_bytes()))
    };
    let meta_dir = cfg.join("contexts/meta").join(hash);
    std::fs::create_dir_all(&meta_dir).unwrap();
    std::fs::write(
        meta_dir.join("meta.json"),
        format!(
            r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"currentContext":"{name}"}}"#),
    )
    .unwrap();
    let out = t.run(&["docker-daemon:alpine:3.20", "--json"]).output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn podman_daemon_numbers_equal_the_archive() {
    let Some(host) = service("MICROSCOPE_TEST_PODMAN_HOST", "a Podman API socket") else {
        return;
    };
    let Some(corpus) = corpus() else { return };
    if !have("docker") {
        return;
    }
    load_into(&host, &corpus);
    // Found where podman puts its socket: $XDG_RUNTIME_DIR/podman/podman.sock.
    let t = Isolated::new();
    let runtime = t.home.path().join("run");
    std::fs::create_dir_all(runtime.join("podman")).unwrap();
    let sock = host.strip_prefix("unix://").unwrap_or(&host);
    std::os::unix::fs::symlink(sock, runtime.join("podman/podman.sock")).unwrap();
    let live = t
        .run(&["podman-daemon:dive-test:latest", "--json", "--no-cache"])
        .env("XDG_RUNTIME_DIR", &runtime)
        .json();
    let file = t
        .run(&[
            &corpus
                .join("dive-test-image.docker.tar")
                .display()
                .to_string(),
            "--json",
            "--no-cache",
        ])
        .json();
    assert_eq!(live["image"]["source"], "podman-daemon");
    assert_eq!(numbers(live), numbers(file));
}

/// A socket the user may not open. Needs root to set up (to drop to another user).
#[test]
fn permission_denied_on_the_socket_is_said() {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !is_root || !have("setpriv") {
        crate::support::skip("needs root and setpriv to run as another user");
        return;
    }
    let dir = tempfile::Builder::new().tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let sock = dir.path().join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    std::fs::set_permissions(&sock, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_microscope"))
        .args(["docker-daemon:alpine:3.20", "--no-cache"])
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("permission denied on"), "{err}");
}

/// The export walk on saved exports in each layout an engine writes (legacy `docker save`,
/// Podman/skopeo's `<diff_id>.tar`, Docker 25+'s `blobs/sha256/<diff_id>`), read as one
/// stream: every layer scans exactly as the archive reader scans it.
#[test]
fn every_export_layout_walks_like_the_archive() {
    use microscope::jobs::{LoadOptions, load_image};
    use microscope::source::daemon::scan_export;
    use microscope::source::docker_archive::DockerArchive;
    use microscope::source::{ImageSource, LayerReader, LayerVisitor, SourceError, SourceOptions};

    struct SavedExport {
        meta: microscope::image::ImageMeta,
        path: std::path::PathBuf,
    }
    impl ImageSource for SavedExport {
        fn meta(&self) -> &microscope::image::ImageMeta {
            &self.meta
        }
        fn open_layer(&self, _: usize) -> Result<LayerReader<'_>, SourceError> {
            Err(SourceError::Unsupported("one stream only".into()))
        }
        fn for_each_layer(
            &self,
            wanted: &[usize],
            visit: &LayerVisitor<'_>,
        ) -> Result<(), microscope::Error> {
            let f = std::fs::File::open(&self.path).map_err(SourceError::from)?;
            let f = std::io::BufReader::new(f);
            scan_export(f, &self.meta, wanted, visit, &|e| SourceError::Io(e).into())
        }
    }

    let Some(corpus) = corpus() else { return };
    for f in [
        "dive-test-image.docker.tar",
        "variants/alpine-3.20.skopeo-docker.tar",
        "variants/alpine-3.20.docker25.tar",
        "variants/micro-latest.docker25.tar",
    ] {
        let path = corpus.join(f);
        let archive = DockerArchive::open(&path, None, &SourceOptions::default(), f).unwrap();
        let export = SavedExport {
            meta: archive.meta().clone(),
            path: path.clone(),
        };
        let want = load_image(&archive, &LoadOptions::default()).unwrap();
        let got =
            load_image(&export, &LoadOptions::default()).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(want.layers.len(), got.layers.len());
        for (w, g) in want.layers.iter().zip(&got.layers) {
            assert_eq!(w.scan, g.scan, "{f}: layer {}", w.index);
        }
    }
}

/// A name no registry accepts is one error line, without first asking the engine (whose
/// own refusal would be a second line).
#[test]
fn an_invalid_name_is_refused_before_the_engine_is_asked() {
    let Some(host) = docker_host() else { return };
    let t = Isolated::new();
    let out = t
        .run(&["Bad::Ref", "--json"])
        .env("DOCKER_HOST", &host)
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is not a registry reference"), "{err}");
}
