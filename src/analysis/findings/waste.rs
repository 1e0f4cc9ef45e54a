//! Waste: bytes the layers carry that the final filesystem does not show (overwritten,
//! deleted, hidden by opaque directories, copied only for a chmod/chown).

use super::dockerfile::{append, describe, layer_ref, run_command};
use super::{Draft, FindingsInput, Item, MAX_NAMED, files};
use crate::image::entry::{EntryKind, LayerScan};
use crate::image::merge::{NodeRef, WasteKind};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

type Groups = BTreeMap<(u32, u32), Vec<Item>>;

/// metadata-copy, overwritten, deleted-later, opaque-hidden, in that precedence order.
pub(super) fn find(input: &FindingsInput<'_>) -> Vec<Draft> {
    let item = |at: NodeRef, bytes: u64| Item {
        at,
        path: input.merged.entry(input.scans, at).path.clone(),
        bytes,
        savable: bytes,
    };
    let mut copies = Groups::new();
    let metadata_copies =
        || (input.merged.same_content.iter()).filter(|s| s.metadata_changed && s.bytes > 0);
    // Sized once: a chmod -R of a big tree copies every file, and growing the set by
    // doubling rehashed it a dozen times.
    let mut copied =
        foldhash::HashSet::with_capacity_and_hasher(metadata_copies().count(), Default::default());
    for s in metadata_copies() {
        copied.insert((s.lower.layer, s.lower.entry));
        copies
            .entry((s.lower.layer, s.upper.layer))
            .or_default()
            .push(item(s.lower, s.bytes));
    }
    let mut by_kind: HashMap<WasteKind, Groups> = HashMap::new();
    for s in &input.merged.shadowed {
        if s.bytes == 0 || copied.contains(&(s.at.layer, s.at.entry)) {
            continue;
        }
        by_kind
            .entry(s.kind)
            .or_default()
            .entry((s.at.layer, s.by_layer))
            .or_default()
            .push(item(s.at, s.bytes));
    }
    let mut drafts: Vec<Draft> = copies
        .into_iter()
        .map(|(key, items)| metadata_copy(input, key, items))
        .collect();
    for kind in [
        WasteKind::Overwritten,
        WasteKind::Deleted,
        WasteKind::OpaqueHidden,
    ] {
        for (key, items) in by_kind.remove(&kind).unwrap_or_default() {
            let items = if kind == WasteKind::Deleted {
                let (moved, deleted) = split_moved(input, key.1, items);
                if !moved.is_empty() {
                    drafts.push(super::moved::draft(input, key, moved));
                }
                deleted
            } else {
                items
            };
            if !items.is_empty() {
                drafts.push(hidden(input, kind, key, items));
            }
        }
    }
    drafts
}

fn metadata_copy(input: &FindingsInput<'_>, (lower, upper): (u32, u32), items: Vec<Item>) -> Draft {
    let first = &items[0];
    let old = input.merged.entry(input.scans, first.at);
    let new = input
        .scans
        .get(upper as usize)
        .and_then(|s| s.entries.iter().find(|e| e.path == old.path));
    let (mode, owner) = new.map_or((0o644, (0, 0)), |n| (n.mode & 0o7777, (n.uid, n.gid)));
    let chmod = new.is_some_and(|n| n.mode != old.mode);
    let chown = new.is_some_and(|n| (n.uid, n.gid) != (old.uid, old.gid));
    let mut flags = Vec::new();
    if chmod || !chown {
        flags.push(format!("--chmod={mode:o}"));
    }
    if chown {
        flags.push(format!("--chown={}:{}", owner.0, owner.1));
    }
    let (a, b) = (
        layer_ref(lower, input.command(lower)),
        layer_ref(upper, input.command(upper)),
    );
    let (fix, why) = if run_command(input.command(lower)).is_some() {
        // Only a few files are named in a line (a chmod of a whole tree is not spelled out).
        let line = if items.len() <= MAX_NAMED {
            let paths: Vec<String> = items.iter().map(|i| format!("/{}", i.path)).collect();
            let mut change = Vec::new();
            if chmod || !chown {
                change.push(format!("chmod {mode:o} {}", paths.join(" ")));
            }
            if chown {
                change.push(format!("chown {}:{} {}", owner.0, owner.1, paths.join(" ")));
            }
            append(input.command(lower), &change.join(" && ")).0
        } else {
            String::new()
        };
        (
            line,
            format!(
                "set mode and owner in layer {lower}, the RUN that creates the files, and \
                 drop the change from {b}: a later chmod or chown stores every file again"
            ),
        )
    } else {
        let copy = describe(input.command(lower));
        // BuildKit records the COPY as written; the classic builder as `COPY dir:<hash> in`.
        let line = match copy.strip_prefix("COPY ") {
            Some(rest) if !rest.contains(" in ") && !copy.ends_with('…') => {
                format!("COPY {} {rest}", flags.join(" "))
            }
            _ => String::new(),
        };
        (
            line,
            format!(
                "set them while copying (`COPY {}`) in {a}, and drop the change from {b}: a \
                 later chmod or chown stores every file again",
                flags.join(" ")
            ),
        )
    };
    Draft {
        kind: "metadata-copy",
        title: format!("{} copied only to change mode or owner", files(items.len())),
        layer: lower,
        by_layer: Some(upper),
        fix,
        why,
        items,
        counted: true,
        ..Default::default()
    }
}

