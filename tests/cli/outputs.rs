//! The real binary: outputs, exit codes, and one clear line per user error.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stderr_line(o: &Output) -> String {
    let s = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(s.lines().count(), 1, "exactly one error line, got {s:?}");
    s
}

#[test]
fn demo_json_has_the_schema_and_sizes() {
    let o = run(&["demo", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let s = &v["size"];
    let layers = s["layers_bytes"].as_u64().unwrap();
    let fin = s["final_bytes"].as_u64().unwrap();
    assert_eq!(s["reclaimable_bytes"].as_u64().unwrap(), layers - fin);
    let parts = ["overwritten_bytes", "deleted_bytes", "opaque_hidden_bytes"]
        .iter()
        .map(|k| s["reclaimable"][k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(parts, layers - fin);
    assert_eq!(v["layers"].as_array().unwrap().len(), 5);
    assert!(
        v["layers"][1]["command"]
            .as_str()
            .unwrap()
            .contains("apt-get install")
    );
    assert!(
        v["metadata_copies"]["bytes"].as_u64().unwrap() > 0,
        "the chmod copy"
    );
}

#[test]
fn archive_and_oci_forms_agree() {
    let dir = tempfile::tempdir().unwrap();
    let img = microscope::demo::fat();
    let docker = dir.path().join("fat.tar");
    std::fs::write(&docker, img.docker_archive()).unwrap();
    let oci = dir.path().join("fat.oci.tar");
    std::fs::write(&oci, img.oci_archive()).unwrap();
    let ocidir = dir.path().join("fat-oci");
    img.write_oci_dir(&ocidir).unwrap();
    let sizes: Vec<serde_json::Value> = [
        format!("docker-archive:{}", docker.display()),
        format!("oci-archive:{}", oci.display()),
        format!("oci:{}", ocidir.display()),
        ocidir.display().to_string(),
    ]
    .iter()
    .map(|r| {
        let o = run(&[r, "--json"]);
        assert!(
            o.status.success(),
            "{r}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["size"]["final_bytes"].clone()
    })
    .collect();
    assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
}

#[test]
fn missing_file_is_one_line_and_exit_2() {
    let o = run(&["/definitely/not/here.tar", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr_line(&o);
    assert!(e.contains("no such file"), "{e}");
    assert!(o.stdout.is_empty());
}

/// `microscope REFERENCE --json --no-cache` on what looks like a system without CA
/// certificates (the files rustls-platform-verifier reads point nowhere).
fn pull_without_ca_certificates(reference: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args([reference, "--json", "--no-cache"])
        .env("SSL_CERT_FILE", "/nonexistent/ca.pem")
        .env("SSL_CERT_DIR", "/nonexistent")
        .output()
        .unwrap()
}

/// A system without CA certificates (a slim container) is said, not a panic in the HTTP
/// client's constructor.
#[test]
fn no_ca_certificates_is_one_line_and_exit_2() {
    let o = pull_without_ca_certificates("docker://registry.invalid/x:1");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr_line(&o);
    assert!(e.contains("CA certificates"), "{e}");
    assert!(o.stdout.is_empty());
}

/// A plain-HTTP (loopback) registry needs no CA certificates: on such a system the pull
/// gets as far as the request (here refused: nothing listens on port 1), where a client
/// built with the system's roots stopped before it.
#[test]
fn a_loopback_registry_needs_no_ca_certificates() {
    let o = pull_without_ca_certificates("docker://127.0.0.1:1/x:1");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr_line(&o);
    assert!(e.contains("cannot reach registry 127.0.0.1:1"), "{e}");
    assert!(!e.contains("CA certificates"), "{e}");
}

#[test]
fn not_an_image_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.tar");
    std::fs::write(&f, LayerBuilder::new("x").file("hello.txt", b"hi").build()).unwrap();
    let o = run(&[f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_line(&o).contains("neither manifest.json"));
}

#[test]
fn corrupt_blob_is_a_digest_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let img = ImageBuilder::new("t:1").layer(LayerBuilder::new("x").file("a", &[1; 4000]));
    img.write_oci_dir(dir.path()).unwrap();
    // Flip bytes inside the (gzip) layer blob, keeping its size.
    let blobs = dir.path().join("blobs/sha256");
    let layer = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap().starts_with(&[0x1f, 0x8b]))
        .unwrap();
    let mut bytes = std::fs::read(&layer).unwrap();
    let n = bytes.len();
    bytes[n - 12] ^= 0xff;
    std::fs::write(&layer, bytes).unwrap();
    let out = dir.path().join("report.json");
    let o = run(&[
        &format!("oci:{}", dir.path().display()),
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr_line(&o);
    assert!(e.contains("layer 0"), "{e}");
    assert!(!out.exists(), "no partial report");
}

#[test]
fn unknown_platform_lists_what_there_is() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.tar");
    std::fs::write(&f, microscope::demo::micro().docker_archive()).unwrap();
    let o = run(&[f.to_str().unwrap(), "--platform", "linux/s390x"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr_line(&o);
    assert!(e.contains("linux/s390x") && e.contains("linux/"), "{e}");
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = run(&[
        "demo",
        "--image",
        "micro",
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    assert_eq!(v["size"]["efficiency"], 1.0);
}

#[test]
fn unknown_transport_is_named_with_the_list() {
    for (arg, named, hint) in [
        (
            "docker-archve:x",
            "\"docker-archve:\"",
            "did you mean docker-archive:?",
        ),
        ("dockr://a", "\"dockr://\"", "did you mean docker://?"),
    ] {
        let o = run(&[arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}");
        let line = stderr_line(&o);
        assert!(
            line.contains(&format!("unknown transport {named}")),
            "{line}"
        );
        assert!(line.contains(hint), "{line}");
        assert!(
            line.contains("docker-archive:PATH, oci:PATH, oci-archive:PATH"),
            "{line}"
        );
    }
}

#[test]
fn a_bare_name_found_nowhere_says_which_engines_were_tried() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: the registry fails fast, without DNS.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let docker = dir.path().join("docker.sock");
    let podman = dir.path().join("podman.sock");
    let o = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .arg(format!("127.0.0.1:{port}/x:1"))
        .arg("--no-cache")
        .env("HOME", dir.path())
        .env("DOCKER_CONFIG", dir.path())
        .env("DOCKER_HOST", format!("unix://{}", docker.display()))
        .env("CONTAINER_HOST", format!("unix://{}", podman.display()))
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("binary runs");
    assert_eq!(o.status.code(), Some(2));
    let line = stderr_line(&o);
    let docker_at = format!("the Docker engine at unix://{}", docker.display());
    let podman_at = format!("the Podman engine at unix://{}", podman.display());
    let (d, p, r) = (
        line.find(&docker_at),
        line.find(&podman_at),
        line.find("then the registry: cannot reach registry 127.0.0.1"),
    );
    assert!(
        d.is_some() && p.is_some() && r.is_some() && d < p && p < r,
        "Docker, then Podman, then the registry's error: {line}"
    );
    assert!(line.contains("not running (no such socket)"), "{line}");
    assert!(!line.contains("engine at the"), "no doubled phrase: {line}");
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _microscope"),
        ("zsh", "#compdef microscope"),
        ("fish", "complete -c microscope"),
    ] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for flag in ["cache-size", "findings", "completions", "compare"] {
            assert!(script.contains(flag), "{shell} completes {flag}");
        }
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn bash_loads_the_completion_script() {
    let o = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("microscope.bash");
    std::fs::write(&file, &o.stdout).unwrap();
    let Ok(check) = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p microscope",
            file.display()
        ))
        .output()
    else {
        crate::support::skip("no bash to load the script");
        return;
    };
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(out.contains("_microscope"), "{out}");
}

#[test]
fn the_man_page_is_roff_with_every_flag() {
    let o = run(&["man"]);
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH microscope 1"), "{page}");
    for part in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(part), "{part}");
    }
    for flag in ["cache\\-size", "findings", "rewrite", "Exit codes"] {
        assert!(page.contains(flag), "the page documents {flag}");
    }
}
