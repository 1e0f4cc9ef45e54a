//! One module per question asked of an image. Pure: no I/O, no printing.

pub mod compare;
pub mod duplicates;
pub mod findings;
pub mod packages;
pub mod rewrite;
pub mod sizes;

use crate::image::{Image, LayerScan, Merged};
use std::sync::Arc;

/// Everything the analyses computed for one image.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub merged: Merged,
    pub sizes: sizes::Sizes,
    pub layers: Vec<sizes::LayerStats>,
    pub metadata_copies: duplicates::MetadataCopies,
    pub duplicates: duplicates::Duplicates,
    pub findings: findings::FindingsReport,
    /// The proposed rewrite onto a smaller base, or why there is none.
    pub rewrite: Result<rewrite::Rewrite, String>,
    pub packages: packages::PackageAnalysis,
}

impl Analysis {
    pub fn scans(image: &Image) -> Vec<Arc<LayerScan>> {
        image.layers.iter().map(|l| l.scan.clone()).collect()
    }
}

/// Runs every analysis over the image model.
pub fn analyze(image: &Image) -> Analysis {
    analyze_with(image, &rewrite::Options::default())
}

/// Runs every analysis, the rewrite planned with `rewrite_opts` (`--include-path`,
/// `--source-image`).
pub fn analyze_with(image: &Image, rewrite_opts: &rewrite::Options) -> Analysis {
    let scans = Analysis::scans(image);
    let merged = Merged::build(&scans);
    let (sizes, layers) = sizes::compute(image, &merged);
    let metadata_copies = duplicates::metadata_copies(&scans, &merged);
    let duplicates = duplicates::duplicates(&scans, &merged);
    let commands: Vec<String> = image.layers.iter().map(|l| l.command.clone()).collect();
    let packages = packages::attribute(&scans, &merged);
    // Package ownership sharpens toolchain, -dev and -dbg findings.
    let view = findings::PackageView {
        packages: packages
            .packages
            .iter()
            .map(|p| findings::PackageRef {
                manager: p.manager,
                name: p.name.clone(),
                version: p.version.clone(),
            })
            .collect(),
        owners: packages.owners.clone(),
    };
    let findings = findings::find(&findings::FindingsInput {
        scans: &scans,
        merged: &merged,
        commands: &commands,
        packages: Some(&view),
    });
    let rewrite = rewrite::plan(image, &merged, rewrite_opts);
    Analysis {
        merged,
        sizes,
        layers,
        metadata_copies,
        duplicates,
        findings,
        rewrite,
        packages,
    }
}
