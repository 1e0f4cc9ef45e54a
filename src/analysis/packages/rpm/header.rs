//! One rpm header blob, as every rpm database stores it per package (the on-disk header
//! without its 8-byte magic): `il` and `dl` (big-endian u32), `il` index entries of 16 bytes
//! (tag, type, offset, count), then `dl` bytes of data the entries point into. The same
//! parser serves the SQLite, Berkeley DB and NDB readers.
//!
//! The blob is untrusted: every count and offset is checked against the blob before it is
//! used, and a field that does not fit is left out rather than read past.

/// rpm's own limits (`hdrchkTags`, `hdrchkData` in lib/header.c): an index of more tags or
/// a data store larger than this is not a header rpm wrote.
const MAX_TAGS: u32 = 0x00ff_ffff;
const MAX_DATA: u32 = 0x3fff_ffff;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_ARCH: u32 = 1022;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_FILESIZES: u32 = 1028;
const TAG_FILEMODES: u32 = 1030;
const TAG_FILEFLAGS: u32 = 1037;
const TAG_SOURCERPM: u32 = 1044;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;
const TAG_LONGFILESIZES: u32 = 5008;
const TAG_LONGSIZE: u32 = 5009;

const TYPE_INT16: u32 = 3;
const TYPE_INT32: u32 = 4;
const TYPE_INT64: u32 = 5;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// `%ghost`: listed, not shipped (a log file the package creates at run time).
pub const FILE_GHOST: u32 = 1 << 6;
const S_IFMT: u16 = 0o170_000;
const S_IFDIR: u16 = 0o040_000;

/// One file a package lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmFile {
    /// Absolute, as rpm writes it (`/usr/bin/bash`).
    pub path: String,
    pub size: u64,
    pub mode: u16,
    pub flags: u32,
}

impl RpmFile {
    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }

    pub fn is_ghost(&self) -> bool {
        self.flags & FILE_GHOST != 0
    }
}

/// What microscope reads of a header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmHeader {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: String,
    /// `SIZE` (or `LONGSIZE`): the sum of file sizes rpm declares.
    pub size: Option<u64>,
    pub source_rpm: Option<String>,
    pub files: Vec<RpmFile>,
}

impl RpmHeader {
    /// `[epoch:]version-release`, as syft and `rpm -q --qf '%{EVR}'` spell it.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }
}

/// Why a blob is not a header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header blob of {0} bytes is shorter than its index says")]
    Truncated(usize),
    #[error("header index of {0} tags or {1} data bytes is beyond rpm's limits")]
    TooLarge(u32, u32),
    #[error("header has no package name")]
    Nameless,
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

/// A header's index and data store, both checked to lie within the blob.
struct Blob<'a> {
    index: Vec<IndexEntry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Blob<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let truncated = HeaderError::Truncated(blob.len());
        let (il, dl) = (
            be32(blob, 0).ok_or(truncated.clone())?,
            be32(blob, 4).ok_or(truncated.clone())?,
        );
        if il > MAX_TAGS || dl > MAX_DATA {
            return Err(HeaderError::TooLarge(il, dl));
        }
        let data_at = 8 + 16 * il as usize;
        let data = blob.get(data_at..data_at + dl as usize).ok_or(truncated)?;
        let index = (0..il as usize)
            .filter_map(|i| {
                let at = 8 + 16 * i;
                Some(IndexEntry {
                    tag: be32(blob, at)?,
                    kind: be32(blob, at + 4)?,
                    offset: be32(blob, at + 8)?,
                    count: be32(blob, at + 12)?,
                })
            })
            .collect();
        Ok(Blob { index, data })
    }

    /// The first entry of `tag`: rpm's region entries come first, and a tag is written once.
    fn entry(&self, tag: u32) -> Option<IndexEntry> {
        self.index.iter().find(|e| e.tag == tag).copied()
    }

    /// `count` NUL-terminated strings from the entry's offset.
    fn strings(&self, tag: u32) -> Option<Vec<&'a [u8]>> {
        let e = self.entry(tag)?;
        if !matches!(e.kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return None;
        }
        let mut rest = self.data.get(e.offset as usize..)?;
        // Each string takes at least its NUL: a count beyond the bytes left is a lie.
        if e.count as usize > rest.len() {
            return None;
        }
        let mut out = Vec::with_capacity(e.count as usize);
        for _ in 0..e.count {
            let end = memchr::memchr(0, rest)?;
            out.push(&rest[..end]);
            rest = &rest[end + 1..];
        }
        Some(out)
    }

    fn string(&self, tag: u32) -> Option<String> {
        let s = self.strings(tag)?;
        s.first().map(|s| String::from_utf8_lossy(s).into_owned())
    }

    /// An integer array of any width, widened to u64.
    fn ints(&self, tag: u32) -> Option<Vec<u64>> {
        let e = self.entry(tag)?;
        let width = match e.kind {
            TYPE_INT16 => 2,
            TYPE_INT32 => 4,
            TYPE_INT64 => 8,
            _ => return None,
        };
        let len = (e.count as usize).checked_mul(width)?;
        let start = e.offset as usize;
        let bytes = self.data.get(start..start.checked_add(len)?)?;
        Some(
            bytes
                .chunks_exact(width)
                .map(|c| c.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
                .collect(),
        )
    }

    fn int(&self, tag: u32) -> Option<u64> {
        self.ints(tag)?.first().copied()
    }
}

