//! The image export from an engine's unix socket, against a fake engine in the test (no
//! dockerd needed): the whole stream scans like the archive it is; a stream cut short, or
//! an engine that refuses, is one clear line and exit 2, never a hang.

use microscope::demo::builder::{ImageBuilder, LayerBuilder, sha256};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the fake engine answers the export request.
#[derive(Clone)]
enum Export {
    /// The first `n` bytes of the archive, chunked as dockerd does (32 KiB), then the last
    /// chunk (when `n` is the whole archive) or a closed connection.
    Bytes(usize),
    /// A status and a JSON message.
    Refuse(u16, &'static str),
}

fn image() -> ImageBuilder {
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
    ImageBuilder::new("fake:1")
        .layer(LayerBuilder::new("base").file("etc/os-release", b"ID=fake\n"))
        .layer(
            LayerBuilder::new("data")
                .file("data/big", &big)
                .file("data/small", b"x"),
        )
}

fn answer(s: &mut UnixStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body)
}

fn export(s: &mut UnixStream, how: &Export, archive: &[u8]) -> std::io::Result<()> {
    let n = match how {
        Export::Refuse(code, msg) => {
            return answer(s, *code, format!("{{\"message\":\"{msg}\"}}").as_bytes());
        }
        Export::Bytes(n) => *n,
    };
    s.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n",
    )?;
    for c in archive[..n].chunks(32 * 1024) {
        s.write_all(format!("{:x}\r\n", c.len()).as_bytes())?;
        s.write_all(c)?;
        s.write_all(b"\r\n")?;
    }
    if n == archive.len() {
        s.write_all(b"0\r\n\r\n")?;
    }
    Ok(())
}

/// The paths the fake engine was asked for, in order.
type Asked = Arc<Mutex<Vec<String>>>;

/// One connection: requests answered in turn until the client closes or the export is sent.
fn serve(
    mut s: UnixStream,
    how: &Export,
    archive: &[u8],
    inspect: &[u8],
    asked: &Asked,
) -> std::io::Result<()> {
    loop {
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if s.read(&mut b)? == 0 {
                return Ok(());
            }
            head.push(b[0]);
        }
        let line = String::from_utf8_lossy(&head);
        let path = line.split(' ').nth(1).unwrap_or("").to_string();
        asked.lock().unwrap().push(path.clone());
        // As dockerd 20.10 does: a client that names a newer API than 1.41 is refused.
        let minor = path
            .strip_prefix("/v1.")
            .and_then(|p| p.split('/').next())
            .and_then(|m| m.parse::<u32>().ok());
        if minor.is_some_and(|m| m > 41) {
            let msg = br#"{"message":"client version is too new. Maximum supported API version is 1.41"}"#;
            answer(&mut s, 400, msg)?;
        } else if path.ends_with("/version") {
            answer(
                &mut s,
                200,
                br#"{"ApiVersion":"1.41","MinAPIVersion":"1.12","Version":"20.10.24"}"#,
            )?;
        } else if path.ends_with("/fake:1/json") {
            answer(&mut s, 200, inspect)?;
        } else if path.ends_with("/fake:1/history") {
            answer(&mut s, 200, b"[]")?;
        } else if path.ends_with("/fake:1/get") {
            return export(&mut s, how, archive);
        } else {
            answer(&mut s, 404, br#"{"message":"no such thing"}"#)?;
        }
    }
}

/// Starts a fake engine on a socket in `dir`; its `DOCKER_HOST`.
fn fake_engine(dir: &Path, how: Export) -> String {
    fake_engine_asked(dir, how).0
}

/// [`fake_engine`], and the paths it is asked for.
fn fake_engine_asked(dir: &Path, how: Export) -> (String, Asked) {
    let img = image();
    let archive = img.docker_archive();
    let config: serde_json::Value = serde_json::from_slice(&img.config_json()).unwrap();
    let inspect = serde_json::json!({
        "Id": sha256(&img.config_json()),
        "RepoTags": ["fake:1"],
        "Os": "linux",
        "Architecture": "amd64",
        "RootFS": {"Type": "layers", "Layers": config["rootfs"]["diff_ids"]},
    });
    let inspect = serde_json::to_vec(&inspect).unwrap();
    let how = match how {
        Export::Bytes(usize::MAX) => Export::Bytes(archive.len()),
        other => other,
    };
    let sock = dir.join("engine.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let asked = Asked::default();
    let log = asked.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let (how, archive, inspect) = (how.clone(), archive.clone(), inspect.clone());
            let asked = asked.clone();
            std::thread::spawn(move || serve(s, &how, &archive, &inspect, &asked));
        }
    });
    (format!("unix://{}", sock.display()), log)
}

