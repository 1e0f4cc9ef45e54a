//! Findings on both sides, matched by kind: all findings of one kind taken together, since
//! titles carry counts ("3 files") and paths differ between the images.

use super::signed_delta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the diff needs of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFacts {
    pub kind: String,
    pub title: String,
    pub bytes: u64,
    pub savable_bytes: u64,
    pub fix: String,
}

/// All findings of one kind on one side: the title and fix of the largest, the sums of all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingGroup {
    pub kind: String,
    pub title: String,
    pub count: usize,
    pub bytes: u64,
    pub savable_bytes: u64,
    pub fix: String,
}

/// A kind of finding on both sides, with what its fixes would save on each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPair {
    pub kind: String,
    pub left_title: String,
    pub right_title: String,
    pub left_savable_bytes: u64,
    pub right_savable_bytes: u64,
    pub delta: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDiff {
    /// Kinds the right side no longer has (fixed), largest saving first.
    pub only_left: Vec<FindingGroup>,
    /// Kinds the right side introduced.
    pub only_right: Vec<FindingGroup>,
    /// Kinds on both sides, largest |delta| first.
    pub both: Vec<FindingPair>,
}

impl FindingDiff {
    pub fn is_empty(&self) -> bool {
        self.only_left.is_empty() && self.only_right.is_empty() && self.both.is_empty()
    }
}

fn group(findings: &[FindingFacts]) -> BTreeMap<&str, FindingGroup> {
    let mut out: BTreeMap<&str, (FindingGroup, u64)> = BTreeMap::new();
    for f in findings {
        let (g, largest) = out.entry(&f.kind).or_insert_with(|| {
            let g = FindingGroup {
                kind: f.kind.clone(),
                title: String::new(),
                count: 0,
                bytes: 0,
                savable_bytes: 0,
                fix: String::new(),
            };
            (g, 0)
        });
        if g.count == 0 || f.savable_bytes > *largest {
            g.title = f.title.clone();
            g.fix = f.fix.clone();
            *largest = f.savable_bytes;
        }
        g.count += 1;
        g.bytes = g.bytes.saturating_add(f.bytes);
        g.savable_bytes = g.savable_bytes.saturating_add(f.savable_bytes);
    }
    out.into_iter().map(|(k, (g, _))| (k, g)).collect()
}

pub fn diff_findings(left: &[FindingFacts], right: &[FindingFacts]) -> FindingDiff {
    let (mut l, mut r) = (group(left), group(right));
    let mut out = FindingDiff::default();
    let kinds: Vec<String> = l.keys().chain(r.keys()).map(|k| k.to_string()).collect();
    for kind in kinds {
        match (l.remove(kind.as_str()), r.remove(kind.as_str())) {
            (Some(a), None) => out.only_left.push(a),
            (None, Some(b)) => out.only_right.push(b),
            (Some(a), Some(b)) => out.both.push(FindingPair {
                delta: signed_delta(a.savable_bytes, b.savable_bytes),
                kind,
                left_title: a.title,
                right_title: b.title,
                left_savable_bytes: a.savable_bytes,
                right_savable_bytes: b.savable_bytes,
            }),
            (None, None) => {}
        }
    }
    for list in [&mut out.only_left, &mut out.only_right] {
        list.sort_by(|a, b| {
            b.savable_bytes
                .cmp(&a.savable_bytes)
                .then_with(|| a.kind.cmp(&b.kind))
        });
    }
    out.both
        .sort_by_key(|p| std::cmp::Reverse(p.delta.unsigned_abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_fixed_introduced_and_kept_by_kind() {
        let f = |kind: &str, title: &str, s: u64| FindingFacts {
            kind: kind.into(),
            title: title.into(),
            bytes: s,
            savable_bytes: s,
            fix: format!("fix {title}"),
        };
        let left = [
            f("apt-lists", "apt lists (2 files)", 30),
            f("debug-symbols", "server has debug symbols", 10),
            f("debug-symbols", "libfoo has debug symbols", 3),
        ];
        let right = [
            f("debug-symbols", "app has debug symbols", 4),
            f("pip-cache", "pip", 7),
        ];
        let d = diff_findings(&left, &right);
        let kinds = |v: &[FindingGroup]| v.iter().map(|g| g.kind.clone()).collect::<Vec<_>>();
        assert_eq!(kinds(&d.only_left), ["apt-lists"]);
        assert_eq!(kinds(&d.only_right), ["pip-cache"]);
        let b = &d.both[0];
        assert_eq!(
            (b.left_savable_bytes, b.right_savable_bytes, b.delta),
            (13, 4, -9)
        );
        assert_eq!(
            b.left_title, "server has debug symbols",
            "the largest names the group"
        );
    }
}
