//! The slim images, run for real: each is written as a `docker save` archive, loaded into
//! the Docker engine the `docker` command reaches (DOCKER_HOST), and run: a shell runs
//! `echo ok` with no network, a server answers on loopback (`--network host`). Its size in
//! the engine's own `docker save` is compared with the prediction.
//!
//! Skipped, saying so, without `$MICROSCOPE_CORPUS` or a reachable engine
//! (`/work/shared/corpus/services.sh dockerd start` starts one).

use crate::support::docker;
use crate::support::slim;

use docker::setup;

use slim::{slim, text, written_and_predicted};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The corpus servers all listen on 8080 of the host's loopback: one test at a time.
static PORT_8080: Mutex<()> = Mutex::new(());

/// `docker ARGS`, its output trimmed.
fn docker(args: &[&str]) -> Result<String, String> {
    docker::docker(args).map(|o| o.trim().to_string())
}

/// Slims `image` into a docker-archive tagged `tag`, loads it; returns slim's output.
fn slim_and_load(image: &Path, tag: &str, work: &Path) -> String {
    let out = work.join(format!("{}.tar", tag.replace([':', '/'], "-")));
    let o = slim(&[
        &image.to_string_lossy(),
        "-o",
        &format!("docker-archive:{}", out.display()),
        "--tag",
        tag,
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{}: {stderr}", image.display());
    docker(&["load", "-q", "-i", &out.to_string_lossy()]).unwrap();
    eprintln!("{stdout}");
    stdout
}

/// What the engine says the image weighs: regular-file bytes of its own `docker save`.
fn engine_file_bytes(tag: &str, work: &Path) -> u64 {
    let saved = work.join("saved.tar");
    docker(&["save", "-o", &saved.to_string_lossy(), tag]).unwrap();
    let mut total = 0;
    for (name, bytes) in slim::members(&saved) {
        if name.ends_with("layer.tar") {
            let mut ar = tar::Archive::new(&bytes[..]);
            for e in ar.entries().unwrap() {
                let e = e.unwrap();
                if e.header().entry_type() == tar::EntryType::Regular {
                    total += e.header().size().unwrap();
                }
            }
        }
    }
    total
}

fn shell_says_ok(tag: &str, shell: &str) {
    let out = docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        shell,
        tag,
        "-c",
        "echo ok",
    ])
    .unwrap();
    assert_eq!(out, "ok", "{tag}: {shell} runs");
}

#[test]
fn shells_run_and_weigh_their_prediction() {
    let Some(corpus) = setup() else { return };
    let work = tempfile::tempdir().unwrap();
    for (file, tag, shell) in [
        (
            "alpine-3.20.docker.tar",
            "microscope-test/slim-alpine:1",
            "/bin/sh",
        ),
        (
            "debian-bookworm.oci.tar",
            "microscope-test/slim-debian:1",
            "/usr/bin/bash",
        ),
    ] {
        let stdout = slim_and_load(&corpus.join(file), tag, work.path());
        shell_says_ok(tag, shell);
        let (written, predicted) = written_and_predicted(&stdout);
        assert_eq!(written, predicted, "{file}");
        assert_eq!(engine_file_bytes(tag, work.path()), predicted, "{file}");
        let _ = docker(&["rmi", tag]);
    }
}

/// Waits for an HTTP answer on loopback.
fn http_get(port: u16) -> String {
    use std::io::{Read, Write};
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(200));
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            continue;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
        if s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .is_err()
        {
            continue;
        }
        let mut body = String::new();
        let _ = s.read_to_string(&mut body);
        if !body.is_empty() {
            return body;
        }
    }
    String::new()
}

#[test]
fn go_servers_answer_on_loopback() {
    let Some(corpus) = setup() else { return };
    let _port = PORT_8080.lock().unwrap_or_else(|p| p.into_inner());
    let work = tempfile::tempdir().unwrap();
    for (file, tag) in [
        (
            "micro-debug.docker.tar",
            "microscope-test/slim-micro-debug:1",
        ),
        (
            "micro-latest.docker.tar",
            "microscope-test/slim-micro-latest:1",
        ),
    ] {
        let stdout = slim_and_load(&corpus.join(file), tag, work.path());
        let id = docker(&["run", "-d", "--network", "host", tag]).unwrap();
        let body = http_get(8080);
        let _ = docker(&["rm", "-f", &id]);
        let (written, predicted) = written_and_predicted(&stdout);
        assert_eq!(engine_file_bytes(tag, work.path()), written, "{file}");
        let _ = docker(&["rmi", tag]);
        assert!(
            body.starts_with("HTTP/1."),
            "{file}: the server answers: {body:?}"
        );
        // Stripped here by `strip`, not rebuilt with -s -w: a few hundred bytes apart.
        assert!(written.abs_diff(predicted) < 4096, "{file}: {stdout}");
    }
}

