//! The base to rewrite onto (DOMAIN.md §5 decision tree): scratch when everything that runs
//! is static or its whole closure is known; distroless when the program loads code we
//! cannot see and its libraries are what distroless carries; alpine for musl programs that
//! need more than their closure; a slim Debian when nothing smaller can be proven.

use super::classify::{Binary, Libc, Link};
use super::closure::Closure;
use super::fs::{self, Fs};

/// Sonames glibc's own package carries: a Go program needing only these uses cgo for the
/// resolver and os/user, which the pure-Go versions replace (CGO_ENABLED=0).
const GLIBC_SONAMES: [&str; 8] = [
    "libc.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "libresolv.so.2",
    "libm.so.6",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];
/// What gcr.io/distroless/base-debian12 adds to static: libc6 and libssl3.
const DISTROLESS_BASE_SONAMES: [&str; 2] = ["libssl.so.3", "libcrypto.so.3"];
/// What gcr.io/distroless/cc-debian12 adds to base: libgcc-s1, libstdc++6, libgomp1.
const DISTROLESS_CC_SONAMES: [&str; 3] = ["libgcc_s.so.1", "libstdc++.so.6", "libgomp.so.1"];

/// A base image the rewrite can put the program on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    DistrolessStatic,
    DistrolessBase,
    DistrolessCc,
    Alpine,
    /// `debian:<codename>-slim`.
    DebianSlim(String),
    /// Red Hat's Universal Base Image, micro (glibc and a few libraries, no package manager)
    /// and minimal (microdnf): the Red Hat-family fallback.
    UbiMicro,
    UbiMinimal,
}

impl Base {
    pub fn image(&self) -> String {
        match self {
            Base::Scratch => "scratch".into(),
            Base::DistrolessStatic => "gcr.io/distroless/static-debian12".into(),
            Base::DistrolessBase => "gcr.io/distroless/base-debian12".into(),
            Base::DistrolessCc => "gcr.io/distroless/cc-debian12".into(),
            Base::Alpine => super::alpine::IMAGE.into(),
            Base::DebianSlim(codename) => format!("debian:{codename}-slim"),
            Base::UbiMicro => "registry.access.redhat.com/ubi9/ubi-micro".into(),
            Base::UbiMinimal => "registry.access.redhat.com/ubi9/ubi-minimal".into(),
        }
    }

    /// (file bytes, compressed bytes) of the base. Only scratch and alpine are measured;
    /// the others are the rounded sizes their projects publish (see [`Base::exact`]).
    pub fn bytes(&self) -> (u64, u64) {
        match self {
            Base::Scratch => (0, 0),
            Base::DistrolessStatic => (2_000_000, 800_000),
            Base::DistrolessBase => (20_700_000, 8_000_000),
            Base::DistrolessCc => (23_500_000, 9_300_000),
            Base::Alpine => (
                super::alpine::BASE_BYTES,
                super::alpine::BASE_COMPRESSED_BYTES,
            ),
            Base::DebianSlim(_) => (74_800_000, 28_200_000),
            Base::UbiMicro => (24_000_000, 9_000_000),
            Base::UbiMinimal => (100_000_000, 38_000_000),
        }
    }

    pub fn exact(&self) -> bool {
        matches!(self, Base::Scratch | Base::Alpine)
    }

    /// Sonames the base already has (not copied again).
    pub fn has_soname(&self, soname: &str) -> bool {
        let glibc = GLIBC_SONAMES.contains(&soname);
        match self {
            Base::DistrolessBase => glibc || DISTROLESS_BASE_SONAMES.contains(&soname),
            Base::DistrolessCc => {
                glibc
                    || DISTROLESS_BASE_SONAMES.contains(&soname)
                    || DISTROLESS_CC_SONAMES.contains(&soname)
            }
            Base::DebianSlim(_) => glibc,
            Base::UbiMicro => glibc || soname == "libgcc_s.so.1",
            Base::UbiMinimal => {
                glibc
                    || DISTROLESS_BASE_SONAMES.contains(&soname)
                    || matches!(soname, "libgcc_s.so.1" | "libstdc++.so.6" | "libz.so.1")
            }
            _ => false,
        }
    }

    /// The base brings its own CA bundle, zoneinfo and passwd.
    pub fn has_os_files(&self) -> bool {
        !matches!(self, Base::Scratch)
    }
}

/// The decision and the words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub base: Base,
    pub reason: String,
}

/// A Go program built with cgo only for libc's resolver and user lookup: rebuilt with
/// CGO_ENABLED=0 it is static.
pub fn go_cgo_rebuildable(b: &Binary) -> bool {
    b.go_cgo()
        && b.needed
            .iter()
            .all(|n| GLIBC_SONAMES.contains(&n.as_str()) || n.starts_with("libc.musl-"))
}

/// The base to stay on when nothing smaller can be proven for a glibc program: ubi-minimal
/// on a Red Hat-family image, else the image's Debian release slim (bookworm when unknown).
pub fn fallback(fs: &Fs<'_>) -> Base {
    if super::rpm::redhat_family(fs) {
        Base::UbiMinimal
    } else {
        Base::DebianSlim(debian_codename(fs).unwrap_or_else(|| "bookworm".into()))
    }
}

