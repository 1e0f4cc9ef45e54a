//! Where the slim image goes: `oci-archive:PATH[:TAG]`, `oci:DIR[:TAG]` or
//! `docker-archive:PATH[:NAME[:TAG]]`, written whole or not at all (a temporary file or
//! directory beside the target, renamed into place).

use super::SlimError;
use super::config::{self, Descriptor};
use super::layer::LayerFiles;
use crate::image::ImageMeta;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An output the user named with `-o`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    OciArchive { path: PathBuf, tag: Option<String> },
    OciDir { path: PathBuf, tag: Option<String> },
    DockerArchive { path: PathBuf, name: Option<String> },
}

impl Target {
    /// Parses `-o`. The path ends at its first `:` (what follows is the tag or name).
    pub fn parse(s: &str) -> Result<Target, SlimError> {
        let bad = |why: &str| SlimError::Output(format!("-o {s:?}: {why}"));
        let (kind, rest) = s.split_once(':').ok_or_else(|| {
            bad("expected oci-archive:PATH, oci:DIR or docker-archive:PATH[:NAME:TAG]")
        })?;
        let (path, suffix) = match rest.split_once(':') {
            Some((p, t)) => (p, Some(t.to_string()).filter(|t| !t.is_empty())),
            None => (rest, None),
        };
        if path.is_empty() {
            return Err(bad("no path"));
        }
        let path = PathBuf::from(path);
        match kind {
            "oci-archive" => Ok(Target::OciArchive { path, tag: suffix }),
            "oci" => Ok(Target::OciDir { path, tag: suffix }),
            "docker-archive" => Ok(Target::DockerArchive { path, name: suffix }),
            other => Err(bad(&format!(
                "unknown transport {other:?} (oci-archive, oci or docker-archive)"
            ))),
        }
    }

    /// The name or tag written in the target itself, if any.
    pub fn tag(&self) -> Option<&str> {
        match self {
            Target::OciArchive { tag, .. } | Target::OciDir { tag, .. } => tag.as_deref(),
            Target::DockerArchive { name, .. } => name.as_deref(),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Target::OciArchive { path, .. }
            | Target::OciDir { path, .. }
            | Target::DockerArchive { path, .. } => path,
        }
    }

    /// How microscope (and skopeo) name what was written, for reading it back.
    pub fn reference(&self) -> String {
        let p = self.path().display();
        match self {
            Target::OciArchive { .. } => format!("oci-archive:{p}"),
            Target::OciDir { .. } => format!("oci:{p}"),
            Target::DockerArchive { .. } => format!("docker-archive:{p}"),
        }
    }
}

/// The digests of what was written.
#[derive(Debug, Clone)]
pub struct Digests {
    pub config: String,
    /// The OCI manifest's digest (what a registry would call the image).
    pub manifest: String,
}

/// The image's blobs, ready to place.
pub struct Blobs<'a> {
    pub layer: &'a LayerFiles,
    pub config: Vec<u8>,
    pub tag: String,
    pub meta: &'a ImageMeta,
}

fn sha256(b: &[u8]) -> String {
    crate::demo::builder::sha256(b)
}

/// The OCI manifest of the image and the descriptors it names.
pub struct Documents {
    pub config: Descriptor,
    pub layer: Descriptor,
    pub manifest: Vec<u8>,
    pub manifest_desc: Descriptor,
}

impl Documents {
    pub fn new(blobs: &Blobs<'_>) -> Documents {
        let config = Descriptor {
            media_type: config::CONFIG_MEDIA_TYPE.into(),
            digest: sha256(&blobs.config),
            size: blobs.config.len() as u64,
        };
        let layer = Descriptor {
            media_type: config::LAYER_MEDIA_TYPE.into(),
            digest: blobs.layer.gzip_digest.clone(),
            size: blobs.layer.gzip_bytes,
        };
        let manifest = config::manifest(&config, &layer);
        let manifest_desc = Descriptor {
            media_type: config::MANIFEST_MEDIA_TYPE.into(),
            digest: sha256(&manifest),
            size: manifest.len() as u64,
        };
        Documents {
            config,
            layer,
            manifest,
            manifest_desc,
        }
    }

    pub fn digests(&self) -> Digests {
        Digests {
            config: self.config.digest.clone(),
            manifest: self.manifest_desc.digest.clone(),
        }
    }
}

/// Writes the image to `target`.
pub fn write(target: &Target, blobs: &Blobs<'_>) -> Result<Digests, SlimError> {
    let docs = Documents::new(blobs);
    let digests = docs.digests();
    let Documents {
        config: config_desc,
        layer: layer_desc,
        manifest,
        manifest_desc,
    } = docs;
    let config_digest = config_desc.digest.clone();
    match target {
        Target::DockerArchive { path, .. } => {
            let config_file = format!("{}.json", hex_of(&config_digest));
            let layer_file = format!("{}/layer.tar", hex_of(&blobs.layer.diff_id));
            let members = vec![
                Member::Bytes(config_file.clone(), blobs.config.clone()),
                Member::File(layer_file.clone(), blobs.layer.tar.clone()),
                Member::Bytes(
                    "manifest.json".into(),
                    config::docker_manifest(&config_file, &blobs.tag, &layer_file),
                ),
            ];
            write_archive(path, &members)?;
        }
        Target::OciArchive { .. } | Target::OciDir { .. } => {
            let index = config::index(&manifest_desc, &blobs.tag, blobs.meta);
            let members = vec![
                Member::Bytes(
                    "oci-layout".into(),
                    br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
                ),
                Member::File(blob_path(&layer_desc.digest), blobs.layer.gzip.clone()),
                Member::Bytes(blob_path(&config_digest), blobs.config.clone()),
                Member::Bytes(blob_path(&manifest_desc.digest), manifest),
                Member::Bytes("index.json".into(), index),
            ];
            match target {
                Target::OciDir { path, .. } => write_dir(path, &members)?,
                _ => write_archive(target.path(), &members)?,
            }
        }
    }
    Ok(digests)
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", hex_of(digest))
}

