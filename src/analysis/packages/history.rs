//! Every version of every package-database file the scan captured, with the layers it is
//! visible in. That is what "the database as layer i sees it" means: the versions whose
//! interval contains i.

use crate::image::{LayerScan, Merged, NodeRef};
use std::collections::HashMap;
use std::sync::Arc;

pub use crate::scan::capture::RPM_DB_PATHS;

/// What a captured file is to the package analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DbKind {
    DpkgStatus,
    DpkgDiversions,
    /// `var/lib/dpkg/info/*.list`.
    DpkgList,
    /// `var/lib/dpkg/status.d/NAME` (distroless).
    DistrolessStatus,
    /// `var/lib/dpkg/status.d/NAME.md5sums`.
    DistrolessMd5sums,
    Apk,
    /// rpm's database in any of its formats (`rpm::DB_PATHS`).
    Rpm,
    PyRecord,
    PyMetadata,
    EggFiles,
    EggPkgInfo,
    /// A `NAME-VER.egg-info` that is one file (distutils' PKG-INFO; Debian's python3-jdcal).
    EggInfoFile,
    NpmManifest,
    /// Ruby `specifications/NAME-VERSION.gemspec`.
    Gemspec,
    /// PHP `vendor/composer/installed.json`.
    ComposerInstalled,
    /// .NET `NAME.deps.json`.
    DotnetDeps,
}

/// Classifies a captured path; `None` for files other analyses want (passwd, ld.so.conf...).
pub(crate) fn classify(path: &str) -> Option<DbKind> {
    use DbKind::*;
    Some(match path {
        "var/lib/dpkg/status" => DpkgStatus,
        "var/lib/dpkg/diversions" => DpkgDiversions,
        "lib/apk/db/installed" | "usr/lib/apk/db/installed" => Apk,
        _ if RPM_DB_PATHS.contains(&path) => Rpm,
        _ => {
            if let Some(rest) = path.strip_prefix("var/lib/dpkg/info/") {
                return (!rest.contains('/') && rest.ends_with(".list")).then_some(DpkgList);
            }
            if let Some(rest) = path.strip_prefix("var/lib/dpkg/status.d/") {
                if rest.contains('/') || rest.is_empty() {
                    return None;
                }
                return Some(if rest.ends_with(".md5sums") {
                    DistrolessMd5sums
                } else {
                    DistrolessStatus
                });
            }
            if path.ends_with(".dist-info/RECORD") {
                PyRecord
            } else if path.ends_with(".dist-info/METADATA") {
                PyMetadata
            } else if path.ends_with(".egg-info/installed-files.txt") {
                EggFiles
            } else if path.ends_with(".egg-info/PKG-INFO") {
                EggPkgInfo
            } else if path.ends_with(".egg-info") {
                EggInfoFile
            } else if path.ends_with("/package.json") && path.contains("node_modules/") {
                NpmManifest
            } else if super::lang::gem::is_gemspec(path) {
                Gemspec
            } else if path.ends_with(super::lang::composer::SUFFIX) {
                ComposerInstalled
            } else if path.ends_with(".deps.json") {
                DotnetDeps
            } else {
                return None;
            }
        }
    })
}

/// One version of a database file: its bytes and the layers `[from, to)` that see it.
#[derive(Debug, Clone)]
pub(crate) struct Version<'a> {
    pub path: &'a Arc<str>,
    pub kind: DbKind,
    pub from: u32,
    pub to: u32,
    pub bytes: &'a [u8],
}

/// All captured database file versions, grouped by path, each group in layer order.
#[derive(Debug, Default)]
pub(crate) struct History<'a> {
    pub versions: Vec<Version<'a>>,
    by_path: HashMap<&'a str, Vec<u32>>,
}

impl<'a> History<'a> {
    pub fn build(scans: &'a [Arc<LayerScan>], merged: &Merged) -> History<'a> {
        let layers = scans.len() as u32;
        let mut versions = Vec::new();
        let mut at_index: HashMap<(u32, u32), usize> = HashMap::new();
        for (li, scan) in scans.iter().enumerate() {
            for (ei, bytes) in &scan.captured.files {
                let Some(entry) = scan.entries.get(*ei as usize) else {
                    continue;
                };
                let Some(kind) = classify(&entry.path) else {
                    continue;
                };
                at_index.insert((li as u32, *ei), versions.len());
                versions.push(Version {
                    path: &entry.path,
                    kind,
                    from: li as u32,
                    to: layers,
                    bytes: bytes.as_slice(),
                });
            }
        }
        let refs: Vec<NodeRef> = at_index
            .keys()
            .map(|&(layer, entry)| NodeRef { layer, entry })
            .collect();
        for (at, to) in refs.iter().zip(visible_until(merged, layers, &refs)) {
            let v = &mut versions[at_index[&(at.layer, at.entry)]];
            v.to = to.max(v.from);
        }
        let mut by_path: HashMap<&'a str, Vec<u32>> = HashMap::new();
        for (i, v) in versions.iter().enumerate() {
            by_path.entry(&**v.path).or_default().push(i as u32);
        }
        History { versions, by_path }
    }

    /// Versions of one path, in layer order.
    pub fn of_path(&self, path: &str) -> impl Iterator<Item = &Version<'a>> {
        self.by_path
            .get(path)
            .into_iter()
            .flatten()
            .map(|&i| &self.versions[i as usize])
    }

    pub fn of_kind(&self, kind: DbKind) -> impl Iterator<Item = &Version<'a>> {
        self.versions.iter().filter(move |v| v.kind == kind)
    }
}

/// For each file entry, the layer that removes it from the filesystem (`layers` when the
/// final tree still has it). A file leaves exactly once (overwritten, deleted or hidden),
/// and the merge records each such event.
pub(crate) fn visible_until(merged: &Merged, layers: u32, refs: &[NodeRef]) -> Vec<u32> {
    let index: HashMap<(u32, u32), usize> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.layer, r.entry), i))
        .collect();
    let mut to = vec![layers; refs.len()];
    for s in &merged.shadowed {
        if let Some(&i) = index.get(&(s.at.layer, s.at.entry)) {
            to[i] = s.by_layer;
        }
    }
    to
}

/// Warnings, bounded: a garbage database must not produce a million lines.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    pub list: Vec<String>,
    dropped: usize,
}

const MAX_WARNINGS: usize = 100;

impl Warnings {
    pub fn push(&mut self, msg: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(msg);
        } else {
            self.dropped += 1;
        }
    }

    pub fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list.push(format!(
                "{} further package warnings suppressed",
                self.dropped
            ));
        }
        self.list
    }
}