fn hidden(
    input: &FindingsInput<'_>,
    kind: WasteKind,
    (lower, upper): (u32, u32),
    items: Vec<Item>,
) -> Draft {
    let pair = Pair {
        input,
        lower,
        upper,
        a: layer_ref(lower, input.command(lower)),
        b: layer_ref(upper, input.command(upper)),
    };
    let n = files(items.len());
    let (kind, title, (fix, why)) = match kind {
        WasteKind::Overwritten => (
            "overwritten",
            format!("{n} rewritten by a later layer"),
            pair.overwritten(),
        ),
        WasteKind::Deleted => (
            "deleted-later",
            format!("{n} deleted in a later layer"),
            pair.deleted(&items),
        ),
        WasteKind::OpaqueHidden => (
            "opaque-hidden",
            format!("{n} hidden by an opaque directory"),
            pair.opaque_hidden(&items),
        ),
    };
    Draft {
        kind,
        title,
        layer: lower,
        by_layer: Some(upper),
        fix,
        why,
        items,
        counted: true,
        ..Default::default()
    }
}

/// The two layers of hidden waste, `a` writing files that `b` hides, and how each is
/// named in the advice.
struct Pair<'i> {
    input: &'i FindingsInput<'i>,
    lower: u32,
    upper: u32,
    a: String,
    b: String,
}

impl Pair<'_> {
    /// (fix, why) for files a later layer writes again.
    fn overwritten(&self) -> (String, String) {
        let (a, b) = (&self.a, &self.b);
        (
            String::new(),
            format!(
                "{b} rewrites what {a} wrote, so both versions are pulled: produce the final \
                 version in one layer (merge the RUNs, or build in a stage and COPY once)"
            ),
        )
    }

    /// (fix, why) for files a later layer deletes: delete them in the RUN that makes them.
    fn deleted(&self, items: &[Item]) -> (String, String) {
        let (a, b, lower) = (&self.a, &self.b, self.lower);
        let roots = covering(items, self.markers(|s| &s.whiteouts));
        let cmd = self.input.command(lower);
        if run_command(cmd).is_some() {
            let (line, _) = append(cmd, &format!("rm -rf {}", roots.join(" ")));
            (
                line,
                format!(
                    "delete them in layer {lower}, the RUN that creates them: deleting \
                     them in {b} frees nothing"
                ),
            )
        } else {
            (
                String::new(),
                format!(
                    "don't add them in {a} (.dockerignore, or a narrower COPY source); \
                     deleting them in {b} frees nothing"
                ),
            )
        }
    }

    /// (fix, why) for files an opaque directory of a later layer hides.
    fn opaque_hidden(&self, items: &[Item]) -> (String, String) {
        let (a, b) = (&self.a, &self.b);
        let roots = covering(items, self.markers(|s| &s.opaque_dirs));
        (
            String::new(),
            format!(
                "{b} replaces {} wholesale, hiding what {a} put there: write the \
                 directory once, in its final form",
                roots.join(" ")
            ),
        )
    }

    /// The upper layer's whiteouts or opaque directories.
    fn markers(&self, of: impl Fn(&LayerScan) -> &Vec<Arc<str>>) -> &[Arc<str>] {
        self.input
            .scans
            .get(self.upper as usize)
            .map(|s| &of(s)[..])
            .unwrap_or_default()
    }
}

/// Deleted files whose content the deleting layer adds again at another path that is new
/// there (`mv a b`; a path lower layers had is a copy or a chmod, not a move), each with its
/// new path, apart from those really deleted.
fn split_moved(
    input: &FindingsInput<'_>,
    upper: u32,
    items: Vec<Item>,
) -> (Vec<(Item, Arc<str>)>, Vec<Item>) {
    let Some(scan) = input.scans.get(upper as usize) else {
        return (Vec::new(), items);
    };
    let added: HashMap<(u64, u64), &Arc<str>> = scan
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && e.hash != 0)
        .map(|e| ((e.size, e.hash), &e.path))
        .collect();
    let mut moved = Vec::new();
    let mut deleted = Vec::new();
    // Paths of the layers below, built only when some content reappears.
    let mut below: Option<HashSet<&str>> = None;
    for it in items {
        let old = input.merged.entry(input.scans, it.at);
        let new = added
            .get(&(old.size, old.hash))
            .filter(|new| old.kind == EntryKind::File && old.hash != 0 && ***new != old.path);
        let is_new = new.is_some_and(|new| {
            let below = below.get_or_insert_with(|| {
                input.scans[..upper as usize]
                    .iter()
                    .flat_map(|s| s.entries.iter().map(|e| &*e.path))
                    .collect()
            });
            !below.contains(&***new)
        });
        match new {
            Some(new) if is_new => moved.push((it, Arc::clone(new))),
            _ => deleted.push(it),
        }
    }
    (moved, deleted)
}

/// The markers (whiteout or opaque paths) that cover `items`, most bytes first.
fn covering(items: &[Item], markers: &[Arc<str>]) -> Vec<String> {
    let set: HashSet<&str> = markers.iter().map(|m| &**m).collect();
    let mut bytes: HashMap<&str, u64> = HashMap::new();
    for it in items {
        let mut p: &str = &it.path;
        loop {
            if let Some(m) = set.get(p) {
                let b = bytes.entry(m).or_default();
                *b = b.saturating_add(it.bytes);
                break;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => break,
            }
        }
    }
    let mut roots: Vec<(&str, u64)> = bytes.into_iter().collect();
    roots.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut named: Vec<String> = roots
        .iter()
        .take(MAX_NAMED)
        .map(|(p, _)| format!("/{p}"))
        .collect();
    if roots.len() > MAX_NAMED {
        named.push("...".into());
    }
    named
}
