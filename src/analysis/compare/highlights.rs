//! The few lines a reader wants from a tree diff: the largest file changes, the directories
//! that moved, and a breakdown of where the delta comes from ("−usr/lib/go-1.19 5.4 MiB,
//! −var/cache/apt 2.4 MiB") that never counts a byte twice.

use super::dirs::Dir;
use super::signed_delta;
use super::tree::{DirAgg, PathDiff, Status, TreeDiff};
use serde::{Deserialize, Serialize};

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
            !d.is_empty() && d.split('/').nth(max_depth).is_none() && a.status != Status::Same
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
    if t.dirs.is_empty() {
        return Vec::new();
    }
    // Candidates by index, their paths borrowed: a chain 10 000 levels deep is opened
    // level by level without a copy or a lookup of each level's path.
    let mut frontier = vec![Cand::Dir { id: 0, depth: 0 }];
    let mut out = Vec::new();
    while out.len() < k {
        let Some(best) = (0..frontier.len())
            .min_by(|&a, &b| cand_order(&facts(t, frontier[a]), &facts(t, frontier[b])))
        else {
            break;
        };
        let cand = frontier.swap_remove(best);
        let f = facts(t, cand);
        if f.status == Status::Same {
            break;
        }
        let (Cand::Dir { id, depth }, Some(dir)) = (cand, f.dir) else {
            out.extend(change(t, cand));
            continue;
        };
        let agg = &dir.agg;
        if agg.differing() == 1
            && let Some(only) = t
                .paths_under(&dir.path)
                .iter()
                .find(|p| p.status != Status::Same && !p.is_dir())
        {
            out.push(PathChange::entry(only));
            continue;
        }
        let children = children(t, id, depth + 1);
        let largest_dir = children
            .iter()
            .filter_map(|&c| facts(t, c).dir)
            .map(|d| d.agg.gross)
            .max()
            .unwrap_or(0);
        let open = depth == 0
            || (depth <= CATEGORY_DEPTH && largest_dir.saturating_mul(4) >= agg.gross)
            || largest_dir.saturating_mul(4) >= agg.gross.saturating_mul(3);
        if open {
            frontier.extend(children);
        } else {
            out.extend(change(t, cand));
        }
    }
    out
}

/// A breakdown candidate: a directory of the diff (and how deep it is) or a path.
#[derive(Clone, Copy)]
enum Cand {
    Dir { id: u32, depth: usize },
    Entry(u32),
}

/// What the breakdown weighs a candidate by, borrowed from the diff.
struct Facts<'a> {
    path: &'a str,
    status: Status,
    left: u64,
    right: u64,
    dir: Option<&'a Dir>,
}

fn facts(t: &TreeDiff, c: Cand) -> Facts<'_> {
    match c {
        Cand::Dir { id, .. } => match t.dirs.dir(id) {
            Some(d) => Facts {
                path: &d.path,
                status: d.agg.status,
                left: d.agg.left_bytes,
                right: d.agg.right_bytes,
                dir: Some(d),
            },
            None => Facts::none(),
        },
        Cand::Entry(i) => match t.paths.get(i as usize) {
            Some(p) => Facts {
                path: &p.path,
                status: p.status,
                left: p.left_bytes(),
                right: p.right_bytes(),
                dir: None,
            },
            None => Facts::none(),
        },
    }
}

impl Facts<'_> {
    fn none() -> Self {
        Facts {
            path: "",
            status: Status::Same,
            left: 0,
            right: 0,
            dir: None,
        }
    }
}

/// As [`by_weight`] orders the changes these candidates become.
fn cand_order(a: &Facts<'_>, b: &Facts<'_>) -> std::cmp::Ordering {
    let weight = |f: &Facts<'_>| {
        (
            signed_delta(f.left, f.right).unsigned_abs(),
            f.left.max(f.right),
        )
    };
    weight(b).cmp(&weight(a)).then_with(|| a.path.cmp(b.path))
}

fn change(t: &TreeDiff, c: Cand) -> Option<PathChange> {
    match c {
        Cand::Dir { id, .. } => t.dirs.dir(id).map(|d| PathChange::dir(&d.path, &d.agg)),
        Cand::Entry(i) => t.paths.get(i as usize).map(PathChange::entry),
    }
}

/// The differing children of a directory: subdirectories and entries directly inside it
/// (each directory lists its own, so a deep chain is not scanned once per level).
fn children(t: &TreeDiff, id: u32, depth: usize) -> Vec<Cand> {
    let Some(d) = t.dirs.dir(id) else {
        return Vec::new();
    };
    let mut out: Vec<Cand> = d
        .subdirs
        .iter()
        .filter(|&&s| t.dirs.dir(s).is_some_and(|s| s.agg.status != Status::Same))
        .map(|&s| Cand::Dir { id: s, depth })
        .collect();
    out.extend(
        d.entries
            .iter()
            .filter(|&&i| {
                t.paths
                    .get(i as usize)
                    .is_some_and(|p| p.status != Status::Same && !p.is_dir())
            })
            .map(|&i| Cand::Entry(i)),
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
