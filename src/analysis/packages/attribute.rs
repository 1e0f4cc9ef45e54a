//! Settles each path's owner among the claims and sums bytes: per layer (as that layer's
//! databases say) and for the final filesystem. One hash lookup per entry; the slow path
//! (several packages claiming one path) is rare.

use super::apk::z_of_symlink;
use super::canon::{Canon, split};
use super::catalog::{Catalog, Claim, Claims};
use super::history::Warnings;
use super::largest::keep_largest;
use super::npm::package_dirs;
use super::order::{Order, Totals, owners, r_order};
use super::{LayerPackages, Manager, ModifiedFile, Package, PackageAnalysis, PackageRef};
use crate::image::{Entry, EntryKind, LayerScan, Merged, NodeRef};
use foldhash::{HashMap, HashMapExt};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
struct Owner {
    instance: u32,
    /// The first layer of the claim that won: when the package last (re)installed the file.
    since: u32,
}

pub(crate) struct Attribution<'a> {
    scans: &'a [Arc<LayerScan>],
    merged: &'a Merged,
    catalog: &'a Catalog,
    claims: &'a Claims,
    canon: Canon<'a>,
    /// Path → entry index, built only for the layers a modification check looks into.
    layer_index: Vec<Option<HashMap<&'a str, u32>>>,
    ties: usize,
    /// By claim list head: the path is a non-directory of the final tree.
    seen: Vec<bool>,
}

/// What the final filesystem gives each instance, and what no package owns.
struct FinalTree {
    totals: Vec<Totals>,
    owned: Vec<(Arc<str>, NodeRef, u32)>,
    /// (path, its owner, the layer that modified it, bytes).
    modified: Vec<(Arc<str>, Owner, u32, u64)>,
    /// The largest unowned files (a min-heap of at most [`super::largest::LARGEST_UNOWNED`]).
    largest_unowned: BinaryHeap<Reverse<(u64, Arc<str>)>>,
    final_bytes: u64,
    unowned_bytes: u64,
}

impl<'a> Attribution<'a> {
    pub fn new(
        scans: &'a [Arc<LayerScan>],
        merged: &'a Merged,
        catalog: &'a Catalog,
        claims: &'a Claims,
        canon: Canon<'a>,
    ) -> Self {
        Attribution {
            scans,
            merged,
            catalog,
            claims,
            canon,
            layer_index: vec![None; scans.len()],
            ties: 0,
            seen: vec![false; claims.list_len()],
        }
    }

    /// The analysis, and by claim list head whether the final tree has the path (see
    /// [`Claims::absent`]).
    pub fn run(mut self, mut warnings: Warnings) -> (PackageAnalysis, Vec<bool>) {
        let n = self.scans.len() as u32;
        // Each entry's claims are looked up once, here, and reused for the final tree.
        let mut heads: Vec<Vec<u32>> = Vec::with_capacity(n as usize);
        let per_layer: Vec<(HashMap<u32, u64>, u64)> = (0..n)
            .map(|l| {
                let (by, unowned, h) = self.layer(l);
                heads.push(h);
                (by, unowned)
            })
            .collect();
        let fin = self.final_tree(&heads);
        if self.ties > 0 {
            warnings.push(format!(
                "{} listed by more than one package; each went to one owner \
                 (OS package first, then diversion, then the package installed by the layer \
                 that wrote the file)",
                crate::units::plural(self.ties as u64, "path is", "paths are")
            ));
        }
        let order = Order::new(self.catalog, &fin.totals, n);
        let package = |i: u32| self.package(i, fin.totals[i as usize], n);
        let layers = per_layer
            .into_iter()
            .map(|(by, unowned_bytes)| {
                let mut by_package: Vec<(PackageRef, u64)> = by
                    .into_iter()
                    .map(|(i, b)| (order.refs[i as usize], b))
                    .collect();
                by_package.sort_by_key(|&(r, b)| (Reverse(b), r_order(r)));
                LayerPackages {
                    by_package,
                    unowned_bytes,
                }
            })
            .collect();
        let mut modified: Vec<ModifiedFile> = fin
            .modified
            .into_iter()
            .map(|(path, o, layer, bytes)| ModifiedFile {
                path,
                package: order.index_of(o.instance),
                installed_layer: o.since as usize,
                modified_layer: layer as usize,
                bytes,
            })
            .collect();
        modified.sort_by(|a, b| a.path.cmp(&b.path));
        let mut largest: Vec<(String, u64)> = fin
            .largest_unowned
            .into_iter()
            .map(|Reverse((b, p))| (p.to_string(), b))
            .collect();
        largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let (owners, owner_nodes) = owners(self.scans, fin.owned, &order);
        let analysis = PackageAnalysis {
            packages: order.installed.iter().map(|&i| package(i)).collect(),
            removed: order.removed.iter().map(|&i| package(i)).collect(),
            final_bytes: fin.final_bytes,
            unowned_bytes: fin.unowned_bytes,
            largest_unowned: largest,
            owners,
            owner_nodes,
            modified,
            layers,
            warnings: warnings.finish(),
        };
        (analysis, std::mem::take(&mut self.seen))
    }

