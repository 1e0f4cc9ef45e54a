//! `microscope slim` without an engine: what the written image holds (modes, owners,
//! symlinks, hard links, needed directories, the original's config), that it weighs
//! exactly what the rewrite predicted, that the same input gives the same bytes, and that
//! it refuses (writing nothing) what it cannot close by itself.

use crate::support::rewrite;
use crate::support::slim;

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;
use rewrite::Elf;
use slim::{docker_archive, find, slim, text, written_and_predicted};
use std::path::Path;

/// A static server with a config directory the rewrite does not find by itself: a file
/// only its owner reads, a symlink, a hard link that sorts before its target.
fn fixture(dir: &Path) -> String {
    let program = Elf::program().build();
    let base = LayerBuilder::new("base")
        .dir("etc")
        .file(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/srv:/bin/sh\n",
        )
        .file("etc/group", b"root:x:0:\napp:x:1000:\n")
        .file("usr/share/doc/big.txt", &[b'x'; 50_000]);
    let app = LayerBuilder::new("app")
        .dir("app")
        .file_with("app/server", &program, 0o750, 1000, 1000)
        .dir("etc/app")
        .file_with("etc/app/z-data", b"shared bytes", 0o640, 1000, 1000)
        .hardlink("etc/app/a-data", "etc/app/z-data")
        .file_with("etc/app/secret.conf", b"token=1", 0o600, 1000, 1000)
        .symlink("etc/app/current.conf", "secret.conf")
        .dir("srv");
    let mut img = ImageBuilder::new("test/app:latest").layer(base).layer(app);
    img.run = RunConfig {
        entrypoint: vec!["/app/server".into()],
        cmd: vec!["--port".into(), "8080".into()],
        env: vec!["PATH=/usr/bin:/bin".into(), "MODE=prod".into()],
        user: "1000:1000".into(),
        working_dir: "/srv".into(),
        exposed_ports: vec!["8080/tcp".into()],
        labels: vec![("org.example.team".into(), "core".into())],
    };
    let path = dir.join("app.docker.tar");
    std::fs::write(&path, img.docker_archive()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn writes_the_closure_with_modes_links_dirs_and_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let image = fixture(dir.path());
    let out = dir.path().join("slim.tar");
    let o = slim(&[
        &image,
        "-o",
        &format!("docker-archive:{}", out.display()),
        "--tag",
        "app:slim",
        "--include-path",
        "/etc/app",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}{stderr}");
    let (entries, config) = docker_archive(&out);

    // Sorted, every parent before its children, nothing of what the program does not need.
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "entries in path order");
    assert!(
        !paths.iter().any(|p| p.contains("usr/share/doc")),
        "{paths:?}"
    );
    assert!(entries.iter().all(|e| e.mtime == 0), "fixed mtimes");

    let server = find(&entries, "app/server");
    assert_eq!(
        (server.kind, server.mode, server.uid, server.gid),
        ('0', 0o750, 1000, 1000)
    );
    let secret = find(&entries, "etc/app/secret.conf");
    assert_eq!((secret.mode, secret.uid), (0o600, 1000));
    let link = find(&entries, "etc/app/current.conf");
    assert_eq!(
        (link.kind, link.link.as_deref()),
        ('2', Some("secret.conf"))
    );
    // The hard link sorts before its target: the first in the layer carries the bytes.
    let first = find(&entries, "etc/app/a-data");
    assert_eq!((first.kind, first.size, first.mode), ('0', 12, 0o640));
    let second = find(&entries, "etc/app/z-data");
    assert_eq!(
        (second.kind, second.link.as_deref()),
        ('1', Some("etc/app/a-data"))
    );
    assert_eq!(find(&entries, "tmp").mode, 0o1777);
    assert_eq!(find(&entries, "srv").kind, '5', "the WorkingDir exists");
    assert_eq!(find(&entries, "etc").kind, '5', "parents exist");

    let c = &config["config"];
    assert_eq!(c["Entrypoint"], serde_json::json!(["/app/server"]));
    assert_eq!(c["Cmd"], serde_json::json!(["--port", "8080"]));
    assert_eq!(
        c["Env"],
        serde_json::json!(["PATH=/usr/bin:/bin", "MODE=prod"])
    );
    assert_eq!(c["User"], "1000:1000");
    assert_eq!(c["WorkingDir"], "/srv");
    assert_eq!(c["ExposedPorts"], serde_json::json!({"8080/tcp": {}}));
    assert_eq!(c["Labels"], serde_json::json!({"org.example.team": "core"}));
    let history = config["history"][0]["created_by"].as_str().unwrap();
    assert!(
        history.starts_with("written by microscope slim from ") && history.contains("@sha256:"),
        "{history}"
    );

    let (written, predicted) = written_and_predicted(&stdout);
    assert_eq!(written, predicted, "{stdout}");
    assert!(stdout.contains("exactly as predicted"), "{stdout}");
    assert!(stdout.contains("compare with the original"), "{stdout}");
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let image = fixture(dir.path());
    for kind in ["oci-archive", "docker-archive"] {
        let mut outs = Vec::new();
        for n in 0..2 {
            let out = dir.path().join(format!("{kind}-{n}.tar"));
            let o = slim(&[&image, "-o", &format!("{kind}:{}", out.display())]);
            assert!(o.status.success(), "{:?}", text(&o));
            outs.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(outs[0], outs[1], "{kind}: two runs, the same archive");
    }
    // And an OCI layout directory holds the same blobs as the archive.
    let layout = dir.path().join("layout");
    let o = slim(&[&image, "-o", &format!("oci:{}", layout.display())]);
    assert!(o.status.success(), "{:?}", text(&o));
    let archived = slim::members(&dir.path().join("oci-archive-0.tar"));
    for (name, bytes) in archived
        .iter()
        .filter(|(n, _)| n.starts_with("blobs/sha256/") && !n.ends_with('/'))
    {
        assert_eq!(&std::fs::read(layout.join(name)).unwrap(), bytes, "{name}");
    }
    // A layout directory is never written over another.
    let again = slim(&[&image, "-o", &format!("oci:{}", layout.display())]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).1.contains("not empty"), "{:?}", text(&again));
}

/// demo:fat's server is a cgo Go program the Dockerfile route rebuilds CGO_ENABLED=0;
/// slim cannot build, so it takes the program as built, with its loader (the synthetic
/// program has a PT_INTERP but no dynamic section, so no NEEDED libc to follow; the glibc
/// closure itself is proven on debian:bookworm's bash).
#[test]
fn a_cgo_program_keeps_its_libc_instead_of_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fat.tar");
    let o = slim(&[
        "demo:fat",
        "-o",
        &format!("docker-archive:{}", out.display()),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    let (entries, _) = docker_archive(&out);
    let names: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    assert!(names.contains(&"usr/local/bin/server"), "{names:?}");
    assert!(
        names.iter().any(|p| p.ends_with("ld-linux-x86-64.so.2")),
        "{names:?}"
    );
    assert!(
        stdout.contains("the Dockerfile route (--rewrite) rebuilds /usr/local/bin/server"),
        "{stdout}"
    );
    // Strip refused on this synthetic program: the bytes and the reason are said.
    let (written, predicted) = written_and_predicted(&stdout);
    if written != predicted {
        assert!(
            stdout.contains("copied /usr/local/bin/server unstripped"),
            "{stdout}"
        );
    }
}

#[test]
fn refuses_a_base_other_than_scratch_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    // A glibc program whose libc is not in the image: the rewrite needs debian-slim.
    let layer = LayerBuilder::new("app")
        .file_with("usr/bin/app", &Elf::glibc().build(), 0o755, 0, 0)
        .file("etc/os-release", b"ID=debian\nVERSION_CODENAME=bookworm\n");
    let mut img = ImageBuilder::new("test/glibc:latest").layer(layer);
    img.run.entrypoint = vec!["/usr/bin/app".into()];
    let image = dir.path().join("glibc.docker.tar");
    std::fs::write(&image, img.docker_archive()).unwrap();
    let out = dir.path().join("slim.tar");
    let target = format!("docker-archive:{}", out.display());
    let o = slim(&[&image.to_string_lossy(), "-o", &target]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not scratch") && stderr.contains("--include-path"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");

    let forced = slim(&[&image.to_string_lossy(), "-o", &target, "--force"]);
    let (stdout, stderr) = text(&forced);
    assert!(forced.status.success(), "{stderr}");
    assert!(stdout.contains("note: --force:"), "{stdout}");
    assert!(out.exists());
}

#[test]
fn a_bad_target_is_one_clear_line() {
    let o = slim(&["demo:micro", "-o", "slim.tar"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr.contains("oci-archive:PATH"), "{stderr}");
}

/// The corpus images slim to exactly their prediction; micro-debug's program is stripped
/// with the strip on PATH, within a few kB of the predicted size.
#[test]
fn corpus_images_weigh_their_prediction() {
    let Some(corpus) = std::env::var_os("MICROSCOPE_CORPUS") else {
        crate::support::skip("MICROSCOPE_CORPUS is not set");
        return;
    };
    let corpus = Path::new(&corpus);
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "alpine-3.20.docker.tar",
        "debian-bookworm.oci.tar",
        "micro-latest.oci.tar",
    ] {
        let out = dir.path().join(format!("{name}.slim"));
        let o = slim(&[
            &corpus.join(name).to_string_lossy(),
            "-o",
            &format!("oci-archive:{}", out.display()),
        ]);
        let (stdout, stderr) = text(&o);
        assert!(o.status.success(), "{name}: {stderr}");
        let (written, predicted) = written_and_predicted(&stdout);
        assert_eq!(written, predicted, "{name}: {stdout}");
    }
    let out = dir.path().join("micro-debug.slim");
    let o = slim(&[
        &corpus.join("micro-debug.docker.tar").to_string_lossy(),
        "-o",
        &format!("oci-archive:{}", out.display()),
    ]);
    let (stdout, _) = text(&o);
    let (written, predicted) = written_and_predicted(&stdout);
    if stdout.contains("stripped /hello:") {
        assert!(written.abs_diff(predicted) < 4096, "{stdout}");
    } else {
        eprintln!("no strip on PATH: /hello copied unstripped");
        assert!(stdout.contains("copied /hello unstripped"), "{stdout}");
    }
}
