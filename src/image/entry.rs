//! One layer's scan result: the tar entries it holds, after whiteouts are split out.

pub use super::captured::CapturedFiles;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What kind of filesystem object a tar entry creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A tar hard link (type `1`): carries no bytes of its own.
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl EntryKind {
    pub fn is_dir(self) -> bool {
        self == EntryKind::Dir
    }
}

/// One entry of a layer tar. Paths are relative, `/`-separated, without `./` or a trailing `/`.
///
/// Kept small on purpose: a million-entry layer holds a million of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(deserialize_with = "arc_str")]
    pub path: Arc<str>,
    pub kind: EntryKind,
    /// Regular-file bytes; 0 for everything else (a hard link's bytes belong to its target).
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Symlink target or hard-link target path.
    pub link: Option<LinkTarget>,
    /// xxh3-64 of the file content (0 for non-files); for symlinks, of the target string.
    pub hash: u64,
}

/// A path read straight into its `Arc`: serde reads an `Arc<str>` as a `Box<str>` first and
/// then copies it into the `Arc` (two allocations and two copies per entry, 5 % of a
/// rebuild's CPU in decoding large-latest's 144k cached entries).
fn arc_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct ArcStr;
    impl serde::de::Visitor<'_> for ArcStr {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a path")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Arc<str>, E> {
            Ok(Arc::from(s))
        }
    }
    d.deserialize_str(ArcStr)
}

/// A symlink or hard-link target behind one thin pointer. Most entries have none, and a
/// fat `Box<str>` field would cost each of a layer's million entries 8 more bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LinkTarget(Box<Box<str>>);

impl std::ops::Deref for LinkTarget {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for LinkTarget {
    fn from(s: &str) -> Self {
        LinkTarget(Box::new(s.into()))
    }
}

impl From<String> for LinkTarget {
    fn from(s: String) -> Self {
        LinkTarget(Box::new(s.into_boxed_str()))
    }
}

/// Per-file facts gathered during the streaming pass for the few files analyses need,
/// keyed by the entry index in [`LayerScan::entries`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Captured {
    /// Whole contents of small files analyses read (package databases, passwd, ld.so.conf...).
    #[serde(with = "base64_contents")]
    pub files: CapturedFiles,
    /// ELF facts for every ELF file.
    pub elf: Vec<(u32, crate::image::facts::ElfInfo)>,
    /// The `#!` line of scripts (without the `#!`), trimmed.
    pub shebangs: Vec<(u32, String)>,
    /// Java archives: their metadata entries and nested archives.
    #[serde(default)]
    pub jars: Vec<(u32, super::jar::JarInfo)>,
}

/// How a layer blob is stored, as its magic bytes say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Zstd,
    /// An uncompressed tar (also what a hand-built scan says).
    #[default]
    #[serde(rename = "tar")]
    Plain,
}

impl Compression {
    /// The name reports use: `gzip`, `zstd` or `tar`.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Plain => "tar",
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything one streaming pass over a layer blob learns. Cached by blob digest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerScan {
    /// sha256 of the blob as stored (compressed), `sha256:<hex>`.
    pub digest: String,
    /// sha256 of the uncompressed tar stream, `sha256:<hex>`.
    pub diff_id: String,
    /// As detected from magic bytes.
    pub compression: Compression,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    /// Entries in tar order; a path repeated in one layer keeps only its last entry.
    pub entries: Vec<Entry>,
    /// Paths named by `.wh.NAME` entries (the NAME, with its directory).
    pub whiteouts: Vec<Arc<str>>,
    /// Directories carrying `.wh..wh..opq`.
    pub opaque_dirs: Vec<Arc<str>>,
    pub captured: Captured,
    /// Sparse files (old GNU or PAX): entry index and the bytes the layer stores for it
    /// (the entry's size is the apparent one, holes included, as tar, Go and Python say).
    #[serde(default)]
    pub sparse: Vec<(u32, u64)>,
    /// Things the scan tolerated but a user should know (non-UTF-8 names, duplicates...).
    pub warnings: Vec<String>,
}

impl LayerScan {
    /// Sum of regular-file bytes in this layer tar.
    pub fn file_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .fold(0, u64::saturating_add)
    }

    pub fn captured_file(&self, entry: u32) -> Option<&[u8]> {
        self.captured.files.get(entry)
    }
}

/// Captured contents as base64 strings in JSON, as plain bytes in a binary format (the
/// scan cache's). serde writes a byte vector as an array of numbers: debian:bookworm's 1 MB
/// of package lists became 3 MB of digits, and formatting and parsing them was most of the
/// time a cold run spent writing its cache entry and a warm run spent reading it.
mod base64_contents {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::de::Error;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};
    // Bytes as bytes: a `Vec<u8>` would be a sequence of numbers.
    use serde_bytes::{ByteBuf, Bytes};

    use super::CapturedFiles;

    pub fn serialize<S: Serializer>(files: &CapturedFiles, s: S) -> Result<S::Ok, S::Error> {
        let text = s.is_human_readable();
        let files = files.all();
        let mut seq = s.serialize_seq(Some(files.len()))?;
        for (entry, bytes) in files {
            if text {
                seq.serialize_element(&(entry, STANDARD.encode(bytes)))?;
            } else {
                seq.serialize_element(&(entry, Bytes::new(bytes)))?;
            }
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CapturedFiles, D::Error> {
        if !d.is_human_readable() {
            return Vec::<(u32, ByteBuf)>::deserialize(d).map(|files| {
                let files: Vec<_> = files.into_iter().map(|(i, b)| (i, b.into_vec())).collect();
                files.into()
            });
        }
        Vec::<(u32, String)>::deserialize(d)?
            .into_iter()
            .map(|(entry, text)| {
                STANDARD
                    .decode(text)
                    .map(|bytes| (entry, bytes))
                    .map_err(D::Error::custom)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(CapturedFiles::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path read into its `Arc` directly is the same path, escapes and all, from JSON
    /// (which unescapes it into a buffer) and from postcard (which lends it in place).
    #[test]
    fn paths_read_back_whole() -> Result<(), Box<dyn std::error::Error>> {
        let entry = Entry {
            path: "usr/share/\"quoted\"\\back/ü\n".into(),
            kind: EntryKind::File,
            size: 3,
            mode: 0o644,
            uid: 1,
            gid: 2,
            link: None,
            hash: 9,
        };
        let json: Entry = serde_json::from_str(&serde_json::to_string(&entry)?)?;
        assert_eq!(json, entry);
        let bytes = postcard::to_allocvec(&entry)?;
        assert_eq!(postcard::from_bytes::<Entry>(&bytes)?, entry);
        Ok(())
    }
}
