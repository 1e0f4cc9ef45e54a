//! The image config (OCI or Docker, same JSON) turned into the model's metadata.

use super::{SourceError, SourceOptions};
use crate::image::model::HistoryEntry;
use crate::image::{ImageMeta, LayerDesc, Platform, RunConfig};
use oci_spec::image::{ImageConfiguration, ImageManifest};

/// Layers an image may have. Docker's overlay2 driver refuses images deeper than 128; each
/// layer costs memory before it is read (300 000 of them in a manifest took 1.2 GB), so an
/// absurd count is refused as soon as the manifest is parsed.
pub const MAX_LAYERS: usize = 4096;

/// Refuses a manifest listing more than [`MAX_LAYERS`] layers.
pub fn check_layer_count(n: usize) -> Result<(), SourceError> {
    if n > MAX_LAYERS {
        return Err(SourceError::Unsupported(format!(
            "the manifest lists {n} layers; microscope reads at most {MAX_LAYERS} \
             (Docker runs at most 128)"
        )));
    }
    Ok(())
}

/// What the config says: platform, runtime settings, history, expected diff_ids.
pub struct ParsedConfig {
    pub platform: Platform,
    pub run: RunConfig,
    pub history: Vec<HistoryEntry>,
    pub diff_ids: Vec<String>,
}

impl ParsedConfig {
    /// Refuses an image of another platform than `--platform` asks for.
    pub fn check_platform(&self, opts: &SourceOptions) -> Result<(), SourceError> {
        match &opts.platform {
            Some(w) if !w.accepts(&self.platform) => Err(SourceError::NoPlatform {
                wanted: w.to_string(),
                available: self.platform.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The diff_id of each of `layers` layers, all None (with a warning) when the config
    /// lists another number of them than the manifest has layers.
    pub fn diff_ids_for(&self, layers: usize, warnings: &mut Vec<String>) -> Vec<Option<String>> {
        if self.diff_ids.len() == layers {
            return self.diff_ids.iter().cloned().map(Some).collect();
        }
        warnings.push(format!(
            "config lists {} diff_ids for {layers} layers; diff_ids not checked",
            self.diff_ids.len()
        ));
        vec![None; layers]
    }
}

pub fn parse(bytes: &[u8], what: &str) -> Result<ParsedConfig, SourceError> {
    // serde_json directly, not oci-spec's `from_reader`: its error says only "serde failed".
    let cfg = serde_json::from_slice::<ImageConfiguration>(bytes).map_err(|e| {
        SourceError::Unparsable {
            what: format!("config {what}"),
            source: e.into(),
        }
    })?;
    let platform = Platform {
        os: cfg.os().to_string(),
        architecture: cfg.architecture().to_string(),
        variant: cfg.variant().clone(),
    };
    let mut run = RunConfig::default();
    if let Some(c) = cfg.config() {
        run.entrypoint = c.entrypoint().clone().unwrap_or_default();
        run.cmd = c.cmd().clone().unwrap_or_default();
        run.env = c.env().clone().unwrap_or_default();
        run.user = c.user().clone().unwrap_or_default();
        run.working_dir = c.working_dir().clone().unwrap_or_default();
        let mut ports = c.exposed_ports().clone().unwrap_or_default();
        ports.sort();
        run.exposed_ports = ports;
        let mut labels: Vec<(String, String)> =
            c.labels().clone().unwrap_or_default().into_iter().collect();
        labels.sort();
        run.labels = labels;
    }
    let history = cfg
        .history()
        .iter()
        .flatten()
        .map(|h| HistoryEntry {
            created_by: h
                .created_by()
                .clone()
                .or_else(|| h.comment().clone())
                .unwrap_or_default(),
            empty_layer: h.empty_layer().unwrap_or(false),
        })
        .collect();
    Ok(ParsedConfig {
        platform,
        run,
        history,
        diff_ids: cfg.rootfs().diff_ids().clone(),
    })
}

/// `sha256:<hex>` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::scan::hasher::digest_name(Sha256::new_with_prefix(bytes))
}

/// Checks bytes read from a store against the digest that names them.
/// sha256 and sha512 are checked; any other algorithm is an error (issue 17: an unchecked
/// algorithm let swapped content through).
pub fn verify(bytes: &[u8], expected: &str, what: &str) -> Result<(), SourceError> {
    super::digest::verify(bytes, expected, what)
}

/// What an OCI image manifest and its config describe, for any source that reads them (an
/// OCI layout, a registry): the platform checked against the one asked for, one layer per
/// manifest entry (`locate` says where its blob is), diff_ids paired when the config lists
/// exactly one per layer.
pub struct OciImage<'a> {
    pub manifest: &'a ImageManifest,
    pub manifest_digest: String,
    pub config: &'a [u8],
    pub reference: &'a str,
    pub source: &'a str,
}

impl OciImage<'_> {
    pub fn meta(
        self,
        opts: &SourceOptions,
        locate: impl Fn(&str) -> String,
    ) -> Result<ImageMeta, SourceError> {
        if let Some(kind) = artifact_kind(self.manifest) {
            return Err(SourceError::Artifact(format!(
                "{} is an OCI artifact ({kind}), not a container image",
                self.reference
            )));
        }
        check_layer_count(self.manifest.layers().len())?;
        let config_digest = self.manifest.config().digest().to_string();
        let parsed = parse(self.config, &config_digest)?;
        parsed.check_platform(opts)?;
        let mut warnings = Vec::new();
        let diff_ids = parsed.diff_ids_for(self.manifest.layers().len(), &mut warnings);
        let ParsedConfig {
            platform,
            run,
            history,
            ..
        } = parsed;
        let layers = self
            .manifest
            .layers()
            .iter()
            .enumerate()
            .map(|(i, d)| LayerDesc {
                digest: Some(d.digest().to_string()),
                diff_id: diff_ids[i].clone(),
                media_type: d.media_type().to_string(),
                size: Some(d.size()),
                locator: locate(d.digest().as_ref()),
            })
            .collect();
        Ok(ImageMeta {
            reference: self.reference.to_string(),
            source: self.source.to_string(),
            platform,
            manifest_digest: Some(self.manifest_digest),
            config_digest: Some(config_digest),
            run,
            history,
            layers,
            warnings,
            origin: None,
        })
    }
}

/// Config media types of images an engine runs (OCI, Docker).
const IMAGE_CONFIG_TYPES: [&str; 2] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];

/// Why a manifest is an artifact rather than an image, as containerd's unpacker sees it:
/// a config that is not an image config (the empty `{}` of OCI 1.1 artifacts, a Helm
/// chart's), or layers that are not filesystem tars (BuildKit's in-toto attestations).
pub fn artifact_kind(manifest: &ImageManifest) -> Option<String> {
    // Media types come from the manifest: control characters are shown escaped.
    let config_type = manifest.config().media_type().to_string();
    if !IMAGE_CONFIG_TYPES.contains(&config_type.as_str()) {
        return Some(format!("config type {}", config_type.escape_debug()));
    }
    if let Some(t) = manifest.artifact_type() {
        return Some(format!("artifact type {}", t.to_string().escape_debug()));
    }
    manifest
        .layers()
        .iter()
        .map(|l| l.media_type().to_string())
        .find(|t| !is_layer_tar(t))
        .map(|t| format!("layer type {}", t.escape_debug()))
}

/// A filesystem layer's media type: OCI's and Docker's tar types, any compression,
/// distributable or not.
fn is_layer_tar(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.oci.image.layer.")
        || media_type.starts_with("application/vnd.docker.image.rootfs.")
}
