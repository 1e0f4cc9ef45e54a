//! Files a program reads besides its libraries: the CA bundle, zoneinfo, passwd and group
//! for USER, nsswitch.conf, and the hints for what is loaded at run time and cannot be seen
//! (dlopen, NSS modules, gconv, OpenSSL providers, libgcc_s).

use super::classify::{Binary, Libc};
use super::closure::Closure;
use super::fs::{self, Fs};
use super::target::Base;
use crate::units::{bytes, plural};

/// A file or directory to copy as it is, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    /// Where the program looks for it (and where the rewrite puts it).
    pub path: String,
    /// Where it is in the image (symlinks followed).
    pub real: String,
    pub dir: bool,
    pub bytes: u64,
    pub files: usize,
    pub why: String,
}

/// Where Go looks for a CA bundle, in its order (crypto/x509/root_linux.go); OpenSSL and
/// most other TLS stacks use the first or the last.
pub const CA_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The file at `path` as an [`Extra`], when it is there.
pub fn file(fs: &Fs<'_>, path: &str, why: &str) -> Option<Extra> {
    let (resolved, f) = fs.file(path)?;
    Some(Extra {
        path: path.to_string(),
        real: resolved.real,
        dir: false,
        bytes: f.entry.size,
        files: 1,
        why: why.to_string(),
    })
}

/// The directory at `path` as an [`Extra`], when it is there and holds files.
pub fn dir(fs: &Fs<'_>, path: &str, why: &str) -> Option<Extra> {
    if !fs.is_dir(path) {
        return None;
    }
    let real = fs.resolve(path).ok()?.real;
    let (bytes, files) = fs.dir_bytes(&real);
    (files > 0).then(|| Extra {
        path: path.to_string(),
        real,
        dir: true,
        bytes,
        files,
        why: why.to_string(),
    })
}

/// The first CA bundle present, in Go's search order.
pub fn ca_bundle(fs: &Fs<'_>, why: &str) -> Option<Extra> {
    CA_BUNDLES.iter().find_map(|p| file(fs, p, why))
}

pub fn zoneinfo(fs: &Fs<'_>, why: &str) -> Option<Extra> {
    dir(fs, "/usr/share/zoneinfo", why)
}

/// A USER given by name needs passwd and group lines to resolve (a numeric uid does not).
pub fn user_is_name(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    !name.is_empty() && !name.chars().all(|c| c.is_ascii_digit())
}

/// Whether `/etc/passwd` has an entry for the user part of USER.
pub fn passwd_has(fs: &Fs<'_>, user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    fs.content("/etc/passwd").is_some_and(|b| {
        String::from_utf8_lossy(b)
            .lines()
            .any(|l| l.split(':').next() == Some(name))
    })
}

/// What a glibc or musl closure may load at run time without a DT_NEEDED, as sentences
/// naming the files in the image and their bytes.
pub fn runtime_loads(fs: &Fs<'_>, closure: &Closure, libc: Option<&Libc>) -> Vec<String> {
    let mut out = Vec::new();
    for path in closure.dlopen() {
        out.push(format!(
            "{path} calls dlopen: what it loads at run time is unknown (add it with --include-path)"
        ));
    }
    let glibc = libc == Some(&Libc::Glibc);
    let nss = closure
        .objects
        .iter()
        .filter_map(|o| o.binary.as_ref())
        .any(|b: &Binary| b.nss);
    if glibc && nss {
        out.push(nss_note(fs));
    }
    if glibc {
        if let Some(d) = present(fs, lib_dirs(closure, "gconv")) {
            out.push(format!(
                "gconv modules {d}: glibc dlopens them for iconv() charset conversion"
            ));
        }
        if !closure.has_soname("libgcc_s.so.1")
            && let Some(p) = lib_dirs(closure, "")
                .iter()
                .map(|d| fs::join(d, "libgcc_s.so.1"))
                .find_map(|p| file(fs, &p, ""))
        {
            out.push(format!(
                "{} ({}): glibc dlopens libgcc_s for pthread_cancel and C++ unwinding",
                p.path,
                bytes(p.bytes)
            ));
        }
    }
    if closure.has_soname("libcrypto.so.3") {
        let mut dirs = lib_dirs(closure, "ossl-modules");
        dirs.extend(lib_dirs(closure, "engines-3"));
        if let Some(d) = present(fs, dirs) {
            out.push(format!(
                "OpenSSL 3 providers and engines {d}: loaded when the configuration or the program asks (the legacy provider)"
            ));
        }
    }
    out
}

