//! The comparison as data: `{left, right, diff}`, where left and right are the full reports
//! of each image and diff is what changed between them (docs in README.md, "Compare").
//! Serialise-only wire types: lists are capped here, the full tree diff stays in the
//! analysis for the interactive view.

pub mod markdown;
pub mod text;

use super::model::{Report, Tool};
use crate::analysis::compare::Comparison;
use crate::analysis::compare::highlights::{self, PathChange};
use crate::analysis::compare::items::{FindingDiff, PackageDiff};
use crate::analysis::compare::tree::Totals;
use crate::analysis::compare::{Summary, signed_delta};
use serde::{Deserialize, Serialize};

/// Bumped on any change a consumer of the compare JSON could notice.
pub const COMPARE_SCHEMA_VERSION: u32 = 1;

/// How many of the largest file changes the report lists.
pub const TOP_FILES: usize = 25;
/// How many directories (at most `DIR_DEPTH` components deep) it lists.
pub const TOP_DIRS: usize = 25;
pub const DIR_DEPTH: usize = 3;
/// How many disjoint paths the breakdown of the delta names.
pub const BREAKDOWN: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub left: Report,
    pub right: Report,
    pub diff: DiffReport,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub summary: Summary,
    pub layers: LayersDiff,
    pub files: FilesDiff,
    pub packages: PackageDiff,
    pub findings: FindingDiff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayersDiff {
    /// The leading layers both images share (same diff_id): the common base.
    pub shared_base: usize,
    /// All shared layers, base included.
    pub shared: usize,
    /// Regular-file bytes of the shared layers.
    pub shared_bytes: u64,
    pub rows: Vec<LayerRow>,
}

/// One row of the aligned layer table; indexes point into `left.layers` / `right.layers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRow {
    pub left: Option<usize>,
    pub right: Option<usize>,
    pub shared: bool,
    /// The diff_id both layers have, on shared rows.
    pub diff_id: Option<String>,
    pub left_bytes: u64,
    pub right_bytes: u64,
    pub delta: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilesDiff {
    /// Non-directory entries of the final filesystems by status, with their bytes.
    pub totals: Totals,
    /// Disjoint paths that explain the delta of `final_bytes`, largest first...
    pub breakdown: Vec<PathChange>,
    /// ... and the delta of everything else: breakdown deltas + this = final_bytes delta.
    pub other_delta: i64,
    /// The largest changes of single entries.
    pub top: Vec<PathChange>,
    /// Directories whose content differs, largest |delta| first.
    pub dirs: Vec<PathChange>,
}

impl CompareReport {
    pub fn build(left: Report, right: Report, c: &Comparison) -> CompareReport {
        let rows = c
            .layers
            .rows
            .iter()
            .map(|r| {
                let l = r.left.and_then(|i| left.layers.get(i));
                let rt = r.right.and_then(|i| right.layers.get(i));
                let (lb, rb) = (l.map_or(0, |l| l.bytes), rt.map_or(0, |l| l.bytes));
                LayerRow {
                    left: r.left,
                    right: r.right,
                    shared: r.shared,
                    diff_id: l.filter(|_| r.shared).map(|l| l.diff_id.clone()),
                    left_bytes: lb,
                    right_bytes: rb,
                    delta: signed_delta(lb, rb),
                }
            })
            .collect();
        let breakdown = highlights::breakdown(&c.tree, BREAKDOWN);
        let diff = DiffReport {
            summary: c.summary.clone(),
            layers: LayersDiff {
                shared_base: c.layers.shared_base,
                shared: c.layers.shared,
                shared_bytes: c.layers.shared_bytes,
                rows,
            },
            files: FilesDiff {
                totals: c.tree.totals,
                other_delta: highlights::remainder(&c.tree, &breakdown),
                breakdown,
                top: highlights::top_changes(&c.tree, TOP_FILES),
                dirs: highlights::dir_changes(&c.tree, DIR_DEPTH, TOP_DIRS),
            },
            packages: c.packages.clone(),
            findings: c.findings.clone(),
        };
        CompareReport {
            schema_version: COMPARE_SCHEMA_VERSION,
            tool: left.tool.clone(),
            left,
            right,
            diff,
        }
    }
}
