//! From a reference to the image's manifest and config: through indexes (the platform
//! chosen by [`super::super::select`]), each document checked against its digest and
//! cached by it, so a warm run asks only for the tag.

use super::super::config;
use super::super::{SourceError, SourceOptions, select};
use super::bounded::{self, Http, MAX_CONFIG, MAX_MANIFEST};
use super::errors::Ctx;
use crate::cache::Cache;
use oci_client::Reference;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

/// An index may name another index; followed this deep, no further.
const MAX_INDEX_DEPTH: usize = 4;

/// Manifest (through any indexes), then config: each from the cache when asked by digest.
/// `first` is `reference`'s manifest when it was already asked for; `before_config` sees the
/// image's manifest before its config is asked for (not when the cache has the config).
pub(super) async fn fetch_image(
    http: &Http,
    reference: &Reference,
    (opts, cache): (&SourceOptions, Option<&Cache>),
    ctx: &Ctx<'_>,
    mut first: Option<bounded::Manifest>,
    before_config: &dyn Fn(&ImageManifest),
) -> Result<(String, ImageManifest, Vec<u8>), SourceError> {
    let mut current = reference.clone();
    for depth in 0..=MAX_INDEX_DEPTH {
        let (bytes, digest) = match current.digest().and_then(|d| cache?.get_blob(d)) {
            Some(bytes) => (bytes, current.digest().unwrap_or_default().to_string()),
            None => {
                let (bytes, digest) = match first.take() {
                    Some(m) => m,
                    None => bounded::manifest(http, &current, ctx).await?,
                };
                if bytes.len() as u64 > MAX_MANIFEST {
                    return Err(SourceError::Corrupt(format!(
                        "manifest {digest} is {} bytes, more than the {} MiB limit",
                        bytes.len(),
                        MAX_MANIFEST >> 20
                    )));
                }
                config::verify(&bytes, &digest, "manifest")?;
                keep(cache, &digest, &bytes);
                (bytes, digest)
            }
        };
        match media_type_of(&bytes).as_str() {
            t if t.contains("image.index") || t.contains("manifest.list") => {
                if depth == MAX_INDEX_DEPTH {
                    break;
                }
                let index =
                    ImageIndex::from_reader(&bytes[..]).map_err(|e| SourceError::Unparsable {
                        what: format!("index {digest}"),
                        source: e.into(),
                    })?;
                let all: Vec<&Descriptor> = index.manifests().iter().collect();
                let chosen = select::by_platform(&all, opts.platform.as_ref())?;
                current = current.clone_with_digest(chosen.digest().to_string());
            }
            t if t.starts_with("application/vnd.docker.distribution.manifest.v1") => {
                return Err(SourceError::Unsupported(
                    "Docker schema 1 manifests are not supported (push the image again)".into(),
                ));
            }
            _ => {
                let manifest = ImageManifest::from_reader(&bytes[..]).map_err(|e| {
                    SourceError::Unparsable {
                        what: format!("manifest {digest}"),
                        source: e.into(),
                    }
                })?;
                let config =
                    fetch_config(http, &current, &manifest, cache, ctx, before_config).await?;
                return Ok((digest, manifest, config));
            }
        }
    }
    Err(SourceError::Corrupt(format!(
        "indexes nested more than {MAX_INDEX_DEPTH} deep (an index that names itself?)"
    )))
}

async fn fetch_config(
    http: &Http,
    reference: &Reference,
    manifest: &ImageManifest,
    cache: Option<&Cache>,
    ctx: &Ctx<'_>,
    before: &dyn Fn(&ImageManifest),
) -> Result<Vec<u8>, SourceError> {
    let desc = manifest.config();
    let digest = desc.digest().to_string();
    if let Some(bytes) = cache.and_then(|c| c.get_blob(&digest)) {
        return Ok(bytes);
    }
    before(manifest);
    if desc.size() > MAX_CONFIG {
        return Err(SourceError::Corrupt(format!(
            "config {digest} is {} bytes, more than the {} MiB limit",
            desc.size(),
            MAX_CONFIG >> 20
        )));
    }
    // The body is read to the descriptor's size and no further: a registry that sends
    // more (or never stops) is refused at that point.
    let bytes = bounded::blob(http, reference, &digest, desc.size(), ctx).await?;
    config::verify(&bytes, &digest, "config")?;
    keep(cache, &digest, &bytes);
    Ok(bytes)
}

/// Keeps a checked manifest or config in the cache off the pull's path: the write, and the
/// walk of the whole cache that keeps it under its bound after each blob, run on a blocking
/// thread while the pull goes on (the runtime waits for it when it is dropped).
fn keep(cache: Option<&Cache>, digest: &str, bytes: &[u8]) {
    if let Some(c) = cache {
        let (c, digest, bytes) = (c.clone(), digest.to_string(), bytes.to_vec());
        tokio::task::spawn_blocking(move || c.put_blob(&digest, &bytes));
    }
}

/// `mediaType` of a manifest or index; an index without one is recognised by `manifests`.
fn media_type_of(bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
        #[serde(default)]
        schema_version: Option<u32>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(Probe {
            media_type: Some(t),
            ..
        }) => t,
        Ok(Probe {
            manifests: Some(_), ..
        }) => "application/vnd.oci.image.index.v1+json".into(),
        Ok(Probe {
            schema_version: Some(1),
            ..
        }) => "application/vnd.docker.distribution.manifest.v1+json".into(),
        _ => "application/vnd.oci.image.manifest.v1+json".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_sniffed() {
        assert!(media_type_of(br#"{"manifests":[]}"#).contains("index"));
        assert!(media_type_of(br#"{"schemaVersion":1}"#).contains("distribution.manifest.v1"));
        assert!(media_type_of(br#"{"layers":[]}"#).contains("manifest.v1+json"));
    }
}
