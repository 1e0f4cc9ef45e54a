//! Go programs: a binary whose build info names a main module, and that no other package
//! lists, becomes a package of its own (typically the server a `COPY --from=build` put on a
//! scratch or distroless base), with its build info as metadata. Go binaries an OS or
//! language package ships stay with that package; the ELF analysis still has their build
//! info.

use super::Manager;
use super::canon::split;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::visible_until;
use super::npm::package_dirs;
use crate::image::facts::ElfInfo;
use crate::image::{LayerScan, Merged, NodeRef};
use std::sync::Arc;

pub(crate) struct GoCollector {
    bins: Vec<(Arc<str>, u32, u32)>,
}

impl GoCollector {
    /// Observes Go binaries; runs after the other managers' claims exist, so it can leave
    /// out the binaries they own.
    pub fn observe(
        scans: &[Arc<LayerScan>],
        merged: &Merged,
        catalog: &mut Catalog,
        claims: &Claims,
    ) -> Self {
        let mut found: Vec<(NodeRef, &ElfInfo)> = Vec::new();
        for (li, scan) in scans.iter().enumerate() {
            for (ei, info) in &scan.captured.elf {
                if info.go.is_some() {
                    let at = NodeRef {
                        layer: li as u32,
                        entry: *ei,
                    };
                    found.push((at, info));
                }
            }
        }
        let refs: Vec<NodeRef> = found.iter().map(|(at, _)| *at).collect();
        let ends = visible_until(merged, scans.len() as u32, &refs);
        let mut bins = Vec::new();
        for ((at, info), to) in found.into_iter().zip(ends) {
            let (Some(go), Some(entry)) = (
                info.go.as_ref(),
                scans[at.layer as usize].entries.get(at.entry as usize),
            ) else {
                continue;
            };
            if to <= at.layer || claimed(claims, &entry.path, to - 1) {
                continue;
            }
            let main = go.main.as_ref().filter(|m| !m.path.is_empty());
            let name = main
                .map(|m| m.path.clone())
                .or_else(|| go.path.clone().filter(|p| !p.is_empty()))
                .unwrap_or_else(|| split(&entry.path).1.to_string());
            let key = Key {
                manager: Manager::Go,
                name,
                version: main.map(|m| m.version.clone()).unwrap_or_default(),
                arch: info.arch().unwrap_or_default().to_string(),
                location: entry.path.to_string(),
            };
            let meta = Meta {
                go: Some(Box::new(go.clone())),
                ..Meta::default()
            };
            catalog.observe(key, meta, at.layer, to);
            bins.push((entry.path.clone(), at.layer, to));
        }
        GoCollector { bins }
    }

    pub fn claim(&self, catalog: &Catalog, claims: &mut Claims) {
        for (path, from, to) in &self.bins {
            for (id, f, t) in catalog.location_overlapping(Manager::Go, path, *from, *to) {
                claims.add(path.to_string(), id, f, t, None);
            }
        }
    }
}

/// Whether another package owns `path` at `layer`: listed by path, or under an npm package
/// directory.
fn claimed(claims: &Claims, path: &str, layer: u32) -> bool {
    let active = |c: &super::catalog::Claim| c.from <= layer && layer < c.to;
    claims.of_path(path).any(active)
        || (claims.has_dirs() && package_dirs(path).any(|d| claims.of_dir(d).any(active)))
}