/// Chooses the base for the programs that run, given their closure. `fallback` is where a
/// glibc program goes when scratch cannot carry it ([`fallback`]).
pub fn choose(
    running: &[&Binary],
    closure: &Closure,
    go_rebuild: bool,
    fallback: &Base,
) -> Result<Choice, String> {
    let slim = || fallback.clone();
    let libc = running.iter().find_map(|b| b.libc().cloned());
    if let Some(Libc::Other(loader)) = &libc {
        return Err(format!(
            "the program's loader {loader} is neither glibc's nor musl's: no rewrite proposed"
        ));
    }
    let Some(libc) = libc else {
        if running.iter().any(|b| b.static_with_nss()) {
            return Ok(Choice {
                base: Base::DistrolessBase,
                reason: "static glibc program that uses NSS (getaddrinfo, getpwnam): it dlopens libnss modules and with them a shared libc, which gcr.io/distroless/base carries".into(),
            });
        }
        if running.iter().any(|b| b.link == Link::NotProgram) {
            return Err("the entrypoint is not a program (relocatable object or core file)".into());
        }
        let what = if go_rebuild {
            "Go program built with cgo only for libc's resolver and user lookup: rebuilt with CGO_ENABLED=0 it is static and needs no libc"
        } else if running.iter().any(|b| b.go.is_some()) {
            "static Go program (cgo off): no loader, no shared libraries"
        } else {
            "static program: no loader, no shared libraries"
        };
        return Ok(Choice {
            base: Base::Scratch,
            reason: format!("{what}, so it runs on scratch with only the files it reads"),
        });
    };
    let sonames: Vec<&str> = closure
        .libraries()
        .map(|o| fs::basename(&o.opened))
        .collect();
    if !closure.missing.is_empty() {
        let names: Vec<&str> = closure.missing.iter().map(|m| m.name.as_str()).collect();
        let base = if libc == Libc::Musl {
            Base::Alpine
        } else {
            slim()
        };
        return Ok(Choice {
            reason: format!(
                "{} shared libraries are not in the image ({}): the closure cannot be proven, so stay on {} and copy what was found",
                names.len(),
                names.join(", "),
                base.image()
            ),
            base,
        });
    }
    // dlopen does not change the base: what it may load is reported as "may also need",
    // with --include-path to add it. A slim distro would carry it only by luck.
    let kind = if libc == Libc::Musl { "musl" } else { "glibc" };
    let dl = closure.dlopen();
    let caveat = if dl.is_empty() {
        String::new()
    } else {
        format!(
            "; dlopen is called by {}: check what it loads (may also need) and add it with --include-path",
            dl.join(", ")
        )
    };
    Ok(Choice {
        base: Base::Scratch,
        reason: format!(
            "dynamic {kind} program whose whole closure is in the image ({} shared objects including the loader): scratch plus the copied closure is the smallest image that runs it{caveat}",
            sonames.len()
        ),
    })
}

/// `VERSION_CODENAME` of a Debian-based image (os-release), for the slim fallback.
pub fn debian_codename(fs: &Fs<'_>) -> Option<String> {
    let text = String::from_utf8_lossy(
        fs.content("/etc/os-release")
            .or_else(|| fs.content("/usr/lib/os-release"))?,
    )
    .into_owned();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(|v| v.trim_matches('"').to_string())
    };
    if get("ID").as_deref() != Some("debian") {
        return None;
    }
    get("VERSION_CODENAME").or_else(|| {
        Some(
            match get("VERSION_ID")?.as_str() {
                "10" => "buster",
                "11" => "bullseye",
                "12" => "bookworm",
                "13" => "trixie",
                _ => return None,
            }
            .to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn bookworm() -> Base {
        Base::DebianSlim("bookworm".into())
    }

    fn bin(link: Link, needed: &[&str]) -> Binary {
        Binary {
            link,
            interp: None,
            needed: needed.iter().map(|s| s.to_string()).collect(),
            rpath: None,
            runpath: None,
            soname: None,
            class: 64,
            machine: 62,
            strip_bytes: 0,
            go: None,
            rust: false,
            dlopen: false,
            nss: false,
            upx: false,
            zstd1_bytes: None,
        }
    }

    #[test]
    fn static_goes_to_scratch() -> TestResult {
        let b = bin(Link::Static, &[]);
        let c = choose(&[&b], &Closure::default(), false, &bookworm())?;
        assert_eq!(c.base, Base::Scratch);
        Ok(())
    }

    #[test]
    fn static_nss_goes_to_distroless_base() -> TestResult {
        let mut b = bin(Link::Static, &[]);
        b.nss = true;
        let c = choose(&[&b], &Closure::default(), false, &bookworm())?;
        assert_eq!(c.base, Base::DistrolessBase);
        Ok(())
    }

    #[test]
    fn missing_libraries_stay_on_slim() -> TestResult {
        let b = bin(Link::Dynamic(Libc::Glibc), &["libfoo.so.1"]);
        let closure = Closure {
            missing: vec![super::super::closure::Missing {
                name: "libfoo.so.1".into(),
                needed_by: "/app".into(),
                searched: vec![],
            }],
            ..Default::default()
        };
        let c = choose(&[&b], &closure, false, &bookworm())?;
        assert_eq!(c.base, Base::DebianSlim("bookworm".into()));
        assert!(c.reason.contains("libfoo.so.1"));
        Ok(())
    }

    #[test]
    fn distroless_carries_glibc_and_ssl() {
        assert!(Base::DistrolessBase.has_soname("libssl.so.3"));
        assert!(!Base::DistrolessBase.has_soname("libstdc++.so.6"));
        assert!(Base::DistrolessCc.has_soname("libstdc++.so.6"));
        assert!(!Base::Scratch.has_soname("libc.so.6"));
    }
}
