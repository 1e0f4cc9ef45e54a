//! Registry answers that never end, stall or lie (issue 17, classes 2, 4 and 11), against a
//! fake registry in this process.

use crate::fake_registry::*;
use std::time::{Duration, Instant};

#[test]
fn a_well_behaved_fake_registry_is_read() {
    let reg = Registry::start(Image::new(), Box::new(|_, _, _| false));
    let report = reg.run(&[], Duration::from_secs(60)).report();
    assert_eq!(report["size"]["final_bytes"], 4096);
}

#[test]
fn an_endless_manifest_stops_at_4_mib() {
    let reg = Registry::start(
        Image::new(),
        Box::new(|m, p, s| {
            if m == "GET" && p.starts_with("/v2/img/manifests/") {
                endless(s, "application/vnd.oci.image.manifest.v1+json");
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let o = reg.run(&[], Duration::from_secs(60));
    o.error("larger than 4 MiB");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
    eprintln!(
        "endless manifest: {:?}, peak {} KiB",
        start.elapsed(),
        o.peak_kib
    );
}

#[test]
fn a_config_longer_than_its_descriptor_is_refused() {
    let image = Image::new();
    let config_path = format!("/v2/img/blobs/{}", Image::digest_of(&image.config));
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == config_path {
                endless(s, "application/octet-stream");
                return true;
            }
            false
        }),
    );
    let o = reg.run(&[], Duration::from_secs(60));
    o.error("longer than its limit");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
}

fn sha512(b: &[u8]) -> String {
    use sha2::{Digest, Sha512};
    format!("sha512:{}", hex::encode(Sha512::digest(b)))
}

/// An image whose layer descriptor names its blob by `digest`; the registry answers that
/// path with `served` (status 206, as to a Range request).
fn layer_named(digest: impl Fn(&[u8]) -> String, served: Option<Vec<u8>>) -> (Registry, String) {
    let tar = crate::util::RawTar::new()
        .file(b"f", &[b'x'; 4096])
        .finish();
    let layer = crate::util::gzip(&tar);
    let name = digest(&layer);
    let n = name.clone();
    let image = Image::with_layer(layer.clone(), crate::util::sha256(&tar), |m| {
        m["layers"][0]["digest"] = serde_json::json!(n);
    });
    let served = served.unwrap_or(layer);
    let path = format!("/v2/img/blobs/{name}");
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == path {
                respond(s, "206 Partial Content", &[], &served);
                return true;
            }
            false
        }),
    );
    (reg, name)
}

/// Class 11: sha512 digests are verified whatever the transfer; other algorithms refused.
#[test]
fn sha512_layers_are_verified_and_unknown_algorithms_refused() {
    let (reg, _) = layer_named(sha512, None);
    let report = reg.run(&[], Duration::from_secs(60)).report();
    assert_eq!(report["size"]["final_bytes"], 4096);
    let other = crate::util::gzip(&crate::util::RawTar::new().file(b"f", b"evil").finish());
    let (reg, _) = layer_named(sha512, Some(other));
    reg.run(&[], Duration::from_secs(60))
        .error("digest mismatch");
    let (reg, _) = layer_named(|_| format!("md5:{}", "0".repeat(32)), None);
    reg.run(&[], Duration::from_secs(60))
        .error("algorithm \"md5\"");
}

/// Class 3: a blob that goes on after its descriptor's size (here, after the tar's end).
#[test]
fn a_blob_longer_than_its_descriptor_stops_there() {
    let image = Image::new();
    let path = format!("/v2/img/blobs/{}", Image::digest_of(&image.layer));
    let layer = image.layer.clone();
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == path {
                use std::io::Write;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let _ = s.write_all(&layer);
                endless(s, "application/octet-stream");
                return true;
            }
            false
        }),
    );
    let o = reg.run(&[], Duration::from_secs(60));
    o.error("more than the");
    assert!(o.peak_kib < 300 << 10, "peak RSS {} KiB", o.peak_kib);
}

