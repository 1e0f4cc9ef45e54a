//! The image as analyses see it: metadata from manifest and config, plus every layer's scan.

use super::entry::LayerScan;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// The runtime part of the image config (what `docker inspect` calls `Config`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub user: String,
    pub working_dir: String,
    pub exposed_ports: Vec<String>,
    pub labels: Vec<(String, String)>,
}

/// One `history[]` entry of the config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub created_by: String,
    pub empty_layer: bool,
}

/// A layer as the manifest describes it, before scanning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerDesc {
    /// Digest of the blob as stored, when the manifest names one (`sha256:<hex>`).
    pub digest: Option<String>,
    /// Expected diff_id from the config's `rootfs.diff_ids`, when present.
    pub diff_id: Option<String>,
    pub media_type: String,
    /// Size the manifest declares for the blob, if any.
    pub size: Option<u64>,
    /// Where the source finds the blob (a path inside an archive, a digest...).
    pub locator: String,
}

/// What a source knows about an image before any layer is read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageMeta {
    /// How the user named the image.
    pub reference: String,
    /// The kind of source: docker-archive, oci, oci-archive, docker-daemon, registry...
    pub source: String,
    pub platform: Platform,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub run: RunConfig,
    pub history: Vec<HistoryEntry>,
    pub layers: Vec<LayerDesc>,
    pub warnings: Vec<String>,
    /// The reference as parsed when the image was opened (None for built-in images): what
    /// analyses read instead of parsing `reference` again.
    #[serde(skip)]
    pub origin: Option<crate::reference::ImageRef>,
}

/// A scanned layer with what the config says created it.
#[derive(Debug, Clone)]
pub struct Layer {
    pub index: usize,
    pub desc: LayerDesc,
    /// Full `created_by` of the matching non-empty history entry.
    pub command: String,
    pub scan: Arc<LayerScan>,
}

/// The image model: metadata and scanned layers, in order from the base up.
#[derive(Debug, Clone)]
pub struct Image {
    pub meta: ImageMeta,
    pub layers: Vec<Layer>,
    /// False when the load skipped hashing the layers (`--no-verify`): then each layer's
    /// digest and diff_id are what the manifest and config say, not what was read.
    pub digests_verified: bool,
}

impl Platform {
    /// The platform this binary runs on, spelled as OCI does.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut parts = s.split('/');
        let os = parts.next().filter(|p| !p.is_empty())?;
        let architecture = parts.next().filter(|p| !p.is_empty())?;
        let variant = parts.next().map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform {
            os: os.into(),
            architecture: architecture.into(),
            variant,
        })
    }

    /// True when `self` (a request) accepts `other` (an image's platform); a request without
    /// a variant accepts any variant.
    pub fn accepts(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl Image {
    /// Ties scans to their descriptors and history. History entries with `empty_layer`
    /// are skipped, the rest zipped with layers (tolerating a count mismatch, as Docker does).
    pub fn new(meta: ImageMeta, scans: Vec<Arc<LayerScan>>) -> Image {
        let commands: Vec<&str> = meta
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.as_str())
            .collect();
        let layers = meta
            .layers
            .iter()
            .zip(scans)
            .enumerate()
            .map(|(index, (desc, scan))| Layer {
                index,
                desc: desc.clone(),
                command: commands
                    .get(index)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                scan,
            })
            .collect();
        Image {
            meta,
            layers,
            digests_verified: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn platform_parses_and_matches() -> TestResult {
        let p = Platform::parse("linux/arm64/v8").ok_or("missing")?;
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux").is_none());
        assert!(Platform::parse("linux/amd64/v1/x").is_none());
        let req = Platform::parse("linux/arm64").ok_or("missing")?;
        assert!(req.accepts(&p));
        assert!(!p.accepts(&Platform::parse("linux/arm64/v7").ok_or("missing")?));
        Ok(())
    }
}