/// NSS: the modules glibc dlopens for the databases /etc/nsswitch.conf configures.
fn nss_note(fs: &Fs<'_>) -> String {
    let conf = fs
        .content("/etc/nsswitch.conf")
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let mut modules: Vec<String> = Vec::new();
    for line in conf.as_deref().unwrap_or_default().lines() {
        let line = line.split('#').next().unwrap_or_default();
        let Some((db, services)) = line.split_once(':') else {
            continue;
        };
        if !matches!(db.trim(), "passwd" | "group" | "hosts" | "shadow") {
            continue;
        }
        for s in services.split_whitespace() {
            // files and dns are built into glibc since 2.34; [NOTFOUND=return] is syntax.
            if s.starts_with('[') || s == "files" || s == "dns" {
                continue;
            }
            let m = format!("libnss_{s}.so.2");
            if !modules.contains(&m) {
                modules.push(m);
            }
        }
    }
    let listed = if modules.is_empty() {
        String::new()
    } else {
        format!(": {}", modules.join(", "))
    };
    format!(
        "NSS (getaddrinfo, getpwnam...): glibc dlopens the modules /etc/nsswitch.conf names{listed}; files and dns are built into glibc 2.34+, older glibc needs libnss_files.so.2 and libnss_dns.so.2"
    )
}

/// Where a library subdirectory `sub` can be: under the closure's multiarch triplet first.
fn lib_dirs(closure: &Closure, sub: &str) -> Vec<String> {
    let mut v = vec![format!("/usr/lib/{sub}"), format!("/usr/lib64/{sub}")];
    if let Some(t) = closure
        .objects
        .iter()
        .filter_map(|o| o.binary.as_ref())
        .find_map(|b| super::classify::triplet(b.machine, b.class))
    {
        v.insert(0, format!("/usr/lib/{t}/{sub}"));
    }
    v
}

/// The first of `dirs` the image has, said with its bytes and files.
fn present(fs: &Fs<'_>, dirs: Vec<String>) -> Option<String> {
    dirs.into_iter().find_map(|d| {
        let e = dir(fs, &d, "")?;
        Some(format!(
            "{} ({} in {})",
            e.path,
            bytes(e.bytes),
            plural(e.files as u64, "file", "files")
        ))
    })
}

/// Regular ELF files under a directory (runtime extensions: Python's lib-dynload, a JDK's
/// lib/*.so), as closure roots.
pub fn elf_files(fs: &Fs<'_>, real_dir: &str, limit: usize) -> Vec<String> {
    fs.walk(real_dir)
        .filter(|(_, e)| e.kind == crate::image::EntryKind::File)
        .filter(|(p, _)| fs.file(p).is_some_and(|(_, f)| f.elf.is_some()))
        .map(|(p, _)| p)
        .take(limit)
        .collect()
}

