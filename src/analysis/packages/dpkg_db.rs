//! dpkg's database as the layers see it: `status` (or distroless `status.d/`) says what is
//! installed, `info/*.list` (or `status.d/*.md5sums`) what each package owns, `diversions`
//! where a file shipped under one name really lives.

use super::Manager;
use super::canon::{Canon, split};
use super::catalog::{Catalog, Claims, Key, Meta};
use super::dpkg::{DpkgStanza, parse_diversions, parse_list, parse_md5sums, parse_status};
use super::history::{DbKind, History, Version, Warnings};
use foldhash::{HashMap, HashSet, HashSetExt};
use std::borrow::Cow;

const INFO: &str = "var/lib/dpkg/info";
const STATUS_D: &str = "var/lib/dpkg/status.d";

/// One version of `diversions`, canonicalised: diverted path → (new path, diverting package).
struct DiversionTable {
    from: u32,
    to: u32,
    map: HashMap<String, (String, String)>,
}

pub(crate) struct DpkgCollector {
    diversions: Vec<DiversionTable>,
}

fn key(s: &DpkgStanza) -> Key {
    Key {
        manager: Manager::Dpkg,
        name: s.package.clone(),
        version: s.version.clone(),
        arch: s.architecture.clone(),
        location: String::new(),
    }
}

fn declared(s: &DpkgStanza) -> Option<u64> {
    s.installed_size.map(|k| k.saturating_mul(1024))
}

impl DpkgCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog, warnings: &mut Warnings) -> Self {
        for v in history.of_kind(DbKind::DpkgStatus) {
            let stanzas = parse_status(v.bytes);
            if stanzas.is_empty() && !v.bytes.is_empty() {
                warnings.push(format!(
                    "dpkg: no package stanza in {} (layer {})",
                    v.path, v.from
                ));
            }
            // In `status` every stanza carries `Status:`; one without it is not installed.
            for s in stanzas
                .iter()
                .filter(|s| s.status.is_some() && s.is_installed())
            {
                let list = format!("{INFO}/{}.list", s.list_stem());
                let meta = Meta {
                    declared_bytes: declared(s),
                    file_list: Some(list),
                    go: None,
                };
                catalog.observe(key(s), meta, v.from, v.to);
            }
        }
        for v in history.of_kind(DbKind::DistrolessStatus) {
            let (_, stem) = split(v.path);
            for s in parse_status(v.bytes).iter().filter(|s| s.is_installed()) {
                let meta = Meta {
                    declared_bytes: declared(s),
                    file_list: Some(format!("{STATUS_D}/{stem}.md5sums")),
                    go: None,
                };
                catalog.observe(key(s), meta, v.from, v.to);
            }
        }
        DpkgCollector {
            diversions: Vec::new(),
        }
    }

    pub fn claim(
        &mut self,
        history: &History<'_>,
        catalog: &Catalog,
        claims: &mut Claims,
        canon: &mut Canon<'_>,
        warnings: &mut Warnings,
    ) {
        self.diversions = diversion_tables(history, canon);
        let (lists, missing) = file_lists(history, catalog);
        let dirs = listed_dirs(&lists);
        claims.reserve(lists.iter().map(|l| l.paths.len()).sum());
        for list in &lists {
            let name = &catalog.instances[list.id as usize].key.name;
            let paths: Vec<String> = list
                .paths
                .iter()
                .filter(|p| !dirs.contains(p.trim_start_matches('/').trim_end_matches('/')))
                .filter_map(|p| canon.resolve("", p))
                .collect();
            self.claim_paths(claims, list, name, paths);
        }
        warn_unlisted(missing, warnings);
    }

    /// Claims a list's paths for its package, each where a diversion by another package
    /// moved it while the list is visible.
    fn claim_paths(
        &self,
        claims: &mut Claims,
        list: &FileList<'_>,
        name: &str,
        paths: Vec<String>,
    ) {
        let divert =
            |p: &String, table: Option<&DiversionTable>| match table.and_then(|t| t.map.get(p)) {
                Some((to, by)) if by != name => Some(to.clone()),
                _ => None,
            };
        let segments = self.segments(list.from, list.to);
        if let [(s, e, table)] = segments[..] {
            // One diversion table over the whole claim (the usual case): move the paths.
            for p in paths {
                let path = divert(&p, table).unwrap_or(p);
                claims.add(path, list.id, s, e, None);
            }
            return;
        }
        for (s, e, table) in segments {
            for p in &paths {
                let path = divert(p, table).unwrap_or_else(|| p.clone());
                claims.add(path, list.id, s, e, None);
            }
        }
    }

    /// Splits `[from, to)` where the visible `diversions` version changes.
    fn segments(&self, from: u32, to: u32) -> Vec<(u32, u32, Option<&DiversionTable>)> {
        let mut cuts = vec![from, to];
        for d in &self.diversions {
            cuts.extend([d.from, d.to].into_iter().filter(|&c| from < c && c < to));
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .map(|w| {
                let table = self
                    .diversions
                    .iter()
                    .find(|d| d.from <= w[0] && w[0] < d.to);
                (w[0], w[1], table)
            })
            .collect()
    }
}

