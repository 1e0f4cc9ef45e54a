//! The report: serialise-only wire types with a versioned schema (docs/schema.md).
//! Kept apart from the analysis types so the JSON stays stable when internals move.

use crate::analysis::Analysis;
use crate::analysis::duplicates::{Duplicates, MetadataCopies};
pub use crate::analysis::findings::{Finding, FindingPath, Severity};
use crate::analysis::packages::Package;
use crate::analysis::rewrite::Rewrite;
use crate::analysis::sizes::Sizes;
use crate::image::merge::WasteKind;
use crate::image::{Compression, Image};
use serde::{Deserialize, Serialize};

/// Bumped on any change a consumer of the JSON could notice.
pub const SCHEMA_VERSION: u32 = 1;

const TOP_WASTE: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub image: ImageInfo,
    pub size: Sizes,
    pub layers: Vec<LayerReport>,
    /// The largest files that are stored but not visible in the final filesystem.
    pub waste: Vec<WastedFile>,
    pub metadata_copies: MetadataCopies,
    pub duplicates: Duplicates,
    /// What to change and what it saves; counted-in-total first, largest saving first.
    pub findings: Vec<Finding>,
    /// Uncompressed bytes all findings' fixes together save, each byte counted once.
    pub findings_savable_bytes: u64,
    /// The smallest image that runs the same program (`null` when none is proposed; the
    /// reason is then among the warnings).
    #[serde(default)]
    pub rewrite: Option<Rewrite>,
    /// Why no rewrite is proposed, for front ends that must refuse `--rewrite` (not part of
    /// the JSON, which says it among the warnings).
    #[serde(skip)]
    pub rewrite_refusal: Option<String>,
    /// Packages of the final image, largest first.
    pub packages: Vec<Package>,
    /// Packages an earlier layer installed that the final image no longer has (removed, or
    /// replaced by another version).
    pub removed_packages: Vec<Package>,
    /// Final file bytes no package owns: `size.final_bytes − Σ packages[].bytes`.
    pub unowned_bytes: u64,
    /// The largest final files no package owns.
    pub largest_unowned: Vec<UnownedFile>,
    /// Package files whose content a later layer changed, largest first.
    pub modified_package_files: Vec<ModifiedPackageFile>,
    pub warnings: Vec<String>,
    /// False when the layers were not hashed (`--no-verify`); omitted when true, so a
    /// verified run's JSON is what it always was.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub digests_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnownedFile {
    pub path: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifiedPackageFile {
    pub path: String,
    /// Name of the owning package.
    pub package: String,
    /// The layer that installed the file, and the one that wrote its final content.
    pub installed_layer: usize,
    pub modified_layer: usize,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub reference: String,
    pub source: String,
    pub platform: String,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub user: String,
    pub working_dir: String,
    pub exposed_ports: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    pub index: usize,
    /// Digest of the blob as stored.
    pub digest: String,
    /// Digest of the uncompressed tar.
    pub diff_id: String,
    pub media_type: String,
    /// Detected from magic bytes: gzip, zstd or tar.
    pub compression: Compression,
    /// Full `created_by` of the config history entry for this layer.
    pub command: String,
    pub bytes: u64,
    pub compressed_bytes: u64,
    pub entries: usize,
    pub added: usize,
    pub modified: usize,
    pub removed: usize,
    pub reclaimable_bytes: u64,
    /// Sparse files of the layer (GNU tar `--sparse`): `bytes` counts their apparent size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sparse_files: Vec<SparseFile>,
}

/// A sparse file: the size it claims (holes included) and what the layer stores of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseFile {
    pub path: String,
    pub apparent_bytes: u64,
    pub stored_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WastedFile {
    pub path: String,
    /// The layer that stored the bytes.
    pub layer: usize,
    pub bytes: u64,
    pub reason: WasteKind,
    /// The layer that overwrote, deleted or hid it.
    pub by_layer: usize,
}

/// serde's default and skip test for `digests_verified`.
fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Report {
    pub fn build(image: &Image, analysis: &Analysis) -> Report {
        let pk = &analysis.packages;
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "microscope".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            image: image_info(&image.meta),
            layers: layer_reports(image, analysis),
            waste: top_waste(image, analysis),
            size: analysis.sizes.clone(),
            metadata_copies: analysis.metadata_copies.clone(),
            duplicates: analysis.duplicates.clone(),
            findings: analysis.findings.findings.clone(),
            findings_savable_bytes: analysis.findings.findings_savable_bytes,
            rewrite: analysis.rewrite.as_ref().ok().cloned(),
            rewrite_refusal: analysis.rewrite.as_ref().err().cloned(),
            packages: pk.packages.clone(),
            removed_packages: pk.removed.clone(),
            unowned_bytes: pk.unowned_bytes,
            largest_unowned: pk
                .largest_unowned
                .iter()
                .map(|(path, bytes)| UnownedFile {
                    path: path.clone(),
                    bytes: *bytes,
                })
                .collect(),
            modified_package_files: top_modified(pk),
            warnings: warnings(image, analysis),
            digests_verified: image.digests_verified,
        }
    }
}

