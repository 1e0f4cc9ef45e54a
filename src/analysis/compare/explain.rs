//! The change in a few words: packages and paths whose deltas explain the final-bytes
//! delta ("+libLLVM 112 MiB, −var/lib/apt/lists/ 38 MiB"). Package deltas count the bytes
//! packages own; the paths come from the breakdown of what no package owns; so the items
//! never share a byte and, with `other_delta`, add up to the final-bytes delta exactly.

use super::Comparison;
use super::highlights::{PathChange, breakdown, remainder};
use super::packages::PackageChange;
use super::tree::Status;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Package,
    Path,
}

/// One thing that explains part of the delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The package name, or the path.
    pub name: String,
    /// A directory (for paths).
    pub dir: bool,
    pub status: Status,
    pub left_bytes: u64,
    pub right_bytes: u64,
    pub delta: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explained {
    /// Largest |delta| first, disjoint.
    pub items: Vec<Item>,
    /// The delta of everything not listed: Σ items + this = final-bytes delta.
    pub other_delta: i64,
}

fn path_item(p: PathChange) -> Item {
    Item {
        kind: ItemKind::Path,
        name: p.path,
        dir: p.dir,
        status: p.status,
        left_bytes: p.left_bytes,
        right_bytes: p.right_bytes,
        delta: p.delta,
    }
}

fn package_item(p: &PackageChange, status: Status) -> Item {
    Item {
        kind: ItemKind::Package,
        name: p.name.clone(),
        dir: false,
        status,
        left_bytes: p.left_bytes,
        right_bytes: p.right_bytes,
        delta: p.delta,
    }
}

/// Up to `k` items: package changes and unowned paths when the images have package data,
/// else paths alone.
pub fn explain(c: &Comparison, k: usize) -> Explained {
    let total = c.summary.final_bytes.delta;
    let Some(unowned) = &c.unowned else {
        let items: Vec<Item> = breakdown(&c.tree, k).into_iter().map(path_item).collect();
        let other_delta = remainder(&c.tree, &[])
            .saturating_sub(items.iter().map(|i| i.delta).fold(0, i64::saturating_add));
        return Explained { items, other_delta };
    };
    let p = &c.packages;
    let mut items: Vec<Item> = p
        .added
        .iter()
        .map(|x| package_item(x, Status::OnlyRight))
        .chain(p.removed.iter().map(|x| package_item(x, Status::OnlyLeft)))
        .chain(p.changed.iter().map(|x| package_item(x, Status::Changed)))
        .chain(breakdown(unowned, k).into_iter().map(path_item))
        .filter(|i| i.delta != 0)
        .collect();
    items.sort_by(|a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    items.truncate(k);
    let other_delta =
        total.saturating_sub(items.iter().map(|i| i.delta).fold(0, i64::saturating_add));
    Explained { items, other_delta }
}
