//! A layer's tar rebuilt from its tar-split record and its files, byte for byte as the
//! engine's export would give it (moby's `asm.NewOutputTarStream`).
//!
//! The record (`tar-split.json.gz`) is one JSON object a line: type 2, a raw segment of the
//! tar (headers, padding, the end blocks) whose `payload` is the bytes in base64; type 1, a
//! file's contents, to be read from the layer's directory by `name` (or base64 `name_raw`
//! for a name that is not UTF-8), `size` bytes whose CRC-64 (ISO polynomial, as Go's
//! `hash/crc64` computes it) is the 8-byte `payload`. The loader hashes the result: its
//! sha256 must be the layer's diff_id, so whatever is not checked here is checked there.

use super::within::Within;
use base64::Engine;
use crc::{Crc, Digest, Table};
use serde::Deserialize;
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, Read};

/// Longest record line read: a segment holds a header or two and padding (a PAX header
/// with large extended attributes is the biggest seen); longer is refused, not buffered.
pub(super) const MAX_LINE: u64 = 8 << 20;

/// Go's `crc64.MakeTable(crc64.ISO)` with its inverted start and end.
static CRC64: Crc<u64, Table<16>> = Crc::<u64, Table<16>>::new(&crc::CRC_64_GO_ISO);

const FILE: u8 = 1;
const SEGMENT: u8 = 2;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    name_raw: Option<Cow<'a, str>>,
    #[serde(default)]
    size: i64,
    #[serde(default, borrow)]
    payload: Option<Cow<'a, str>>,
}

/// A file's contents being copied out.
struct Contents {
    file: File,
    left: u64,
    crc: Digest<'static, u64, Table<16>>,
    expected: Option<u64>,
    name: String,
}