    /// Every non-directory path of the final filesystem given to its owner (or counted as
    /// unowned), with `heads` the claim list head of each layer's entries.
    fn final_tree(&mut self, heads: &[Vec<u32>]) -> FinalTree {
        let last = (self.scans.len() as u32).saturating_sub(1);
        let mut fin = FinalTree {
            totals: vec![Totals::default(); self.catalog.instances.len()],
            owned: Vec::with_capacity(self.merged.tree.len()),
            modified: Vec::new(),
            largest_unowned: BinaryHeap::new(),
            final_bytes: 0,
            unowned_bytes: 0,
        };
        let merged = self.merged;
        for (path, &at) in &merged.tree {
            let e = entry(self.scans, at);
            if e.kind.is_dir() {
                continue;
            }
            let size = if e.kind == EntryKind::File { e.size } else { 0 };
            fin.final_bytes = fin.final_bytes.saturating_add(size);
            let head = heads[at.layer as usize][at.entry as usize];
            if let Some(seen) = self.seen.get_mut(head as usize) {
                *seen = true;
            }
            let owner = match self.owner(head, path, last, at, e, true) {
                Some(o) => Some(o),
                None if e.kind == EntryKind::Symlink => self.by_link_target(path, e, last),
                None => None,
            };
            let Some(o) = owner else {
                fin.unowned_bytes = fin.unowned_bytes.saturating_add(size);
                if e.kind == EntryKind::File {
                    keep_largest(&mut fin.largest_unowned, size, path);
                }
                continue;
            };
            let t = &mut fin.totals[o.instance as usize];
            t.bytes = t.bytes.saturating_add(size);
            t.files += 1;
            fin.owned.push((path.clone(), at, o.instance));
            if self.is_modified(path, at, e, o.since) {
                t.modified += 1;
                fin.modified.push((path.clone(), o, at.layer, size));
            }
        }
        fin
    }

    /// Instance `i` as a package of the report, with its totals over the final filesystem;
    /// `n` is the number of layers.
    fn package(&self, i: u32, t: Totals, n: u32) -> Package {
        let inst = &self.catalog.instances[i as usize];
        Package {
            manager: inst.key.manager,
            name: inst.key.name.clone(),
            version: inst.key.version.clone(),
            arch: inst.key.arch.clone(),
            location: inst.key.location.clone(),
            layer: inst.from as usize,
            removed_layer: (inst.to < n).then_some(inst.to as usize),
            bytes: t.bytes,
            declared_bytes: inst.meta.declared_bytes,
            files: t.files,
            modified_files: t.modified,
            go: inst.meta.go.as_deref().cloned(),
        }
    }

    /// One layer's regular-file bytes by owning instance, its unowned bytes, and each
    /// entry's claim list head.
    fn layer(&mut self, l: u32) -> (HashMap<u32, u64>, u64, Vec<u32>) {
        let scans = self.scans;
        let mut by: HashMap<u32, u64> = HashMap::new();
        let mut unowned = 0u64;
        let entries = &scans[l as usize].entries;
        let mut heads = Vec::with_capacity(entries.len());
        for (ei, e) in entries.iter().enumerate() {
            let head = if e.kind.is_dir() {
                Claims::NONE
            } else {
                self.claims.head(&e.path)
            };
            heads.push(head);
            if e.kind != EntryKind::File || e.size == 0 {
                continue;
            }
            let at = NodeRef {
                layer: l,
                entry: ei as u32,
            };
            match self.owner(head, &e.path, l, at, e, false) {
                Some(o) => {
                    let b = by.entry(o.instance).or_default();
                    *b = b.saturating_add(e.size);
                }
                None => unowned = unowned.saturating_add(e.size),
            }
        }
        (by, unowned, heads)
    }

