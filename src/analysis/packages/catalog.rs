//! Package versions as the layers' databases list them, merged into instances (one per
//! unbroken run of layers), and the claims instances make on paths.

use super::Manager;
use crate::image::facts::GoInfo;
use foldhash::HashMap;

/// What identifies one installed package version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key {
    pub manager: Manager,
    pub name: String,
    pub version: String,
    pub arch: String,
    /// Where a language package lives; empty for OS packages.
    pub location: String,
}

/// Facts from the database beside the identity; the latest observation wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub declared_bytes: Option<u64>,
    /// The database file listing this package's paths (dpkg `.list`, distroless `.md5sums`).
    pub file_list: Option<String>,
    /// A Go program's build info.
    pub go: Option<Box<GoInfo>>,
}

/// One package version over the layers `[from, to)` whose databases all list it.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub key: Key,
    pub meta: Meta,
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Catalog {
    seen: HashMap<Key, Vec<(u32, u32, Meta)>>,
    pub instances: Vec<Instance>,
    by_location: HashMap<(Manager, String), Vec<u32>>,
    by_key: HashMap<Key, Vec<u32>>,
}

impl Catalog {
    /// Records that the databases of layers `[from, to)` list this package.
    pub fn observe(&mut self, key: Key, meta: Meta, from: u32, to: u32) {
        if from < to {
            self.seen.entry(key).or_default().push((from, to, meta));
        }
    }

    /// Merges the observations made since the last call into instances: overlapping or
    /// adjacent intervals of one key are one installation. Instance order is deterministic
    /// (by key, then layer); a later call appends.
    pub fn finish(&mut self) {
        let mut seen: Vec<_> = std::mem::take(&mut self.seen).into_iter().collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, mut obs) in seen {
            obs.sort_by_key(|o| (o.0, o.1));
            let mut runs: Vec<(u32, u32, Meta)> = Vec::new();
            for (from, to, meta) in obs {
                match runs.last_mut() {
                    Some(last) if from <= last.1 => {
                        last.1 = last.1.max(to);
                        last.2 = meta;
                    }
                    _ => runs.push((from, to, meta)),
                }
            }
            for (from, to, meta) in runs {
                let id = self.instances.len() as u32;
                self.by_location
                    .entry((key.manager, key.location.clone()))
                    .or_default()
                    .push(id);
                self.by_key.entry(key.clone()).or_default().push(id);
                self.instances.push(Instance {
                    key: key.clone(),
                    meta,
                    from,
                    to,
                });
            }
        }
    }

    /// Instances of a package key, with their intervals clipped to `[from, to)`.
    pub fn key_overlapping(&self, key: &Key, from: u32, to: u32) -> Vec<(u32, u32, u32)> {
        self.clip(self.by_key.get(key), from, to)
    }

    /// Instances at a language-package location, clipped to `[from, to)`.
    pub fn location_overlapping(
        &self,
        manager: Manager,
        location: &str,
        from: u32,
        to: u32,
    ) -> Vec<(u32, u32, u32)> {
        let ids = self.by_location.get(&(manager, location.to_string()));
        self.clip(ids, from, to)
    }

    fn clip(&self, ids: Option<&Vec<u32>>, from: u32, to: u32) -> Vec<(u32, u32, u32)> {
        ids.into_iter()
            .flatten()
            .filter_map(|&id| {
                let i = &self.instances[id as usize];
                let (f, t) = (from.max(i.from), to.min(i.to));
                (f < t).then_some((id, f, t))
            })
            .collect()
    }
}

/// One instance's claim on a path over the layers `[from, to)`.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub instance: u32,
    pub from: u32,
    pub to: u32,
    /// apk `Z:` (`Q1`+base64 SHA1 of the content or of a symlink's target).
    pub z: Option<Box<str>>,
    next: u32,
}

/// Path → claims, as singly linked lists in one vector: most paths have one claim, and a
/// `Vec` per path would cost an allocation each.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    paths: HashMap<Box<str>, u32>,
    /// npm: package directory → claims on everything below it.
    dirs: HashMap<Box<str>, u32>,
    /// Some directory claim is not npm's (a gem, a Composer package): any ancestor of a
    /// path may own it, not only a `node_modules` package directory.
    trees: bool,
    list: Vec<Claim>,
}

