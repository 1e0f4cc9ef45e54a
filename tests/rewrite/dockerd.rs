//! The rewrite, built for real: each corpus image is loaded into a Docker engine, its
//! suggested Dockerfile built, the result saved and measured, and run. The built image must
//! have exactly the predicted bytes, plus the strip advice the Dockerfile could not apply.
//!
//! Skipped without `$MICROSCOPE_CORPUS` or a reachable engine (`docker info` with the
//! caller's DOCKER_HOST); `.ci/run` starts one. The python-app case also builds the app
//! image itself (apt and pip over the network): only with MICROSCOPE_PYTHON_APP=1.

use crate::support::docker;
use microscope::analysis::rewrite::{Options, Rewrite, Stage, plan};
use microscope::analysis::{Analysis, analyze};
use microscope::image::Image;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};
use std::path::Path;

use docker::{docker, setup};
use std::process::Command;

fn load(path: &Path) -> (Image, Analysis) {
    let r = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let src = open(&r, &SourceOptions::default()).unwrap();
    let image = load_image(&*src, &LoadOptions::default()).unwrap();
    let a = analyze(&image);
    (image, a)
}

/// Builds the rewrite of `archive` (loaded as `tag`), saves it, and checks its size.
/// Returns the built tag.
fn build_and_measure(archive: &Path, tag: &str, name: &str, work: &Path) -> (Rewrite, String) {
    docker(&["load", "-i", &archive.to_string_lossy()]).unwrap();
    let (image, a) = load(archive);
    let opts = Options {
        source_image: Some(tag.into()),
        ..Default::default()
    };
    let r = plan(&image, &a.merged, &opts).unwrap();
    let ctx = work.join(name);
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), &r.dockerfile).unwrap();
    let built = format!("microscope-test/rewrite-{name}:latest");
    docker(&["build", "-q", "-t", &built, &ctx.to_string_lossy()]).unwrap();
    let saved = work.join(format!("{name}.tar"));
    docker(&["save", "-o", &saved.to_string_lossy(), &built]).unwrap();
    let (_, b) = load(&saved);
    // Strip advice only a toolchain could apply stays in the original bytes.
    let unapplied: u64 = r
        .files
        .iter()
        .filter(|f| f.from == Stage::Source)
        .map(|f| f.bytes - f.predicted_bytes)
        .sum();
    eprintln!(
        "{name}: predicted {} B (+{unapplied} B of unapplied strip advice), built {} B, was {} B",
        r.predicted_bytes, b.sizes.final_bytes, a.sizes.final_bytes
    );
    assert_eq!(b.sizes.final_bytes, r.predicted_bytes + unapplied, "{name}");
    (r, built)
}

#[test]
fn rewrites_build_run_and_weigh_what_was_predicted() {
    let Some(corpus) = setup() else { return };
    let work = tempfile::tempdir().unwrap();

    let (_, alpine) = build_and_measure(
        &corpus.join("alpine-3.20.docker.tar"),
        "alpine:3.20",
        "alpine",
        work.path(),
    );
    let out = docker(&["run", "--rm", &alpine, "/bin/sh", "-c", "echo ok from $0"]).unwrap();
    assert_eq!(out.trim(), "ok from /bin/sh");

    let (r, micro) = build_and_measure(
        &corpus.join("micro-debug.docker.tar"),
        "micro:debug",
        "micro-debug",
        work.path(),
    );
    assert_eq!(r.base, "scratch");
    let id = docker(&["run", "-d", "--network", "none", &micro]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let running = docker(&["inspect", "-f", "{{.State.Running}}", id.trim()]).unwrap();
    let _ = docker(&["rm", "-f", id.trim()]);
    assert_eq!(running.trim(), "true", "the server runs on scratch");

    // Debian is an OCI archive, which engine 20.10 cannot load: skopeo converts it.
    let deb = work.path().join("debian.docker.tar");
    let converted = Command::new("skopeo")
        .args([
            "copy",
            "-q",
            &format!(
                "oci-archive:{}",
                corpus.join("debian-bookworm.oci.tar").display()
            ),
            &format!("docker-archive:{}:debian:bookworm", deb.display()),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if converted {
        let (_, bash) = build_and_measure(&deb, "debian:bookworm", "debian", work.path());
        let out = docker(&["run", "--rm", &bash, "bash", "-c", "echo ok from bash"]).unwrap();
        assert_eq!(out.trim(), "ok from bash");
    } else {
        crate::support::skip("the debian case: skopeo is not installed");
    }
    for t in ["alpine", "micro-debug", "debian"] {
        let _ = docker(&["rmi", &format!("microscope-test/rewrite-{t}:latest")]);
    }
}

#[test]
fn python_app_rewrite_serves_http() {
    if std::env::var_os("MICROSCOPE_PYTHON_APP").is_none() {
        crate::support::skip(
            "set MICROSCOPE_PYTHON_APP=1 to build python-app (apt and pip over the network)",
        );
        return;
    }
    let Some(corpus) = setup() else { return };
    let work = tempfile::tempdir().unwrap();
    let deb = work.path().join("debian.docker.tar");
    let ok = Command::new("skopeo")
        .args([
            "copy",
            "-q",
            &format!(
                "oci-archive:{}",
                corpus.join("debian-bookworm.oci.tar").display()
            ),
            &format!("docker-archive:{}:debian:bookworm", deb.display()),
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "skopeo converts the debian base");
    docker(&["load", "-i", &deb.to_string_lossy()]).unwrap();
    // The corpus recipe (build-corpus.sh), with pip trusting the proxy's hosts.
    let ctx = work.path().join("python-app");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("app.py"), "import os\nimport requests\nfrom flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.get(\"/\")\ndef index():\n    return jsonify(ok=True, requests=requests.__version__)\n\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=int(os.environ.get(\"PORT\", \"8000\")))\n").unwrap();
    std::fs::write(
        ctx.join("requirements.txt"),
        "requests==2.32.3\nflask==3.0.3\n",
    )
    .unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3 python3-pip python3-venv\nCOPY requirements.txt /app/requirements.txt\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org -r /app/requirements.txt\nCOPY app.py /app/app.py\nENV PATH=/opt/venv/bin:$PATH\nENV PORT=18765\nEXPOSE 8000\nCMD [\"python\", \"/app/app.py\"]\n").unwrap();
    docker(&[
        "build",
        "-q",
        "--network",
        "host",
        "-t",
        "microscope-test/python-app:latest",
        &ctx.to_string_lossy(),
    ])
    .unwrap();
    let saved = work.path().join("python-app.tar");
    docker(&[
        "save",
        "-o",
        &saved.to_string_lossy(),
        "microscope-test/python-app:latest",
    ])
    .unwrap();
    let (r, built) = build_and_measure(
        &saved,
        "microscope-test/python-app:latest",
        "python-app",
        work.path(),
    );
    assert_eq!(r.base, "scratch");
    let id = docker(&["run", "-d", "--network", "host", &built]).unwrap();
    let mut body = String::new();
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        if let Ok(o) = Command::new("curl")
            .args(["-s", "http://127.0.0.1:18765/"])
            .output()
        {
            body = String::from_utf8_lossy(&o.stdout).into_owned();
            if !body.is_empty() {
                break;
            }
        }
    }
    let _ = docker(&["rm", "-f", id.trim()]);
    for t in ["microscope-test/python-app:latest", &built] {
        let _ = docker(&["rmi", t]);
    }
    assert!(
        body.contains("\"ok\":true"),
        "the app answers on scratch: {body:?}"
    );
}
