//! An archive held in memory (the demo images): the same tar index as a file, over bytes.

use super::SourceError;
use super::store::BlobStore;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

pub struct MemoryStore {
    name: String,
    bytes: Arc<Vec<u8>>,
    members: HashMap<String, (usize, usize)>,
}

impl MemoryStore {
    pub fn new(name: &str, bytes: Vec<u8>) -> Result<MemoryStore, SourceError> {
        let mut members = HashMap::new();
        let mut archive = tar::Archive::new(Cursor::new(&bytes[..]));
        for entry in archive
            .entries()
            .map_err(|e| SourceError::NotAnImageBecause {
                what: "not a tar archive".into(),
                source: e.into(),
            })?
        {
            let entry = entry.map_err(|e| SourceError::CorruptBecause {
                what: "the archive cannot be read".into(),
                source: e.into(),
            })?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            if let Some((name, _)) = crate::scan::path::normalize(&entry.path_bytes())
                .ok()
                .flatten()
            {
                members.insert(
                    name,
                    (entry.raw_file_position() as usize, entry.size() as usize),
                );
            }
        }
        Ok(MemoryStore {
            name: name.to_string(),
            bytes: Arc::new(bytes),
            members,
        })
    }
}

impl BlobStore for MemoryStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let &(off, len) = self
            .members
            .get(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        let slice = self.bytes.get(off..off + len).ok_or_else(|| {
            SourceError::Corrupt(format!("{path} runs past the end of the archive"))
        })?;
        Ok(Box::new(slice))
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.members.get(path).map(|&(_, l)| l as u64)
    }

    fn describe(&self) -> String {
        self.name.clone()
    }

    /// The demo images are built into the binary: the same digest is the same bytes on
    /// every run, so their scans are cached by digest, as a registry's.
    fn cache_guard(&self, _path: &str) -> super::CacheGuard {
        super::CacheGuard::Digest
    }
}