impl Claims {
    /// The end of a claim list.
    pub const NONE: u32 = u32::MAX;

    pub fn add(&mut self, path: String, instance: u32, from: u32, to: u32, z: Option<Box<str>>) {
        Self::push(&mut self.paths, &mut self.list, path, instance, from, to, z);
    }

    /// Room for `n` more path claims: a big database would otherwise rehash the map a
    /// dozen times while it grows.
    pub fn reserve(&mut self, n: usize) {
        self.paths.reserve(n);
        self.list.reserve(n);
    }

    pub fn add_dir(&mut self, dir: String, instance: u32, from: u32, to: u32) {
        Self::push(
            &mut self.dirs,
            &mut self.list,
            dir,
            instance,
            from,
            to,
            None,
        );
    }

    fn push(
        map: &mut HashMap<Box<str>, u32>,
        list: &mut Vec<Claim>,
        path: String,
        instance: u32,
        from: u32,
        to: u32,
        z: Option<Box<str>>,
    ) {
        let new = list.len() as u32;
        let head = map.entry(path.into_boxed_str()).or_insert(Self::NONE);
        if *head != Self::NONE {
            // The same instance re-listing a path in the next database version (apk rewrites
            // its whole db per layer) extends the claim rather than adding one.
            let h = &mut list[*head as usize];
            if h.instance == instance && from <= h.to && h.from <= to {
                h.from = h.from.min(from);
                h.to = h.to.max(to);
                if z.is_some() {
                    h.z = z;
                }
                return;
            }
        }
        list.push(Claim {
            instance,
            from,
            to,
            z,
            next: *head,
        });
        *head = new;
    }

    /// A package owning everything below `dir` that no path claim names.
    pub fn add_tree(&mut self, dir: String, instance: u32, from: u32, to: u32) {
        self.trees = true;
        self.add_dir(dir, instance, from, to);
    }

    pub fn has_trees(&self) -> bool {
        self.trees
    }

    /// Claims on exactly this path.
    pub fn of_path(&self, path: &str) -> ClaimIter<'_> {
        ClaimIter {
            list: &self.list,
            at: self.paths.get(path).copied().unwrap_or(Self::NONE),
        }
    }

    /// The first claim on a path, as a handle [`Claims::walk`] follows without
    /// hashing the path again.
    pub fn head(&self, path: &str) -> u32 {
        self.paths.get(path).copied().unwrap_or(Self::NONE)
    }

    pub fn walk(&self, head: u32) -> ClaimIter<'_> {
        ClaimIter {
            list: &self.list,
            at: head,
        }
    }

    /// Claims on a package directory.
    pub fn of_dir(&self, dir: &str) -> ClaimIter<'_> {
        ClaimIter {
            list: &self.list,
            at: self.dirs.get(dir).copied().unwrap_or(Self::NONE),
        }
    }

    pub fn has_dirs(&self) -> bool {
        !self.dirs.is_empty()
    }

    /// The package directories claims name (npm's, gems', Composer's), sorted.
    pub fn dir_paths(&self) -> Vec<Box<str>> {
        let mut dirs: Vec<Box<str>> = self.dirs.keys().cloned().collect();
        dirs.sort_unstable();
        dirs
    }

    /// Claim list entries (the largest head is one less).
    pub fn list_len(&self) -> usize {
        self.list.len()
    }

    /// The claimed paths whose list head `seen` does not mark, sorted: with `seen` from
    /// the final tree, every claimed path a later layer could add as a new file.
    pub fn absent(&self, seen: &[bool]) -> Vec<Box<str>> {
        let mut absent: Vec<Box<str>> = (self.paths.iter())
            .filter(|&(_, &head)| !seen.get(head as usize).copied().unwrap_or(false))
            .map(|(path, _)| path.clone())
            .collect();
        absent.sort_unstable();
        absent
    }
}

pub(crate) struct ClaimIter<'a> {
    list: &'a [Claim],
    at: u32,
}

impl<'a> Iterator for ClaimIter<'a> {
    type Item = &'a Claim;

    fn next(&mut self) -> Option<&'a Claim> {
        let c = self.list.get(self.at as usize)?;
        self.at = c.next;
        Some(c)
    }
}
