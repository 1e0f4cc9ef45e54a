//! Every byte to its package: reads the package databases the image carries (dpkg, distroless
//! `status.d`, apk, Python dist-info/egg-info, npm `package.json`) and attributes each file of
//! the final filesystem, and of every layer, to the package that owns it.
//!
//! The databases are read as each layer sees them (the version of each database file visible
//! after that layer), so a package's `layer` is where it was last installed or upgraded, and a
//! layer's bytes go to what its own database said. Bytes always come from the tar entries;
//! `Installed-Size`/`I:`/RECORD sizes are only reported beside them as `declared_bytes`.
//! A Go binary no package lists becomes a package of its own, named by its main module.
//!
//! Pipeline: `history` finds every database file version and the layers it is visible in;
//! each manager module (and `go`, from the ELF scan) turns those into package
//! observations and path claims held by
//! `catalog`; [`attribute`] settles each path's owner and sums bytes.

mod apk;
mod attribute;
mod canon;
mod cargo;
mod catalog;
mod dpkg;
mod dpkg_db;
mod go;
mod history;
mod java;
pub(crate) mod lang;
mod largest;
mod npm;
mod order;
mod prefix;
mod python;
pub(crate) mod rpm;

#[cfg(test)]
mod tests;

pub use apk::{ApkDb, ApkFile, ApkPackage, parse_installed as parse_apk_installed};
pub use dpkg::{
    Diversion, DpkgStanza, parse_diversions, parse_list as parse_dpkg_list, parse_md5sums,
    parse_status as parse_dpkg_status,
};
pub use java::{JarId, identify as identify_jar, packages as jar_packages};
pub use npm::{NpmManifest, parse_package_json};
pub use prefix::{Reuse, Snapshot, may_be_neutral, through_below};
pub use python::{
    PyMetadata, RecordEntry, parse_installed_files, parse_metadata as parse_python_metadata,
    parse_record,
};
pub use rpm::{
    DB_PATHS as RPM_DB_PATHS, RpmDb, RpmFile, RpmFormat, RpmHeader,
    parse_header as parse_rpm_header, read_db as read_rpm_db,
};

use crate::image::facts::GoInfo;
use crate::image::{LayerScan, Merged};
use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Which package database a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Dpkg,
    Apk,
    Rpm,
    Python,
    Npm,
    Go,
    /// Ruby gems (`specifications/*.gemspec`).
    Gem,
    /// PHP packages Composer installed (`vendor/composer/installed.json`); named `php`
    /// so it fits the app's manager column.
    Php,
    /// .NET (`*.deps.json`).
    Dotnet,
    /// A Rust program built with cargo-auditable (its `.dep-v0` root crate).
    Cargo,
    /// Java archives (`.jar`, `.war`, `.ear`) and what they carry.
    Java,
}

impl std::fmt::Display for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl Manager {
    /// OS package managers: their claim on a file wins over a language package's.
    pub fn is_os(self) -> bool {
        matches!(self, Manager::Dpkg | Manager::Apk | Manager::Rpm)
    }

    pub fn name(self) -> &'static str {
        match self {
            Manager::Dpkg => "dpkg",
            Manager::Apk => "apk",
            Manager::Rpm => "rpm",
            Manager::Python => "python",
            Manager::Npm => "npm",
            Manager::Go => "go",
            Manager::Gem => "gem",
            Manager::Php => "php",
            Manager::Dotnet => "dotnet",
            Manager::Cargo => "cargo",
            Manager::Java => "java",
        }
    }
}

/// One installed package and the bytes it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub manager: Manager,
    pub name: String,
    pub version: String,
    /// Architecture as the database spells it (`amd64`, `x86_64`, `all`); empty for language
    /// packages.
    #[serde(default)]
    pub arch: String,
    /// Where a language package's metadata lives (its dist-info, egg-info or `node_modules`
    /// package directory): the same name and version can be installed in several places.
    /// Empty for dpkg and apk.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// The layer that installed this version (the first of the unbroken run of layers whose
    /// database lists it).
    pub layer: usize,
    /// For a package no longer in the final image: the layer whose database dropped it
    /// (removed, or replaced by another version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_layer: Option<usize>,
    /// Regular-file bytes of the final filesystem attributed to this package (hard links once).
    pub bytes: u64,
    /// What the database claims (`Installed-Size`×1024, apk `I:`, the RECORD size column):
    /// an estimate, reported beside `bytes`, never used for attribution.
    pub declared_bytes: Option<u64>,
    /// Final-filesystem paths attributed (regular files, symlinks, hard links; no directories).
    pub files: usize,
    /// Of those, files whose content changed in a later layer than the one that installed it.
    pub modified_files: usize,
    /// A Go program's build info (Go version, CGO_ENABLED, modules); `manager` is `go`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go: Option<GoInfo>,
}

impl Package {
    /// `bytes - declared_bytes`: how far the database estimate is off (negative: it
    /// over-declares, as apk's `I:` rounded to 4 KiB blocks does).
    pub fn declared_difference(&self) -> Option<i64> {
        let declared = i64::try_from(self.declared_bytes?).ok()?;
        i64::try_from(self.bytes).ok().map(|b| b - declared)
    }
}

/// Names a package of a [`PackageAnalysis`]: in the final image or removed by a later layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageRef {
    /// Index into [`PackageAnalysis::packages`].
    Installed(u32),
    /// Index into [`PackageAnalysis::removed`].
    Removed(u32),
}

