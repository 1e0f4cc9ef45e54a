//! Red Hat-family images: the image's own rpm database says which package ships each
//! shared library, so a library the program needs maps to an rpm the way a soname maps to
//! an Alpine package through the snapshot. The index is built offline, from the database
//! the image carries (its final version), and only answers for libraries that database
//! lists.

use super::fs::{self, Fs};
use crate::analysis::packages::{RPM_DB_PATHS, read_rpm_db};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `os-release` IDs of the Red Hat family: their programs run on a UBI base.
const FAMILY: &[&str] = &[
    "rhel",
    "fedora",
    "centos",
    "rocky",
    "almalinux",
    "ol",
    "amzn",
    "mariner",
    "azurelinux",
];
/// Directories the loader searches by default on these distributions.
const LIB_DIRS: &[&str] = &["/usr/lib64", "/lib64", "/usr/lib", "/lib"];
/// Packages ubi9/ubi-micro already carries (its manifest): their libraries need no install.
const IN_UBI_MICRO: &[&str] = &[
    "glibc",
    "libgcc",
    "ncurses-libs",
    "pcre2",
    "libselinux",
    "libsepol",
    "libcap",
    "libacl",
    "libattr",
    "bash",
    "coreutils-single",
];

/// The rpm that ships a library the program needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmProvider {
    pub soname: String,
    pub package: String,
    /// `[epoch:]version-release` as the image has it.
    pub version: String,
    /// The package's `SIZE` from the database.
    pub declared_bytes: Option<u64>,
    /// ubi-micro has the package already.
    pub in_ubi_micro: bool,
}

/// Library file name → the package listing it, from the image's database.
#[derive(Debug, Default)]
pub struct RpmIndex {
    files: HashMap<String, usize>,
    packages: Vec<(String, String, Option<u64>)>,
}

impl RpmIndex {
    /// The index of the image's final rpm database; `None` when it has none that reads.
    pub fn from_fs(fs: &Fs<'_>) -> Option<RpmIndex> {
        let db = RPM_DB_PATHS
            .iter()
            .filter_map(|p| fs.content(&format!("/{p}")))
            .find_map(|bytes| read_rpm_db(bytes).ok())?;
        let mut index = RpmIndex::default();
        for h in db.packages {
            let id = index.packages.len();
            for f in h.files.iter().filter(|f| !f.is_dir() && !f.is_ghost()) {
                if LIB_DIRS.contains(&fs::parent(&f.path)) {
                    let name = fs::basename(&f.path).to_string();
                    index.files.entry(name).or_insert(id);
                }
            }
            index.packages.push((h.name.clone(), h.evr(), h.size));
        }
        Some(index)
    }

    pub fn provider(&self, soname: &str) -> Option<RpmProvider> {
        let &id = self.files.get(soname)?;
        let (name, version, size) = self.packages.get(id)?;
        Some(RpmProvider {
            soname: soname.to_string(),
            package: name.clone(),
            version: version.clone(),
            declared_bytes: *size,
            in_ubi_micro: IN_UBI_MICRO.contains(&name.as_str()),
        })
    }

    /// The providers of `sonames`, one per soname in order, and the sonames no package lists.
    pub fn map_sonames<'s>(
        &self,
        sonames: impl IntoIterator<Item = &'s str>,
    ) -> (Vec<RpmProvider>, Vec<String>) {
        let mut found: Vec<RpmProvider> = Vec::new();
        let mut unmapped = Vec::new();
        for s in sonames {
            if found.iter().any(|p| p.soname == s) || unmapped.iter().any(|u| u == s) {
                continue;
            }
            match self.provider(s) {
                Some(p) => found.push(p),
                None => unmapped.push(s.to_string()),
            }
        }
        (found, unmapped)
    }
}

/// The packages to install on ubi-micro (each once), and the bytes they declare.
pub fn to_install(providers: &[RpmProvider]) -> (Vec<&str>, u64) {
    let mut names: Vec<&str> = Vec::new();
    let mut bytes = 0;
    for p in providers.iter().filter(|p| !p.in_ubi_micro) {
        if !names.contains(&p.package.as_str()) {
            names.push(&p.package);
            bytes += p.declared_bytes.unwrap_or(0);
        }
    }
    (names, bytes)
}

/// True when `os-release` names a Red Hat-family distribution (`ID` or `ID_LIKE`).
pub fn redhat_family(fs: &Fs<'_>) -> bool {
    let Some(bytes) = fs
        .content("/etc/os-release")
        .or_else(|| fs.content("/usr/lib/os-release"))
    else {
        return false;
    };
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .filter_map(|l| l.strip_prefix("ID=").or_else(|| l.strip_prefix("ID_LIKE=")))
        .flat_map(|v| v.trim_matches('"').split_whitespace())
        .any(|id| FAMILY.contains(&id))
}

/// The rpms a ubi-minimal final stage installs with microdnf: those the image's database
/// lists for a library the image no longer has. Names are the database's, so only names of
/// rpm's own character set are used (anything else could inject into the Dockerfile).
pub fn dnf_install<'s>(
    index: Option<&RpmIndex>,
    missing: impl IntoIterator<Item = &'s str>,
) -> Vec<String> {
    let Some(index) = index else {
        return Vec::new();
    };
    let safe = |n: &str| {
        !n.is_empty()
            && !n.starts_with('-')
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
    };
    let mut out: Vec<String> = Vec::new();
    for p in index.map_sonames(missing).0 {
        if safe(&p.package) && !out.contains(&p.package) {
            out.push(p.package);
        }
    }
    out
}
