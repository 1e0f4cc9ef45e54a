//! Packages and findings on both sides, matched by identity: a package by manager, name,
//! architecture and where it is installed (a Node package can sit in several
//! `node_modules`), a finding by kind and title.

use super::signed_delta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the diff needs of an installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    pub manager: String,
    pub name: String,
    pub version: String,
    pub arch: String,
    /// Where a language package is installed (site-packages, node_modules dir); empty for
    /// OS packages.
    pub location: String,
    /// Bytes attributed to it in the final filesystem.
    pub bytes: u64,
}

/// A package present on one side only, or whose version or bytes differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageChange {
    pub manager: String,
    pub name: String,
    pub arch: String,
    pub location: String,
    pub left_version: Option<String>,
    pub right_version: Option<String>,
    pub left_bytes: u64,
    pub right_bytes: u64,
    pub delta: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageDiff {
    /// Only on the right. Each list is sorted by |delta|, largest first.
    pub added: Vec<PackageChange>,
    /// Only on the left.
    pub removed: Vec<PackageChange>,
    /// On both sides with another version, or the same version owning other bytes.
    pub changed: Vec<PackageChange>,
    pub unchanged: usize,
}

impl PackageDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

type PackageKey<'a> = (&'a str, &'a str, &'a str, &'a str);

fn key(p: &PackageFacts) -> PackageKey<'_> {
    (&p.manager, &p.name, &p.arch, &p.location)
}

pub fn diff_packages(left: &[PackageFacts], right: &[PackageFacts]) -> PackageDiff {
    let mut both: BTreeMap<PackageKey<'_>, (Option<&PackageFacts>, Option<&PackageFacts>)> =
        BTreeMap::new();
    for p in left {
        both.entry(key(p)).or_default().0 = Some(p);
    }
    for p in right {
        both.entry(key(p)).or_default().1 = Some(p);
    }
    let mut out = PackageDiff::default();
    for ((manager, name, arch, location), (l, r)) in both {
        let change = PackageChange {
            manager: manager.to_string(),
            name: name.to_string(),
            arch: arch.to_string(),
            location: location.to_string(),
            left_version: l.map(|p| p.version.clone()),
            right_version: r.map(|p| p.version.clone()),
            left_bytes: l.map_or(0, |p| p.bytes),
            right_bytes: r.map_or(0, |p| p.bytes),
            delta: signed_delta(l.map_or(0, |p| p.bytes), r.map_or(0, |p| p.bytes)),
        };
        match (l, r) {
            (Some(_), None) => out.removed.push(change),
            (None, Some(_)) => out.added.push(change),
            (Some(a), Some(b)) if a.version == b.version && a.bytes == b.bytes => {
                out.unchanged += 1
            }
            _ => out.changed.push(change),
        }
    }
    for list in [&mut out.added, &mut out.removed, &mut out.changed] {
        list.sort_by(|a, b| {
            b.delta
                .unsigned_abs()
                .cmp(&a.delta.unsigned_abs())
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    out
}

/// What the diff needs of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFacts {
    pub kind: String,
    pub title: String,
    pub bytes: u64,
    pub savable_bytes: u64,
    pub fix: String,
}

/// A finding on both sides, with what a fix would save on each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPair {
    pub kind: String,
    pub title: String,
    pub left_savable_bytes: u64,
    pub right_savable_bytes: u64,
    pub delta: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDiff {
    /// Findings the right side no longer has (fixed), largest saving first.
    pub only_left: Vec<FindingFacts>,
    /// Findings the right side introduced.
    pub only_right: Vec<FindingFacts>,
    pub both: Vec<FindingPair>,
}

impl FindingDiff {
    pub fn is_empty(&self) -> bool {
        self.only_left.is_empty() && self.only_right.is_empty() && self.both.is_empty()
    }
}

pub fn diff_findings(left: &[FindingFacts], right: &[FindingFacts]) -> FindingDiff {
    type Pair<'a> = (Option<&'a FindingFacts>, Option<&'a FindingFacts>);
    let mut by_key: BTreeMap<(&str, &str), Pair<'_>> = BTreeMap::new();
    for f in left {
        by_key.entry((&f.kind, &f.title)).or_default().0 = Some(f);
    }
    for f in right {
        by_key.entry((&f.kind, &f.title)).or_default().1 = Some(f);
    }
    let mut out = FindingDiff::default();
    for (_, pair) in by_key {
        match pair {
            (Some(l), None) => out.only_left.push(l.clone()),
            (None, Some(r)) => out.only_right.push(r.clone()),
            (Some(l), Some(r)) => out.both.push(FindingPair {
                kind: l.kind.clone(),
                title: l.title.clone(),
                left_savable_bytes: l.savable_bytes,
                right_savable_bytes: r.savable_bytes,
                delta: signed_delta(l.savable_bytes, r.savable_bytes),
            }),
            (None, None) => {}
        }
    }
    for list in [&mut out.only_left, &mut out.only_right] {
        list.sort_by(|a, b| {
            b.savable_bytes
                .cmp(&a.savable_bytes)
                .then_with(|| a.title.cmp(&b.title))
        });
    }
    out.both
        .sort_by_key(|p| std::cmp::Reverse(p.delta.unsigned_abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, bytes: u64) -> PackageFacts {
        PackageFacts {
            manager: "dpkg".into(),
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
            location: String::new(),
            bytes,
        }
    }

    #[test]
    fn packages_added_removed_and_upgraded() {
        let left = [
            pkg("libc6", "2.36", 100),
            pkg("gcc-12", "12.2", 900),
            pkg("bash", "5.2", 50),
        ];
        let right = [
            pkg("libc6", "2.37", 120),
            pkg("bash", "5.2", 50),
            pkg("llvm", "14", 700),
        ];
        let d = diff_packages(&left, &right);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.added.len(), 1);
        assert_eq!((d.added[0].name.as_str(), d.added[0].delta), ("llvm", 700));
        assert_eq!(
            (d.removed[0].name.as_str(), d.removed[0].delta),
            ("gcc-12", -900)
        );
        let c = &d.changed[0];
        assert_eq!(
            (
                c.left_version.as_deref(),
                c.right_version.as_deref(),
                c.delta
            ),
            (Some("2.36"), Some("2.37"), 20)
        );
    }

    #[test]
    fn findings_fixed_introduced_and_kept() {
        let f = |kind: &str, s: u64| FindingFacts {
            kind: kind.into(),
            title: kind.into(),
            bytes: s,
            savable_bytes: s,
            fix: String::new(),
        };
        let d = diff_findings(
            &[f("apt-lists", 30), f("debug", 10)],
            &[f("debug", 4), f("pip", 7)],
        );
        assert_eq!(d.only_left, vec![f("apt-lists", 30)]);
        assert_eq!(d.only_right, vec![f("pip", 7)]);
        assert_eq!(d.both[0].delta, -6);
    }
}
