//! Language package managers whose packages are directories or files listed by one
//! manifest: Ruby gems (`specifications/*.gemspec` → `gems/NAME-VERSION/`), PHP Composer
//! (`vendor/composer/installed.json` → each install path) and .NET (`*.deps.json` → the
//! assemblies beside it). Each records its packages with [`Found`] and the shared collector
//! turns them into catalog observations and claims.

pub(crate) mod composer;
pub(crate) mod dotnet;
pub(crate) mod gem;

use super::Manager;
use super::canon::{Canon, split};
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::{DbKind, History, Warnings};

/// One package a manifest names, and what it owns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub name: String,
    pub version: String,
    /// Where the package lives (its directory, or the manifest listing it).
    pub location: String,
    /// Directories the package owns whole (a gem's directory, a Composer install path).
    pub trees: Vec<String>,
    /// Single files it owns (its gemspec, a .NET assembly).
    pub files: Vec<String>,
}

/// What each manifest version yielded, kept from observing to claiming.
pub(crate) struct LangCollector {
    found: Vec<(Manager, u32, u32, Vec<Found>)>,
}

fn read(kind: DbKind, path: &str, bytes: &[u8]) -> Option<(Manager, Vec<Found>)> {
    Some(match kind {
        DbKind::Gemspec => (Manager::Gem, gem::read(path, bytes).into_iter().collect()),
        DbKind::ComposerInstalled => (Manager::Php, composer::read(path, bytes)?),
        DbKind::DotnetDeps => (Manager::Dotnet, dotnet::read(path, bytes)?),
        _ => return None,
    })
}

impl LangCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog, warnings: &mut Warnings) -> Self {
        let mut found = Vec::new();
        for kind in [
            DbKind::Gemspec,
            DbKind::ComposerInstalled,
            DbKind::DotnetDeps,
        ] {
            for v in history.of_kind(kind) {
                let Some((manager, list)) = read(kind, v.path, v.bytes) else {
                    warnings.push(format!("{}: {} is not valid JSON", kind_name(kind), v.path));
                    continue;
                };
                for f in &list {
                    catalog.observe(key(manager, f), Meta::default(), v.from, v.to);
                }
                found.push((manager, v.from, v.to, list));
            }
        }
        LangCollector { found }
    }

    pub fn claim(&mut self, catalog: &Catalog, claims: &mut Claims, canon: &mut Canon<'_>) {
        for (manager, from, to, list) in std::mem::take(&mut self.found) {
            for f in list {
                for (id, s, e) in catalog.key_overlapping(&key(manager, &f), from, to) {
                    for t in &f.trees {
                        if let Some(dir) = canon.resolve("", t) {
                            claims.add_tree(dir, id, s, e);
                        }
                    }
                    for p in &f.files {
                        if let Some(path) = canon.resolve("", p) {
                            claims.add(path, id, s, e, None);
                        }
                    }
                }
            }
        }
    }
}

fn kind_name(kind: DbKind) -> &'static str {
    match kind {
        DbKind::ComposerInstalled => "composer",
        DbKind::DotnetDeps => "dotnet",
        _ => "gem",
    }
}

fn key(manager: Manager, f: &Found) -> Key {
    Key {
        manager,
        name: f.name.clone(),
        version: f.version.clone(),
        arch: String::new(),
        location: f.location.clone(),
    }
}

/// The directory of a manifest path (`a/b/c.json` → `a/b`).
fn dir_of(path: &str) -> &str {
    split(path).0
}
