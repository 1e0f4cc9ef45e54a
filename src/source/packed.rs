//! An archive compressed whole: `docker save x | gzip > x.tar.gz`, which `docker load`
//! accepts (moby's `DecompressStream` sniffs the compression by its magic bytes). dive,
//! syft and skopeo refuse it. The stream cannot seek, so it is indexed in one pass that
//! keeps the small members (manifests, configs); a layer is read by inflating the stream
//! again up to it.

use super::SourceError;
use super::store::{self, BlobStore, TarStore};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

/// Members kept from the indexing pass: each at most this big...
const KEEP_MEMBER: u64 = 4 << 20;
/// ...and all of them together at most this (past it, they are inflated again).
const KEEP_TOTAL: u64 = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packing {
    Gzip,
    Zstd,
}

/// Opens a tar file, or one compressed whole with gzip or zstd.
pub fn open_tar(path: &Path) -> Result<Box<dyn BlobStore>, SourceError> {
    match sniff(path)? {
        Some(packing) => Ok(Box::new(PackedTarStore::open(path, packing)?)),
        None => Ok(Box::new(TarStore::open(path)?)),
    }
}

fn sniff(path: &Path) -> io::Result<Option<Packing>> {
    let mut head = [0u8; 4];
    // Through the regular-file check: a FIFO named as an image must fail, not block.
    let mut f = super::regular::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(if head[..n].starts_with(&[0x1f, 0x8b]) {
        Some(Packing::Gzip)
    } else if head[..n] == [0x28, 0xb5, 0x2f, 0xfd] {
        Some(Packing::Zstd)
    } else {
        None
    })
}

pub struct PackedTarStore {
    file: PathBuf,
    packing: Packing,
    members: HashMap<String, (u64, u64)>,
    /// Small members' bytes, by data offset in the inflated stream.
    kept: HashMap<u64, Vec<u8>>,
}

impl PackedTarStore {
    fn open(file: &Path, packing: Packing) -> Result<Self, SourceError> {
        let mut store = PackedTarStore {
            file: file.to_path_buf(),
            packing,
            members: HashMap::new(),
            kept: HashMap::new(),
        };
        let mut archive = tar::Archive::new(store.inflate()?);
        let entries = archive
            .entries()
            .map_err(|e| SourceError::NotAnImageBecause {
                what: "not a compressed tar archive".into(),
                source: e.into(),
            })?;
        let mut budget = KEEP_TOTAL;
        let mut kept = HashMap::new();
        store.members = store::index(entries, file, &mut |offset, entry| {
            let size = entry.size();
            if size <= KEEP_MEMBER && size <= budget {
                budget -= size;
                let mut bytes = Vec::with_capacity(size as usize);
                entry
                    .read_to_end(&mut bytes)
                    .map_err(|e| SourceError::CorruptBecause {
                        what: "the archive cannot be read".into(),
                        source: e.into(),
                    })?;
                kept.insert(offset, bytes);
            }
            Ok(())
        })?;
        store.kept = kept;
        Ok(store)
    }

    fn inflate(&self) -> io::Result<Box<dyn Read + Send>> {
        let f = BufReader::new(File::open(&self.file)?);
        Ok(match self.packing {
            Packing::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(f)),
            Packing::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(f)?),
        })
    }
}

impl BlobStore for PackedTarStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let &(offset, size) = self
            .members
            .get(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        if let Some(bytes) = self.kept.get(&offset) {
            return Ok(Box::new(io::Cursor::new(bytes.as_slice())));
        }
        let mut stream = self.inflate()?;
        let skipped = io::copy(&mut (&mut stream).take(offset), &mut io::sink())?;
        if skipped < offset {
            return Err(SourceError::Corrupt(format!(
                "{} ends before member {path}",
                self.file.display()
            )));
        }
        Ok(Box::new(stream.take(size)))
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.members.get(path).map(|&(_, s)| s)
    }

    fn describe(&self) -> String {
        self.file.display().to_string()
    }

    /// The archive's identity and where the member sits in its inflated stream.
    fn cache_guard(&self, path: &str) -> super::CacheGuard {
        super::store::guard(super::store::member_identity(
            &self.file,
            self.members.get(path),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::builder::{ImageBuilder, LayerBuilder};
    use std::io::Write;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Issue 18 §7: `docker save x | gzip` (and zstd) read as the plain archive is.
    #[test]
    fn a_docker_save_compressed_whole_reads_like_the_plain_one() -> TestResult {
        let image = ImageBuilder::new("app:1")
            .layer(LayerBuilder::new("a").file("etc/a", &[1; 3000]))
            .layer(LayerBuilder::new("b").file("etc/b", &[2; 70_000]))
            // Bigger than what the index pass keeps: read by inflating again.
            .layer(LayerBuilder::new("c").file("etc/c", &vec![3; 5 << 20]));
        let plain = image.docker_archive();
        let dir = tempfile::tempdir()?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain)?;
        let packed = [
            ("x.tar", plain.clone()),
            ("x.tar.gz", gz.finish()?),
            ("x.tar.zst", zstd::encode_all(&plain[..], 1)?),
        ];
        let mut seen = Vec::new();
        for (name, bytes) in packed {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes)?;
            let store = open_tar(&path)?;
            let raw = store.read_small("manifest.json")?;
            let entries: serde_json::Value = serde_json::from_slice(&raw)?;
            let mut layers = Vec::new();
            for l in entries[0]["Layers"].as_array().ok_or("no layers")? {
                let l = l.as_str().ok_or("layer name")?;
                let mut bytes = Vec::new();
                store.open(l)?.read_to_end(&mut bytes)?;
                assert_eq!(Some(bytes.len() as u64), store.size(l));
                layers.push(bytes);
            }
            seen.push((raw, layers));
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(seen[0].1.len(), 3);
        Ok(())
    }
}
