//! Small OCI artifacts kept in a registry repository under a tag: one blob each, with its
//! own `artifactType` and annotations (the fleet's shared scan cache is made of these, as
//! BuildKit keeps build cache in a registry with `--cache-to type=registry`).

use super::super::SourceError;
use super::session::Session;
use oci_client::RegistryOperation;
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
    /// one-blob artifact no larger than `max` (whatever else sits under that tag).
    pub fn get_artifact(
        &self,
        repo: &str,
        tag: &str,
        max: u64,
    ) -> Result<Option<Artifact>, SourceError> {
        let reference = self.reference(repo, tag);
        let pulled = self.rt.block_on(async {
            self.client
                .pull_manifest(&reference, &self.auth)
                .await
                .map(|(m, _)| m)
        });
        let manifest = match pulled {
            Ok(OciManifest::Image(m)) => m,
            Ok(OciManifest::ImageIndex(_)) => return Ok(None),
            Err(e) => {
                return match self.error(e) {
                    SourceError::ImageNotFound(_) => Ok(None),
                    e => Err(e),
                };
            }
        };
        let (Some(artifact_type), [layer]) = (manifest.artifact_type, &manifest.layers[..]) else {
            return Ok(None);
        };
        if layer.size < 0 || layer.size as u64 > max {
            return Ok(None);
        }
        let mut blob = Vec::with_capacity(layer.size as usize);
        self.rt
            .block_on(self.client.pull_blob(&reference, layer, &mut blob))
            .map_err(|e| self.error(e))?;
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
                size: artifact.blob.len() as i64,
                ..Default::default()
            }],
            subject: None,
            artifact_type: Some(artifact.artifact_type.clone()),
            annotations: Some(artifact.annotations.clone()),
        };
        self.rt
            .block_on(async {
                self.client
                    .auth(&reference, &self.auth, RegistryOperation::Push)
                    .await?;
                self.client
                    .push_blob(&reference, artifact.blob.clone(), &digest)
                    .await?;
                self.client
                    .push_blob(&reference, EMPTY_CONFIG, &config_digest)
                    .await?;
                self.client
                    .push_manifest(&reference, &OciManifest::Image(manifest))
                    .await
            })
            .map(|_| ())
            .map_err(|e| self.error(e))
    }
}
