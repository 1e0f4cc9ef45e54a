//! Duplicates: files of the final filesystem whose content is already at another path.

use super::{Draft, FindingsInput, Item, files};
use crate::image::merge::NodeRef;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Final-tree files with the same (size, hash), and their paths.
type Copies<'a> = Vec<(NodeRef, &'a Arc<str>)>;

#[derive(Default)]
struct DupGroup {
    items: Vec<Item>,
    /// (a copy, the kept file), for the fix.
    example: Option<(String, String)>,
}

/// Files of the final tree whose content is already at another path; the copy in the
/// lowest layer (first in tar order) is kept, the others are savable.
pub(super) fn duplicates(input: &FindingsInput<'_>) -> Vec<Draft> {
    // A flat list sorted by content then position, not a map of vectors: 24 bytes per file
    // (a HashMap<_, Vec<_>> cost about 100 and set the peak of a million-file image); only
    // the files whose content hash repeats.
    let by_content = crate::analysis::duplicates::repeated_contents(input.scans, input.merged);
    let mut per_layer: BTreeMap<u32, DupGroup> = BTreeMap::new();
    for run in by_content.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if run.len() < 2 {
            continue;
        }
        let size = run[0].0;
        let path = |at: NodeRef| &input.merged.entry(input.scans, at).path;
        let copies: Copies<'_> = run.iter().map(|&(_, _, at)| (at, path(at))).collect();
        let keep = copies[0].1;
        for (at, path) in &copies[1..] {
            let group = per_layer.entry(at.layer).or_default();
            let example = (format!("/{path}"), format!("/{keep}"));
            if group.example.as_ref().is_none_or(|(p, _)| example.0 < *p) {
                group.example = Some(example);
            }
            group.items.push(Item {
                at: *at,
                path: (*path).clone(),
                bytes: size,
                savable: size,
            });
        }
    }
    per_layer
        .into_iter()
        .map(|(layer, DupGroup { items, example })| {
            let example = example
                .map(|(p, k)| format!(" (e.g. {p} is a copy of {k})"))
                .unwrap_or_default();
            Draft {
                kind: "duplicate",
                title: format!(
                    "{} with the same content as another path",
                    files(items.len())
                ),
                layer,
                why: format!(
                    "keep one copy{example}: in the same layer replace the others with hard links \
                     (`hardlink <dir>`) or symlinks; across layers COPY the file once"
                ),
                items,
                counted: true,
                ..Default::default()
            }
        })
        .collect()
}
