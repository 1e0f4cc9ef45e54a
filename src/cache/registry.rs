//! The scan cache's registry tier, for fleets: a layer's scan pushed as an OCI artifact to
//! one repository, tagged by the layer's cache key (`sha256-HEX` of its blob digest, the key
//! the local cache uses: a scan records the compressed blob's digest and size, which the
//! loader checks), with the scan format in an annotation. An entry is the same bytes the
//! local cache writes (magic, format, key, length, sha256 of the payload) and is verified the
//! same way on read; one that fails any check, or is of another type or format, is a miss.

use super::MAX_ENTRY;
use super::entry::format_tag;
use super::scan_entry::{decode_scan, encode_scan};
use crate::cache::ScanCache;
use crate::image::LayerScan;
use crate::source::SourceError;
use crate::source::registry::Session;
use crate::source::registry::artifact::Artifact;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The `artifactType` of a scan entry.
pub const ARTIFACT_TYPE: &str = "application/vnd.microscope.layer-scan.v1";
/// The media type of its one blob.
const BLOB_MEDIA_TYPE: &str = "application/vnd.microscope.layer-scan.v1+zstd";
/// Annotations: the scan format (as the local cache names its directory) and the key.
pub const FORMAT_ANNOTATION: &str = "dev.microscope.scan.format";
const KEY_ANNOTATION: &str = "dev.microscope.scan.key";

/// Scans kept in `registry/repo`.
pub struct RegistryScans {
    session: Session,
    repo: String,
    /// Reads and writes that failed on the wire (each is then a miss, or not shared).
    pub failures: AtomicU64,
}

impl RegistryScans {
    /// Connects and asks once, so that a wrong address or refused credentials fail the run
    /// at its start in one line rather than turning every layer into a silent miss.
    pub fn connect(session: Session, repo: &str) -> Result<RegistryScans, SourceError> {
        session.get_artifact(repo, "microscope-probe", 0)?;
        Ok(RegistryScans {
            session,
            repo: repo.to_string(),
            failures: AtomicU64::new(0),
        })
    }

    fn tag(key: &str) -> Option<String> {
        super::digest_hex(key).map(|hex| format!("sha256-{hex}"))
    }
}

impl ScanCache for RegistryScans {
    fn get(&self, key: &str) -> Option<LayerScan> {
        let tag = Self::tag(key)?;
        let artifact = match self.session.get_artifact(&self.repo, &tag, MAX_ENTRY) {
            Ok(a) => a?,
            Err(_) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        if artifact.artifact_type != ARTIFACT_TYPE
            || artifact
                .annotations
                .get(FORMAT_ANNOTATION)
                .map(String::as_str)
                != Some(format_tag())
        {
            return None;
        }
        decode_scan(artifact.blob, key)
    }

    fn put(&self, key: &str, scan: &Arc<LayerScan>) {
        let (Some(tag), Some((mut blob, payload))) = (Self::tag(key), encode_scan(scan, key))
        else {
            return;
        };
        blob.extend_from_slice(&payload);
        let artifact = Artifact {
            artifact_type: ARTIFACT_TYPE.to_string(),
            annotations: BTreeMap::from([
                (FORMAT_ANNOTATION.to_string(), format_tag().to_string()),
                (KEY_ANNOTATION.to_string(), key.to_string()),
            ]),
            blob,
        };
        if self
            .session
            .put_artifact(&self.repo, &tag, &artifact, BLOB_MEDIA_TYPE)
            .is_err()
        {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}
