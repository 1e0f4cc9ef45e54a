//! The fleet summary: many images' reports (the JSONL of `microscope fleet`, from any number
//! of shards) folded into the answers a platform team asks for: which images could lose the
//! most, which base layers they share, which packages weigh most across all of them, and
//! what grew since a previous summary. Pure: lines in, a [`Summary`] out, in an order that
//! does not depend on which shard wrote which line.

pub mod input;
pub mod markdown;

use input::ImageLine;
pub use input::{Line, LineError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Bumped on any change a consumer of the summary's JSON could notice.
pub const SUMMARY_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub images: usize,
    pub failed: Vec<Failed>,
    /// Σ final filesystem bytes of the images.
    pub total_bytes: u64,
    /// Distinct layers (by diff_id), and their bytes counted once: what a registry stores.
    pub distinct_layers: usize,
    pub distinct_layer_bytes: u64,
    /// Every image, most savable bytes (findings' fixes together) first.
    pub by_savable: Vec<ImageRow>,
    /// Images with a rewrite, largest saving first.
    pub by_rewrite: Vec<ImageRow>,
    /// Layers in two images or more, most bytes × images first.
    pub shared_layers: Vec<SharedLayer>,
    /// Packages across the fleet (by manager and name), most bytes × images first.
    pub packages: Vec<FleetPackage>,
    /// Against `--baseline`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth: Option<Growth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    #[serde(rename = "ref")]
    pub reference: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageRow {
    #[serde(rename = "ref")]
    pub reference: String,
    pub final_bytes: u64,
    pub savable_bytes: u64,
    /// `current − predicted` of the rewrite; 0 without one.
    pub rewrite_saving: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite_base: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedLayer {
    pub diff_id: String,
    pub images: usize,
    pub bytes: u64,
    pub compressed_bytes: u64,
    /// The `created_by` of the layer in the first image (by reference) that has it.
    pub command: String,
    pub first_image: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetPackage {
    pub manager: String,
    pub name: String,
    pub images: usize,
    /// Σ over images of the package's bytes in each.
    pub bytes: u64,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    /// Σ final bytes now minus then, over images in both.
    pub total_delta: i128,
    /// Images whose final size changed, largest growth first.
    pub changed: Vec<Change>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    #[serde(rename = "ref")]
    pub reference: String,
    pub before: u64,
    pub after: u64,
}

impl Change {
    pub fn delta(&self) -> i128 {
        i128::from(self.after) - i128::from(self.before)
    }
}

/// Packages kept in the summary (a fleet has thousands; the heaviest matter).
const TOP_PACKAGES: usize = 100;

/// Folds `lines` (any order, a reference seen twice counted once: the first line read)
/// into a summary, with growth against `baseline` when given.
pub fn summarise(lines: Vec<Line>, baseline: Option<&Summary>) -> Summary {
    let mut by_ref: BTreeMap<String, Line> = BTreeMap::new();
    for line in lines {
        by_ref.entry(line.reference().to_string()).or_insert(line);
    }
    let mut images: Vec<&ImageLine> = Vec::new();
    let mut failed = Vec::new();
    for line in by_ref.values() {
        match line {
            Line::Report(r) => images.push(r),
            Line::Failed { reference, error } => failed.push(Failed {
                reference: reference.clone(),
                error: error.clone(),
            }),
        }
    }
    let rows: Vec<ImageRow> = images.iter().map(|i| row(i)).collect();
    let mut by_savable = rows.clone();
    by_savable.sort_by(|a, b| {
        b.savable_bytes
            .cmp(&a.savable_bytes)
            .then(a.reference.cmp(&b.reference))
    });
    let mut by_rewrite: Vec<ImageRow> = rows
        .into_iter()
        .filter(|r| r.rewrite_base.is_some())
        .collect();
    by_rewrite.sort_by(|a, b| {
        b.rewrite_saving
            .cmp(&a.rewrite_saving)
            .then(a.reference.cmp(&b.reference))
    });
    let layers = layers(&images);
    let distinct_layer_bytes = layers.iter().map(|l| l.bytes).sum();
    let distinct_layers = layers.len();
    let mut shared_layers: Vec<SharedLayer> = layers.into_iter().filter(|l| l.images > 1).collect();
    shared_layers.sort_by(|a, b| {
        weight(b.bytes, b.images)
            .cmp(&weight(a.bytes, a.images))
            .then(a.diff_id.cmp(&b.diff_id))
    });
    let mut summary = Summary {
        schema_version: SUMMARY_VERSION,
        images: images.len(),
        failed,
        total_bytes: images.iter().map(|i| i.final_bytes).sum(),
        distinct_layers,
        distinct_layer_bytes,
        by_savable,
        by_rewrite,
        shared_layers,
        packages: packages(&images),
        growth: None,
    };
    summary.growth = baseline.map(|b| growth(b, &summary));
    summary
}

fn row(i: &ImageLine) -> ImageRow {
    ImageRow {
        reference: i.reference.clone(),
        final_bytes: i.final_bytes,
        savable_bytes: i.savable_bytes,
        rewrite_saving: i
            .rewrite
            .as_ref()
            .map_or(0, |r| r.current_bytes.saturating_sub(r.predicted_bytes)),
        rewrite_base: i.rewrite.as_ref().map(|r| r.base.clone()),
    }
}

fn weight(bytes: u64, images: usize) -> u128 {
    u128::from(bytes) * images as u128
}

/// Every distinct layer (by diff_id), with the images that have it; `images` is sorted by
/// reference, so the first one seen is the first image.
fn layers(images: &[&ImageLine]) -> Vec<SharedLayer> {
    let mut by_id: BTreeMap<&str, (SharedLayer, BTreeSet<&str>)> = BTreeMap::new();
    for image in images {
        for l in &image.layers {
            let (entry, seen) = by_id.entry(&l.diff_id).or_insert_with(|| {
                (
                    SharedLayer {
                        diff_id: l.diff_id.clone(),
                        images: 0,
                        bytes: l.bytes,
                        compressed_bytes: l.compressed_bytes,
                        command: l.command.clone(),
                        first_image: image.reference.clone(),
                    },
                    BTreeSet::new(),
                )
            });
            if seen.insert(&image.reference) {
                entry.images += 1;
            }
        }
    }
    by_id.into_values().map(|(l, _)| l).collect()
}

fn packages(images: &[&ImageLine]) -> Vec<FleetPackage> {
    let mut by_name: BTreeMap<(&str, &str), (FleetPackage, BTreeSet<&str>)> = BTreeMap::new();
    for image in images {
        for p in &image.packages {
            let (entry, seen) = by_name.entry((&p.manager, &p.name)).or_insert_with(|| {
                (
                    FleetPackage {
                        manager: p.manager.clone(),
                        name: p.name.clone(),
                        images: 0,
                        bytes: 0,
                        versions: Vec::new(),
                    },
                    BTreeSet::new(),
                )
            });
            entry.bytes = entry.bytes.saturating_add(p.bytes);
            if seen.insert(&image.reference) {
                entry.images += 1;
            }
            if !entry.versions.contains(&p.version) {
                entry.versions.push(p.version.clone());
            }
        }
    }
    let mut out: Vec<FleetPackage> = by_name.into_values().map(|(p, _)| p).collect();
    for p in &mut out {
        p.versions.sort();
    }
    out.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then(b.images.cmp(&a.images))
            .then((&a.manager, &a.name).cmp(&(&b.manager, &b.name)))
    });
    out.truncate(TOP_PACKAGES);
    out
}

fn growth(before: &Summary, now: &Summary) -> Growth {
    let then: BTreeMap<&str, u64> = before
        .by_savable
        .iter()
        .map(|r| (r.reference.as_str(), r.final_bytes))
        .collect();
    let current: BTreeMap<&str, u64> = now
        .by_savable
        .iter()
        .map(|r| (r.reference.as_str(), r.final_bytes))
        .collect();
    let mut changed: Vec<Change> = current
        .iter()
        .filter_map(|(r, &after)| {
            let &before = then.get(r)?;
            (before != after).then(|| Change {
                reference: r.to_string(),
                before,
                after,
            })
        })
        .collect();
    changed.sort_by(|a, b| {
        b.delta()
            .cmp(&a.delta())
            .then(a.reference.cmp(&b.reference))
    });
    let total_delta = current
        .iter()
        .filter_map(|(r, &after)| Some(i128::from(after) - i128::from(*then.get(r)?)))
        .sum();
    Growth {
        total_delta,
        changed,
        added: current
            .keys()
            .filter(|r| !then.contains_key(*r))
            .map(|r| r.to_string())
            .collect(),
        removed: then
            .keys()
            .filter(|r| !current.contains_key(*r))
            .map(|r| r.to_string())
            .collect(),
    }
}

#[cfg(test)]
mod tests;
