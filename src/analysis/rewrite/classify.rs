//! What kind of program runs: static or dynamic, against glibc or musl, Go (with or without
//! cgo, and what its linked-in functions say it reads), Rust, or an interpreter.
//!
//! [`Binary`] is the only place that reads the ELF inspector's types: the rest of the
//! rewrite works on these few facts, so the inspector can grow without touching it.

use super::fs;
use crate::image::facts::{ElfInfo, Linkage};

/// Which C library a dynamic program is linked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
    /// Some other loader (bionic, uclibc...): named by its interpreter path.
    Other(String),
}

/// How a program gets its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Static or static-pie: no loader, no shared libraries.
    Static,
    Dynamic(Libc),
    /// A relocatable object, a core file: nothing that runs.
    NotProgram,
}

/// The Go facts the rewrite needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoFacts {
    pub version: Option<String>,
    /// Import path of the main package and its module (`path`, `mod` of the build info).
    pub main_path: Option<String>,
    pub module: Option<String>,
    /// Built with cgo (build setting, or cgo functions linked in).
    pub cgo: bool,
    /// `-ldflags` already carries `-s` (symbol table dropped; implies `-w` since Go 1.22).
    pub stripped_by_ldflags: bool,
    pub needs_ca: bool,
    pub needs_zoneinfo: bool,
    pub needs_passwd: bool,
}

/// The ELF facts the rewrite works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    pub link: Link,
    pub interp: Option<String>,
    pub needed: Vec<String>,
    pub rpath: Option<String>,
    pub runpath: Option<String>,
    pub soname: Option<String>,
    pub class: u8,
    pub machine: u16,
    /// Bytes `strip` (or `-s -w`) would remove.
    pub strip_bytes: u64,
    pub go: Option<GoFacts>,
    pub rust: bool,
    /// Calls dlopen: loads code no static reading can see.
    pub dlopen: bool,
    /// Uses glibc NSS (getaddrinfo, getpwnam...), or static glibc carrying `libnss_`.
    pub nss: bool,
    pub upx: bool,
    /// zstd level-1 size of the whole file, when the scan measured it.
    pub zstd1_bytes: Option<u64>,
}

impl Binary {
    pub fn from_elf(e: &ElfInfo) -> Binary {
        let libc = || libc_of(e.interp.as_deref(), &e.needed);
        let link = match e.linkage {
            Linkage::Static | Linkage::StaticPie => Link::Static,
            Linkage::Dynamic => Link::Dynamic(libc()),
            Linkage::None => Link::NotProgram,
        };
        let go = e.go.as_ref().map(|g| GoFacts {
            version: g.version.clone(),
            main_path: g.path.clone(),
            module: g.main.as_ref().map(|m| m.path.clone()),
            cgo: g.cgo_enabled == Some(true) || g.needs.cgo,
            stripped_by_ldflags: g
                .ldflags
                .as_deref()
                .is_some_and(|f| f.split_whitespace().any(|w| w == "-s")),
            needs_ca: g.needs.ca_bundle,
            needs_zoneinfo: g.needs.zoneinfo,
            needs_passwd: g.needs.passwd,
        });
        Binary {
            link,
            interp: e.interp.clone(),
            needed: e.needed.clone(),
            rpath: e.rpath.clone(),
            runpath: e.runpath.clone(),
            soname: e.soname.clone(),
            class: e.class,
            machine: e.machine,
            strip_bytes: e.strip_bytes,
            go,
            rust: e.rust,
            dlopen: e.dlopen,
            nss: e.nss,
            upx: e.upx.is_some(),
            zstd1_bytes: e.zstd1_bytes,
        }
    }

    pub fn libc(&self) -> Option<&Libc> {
        match &self.link {
            Link::Dynamic(l) => Some(l),
            _ => None,
        }
    }

    /// Static glibc that still dlopens NSS modules (and with them a second libc).
    pub fn static_with_nss(&self) -> bool {
        self.link == Link::Static && self.nss && self.go.is_none()
    }

    /// Go built with cgo: needs a libc even when it looks static.
    pub fn go_cgo(&self) -> bool {
        self.go.as_ref().is_some_and(|g| g.cgo)
    }
}

/// The C library from the interpreter name, else from the libc soname.
pub fn libc_of(interp: Option<&str>, needed: &[String]) -> Libc {
    if let Some(i) = interp {
        let base = fs::basename(i);
        if base.starts_with("ld-musl-") {
            return Libc::Musl;
        }
        if base.starts_with("ld-linux") || base == "ld.so.1" || base.starts_with("ld64.so") {
            return Libc::Glibc;
        }
    }
    if needed.iter().any(|n| n.starts_with("libc.musl-")) {
        return Libc::Musl;
    }
    if needed.iter().any(|n| n == "libc.so.6") || interp.is_none() {
        return Libc::Glibc;
    }
    Libc::Other(interp.unwrap_or_default().to_string())
}

