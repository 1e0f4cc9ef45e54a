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
/// rest stay behind them unordered. One pass keeps the first `n` seen so far: an item that
/// does not come before the last of them costs one comparison (a selection over all, as
/// before, cost a finding of 90k metadata copies 20 M instructions).
pub(crate) fn top_first<T>(
    items: &mut [T],
    n: usize,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    use std::cmp::Ordering::{Greater, Less};
    let k = n.min(items.len());
    // Indices of the first `k` so far, in order (equal ones in index order).
    let mut top: Vec<usize> = Vec::with_capacity(k + 1);
    for i in 0..items.len() {
        if top.len() == k
            && top
                .last()
                .is_none_or(|&w| order(&items[i], &items[w]) != Less)
        {
            continue;
        }
        let at = top.partition_point(|&j| order(&items[j], &items[i]) != Greater);
        top.insert(at, i);
        top.truncate(k);
    }
    // Swapped to the front in turn; `top[q]` follows the `q`th to wherever a swap put it.
    for pos in 0..top.len() {
        let from = top[pos];
        if from != pos {
            if let Some(q) = (pos + 1..top.len()).find(|&q| top[q] == pos) {
                top[q] = from;
            }
            items.swap(pos, from);
        }
    }
}

/// A regular file of the final tree: size, content hash, where it is.
pub(crate) type FileKey = (u64, u64, NodeRef);

/// The non-empty regular files of the final tree whose content hash another such file
/// shares, sorted by (size, hash), then by layer and entry: every file with a duplicate is
/// among them. Nearly every content is at one path only, so the hashes seen more than
/// once are found first, by sorting plain integers: sorting every file's (size, hash,
/// where) was most of both duplicate analyses on an image of 90k unique files.
pub(crate) fn repeated_contents(scans: &[Arc<LayerScan>], merged: &Merged) -> Vec<FileKey> {
    let file = |at: NodeRef| {
        let e = merged.entry(scans, at);
        (e.kind == EntryKind::File && e.size > 0).then_some((e.size, e.hash, at))
    };
    let mut hashes: Vec<u64> = (merged.tree.values())
        .filter_map(|&at| file(at).map(|f| f.1))
        .collect();
    hashes.sort_unstable();
    let twice: Vec<u64> = (hashes.chunk_by(|a, b| a == b))
        .filter(|run| run.len() > 1)
        .map(|run| run[0])
        .collect();
    drop(hashes);
    if twice.is_empty() {
        return Vec::new();
    }
    let mut files: Vec<FileKey> = (merged.tree.values())
        .filter_map(|&at| file(at))
        .filter(|f| twice.binary_search(&f.1).is_ok())
        .collect();
    files.sort_unstable_by_key(|&(size, hash, at)| (size, hash, at.layer, at.entry));
    files
}

pub fn duplicates(scans: &[Arc<LayerScan>], merged: &Merged) -> Duplicates {
    // One flat sorted list of (size, hash, where), not a map of vectors of paths: 24 bytes
    // per file instead of about 100, which set the peak memory of a million-file image.
    let path = |at: NodeRef| &*merged.entry(scans, at).path;
    let mut files = repeated_contents(scans, merged);
    // Each run of one content by path (comparing paths on every step of the sort by
    // content cost as much as the sort).
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

    /// Every file whose (size, hash) another file of the final tree shares is listed, in
    /// the order a sort of all files by (size, hash, layer, entry) gives; files alone with
    /// their hash are left out (a file sharing a hash but not a size may stay).
    #[test]
    fn repeated_contents_are_the_runs_of_a_full_sort() {
        use crate::image::{Entry, EntryKind};
        let file = |path: &str, size: u64, hash: u64| Entry {
            path: Arc::from(path),
            kind: EntryKind::File,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            link: None,
            hash,
        };
        let layer = |entries: Vec<Entry>| {
            Arc::new(LayerScan {
                entries,
                ..Default::default()
            })
        };
        let mut lower: Vec<Entry> = (0..40)
            .map(|i| file(&format!("a/{i:02}"), 10 + i % 4, i % 7))
            .collect();
        lower.push(file("empty1", 0, 5));
        lower.push(file("empty2", 0, 5));
        let mut dir = file("d", 0, 1);
        dir.kind = EntryKind::Dir;
        lower.push(dir);
        let upper: Vec<Entry> = (0..10)
            .map(|i| file(&format!("a/{:02}", i * 3), 99, 1000 + i % 2))
            .chain([file("u", 7, 123), file("v", 8, 123)])
            .collect();
        let scans = vec![layer(lower), layer(upper)];
        let merged = Merged::build(&scans);
        let mut all: Vec<FileKey> = (merged.tree.values())
            .map(|&at| (merged.entry(&scans, at), at))
            .filter(|(e, _)| e.kind == EntryKind::File && e.size > 0)
            .map(|(e, at)| (e.size, e.hash, at))
            .collect();
        all.sort_unstable_by_key(|&(size, hash, at)| (size, hash, at.layer, at.entry));
        let runs = |v: &[FileKey]| -> Vec<FileKey> {
            (v.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)))
                .filter(|run| run.len() > 1)
                .flatten()
                .copied()
                .collect()
        };
        let repeated = repeated_contents(&scans, &merged);
        assert!(!runs(&all).is_empty());
        assert_eq!(runs(&repeated), runs(&all));
        assert!(repeated.is_sorted_by_key(|&(s, h, at)| (s, h, at.layer, at.entry)));
        assert!(repeated.iter().all(|f| all.contains(f)));
        assert!(
            repeated.iter().any(|f| f.1 == 123),
            "same hash, other size: kept"
        );
        let alone = vec![layer(vec![file("x", 1, 1), file("y", 1, 2)])];
        assert!(repeated_contents(&alone, &Merged::build(&alone)).is_empty());
    }

    #[test]
    fn the_top_comes_first_in_order() {
        let shuffled: Vec<u32> = (0..100).map(|i| (i * 37) % 101).collect();
        let rising: Vec<u32> = (0..100).collect();
        let falling: Vec<u32> = (0..100).rev().collect();
        let repeats: Vec<u32> = (0..100).map(|i| (i * 7) % 5).collect();
        for all in [shuffled, rising, falling, repeats] {
            let mut sorted = all.clone();
            sorted.sort();
            for n in [0, 1, 5, 20, 99, 100, 150] {
                let mut v = all.clone();
                top_first(&mut v, n, |a, b| a.cmp(b));
                let k = n.min(v.len());
                assert_eq!(v[..k], sorted[..k], "{n}");
                let (mut rest, mut want) = (v[k..].to_vec(), sorted[k..].to_vec());
                rest.sort();
                want.sort();
                assert_eq!(rest, want, "the rest stays: {n}");
            }
        }
    }
}