/// The versions of a package's file list, trying the other naming when the expected one is
/// absent (an `Architecture: all` package marked `Multi-Arch: same`, or a status that lost
/// its `Multi-Arch:` line).
fn list_versions<'h, 'a>(history: &'h History<'a>, list: &str, key: &Key) -> Vec<&'h Version<'a>> {
    let found: Vec<_> = history.of_path(list).collect();
    if !found.is_empty() || !list.starts_with(INFO) {
        return found;
    }
    let alt = if list.ends_with(&format!(":{}.list", key.arch)) {
        format!("{INFO}/{}.list", key.name)
    } else {
        format!("{INFO}/{}:{}.list", key.name, key.arch)
    };
    history.of_path(&alt).collect()
}

/// A version of a package's file list, over the layers where both it and the package are
/// visible.
struct FileList<'a> {
    /// The package's index in the catalog.
    id: u32,
    from: u32,
    to: u32,
    paths: Vec<Cow<'a, str>>,
}

/// Every version of `diversions`, canonicalised.
fn diversion_tables(history: &History<'_>, canon: &mut Canon<'_>) -> Vec<DiversionTable> {
    history
        .of_kind(DbKind::DpkgDiversions)
        .map(|v| DiversionTable {
            from: v.from,
            to: v.to,
            map: parse_diversions(v.bytes)
                .into_iter()
                .filter_map(|d| {
                    let from = canon.resolve("", &d.from)?;
                    let to = canon.resolve("", &d.to)?;
                    Some((from, (to, d.package)))
                })
                .collect(),
        })
        .collect()
}

/// The file lists of dpkg's packages, and the packages with no list where they are last
/// visible.
fn file_lists<'h>(
    history: &'h History<'_>,
    catalog: &'h Catalog,
) -> (Vec<FileList<'h>>, Vec<&'h str>) {
    let mut missing = Vec::new();
    let mut lists = Vec::new();
    for (id, inst) in catalog.instances.iter().enumerate() {
        if inst.key.manager != Manager::Dpkg {
            continue;
        }
        let Some(list) = &inst.meta.file_list else {
            continue;
        };
        let versions = list_versions(history, list, &inst.key);
        let last = inst.to - 1;
        if !versions.iter().any(|v| v.from <= last && last < v.to) {
            missing.push(inst.key.name.as_str());
        }
        for v in versions {
            let (from, to) = (inst.from.max(v.from), inst.to.min(v.to));
            if from < to {
                let paths = if v.kind == DbKind::DpkgList {
                    parse_list(v.bytes)
                } else {
                    parse_md5sums(v.bytes)
                };
                lists.push(FileList {
                    id: id as u32,
                    from,
                    to,
                    paths,
                });
            }
        }
    }
    (lists, missing)
}

/// Lists name directories too, and a directory of dpkg's namespace can be a symlink in the
/// image (`/bin` with merged /usr): whatever is the parent of some listed path is a
/// directory to dpkg, so no package owns the symlink through it.
fn listed_dirs<'a>(lists: &'a [FileList<'_>]) -> HashSet<&'a str> {
    let mut dirs: HashSet<&str> = HashSet::new();
    let mut last = "";
    for p in lists.iter().flat_map(|l| l.paths.iter()) {
        if let Some((dir, _)) = p.trim_start_matches('/').rsplit_once('/')
            && dir != last
        {
            dirs.insert(dir);
            last = dir;
        }
    }
    dirs
}

fn warn_unlisted(mut missing: Vec<&str>, warnings: &mut Warnings) {
    if missing.is_empty() {
        return;
    }
    missing.sort_unstable();
    missing.dedup();
    let shown: Vec<&str> = missing.iter().take(5).copied().collect();
    warnings.push(format!(
        "dpkg: {} no file list in the database that lists them last, \
         so their files there count as unowned (e.g. {})",
        crate::units::plural(missing.len() as u64, "package has", "packages have"),
        shown.join(", ")
    ));
}
