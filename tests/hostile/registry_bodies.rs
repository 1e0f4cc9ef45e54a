//! Token answers and error answers that never end (issue 17, class 2): each is read to
//! 1 MiB, as skopeo does, and refused there in one line naming the limit.

use crate::fake_registry::*;
use std::time::Duration;

fn with_token_server(token: fn(&mut std::net::TcpStream)) -> Registry {
    token_server("127.0.0.1", token)
}

fn refused_at_1_mib(reg: &Registry, what: &str) {
    let o = reg.run(&[], Duration::from_secs(60));
    let line = o.error("larger than 1 MiB, the limit for it");
    assert!(line.contains(what), "{line}");
    assert!(line.contains("registry 127.0.0.1:"), "{line}");
    assert!(
        o.peak_kib < 200 << 10,
        "{what}: peak RSS {} KiB",
        o.peak_kib
    );
    eprintln!("{what}: {line}; peak {} KiB", o.peak_kib);
}

#[test]
fn a_token_server_is_asked_by_microscope_and_its_token_used() {
    let reg = with_token_server(|s| {
        respond(
            s,
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"{"token":"t"}"#,
        )
    });
    let o = reg.run(&[], Duration::from_secs(60));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn an_endless_token_stops_at_1_mib() {
    let reg = with_token_server(|s| endless(s, "application/json"));
    refused_at_1_mib(&reg, "the token from");
}

#[test]
fn an_endless_token_error_stops_at_1_mib() {
    let reg = with_token_server(|s| endless_answer(s, "401 Unauthorized", "application/json"));
    refused_at_1_mib(&reg, "token server");
}

/// An endless error answer to the requests of one kind (`prefix`), the others normal.
fn endless_error_on(prefix: &'static str, status: &'static str) -> Registry {
    Registry::start(
        Image::new(),
        Box::new(move |m, p, s| {
            if m == "GET" && p.starts_with(prefix) {
                endless_answer(s, status, "application/json");
                return true;
            }
            false
        }),
    )
}

#[test]
fn an_endless_manifest_error_stops_at_1_mib() {
    let reg = endless_error_on("/v2/img/manifests/", "404 Not Found");
    refused_at_1_mib(&reg, "error answer (404 Not Found)");
}

#[test]
fn an_endless_blob_error_stops_at_1_mib() {
    // The config's and then the layer's: both are blobs.
    let reg = endless_error_on("/v2/img/blobs/", "500 Internal Server Error");
    refused_at_1_mib(&reg, "error answer (500 Internal Server Error)");
}

#[test]
fn an_endless_layer_error_stops_at_1_mib() {
    let image = Image::new();
    let layer = format!("/v2/img/blobs/{}", Image::digest_of(&image.layer));
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == layer {
                endless_answer(s, "403 Forbidden", "text/html");
                return true;
            }
            false
        }),
    );
    refused_at_1_mib(&reg, "error answer (403 Forbidden)");
}

/// Docker's `config.json` (credentials) is read to 4 MiB, and only as a regular file: a
/// symlink to `/dev/zero` or a huge file is one line, not a full memory.
#[test]
fn a_docker_config_that_never_ends_is_refused() {
    let reg = Registry::start(Image::new(), Box::new(|_, _, _| false));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.json");
    std::os::unix::fs::symlink("/dev/zero", &config).unwrap();
    let o = reg.run_home(&[], Duration::from_secs(60), home.path());
    o.error("is not a regular file");
    std::fs::remove_file(&config).unwrap();
    let mut big = b"{\"auths\":{},\"x\":\"".to_vec();
    big.resize(5 << 20, b'a');
    std::fs::write(&config, &big).unwrap();
    let o = reg.run_home(&[], Duration::from_secs(60), home.path());
    o.error("larger than 4096 KiB, the limit for it");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
}
