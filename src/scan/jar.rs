//! Reads a Java archive while it streams past, without keeping it: every zip local file
//! header (`PK\x03\x04`, then the entry's name in the clear) is found by its signature, the
//! few metadata entries package analysis needs are inflated from the bytes that follow, and
//! the names of nested archives are noted. A nested archive stored uncompressed (Spring
//! Boot's `BOOT-INF/lib/`, a war's `WEB-INF/lib/`) shows its own headers in the stream, so
//! its metadata is found too and attributed to it by byte range.
//!
//! Local headers are used rather than the central directory at the end because the stream
//! has passed the entries by then. A signature inside compressed data can look like a
//! header; only headers whose name is one we want are used, and their data is inflated with
//! a bound, so such a coincidence costs at most a garbage entry.

use crate::image::jar::{JarInfo, JarMeta};
use memchr::memmem;

const SIG: &[u8] = b"PK\x03\x04";
const HEADER: usize = 30;
/// Compressed bytes gathered for one metadata entry.
const MAX_COMPRESSED: usize = 64 << 10;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

/// True for the archives the scan reads this way, by name.
pub fn is_java_archive(path: &str) -> bool {
    [".jar", ".war", ".ear"].iter().any(|s| path.ends_with(s))
}

fn wanted(name: &str) -> bool {
    name == "META-INF/MANIFEST.MF"
        || (name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties"))
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A metadata entry whose data is still arriving.
struct Pending {
    archive: String,
    name: String,
    method: u16,
    /// Absolute stream offset of the entry's data, and how many bytes to gather.
    start: u64,
    want: usize,
    data: Vec<u8>,
}

pub struct JarCollector {
    finder: memmem::Finder<'static>,
    /// Unscanned bytes, starting at absolute offset `at`.
    buf: Vec<u8>,
    at: u64,
    pending: Vec<Pending>,
    /// Stored nested archives: (name, absolute data range).
    ranges: Vec<(String, u64, u64)>,
    info: JarInfo,
}

impl Default for JarCollector {
    fn default() -> Self {
        JarCollector {
            finder: memmem::Finder::new(SIG),
            buf: Vec::new(),
            at: 0,
            pending: Vec::new(),
            ranges: Vec::new(),
            info: JarInfo::default(),
        }
    }
}

impl JarCollector {
    pub fn push(&mut self, chunk: &[u8]) {
        let chunk_at = self.at + self.buf.len() as u64;
        for p in &mut self.pending {
            gather(p, chunk, chunk_at);
        }
        self.pending.retain(|p| p.data.len() < p.want);
        self.buf.extend_from_slice(chunk);
        let mut pos = 0;
        while let Some(i) = self.finder.find(&self.buf[pos..]).map(|i| pos + i) {
            match self.header(i) {
                Some(next) => pos = next,
                None => {
                    // Incomplete header: keep it for the next chunk.
                    self.buf.drain(..i);
                    self.at += i as u64;
                    return;
                }
            }
        }
        // Keep the last bytes: a signature may straddle chunks.
        let keep = self.buf.len().min(SIG.len() - 1);
        let cut = self.buf.len() - keep;
        self.buf.drain(..cut);
        self.at += cut as u64;
    }

    /// Reads the header at `buf[i]`; returns where to search next, or `None` when the
    /// header is not all here yet.
    fn header(&mut self, i: usize) -> Option<usize> {
        let b = &self.buf;
        if b.len() < i + HEADER {
            return None;
        }
        let (flags, method) = (le16(b, i + 6), le16(b, i + 8));
        let csize = le32(b, i + 18) as u64;
        let (n, e) = (le16(b, i + 26) as usize, le16(b, i + 28) as usize);
        let data = i + HEADER + n + e;
        if b.len() < i + HEADER + n {
            return None;
        }
        let name = String::from_utf8_lossy(&b[i + HEADER..i + HEADER + n]).into_owned();
        let abs = self.at + i as u64;
        let data_abs = self.at + data as u64;
        let archive = self
            .ranges
            .iter()
            .rev()
            .find(|(_, s, e)| *s <= abs && abs < *e)
            .map(|(n, ..)| n.clone())
            .unwrap_or_default();
        let known = flags & FLAG_DATA_DESCRIPTOR == 0;
        if is_java_archive(&name) && archive.is_empty() {
            // Bounded together: each header looks through the ranges.
            if self.info.nested.len() < JarInfo::MAX_NESTED {
                self.info.nested.push(name.clone());
                if method == 0 && known && csize > 0 {
                    self.ranges.push((name, data_abs, data_abs + csize));
                }
            }
        } else if wanted(&name) && self.info.meta.len() + self.pending.len() < JarInfo::MAX_METAS {
            let want = if known {
                (csize as usize).min(MAX_COMPRESSED)
            } else {
                MAX_COMPRESSED
            };
            let mut p = Pending {
                archive,
                name,
                method,
                start: data_abs,
                want,
                data: Vec::new(),
            };
            gather(&mut p, &self.buf, self.at);
            if p.data.len() >= p.want {
                self.finish_one(p);
            } else {
                self.pending.push(p);
            }
        }
        Some(i + SIG.len())
    }

    fn finish_one(&mut self, p: Pending) {
        let content = match p.method {
            0 => p.data,
            8 => inflate(&p.data),
            _ => return,
        };
        let mut content = String::from_utf8_lossy(&content).into_owned();
        if content.len() > JarInfo::MAX_META {
            let mut cut = JarInfo::MAX_META;
            while !content.is_char_boundary(cut) {
                cut -= 1;
            }
            content.truncate(cut);
        }
        self.info.meta.push(JarMeta {
            archive: p.archive,
            name: p.name,
            content,
        });
    }

    pub fn finish(mut self) -> JarInfo {
        for p in std::mem::take(&mut self.pending) {
            self.finish_one(p);
        }
        self.info
    }
}

/// Copies the part of `bytes` (starting at absolute offset `at`) that `p` still wants.
fn gather(p: &mut Pending, bytes: &[u8], at: u64) {
    let from = p.start + p.data.len() as u64;
    if from < at || from >= at + bytes.len() as u64 {
        return;
    }
    let off = (from - at) as usize;
    let take = (p.want - p.data.len()).min(bytes.len() - off);
    p.data.extend_from_slice(&bytes[off..off + take]);
}

/// Raw deflate, up to [`JarInfo::MAX_META`] bytes out; whatever inflated before an error.
fn inflate(data: &[u8]) -> Vec<u8> {
    let mut d = flate2::Decompress::new(false);
    let mut out = Vec::with_capacity(JarInfo::MAX_META);
    let _ = d.decompress_vec(data, &mut out, flate2::FlushDecompress::Finish);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use crate::demo::zip::zip;

    pub(crate) fn read(bytes: &[u8], chunk: usize) -> JarInfo {
        let mut c = JarCollector::default();
        for part in bytes.chunks(chunk.max(1)) {
            c.push(part);
        }
        c.finish()
    }

    #[test]
    fn finds_metadata_and_nested_archives_in_any_chunking() {
        let inner = zip(&[(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            b"groupId=org.slf4j\nartifactId=slf4j-api\nversion=2.0.9\n",
            false,
        )]);
        let outer = zip(&[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nStart-Class: app.Main\n",
                false,
            ),
            (
                "META-INF/maven/com.example/app/pom.properties",
                b"artifactId=app\nversion=1.0.0\n",
                false,
            ),
            ("BOOT-INF/classes/app/Main.class", &[0xca; 3000], false),
            ("BOOT-INF/lib/slf4j-api-2.0.9.jar", &inner, true),
        ]);
        for chunk in [1, 7, 100, 4096, outer.len()] {
            let info = read(&outer, chunk);
            assert_eq!(info.nested, ["BOOT-INF/lib/slf4j-api-2.0.9.jar"], "{chunk}");
            assert_eq!(info.meta.len(), 3, "{chunk}: {:?}", info.meta);
            assert!(info.meta[0].content.contains("Start-Class: app.Main"));
            let nested = &info.meta[2];
            assert_eq!(nested.archive, "BOOT-INF/lib/slf4j-api-2.0.9.jar");
            assert!(nested.content.contains("version=2.0.9"), "{chunk}");
        }
    }

    #[test]
    fn garbage_is_bounded() {
        let mut junk = Vec::new();
        for i in 0..2000u32 {
            junk.extend_from_slice(SIG);
            junk.extend_from_slice(&i.to_le_bytes().repeat(7));
        }
        let info = read(&junk, 333);
        assert!(info.meta.len() <= JarInfo::MAX_METAS);
        // A wanted name whose data is not deflate.
        let mut bad = zip(&[("META-INF/MANIFEST.MF", b"x", false)]);
        bad.truncate(40);
        let _ = read(&bad, 3);
        assert!(is_java_archive("app/lib/x.jar") && !is_java_archive("x.zip"));
    }
}
