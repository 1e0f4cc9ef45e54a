//! Rust programs built with cargo-auditable: like a Go program, a binary whose `.dep-v0`
//! names a root crate, and that no other package lists, becomes a package of its own
//! (manager `cargo`), named and versioned by that crate. The crates it was built from stay
//! in the ELF analysis; they own no file of their own.

use super::Manager;
use super::canon::split;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::visible_until;
use crate::image::{LayerScan, Merged, NodeRef};
use std::sync::Arc;

pub(crate) struct CargoCollector {
    bins: Vec<(Arc<str>, u32, u32)>,
}

impl CargoCollector {
    /// Runs after the other managers' claims exist, so it can leave out what they own.
    pub fn observe(
        scans: &[Arc<LayerScan>],
        merged: &Merged,
        catalog: &mut Catalog,
        claims: &Claims,
    ) -> Self {
        let mut found = Vec::new();
        for (li, scan) in scans.iter().enumerate() {
            for (ei, info) in &scan.captured.elf {
                if let Some(root) = info.crates.iter().find(|c| c.root) {
                    let at = NodeRef {
                        layer: li as u32,
                        entry: *ei,
                    };
                    found.push((at, root, info.arch().unwrap_or_default()));
                }
            }
        }
        let refs: Vec<NodeRef> = found.iter().map(|(at, ..)| *at).collect();
        let ends = visible_until(merged, scans.len() as u32, &refs);
        let mut bins = Vec::new();
        for ((at, root, arch), to) in found.into_iter().zip(ends) {
            let Some(entry) = scans[at.layer as usize].entries.get(at.entry as usize) else {
                continue;
            };
            let owned = |l: u32| claims.of_path(&entry.path).any(|c| c.from <= l && l < c.to);
            if to <= at.layer || owned(to - 1) {
                continue;
            }
            let name = if root.name.is_empty() {
                split(&entry.path).1.to_string()
            } else {
                root.name.clone()
            };
            let key = Key {
                manager: Manager::Cargo,
                name,
                version: root.version.clone(),
                arch: arch.to_string(),
                location: entry.path.to_string(),
            };
            catalog.observe(key, Meta::default(), at.layer, to);
            bins.push((entry.path.clone(), at.layer, to));
        }
        CargoCollector { bins }
    }

    pub fn claim(&self, catalog: &Catalog, claims: &mut Claims) {
        for (path, from, to) in &self.bins {
            for (id, f, t) in catalog.location_overlapping(Manager::Cargo, path, *from, *to) {
                claims.add(path.to_string(), id, f, t, None);
            }
        }
    }
}
