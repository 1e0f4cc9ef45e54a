//! Other bases the program could go on, each with its predicted size and what it takes: a
//! distroless image that brings the OS files, or alpine (musl: a glibc program must be
//! rebuilt for it), with the Alpine packages its sonames map to.

use super::classify::{Binary, Libc};
use super::rpm::{RpmProvider, to_install};
use super::target::{Base, Choice};
use super::{AlpinePackage, Alternative, CopiedPath};

/// True for copies a distroless or alpine base already provides (OS files, the C library).
fn os_or_libc(c: &CopiedPath) -> bool {
    let name = super::fs::basename(&c.path);
    c.path.starts_with("/etc/")
        || c.path == "/usr/share/zoneinfo"
        || name.starts_with("libc.so")
        || name.starts_with("ld-linux")
        || name.starts_with("ld-musl")
        || name.starts_with("libc.musl")
}

fn sum(copies: &[CopiedPath], keep: impl Fn(&CopiedPath) -> bool) -> u64 {
    copies
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.predicted_bytes)
        .fold(0, u64::saturating_add)
}

pub(super) fn alternatives(
    choice: &Choice,
    libc: Option<&Libc>,
    copies: &[CopiedPath],
    apk: &[AlpinePackage],
    unmapped: &[String],
    running: &[Binary],
) -> Vec<Alternative> {
    let mut out = Vec::new();
    let app = sum(copies, |c| !os_or_libc(c));
    let is_lib = |c: &CopiedPath| c.why.starts_with("NEEDED") || c.why.starts_with("loader");
    let statically = libc.is_none();
    if statically && choice.base == Base::Scratch {
        let b = Base::DistrolessStatic;
        out.push(Alternative {
            base: b.image(),
            predicted_bytes: b.bytes().0 + app,
            note: "brings CA certificates, tzdata, passwd (root, nonroot) and /tmp; still no shell"
                .into(),
        });
    }
    if libc == Some(&Libc::Glibc) {
        for b in [Base::DistrolessBase, Base::DistrolessCc] {
            if b == choice.base {
                break;
            }
            let extra = sum(copies, |c| {
                !(os_or_libc(c) || (is_lib(c) && b.has_soname(super::fs::basename(&c.path))))
            });
            let libs_fit = copies
                .iter()
                .filter(|c| is_lib(c))
                .all(|c| b.has_soname(super::fs::basename(&c.path)));
            if libs_fit {
                out.push(Alternative {
                    base: b.image(),
                    predicted_bytes: b.bytes().0 + extra,
                    note: "glibc, OpenSSL, CA certificates, tzdata and passwd from the base; about the size its project publishes".into(),
                });
                break;
            }
        }
    }
    if choice.base != Base::Alpine && libc.is_some() {
        let adds: u64 = apk
            .iter()
            .map(|p| p.installed_bytes)
            .fold(0, u64::saturating_add);
        let names: Vec<&str> = apk.iter().map(|p| p.package.as_str()).collect();
        let own = sum(copies, |c| !os_or_libc(c) && !is_lib(c));
        let glibc = libc == Some(&Libc::Glibc);
        let mut note = if glibc {
            let go = running.iter().any(|b| b.go.is_some());
            format!(
                "the program is built against glibc: it must be rebuilt for musl ({}) or run under gcompat",
                if go {
                    "for Go, CGO_ENABLED=0 needs no libc at all"
                } else {
                    "the *-linux-musl target of its toolchain"
                }
            )
        } else {
            "musl program: the libraries come from apk instead of the image".into()
        };
        if !names.is_empty() {
            note.push_str(&format!("; apk add {}", names.join(" ")));
        }
        if apk.iter().any(|p| !p.exact) {
            note.push_str(
                " (package sizes from the hand-made part of the snapshot are approximate)",
            );
        }
        if !unmapped.is_empty() {
            note.push_str(&format!(
                "; no Alpine package known for {}",
                unmapped.join(", ")
            ));
        }
        out.push(Alternative {
            base: Base::Alpine.image(),
            predicted_bytes: Base::Alpine.bytes().0 + adds + own,
            note,
        });
    }
    out
}

/// Red Hat-family glibc program: ubi-micro plus the rpms its libraries come from (installed
/// with `dnf --installroot` in a build stage: ubi-micro has no package manager), unless the
/// choice is already a UBI.
pub(super) fn ubi(
    choice: &Choice,
    libc: Option<&Libc>,
    copies: &[CopiedPath],
    rpms: &[RpmProvider],
) -> Option<Alternative> {
    if libc != Some(&Libc::Glibc) || rpms.is_empty() || choice.base == Base::UbiMicro {
        return None;
    }
    let is_lib = |c: &CopiedPath| c.why.starts_with("NEEDED") || c.why.starts_with("loader");
    let own = sum(copies, |c| !os_or_libc(c) && !is_lib(c));
    let (names, adds) = to_install(rpms);
    let b = Base::UbiMicro;
    let mut note =
        "glibc, CA certificates and tzdata from the base; about the size Red Hat publishes"
            .to_string();
    if !names.is_empty() {
        note.push_str(&format!(
            "; the libraries from the image's own rpms, installed in a build stage with `dnf --installroot=/mnt/rootfs install {}` (their declared sizes, without dependencies)",
            names.join(" ")
        ));
    }
    Some(Alternative {
        base: b.image(),
        predicted_bytes: b.bytes().0 + adds + own,
        note,
    })
}
