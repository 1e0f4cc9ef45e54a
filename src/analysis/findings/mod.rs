//! Findings: what an image carries that a runtime does not need, each with the files behind
//! it, the bytes a fix would save, the layer it comes from and the fix as a Dockerfile line.
//!
//! Every family turns the scan into `Draft`s that list, per file, the bytes its fix would
//! save. [`find`] then charges those savings against each file's size in a fixed precedence
//! order, so a byte is counted at most once in [`FindingsReport::findings_savable_bytes`]:
//!
//! 1. waste (bytes hidden in lower layers): metadata-copy, overwritten, deleted-later,
//!    opaque-hidden;
//! 2. cruft, whole files, in catalogue order (caches, toolchain, static libraries and
//!    headers, docs, tests, bytecode, VCS, temp files and logs, history);
//! 3. separate debug files (`/usr/lib/debug`);
//! 4. duplicate content;
//! 5. debug symbols inside binaries (the part `strip` removes);
//! 6. uncompressed binaries: reported, never counted, since UPX trades start-up time and
//!    shared pages for its saving.

mod binaries;
mod catalogue;
mod classify;
mod cruft;
mod debug;
mod dockerfile;
mod duplicates;
mod moved;
mod parts;
mod waste;

use crate::analysis::packages::Manager;
use crate::image::entry::LayerScan;
use crate::image::merge::{Merged, NodeRef};
use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Paths named in a deletion fix, at most.
pub(crate) const MAX_NAMED: usize = 5;

pub use catalogue::Class;
pub use classify::classify;
pub use parts::{Owned, Unowned, find_both, find_owned, find_unowned};

/// Most paths listed per finding; the rest are only counted.
pub const MAX_PATHS: usize = 20;

/// How much a finding matters, from the bytes its fix saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

/// One file behind a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPath {
    /// Absolute path in the image (`/var/lib/apt/lists/...`).
    pub path: String,
    /// Bytes the fix saves on this file (the whole file, or what `strip` removes).
    pub bytes: u64,
}

/// One piece of advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case id: `apt-lists`, `debug-symbols`, `deleted-later`...
    pub kind: String,
    pub title: String,
    /// The layer holding the bytes.
    pub layer: u32,
    /// For waste: the later layer that deleted, hid, rewrote or copied them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_layer: Option<u32>,
    /// Largest saving first, at most [`MAX_PATHS`].
    pub paths: Vec<FindingPath>,
    /// All files behind the finding, listed or not.
    pub path_count: u64,
    /// Uncompressed size of those files.
    pub bytes: u64,
    /// Uncompressed bytes this fix alone would save.
    pub savable_bytes: u64,
    /// Estimated change in compressed (pulled) bytes, where it differs much from the above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_savable_bytes: Option<u64>,
    /// The part of `savable_bytes` no earlier finding claimed: what this finding adds to
    /// `findings_savable_bytes`.
    pub counted_bytes: u64,
    /// What to write in the Dockerfile instead: only Dockerfile lines, ready to paste (a
    /// copy key copies exactly this), or empty when no single line fixes it.
    pub fix: String,
    /// The prose around the fix: why, where the line goes, what it costs, alternatives.
    #[serde(default)]
    pub explanation: String,
    /// The hadolint rule that flags the same thing, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub severity: Severity,
}

/// All findings of an image: those counted in the total first, then advice with a price
/// (UPX), each part largest saving first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsReport {
    pub findings: Vec<Finding>,
    /// Uncompressed bytes all fixes together would save; each byte counted once.
    pub findings_savable_bytes: u64,
}

/// A package as the package analysis reports it, reduced to what findings use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRef {
    pub manager: Manager,
    pub name: String,
    pub version: String,
}

