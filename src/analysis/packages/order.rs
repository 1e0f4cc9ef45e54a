//! The order the report lists packages in: installed ones largest first, removed ones in
//! layer order.

use super::PackageRef;
use super::catalog::Catalog;
use crate::image::{LayerScan, NodeRef};
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

/// Per-instance totals over the final filesystem.
#[derive(Default, Clone, Copy)]
pub(super) struct Totals {
    pub bytes: u64,
    pub files: usize,
    pub modified: usize,
}

/// The report's order of the instances: final packages largest first, removed ones in
/// layer order; `refs` says where each instance went.
pub(super) struct Order {
    pub installed: Vec<u32>,
    pub removed: Vec<u32>,
    pub refs: Vec<PackageRef>,
}

impl Order {
    pub fn new(catalog: &Catalog, totals: &[Totals], n: u32) -> Order {
        let insts = &catalog.instances;
        let mut installed: Vec<u32> = (0..insts.len() as u32)
            .filter(|&i| insts[i as usize].to >= n)
            .collect();
        installed.sort_by(|&a, &b| {
            let (ia, ib) = (&insts[a as usize], &insts[b as usize]);
            totals[b as usize]
                .bytes
                .cmp(&totals[a as usize].bytes)
                .then_with(|| ia.key.cmp(&ib.key))
        });
        let mut removed: Vec<u32> = (0..insts.len() as u32)
            .filter(|&i| insts[i as usize].to < n)
            .collect();
        removed.sort_by_key(|&i| (insts[i as usize].from, &insts[i as usize].key));
        let mut refs = vec![PackageRef::Installed(0); insts.len()];
        for (pos, &i) in installed.iter().enumerate() {
            refs[i as usize] = PackageRef::Installed(pos as u32);
        }
        for (pos, &i) in removed.iter().enumerate() {
            refs[i as usize] = PackageRef::Removed(pos as u32);
        }
        Order {
            installed,
            removed,
            refs,
        }
    }

    /// The instance's position in its list (installed or removed).
    pub fn index_of(&self, i: u32) -> u32 {
        match self.refs[i as usize] {
            PackageRef::Installed(p) | PackageRef::Removed(p) => p,
        }
    }
}

/// Installed before removed, each in its list's order.
pub(super) fn r_order(r: PackageRef) -> (u8, u32) {
    match r {
        PackageRef::Installed(i) => (0, i),
        PackageRef::Removed(i) => (1, i),
    }
}

/// The owners by path and by node (see [`PackageAnalysis::owner_nodes`]), as indices into
/// the report's packages.
pub(super) fn owners(
    scans: &[Arc<LayerScan>],
    owned: Vec<(Arc<str>, NodeRef, u32)>,
    order: &Order,
) -> (HashMap<Arc<str>, u32>, Vec<Vec<u32>>) {
    let mut nodes: Vec<Vec<u32>> = scans
        .iter()
        .map(|s| vec![u32::MAX; s.entries.len()])
        .collect();
    let mut by_path = HashMap::with_capacity(owned.len());
    for (path, at, i) in owned {
        let index = order.index_of(i);
        if let Some(slot) = nodes
            .get_mut(at.layer as usize)
            .and_then(|l| l.get_mut(at.entry as usize))
        {
            *slot = index;
        }
        by_path.insert(path, index);
    }
    (by_path, nodes)
}