/// One file of the output: bytes in hand, or a file written earlier (the layer).
enum Member {
    Bytes(String, Vec<u8>),
    File(String, PathBuf),
}

/// The directory a target's temporary twin is made in.
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn write_archive(path: &Path, members: &[Member]) -> Result<(), SlimError> {
    let what = || format!("cannot write {}", path.display());
    let tmp = tempfile::NamedTempFile::new_in(parent_of(path)).map_err(SlimError::io(what()))?;
    let mut out = tar::Builder::new(io::BufWriter::new(tmp));
    let mut dirs: Vec<String> = Vec::new();
    for m in members {
        let name = match m {
            Member::Bytes(n, _) | Member::File(n, _) => n,
        };
        // Parent directories first, as `docker save` writes them.
        if let Some((dir, _)) = name.rsplit_once('/') {
            let mut at = String::new();
            for part in dir.split('/') {
                at = if at.is_empty() {
                    part.to_string()
                } else {
                    format!("{at}/{part}")
                };
                if !dirs.contains(&at) {
                    let mut h = archive_header(tar::EntryType::Directory, 0, 0o755);
                    out.append_data(&mut h, format!("{at}/"), io::empty())
                        .map_err(SlimError::io(what()))?;
                    dirs.push(at.clone());
                }
            }
        }
        match m {
            Member::Bytes(n, b) => {
                let mut h = archive_header(tar::EntryType::Regular, b.len() as u64, 0o644);
                out.append_data(&mut h, n, &b[..])
                    .map_err(SlimError::io(what()))?;
            }
            Member::File(n, p) => {
                let f = File::open(p).map_err(SlimError::io(what()))?;
                let len = f.metadata().map_err(SlimError::io(what()))?.len();
                let mut h = archive_header(tar::EntryType::Regular, len, 0o644);
                out.append_data(&mut h, n, f)
                    .map_err(SlimError::io(what()))?;
            }
        }
    }
    let buffered = out.into_inner().map_err(SlimError::io(what()))?;
    let tmp = buffered.into_inner().map_err(|e| SlimError::Io {
        what: what(),
        source: e.into_error(),
    })?;
    tmp.persist(path).map_err(|e| SlimError::Io {
        what: what(),
        source: e.error,
    })?;
    Ok(())
}

fn archive_header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h
}

/// An OCI layout directory: written beside, then renamed into place. An existing
/// directory must be empty (an image is never written over another).
fn write_dir(path: &Path, members: &[Member]) -> Result<(), SlimError> {
    let what = || format!("cannot write {}", path.display());
    if path.exists() {
        let empty = std::fs::read_dir(path)
            .map_err(SlimError::io(what()))?
            .next()
            .is_none();
        if !empty {
            return Err(SlimError::Output(format!(
                "{} exists and is not empty: choose a new directory for oci:DIR",
                path.display()
            )));
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix(".microscope-slim")
        .tempdir_in(parent_of(path))
        .map_err(SlimError::io(what()))?;
    for m in members {
        let (name, dest) = match m {
            Member::Bytes(n, _) | Member::File(n, _) => (n, tmp.path().join(n)),
        };
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(SlimError::io(what()))?;
        }
        let r = match m {
            Member::Bytes(_, b) => File::create(&dest).and_then(|mut f| f.write_all(b)),
            Member::File(_, p) => std::fs::copy(p, &dest).map(|_| ()),
        };
        r.map_err(SlimError::io(format!(
            "cannot write {name} in {}",
            path.display()
        )))?;
    }
    if path.exists() {
        std::fs::remove_dir(path).map_err(SlimError::io(what()))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, path).map_err(SlimError::io(what()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() -> Result<(), SlimError> {
        assert_eq!(
            Target::parse("docker-archive:/x/slim.tar:app:slim")?,
            Target::DockerArchive {
                path: "/x/slim.tar".into(),
                name: Some("app:slim".into())
            }
        );
        assert_eq!(
            Target::parse("oci:out")?,
            Target::OciDir {
                path: "out".into(),
                tag: None
            }
        );
        let e = Target::parse("slim.tar").unwrap_err().to_string();
        assert!(e.contains("expected oci-archive:PATH"), "{e}");
        let e = Target::parse("docker://x/y").unwrap_err().to_string();
        assert!(e.contains("unknown transport \"docker\""), "{e}");
        let e = Target::parse("oci-archive:").unwrap_err().to_string();
        assert!(e.contains("no path"), "{e}");
        Ok(())
    }
}
