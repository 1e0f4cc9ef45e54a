//! OCI image layouts, as a directory (`oci:`) or tarred (`oci-archive:`).

use super::config::{self, OciImage};
use super::store::{BlobStore, DirStore};
use super::{ImageSource, LayerReader, SourceError, SourceOptions, select};
use crate::image::ImageMeta;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use std::path::Path;

/// Nested indexes (containerd's `docker save`) are followed this deep, no further: an index
/// may name itself.
const MAX_INDEX_DEPTH: usize = 4;

pub struct OciLayout {
    store: Box<dyn BlobStore>,
    meta: ImageMeta,
}

impl OciLayout {
    pub fn open_dir(
        path: &Path,
        tag: Option<&str>,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        if !path.is_dir() {
            return Err(if path.exists() {
                SourceError::NotAnImage(format!(
                    "{} is not a directory (use oci-archive: for a tar)",
                    path.display()
                ))
            } else {
                SourceError::NotFound(path.display().to_string())
            });
        }
        Self::from_store(Box::new(DirStore::new(path)), tag, opts, display, "oci")
    }

    pub fn open_archive(
        path: &Path,
        tag: Option<&str>,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        if !path.exists() {
            return Err(SourceError::NotFound(path.display().to_string()));
        }
        Self::from_store(
            super::packed::open_tar(path)?,
            tag,
            opts,
            display,
            "oci-archive",
        )
    }

    pub fn from_store(
        store: Box<dyn BlobStore>,
        tag: Option<&str>,
        opts: &SourceOptions,
        display: &str,
        kind: &str,
    ) -> Result<Self, SourceError> {
        let raw = store.read_small("index.json").map_err(|e| match e {
            SourceError::MissingBlob(_) => SourceError::NotAnImage(format!(
                "{} has no index.json (not an OCI layout)",
                store.describe()
            )),
            e => e,
        })?;
        let index =
            serde_json::from_slice::<ImageIndex>(&raw).map_err(|e| SourceError::Unparsable {
                what: "index.json".into(),
                source: e.into(),
            })?;
        let tagged = select::by_tag(index.manifests(), tag, opts.platform.as_ref())?;
        let manifest_desc = resolve(&*store, &tagged, opts, 0)?;
        let digest = manifest_desc.digest().to_string();
        let manifest_bytes = read_blob(&*store, &digest, "manifest")?;
        let manifest = serde_json::from_slice::<ImageManifest>(&manifest_bytes).map_err(|e| {
            SourceError::Unparsable {
                what: format!("manifest {digest}"),
                source: e.into(),
            }
        })?;
        if let Some(kind) = config::artifact_kind(&manifest) {
            // Before the config is read: an artifact's may be absent from the layout.
            return Err(SourceError::Artifact(format!(
                "{display} is an OCI artifact ({kind}), not a container image"
            )));
        }
        let config_digest = manifest.config().digest().to_string();
        let config_bytes = read_blob(&*store, &config_digest, "config")?;
        let meta = OciImage {
            manifest: &manifest,
            manifest_digest: digest,
            config: &config_bytes,
            reference: display,
            source: kind,
        }
        .meta(opts, blob_path)?;
        Ok(OciLayout { store, meta })
    }
}

/// Follows nested indexes down to one image manifest.
fn resolve(
    store: &dyn BlobStore,
    descs: &[&Descriptor],
    opts: &SourceOptions,
    depth: usize,
) -> Result<Descriptor, SourceError> {
    let chosen = select::by_platform(descs, opts.platform.as_ref())?;
    if !is_index(chosen) {
        return Ok(chosen.clone());
    }
    if depth >= MAX_INDEX_DEPTH {
        return Err(SourceError::Corrupt(format!(
            "indexes nested more than {MAX_INDEX_DEPTH} deep (an index that names itself?)"
        )));
    }
    let digest = chosen.digest().to_string();
    let bytes = read_blob(store, &digest, "index")?;
    let nested =
        serde_json::from_slice::<ImageIndex>(&bytes).map_err(|e| SourceError::Unparsable {
            what: format!("index {digest}"),
            source: e.into(),
        })?;
    let list: Vec<&Descriptor> = nested.manifests().iter().collect();
    resolve(store, &list, opts, depth + 1)
}

fn is_index(d: &Descriptor) -> bool {
    let mt = d.media_type().to_string();
    mt.contains("image.index") || mt.contains("manifest.list")
}

fn blob_path(digest: &str) -> String {
    let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    format!("blobs/{alg}/{hex}")
}

/// Manifests and indexes: 4 MiB, as from a registry (the Docker registry's own limit), so
/// a manifest of 300 000 layers is refused before it is parsed. Configs may be larger (a
/// long history) and are bounded by `MAX_JSON`.
const MAX_MANIFEST: u64 = 4 << 20;

fn read_blob(store: &dyn BlobStore, digest: &str, what: &str) -> Result<Vec<u8>, SourceError> {
    let path = blob_path(digest);
    if what != "config"
        && let Some(size) = store.size(&path).filter(|&s| s > MAX_MANIFEST)
    {
        return Err(SourceError::Corrupt(format!(
            "{what} {digest} is {size} bytes, more than the {} MiB limit",
            MAX_MANIFEST >> 20
        )));
    }
    let bytes = store.read_small(&path)?;
    config::verify(&bytes, digest, what)?;
    Ok(bytes)
}

impl ImageSource for OciLayout {
    fn meta(&self) -> &ImageMeta {
        &self.meta
    }

    fn cache_guard(&self, index: usize) -> super::CacheGuard {
        match self.meta.layers.get(index) {
            Some(d) => self.store.cache_guard(&d.locator),
            None => super::CacheGuard::Uncached,
        }
    }

    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError> {
        let desc = self
            .meta
            .layers
            .get(index)
            .ok_or_else(|| SourceError::MissingBlob(format!("layer {index}")))?;
        Ok(super::buffered(self.store.open(&desc.locator)?))
    }
}
