//! Cruft: files of the final filesystem a runtime does not need, by path (the catalogue)
//! and, when package ownership is known, by the package that installed them.

use super::catalogue::{self, Class};
use super::{Draft, FindingsInput, Item, PackageRef, files};
use crate::image::entry::EntryKind;
use std::collections::{BTreeMap, BTreeSet};

/// One finding per class and layer, in catalogue order.
pub(super) fn find(input: &FindingsInput<'_>) -> Vec<Draft> {
    // Keyed by (class position in the catalogue, layer) so the precedence survives.
    let mut groups: BTreeMap<(usize, u32), Group> = BTreeMap::new();
    for (path, &at) in &input.merged.tree {
        let entry = input.merged.entry(input.scans, at);
        if entry.kind != EntryKind::File || entry.size == 0 {
            continue;
        }
        let owner = input.packages.and_then(|p| p.owner_at(path, at));
        let Some(class) = owner
            .and_then(by_package)
            .or_else(|| super::classify(path, entry.size))
        else {
            continue;
        };
        let group = groups
            .entry((order(class), at.layer))
            .or_insert_with(|| Group {
                class,
                items: Vec::new(),
                packages: BTreeSet::new(),
            });
        if let Some(p) = owner.filter(|_| std::ptr::eq(class, &catalogue::TOOLCHAIN)) {
            group.packages.insert(p.name.clone());
        } else if let Some(name) = cached_package(class, path) {
            group.packages.insert(name.to_string());
        }
        group.items.push(Item {
            at,
            path: path.clone(),
            bytes: entry.size,
            savable: entry.size,
        });
    }
    groups
        .into_iter()
        .map(|((_, layer), g)| {
            let Group {
                class,
                items,
                packages,
            } = g;
            let mut title = format!("{} ({})", class.title, files(items.len()));
            if !packages.is_empty() {
                let names: Vec<&str> = packages.iter().map(String::as_str).take(8).collect();
                let more = if packages.len() > 8 { ", …" } else { "" };
                title = format!("{title}: {}{more}", names.join(", "));
            }
            let (fix, why) = class.fix(input.command(layer));
            Draft {
                kind: class.kind,
                title,
                layer,
                fix,
                why,
                rule: class.rule,
                items,
                counted: true,
                ..Default::default()
            }
        })
        .collect()
}

struct Group {
    class: &'static Class,
    items: Vec<Item>,
    /// Owning toolchain packages, or the packages a cache holds files of, for the title.
    packages: BTreeSet<String>,
}

/// The package a downloaded rpm in yum's, dnf's or zypper's cache is of
/// (`name-version-release.arch.rpm`).
fn cached_package<'p>(class: &'static Class, path: &'p str) -> Option<&'p str> {
    use catalogue::{DNF, YUM, ZYPPER};
    let file = path.rsplit('/').next()?;
    if ![&YUM, &DNF, &ZYPPER]
        .iter()
        .any(|c| std::ptr::eq(class, *c))
    {
        return None;
    }
    let nvra = file.strip_suffix(".rpm")?;
    let nvr = nvra.rsplit_once('.')?.0;
    let mut parts = nvr.rsplitn(3, '-');
    let (_release, _version) = (parts.next()?, parts.next()?);
    parts.next().filter(|n| !n.is_empty())
}

/// Position of a class in the catalogue's precedence order.
fn order(class: &'static Class) -> usize {
    use catalogue::*;
    let all: [&'static Class; 23] = [
        &APT_LISTS,
        &APT_CACHE,
        &APK,
        &YUM,
        &DNF,
        &ZYPPER,
        &PIP,
        &NPM,
        &YARN,
        &GO_CACHE,
        &CARGO,
        &MAVEN,
        &GRADLE,
        &TOOLCHAIN,
        &DEV,
        &DOCS,
        &PY_TESTS,
        &NODE_EXTRAS,
        &PYC,
        &VCS,
        &SPARSE_LOG,
        &TMP_LOGS,
        &HISTORY,
    ];
    all.iter()
        .position(|c| std::ptr::eq(*c, class))
        .unwrap_or(all.len())
}

/// Classes that follow from the owning OS package alone.
fn by_package(p: &PackageRef) -> Option<&'static Class> {
    if !p.manager.is_os() {
        return None;
    }
    let name = p.name.split(':').next().unwrap_or(&p.name);
    if is_toolchain(name) {
        Some(&catalogue::TOOLCHAIN)
    } else if name.ends_with("-dev") || name.ends_with("-devel") || name.ends_with("-static") {
        Some(&catalogue::DEV)
    } else if name.ends_with("-doc") || name.ends_with("-docs") {
        Some(&catalogue::DOCS)
    } else {
        None
    }
}

/// Compilers, linkers and build tools, as Debian and Alpine name their packages. Runtime
/// pieces the same source packages build (libgcc-s1, libstdc++6, gcc-12-base) are not.
pub fn is_toolchain(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "build-essential",
        "build-base",
        "make",
        "cmake",
        "ninja-build",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "rpm-build",
        "kernel-headers",
        "dpkg-dev",
        "libc6-dev",
        "libc-dev-bin",
        "linux-libc-dev",
        "musl-dev",
        "go",
        "golang",
        "golang-go",
        "golang-src",
        "rustc",
        "cargo",
        "rust",
        "patch",
        "fortify-headers",
        "gcc",
        "g++",
        "cpp",
        "clang",
        "llvm",
    ];
    const PREFIX: &[&str] = &[
        "gcc-",
        "g++-",
        "cpp-",
        "binutils",
        "libbinutils",
        "libctf",
        "libgprofng",
        "libsframe",
        "clang-",
        "llvm-",
        "lld-",
        "golang-1.",
        "gfortran",
        "rust-",
        "libasan",
        "liblsan",
        "libtsan",
        "libubsan",
        "libhwasan",
        "libitm",
        "libquadmath",
        "libcc1-",
    ];
    const DEV_PREFIX: &[&str] = &["libgcc-", "libstdc++-", "libgo-", "libobjc-"];
    EXACT.contains(&name)
        || (PREFIX.iter().any(|p| name.starts_with(p)) && !name.ends_with("-base"))
        || (DEV_PREFIX.iter().any(|p| name.starts_with(p)) && name.ends_with("-dev"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_caches_name_the_packages_they_hold() {
        let p = "var/cache/dnf/baseos-1a2b/packages/gcc-c++-11.4.1-3.el9.x86_64.rpm";
        assert_eq!(cached_package(&catalogue::DNF, p), Some("gcc-c++"));
        let z = "var/cache/zypp/packages/repo-oss/x86_64/libzstd1-1.5.5-1.2.x86_64.rpm";
        assert_eq!(cached_package(&catalogue::ZYPPER, z), Some("libzstd1"));
        assert_eq!(
            cached_package(&catalogue::DNF, "var/cache/dnf/repomd.xml"),
            None
        );
        assert_eq!(cached_package(&catalogue::DNF, "var/cache/dnf/x.rpm"), None);
        assert_eq!(
            cached_package(&catalogue::APT_CACHE, "var/cache/apt/archives/a_1_all.deb"),
            None
        );
        assert!(is_toolchain("rpm-build") && is_toolchain("gcc-c++"));
    }
}
