//! The rows of the Packages and Findings panes, and the per-path lookups the tree uses
//! (owner package, findings that touch a file). Adapted from the analysis results so the
//! panes do not depend on their internals.

use crate::analysis::Analysis;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct PackageRow {
    pub name: String,
    pub manager: String,
    pub version: String,
    /// The layer that installed it, when known.
    pub layer: Option<usize>,
    pub bytes: u64,
    pub paths: Vec<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub kind: String,
    pub title: String,
    pub layer: Option<usize>,
    /// For waste: the later layer that deleted, hid, rewrote or copied the files.
    pub by_layer: Option<usize>,
    /// The files behind it, largest saving first (the analysis lists at most a few dozen).
    pub paths: Vec<Arc<str>>,
    /// All files behind it, listed or not.
    pub path_count: u64,
    pub bytes: u64,
    pub savable: u64,
    /// The part of `savable` the header's total counts (0 for advice such as UPX).
    pub counted: u64,
    /// The Dockerfile line that fixes it (empty when no line fits); what `y` copies.
    pub fix: String,
    /// The prose around the fix.
    pub explanation: String,
}

/// Path → owner package and findings, for the tree's detail line.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub owner: HashMap<Arc<str>, u32>,
    pub findings: HashMap<Arc<str>, Vec<u32>>,
}

impl Lookup {
    pub fn build(packages: &[PackageRow], findings: &[FindingRow]) -> Lookup {
        let mut l = Lookup::default();
        for (i, p) in packages.iter().enumerate() {
            for path in &p.paths {
                l.owner.entry(path.clone()).or_insert(i as u32);
            }
        }
        for (i, f) in findings.iter().enumerate() {
            for path in &f.paths {
                l.findings.entry(path.clone()).or_default().push(i as u32);
            }
        }
        l
    }
}

/// Packages, largest first, each with the final paths it owns.
pub fn packages(analysis: &Analysis) -> Vec<PackageRow> {
    let pa = &analysis.packages;
    let mut paths: Vec<Vec<Arc<str>>> = vec![Vec::new(); pa.packages.len()];
    for (path, &i) in &pa.owners {
        if let Some(v) = paths.get_mut(i as usize) {
            v.push(path.clone());
        }
    }
    pa.packages
        .iter()
        .zip(paths)
        .map(|(p, mut paths)| {
            paths.sort_unstable();
            PackageRow {
                name: p.name.clone(),
                manager: p.manager.name().to_string(),
                version: p.version.clone(),
                layer: Some(p.layer),
                bytes: p.bytes,
                paths,
            }
        })
        .collect()
}

/// The findings analysis's results as rows; paths keyed as the tree keys them (no `/`).
pub fn findings(analysis: &Analysis) -> Vec<FindingRow> {
    analysis
        .findings
        .findings
        .iter()
        .map(|f| FindingRow {
            kind: f.kind.clone(),
            title: f.title.clone(),
            layer: Some(f.layer as usize),
            by_layer: f.by_layer.map(|b| b as usize),
            paths: f
                .paths
                .iter()
                .map(|p| Arc::from(p.path.trim_start_matches('/')))
                .collect(),
            path_count: f.path_count,
            bytes: f.bytes,
            savable: f.savable_bytes,
            counted: f.counted_bytes,
            fix: f.fix.clone(),
            explanation: f.explanation.clone(),
        })
        .collect()
}

/// Orders findings for the pane: groups by kind, the group whose counted saving is largest
/// first, so advice the total does not count (UPX) comes after what it does.
pub fn group_findings(mut rows: Vec<FindingRow>) -> Vec<FindingRow> {
    let mut totals: HashMap<String, (u64, u64)> = HashMap::new();
    for f in &rows {
        let t = totals.entry(f.kind.clone()).or_default();
        t.0 += f.counted;
        t.1 += f.savable;
    }
    rows.sort_by(|a, b| {
        let (ta, tb) = (totals[&a.kind], totals[&b.kind]);
        tb.cmp(&ta)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| b.savable.cmp(&a.savable))
            .then_with(|| a.title.cmp(&b.title))
    });
    rows
}

/// The name of the row that holds the final bytes no package owns.
pub const UNOWNED: &str = "(unowned)";

/// The packages, then the bytes no package owns as a last row (as `--packages` prints it);
/// its files are the largest unowned ones, so Enter shows them in the tree.
pub fn with_unowned(mut rows: Vec<PackageRow>, analysis: &Analysis) -> Vec<PackageRow> {
    let pa = &analysis.packages;
    if pa.unowned_bytes > 0 {
        rows.push(PackageRow {
            name: UNOWNED.into(),
            manager: String::new(),
            version: String::new(),
            layer: None,
            bytes: pa.unowned_bytes,
            paths: pa
                .largest_unowned
                .iter()
                .map(|(p, _)| Arc::from(p.trim_start_matches('/')))
                .collect(),
        });
    }
    rows
}

/// How many rows are packages (the unowned row is not one).
pub fn package_count(rows: &[PackageRow]) -> usize {
    rows.iter()
        .filter(|p| p.name != UNOWNED || p.layer.is_some())
        .count()
}

/// Packages for the pane: most bytes first.
pub fn sort_packages(mut rows: Vec<PackageRow>) -> Vec<PackageRow> {
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    rows
}