    /// The owner of `path` (whose claims start at `head`) as the databases of `layer` say,
    /// given the entry `at` that wrote its content.
    fn owner(
        &mut self,
        head: u32,
        path: &str,
        layer: u32,
        at: NodeRef,
        e: &Entry,
        count: bool,
    ) -> Option<Owner> {
        let active = |c: &&Claim| c.from <= layer && layer < c.to;
        let mut it = self.claims.walk(head).filter(active);
        let Some(first) = it.next() else {
            return self.npm_owner(path, layer);
        };
        let mut rest = it.filter(|c| c.instance != first.instance).peekable();
        if rest.peek().is_none() {
            return Some(owner_of(first));
        }
        let mut cands: Vec<&Claim> = vec![first];
        cands.extend(rest);
        let catalog = self.catalog;
        let manager = |c: &Claim| catalog.instances[c.instance as usize].key.manager;
        if cands.iter().any(|c| manager(c).is_os()) {
            cands.retain(|c| manager(c).is_os());
        }
        cands.sort_by_key(|c| c.instance);
        cands.dedup_by_key(|c| c.instance);
        if cands.len() > 1 {
            if count {
                self.ties += 1;
            }
            settle_by_content(&mut cands, e, at.layer);
        }
        // Deterministic last resort: the latest installer, then catalog order.
        cands
            .iter()
            .max_by_key(|c| (c.from, Reverse(c.instance)))
            .map(|c| owner_of(c))
    }

    /// The nearest `node_modules` package directory with a manifest at `layer`.
    fn npm_owner(&self, path: &str, layer: u32) -> Option<Owner> {
        if !self.claims.has_dirs() {
            return None;
        }
        let owner = |dir: &str| {
            self.claims
                .of_dir(dir)
                .find(|c| c.from <= layer && layer < c.to)
                .map(owner_of)
        };
        if self.claims.has_trees() {
            // Gems and Composer packages too: the nearest ancestor with a claim.
            return std::iter::successors(Some(path), |p| p.rsplit_once('/').map(|(d, _)| d))
                .skip(1)
                .find_map(owner);
        }
        if !path.contains("node_modules/") {
            return None;
        }
        package_dirs(path).find_map(owner)
    }

    /// apk: busybox applets are symlinks no record lists (a trigger makes them); they belong
    /// to the package owning their target.
    fn by_link_target(&mut self, path: &str, e: &Entry, layer: u32) -> Option<Owner> {
        let target = e.link.as_deref()?;
        let resolved = self.canon.resolve(split(path).0, target)?;
        let catalog = self.catalog;
        self.claims
            .of_path(&resolved)
            .find(|c| {
                c.from <= layer
                    && layer < c.to
                    && catalog.instances[c.instance as usize].key.manager == Manager::Apk
            })
            .map(owner_of)
    }

    /// True when the final content of an owned path was written after the package's claim
    /// began and differs from what the filesystem held at that layer.
    fn is_modified(&mut self, path: &str, at: NodeRef, e: &Entry, since: u32) -> bool {
        if at.layer <= since {
            return false;
        }
        for l in (0..=since).rev() {
            if let Some(ei) = self.index(l).get(path).copied() {
                let old = &self.scans[l as usize].entries[ei as usize];
                return !same_content(old, e);
            }
        }
        // Not there when the package was installed: the content came from elsewhere.
        true
    }

    fn index(&mut self, l: u32) -> &HashMap<&'a str, u32> {
        let scans = self.scans;
        self.layer_index[l as usize].get_or_insert_with(|| {
            scans[l as usize]
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (&*e.path, i as u32))
                .collect()
        })
    }
}

/// Among OS packages claiming one path: a symlink's apk `Z:` names its package; otherwise
/// the package whose claim began in the layer that wrote the content, else the latest one
/// installed before it.
fn settle_by_content(cands: &mut Vec<&Claim>, e: &Entry, writer_layer: u32) {
    if e.kind == EntryKind::Symlink && cands.iter().any(|c| c.z.is_some()) {
        let z = z_of_symlink(e.link.as_deref().unwrap_or_default());
        if cands.iter().any(|c| c.z.as_deref() == Some(z.as_str())) {
            cands.retain(|c| c.z.as_deref() == Some(z.as_str()));
            return;
        }
    }
    let best = cands
        .iter()
        .map(|c| c.from)
        .filter(|&f| f <= writer_layer)
        .max();
    if let Some(best) = best {
        cands.retain(|c| c.from == best);
    }
}

fn owner_of(c: &Claim) -> Owner {
    Owner {
        instance: c.instance,
        since: c.from,
    }
}

fn same_content(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && match new.kind {
            EntryKind::File => old.size == new.size && old.hash == new.hash,
            EntryKind::Symlink | EntryKind::Hardlink => old.link == new.link,
            _ => true,
        }
}

fn entry(scans: &[Arc<LayerScan>], at: NodeRef) -> &Entry {
    &scans[at.layer as usize].entries[at.entry as usize]
}
