//! `docker save` archives: the legacy layout (`<id>/layer.tar`), skopeo's (`<diffid>.tar`)
//! and Docker 25+'s (OCI `blobs/sha256/…` plus `manifest.json`). `manifest.json` is read
//! in every case: Docker 25.0.0 wrote OCI manifests with no layers (moby#47065).

use super::config::{self, ParsedConfig};
use super::store::BlobStore;
use super::{ImageSource, LayerReader, SourceError, SourceOptions};
use crate::image::{ImageMeta, LayerDesc};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
    #[serde(default)]
    layer_sources: Option<HashMap<String, LayerSource>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LayerSource {
    #[serde(default)]
    media_type: String,
}

pub struct DockerArchive {
    store: Box<dyn BlobStore>,
    meta: ImageMeta,
}

impl DockerArchive {
    pub fn open(
        path: &Path,
        select: Option<&str>,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        if !path.exists() {
            return Err(SourceError::NotFound(path.display().to_string()));
        }
        let store: Box<dyn BlobStore> = if path.is_dir() {
            Box::new(super::store::DirStore::new(path))
        } else {
            super::packed::open_tar(path)?
        };
        Self::from_store(store, select, opts, display)
    }

    /// `select` is a `name:tag` from RepoTags or `@N`, the N-th image of the archive.
    pub fn from_store(
        store: Box<dyn BlobStore>,
        select: Option<&str>,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        let raw = store.read_small("manifest.json").map_err(|e| match e {
            SourceError::MissingBlob(_) => SourceError::NotAnImage(format!(
                "{} has no manifest.json (not a docker save archive)",
                store.describe()
            )),
            e => e,
        })?;
        let entries: Vec<ManifestEntry> =
            serde_json::from_slice(&raw).map_err(|e| SourceError::Unparsable {
                what: "manifest.json".into(),
                source: e.into(),
            })?;
        let entry = pick(&entries, select, &*store, opts)?;
        config::check_layer_count(entry.layers.len())?;
        let config_bytes = store.read_small(&entry.config)?;
        if let Some(hex) = blob_hex(&entry.config).or_else(|| legacy_config_hex(&entry.config)) {
            config::verify(&config_bytes, &format!("sha256:{hex}"), "config")?;
        }
        let parsed = config::parse(&config_bytes, &entry.config)?;
        parsed.check_platform(opts)?;
        let mut warnings = Vec::new();
        let diff_ids = parsed.diff_ids_for(entry.layers.len(), &mut warnings);
        let ParsedConfig {
            platform,
            run,
            history,
            ..
        } = parsed;
        let layers = entry
            .layers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let diff_id = diff_ids[i].clone();
                let media_type = diff_id
                    .as_ref()
                    .and_then(|d| entry.layer_sources.as_ref()?.get(d))
                    .map(|s| s.media_type.clone())
                    .unwrap_or_else(|| "application/vnd.docker.image.rootfs.diff.tar".into());
                LayerDesc {
                    digest: blob_hex(p).map(|h| format!("sha256:{h}")),
                    diff_id,
                    media_type,
                    size: store.size(p),
                    locator: p.clone(),
                }
            })
            .collect();
        let meta = ImageMeta {
            reference: display.to_string(),
            source: "docker-archive".into(),
            platform,
            manifest_digest: None,
            config_digest: Some(config::sha256(&config_bytes)),
            run,
            history,
            layers,
            warnings,
            origin: None,
        };
        Ok(DockerArchive { store, meta })
    }
}

fn pick<'a>(
    entries: &'a [ManifestEntry],
    select: Option<&str>,
    store: &dyn BlobStore,
    opts: &SourceOptions,
) -> Result<&'a ManifestEntry, SourceError> {
    let Some(sel) = select else {
        return only_image(entries, store, opts);
    };
    if let Some(n) = sel.strip_prefix('@') {
        let n: usize = n
            .parse()
            .map_err(|_| SourceError::NotAnImage(format!("{sel:?} is not an image index")))?;
        return entries.get(n).ok_or_else(|| {
            SourceError::NotAnImage(format!("the archive has {} images, no @{n}", entries.len()))
        });
    }
    // skopeo compares normalised names: `alpine` is `docker.io/library/alpine:latest`.
    let wanted = normalized_name(sel);
    entries
        .iter()
        .find(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|t| normalized_name(t) == wanted)
        })
        .ok_or_else(|| {
            SourceError::NotAnImage(format!(
                "no image tagged {sel:?} in the archive (it holds {})",
                listing(entries)
            ))
        })
}

/// No name or index given: the only image, or the only one of the wanted platform (the
/// host's when `--platform` is not given); several left is an error that lists them, as
/// skopeo refuses an archive of several images without `:@N`.
fn only_image<'a>(
    entries: &'a [ManifestEntry],
    store: &dyn BlobStore,
    opts: &SourceOptions,
) -> Result<&'a ManifestEntry, SourceError> {
    match entries {
        [] => Err(SourceError::NotAnImage(
            "manifest.json lists no image".into(),
        )),
        [one] => Ok(one),
        _ => {
            let wanted = opts
                .platform
                .clone()
                .unwrap_or_else(crate::image::Platform::host);
            let matching: Vec<&ManifestEntry> = entries
                .iter()
                .filter(|e| {
                    let bytes = store.read_small(&e.config).ok();
                    let parsed = bytes.and_then(|b| config::parse(&b, &e.config).ok());
                    parsed.is_some_and(|p| wanted.accepts(&p.platform))
                })
                .collect();
            match matching[..] {
                [one] => Ok(one),
                _ => Err(SourceError::Ambiguous(format!(
                    "{} holds {} images; name one with :NAME:TAG or :@N ({})",
                    store.describe(),
                    entries.len(),
                    listing(entries)
                ))),
            }
        }
    }
}

/// `@0 (alpine:3.20), @1 (untagged)`: what `:@N` and `:NAME:TAG` can select.
fn listing(entries: &[ManifestEntry]) -> String {
    let items: Vec<String> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let tags = e.repo_tags.as_deref().unwrap_or_default();
            if tags.is_empty() {
                format!("@{i} (untagged)")
            } else {
                // Names come from the archive: control characters are shown escaped.
                format!("@{i} ({})", tags.join(", ").escape_debug())
            }
        })
        .collect();
    items.join(", ")
}

/// A Docker name in full: `docker.io/library/` for an official image, `:latest` when no
/// tag is given.
fn normalized_name(name: &str) -> String {
    let tagged = match name.rfind(':') {
        Some(i) if !name[i + 1..].contains('/') => name.to_string(),
        _ => format!("{name}:latest"),
    };
    let first = tagged.split('/').next().unwrap_or_default();
    let has_domain = tagged.contains('/')
        && (first.contains(['.', ':']) || first == "localhost" || first != first.to_lowercase());
    let full = if has_domain {
        tagged
    } else {
        format!("docker.io/{tagged}")
    };
    match full.strip_prefix("docker.io/") {
        Some(rest) if !rest.contains('/') => format!("docker.io/library/{rest}"),
        _ => full,
    }
}

/// `blobs/sha256/<hex>` names its own digest.
fn blob_hex(path: &str) -> Option<&str> {
    let hex = path.strip_prefix("blobs/sha256/")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// The legacy layout names the config `<sha256 of it>.json` (the image ID), kaniko
/// `sha256:<hex>`: check it too.
fn legacy_config_hex(path: &str) -> Option<&str> {
    let hex = path
        .strip_suffix(".json")
        .or_else(|| path.strip_prefix("sha256:"))?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

impl ImageSource for DockerArchive {
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
