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

/// What [`analyze_with`] computes beside the package analysis: everything that does not
/// wait for package ownership.
struct Beside {
    sizes: Option<(sizes::Sizes, Vec<sizes::LayerStats>)>,
    metadata_copies: duplicates::MetadataCopies,
    duplicates: Option<duplicates::Duplicates>,
    unowned: findings::Unowned,
    rewrite: Result<rewrite::Rewrite, String>,
}

impl Beside {
    /// The analysis, with what neither thread computed (no thread could be had) made here.
    fn finish(
        self,
        image: &Image,
        scans: &[Arc<LayerScan>],
        merged: Merged,
        findings: findings::FindingsReport,
        packages: packages::PackageAnalysis,
    ) -> Analysis {
        let (sizes, layers) = (self.sizes).unwrap_or_else(|| sizes::compute(image, &merged));
        let duplicates =
            (self.duplicates).unwrap_or_else(|| duplicates::duplicates(scans, &merged));
        Analysis {
            merged,
            sizes,
            layers,
            metadata_copies: self.metadata_copies,
            duplicates,
            findings,
            rewrite: self.rewrite,
            packages,
        }
    }
}

/// Entries (all layers) from which a cold run also builds the tree of the image below the
/// top layer, so that a later rebuild changing the top layer finds its package analysis
/// kept. Below it the whole package analysis takes a few tens of milliseconds: not worth the
/// second tree's peak memory (python-app, 24k entries: +1 MiB, at half of dive's peak).
/// Unit tests do it for every image.
const THROUGH_BELOW_MIN_ENTRIES: usize = 100_000;

/// Runs every analysis, the rewrite planned with `rewrite_opts` (`--include-path`,
/// `--source-image`).
///
/// The package analysis, and then the findings that need its ownership, run on this thread;
/// everything else runs beside them on a second one, and the two sets of findings are put
/// together once both are done (a warm run of large-latest spends
/// most of its time here, with the scans already decoded). Each analysis is the same pure
/// function either way, so the result does not depend on which thread ran it.
pub fn analyze_with(image: &Image, rewrite_opts: &rewrite::Options) -> Analysis {
    analyze_reusing(image, rewrite_opts, Reusing::default()).0
}

/// The package analysis an [`analyze_reusing`] may start from, and whether it should hand
/// back what the next image (this one with a layer more) needs to reuse its own.
#[derive(Default)]
pub struct Reusing {
    /// The kept package analysis of this image without its top layer.
    pub below: Option<packages::Snapshot>,
    pub keep: bool,
    /// Leave the package analysis's owners by path empty when it is taken over from
    /// `below` (a caller that reads only the owners by node, as a report does).
    pub no_owners_by_path: bool,
}

/// What [`analyze_reusing`] hands back for the next images (when asked to keep it).
pub struct Kept {
    /// For this image's own snapshot: make it with [`packages::Snapshot::new`] from the
    /// analysis's packages once done with them.
    pub this: packages::Reuse,
    /// The snapshot of the image below the top layer, when the analysis went through it
    /// (for a rebuild that changes the top layer).
    pub below: Option<packages::Snapshot>,
}

/// [`analyze_with`], the package analysis taken over from `reusing.below` when the top
/// layer provably leaves it as it was (`packages::prefix`), else made again.
pub fn analyze_reusing(
    image: &Image,
    rewrite_opts: &rewrite::Options,
    reusing: Reusing,
) -> (Analysis, Option<Kept>) {
    let scans = Analysis::scans(image);
    std::thread::scope(|s| {
        // A package analysis that will be made afresh reads every captured database: the
        // ones the cache deferred are decoded beside the merge rather than after it, one
        // scan at a time on the package analysis's thread.
        let afresh = reusing.below.is_none()
            || scans
                .last()
                .is_some_and(|top| !packages::may_be_neutral(top));
        if afresh && scans.iter().any(|scan| scan.captured.files.is_pending()) {
            let decode = || scans.iter().for_each(|scan| _ = scan.captured.files.all());
            let _ = (std::thread::Builder::new().name("microscope-decode".into()))
                .spawn_scoped(s, decode);
        }
        analyze_scans(image, &scans, rewrite_opts, reusing)
    })
}

