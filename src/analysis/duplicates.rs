//! Bytes stored twice: files a later layer rewrote with the same content (`chmod -R`,
//! `chown -R`), and identical content at several paths of the final filesystem.

use crate::image::merge::{Merged, NodeRef, SameContent};
use crate::image::{EntryKind, LayerScan};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How many example paths a summary keeps.
const TOP: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataCopies {
    /// Bytes of files a later layer stored again with the same content.
    pub bytes: u64,
    pub files: usize,
    /// Of those, the ones whose mode or owner changed (the rest are byte-identical copies).
    pub metadata_changed_files: usize,
    pub top: Vec<CopiedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopiedFile {
    pub path: String,
    pub bytes: u64,
    pub from_layer: usize,
    pub to_layer: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Duplicates {
    /// Bytes of the extra copies (every copy after the first of each content).
    pub bytes: u64,
    pub groups: usize,
    pub top: Vec<DuplicateGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub size: u64,
    /// Bytes a deduplication would save: size × (copies − 1).
    pub extra_bytes: u64,
    pub paths: Vec<String>,
}

pub fn metadata_copies(scans: &[Arc<LayerScan>], merged: &Merged) -> MetadataCopies {
    let mut out = MetadataCopies::default();
    for c in &merged.same_content {
        out.bytes = out.bytes.saturating_add(c.bytes);
        out.files += 1;
        out.metadata_changed_files += usize::from(c.metadata_changed);
    }
    // Sorted by reference and only the top ones made into owned paths: a chmod -R of a
    // big tree copies every file.
    let path = |c: &SameContent| &*merged.entry(scans, c.upper).path;
    let mut all: Vec<(usize, &SameContent)> = merged.same_content.iter().enumerate().collect();
    // Largest first, then by path, then in merge order (what a stable sort kept): the top
    // picked, then only it ordered.
    top_first(&mut all, TOP, |(i, a), (j, b)| {
        (b.bytes.cmp(&a.bytes))
            .then_with(|| path(a).cmp(path(b)))
            .then(i.cmp(j))
    });
    out.top = all
        .into_iter()
        .take(TOP)
        .map(|(_, c)| CopiedFile {
            path: path(c).to_string(),
            bytes: c.bytes,
            from_layer: c.lower.layer as usize,
            to_layer: c.upper.layer as usize,
        })
        .collect();
    out
}

/// Puts the `n` first of `items` in `order` (a total order) at the front, in that order; the
/// rest stay behind them unordered.
pub(crate) fn top_first<T>(
    items: &mut [T],
    n: usize,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    if items.len() > n {
        items.select_nth_unstable_by(n, &mut order);
    }
    let listed = items.len().min(n);
    items[..listed].sort_unstable_by(order);
}

/// A regular file of the final tree: size, content hash, where it is.
type FileKey = (u64, u64, NodeRef);

pub fn duplicates(scans: &[Arc<LayerScan>], merged: &Merged) -> Duplicates {
    // One flat sorted list of (size, hash, where), not a map of vectors of paths: 24 bytes
    // per file instead of about 100, which set the peak memory of a million-file image.
    let path = |at: NodeRef| &*merged.entry(scans, at).path;
    let mut files: Vec<FileKey> = Vec::with_capacity(merged.tree.len());
    files.extend(merged.tree.values().filter_map(|&at| {
        let e = merged.entry(scans, at);
        (e.kind == EntryKind::File && e.size > 0).then_some((e.size, e.hash, at))
    }));
    // By content alone (integers), then each run of one content by path: nearly every
    // run is a single file, and comparing paths on every step cost as much as the sort.
    files.sort_unstable_by_key(|f| (f.0, f.1));
    for run in files.chunk_by_mut(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| path(a.2).cmp(path(b.2)));
        }
    }
    // Each run of equal (size, hash) is one content, its paths in order.
    let mut groups: Vec<(u64, &[FileKey])> = files
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|run| run.len() > 1)
        .map(|run| (run[0].0.saturating_mul(run.len() as u64 - 1), run))
        .collect();
    let paths = |run| group_paths(scans, merged, run);
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| paths(a.1).cmp(paths(b.1))));
    Duplicates {
        bytes: groups.iter().fold(0u64, |sum, g| sum.saturating_add(g.0)),
        groups: groups.len(),
        top: groups
            .into_iter()
            .take(TOP)
            .map(|(extra_bytes, run)| DuplicateGroup {
                size: run[0].0,
                extra_bytes,
                paths: paths(run).map(str::to_string).collect(),
            })
            .collect(),
    }
}

fn group_paths<'a>(
    scans: &'a [Arc<LayerScan>],
    merged: &'a Merged,
    run: &'a [FileKey],
) -> impl Iterator<Item = &'a str> + 'a {
    run.iter().map(move |f| &*merged.entry(scans, f.2).path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_comes_first_in_order() {
        let all: Vec<u32> = (0..100).map(|i| (i * 37) % 101).collect();
        let mut sorted = all.clone();
        sorted.sort();
        for n in [0, 1, 20, 99, 100, 150] {
            let mut v = all.clone();
            top_first(&mut v, n, |a, b| a.cmp(b));
            let k = n.min(v.len());
            assert_eq!(v[..k], sorted[..k], "{n}");
        }
    }
}
