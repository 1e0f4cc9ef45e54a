//! Two images side by side: what changed from LEFT (before) to RIGHT (after). Sizes with
//! their deltas, layers aligned on the base they share, the merged file trees diffed path
//! by path, packages and findings matched by identity. Pure: reads both image models and
//! their analyses, never where they came from.

pub mod dirs;
pub mod explain;
pub mod findings;
pub mod highlights;
pub mod layers;
pub mod packages;
pub mod paths;
pub mod tree;

use crate::analysis::Analysis;
use crate::image::{EntryKind, Image};
use findings::{FindingDiff, FindingFacts};
use layers::LayerAlignment;
use packages::{PackageDiff, PackageFacts};
use serde::{Deserialize, Serialize};
use tree::TreeDiff;

/// One side of a comparison: an image and what the analyses found in it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub image: &'a Image,
    pub analysis: &'a Analysis,
}

impl<'a> Side<'a> {
    pub fn new(image: &'a Image, analysis: &'a Analysis) -> Self {
        Side { image, analysis }
    }

    /// The packages of the final image, as the diff identifies them.
    pub fn packages(&self) -> Vec<PackageFacts> {
        self.analysis
            .packages
            .packages
            .iter()
            .map(|p| PackageFacts {
                manager: p.manager,
                name: p.name.clone(),
                version: p.version.clone(),
                arch: p.arch.clone(),
                location: p.location.clone(),
                bytes: p.bytes,
            })
            .collect()
    }

    /// The findings, as the diff identifies them.
    pub fn findings(&self) -> Vec<FindingFacts> {
        self.analysis
            .findings
            .findings
            .iter()
            .map(|f| FindingFacts {
                kind: f.kind.clone(),
                title: f.title.clone(),
                bytes: f.bytes,
                savable_bytes: f.savable_bytes,
                // The line to paste, or the advice when no line fits.
                fix: if f.fix.is_empty() {
                    f.explanation.clone()
                } else {
                    f.fix.clone()
                },
            })
            .collect()
    }

    /// What all fixes together would save, each byte counted once (the findings' own total,
    /// not a sum: their savings overlap).
    pub fn savable_bytes(&self) -> u64 {
        self.analysis.findings.findings_savable_bytes
    }

    /// A package owns this final-filesystem path.
    pub fn owns(&self, path: &str) -> bool {
        self.analysis.packages.owners.contains_key(path)
    }

    /// Package attribution found owners in this image.
    pub fn has_owners(&self) -> bool {
        !self.analysis.packages.owners.is_empty()
    }

    /// Regular files in the final filesystem.
    pub fn files(&self) -> u64 {
        let scans = Analysis::scans(self.image);
        let merged = &self.analysis.merged;
        merged
            .tree
            .values()
            .filter(|&&at| merged.entry(&scans, at).kind == EntryKind::File)
            .count() as u64
    }
}

/// A count or byte figure on both sides, and right − left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub left: u64,
    pub right: u64,
    pub delta: i64,
}

impl Delta {
    pub fn new(left: u64, right: u64) -> Delta {
        Delta {
            left,
            right,
            delta: signed_delta(left, right),
        }
    }
}

/// right − left, saturated to i64 (byte counts never get near the edge, but the image is
/// untrusted input).
pub fn signed_delta(left: u64, right: u64) -> i64 {
    let d = i128::from(right) - i128::from(left);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

/// A ratio on both sides, and right − left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioDelta {
    pub left: f64,
    pub right: f64,
    pub delta: f64,
}

/// Both images' headline figures. Sizes are the ones `size` in a report defines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub layers_bytes: Delta,
    pub final_bytes: Delta,
    pub compressed_bytes: Delta,
    pub reclaimable_bytes: Delta,
    /// Σ savable bytes of the findings.
    pub savable_bytes: Delta,
    pub layers: Delta,
    /// Regular files in the final filesystem.
    pub files: Delta,
    pub packages: Delta,
    pub efficiency: RatioDelta,
}

/// Everything the comparison computed.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub summary: Summary,
    pub layers: LayerAlignment,
    pub tree: TreeDiff,
    /// The tree diff without the bytes packages own, when either image has package data.
    pub unowned: Option<TreeDiff>,
    pub packages: PackageDiff,
    pub findings: FindingDiff,
}

/// Compares two analysed images.
pub fn compare(left: Side<'_>, right: Side<'_>) -> Comparison {
    let (lp, rp) = (left.packages(), right.packages());
    let (lf, rf) = (left.findings(), right.findings());
    let (ls, rs) = (&left.analysis.sizes, &right.analysis.sizes);
    let summary = Summary {
        layers_bytes: Delta::new(ls.layers_bytes, rs.layers_bytes),
        final_bytes: Delta::new(ls.final_bytes, rs.final_bytes),
        compressed_bytes: Delta::new(ls.compressed_bytes, rs.compressed_bytes),
        reclaimable_bytes: Delta::new(ls.reclaimable_bytes, rs.reclaimable_bytes),
        savable_bytes: Delta::new(left.savable_bytes(), right.savable_bytes()),
        layers: Delta::new(
            left.image.layers.len() as u64,
            right.image.layers.len() as u64,
        ),
        files: Delta::new(left.files(), right.files()),
        packages: Delta::new(lp.len() as u64, rp.len() as u64),
        efficiency: RatioDelta {
            left: ls.efficiency,
            right: rs.efficiency,
            delta: rs.efficiency - ls.efficiency,
        },
    };
    let tree = tree::diff(left, right);
    let unowned = (left.has_owners() || right.has_owners())
        .then(|| tree.unowned(&|p| left.owns(p), &|p| right.owns(p)));
    Comparison {
        summary,
        layers: layers::align_images(left, right),
        tree,
        unowned,
        packages: packages::diff_packages(&lp, &rp),
        findings: findings::diff_findings(&lf, &rf),
    }
}
