//! What a registry client must get right that the real registry here never exercises:
//! a blob redirected to another host (a CDN) gets no Authorization header, a 429 is
//! reported as a rate limit with when to retry, and a 403 as denied access. Two tiny HTTP servers on loopback play the
//! registry and the CDN; the image they serve is built in memory.

use crate::support::live;

use base64::Engine;
use live::Isolated;
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the server saw it: path and whether it carried Authorization.
type Log = Arc<Mutex<Vec<(String, bool)>>>;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn reply(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    Reply {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

/// Serves `handle` on `listener`, a thread per connection, until the test ends.
fn serve(
    listener: TcpListener,
    log: Log,
    handle: impl Fn(&str, Option<&str>) -> Reply + Send + Sync + 'static,
) {
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (log, handle) = (log.clone(), handle.clone());
            std::thread::spawn(move || answer(stream, &log, &*handle));
        }
    });
}

fn answer(
    stream: TcpStream,
    log: &Log,
    handle: &dyn Fn(&str, Option<&str>) -> Reply,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let auth = headers.get("authorization").map(String::as_str);
        log.lock().unwrap().push((path.clone(), auth.is_some()));
        let r = handle(&path, auth);
        let reason = match r.status {
            200 => "OK",
            307 => "Temporary Redirect",
            401 => "Unauthorized",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Other",
        };
        write!(out, "HTTP/1.1 {} {reason}\r\n", r.status)?;
        for (k, v) in &r.headers {
            write!(out, "{k}: {v}\r\n")?;
        }
        let body: &[u8] = if method == "HEAD" { &[] } else { &r.body };
        write!(out, "Content-Length: {}\r\n\r\n", r.body.len())?;
        out.write_all(body)?;
        out.flush()?;
    }
}

/// The CDN: another loopback address when the system has one, else another port.
fn cdn_listener() -> TcpListener {
    TcpListener::bind("127.0.0.2:0").unwrap_or_else(|_| TcpListener::bind("127.0.0.1:0").unwrap())
}

#[test]
fn no_authorization_header_follows_a_redirect_to_another_host() {
    let image = ImageBuilder::new("app:1")
        .layer(LayerBuilder::new("COPY hello /").file("hello", b"hello from the CDN\n"));
    let files: HashMap<String, Vec<u8>> = image.oci_files().into_iter().collect();
    let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
    let manifest_digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let blob = |d: &str| files[&format!("blobs/sha256/{}", &d[7..])].clone();
    let manifest_bytes = blob(&manifest_digest);
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes).unwrap();
    let config_digest = manifest["config"]["digest"].as_str().unwrap().to_string();
    let layer_digest = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let (config, layer) = (blob(&config_digest), blob(&layer_digest));

    let registry = TcpListener::bind("127.0.0.1:0").unwrap();
    let reg_addr = registry.local_addr().unwrap();
    let cdn = cdn_listener();
    let cdn_addr = cdn.local_addr().unwrap();
    let (reg_log, cdn_log): (Log, Log) = Default::default();

    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:secret")
    );
    let layer_path = format!("/v2/app/blobs/{layer_digest}");
    let config_path = format!("/v2/app/blobs/{config_digest}");
    serve(registry, reg_log.clone(), move |path, auth| {
        if auth != Some(good.as_str()) {
            return reply(401, &[("WWW-Authenticate", "Basic realm=\"test\"")], b"");
        }
        match path {
            "/v2/" => reply(200, &[], b"{}"),
            "/v2/app/manifests/1" => reply(
                200,
                &[
                    ("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                    ("Docker-Content-Digest", &manifest_digest),
                ],
                &manifest_bytes,
            ),
            p if p == config_path => reply(200, &[], &config),
            p if p == layer_path => reply(
                307,
                &[(
                    "Location",
                    &format!("http://{cdn_addr}/cdn/{}", &layer_digest[7..]),
                )],
                b"",
            ),
            _ => reply(404, &[], b""),
        }
    });
    serve(cdn, cdn_log.clone(), move |_, _| reply(200, &[], &layer));

    let t = Isolated::new();
    let report = t
        .run(&[
            &format!("docker://{reg_addr}/app:1"),
            "--json",
            "--username",
            "user",
            "--password-stdin",
        ])
        .stdin("secret\n")
        .json();
    assert_eq!(report["layers"][0]["entries"], 1);
    let reg_log = reg_log.lock().unwrap();
    assert!(
        reg_log
            .iter()
            .any(|(p, auth)| p.contains("/blobs/sha256:") && *auth),
        "the registry got the blob request with credentials: {reg_log:?}"
    );
    let cdn_log = cdn_log.lock().unwrap();
    assert!(!cdn_log.is_empty(), "the blob came from the CDN");
    assert!(
        cdn_log.iter().all(|(_, auth)| !auth),
        "no Authorization header reached the other host: {cdn_log:?}"
    );
}

#[test]
fn a_rate_limit_says_when_to_retry() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    serve(listener, Log::default(), |_, _| {
        reply(
            429,
            &[
                ("Retry-After", "120"),
                ("ratelimit-limit", "100;w=21600"),
                ("Content-Type", "application/json"),
            ],
            br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#,
        )
    });
    let t = Isolated::new();
    let line = t.run(&[&format!("docker://{addr}/app:1")]).fails();
    assert!(line.contains("rate limiting"), "{line}");
    assert!(line.contains("limit 100 per 6 h"), "{line}");
    assert!(line.contains("retry in 2 min"), "{line}");
}

#[test]
fn a_forbidden_repository_is_one_clear_line() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    serve(listener, Log::default(), |path, _| {
        if path == "/v2/" {
            return reply(200, &[("Content-Type", "application/json")], b"{}");
        }
        reply(
            403,
            &[("Content-Type", "application/json")],
            br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
        )
    });
    let t = Isolated::new();
    let line = t.run(&[&format!("docker://{addr}/secret/app:1")]).fails();
    assert!(
        line.contains(&format!("registry {addr} denied access (403 forbidden)")),
        "{line}"
    );
    assert!(
        line.contains("requested access to the resource is denied"),
        "{line}"
    );
}