/// `--verify` does the same from the command line and cleans up after itself.
#[test]
fn verify_passes_and_removes_its_image() {
    let Some(corpus) = setup() else { return };
    let _port = PORT_8080.lock().unwrap_or_else(|p| p.into_inner());
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("micro.tar");
    let o = slim(&[
        &corpus.join("micro-latest.oci.tar").to_string_lossy(),
        "-o",
        &format!("oci-archive:{}", out.display()),
        "--verify",
        "--verify-cmd",
        "curl -sf http://127.0.0.1:8080/",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("verify: PASS"), "{stdout}");
    let images = docker(&["images", "--format", "{{.Repository}}"]).unwrap();
    assert!(!images.contains("microscope-slim-verify"), "{images}");

    // A health command that never succeeds is a FAIL, exit 1.
    let o = slim(&[
        &corpus.join("alpine-3.20.docker.tar").to_string_lossy(),
        "-o",
        &format!("oci-archive:{}", work.path().join("a.tar").display()),
        "--verify",
        "--verify-cmd",
        "false",
    ]);
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verify: FAIL"), "{stdout}");
}

/// A lab image `build-corpus.sh` builds (too big for the corpus): `$MICROSCOPE_LAB/NAME`,
/// else `$ENVLAB/corpus/NAME`; None, saying so, when it is not there.
fn lab(name: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("MICROSCOPE_LAB") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("ENVLAB")?).join("corpus"),
    };
    let p = dir.join(name);
    p.is_file().then_some(p)
}

/// The port the app listens on: `PORT=` in its Env, else its first exposed port.
fn app_port(tag: &str) -> u16 {
    let config = docker(&["inspect", "-f", "{{json .Config}}", tag]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&config).unwrap();
    let env_port = v["Env"].as_array().and_then(|env| {
        env.iter()
            .filter_map(|e| e.as_str()?.strip_prefix("PORT="))
            .find_map(|p| p.parse().ok())
    });
    let exposed = v["ExposedPorts"]
        .as_object()
        .and_then(|m| m.keys().find_map(|k| k.split('/').next()?.parse().ok()));
    env_port.or(exposed).unwrap_or(8000)
}

/// python-app (Flask in a venv): the interpreter, its libraries, the standard library, the
/// venv and the app, written by slim, serve HTTP on scratch.
#[test]
fn python_app_serves_http() {
    if setup().is_none() {
        return;
    }
    let Some(image) = lab("python-app-latest.docker.tar") else {
        crate::support::skip(
            "python-app-latest.docker.tar is not in $MICROSCOPE_LAB or $ENVLAB/corpus",
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let tag = "microscope-test/slim-python-app:1";
    let stdout = slim_and_load(&image, tag, work.path());
    let (written, predicted) = written_and_predicted(&stdout);
    assert_eq!(written, predicted, "{stdout}");
    let port = app_port(tag);
    let id = docker(&["run", "-d", "--network", "host", tag]).unwrap();
    let body = http_get(port);
    let logs = docker(&["logs", &id]).unwrap_or_default();
    let _ = docker(&["rm", "-f", &id]);
    assert_eq!(engine_file_bytes(tag, work.path()), written);
    let _ = docker(&["rmi", tag]);
    assert!(
        body.contains("\"ok\":true"),
        "the app answers: {body:?} {logs}"
    );
}

/// fat-latest's server is a cgo Go program with debug info: slim takes it as built (no Go
/// rebuild), stripped, with its glibc closure, and it serves on scratch.
#[test]
fn fat_latest_serves_with_its_libc() {
    if setup().is_none() {
        return;
    }
    let Some(image) = lab("fat-latest.docker.tar") else {
        crate::support::skip("fat-latest.docker.tar is not in $MICROSCOPE_LAB or $ENVLAB/corpus");
        return;
    };
    let _port = PORT_8080.lock().unwrap_or_else(|p| p.into_inner());
    let work = tempfile::tempdir().unwrap();
    let tag = "microscope-test/slim-fat:1";
    let stdout = slim_and_load(&image, tag, work.path());
    let id = docker(&["run", "-d", "--network", "host", tag]).unwrap();
    let body = http_get(8080);
    let _ = docker(&["rm", "-f", &id]);
    let (written, _) = written_and_predicted(&stdout);
    assert_eq!(engine_file_bytes(tag, work.path()), written);
    let _ = docker(&["rmi", tag]);
    assert!(
        body.starts_with("HTTP/1."),
        "fat's server answers: {body:?}\n{stdout}"
    );
}

/// `--include-path` of a program brings its libraries: bash's slim image with `ls` added
/// lists its root (ls needs libselinux and libpcre2, which bash does not).
#[test]
fn include_path_brings_a_program_and_its_libraries() {
    let Some(corpus) = setup() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("deb-ls.tar");
    let tag = "microscope-test/slim-debian-ls:1";
    let o = slim(&[
        &corpus.join("debian-bookworm.oci.tar").to_string_lossy(),
        "-o",
        &format!("docker-archive:{}", out.display()),
        "--tag",
        tag,
        "--include-path",
        "/usr/bin/ls",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    let (written, predicted) = written_and_predicted(&stdout);
    assert_eq!(written, predicted, "{stdout}");
    docker(&["load", "-q", "-i", &out.to_string_lossy()]).unwrap();
    let listed = docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "/usr/bin/bash",
        tag,
        "-c",
        "ls /",
    ]);
    let _ = docker(&["rmi", tag]);
    let listed = listed.unwrap();
    assert!(listed.lines().any(|l| l == "tmp"), "{listed}");
}
