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

/// What every other base is weighed on: the base chosen, the program's libc, the copies
/// and the Alpine packages the sonames map to.
pub(super) struct Weighed<'a> {
    pub choice: &'a Choice,
    pub libc: Option<&'a Libc>,
    pub copies: &'a [CopiedPath],
    pub apk: &'a [AlpinePackage],
    pub unmapped: &'a [String],
    pub running: &'a [Binary],
}

fn is_lib(c: &CopiedPath) -> bool {
    c.why.starts_with("NEEDED") || c.why.starts_with("loader")
}

impl Weighed<'_> {
    /// The alternatives in the order the report lists them: distroless static, distroless
    /// glibc, alpine, ubi-micro with the image's rpms.
    pub fn alternatives(&self, rpms: &[RpmProvider]) -> Vec<Alternative> {
        let mut out: Vec<Alternative> = self.distroless_static().into_iter().collect();
        out.extend(self.distroless_glibc());
        out.extend(self.alpine());
        out.extend(self.ubi(rpms));
        out
    }

    /// A static program on scratch: distroless static adds the OS files for little.
    fn distroless_static(&self) -> Option<Alternative> {
        if self.libc.is_some() || self.choice.base != Base::Scratch {
            return None;
        }
        let b = Base::DistrolessStatic;
        Some(Alternative {
            base: b.image(),
            predicted_bytes: b.bytes().0 + sum(self.copies, |c| !os_or_libc(c)),
            note: "brings CA certificates, tzdata, passwd (root, nonroot) and /tmp; still no shell"
                .into(),
        })
    }

    /// A glibc program: the smallest distroless glibc base below the choice whose libraries
    /// cover the copied ones.
    fn distroless_glibc(&self) -> Option<Alternative> {
        if self.libc != Some(&Libc::Glibc) {
            return None;
        }
        let copies = self.copies;
        for b in [Base::DistrolessBase, Base::DistrolessCc] {
            if b == self.choice.base {
                return None;
            }
            let extra = sum(copies, |c| {
                !(os_or_libc(c) || (is_lib(c) && b.has_soname(super::fs::basename(&c.path))))
            });
            let libs_fit = copies
                .iter()
                .filter(|c| is_lib(c))
                .all(|c| b.has_soname(super::fs::basename(&c.path)));
            if libs_fit {
                return Some(Alternative {
                    base: b.image(),
                    predicted_bytes: b.bytes().0 + extra,
                    note: "glibc, OpenSSL, CA certificates, tzdata and passwd from the base; about the size its project publishes".into(),
                });
            }
        }
        None
    }

    /// A dynamic program not on alpine already: alpine with the packages its sonames map to
    /// (a glibc program rebuilt for musl first).
    fn alpine(&self) -> Option<Alternative> {
        if self.choice.base == Base::Alpine || self.libc.is_none() {
            return None;
        }
        let apk = self.apk;
        let adds: u64 = apk
            .iter()
            .map(|p| p.installed_bytes)
            .fold(0, u64::saturating_add);
        let own = sum(self.copies, |c| !os_or_libc(c) && !is_lib(c));
        Some(Alternative {
            base: Base::Alpine.image(),
            predicted_bytes: Base::Alpine.bytes().0 + adds + own,
            note: self.alpine_note(),
        })
    }

    fn alpine_note(&self) -> String {
        let names: Vec<&str> = self.apk.iter().map(|p| p.package.as_str()).collect();
        let mut note = if self.libc == Some(&Libc::Glibc) {
            let go = self.running.iter().any(|b| b.go.is_some());
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
        if self.apk.iter().any(|p| !p.exact) {
            note.push_str(
                " (package sizes from the hand-made part of the snapshot are approximate)",
            );
        }
        if !self.unmapped.is_empty() {
            note.push_str(&format!(
                "; no Alpine package known for {}",
                self.unmapped.join(", ")
            ));
        }
        note
    }

    /// Red Hat-family glibc program: ubi-micro plus the rpms its libraries come from (installed
    /// with `dnf --installroot` in a build stage: ubi-micro has no package manager), unless the
    /// choice is already a UBI.
    fn ubi(&self, rpms: &[RpmProvider]) -> Option<Alternative> {
        if self.libc != Some(&Libc::Glibc) || rpms.is_empty() || self.choice.base == Base::UbiMicro
        {
            return None;
        }
        let copies = self.copies;
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
}