/// Parses one header blob. Never panics; a header without a name is an error, a field that
/// does not fit the blob is left empty.
pub fn parse(blob: &[u8]) -> Result<RpmHeader, HeaderError> {
    let b = Blob::parse(blob)?;
    let name = b.string(TAG_NAME).ok_or(HeaderError::Nameless)?;
    let size = b.int(TAG_LONGSIZE).or_else(|| b.int(TAG_SIZE));
    Ok(RpmHeader {
        name,
        epoch: b.int(TAG_EPOCH).and_then(|e| u32::try_from(e).ok()),
        version: b.string(TAG_VERSION).unwrap_or_default(),
        release: b.string(TAG_RELEASE).unwrap_or_default(),
        arch: b.string(TAG_ARCH).unwrap_or_default(),
        size,
        source_rpm: b.string(TAG_SOURCERPM),
        files: files(&b),
    })
}

/// The file list: `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]` (or the `OLDFILENAMES` of
/// headers older than rpm 4), with the parallel size, mode and flag arrays. A parallel
/// array of the wrong length is ignored (its values default to 0) rather than misaligned.
fn files(b: &Blob<'_>) -> Vec<RpmFile> {
    let paths: Vec<String> = match (b.strings(TAG_BASENAMES), b.strings(TAG_DIRNAMES)) {
        (Some(base), Some(dirs)) => {
            let idx = b.ints(TAG_DIRINDEXES).unwrap_or_default();
            base.iter()
                .zip(idx.iter())
                .filter_map(|(name, &i)| {
                    let dir = dirs.get(usize::try_from(i).ok()?)?;
                    let mut p = String::from_utf8_lossy(dir).into_owned();
                    p.push_str(&String::from_utf8_lossy(name));
                    Some(p)
                })
                .collect()
        }
        _ => b
            .strings(TAG_OLDFILENAMES)
            .unwrap_or_default()
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect(),
    };
    let n = paths.len();
    let parallel = |v: Option<Vec<u64>>| v.filter(|v| v.len() == n);
    let sizes = parallel(b.ints(TAG_LONGFILESIZES)).or_else(|| parallel(b.ints(TAG_FILESIZES)));
    let modes = parallel(b.ints(TAG_FILEMODES));
    let flags = parallel(b.ints(TAG_FILEFLAGS));
    let at = |v: &Option<Vec<u64>>, i: usize| v.as_ref().map_or(0, |v| v[i]);
    paths
        .into_iter()
        .enumerate()
        .map(|(i, path)| RpmFile {
            path,
            size: at(&sizes, i),
            mode: at(&modes, i) as u16,
            flags: at(&flags, i) as u32,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, count, data) entries, as rpm lays it out.
    pub(crate) fn blob(entries: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, count, bytes) in entries {
            let align = match *kind {
                TYPE_INT16 => 2,
                TYPE_INT32 => 4,
                TYPE_INT64 => 8,
                _ => 1,
            };
            while data.len() % align != 0 {
                data.push(0);
            }
            for v in [*tag, *kind, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&((index.len() / 16) as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    pub(crate) fn s(v: &str) -> (u32, Vec<u8>) {
        (1, [v.as_bytes(), b"\0"].concat())
    }

    pub(crate) fn strs(v: &[&str]) -> (u32, Vec<u8>) {
        let bytes = v
            .iter()
            .flat_map(|s| [s.as_bytes(), b"\0"].concat())
            .collect();
        (v.len() as u32, bytes)
    }

    pub(crate) fn i32s(v: &[u32]) -> (u32, Vec<u8>) {
        (
            v.len() as u32,
            v.iter().flat_map(|n| n.to_be_bytes()).collect(),
        )
    }

    fn i16s(v: &[u16]) -> (u32, Vec<u8>) {
        (
            v.len() as u32,
            v.iter().flat_map(|n| n.to_be_bytes()).collect(),
        )
    }

    /// A package `name` with the given (dir, base, size, mode, flags) files.
    pub(crate) fn package(
        name: &str,
        version: &str,
        files: &[(&str, &str, u32, u16, u32)],
    ) -> Vec<u8> {
        let mut dirs: Vec<&str> = Vec::new();
        let mut idx = Vec::new();
        for f in files {
            let i = dirs.iter().position(|d| *d == f.0).unwrap_or_else(|| {
                dirs.push(f.0);
                dirs.len() - 1
            });
            idx.push(i as u32);
        }
        let e = |tag, kind, (count, bytes): (u32, Vec<u8>)| (tag, kind, count, bytes);
        let mut entries = vec![
            e(TAG_NAME, TYPE_STRING, s(name)),
            e(TAG_VERSION, TYPE_STRING, s(version)),
            e(TAG_RELEASE, TYPE_STRING, s("1.el9")),
            e(TAG_ARCH, TYPE_STRING, s("x86_64")),
            e(
                TAG_SIZE,
                TYPE_INT32,
                i32s(&[files.iter().map(|f| f.2).sum()]),
            ),
        ];
        if !files.is_empty() {
            let sizes: Vec<u32> = files.iter().map(|f| f.2).collect();
            let modes: Vec<u16> = files.iter().map(|f| f.3).collect();
            let flags: Vec<u32> = files.iter().map(|f| f.4).collect();
            let bases: Vec<&str> = files.iter().map(|f| f.1).collect();
            entries.extend([
                e(TAG_FILESIZES, TYPE_INT32, i32s(&sizes)),
                e(TAG_FILEMODES, TYPE_INT16, i16s(&modes)),
                e(TAG_FILEFLAGS, TYPE_INT32, i32s(&flags)),
                e(TAG_DIRINDEXES, TYPE_INT32, i32s(&idx)),
                e(TAG_BASENAMES, TYPE_STRING_ARRAY, strs(&bases)),
                e(TAG_DIRNAMES, TYPE_STRING_ARRAY, strs(&dirs)),
            ]);
        }
        blob(&entries)
    }

    #[test]
    fn reads_identity_and_files() -> Result<(), Box<dyn std::error::Error>> {
        let b = package(
            "bash",
            "5.1.8",
            &[
                ("/usr/bin/", "bash", 1_000, 0o100_755, 0),
                ("/usr/share/doc/bash/", "", 0, 0o040_755, 0),
                ("/var/log/", "bash.log", 0, 0o100_644, FILE_GHOST),
            ],
        );
        let h = parse(&b)?;
        assert_eq!(
            (&*h.name, &*h.version, &*h.arch),
            ("bash", "5.1.8", "x86_64")
        );
        assert_eq!(h.evr(), "5.1.8-1.el9");
        assert_eq!(h.size, Some(1_000));
        assert_eq!(h.files.len(), 3);
        assert_eq!(h.files[0].path, "/usr/bin/bash");
        assert_eq!(h.files[0].size, 1_000);
        assert!(h.files[1].is_dir());
        assert!(h.files[2].is_ghost());
        Ok(())
    }

    #[test]
    fn epoch_is_part_of_the_version() -> Result<(), Box<dyn std::error::Error>> {
        let mut b = package("shadow-utils", "4.9", &[]);
        // Append an EPOCH entry by rebuilding with it.
        let h = parse(&b)?;
        assert_eq!(h.epoch, None);
        b = blob(&[
            (TAG_NAME, TYPE_STRING, 1, b"shadow-utils\0".to_vec()),
            (TAG_EPOCH, TYPE_INT32, 1, 2u32.to_be_bytes().to_vec()),
            (TAG_VERSION, TYPE_STRING, 1, b"4.9\0".to_vec()),
            (TAG_RELEASE, TYPE_STRING, 1, b"8.el9\0".to_vec()),
        ]);
        assert_eq!(parse(&b)?.evr(), "2:4.9-8.el9");
        Ok(())
    }

    #[test]
    fn garbage_never_panics() {
        let b = package("x", "1", &[("/a/", "b", 3, 0o100_644, 0)]);
        for cut in 0..b.len() {
            let _ = parse(&b[..cut]);
        }
        // Every byte flipped in turn: offsets and counts pointing anywhere.
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0xff;
            let _ = parse(&c);
        }
        assert!(matches!(parse(&[0xff; 16]), Err(HeaderError::TooLarge(..))));
        assert_eq!(parse(&blob(&[])), Err(HeaderError::Nameless));
    }
}
