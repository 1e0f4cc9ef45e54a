//! The image export read straight from a local engine's unix socket, on the thread that
//! walks it: one blocking HTTP/1.1 request, its chunked body decoded in a buffer that is
//! allocated once.
//!
//! Through bollard (hyper on a tokio runtime, bridged to a blocking reader) every ~200 KiB
//! the socket gave crossed two threads and a fresh allocation: on fat:latest that was a
//! third of microscope's CPU during the export (futex and eventfd wake-ups, page faults on
//! the new buffers, one more copy), taken from the engine, which needs the same two cores
//! to assemble the stream. A `tcp://` engine still goes through bollard.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bytes asked of the socket at once (the engine writes 32 KiB chunks; a local socket
/// holds a few hundred KiB).
const BUF: usize = 256 * 1024;
/// Longest response head, and longest chunk-size or trailer line, we read.
const MAX_HEAD: usize = 64 * 1024;
const MAX_LINE: usize = 4096;
/// Longest error body we keep for the message.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Where the body's framing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a chunk-size line.
    Size,
    /// Bytes of the current chunk (or of a `Content-Length` body) still to come.
    Data(u64),
    /// The CRLF after a chunk's data.
    AfterData,
    /// Trailer lines after the last chunk, up to an empty one.
    Trailer,
    /// A body without length or chunks: it ends when the engine closes.
    ToEof,
    Done,
}

/// A response body, chunked or not, over `R` (the socket; a byte slice in tests).
pub struct Body<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    state: State,
    chunked: bool,
    failed: Failure,
}

/// The first error the body gave, kept for its reader's owner: the walk reports a stream
/// cut short as a truncated layer, and the user should hear that the engine stopped.
#[derive(Clone, Default)]
pub struct Failure(Arc<Mutex<Option<(io::ErrorKind, String)>>>);

impl Failure {
    pub fn take(&self) -> Option<io::Error> {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        held.take().map(|(kind, m)| io::Error::new(kind, m))
    }

    fn keep(&self, e: &io::Error) {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        held.get_or_insert_with(|| (e.kind(), e.to_string()));
    }
}

/// Sends `GET /v<version>/images/<name>/get` to the engine at `path` and returns its body,
/// or the engine's refusal as an error (status and message).
pub fn open(path: &str, version: &str, name: &str, timeout: u64) -> io::Result<Body<UnixStream>> {
    let mut sock = UnixStream::connect(path)?;
    // A stall bound, as bollard's request timeout was: the engine writes the whole export
    // to its own disk before the first byte (20-30 s for a 3 GB image here).
    sock.set_read_timeout(Some(Duration::from_secs(timeout)))?;
    sock.set_write_timeout(Some(Duration::from_secs(timeout)))?;
    let request = format!(
        "GET /v{version}/images/{}/get HTTP/1.1\r\nHost: localhost\r\nUser-Agent: microscope/{}\r\nConnection: close\r\n\r\n",
        encode(name),
        env!("CARGO_PKG_VERSION")
    );
    sock.write_all(request.as_bytes())?;
    response(sock)
}

/// Percent-encodes what a path segment may not hold as is (a reference's `/`, `:` and `@`
/// may stay: the engine's route takes the rest of the path as the name).
fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads the response head; a 2xx gives its body, anything else the engine's message.
pub fn response<R: Read>(inner: R) -> io::Result<Body<R>> {
    let mut body = Body {
        inner,
        buf: vec![0u8; BUF].into_boxed_slice(),
        pos: 0,
        end: 0,
        state: State::ToEof,
        chunked: false,
        failed: Failure::default(),
    };
    let head_len = loop {
        if let Some(i) = memchr::memmem::find(&body.buf[..body.end], b"\r\n\r\n") {
            break i + 4;
        }
        if body.end >= MAX_HEAD {
            return Err(invalid("the engine's response head is too long"));
        }
        body.fill()?;
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut res = httparse::Response::new(&mut headers);
    res.parse(&body.buf[..head_len])
        .map_err(|e| invalid(&format!("the engine's response is not HTTP ({e})")))?;
    let code = res.code.unwrap_or(0);
    let header = |n: &str| {
        res.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(n))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    if header("transfer-encoding").is_some_and(|v| v.ends_with("chunked")) {
        body.chunked = true;
        body.state = State::Size;
    } else if let Some(v) = header("content-length") {
        let n = v
            .parse()
            .map_err(|_| invalid("the engine's Content-Length is not a number"))?;
        body.state = State::Data(n);
    }
    body.pos = head_len;
    if (200..300).contains(&code) {
        return Ok(body);
    }
    let mut text = Vec::new();
    // The status is the error; a body cut short only shortens its message.
    let _ = body.by_ref().take(MAX_ERROR_BODY).read_to_end(&mut text);
    Err(io::Error::other(format!(
        "the engine answered {code}: {}",
        message(&text)
    )))
}

/// The engine's `{"message": …}`, else the body's first line.
fn message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Answer {
        message: String,
    }
    let text = match serde_json::from_slice::<Answer>(body) {
        Ok(a) => a.message,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let line = text.trim().lines().next().unwrap_or("").trim();
    line.chars().filter(|c| !c.is_control()).take(500).collect()
}

fn invalid(m: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, m.to_string())
}