/// A package file whose final content is not what the installing layer wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifiedFile {
    pub path: Arc<str>,
    /// Index into [`PackageAnalysis::packages`].
    pub package: u32,
    /// The layer whose database first listed the file for this package.
    pub installed_layer: usize,
    /// The layer that wrote the final content.
    pub modified_layer: usize,
    /// Final size of the file.
    pub bytes: u64,
}

/// One layer's regular-file bytes by owner, as that layer's own databases say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerPackages {
    /// Sorted by bytes, largest first.
    pub by_package: Vec<(PackageRef, u64)>,
    pub unowned_bytes: u64,
}

/// What [`attribute`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageAnalysis {
    /// Packages of the final image, largest `bytes` first.
    pub packages: Vec<Package>,
    /// Packages some layer installed that the final image no longer has (removed, or
    /// replaced by another version); their bytes in earlier layers are still pulled.
    pub removed: Vec<Package>,
    /// Sum of regular-file sizes of the final filesystem: `Σ packages.bytes +
    /// unowned_bytes`.
    pub final_bytes: u64,
    pub unowned_bytes: u64,
    /// The 20 largest regular files no package owns, largest first.
    pub largest_unowned: Vec<(String, u64)>,
    /// Final-filesystem path → index into `packages`, for every owned non-directory path.
    pub owners: HashMap<Arc<str>, u32>,
    /// `owners` by the final tree's node of each path (per layer, per entry; `u32::MAX`:
    /// none), so that a caller walking the tree looks an owner up without hashing its path.
    /// Not part of a stored report.
    #[serde(skip)]
    pub owner_nodes: Vec<Vec<u32>>,
    pub modified: Vec<ModifiedFile>,
    /// Parallel to the layers: each layer's bytes by owner.
    pub layers: Vec<LayerPackages>,
    pub warnings: Vec<String>,
}

impl PackageAnalysis {
    /// The package a [`PackageRef`] names.
    pub fn package(&self, r: PackageRef) -> Option<&Package> {
        match r {
            PackageRef::Installed(i) => self.packages.get(i as usize),
            PackageRef::Removed(i) => self.removed.get(i as usize),
        }
    }

    /// The owner of a final-filesystem path.
    pub fn owner(&self, path: &str) -> Option<&Package> {
        self.owners
            .get(path)
            .and_then(|&i| self.packages.get(i as usize))
    }
}

/// Attributes every file of the image to its package. Pure and infallible: whatever the
/// databases hold that cannot be read becomes a warning.
pub fn attribute(scans: &[Arc<LayerScan>], merged: &Merged) -> PackageAnalysis {
    attribute_inner(scans, merged, false).0
}

/// [`attribute`], and what an image with one more layer on top needs to reuse the result
/// ([`Snapshot::extend`]); None when such a layer could never reuse it.
pub fn attribute_for_reuse(
    scans: &[Arc<LayerScan>],
    merged: &Merged,
) -> (PackageAnalysis, Option<prefix::Reuse>) {
    attribute_inner(scans, merged, true)
}

fn attribute_inner(
    scans: &[Arc<LayerScan>],
    merged: &Merged,
    reuse: bool,
) -> (PackageAnalysis, Option<prefix::Reuse>) {
    if scans.is_empty() {
        return (PackageAnalysis::default(), None);
    }
    let history = history::History::build(scans, merged);
    let mut canon = canon::Canon::new(scans, &merged.tree);
    let mut catalog = catalog::Catalog::default();
    let mut warnings = history::Warnings::default();

    // Every manager observes its packages before any claims a path, so that claims can be
    // tied to the unbroken run of layers each package version is installed in.
    let mut dpkg = dpkg_db::DpkgCollector::observe(&history, &mut catalog, &mut warnings);
    let mut apk = apk::ApkCollector::observe(&history, &mut catalog, &mut warnings);
    let mut rpm = rpm::RpmCollector::observe(&history, &mut catalog, &mut warnings);
    let python = python::PythonCollector::observe(&history, &mut catalog);
    let node = npm::NpmCollector::observe(&history, &mut catalog, &mut warnings);
    let mut langs = lang::LangCollector::observe(&history, &mut catalog, &mut warnings);
    catalog.finish();

    let mut claims = catalog::Claims::default();
    dpkg.claim(&history, &catalog, &mut claims, &mut canon, &mut warnings);
    apk.claim(&catalog, &mut claims, &mut canon);
    rpm.claim(&catalog, &mut claims, &mut canon);
    python.claim(&history, &mut catalog, &mut claims, &mut canon);
    node.claim(&catalog, &mut claims);
    langs.claim(&catalog, &mut claims, &mut canon);
    // Go programs last: only binaries no package above owns become packages of their own.
    let go = go::GoCollector::observe(scans, merged, &mut catalog, &claims);
    let rust = cargo::CargoCollector::observe(scans, merged, &mut catalog, &claims);
    let jars = java::JavaCollector::observe(scans, merged, &mut catalog);
    catalog.finish();
    go.claim(&catalog, &mut claims);
    rust.claim(&catalog, &mut claims);
    jars.claim(&catalog, &mut claims);

    let (analysis, seen) =
        attribute::Attribution::new(scans, merged, &catalog, &claims, canon).run(warnings);
    let reuse = reuse.then(|| prefix::Reuse {
        claimed_absent: claims.absent(&seen),
        claimed_dirs: claims.dir_paths(),
    });
    (analysis, reuse)
}
