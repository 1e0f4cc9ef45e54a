//! The two final filesystems, path by path: only on the left, only on the right, changed
//! (kind, content, link target, mode or owner differ), or the same. Directories carry
//! aggregates of everything below them, so a view can show "usr/lib: −12 MiB" and a
//! summary can say where the bytes went without listing every file.

use super::Side;
use super::dirs::{self, Dirs};
pub use super::paths::{DirAgg, Facts, PathDiff, Status, Tally, Totals};
use crate::analysis::Analysis;
use crate::image::{Entry, EntryKind};
use std::cmp::Ordering;
use std::sync::Arc;

/// The merged trees of both sides, diffed.
#[derive(Debug, Clone, Default)]
pub struct TreeDiff {
    /// Every path of either final filesystem, sorted.
    pub paths: Vec<PathDiff>,
    /// Every directory, explicit or implied by a path below it; `""` is the root.
    pub dirs: Dirs,
    pub totals: Totals,
}

/// Diffs the final filesystems of two images: one merge walk over both sorted trees.
pub fn diff(left: Side<'_>, right: Side<'_>) -> TreeDiff {
    let (ls, rs) = (Analysis::scans(left.image), Analysis::scans(right.image));
    let (lm, rm) = (&left.analysis.merged, &right.analysis.merged);
    let mut li = lm.tree.iter().peekable();
    let mut ri = rm.tree.iter().peekable();
    let mut paths = Vec::with_capacity(lm.tree.len().max(rm.tree.len()));
    loop {
        let order = match (li.peek(), ri.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((a, _)), Some((b, _))) => a.cmp(b),
        };
        let step = match order {
            Ordering::Less => li.next().map(|(p, &at)| (p, Some(lm.entry(&ls, at)), None)),
            Ordering::Greater => ri.next().map(|(p, &at)| (p, None, Some(rm.entry(&rs, at)))),
            Ordering::Equal => li
                .next()
                .zip(ri.next())
                .map(|((p, &a), (_, &b))| (p, Some(lm.entry(&ls, a)), Some(rm.entry(&rs, b)))),
        };
        let Some((path, l, r)) = step else { break };
        paths.push(path_diff(path, l, r));
    }
    from_paths(paths)
}

fn facts(e: &Entry) -> Facts {
    Facts {
        kind: e.kind,
        bytes: if e.kind == EntryKind::File { e.size } else { 0 },
    }
}

fn path_diff(path: &Arc<str>, l: Option<&Entry>, r: Option<&Entry>) -> PathDiff {
    let status = match (l, r) {
        (Some(a), Some(b)) if same(a, b) => Status::Same,
        (Some(_), Some(_)) => Status::Changed,
        (Some(_), None) => Status::OnlyLeft,
        _ => Status::OnlyRight,
    };
    PathDiff {
        path: path.clone(),
        status,
        left: l.map(facts),
        right: r.map(facts),
    }
}

fn same(a: &Entry, b: &Entry) -> bool {
    // The hash covers file content and symlink targets; a hard link is its target path.
    (a.kind, a.size, a.hash, &a.link, a.mode, a.uid, a.gid)
        == (b.kind, b.size, b.hash, &b.link, b.mode, b.uid, b.gid)
}

/// Builds the directory aggregates and totals from the sorted path list: one walk over
/// each path's components.
pub fn from_paths(paths: Vec<PathDiff>) -> TreeDiff {
    let mut b = dirs::Builder::new();
    let mut totals = Totals::default();
    let mut chain = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let (in_l, in_r) = (p.left.is_some(), p.right.is_some());
        let is_dir = p.is_dir();
        b.chain(&p.path, is_dir, &mut chain);
        for &dir in &chain {
            let agg = b.agg(dir);
            agg.in_left |= in_l;
            agg.in_right |= in_r;
        }
        if is_dir {
            if p.status == Status::Changed
                && let Some(&own) = chain.last()
            {
                b.agg(own).status = Status::Changed;
            }
            continue;
        }
        b.holds(chain.last().copied().unwrap_or(0), i);
        let tally = match p.status {
            Status::OnlyLeft => &mut totals.only_left,
            Status::OnlyRight => &mut totals.only_right,
            Status::Changed => &mut totals.changed,
            Status::Same => &mut totals.same,
        };
        tally.add(p);
        for &dir in &chain {
            let agg = b.agg(dir);
            agg.left_bytes = agg.left_bytes.saturating_add(p.left_bytes());
            agg.right_bytes = agg.right_bytes.saturating_add(p.right_bytes());
            agg.gross = agg.gross.saturating_add(p.delta().unsigned_abs());
            match p.status {
                Status::OnlyLeft => agg.only_left += 1,
                Status::OnlyRight => agg.only_right += 1,
                Status::Changed => agg.changed += 1,
                Status::Same => agg.same += 1,
            }
        }
    }
    let dirs = b.finish(&paths);
    TreeDiff {
        paths,
        dirs,
        totals,
    }
}

/// `""`, `a`, `a/b` for `a/b/c`.
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::once("").chain(
        path.char_indices()
            .filter(|&(_, c)| c == '/')
            .map(move |(i, _)| &path[..i]),
    )
}

/// The parent directory of a path (`""` for a top-level one).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

impl TreeDiff {
    /// The same diff with the bytes packages own taken out, side by side: what remains is
    /// what no package explains, so package deltas plus this tree's deltas add up to the
    /// final-bytes delta. A path whose remaining bytes do not differ counts as the same.
    pub fn unowned(&self, left: &dyn Fn(&str) -> bool, right: &dyn Fn(&str) -> bool) -> TreeDiff {
        let paths = self
            .paths
            .iter()
            .map(|p| {
                let mut q = p.clone();
                let (ol, or) = (left(&p.path), right(&p.path));
                for (owned, side) in [(ol, &mut q.left), (or, &mut q.right)] {
                    if let (true, Some(f)) = (owned, side) {
                        f.bytes = 0;
                    }
                }
                if (ol || or) && q.delta() == 0 {
                    q.status = Status::Same;
                }
                q
            })
            .collect();
        from_paths(paths)
    }

    /// The slice of `paths` strictly below `dir`.
    pub fn paths_under(&self, dir: &str) -> &[PathDiff] {
        if dir.is_empty() {
            return &self.paths;
        }
        let (lo, hi) = (format!("{dir}/"), format!("{dir}0"));
        let a = self.paths.partition_point(|p| *p.path < *lo);
        let b = self.paths.partition_point(|p| *p.path < *hi);
        &self.paths[a..b.max(a)]
    }

    pub fn path(&self, path: &str) -> Option<&PathDiff> {
        self.paths
            .binary_search_by(|p| (*p.path).cmp(path))
            .ok()
            .map(|i| &self.paths[i])
    }
}