impl<R> Body<R> {
    /// Where the body's first error will be.
    pub fn failure(&self) -> Failure {
        self.failed.clone()
    }
}

impl<R: Read> Body<R> {
    /// Reads more of the response into the buffer; the end of the stream is an error here
    /// (only a [`State::ToEof`] body may end when the engine closes).
    fn fill(&mut self) -> io::Result<()> {
        if self.pos == self.end {
            (self.pos, self.end) = (0, 0);
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            (self.pos, self.end) = (0, self.end - self.pos);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the engine closed the connection in the middle of the export",
                    ));
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A socket's read timeout, as the system words it ("resource temporarily
                // unavailable"), said for what it is.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the engine sent nothing for too long (the read timed out)",
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The next whole line in the buffer (without its CRLF), if there is one yet.
    fn take_line(&mut self) -> io::Result<Option<(usize, usize)>> {
        let held = &self.buf[self.pos..self.end];
        match memchr::memchr(b'\n', held) {
            Some(i) => {
                let start = self.pos;
                let stop = if i > 0 && held[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                self.pos += i + 1;
                Ok(Some((start, start + stop)))
            }
            None if held.len() >= MAX_LINE => {
                Err(invalid("a chunk line of the export is too long"))
            }
            None => Ok(None),
        }
    }

    /// Moves past one framing line: a chunk size, the CRLF after a chunk, a trailer.
    fn framing(&mut self, (a, b): (usize, usize)) -> io::Result<()> {
        let line = &self.buf[a..b];
        self.state = match self.state {
            State::Size => {
                let digits = line.split(|&c| c == b';').next().unwrap_or(&[]);
                let digits = std::str::from_utf8(digits).map_err(|_| invalid("bad chunk size"))?;
                match u64::from_str_radix(digits.trim(), 16) {
                    Ok(0) => State::Trailer,
                    Ok(n) => State::Data(n),
                    Err(_) => return Err(invalid("a chunk size of the export is not a number")),
                }
            }
            State::AfterData if line.is_empty() => State::Size,
            State::AfterData => {
                return Err(invalid("a chunk of the export is longer than it said"));
            }
            State::Trailer if line.is_empty() => State::Done,
            other => other,
        };
        Ok(())
    }
}

impl<R: Read> Read for Body<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let r = self.copy_out(out);
        if let Err(e) = &r {
            self.failed.keep(e);
        }
        r
    }
}

impl<R: Read> Body<R> {
    /// Copies what the buffer holds, across chunk boundaries, and asks the socket only
    /// when nothing was copied yet.
    fn copy_out(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut copied = 0;
        while copied < out.len() {
            match self.state {
                State::Done => break,
                State::Data(0) => {
                    self.state = if self.chunked {
                        State::AfterData
                    } else {
                        State::Done
                    };
                }
                State::Data(_) | State::ToEof if self.pos == self.end => {
                    if copied > 0 {
                        break;
                    }
                    match self.fill() {
                        Err(e)
                            if self.state == State::ToEof
                                && e.kind() == io::ErrorKind::UnexpectedEof =>
                        {
                            self.state = State::Done;
                        }
                        r => r?,
                    }
                }
                State::Data(_) | State::ToEof => {
                    let left = if let State::Data(n) = self.state {
                        n
                    } else {
                        u64::MAX
                    };
                    let k = (self.end - self.pos)
                        .min(out.len() - copied)
                        .min(usize::try_from(left).unwrap_or(usize::MAX));
                    out[copied..copied + k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
                    (self.pos, copied) = (self.pos + k, copied + k);
                    if let State::Data(n) = self.state {
                        self.state = State::Data(n - k as u64);
                    }
                }
                State::Size | State::AfterData | State::Trailer => match self.take_line()? {
                    Some(line) => self.framing(line)?,
                    None if copied > 0 => break,
                    None => self.fill()?,
                },
            }
        }
        Ok(copied)
    }
}

#[cfg(test)]
#[path = "socket_export_tests.rs"]
mod tests;