/// Package ownership, when the package analysis ran.
#[derive(Debug, Clone, Default)]
pub struct PackageView {
    pub packages: Vec<PackageRef>,
    /// Final-tree path (relative, as in [`Merged::tree`]) → index into `packages`.
    pub owners: HashMap<Arc<str>, u32>,
    /// The same by final-tree node, when the package analysis gave it (see
    /// [`crate::analysis::packages::PackageAnalysis::owner_nodes`]); empty: look up by path.
    pub owner_nodes: Vec<Vec<u32>>,
}

impl Severity {
    /// ≥ 100 MiB high, ≥ 10 MiB medium, ≥ 1 MiB low, else info.
    pub fn from_bytes(bytes: u64) -> Severity {
        match bytes {
            b if b >= 100 << 20 => Severity::High,
            b if b >= 10 << 20 => Severity::Medium,
            b if b >= 1 << 20 => Severity::Low,
            _ => Severity::Info,
        }
    }

    /// The name the JSON uses (serde's snake_case), for text.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl PackageView {
    pub fn owner(&self, path: &str) -> Option<&PackageRef> {
        self.packages.get(*self.owners.get(path)? as usize)
    }

    /// The owner of the final-tree `path`, whose node is `at`: an index lookup when the
    /// owners by node are known, else a hash of the path.
    pub fn owner_at(&self, path: &str, at: NodeRef) -> Option<&PackageRef> {
        match self.owner_nodes.get(at.layer as usize) {
            Some(layer) => self.packages.get(*layer.get(at.entry as usize)? as usize),
            None => self.owner(path),
        }
    }
}

/// What findings are computed from.
pub struct FindingsInput<'a> {
    pub scans: &'a [Arc<LayerScan>],
    pub merged: &'a Merged,
    /// `created_by` of each layer, in layer order (missing ones read as unknown).
    pub commands: &'a [String],
    pub packages: Option<&'a PackageView>,
}

impl FindingsInput<'_> {
    fn size(&self, at: NodeRef) -> u64 {
        self.merged.entry(self.scans, at).size
    }

    fn command(&self, layer: u32) -> &str {
        self.commands.get(layer as usize).map_or("", String::as_str)
    }
}

/// One file's part in a draft finding.
#[derive(Debug, Clone)]
struct Item {
    at: NodeRef,
    path: Arc<str>,
    bytes: u64,
    savable: u64,
}

/// A finding before paths are capped and savings deduplicated.
#[derive(Debug, Clone, Default)]
struct Draft {
    kind: &'static str,
    title: String,
    layer: u32,
    by_layer: Option<u32>,
    /// Dockerfile lines only (see [`Finding::fix`]).
    fix: String,
    /// Prose (see [`Finding::explanation`]).
    why: String,
    rule: Option<&'static str>,
    items: Vec<Item>,
    pull_savable: Option<u64>,
    /// False for advice whose saving has a price (UPX): shown, not added to the total.
    counted: bool,
    severity: Option<Severity>,
}

/// Computes every finding. Pure; linear in entries plus the ELF files found.
pub fn find(input: &FindingsInput<'_>) -> FindingsReport {
    find_both(input, find_unowned(input), find_owned(input))
}

