//! The few lines a reader wants from a tree diff: the largest file changes, the directories
//! that moved, and a breakdown of where the delta comes from ("−usr/lib/go-1.19 5.4 MiB,
//! −var/cache/apt 2.4 MiB") that never counts a byte twice.

use super::signed_delta;
use super::tree::{DirAgg, PathDiff, Status, TreeDiff, parent};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A changed file or directory, as summaries list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    pub path: String,
    pub dir: bool,
    pub status: Status,
    pub left_bytes: u64,
    pub right_bytes: u64,
    pub delta: i64,
}

impl PathChange {
    fn entry(p: &PathDiff) -> PathChange {
        PathChange {
            path: p.path.to_string(),
            dir: false,
            status: p.status,
            left_bytes: p.left_bytes(),
            right_bytes: p.right_bytes(),
            delta: p.delta(),
        }
    }

    fn dir(path: &str, a: &DirAgg) -> PathChange {
        PathChange {
            path: path.to_string(),
            dir: true,
            status: a.status,
            left_bytes: a.left_bytes,
            right_bytes: a.right_bytes,
            delta: a.delta(),
        }
    }

    fn weight(&self) -> (u64, u64) {
        (
            self.delta.unsigned_abs(),
            self.left_bytes.max(self.right_bytes),
        )
    }
}

/// Largest first by |delta|, then by size (a rebuilt binary of the same size still matters),
/// then by path so the order is stable.
fn by_weight(a: &PathChange, b: &PathChange) -> std::cmp::Ordering {
    b.weight()
        .cmp(&a.weight())
        .then_with(|| a.path.cmp(&b.path))
}

/// The `n` largest entry changes (directories excluded: their children are listed).
pub fn top_changes(t: &TreeDiff, n: usize) -> Vec<PathChange> {
    let mut all: Vec<PathChange> = t
        .paths
        .iter()
        .filter(|p| p.status != Status::Same && !p.is_dir())
        .map(PathChange::entry)
        .collect();
    all.sort_by(by_weight);
    all.truncate(n);
    all
}

/// Directories up to `max_depth` components deep whose content differs, largest |delta|
/// first, at most `n`.
pub fn dir_changes(t: &TreeDiff, max_depth: usize, n: usize) -> Vec<PathChange> {
    let mut all: Vec<PathChange> = t
        .dirs
        .iter()
        .filter(|(d, a)| {
            !d.is_empty() && d.split('/').count() <= max_depth && a.status != Status::Same
        })
        .map(|(d, a)| PathChange::dir(d, a))
        .collect();
    all.sort_by(by_weight);
    all.truncate(n);
    all
}

/// Directories this shallow are usually categories (`usr`, `usr/lib`, `var/cache`) that say
/// little on their own: they are opened as soon as one subdirectory holds a quarter of
/// their change. A deeper directory is opened only when one subdirectory holds three
/// quarters of it. A directory is never opened for its files alone, so `var/lib/apt/lists/`
/// stays one item rather than its largest file, and `data/` with 200 similar
/// subdirectories stays one item too.
const CATEGORY_DEPTH: usize = 2;

/// Up to `k` disjoint paths that explain the change, largest first. Starting from the
/// root, the largest item is either reported or, when it is a directory that says little
/// on its own (see `CATEGORY_DEPTH`), replaced by its children; a directory with a single
/// differing entry becomes that entry. Items never overlap, so their deltas add up.
pub fn breakdown(t: &TreeDiff, k: usize) -> Vec<PathChange> {
    let Some(root) = t.dirs.get("") else {
        return Vec::new();
    };
    let mut frontier: Vec<PathChange> = vec![PathChange::dir("", root)];
    let mut out = Vec::new();
    while out.len() < k {
        let Some(best) = (0..frontier.len()).min_by(|&a, &b| by_weight(&frontier[a], &frontier[b]))
        else {
            break;
        };
        let item = frontier.swap_remove(best);
        if item.status == Status::Same {
            break;
        }
        if !item.dir {
            out.push(item);
            continue;
        }
        let Some(agg) = t.dirs.get(item.path.as_str()) else {
            out.push(item);
            continue;
        };
        if agg.differing() == 1
            && let Some(only) = t
                .paths_under(&item.path)
                .iter()
                .find(|p| p.status != Status::Same && !p.is_dir())
        {
            out.push(PathChange::entry(only));
            continue;
        }
        let children = children(t, &item.path);
        let depth = if item.path.is_empty() {
            0
        } else {
            item.path.split('/').count()
        };
        let largest_dir = children
            .iter()
            .filter(|c| c.dir)
            .filter_map(|c| t.dirs.get(c.path.as_str()))
            .map(|a| a.gross)
            .max()
            .unwrap_or(0);
        let open = depth == 0
            || (depth <= CATEGORY_DEPTH && largest_dir.saturating_mul(4) >= agg.gross)
            || largest_dir.saturating_mul(4) >= agg.gross.saturating_mul(3);
        if open {
            frontier.extend(children);
        } else {
            out.push(item);
        }
    }
    out
}

/// The differing children of a directory: subdirectories and entries directly inside it.
fn children(t: &TreeDiff, dir: &str) -> Vec<PathChange> {
    let lo: Arc<str> = if dir.is_empty() {
        Arc::from("")
    } else {
        Arc::from(format!("{dir}/"))
    };
    let mut out: Vec<PathChange> = t
        .dirs
        .range(lo.clone()..)
        .take_while(|(d, _)| d.starts_with(&*lo))
        .filter(|(d, a)| !d.is_empty() && parent(d) == dir && a.status != Status::Same)
        .map(|(d, a)| PathChange::dir(d, a))
        .collect();
    out.extend(
        t.paths_under(dir)
            .iter()
            .filter(|p| parent(&p.path) == dir && p.status != Status::Same && !p.is_dir())
            .filter(|p| !t.dirs.contains_key(&*p.path))
            .map(PathChange::entry),
    );
    out
}

/// Σ delta of the breakdown's items and of what it left out, which add up to the final
/// filesystem's delta.
pub fn remainder(t: &TreeDiff, items: &[PathChange]) -> i64 {
    let total = t
        .dirs
        .get("")
        .map_or(0, |r| signed_delta(r.left_bytes, r.right_bytes));
    total.saturating_sub(items.iter().map(|i| i.delta).fold(0, i64::saturating_add))
}
