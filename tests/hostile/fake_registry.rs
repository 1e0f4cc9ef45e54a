//! A registry in the test process on 127.0.0.1 (plain HTTP, as microscope uses for
//! loopback), serving one image whose answers a test can replace: endless bodies, stalls,
//! swapped content. Each connection gets its own thread and is closed after one answer.

use crate::util::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What the image is made of, as the registry stores it.
pub struct Image {
    pub manifest: Vec<u8>,
    pub config: Vec<u8>,
    pub layer: Vec<u8>,
}

impl Image {
    pub fn digest_of(bytes: &[u8]) -> String {
        sha256(bytes)
    }

    /// One gzip layer holding `f`, a config naming its diff_id, a manifest naming both.
    pub fn new() -> Image {
        let tar = RawTar::new().file(b"f", &[b'x'; 4096]).finish();
        let layer = gzip(&tar);
        Image::with_layer(layer, sha256(&tar), |_| {})
    }

    pub fn with_layer(
        layer: Vec<u8>,
        diff_id: String,
        tweak: impl FnOnce(&mut serde_json::Value),
    ) -> Image {
        let arch = microscope::image::Platform::host().architecture;
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": arch, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }))
        .unwrap();
        let mut manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": sha256(&config), "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": sha256(&layer), "size": layer.len()}],
        });
        tweak(&mut manifest);
        Image {
            manifest: serde_json::to_vec(&manifest).unwrap(),
            config,
            layer,
        }
    }
}

/// How the registry answers one request: `(method, path)` → written to the stream. A
/// handler returning false falls through to the image's normal answer.
pub type Handler = dyn Fn(&str, &str, &mut TcpStream) -> bool + Send + Sync;

pub struct Registry {
    pub port: u16,
}

impl Registry {
    pub fn start(image: Image, special: Box<Handler>) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let image = Arc::new(image);
        let special: Arc<Handler> = Arc::from(special);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let image = image.clone();
                let special = special.clone();
                std::thread::spawn(move || {
                    let Some((method, path)) = read_request(&mut stream) else {
                        return;
                    };
                    if !special(&method, &path, &mut stream) {
                        normal(&image, &method, &path, &mut stream);
                    }
                });
            }
        });
        Registry { port }
    }

    pub fn reference(&self) -> String {
        format!("docker://127.0.0.1:{}/img:1", self.port)
    }

    /// Runs microscope on the image with `args`, with a fresh HOME (no cache, no
    /// credentials), failing the test after `limit`.
    pub fn run(&self, args: &[&str], limit: Duration) -> Outcome {
        let home = tempfile::tempdir().unwrap();
        self.run_home(args, limit, home.path())
    }

    /// [`Registry::run`] with a given HOME (and DOCKER_CONFIG), e.g. holding credentials.
    pub fn run_home(&self, args: &[&str], limit: Duration, home: &std::path::Path) -> Outcome {
        let r = self.reference();
        let mut all = vec![r.as_str(), "--json"];
        all.extend_from_slice(args);
        run_limited(
            &all,
            limit,
            home,
            &[
                ("HOME", home),
                ("XDG_CACHE_HOME", home),
                ("DOCKER_CONFIG", home),
            ],
        )
    }
}

fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut first = text.lines().next()?.split(' ');
    Some((first.next()?.to_string(), first.next()?.to_string()))
}

/// A complete answer with a Content-Length.
pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// A 200 whose body never ends (no length; bytes until the client hangs up).
pub fn endless(stream: &mut TcpStream, content_type: &str) {
    endless_answer(stream, "200 OK", content_type);
}

/// An answer with `status` whose body never ends.
pub fn endless_answer(stream: &mut TcpStream, status: &str, content_type: &str) {
    let head =
        format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(head.as_bytes());
    let chunk = vec![b' '; 64 << 10];
    while stream.write_all(&chunk).is_ok() {}
}

pub fn normal(image: &Image, method: &str, path: &str, stream: &mut TcpStream) {
    let body = |b: &[u8]| {
        if method == "HEAD" {
            Vec::new()
        } else {
            b.to_vec()
        }
    };
    if path == "/v2/" {
        return respond(stream, "200 OK", &[], b"{}");
    }
    if path.starts_with("/v2/img/manifests/") {
        let digest = sha256(&image.manifest);
        let ct = "application/vnd.oci.image.manifest.v1+json";
        let headers = [
            ("Content-Type", ct),
            ("Docker-Content-Digest", digest.as_str()),
        ];
        return respond(stream, "200 OK", &headers, &body(&image.manifest));
    }
    if let Some(d) = path.strip_prefix("/v2/img/blobs/") {
        for blob in [&image.config, &image.layer] {
            if d == sha256(blob) {
                return respond(stream, "200 OK", &[], &body(blob));
            }
        }
    }
    respond(
        stream,
        "404 Not Found",
        &[],
        b"{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}",
    );
}

/// A registry that asks for a token at `realm_host` on its own port's `/token`, answered by
/// `token`: as a real one does, it challenges `/v2/` and, until a token was handed out, the
/// manifest (microscope asks for the manifest first and for `/v2/` only by digest).
pub fn token_server(realm_host: &'static str, token: fn(&mut TcpStream)) -> Registry {
    use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
    let port = Arc::new(AtomicU16::new(0));
    let granted = Arc::new(AtomicBool::new(false));
    let p = port.clone();
    let reg = Registry::start(
        Image::new(),
        Box::new(move |m, path, s| {
            let manifest = path.starts_with("/v2/img/manifests/");
            if m == "GET" && (path == "/v2/" || (manifest && !granted.load(Ordering::Relaxed))) {
                let realm = format!(
                    "Bearer realm=\"http://{realm_host}:{}/token\",service=\"fake\"",
                    p.load(Ordering::Relaxed)
                );
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
                token(s);
                return true;
            }
            false
        }),
    );
    port.store(reg.port, Ordering::Relaxed);
    reg
}
