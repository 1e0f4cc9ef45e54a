//! `slim --push` through the registry code, to the plain registry of
//! `/work/shared/corpus/services.sh registry start` (127.0.0.1:5000); skipped, saying so,
//! when it does not answer. The pushed image is read back from the registry and is the
//! one written to disk: same manifest digest, same files.

use crate::support::slim;

use slim::{slim, text};
use std::io::{Read, Write};
use std::process::Command;

fn registry_up() -> bool {
    let Ok(mut s) = std::net::TcpStream::connect("127.0.0.1:5000") else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(3)));
    if s.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.contains("200")
}

fn manifest_line(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("manifest "))
        .unwrap_or_else(|| panic!("a manifest line in {stdout}"))
        .trim()
        .to_string()
}

#[test]
fn pushed_image_is_the_written_one() {
    if !registry_up() {
        crate::support::skip("no registry on 127.0.0.1:5000 (services.sh registry start)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = format!(
        "127.0.0.1:5000/microscope-test/slim-{}:micro",
        std::process::id()
    );
    let out = dir.path().join("micro.tar");
    let o = slim(&[
        "demo:micro",
        "-o",
        &format!("oci-archive:{}", out.display()),
        "--push",
        &format!("docker://{repo}"),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("pushed   http://127.0.0.1:5000/v2/"),
        "{stdout}"
    );
    let written = manifest_line(&stdout);

    // Read back from the registry, as any image.
    let back = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args([&format!("docker://{repo}"), "--json", "--no-cache"])
        .output()
        .unwrap();
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
    let json = report.to_string();
    assert!(
        json.contains(&written),
        "the registry serves manifest {written}"
    );
    let local: serde_json::Value = serde_json::from_slice(
        &Command::new(env!("CARGO_BIN_EXE_microscope"))
            .args([&format!("oci-archive:{}", out.display()), "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(report["size"]["final_bytes"], local["size"]["final_bytes"]);

    // Without --output, the push alone.
    let o = slim(&["demo:micro", "--push", &format!("docker://{repo}-again")]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert_eq!(
        manifest_line(&stdout),
        written,
        "the same image, pushed again"
    );
}

#[test]
fn push_needs_a_registry_reference() {
    let o = slim(&["demo:micro", "--push", "127.0.0.1:5000/x:1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("docker://"), "{:?}", text(&o));
}