/// Symlinks inside a copied directory that point outside it: the paths they name must be
/// copied too, or the links dangle in the new image. The path is the link's own target
/// (one hop, in the new image's terms): COPY follows the rest.
pub fn outside_links(fs: &Fs<'_>, extra: &Extra, limit: usize) -> Vec<String> {
    let inside = |p: &str| {
        p == extra.path || p.starts_with(&format!("{}/", extra.path.trim_end_matches('/')))
    };
    let mut out: Vec<String> = Vec::new();
    for (p, e) in fs.walk(&extra.real) {
        if e.kind != crate::image::EntryKind::Symlink {
            continue;
        }
        let Some(target) = e.link.as_deref() else {
            continue;
        };
        let at = format!(
            "{}{}",
            extra.path.trim_end_matches('/'),
            &p[extra.real.trim_end_matches('/').len()..]
        );
        let t = fs::join(fs::parent(&at), target);
        if inside(&t) || out.contains(&t) || fs.resolve(&t).is_err() {
            continue;
        }
        out.push(t);
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// What the OS files depend on: the image, the program and the base chosen.
pub struct OsContext<'a> {
    pub fs: &'a Fs<'a>,
    /// The image's USER.
    pub user: &'a str,
    pub program: &'a Binary,
    /// The program is an interpreter.
    pub interpreted: bool,
    pub base: &'a Base,
    pub libc: Option<&'a Libc>,
    pub closure: &'a Closure,
}

/// The OS files to copy, and the notes deciding them wrote.
#[derive(Default)]
pub struct OsFiles {
    pub extras: Vec<Extra>,
    pub may_also_need: Vec<String>,
    pub assumptions: Vec<String>,
}

/// CA bundle, zoneinfo, passwd/group and nsswitch.conf, as the program's facts ask and the
/// base lacks.
pub fn os_files(cx: &OsContext<'_>) -> OsFiles {
    let mut out = OsFiles::default();
    if !cx.base.has_os_files() {
        tls_roots(cx, &mut out);
        time_zones(cx, &mut out);
    }
    users_and_nss(cx, &mut out);
    if cx.interpreted && cx.base == &Base::Scratch {
        out.may_also_need
            .push("/tmp (mode 1777) if the app writes temporary files: scratch has none".into());
    }
    out
}

/// The CA bundle: Go says whether it loads system roots; for others, a TLS library or a
/// runtime that ships one (Python's ssl, Node, Java, Rust's rustls-native-certs) makes it
/// likely.
fn tls_roots(cx: &OsContext<'_>, out: &mut OsFiles) {
    let tls = [
        "libssl.so",
        "libgnutls.so",
        "libnss3.so",
        "libcurl.so",
        "libmbedtls.so",
        "libwolfssl.so",
    ];
    let likely = cx.interpreted
        || cx.program.rust
        || cx
            .closure
            .objects
            .iter()
            .any(|o| tls.iter().any(|t| fs::basename(&o.opened).starts_with(t)));
    let go = cx.program.go.as_ref();
    match (go.map(|g| g.needs_ca), ca_bundle(cx.fs, "CA certificates for TLS")) {
        (Some(true), Some(e)) => out.extras.push(Extra { why: "CA certificates: the Go program loads system roots (crypto/x509.loadSystemRoots)".into(), ..e }),
        (Some(true), None) => out.may_also_need.push("a CA bundle: the Go program verifies TLS peers with the system roots, and the image has none".into()),
        (None, Some(e)) if likely => {
            out.assumptions.push(format!("{} is copied because the program likely verifies TLS peers (a TLS library or runtime is in its closure)", e.path));
            out.extras.push(e);
        }
        (None, Some(e)) => out.may_also_need.push(format!("{} ({}) if the program verifies TLS peers", e.path, bytes(e.bytes))),
        _ => {}
    }
}

fn time_zones(cx: &OsContext<'_>, out: &mut OsFiles) {
    let zone = zoneinfo(
        cx.fs,
        "time zone database: the Go program loads locations (time.LoadLocation)",
    );
    match (cx.program.go.as_ref().map(|g| g.needs_zoneinfo), zone) {
        (Some(true), Some(e)) => out.extras.push(e),
        (Some(true), None) => out.may_also_need.push("zoneinfo: time.LoadLocation reads /usr/share/zoneinfo, which the image lacks too; build with -tags timetzdata (or import time/tzdata) to embed it (~440 KiB)".into()),
        (_, Some(e)) => out.may_also_need.push(format!("{} ({}) if the program reads time zones other than UTC", e.path, bytes(e.bytes))),
        _ => {}
    }
}

/// passwd/group for a USER by name or Go's user lookups; nsswitch.conf for glibc's NSS.
fn users_and_nss(cx: &OsContext<'_>, out: &mut OsFiles) {
    let user = cx.user;
    let needs_passwd = user_is_name(user) || cx.program.go.as_ref().is_some_and(|g| g.needs_passwd);
    if needs_passwd {
        for f in ["/etc/passwd", "/etc/group"] {
            out.extras.extend(file(
                cx.fs,
                f,
                "users and groups (USER by name, or user lookups)",
            ));
        }
        if user_is_name(user) && !passwd_has(cx.fs, user) {
            out.assumptions.push(format!("USER {user} is not in the image's /etc/passwd: the container will not start as written"));
        }
    }
    let nss = cx
        .closure
        .objects
        .iter()
        .filter_map(|o| o.binary.as_ref())
        .any(|b| b.nss);
    if cx.libc == Some(&Libc::Glibc) && nss && !cx.base.has_os_files() {
        out.extras.extend(file(
            cx.fs,
            "/etc/nsswitch.conf",
            "glibc NSS configuration (hosts, passwd lookups)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_users_need_no_passwd() {
        assert!(user_is_name("app"));
        assert!(user_is_name("app:app"));
        assert!(!user_is_name("65534"));
        assert!(!user_is_name("1000:1000"));
        assert!(!user_is_name(""));
    }
}