fn assemble(input: &FindingsInput<'_>, drafts: Vec<Draft>) -> FindingsReport {
    // One entry per file of a counted finding: a chmod -R of a big tree makes it as big as
    // the tree, so a fast hash.
    let counted_items = (drafts.iter().filter(|d| d.counted))
        .map(|d| d.items.len())
        .fold(0, usize::saturating_add);
    let mut left: foldhash::HashMap<(u32, u32), u64> =
        foldhash::HashMap::with_capacity_and_hasher(counted_items, Default::default());
    // (counted in the total, finding): advice with a price sorts after the free savings.
    let mut findings: Vec<(bool, Finding)> = Vec::with_capacity(drafts.len());
    let mut total = 0u64;
    for mut d in drafts.into_iter().filter(|d| !d.items.is_empty()) {
        let mut counted = 0u64;
        if d.counted {
            for it in &d.items {
                let rest = left
                    .entry((it.at.layer, it.at.entry))
                    .or_insert_with(|| input.size(it.at));
                let take = it.savable.min(*rest);
                *rest -= take;
                counted = counted.saturating_add(take);
            }
        }
        total = total.saturating_add(counted);
        // Only the first MAX_PATHS are listed: pick them, then order them (a chmod -R
        // finding has an item per file of the tree).
        let order = |a: &Item, b: &Item| b.savable.cmp(&a.savable).then(a.path.cmp(&b.path));
        crate::analysis::duplicates::top_first(&mut d.items, MAX_PATHS, order);
        let savable: u64 = d
            .items
            .iter()
            .map(|i| i.savable)
            .fold(0, u64::saturating_add);
        findings.push((
            d.counted,
            Finding {
                kind: d.kind.to_string(),
                title: d.title,
                layer: d.layer,
                by_layer: d.by_layer,
                path_count: u64::try_from(d.items.len()).unwrap_or(u64::MAX),
                bytes: d.items.iter().map(|i| i.bytes).fold(0, u64::saturating_add),
                paths: d
                    .items
                    .iter()
                    .take(MAX_PATHS)
                    .map(|i| FindingPath {
                        path: format!("/{}", i.path),
                        bytes: i.savable,
                    })
                    .collect(),
                savable_bytes: savable,
                pull_savable_bytes: d.pull_savable,
                counted_bytes: counted,
                fix: d.fix,
                explanation: d.why,
                rule: d.rule.map(str::to_string),
                severity: d.severity.unwrap_or_else(|| Severity::from_bytes(savable)),
            },
        ));
    }
    findings.sort_by(|(ca, a), (cb, b)| {
        cb.cmp(ca)
            .then(b.savable_bytes.cmp(&a.savable_bytes))
            .then(a.layer.cmp(&b.layer))
            .then(a.kind.cmp(&b.kind))
    });
    FindingsReport {
        findings: findings.into_iter().map(|(_, f)| f).collect(),
        findings_savable_bytes: total,
    }
}

/// `n file(s)`, for titles.
fn files(n: usize) -> String {
    crate::units::plural(n as u64, "file", "files")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::entry::{Entry, EntryKind};

    /// Only the listed paths are ordered; they are the ones a full sort would list first.
    #[test]
    fn listed_paths_are_the_largest_first_then_by_path() {
        let entries: Vec<Entry> = (0..45u64)
            .map(|i| Entry {
                path: Arc::from(format!("f{:02}", (i * 17) % 45)),
                kind: EntryKind::File,
                size: 10 + (i % 4),
                mode: 0o644,
                uid: 0,
                gid: 0,
                link: None,
                hash: i,
            })
            .collect();
        let scans = vec![Arc::new(LayerScan {
            entries,
            ..Default::default()
        })];
        let merged = Merged::build(&scans);
        let input = FindingsInput {
            scans: &scans,
            merged: &merged,
            commands: &[],
            packages: None,
        };
        let items: Vec<Item> = (scans[0].entries.iter().enumerate())
            .map(|(i, e)| Item {
                at: NodeRef {
                    layer: 0,
                    entry: i as u32,
                },
                path: e.path.clone(),
                bytes: e.size,
                savable: e.size,
            })
            .collect();
        let mut want: Vec<(u64, String)> = (items.iter())
            .map(|i| (i.savable, format!("/{}", i.path)))
            .collect();
        want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        want.truncate(MAX_PATHS);
        let report = assemble(
            &input,
            vec![Draft {
                kind: "test",
                items,
                counted: true,
                ..Default::default()
            }],
        );
        let f = &report.findings[0];
        let got: Vec<(u64, String)> = (f.paths.iter())
            .map(|p| (p.bytes, p.path.clone()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(f.path_count, 45);
        assert_eq!(report.findings_savable_bytes, f.bytes);
    }
}