fn image_info(meta: &crate::image::ImageMeta) -> ImageInfo {
    ImageInfo {
        reference: meta.reference.clone(),
        source: meta.source.clone(),
        platform: meta.platform.to_string(),
        manifest_digest: meta.manifest_digest.clone(),
        config_digest: meta.config_digest.clone(),
        entrypoint: meta.run.entrypoint.clone(),
        cmd: meta.run.cmd.clone(),
        env: meta.run.env.clone(),
        user: meta.run.user.clone(),
        working_dir: meta.run.working_dir.clone(),
        exposed_ports: meta.run.exposed_ports.clone(),
    }
}

fn layer_reports(image: &Image, analysis: &Analysis) -> Vec<LayerReport> {
    image
        .layers
        .iter()
        .zip(&analysis.layers)
        .map(|(l, s)| LayerReport {
            index: l.index,
            digest: l.scan.digest.clone(),
            diff_id: l.scan.diff_id.clone(),
            media_type: l.desc.media_type.clone(),
            compression: l.scan.compression,
            command: l.command.clone(),
            bytes: s.bytes,
            compressed_bytes: s.compressed_bytes,
            entries: s.entries,
            added: s.added,
            modified: s.modified,
            removed: s.removed,
            reclaimable_bytes: s.reclaimable_bytes,
            sparse_files: l
                .scan
                .sparse
                .iter()
                .filter_map(|&(i, stored)| {
                    let e = l.scan.entries.get(i as usize)?;
                    Some(SparseFile {
                        path: e.path.to_string(),
                        apparent_bytes: e.size,
                        stored_bytes: stored,
                    })
                })
                .collect(),
        })
        .collect()
}

/// The [`TOP_WASTE`] largest shadowed files, largest first.
fn top_waste(image: &Image, analysis: &Analysis) -> Vec<WastedFile> {
    let scans = Analysis::scans(image);
    let path = |s: &crate::image::merge::Shadowed| &*analysis.merged.entry(&scans, s.at).path;
    // Sorted by reference, and only the top made into owned paths: a chmod -R of a big
    // tree shadows every file of it.
    let mut waste: Vec<_> = (analysis.merged.shadowed.iter())
        .filter(|s| s.bytes > 0)
        .enumerate()
        .collect();
    // Largest first, then by path, then in merge order (what a stable sort kept).
    crate::analysis::duplicates::top_first(&mut waste, TOP_WASTE, |(i, a), (j, b)| {
        (b.bytes.cmp(&a.bytes))
            .then_with(|| path(a).cmp(path(b)))
            .then(i.cmp(j))
    });
    waste
        .into_iter()
        .take(TOP_WASTE)
        .map(|(_, s)| WastedFile {
            path: path(s).to_string(),
            layer: s.at.layer as usize,
            bytes: s.bytes,
            reason: s.kind,
            by_layer: s.by_layer as usize,
        })
        .collect()
}

/// The [`TOP_WASTE`] largest package files a later layer modified, largest first.
fn top_modified(pk: &crate::analysis::packages::PackageAnalysis) -> Vec<ModifiedPackageFile> {
    let mut modified: Vec<ModifiedPackageFile> = pk
        .modified
        .iter()
        .map(|m| ModifiedPackageFile {
            path: m.path.to_string(),
            package: pk.packages[m.package as usize].name.clone(),
            installed_layer: m.installed_layer,
            modified_layer: m.modified_layer,
            bytes: m.bytes,
        })
        .collect();
    modified.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    modified.truncate(TOP_WASTE);
    modified
}

/// The source's warnings, then the rewrite's refusal, each layer's, the packages', and
/// whether digests went unverified.
fn warnings(image: &Image, analysis: &Analysis) -> Vec<String> {
    let mut warnings = image.meta.warnings.clone();
    if let Err(why) = &analysis.rewrite {
        warnings.push(format!("no rewrite proposed: {why}"));
    }
    for l in &image.layers {
        warnings.extend(
            l.scan
                .warnings
                .iter()
                .map(|w| format!("layer {}: {w}", l.index)),
        );
    }
    warnings.extend(
        analysis
            .packages
            .warnings
            .iter()
            .map(|w| format!("packages: {w}")),
    );
    if !image.digests_verified {
        warnings.push("layer digests not verified (--no-verify)".into());
    }
    warnings
}