/// Interpreted languages whose runtime the rewrite knows how to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// `python3.11` → Some("3.11").
    Python(Option<String>),
    Node,
    Java,
    Ruby,
    Perl,
    Php,
    Shell,
}

impl Runtime {
    pub fn name(&self) -> &'static str {
        match self {
            Runtime::Python(_) => "Python",
            Runtime::Node => "Node.js",
            Runtime::Java => "Java",
            Runtime::Ruby => "Ruby",
            Runtime::Perl => "Perl",
            Runtime::Php => "PHP",
            Runtime::Shell => "shell",
        }
    }
}

/// The runtime a program is, judged from its names (the invoked one and the real one).
pub fn runtime_of(invoked: &str, real: &str) -> Option<Runtime> {
    let mut version = None;
    let mut kind = None;
    for name in [fs::basename(real), fs::basename(invoked)] {
        if let Some(v) = name.strip_prefix("python") {
            let v = v.trim_end_matches(['m', 'd', 'u']);
            if v.contains('.') && v.split('.').all(|p| p.chars().all(|c| c.is_ascii_digit())) {
                version.get_or_insert_with(|| v.to_string());
            }
            if v.is_empty() || v.chars().all(|c| c.is_ascii_digit() || c == '.') {
                kind.get_or_insert(Runtime::Python(None));
            }
            continue;
        }
        let k = match name {
            "node" | "nodejs" => Runtime::Node,
            "java" => Runtime::Java,
            "ruby" => Runtime::Ruby,
            "perl" => Runtime::Perl,
            "sh" | "bash" | "dash" | "ash" | "busybox" | "zsh" | "ksh" | "mksh" => Runtime::Shell,
            n if n.starts_with("php") => Runtime::Php,
            n if n.starts_with("ruby") => Runtime::Ruby,
            n if n.starts_with("perl5") => Runtime::Perl,
            _ => continue,
        };
        kind.get_or_insert(k);
    }
    match kind {
        Some(Runtime::Python(_)) => Some(Runtime::Python(version)),
        k => k,
    }
}

/// The multiarch triplet Debian-style glibc searches (`/usr/lib/<triplet>`).
pub fn triplet(machine: u16, class: u8) -> Option<&'static str> {
    Some(match (machine, class) {
        (62, 64) => "x86_64-linux-gnu",
        (183, _) => "aarch64-linux-gnu",
        (3, _) | (62, 32) => "i386-linux-gnu",
        (40, _) => "arm-linux-gnueabihf",
        (21, 64) => "powerpc64le-linux-gnu",
        (22, _) => "s390x-linux-gnu",
        (243, 64) => "riscv64-linux-gnu",
        _ => return None,
    })
}

/// `$PLATFORM` as glibc expands it (AT_PLATFORM).
pub fn platform(machine: u16) -> &'static str {
    match machine {
        62 => "x86_64",
        183 => "aarch64",
        3 => "i686",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libc_from_loader_or_soname() {
        assert_eq!(libc_of(Some("/lib/ld-musl-x86_64.so.1"), &[]), Libc::Musl);
        assert_eq!(
            libc_of(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6".into()]),
            Libc::Glibc
        );
        assert_eq!(libc_of(None, &["libc.musl-x86_64.so.1".into()]), Libc::Musl);
        assert!(matches!(
            libc_of(Some("/system/bin/linker64"), &[]),
            Libc::Other(_)
        ));
    }

    #[test]
    fn runtimes_by_name() {
        assert_eq!(
            runtime_of("/usr/bin/python3", "/usr/bin/python3.11"),
            Some(Runtime::Python(Some("3.11".into())))
        );
        assert_eq!(
            runtime_of("/opt/venv/bin/python", "/usr/bin/python3"),
            Some(Runtime::Python(None))
        );
        assert_eq!(
            runtime_of("/usr/bin/node", "/usr/bin/node"),
            Some(Runtime::Node)
        );
        assert_eq!(runtime_of("/bin/sh", "/bin/dash"), Some(Runtime::Shell));
        assert_eq!(runtime_of("/app/server", "/app/server"), None);
        assert_eq!(runtime_of("/x/python-config", "/x/python-config"), None);
    }
}
