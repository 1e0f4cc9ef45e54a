use super::*;
use std::os::unix::net::{UnixListener, UnixStream};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Gives its bytes `step` at a time, as a socket may.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn chunked(payload: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut out =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    let mut rest = payload;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        out.extend_from_slice(&rest[..n]);
        out.extend_from_slice(b"\r\n");
        rest = &rest[n..];
        i += 1;
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn read_all(data: &[u8], step: usize, read_size: usize) -> io::Result<Vec<u8>> {
    let mut body = response(Trickle { data, step })?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; read_size];
    loop {
        match body.read(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn a_chunked_body_decodes_whatever_the_socket_and_reader_sizes() -> TestResult {
    let payload: Vec<u8> = (0..700_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let wire = chunked(&payload, &[32768, 1, 30000, 5]);
    for step in [1, 7, 4096, BUF, usize::MAX] {
        for read_size in [1, 512, 512 * 1024] {
            if step == 1 && read_size == 1 {
                continue; // 3.5 M calls for nothing new
            }
            let got = read_all(&wire, step, read_size)?;
            assert!(got == payload, "step {step}, reads of {read_size}");
        }
    }
    Ok(())
}

#[test]
fn a_body_of_known_length_or_up_to_the_close_is_read_whole() -> TestResult {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloIGNORED";
    assert_eq!(read_all(wire, 3, 64)?, b"hello");
    let wire = b"HTTP/1.0 200 OK\r\n\r\nuntil the end";
    assert_eq!(read_all(wire, 3, 64)?, b"until the end");
    Ok(())
}

#[test]
fn a_connection_closed_mid_chunk_is_an_error_not_an_end() {
    let wire = chunked(&[9u8; 100_000], &[32768]);
    for cut in [50, 120, wire.len() - 3, wire.len() - 30_000] {
        let e = read_all(&wire[..cut], 4096, 65536).unwrap_err();
        assert!(
            matches!(e.kind(), io::ErrorKind::UnexpectedEof),
            "cut at {cut}: {e}"
        );
    }
}

#[test]
fn bad_framing_is_an_error() {
    let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for body in ["zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n"] {
        let wire = format!("{head}{body}");
        let e = read_all(wire.as_bytes(), 64, 64).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{body:?}: {e}");
    }
    let long = format!("{head}{}", "1".repeat(MAX_LINE + 10));
    let e = read_all(long.as_bytes(), 64, 64).unwrap_err();
    assert!(e.to_string().contains("too long"), "{e}");
    let e = read_all(&vec![b'x'; MAX_HEAD + 10], 4096, 64).unwrap_err();
    assert!(e.to_string().contains("too long"), "{e}");
}

#[test]
fn a_refusal_is_one_line_with_the_engines_message() {
    let wire = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2c\r\n{\"message\":\"reference does not exist\\nmore\"}\r\n0\r\n\r\n";
    let e = read_all(wire, 5, 64).unwrap_err().to_string();
    assert_eq!(e, "the engine answered 404: reference does not exist");
    let wire = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 9\r\n\r\nboom\x1b[2J";
    let e = read_all(wire, 5, 64).unwrap_err().to_string();
    assert_eq!(e, "the engine answered 500: boom[2J");
}

#[test]
fn names_are_sent_as_one_path() {
    assert_eq!(encode("registry:5000/a/b:v1"), "registry:5000/a/b:v1");
    assert_eq!(encode("a b?#%"), "a%20b%3F%23%25");
}

/// The socket's directory (removed when dropped), its path, and the engine's thread.
type Engine<T> = (
    tempfile::TempDir,
    String,
    std::thread::JoinHandle<io::Result<T>>,
);

/// A fake engine on a socket in a fresh directory: `serve` answers its one connection on a
/// thread of its own. The directory lives as long as the returned guard.
fn engine<T: Send + 'static>(
    serve: impl FnOnce(UnixStream) -> io::Result<T> + Send + 'static,
) -> Result<Engine<T>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("engine.sock");
    let listener = UnixListener::bind(&path)?;
    let server = std::thread::spawn(move || serve(listener.accept()?.0));
    let path = path.to_str().ok_or("a UTF-8 socket path")?.to_string();
    Ok((dir, path, server))
}

/// Against a listening socket: the request line the engine sees, and its body.
#[test]
fn open_asks_for_the_export_and_reads_its_body() -> TestResult {
    let (_dir, path, server) = engine(|mut s| {
        let mut req = Vec::new();
        let mut b = [0u8; 1];
        while !req.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut b)?;
            req.push(b[0]);
        }
        s.write_all(&chunked(b"tar bytes", &[4]))?;
        Ok(String::from_utf8_lossy(&req).into_owned())
    })?;
    let mut body = open(&path, "1.41", "fat:latest", 5)?;
    let mut got = Vec::new();
    body.read_to_end(&mut got)?;
    assert_eq!(got, b"tar bytes");
    let req = server.join().map_err(|_| "the engine thread panicked")??;
    assert!(
        req.starts_with("GET /v1.41/images/fat:latest/get HTTP/1.1\r\n"),
        "{req}"
    );
    Ok(())
}

/// An engine that accepts and never answers: the read times out with words, not a hang.
#[test]
fn a_silent_engine_times_out_with_words() -> TestResult {
    let (_dir, path, server) = engine(|s| {
        std::thread::sleep(Duration::from_secs(3));
        drop(s);
        Ok(())
    })?;
    let e = open(&path, "1.41", "x:1", 1)
        .err()
        .ok_or("no answer is an error")?;
    assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
    assert!(e.to_string().contains("sent nothing"), "{e}");
    server.join().map_err(|_| "the engine thread panicked")??;
    Ok(())
}
