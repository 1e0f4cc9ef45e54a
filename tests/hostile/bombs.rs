//! Layers that are small as stored and huge when read: built cheaply (a compressed member
//! repeated, or a `Read` that synthesises the tar), scanned as a stream.

use crate::util::{BLOCK, gzip, header};
use std::io::{self, Read};

/// Bytes of zeros one repeated gzip member expands to.
const CHUNK: u64 = 64 << 20;

fn gzip_zeros_member() -> &'static [u8] {
    static MEMBER: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    MEMBER.get_or_init(|| {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(CHUNK >> 20) {
            gz.write_all(&zeros).unwrap();
        }
        gz.finish().unwrap()
    })
}

/// A multi-member gzip layer: a tar member `name` (of `kind`) declaring `chunks` × 64 MiB
/// of zeros. About 1000:1, so 1 GiB is stored in about 1 MB.
pub fn gzip_bomb(name: &[u8], kind: tar::EntryType, chunks: u64) -> Vec<u8> {
    let size = chunks * CHUNK;
    let mut out = gzip(header(name, kind, size).as_bytes());
    for _ in 0..chunks {
        out.extend_from_slice(gzip_zeros_member());
    }
    out.extend(gzip(&[0u8; 2 * BLOCK]));
    out
}

/// Several files of `chunks` × 64 MiB zeros each, in one multi-member gzip layer.
pub fn gzip_files(names: &[String], chunks: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for n in names {
        out.extend(gzip(
            header(n.as_bytes(), tar::EntryType::Regular, chunks * CHUNK).as_bytes(),
        ));
        for _ in 0..chunks {
            out.extend_from_slice(gzip_zeros_member());
        }
    }
    out.extend(gzip(&[0u8; 2 * BLOCK]));
    out
}

/// A plain layer tar holding one `size`-byte file, produced on the fly: never in memory.
pub struct SynthTar {
    head: Vec<u8>,
    pattern: Vec<u8>,
    size: u64,
    pos: u64,
    total: u64,
}

impl SynthTar {
    pub fn new(size: u64) -> SynthTar {
        let head = header(b"big.bin", tar::EntryType::Regular, size)
            .as_bytes()
            .to_vec();
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        SynthTar {
            head,
            // Not all zeros, so nothing downstream can shortcut it.
            pattern: (0..65_536u32).map(|i| (i % 251) as u8).collect(),
            size,
            pos: 0,
            total: BLOCK as u64 + padded + 2 * BLOCK as u64,
        }
    }
}

impl Read for SynthTar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.total - self.pos) as usize;
        let mut done = 0;
        while done < n {
            let at = self.pos;
            let dst = &mut buf[done..n];
            let data_end = BLOCK as u64 + self.size;
            let k = if at < BLOCK as u64 {
                let src = &self.head[at as usize..];
                let k = src.len().min(dst.len());
                dst[..k].copy_from_slice(&src[..k]);
                k
            } else if at < data_end {
                let src = &self.pattern[((at - BLOCK as u64) % 65_536) as usize..];
                let k = src.len().min(dst.len()).min((data_end - at) as usize);
                dst[..k].copy_from_slice(&src[..k]);
                k
            } else {
                dst.fill(0);
                dst.len()
            };
            self.pos += k as u64;
            done += k;
        }
        Ok(n)
    }
}

/// A plain layer tar of `count` entries produced on the fly: a directory every 1000 entries
/// and 8-byte files with distinct contents under it, with realistic path lengths.
pub struct EntriesTar {
    count: u64,
    next: u64,
    buf: Vec<u8>,
    at: usize,
    ended: bool,
}

impl EntriesTar {
    pub fn new(count: u64) -> EntriesTar {
        EntriesTar {
            count,
            next: 0,
            buf: Vec::new(),
            at: 0,
            ended: false,
        }
    }

    fn refill(&mut self) {
        self.buf.clear();
        self.at = 0;
        if self.next >= self.count {
            if !self.ended {
                self.ended = true;
                self.buf.resize(2 * BLOCK, 0);
            }
            return;
        }
        let i = self.next;
        self.next += 1;
        let dir = format!("usr/share/package-{:05}", i / 1000);
        if i.is_multiple_of(1000) {
            self.buf
                .extend_from_slice(header(dir.as_bytes(), tar::EntryType::Directory, 0).as_bytes());
        } else {
            let name = format!("{dir}/file-{i:07}.dat");
            self.buf
                .extend_from_slice(header(name.as_bytes(), tar::EntryType::Regular, 8).as_bytes());
            let mut data = [0u8; BLOCK];
            data[..8].copy_from_slice(&i.to_le_bytes());
            self.buf.extend_from_slice(&data);
        }
    }
}

impl Read for EntriesTar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.buf.len() {
            self.refill();
        }
        let src = &self.buf[self.at..];
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        self.at += n;
        Ok(n)
    }
}
