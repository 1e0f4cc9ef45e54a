//! Bytes stored twice: files a later layer rewrote with the same content (`chmod -R`,
//! `chown -R`), and identical content at several paths of the final filesystem.

use crate::image::merge::Merged;
use crate::image::{EntryKind, LayerScan};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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
    let mut all: Vec<CopiedFile> = Vec::new();
    for c in &merged.same_content {
        out.bytes += c.bytes;
        out.files += 1;
        out.metadata_changed_files += usize::from(c.metadata_changed);
        all.push(CopiedFile {
            path: merged.entry(scans, c.upper).path.to_string(),
            bytes: c.bytes,
            from_layer: c.lower.layer as usize,
            to_layer: c.upper.layer as usize,
        });
    }
    all.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    all.truncate(TOP);
    out.top = all;
    out
}

pub fn duplicates(scans: &[Arc<LayerScan>], merged: &Merged) -> Duplicates {
    let mut by_content: HashMap<(u64, u64), Vec<&str>> = HashMap::new();
    for (path, &at) in &merged.tree {
        let e = merged.entry(scans, at);
        if e.kind == EntryKind::File && e.size > 0 {
            by_content.entry((e.hash, e.size)).or_default().push(path);
        }
    }
    let mut groups: Vec<DuplicateGroup> = by_content
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|((_, size), mut paths)| {
            paths.sort_unstable();
            DuplicateGroup {
                size,
                extra_bytes: size * (paths.len() as u64 - 1),
                paths: paths.into_iter().map(str::to_string).collect(),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.extra_bytes
            .cmp(&a.extra_bytes)
            .then_with(|| a.paths.cmp(&b.paths))
    });
    Duplicates {
        bytes: groups.iter().map(|g| g.extra_bytes).sum(),
        groups: groups.len(),
        top: groups.into_iter().take(TOP).collect(),
    }
}
