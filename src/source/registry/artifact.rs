//! Small OCI artifacts kept in a registry repository under a tag: one blob each, with its
//! own `artifactType` and annotations (the fleet's shared scan cache is made of these, as
//! BuildKit keeps build cache in a registry with `--cache-to type=registry`).

use super::super::{RegistryError, SourceError};
use super::session::Session;
use super::{bounded, upload};
use oci_client::manifest::{OciDescriptor, OciImageManifest, OciManifest};
use std::collections::BTreeMap;

/// The OCI "empty" config an artifact carries (image-spec 1.1).
const EMPTY_CONFIG: &[u8] = b"{}";
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// An artifact as read back: its type, annotations and the one blob's bytes (digest-checked).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub artifact_type: String,
    pub annotations: BTreeMap<String, String>,
    pub blob: Vec<u8>,
}

impl Session {
    /// The artifact tagged `tag` in `repo`; None when there is none, or it is not a
    /// one-blob artifact no larger than `max` (whatever else sits under that tag). The
    /// manifest is read to 4 MiB and the blob to its descriptor's size, as an image's are.
    pub fn get_artifact(
        &self,
        repo: &str,
        tag: &str,
        max: u64,
    ) -> Result<Option<Artifact>, SourceError> {
        self.rt.block_on(self.fetch_artifact(repo, tag, max))
    }

    async fn fetch_artifact(
        &self,
        repo: &str,
        tag: &str,
        max: u64,
    ) -> Result<Option<Artifact>, SourceError> {
        let reference = self.reference(repo, tag);
        let ctx = self.ctx();
        let http = self.http_for(&format!("repository:{repo}:pull")).await?;
        let bytes = match bounded::manifest(&http, &reference, &ctx).await {
            Ok((bytes, _)) => bytes,
            Err(SourceError::Registry(RegistryError::NotFound { .. })) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Ok(OciManifest::Image(manifest)) = serde_json::from_slice::<OciManifest>(&bytes) else {
            return Ok(None);
        };
        let (Some(artifact_type), [layer]) = (manifest.artifact_type, &manifest.layers[..]) else {
            return Ok(None);
        };
        let Some(size) = u64::try_from(layer.size).ok().filter(|s| *s <= max) else {
            return Ok(None);
        };
        let blob = bounded::blob(&http, &reference, &layer.digest, size, &ctx).await?;
        if crate::source::config::sha256(&blob) != layer.digest {
            return Ok(None);
        }
        Ok(Some(Artifact {
            artifact_type,
            annotations: manifest.annotations.unwrap_or_default(),
            blob,
        }))
    }

    /// Pushes `artifact` to `repo` under `tag` (the blob, the empty config, the manifest).
    pub fn put_artifact(
        &self,
        repo: &str,
        tag: &str,
        artifact: &Artifact,
        blob_media_type: &str,
    ) -> Result<(), SourceError> {
        let reference = self.reference(repo, tag);
        let digest = crate::source::config::sha256(&artifact.blob);
        let config_digest = crate::source::config::sha256(EMPTY_CONFIG);
        let manifest = OciImageManifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
            config: OciDescriptor {
                media_type: EMPTY_MEDIA_TYPE.to_string(),
                digest: config_digest.clone(),
                size: EMPTY_CONFIG.len() as i64,
                ..Default::default()
            },
            layers: vec![OciDescriptor {
                media_type: blob_media_type.to_string(),
                digest: digest.clone(),
                size: i64::try_from(artifact.blob.len()).unwrap_or(i64::MAX),
                ..Default::default()
            }],
            subject: None,
            artifact_type: Some(artifact.artifact_type.clone()),
            annotations: Some(artifact.annotations.clone()),
        };
        let manifest = serde_json::to_vec(&manifest).map_err(|e| SourceError::RemoteBecause {
            what: "cannot write an artifact manifest".into(),
            source: e.into(),
        })?;
        let ctx = self.ctx();
        self.rt.block_on(async {
            let http = self
                .http_for(&format!("repository:{repo}:pull,push"))
                .await?;
            let blobs = [
                (&digest, artifact.blob.clone()),
                (&config_digest, EMPTY_CONFIG.to_vec()),
            ];
            for (digest, bytes) in blobs {
                let len = bytes.len() as u64;
                upload::push_blob(&http, &reference, digest, bytes.into(), len, &ctx).await?;
            }
            upload::push_manifest(&http, &reference, manifest, MANIFEST_MEDIA_TYPE, &ctx).await?;
            Ok(())
        })
    }
}
