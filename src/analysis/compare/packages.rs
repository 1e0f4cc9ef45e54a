//! Packages on both sides, matched by manager, name, architecture and where a language
//! package is installed (a Node package can sit in several `node_modules`). A package found
//! at one place on the left and another on the right, once on each side, is the same
//! package moved (a Go program copied from `/usr/local/bin/server` to `/server`).

use super::signed_delta;
use crate::analysis::packages::Manager;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the diff needs of an installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    pub manager: Manager,
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
    pub manager: Manager,
    pub name: String,
    pub arch: String,
    /// Where it is installed (the right side's, for a moved package).
    pub location: String,
    /// Where a moved package was installed on the left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_location: Option<String>,
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

/// Managers sort by name here (as when they were strings), so the lists keep their order.
type PackageKey<'a> = (&'static str, &'a str, &'a str, &'a str);

fn key(p: &PackageFacts) -> PackageKey<'_> {
    (p.manager.name(), &p.name, &p.arch, &p.location)
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
    for ((_, name, arch, location), (l, r)) in both {
        let Some(manager) = l.or(r).map(|p| p.manager) else {
            continue;
        };
        let change = PackageChange {
            manager,
            name: name.to_string(),
            arch: arch.to_string(),
            location: location.to_string(),
            left_location: None,
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
    pair_moved(&mut out);
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

/// Turns a removal and an addition of the same package, the only one of its name on each
/// side, into one change: the package moved.
fn pair_moved(d: &mut PackageDiff) {
    type Name = (&'static str, String, String);
    let name = |c: &PackageChange| (c.manager.name(), c.name.clone(), c.arch.clone());
    let mut count: BTreeMap<Name, (usize, usize)> = BTreeMap::new();
    for c in &d.removed {
        count.entry(name(c)).or_default().0 += 1;
    }
    for c in &d.added {
        count.entry(name(c)).or_default().1 += 1;
    }
    let moved = |c: &PackageChange| count.get(&name(c)) == Some(&(1, 1));
    let (gone, removed): (Vec<_>, Vec<_>) = std::mem::take(&mut d.removed)
        .into_iter()
        .partition(|c| moved(c));
    let (came, added): (Vec<_>, Vec<_>) = std::mem::take(&mut d.added)
        .into_iter()
        .partition(|c| moved(c));
    d.removed = removed;
    d.added = added;
    let mut gone: BTreeMap<Name, PackageChange> = gone.into_iter().map(|c| (name(&c), c)).collect();
    for to in came {
        let Some(from) = gone.remove(&name(&to)) else {
            d.added.push(to);
            continue;
        };
        d.changed.push(PackageChange {
            left_location: Some(from.location),
            left_version: from.left_version,
            left_bytes: from.left_bytes,
            delta: signed_delta(from.left_bytes, to.right_bytes),
            ..to
        });
    }
    d.removed.extend(gone.into_values());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, bytes: u64) -> PackageFacts {
        PackageFacts {
            manager: Manager::Dpkg,
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
    fn a_package_found_elsewhere_on_the_right_moved() {
        let at = |location: &str, version: &str, bytes: u64| PackageFacts {
            manager: Manager::Go,
            location: location.into(),
            ..pkg("example.com/server", version, bytes)
        };
        let left = [
            at("usr/local/bin/server", "(devel)", 300),
            at("usr/bin/a", "1", 1),
        ];
        let left = [
            left[0].clone(),
            PackageFacts {
                name: "x".into(),
                ..left[1].clone()
            },
        ];
        let right = [at("server", "(devel)", 170)];
        let d = diff_packages(&left, &right);
        assert!(d.added.is_empty());
        assert_eq!(d.removed.len(), 1, "x is gone");
        let c = &d.changed[0];
        assert_eq!(c.left_location.as_deref(), Some("usr/local/bin/server"));
        assert_eq!((c.location.as_str(), c.delta), ("server", -130));
    }
}