/// The binary against the engine at `host`, killed (and the test failed) after 60 s.
fn run(dir: &Path, host: &str, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(args)
        .env("DOCKER_HOST", host)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("microscope hangs on the export");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

const ARGS: [&str; 4] = [
    "docker-daemon:fake:1",
    "--json",
    "--no-cache",
    "--daemon-read=export",
];

#[test]
fn the_whole_export_scans_like_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let host = fake_engine(dir.path(), Export::Bytes(usize::MAX));
    let o = run(dir.path(), &host, &ARGS);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let mut live: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let archive = dir.path().join("fake.tar");
    std::fs::write(&archive, image().docker_archive()).unwrap();
    let path = archive.display().to_string();
    let o = run(dir.path(), &host, &[&path, "--json", "--no-cache"]);
    let mut file: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(live["layers"].as_array().map(Vec::len), Some(2));
    // The fake engine gives no history, so no layer commands.
    for report in [&mut live, &mut file] {
        for layer in report["layers"].as_array_mut().unwrap() {
            layer.as_object_mut().unwrap().remove("command");
        }
    }
    for key in ["size", "layers", "efficiency", "wasted_bytes"] {
        assert_eq!(live[key], file[key], "{key}");
    }
}

fn one_error_line(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("layers from the engine's image export"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    lines[0].to_string()
}

#[test]
fn an_export_cut_short_is_one_line_and_exit_2() {
    let len = image().docker_archive().len();
    // In the middle of the big file, then in the outer tar's own headers.
    for cut in [len / 2, 1000] {
        let dir = tempfile::tempdir().unwrap();
        let host = fake_engine(dir.path(), Export::Bytes(cut));
        let line = one_error_line(&run(dir.path(), &host, &ARGS));
        assert!(
            line.contains("the image export from the Docker engine"),
            "{line}"
        );
        assert!(line.contains("closed the connection"), "{line}");
    }
}

#[test]
fn an_engine_that_refuses_the_export_is_one_line_with_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let host = fake_engine(
        dir.path(),
        Export::Refuse(500, "open /var/lib/docker/x: no space left"),
    );
    let line = one_error_line(&run(dir.path(), &host, &ARGS));
    assert!(
        line.contains("the engine answered 500: open /var/lib/docker/x: no space left"),
        "{line}"
    );
}

/// The export names the API version the engine agreed to (the fake refuses a newer one, as
/// dockerd 20.10 does), and only the export asks for it: a warm run, whose report is kept,
/// asks for inspect and history and nothing else, at once.
#[test]
fn only_the_export_waits_for_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let (host, asked) = fake_engine_asked(dir.path(), Export::Bytes(usize::MAX));
    let args = ["docker-daemon:fake:1", "--json", "--daemon-read=export"];
    let cold = run(dir.path(), &host, &args);
    assert!(
        cold.status.success(),
        "{}",
        String::from_utf8_lossy(&cold.stderr)
    );
    let mut paths = std::mem::take(&mut *asked.lock().unwrap());
    let tail = paths.split_off(2);
    paths.sort();
    assert_eq!(paths, ["/images/fake:1/history", "/images/fake:1/json"]);
    assert_eq!(tail, ["/version", "/v1.41/images/fake:1/get"]);

    let warm = run(dir.path(), &host, &args);
    assert!(
        warm.status.success(),
        "{}",
        String::from_utf8_lossy(&warm.stderr)
    );
    assert_eq!(warm.stdout, cold.stdout);
    let mut paths = std::mem::take(&mut *asked.lock().unwrap());
    paths.sort();
    assert_eq!(paths, ["/images/fake:1/history", "/images/fake:1/json"]);
}