/// Class 4: a download that stops sending fails after --stall-timeout, naming the blob and
/// how far it got; --timeout bounds the whole run; a CI log sees progress lines.
#[test]
fn a_stalled_download_fails_naming_the_blob_and_its_progress() {
    let image = Image::new();
    let path = format!("/v2/img/blobs/{}", Image::digest_of(&image.layer));
    let layer = image.layer.clone();
    let reg = Registry::start(
        image,
        Box::new(move |m, p, s| {
            if m == "GET" && p == path {
                use std::io::Write;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    layer.len()
                );
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(&layer[..100]);
                let _ = s.flush();
                std::thread::sleep(Duration::from_secs(30));
                return true;
            }
            false
        }),
    );
    let start = Instant::now();
    let o = reg.run(&["--stall-timeout", "2"], Duration::from_secs(25));
    let line = o.error("sent nothing for 2 s");
    assert!(line.contains("100 of"), "{line}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    let start = Instant::now();
    let o = reg.run(&["--timeout", "2"], Duration::from_secs(25));
    o.error("gave up after 2 s");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_ci_log_gets_progress_lines() {
    let reg = Registry::start(Image::new(), Box::new(|_, _, _| false));
    let home = tempfile::tempdir().unwrap();
    let o = crate::util::run_limited(
        &[&reg.reference(), "--json"],
        Duration::from_secs(60),
        home.path(),
        &[
            ("HOME", home.path()),
            ("XDG_CACHE_HOME", home.path()),
            ("MICROSCOPE_PROGRESS_SECS", std::path::Path::new("0")),
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains("microscope: reading the image: "),
        "{}",
        o.stderr
    );
}

/// Decided: Basic credentials go to a token realm only on the registry's own host or over
/// HTTPS; a plain-HTTP realm elsewhere is refused before anything is sent.
#[test]
fn credentials_go_only_to_the_registrys_host_or_an_https_realm() {
    for (realm_host, refused) in [("localhost", true), ("127.0.0.1", false)] {
        let reg = token_server(realm_host, |s| {
            respond(
                s,
                "200 OK",
                &[("Content-Type", "application/json")],
                br#"{"token":"t"}"#,
            )
        });
        let home = tempfile::tempdir().unwrap();
        let auth = base64_user_pass();
        std::fs::write(
            home.path().join("config.json"),
            format!(
                r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{auth}"}}}}}}"#,
                reg.port
            ),
        )
        .unwrap();
        let o = reg.run_home(&[], Duration::from_secs(60), home.path());
        if refused {
            o.error("sends them only to the registry's own host or over HTTPS");
        } else {
            assert_eq!(o.code, Some(0), "{}", o.stderr);
        }
    }
}

/// With Basic credentials and a token realm, the registry is asked for its challenge once:
/// the challenge that names the realm is also the one the credentials' destination is
/// checked on (two requests, one round trip more before the manifest, until the check read
/// its own), and it is the manifest's own 401, not a `/v2/` asked first.
#[test]
fn credentials_with_a_token_realm_ask_for_the_challenge_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};
    let challenges = Arc::new(AtomicUsize::new(0));
    let port = Arc::new(AtomicU16::new(0));
    let granted = Arc::new(AtomicBool::new(false));
    let (seen, p) = (challenges.clone(), port.clone());
    let reg = Registry::start(
        Image::new(),
        Box::new(move |m, path, s| {
            let manifest = path.starts_with("/v2/img/manifests/");
            if m == "GET" && (path == "/v2/" || (manifest && !granted.load(Ordering::Relaxed))) {
                seen.fetch_add(1, Ordering::Relaxed);
                let port = p.load(Ordering::Relaxed);
                let realm = format!("Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"f\"");
                respond(
                    s,
                    "401 Unauthorized",
                    &[("WWW-Authenticate", &realm)],
                    b"{}",
                );
                return true;
            }
            if path.starts_with("/token") {
                granted.store(true, Ordering::Relaxed);
                let json = [("Content-Type", "application/json")];
                respond(s, "200 OK", &json, br#"{"token":"t"}"#);
                return true;
            }
            false
        }),
    );
    port.store(reg.port, Ordering::Relaxed);
    let home = tempfile::tempdir().unwrap();
    let auth = base64_user_pass();
    let config = format!(
        r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{auth}"}}}}}}"#,
        reg.port
    );
    std::fs::write(home.path().join("config.json"), config).unwrap();
    let o = reg.run_home(&[], Duration::from_secs(60), home.path());
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(challenges.load(Ordering::Relaxed), 1);
}

/// `user:pass` in base64, as docker's config.json keeps it.
fn base64_user_pass() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode("user:pass")
}

/// A registry anyone may pull from is asked for the manifest first, not for `/v2/`: one
/// round trip less before the first layer byte (a token registry challenges the manifest
/// instead, above).
#[test]
fn an_open_registry_is_asked_for_the_manifest_first() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let pings = Arc::new(AtomicUsize::new(0));
    let seen = pings.clone();
    let reg = Registry::start(
        Image::new(),
        Box::new(move |_, path, _| {
            if path == "/v2/" {
                seen.fetch_add(1, Ordering::Relaxed);
            }
            false
        }),
    );
    let o = reg.run(&[], Duration::from_secs(60));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(pings.load(Ordering::Relaxed), 0);
}
