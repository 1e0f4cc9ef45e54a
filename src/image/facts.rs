//! Facts recorded per file while a layer is scanned (ELF headers, Go build information):
//! plain data the scanner fills in and the analyses read.

use serde::{Deserialize, Serialize};

/// `e_type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElfType {
    /// Relocatable object (`.o`, kernel module).
    Rel,
    /// Fixed-address executable.
    Exec,
    /// Shared object: a library or a position-independent executable.
    Dyn,
    Core,
    #[default]
    Other,
}

/// How the program gets its libraries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// Not a loadable program or library (object files, cores).
    #[default]
    None,
    /// No interpreter, no dynamic section: runs on scratch as far as linking goes.
    Static,
    /// Self-relocating: a dynamic section but no interpreter and no DT_NEEDED.
    StaticPie,
    /// Loaded by an interpreter or needs shared libraries.
    Dynamic,
}

/// A UPX-packed executable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpxInfo {
    /// `p_info.p_filesize`: the size before packing, when the header is readable.
    pub original_size: Option<u64>,
}

/// Facts about one ELF file, computed from its bytes during the scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ElfInfo {
    /// 32 or 64.
    pub class: u8,
    pub big_endian: bool,
    /// `e_machine` (62 = x86-64, 183 = AArch64); see [`ElfInfo::arch`].
    pub machine: u16,
    pub e_type: ElfType,
    pub linkage: Linkage,
    /// DT_FLAGS_1 has DF_1_PIE.
    pub pie: bool,
    /// PT_INTERP: the dynamic loader path.
    pub interp: Option<String>,
    pub needed: Vec<String>,
    pub rpath: Option<String>,
    pub runpath: Option<String>,
    pub soname: Option<String>,
    /// An SHT_SYMTAB section: not stripped.
    pub has_symtab: bool,
    /// `.debug_*` or `.zdebug_*` sections with content.
    pub has_debug: bool,
    /// Bytes `strip` would remove: the file ranges of the non-ALLOC `.symtab`, `.strtab`,
    /// `.debug_*` and `.zdebug_*` sections (debug sections only for relocatable objects), plus
    /// their section header entries and names. Overlapping ranges count once.
    pub strip_bytes: u64,
    pub upx: Option<UpxInfo>,
    pub go: Option<GoInfo>,
    /// Built by rustc (`.rustc`/`.dep-v0` sections or std's `/rustc/` panic paths).
    pub rust: bool,
    /// cargo-auditable's crate list (`.dep-v0`), when the binary carries one. Always
    /// written: the scan cache's binary format has no field names to skip by.
    pub crates: Vec<RustCrate>,
    /// `dlopen` is in the dynamic string table: loads code static analysis cannot see.
    pub dlopen: bool,
    /// Uses glibc NSS (getaddrinfo, getpwnam...) or, when static, carries `libnss_` strings.
    pub nss: bool,
    /// zstd level-1 size of the whole file (scaled from samples above 4 MiB); only for
    /// programs of at least `scan::elf::ZSTD_MIN_BYTES` that are executable and not UPX-packed.
    pub zstd1_bytes: Option<u64>,
    /// What could not be read (bad section headers, old Go build info...).
    pub notes: Vec<String>,
}

impl ElfInfo {
    /// The OCI architecture name for `machine`, when it is one images use.
    pub fn arch(&self) -> Option<&'static str> {
        Some(match (self.machine, self.class) {
            (62, _) => "amd64",
            (183, _) => "arm64",
            (3, _) => "386",
            (40, _) => "arm",
            (21, _) if self.big_endian => "ppc64",
            (21, _) => "ppc64le",
            (22, _) => "s390x",
            (243, 64) => "riscv64",
            (258, _) => "loong64",
            (8, 64) if self.big_endian => "mips64",
            (8, 64) => "mips64le",
            (8, _) if self.big_endian => "mips",
            (8, _) => "mipsle",
            _ => return None,
        })
    }
}

/// A module as `go version -m` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoModule {
    pub path: String,
    pub version: String,
}

/// Files a Go program will look for at run time, judged from the functions linked in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoNeeds {
    /// `crypto/x509.loadSystemRoots`: reads a CA bundle (/etc/ssl/certs/ca-certificates.crt...).
    pub ca_bundle: bool,
    /// `time.loadLocation` without `time/tzdata` embedded: reads /usr/share/zoneinfo.
    pub zoneinfo: bool,
    /// `os/user.*`: reads /etc/passwd and /etc/group.
    pub passwd: bool,
    /// `runtime/cgo` or cgo's `getaddrinfo`: needs a libc, so not safe on scratch.
    pub cgo: bool,
}

/// What `.go.buildinfo` and `.gopclntab` tell about a Go binary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoInfo {
    /// `go1.22.3`; None when the build info could not be read.
    pub version: Option<String>,
    /// Import path of the main package (`path` line).
    pub path: Option<String>,
    /// The main module (`mod` line).
    pub main: Option<GoModule>,
    pub deps: Vec<GoModule>,
    /// `build CGO_ENABLED=0|1`.
    pub cgo_enabled: Option<bool>,
    /// `build -ldflags=...`, unquoted.
    pub ldflags: Option<String>,
    pub needs: GoNeeds,
    /// Why something above is missing (old format, truncated header...).
    pub note: Option<String>,
}

/// One crate the binary was built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RustCrate {
    pub name: String,
    pub version: String,
    /// `crates.io`, `git`, `local`, `registry`...
    pub source: String,
    /// The crate the binary is (cargo-auditable marks exactly one).
    pub root: bool,
}