/// [`analyze_reusing`] of the image's scans.
fn analyze_scans(
    image: &Image,
    scans: &[Arc<LayerScan>],
    rewrite_opts: &rewrite::Options,
    reusing: Reusing,
) -> (Analysis, Option<Kept>) {
    let scans = scans.to_vec();
    let (merged, below_merged) = merges(&scans, &reusing);
    let commands: Vec<String> = image.layers.iter().map(|l| l.command.clone()).collect();
    let input = findings::FindingsInput {
        scans: &scans,
        merged: &merged,
        commands: &commands,
        packages: None,
    };
    // A package analysis taken over is quick: this thread then takes the sizes and the
    // duplicates from the other one, whose share is the longer.
    let light = reusing.below.is_some();
    let run_beside = |light: bool| Beside {
        sizes: (!light).then(|| sizes::compute(image, &merged)),
        metadata_copies: duplicates::metadata_copies(&scans, &merged),
        duplicates: (!light).then(|| duplicates::duplicates(&scans, &merged)),
        unowned: findings::find_unowned(&input),
        rewrite: rewrite::plan(image, &merged, rewrite_opts),
    };
    let (beside, packages, findings) = std::thread::scope(|s| {
        // No thread to be had: the same work, one after the other.
        let side = std::thread::Builder::new()
            .name("microscope-analysis".into())
            // The main thread's stack size: what ran there before must not run short here.
            .stack_size(8 << 20)
            .spawn_scoped(s, || run_beside(light))
            .ok();
        let (mut packages, kept) = package_analysis(&scans, &merged, reusing, below_merged);
        let view = package_view(&mut packages);
        let with_packages = findings::FindingsInput {
            packages: Some(&view),
            ..input
        };
        let owned = findings::find_owned(&with_packages);
        let here = light.then(|| {
            (
                sizes::compute(image, &merged),
                duplicates::duplicates(&scans, &merged),
            )
        });
        let mut beside = side
            .and_then(|h| h.join().ok())
            .unwrap_or_else(|| run_beside(false));
        if let Some((sizes, duplicates)) = here {
            (beside.sizes, beside.duplicates) = (Some(sizes), Some(duplicates));
        }
        let unowned = std::mem::take(&mut beside.unowned);
        let findings = findings::find_both(&with_packages, unowned, owned);
        packages.owners = view.owners;
        packages.owner_nodes = view.owner_nodes;
        (beside, (packages, kept), findings)
    });
    let (packages, kept) = packages;
    (
        beside.finish(image, &scans, merged, findings, packages),
        kept,
    )
}

/// The merged tree, and the one of the image below the top layer when the package analysis
/// may be made through it ([`packages::through_below`]), built beside it on a second thread:
/// built after it, it lengthened such a run by a merge.
fn merges(scans: &[Arc<LayerScan>], reusing: &Reusing) -> (Merged, Option<Merged>) {
    let entries: usize = scans.iter().map(|s| s.entries.len()).sum();
    let wanted = reusing.keep
        && reusing.below.is_none()
        && (cfg!(test) || entries >= THROUGH_BELOW_MIN_ENTRIES)
        && scans.len() >= 2
        && scans
            .last()
            .is_some_and(|top| packages::may_be_neutral(top));
    if !wanted {
        return (Merged::build(scans), None);
    }
    let below = &scans[..scans.len() - 1];
    std::thread::scope(|s| {
        let side = std::thread::Builder::new()
            .name("microscope-merge".into())
            .spawn_scoped(s, || Merged::build(below))
            .ok();
        let merged = Merged::build(scans);
        (merged, side.and_then(|h| h.join().ok()))
    })
}

/// The package analysis, reused or made, and what reusing it next needs (if wanted).
fn package_analysis(
    scans: &[Arc<LayerScan>],
    merged: &Merged,
    reusing: Reusing,
    below_merged: Option<Merged>,
) -> (packages::PackageAnalysis, Option<Kept>) {
    let kept = |this, below| Kept { this, below };
    let by_path = !reusing.no_owners_by_path;
    if let Some((a, this)) = (reusing.below).and_then(|b| b.extend_with(scans, merged, by_path)) {
        return (a, reusing.keep.then(|| kept(this, None)));
    }
    if !reusing.keep {
        return (packages::attribute(scans, merged), None);
    }
    // Made once through the image below (when its tree was built beside this one), so that
    // a rebuild changing the top layer finds it.
    if let Some((a, this, below)) = below_merged
        .and_then(|below_merged| packages::through_below(scans, merged, Some(below_merged)))
    {
        return (a, Some(kept(this, Some(below))));
    }
    let (a, this) = packages::attribute_for_reuse(scans, merged);
    (a, this.map(|this| kept(this, None)))
}

/// Package ownership as the findings see it: it sharpens toolchain, -dev and -dbg findings.
/// The owners are moved, not copied (a copy of large-latest's was 1 % of a warm run): the
/// caller puts them back.
pub(crate) fn package_view(packages: &mut packages::PackageAnalysis) -> findings::PackageView {
    findings::PackageView {
        packages: packages
            .packages
            .iter()
            .map(|p| findings::PackageRef {
                manager: p.manager,
                name: p.name.clone(),
                version: p.version.clone(),
            })
            .collect(),
        owners: std::mem::take(&mut packages.owners),
        owner_nodes: std::mem::take(&mut packages.owner_nodes),
    }
}