pub(super) struct Rebuilt<R> {
    record: R,
    files: Within,
    line: Vec<u8>,
    segment: Vec<u8>,
    at: usize,
    contents: Option<Contents>,
    done: bool,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// A record that does not decode, its decoder's error kept as the cause (an `io::Error`
/// carries it to the scan, which reports the layer corrupt with the whole chain).
#[derive(Debug, thiserror::Error)]
enum RecordError {
    #[error("a tar-split record line does not parse")]
    Line(#[source] serde_json::Error),
    #[error("a tar-split segment is not base64")]
    Segment(#[source] base64::DecodeError),
    #[error("a tar-split name is not base64")]
    Name(#[source] base64::DecodeError),
    /// The file the record names could not be opened under the layer's directory.
    #[error("{name:?}")]
    Open {
        name: String,
        #[source]
        source: io::Error,
    },
}

impl From<RecordError> for io::Error {
    fn from(e: RecordError) -> io::Error {
        let kind = match &e {
            RecordError::Open { source, .. } => source.kind(),
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

impl<R: BufRead> Rebuilt<R> {
    pub(super) fn new(record: R, files: Within) -> Self {
        Rebuilt {
            record,
            files,
            line: Vec::new(),
            segment: Vec::new(),
            at: 0,
            contents: None,
            done: false,
        }
    }

    /// Reads the next record line into the segment buffer or the file being copied.
    fn next_entry(&mut self) -> io::Result<()> {
        self.line.clear();
        let n = (&mut self.record)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut self.line)?;
        if n == 0 {
            self.done = true;
            return Ok(());
        }
        if n as u64 > MAX_LINE {
            return Err(invalid(format!(
                "a tar-split record line is longer than {} MiB",
                MAX_LINE >> 20
            )));
        }
        let line = std::mem::take(&mut self.line);
        let result = self.entry(&line);
        self.line = line;
        result
    }

    fn entry(&mut self, line: &[u8]) -> io::Result<()> {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return Ok(());
        }
        let e: Entry<'_> = serde_json::from_slice(trimmed).map_err(RecordError::Line)?;
        let b64 = base64::engine::general_purpose::STANDARD;
        match e.kind {
            SEGMENT => {
                self.segment.clear();
                self.at = 0;
                if let Some(p) = &e.payload {
                    b64.decode_vec(p.as_bytes(), &mut self.segment)
                        .map_err(RecordError::Segment)?;
                }
                Ok(())
            }
            FILE if e.size == 0 => Ok(()),
            FILE => self.start_file(&e),
            k => Err(invalid(format!("a tar-split record of unknown type {k}"))),
        }
    }

    /// Opens the file an entry names and checks its size against the record's.
    fn start_file(&mut self, e: &Entry<'_>) -> io::Result<()> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let name: Vec<u8> = match (&e.name_raw, &e.name) {
            (Some(raw), _) if !raw.is_empty() => {
                b64.decode(raw.as_bytes()).map_err(RecordError::Name)?
            }
            (_, Some(n)) => n.as_bytes().to_vec(),
            _ => return Err(invalid("a tar-split file entry has no name".into())),
        };
        let shown = String::from_utf8_lossy(&name).into_owned();
        let size = u64::try_from(e.size).map_err(|_| {
            invalid(format!(
                "{shown:?}: the tar-split record gives a negative size"
            ))
        })?;
        let file = self
            .files
            .open_file(&name)
            .map_err(|source| RecordError::Open {
                name: shown.clone(),
                source,
            })?;
        let actual = file.metadata()?.len();
        if actual != size {
            return Err(invalid(format!(
                "{shown:?} holds {actual} bytes where the tar-split record says {size}"
            )));
        }
        let expected = e
            .payload
            .as_ref()
            .and_then(|p| b64.decode(p.as_bytes()).ok())
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map(u64::from_be_bytes);
        self.contents = Some(Contents {
            file,
            left: size,
            crc: CRC64.digest(),
            expected,
            name: shown,
        });
        Ok(())
    }

    /// Copies from the file being read; None once it is all out (and its CRC-64 holds).
    fn copy_file(&mut self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        let c = self.contents.as_mut()?;
        if c.left == 0 {
            let c = self.contents.take()?;
            let actual = c.crc.finalize();
            return match c.expected {
                Some(want) if want != actual => Some(Err(invalid(format!(
                    "{:?} differs from what the layer held (CRC-64 {actual:016x}, the tar-split record says {want:016x})",
                    c.name
                )))),
                _ => None,
            };
        }
        let room = buf.len().min(usize::try_from(c.left).unwrap_or(usize::MAX));
        Some(match c.file.read(&mut buf[..room]) {
            Ok(0) => Err(invalid(format!(
                "{:?} ends {} bytes early (changed while it was read)",
                c.name, c.left
            ))),
            Ok(n) => {
                c.crc.update(&buf[..n]);
                c.left -= n as u64;
                Ok(n)
            }
            Err(e) => Err(e),
        })
    }
}

impl<R: BufRead> Read for Rebuilt<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.at < self.segment.len() {
                let n = buf.len().min(self.segment.len() - self.at);
                buf[..n].copy_from_slice(&self.segment[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if let Some(r) = self.copy_file(buf) {
                return r;
            }
            if self.done {
                return Ok(0);
            }
            self.next_entry()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn record(lines: &[String]) -> io::Cursor<Vec<u8>> {
        io::Cursor::new(lines.join("\n").into_bytes())
    }

    fn seg(bytes: &[u8]) -> String {
        let b = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!(r#"{{"type":2,"payload":"{b}","position":0}}"#)
    }

    fn file(name: &str, body: &[u8]) -> String {
        let crc = CRC64.checksum(body).to_be_bytes();
        let b = base64::engine::general_purpose::STANDARD.encode(crc);
        let size = body.len();
        format!(r#"{{"type":1,"name":"{name}","size":{size},"payload":"{b}","position":1}}"#)
    }

    fn rebuild(dir: &std::path::Path, lines: &[String]) -> io::Result<Vec<u8>> {
        let mut r = Rebuilt::new(record(lines), Within::open(dir)?);
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn crc64_is_gos_iso() {
        // Go: crc64.Checksum([]byte("123456789"), crc64.MakeTable(crc64.ISO))
        assert_eq!(CRC64.checksum(b"123456789"), 0xb909_56c7_75a4_1001);
    }

    #[test]
    fn segments_and_files_in_order() -> TestResult {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("etc"))?;
        std::fs::write(dir.path().join("etc/hosts"), b"hello")?;
        let lines = [seg(b"HDR"), file("etc/hosts", b"hello"), seg(b"PAD")];
        assert_eq!(rebuild(dir.path(), &lines)?, b"HDRhelloPAD");
        Ok(())
    }

    #[test]
    fn a_changed_file_fails() -> TestResult {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("f"), b"hellO")?;
        let err = rebuild(dir.path(), &[file("f", b"hello")])
            .err()
            .ok_or("expected an error")?;
        assert!(err.to_string().contains("CRC-64"), "{err}");
        std::fs::write(dir.path().join("f"), b"hello!")?;
        let err = rebuild(dir.path(), &[file("f", b"hello")])
            .err()
            .ok_or("expected an error")?;
        assert!(err.to_string().contains("holds 6 bytes"), "{err}");
        Ok(())
    }

    #[test]
    fn bad_records_fail() -> TestResult {
        let dir = tempfile::tempdir()?;
        let why = |lines: &[String]| match rebuild(dir.path(), lines) {
            Ok(_) => String::from("no error"),
            Err(e) => crate::error::one_line(&e),
        };
        let e = why(&["{".into()]);
        assert!(e.contains("a tar-split record line does not parse"), "{e}");
        let e = why(&[r#"{"type":7,"position":0}"#.into()]);
        assert!(e.contains("a tar-split record of unknown type 7"), "{e}");
        let e = why(&[file("../x", b"a")]);
        assert!(e.contains("is not a path under the layer"), "{e}");
        let long = format!("{}{}", seg(b""), " ".repeat(MAX_LINE as usize));
        let err = rebuild(dir.path(), &[long])
            .err()
            .ok_or("expected an error")?;
        assert!(err.to_string().contains("longer than"), "{err}");
        Ok(())
    }
}
