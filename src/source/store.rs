//! Random access to the files of an image archive or layout: a directory, or a tar file
//! indexed once by offset so several layers can be read in parallel without extracting.

use super::SourceError;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest manifest, index or config we read into memory.
pub const MAX_JSON: u64 = 128 << 20;

pub trait BlobStore: Send + Sync {
    /// Opens a file by its path inside the store (`/`-separated, relative).
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError>;
    fn size(&self, path: &str) -> Option<u64>;
    fn exists(&self, path: &str) -> bool {
        self.size(path).is_some()
    }
    /// Reads a small file whole, refusing anything over `MAX_JSON`.
    fn read_small(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        let size = self
            .size(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        if size > MAX_JSON {
            return Err(SourceError::Corrupt(format!(
                "{path} is {size} bytes, too large for metadata"
            )));
        }
        let mut out = Vec::with_capacity(size as usize);
        self.open(path)?.take(MAX_JSON).read_to_end(&mut out)?;
        Ok(out)
    }
    fn describe(&self) -> String;
    /// How a scan of the blob at `path` may be cached: for a file, guarded by its identity
    /// (see [`file_identity`]), so an edited blob is a miss; by default, not at all.
    fn cache_guard(&self, _path: &str) -> super::CacheGuard {
        super::CacheGuard::Uncached
    }
}

/// Device, inode, size, mtime and ctime (to the nanosecond) of a regular file: an edit, a
/// rewrite or a replacement changes at least one (ctime even when mtime is set back).
#[cfg(unix)]
pub fn file_identity(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| {
        format!(
            "{}:{}:{}:{}.{}:{}.{}",
            m.dev(),
            m.ino(),
            m.len(),
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec()
        )
    })
}

#[cfg(not(unix))]
pub fn file_identity(_path: &Path) -> Option<String> {
    None
}

/// A member of an archive: the archive's identity and where the member sits in it.
pub(super) fn member_identity(archive: &Path, member: Option<&(u64, u64)>) -> Option<String> {
    let (offset, size) = member?;
    Some(format!("{}@{offset}+{size}", file_identity(archive)?))
}

pub(super) fn guard(identity: Option<String>) -> super::CacheGuard {
    identity.map_or(super::CacheGuard::Uncached, super::CacheGuard::File)
}

/// An unpacked layout on disk.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> Self {
        DirStore {
            root: root.to_path_buf(),
        }
    }

    /// Paths come from manifests inside the image: refuse anything that could leave the root.
    fn resolve(&self, path: &str) -> Option<PathBuf> {
        let clean = crate::scan::path::normalize(path.as_bytes()).ok()??.0;
        Some(self.root.join(clean))
    }
}

impl BlobStore for DirStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let full = self
            .resolve(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        // A blob that is a FIFO, a device or a symlink to one would block or never end.
        match super::regular::open(&full) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(SourceError::MissingBlob(path.to_string()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                Err(SourceError::Corrupt(e.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn size(&self, path: &str) -> Option<u64> {
        let m = std::fs::metadata(self.resolve(path)?).ok()?;
        m.is_file().then_some(m.len())
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn cache_guard(&self, path: &str) -> super::CacheGuard {
        guard(self.resolve(path).and_then(|p| file_identity(&p)))
    }
}

/// A tar file (docker save output, oci-archive), indexed by member offset.
pub struct TarStore {
    file: PathBuf,
    members: HashMap<String, (u64, u64)>,
}

const MAX_LINK_HOPS: usize = 16;

impl TarStore {
    /// Walks the tar headers once, seeking over member data.
    pub fn open(file: &Path) -> Result<TarStore, SourceError> {
        let f = super::regular::open(file).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => SourceError::NotAnImage(e.to_string()),
            _ => e.into(),
        })?;
        let mut archive = tar::Archive::new(f);
        let entries = archive
            .entries_with_seek()
            .map_err(|e| SourceError::NotAnImageBecause {
                what: "not a tar archive".into(),
                source: e.into(),
            })?;
        let members = index(entries, file, &mut |_, _| Ok(()))?;
        Ok(TarStore {
            file: file.to_path_buf(),
            members,
        })
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.members.keys().map(String::as_str)
    }
}

/// What [`index`] calls with each regular member: its data offset and the member.
pub(super) type SeeMember<'a, R> =
    dyn FnMut(u64, &mut tar::Entry<'_, R>) -> Result<(), SourceError> + 'a;

/// Member name -> (offset of its data, size), hard and symbolic links resolved to the
/// member they name. `regular` sees each regular member as it passes (to keep small ones
/// of a stream that cannot seek back).
pub(super) fn index<R: Read>(
    entries: tar::Entries<'_, R>,
    file: &Path,
    regular: &mut SeeMember<'_, R>,
) -> Result<HashMap<String, (u64, u64)>, SourceError> {
    let mut members = HashMap::new();
    let mut links: HashMap<String, String> = HashMap::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| {
            if members.is_empty() && links.is_empty() {
                SourceError::NotAnImage(format!("{} is not a tar archive", file.display()))
            } else {
                SourceError::CorruptBecause {
                    what: "the archive cannot be read".into(),
                    source: e.into(),
                }
            }
        })?;
        let Some((name, _)) = crate::scan::path::normalize(&entry.path_bytes())
            .ok()
            .flatten()
        else {
            continue;
        };
        match entry.header().entry_type() {
            tar::EntryType::Symlink | tar::EntryType::Link => {
                if let Some(target) = entry.link_name_bytes() {
                    let t = String::from_utf8_lossy(&target).into_owned();
                    let resolved = if entry.header().entry_type() == tar::EntryType::Symlink {
                        resolve_relative(&name, &t)
                    } else {
                        crate::scan::path::normalize_link(t.as_bytes())
                    };
                    if let Some(r) = resolved {
                        links.insert(name, r);
                    }
                }
            }
            t if t.is_file() => {
                let offset = entry.raw_file_position();
                members.insert(name, (offset, entry.size()));
                regular(offset, &mut entry)?;
            }
            _ => {}
        }
    }
    // skopeo writes `<id>/layer.tar -> ../<diffid>.tar`; resolve link chains, bounded.
    for (name, first) in &links {
        let mut target = first;
        for _ in 0..MAX_LINK_HOPS {
            if let Some(&m) = members.get(target) {
                members.insert(name.clone(), m);
                break;
            }
            match links.get(target) {
                Some(next) => target = next,
                None => break,
            }
        }
    }
    Ok(members)
}

fn resolve_relative(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return crate::scan::path::normalize_link(target.trim_start_matches('/').as_bytes());
    }
    let (dir, _) = crate::scan::path::split(link);
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl BlobStore for TarStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let &(offset, size) = self
            .members
            .get(path)
            .ok_or_else(|| SourceError::MissingBlob(path.to_string()))?;
        let mut f = File::open(&self.file)?;
        f.seek(SeekFrom::Start(offset))?;
        Ok(Box::new(f.take(size)))
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.members.get(path).map(|&(_, s)| s)
    }

    fn describe(&self) -> String {
        self.file.display().to_string()
    }

    /// The archive's identity and where the member sits in it.
    fn cache_guard(&self, path: &str) -> super::CacheGuard {
        guard(member_identity(&self.file, self.members.get(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve() {
        assert_eq!(
            resolve_relative("abc/layer.tar", "../def.tar").as_deref(),
            Some("def.tar")
        );
        assert_eq!(resolve_relative("layer.tar", "../../x"), None);
    }
}
