//! Whole-pipeline tests on images built in memory with known ownership.

mod apk;
mod dpkg;
mod dpkg_layers;
mod go;
mod lang;
mod langs;
mod robust;
mod rpm;

use super::{Manager, Package, PackageAnalysis, PackageRef, attribute};
use crate::demo::builder::LayerBuilder;
use crate::image::{EntryKind, LayerScan, Merged};
use crate::scan::{ScanContext, scan_layer};
use std::sync::Arc;

pub(super) struct Fixture {
    pub a: PackageAnalysis,
}

/// Scans the layers, merges them, attributes, and checks the byte invariants every image
/// must satisfy.
pub(super) fn analyse(layers: Vec<LayerBuilder>) -> Result<Fixture, crate::scan::ScanError> {
    let scans: Vec<Arc<LayerScan>> = layers
        .into_iter()
        .map(|l| scan_layer(&l.build()[..], &ScanContext::default()).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let merged = Merged::build(&scans);
    let a = attribute(&scans, &merged);
    check_invariants(&scans, &merged, &a);
    super::prefix::tests::check_reuse(&scans);
    Ok(Fixture { a })
}

fn check_invariants(scans: &[Arc<LayerScan>], merged: &Merged, a: &PackageAnalysis) {
    let final_bytes: u64 = merged
        .tree
        .values()
        .map(|at| &scans[at.layer as usize].entries[at.entry as usize])
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.size)
        .sum();
    assert_eq!(
        a.final_bytes, final_bytes,
        "final bytes are the final tree's file bytes"
    );
    let owned: u64 = a.packages.iter().map(|p| p.bytes).sum();
    assert_eq!(
        owned + a.unowned_bytes,
        final_bytes,
        "every final byte has one owner"
    );
    assert!(
        a.removed
            .iter()
            .all(|p| p.bytes == 0 && p.removed_layer.is_some())
    );
    assert_eq!(a.layers.len(), scans.len());
    for (l, scan) in scans.iter().enumerate() {
        let lp = &a.layers[l];
        let sum: u64 = lp.by_package.iter().map(|(_, b)| b).sum::<u64>() + lp.unowned_bytes;
        assert_eq!(
            sum,
            scan.file_bytes(),
            "layer {l}: every byte has one owner"
        );
    }
    for w in a.packages.windows(2) {
        assert!(w[0].bytes >= w[1].bytes, "packages sorted by bytes");
    }
    let files: usize = a.packages.iter().map(|p| p.files).sum();
    assert_eq!(files, a.owners.len());
    for (path, &i) in &a.owners {
        let at = merged.tree[path];
        assert!(
            !scans[at.layer as usize].entries[at.entry as usize]
                .kind
                .is_dir()
        );
        assert!((i as usize) < a.packages.len());
    }
}

impl Fixture {
    pub fn pkg(&self, manager: Manager, name: &str) -> &Package {
        self.a
            .packages
            .iter()
            .find(|p| p.manager == manager && p.name == name)
            .unwrap_or_else(|| panic!("no installed package {name}: {:#?}", self.a.packages))
    }

    pub fn owner(&self, path: &str) -> Option<&str> {
        self.a.owner(path).map(|p| p.name.as_str())
    }

    /// Bytes layer `l` wrote for the package named `name` (installed or removed, any
    /// version matching `version` when given).
    pub fn layer_bytes(&self, l: usize, name: &str, version: Option<&str>) -> u64 {
        self.a.layers[l]
            .by_package
            .iter()
            .filter(|(r, _)| {
                self.a
                    .package(*r)
                    .is_some_and(|p| p.name == name && version.is_none_or(|v| p.version == v))
            })
            .map(|(_, b)| b)
            .sum()
    }

    pub fn removed(&self, name: &str) -> Vec<&Package> {
        self.a.removed.iter().filter(|p| p.name == name).collect()
    }

    pub fn installed_ref(&self, name: &str) -> Option<PackageRef> {
        let i = self.a.packages.iter().position(|p| p.name == name)?;
        Some(PackageRef::Installed(i as u32))
    }
}

/// A dpkg `status` stanza.
pub(super) fn stanza(name: &str, version: &str, arch: &str, extra: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nArchitecture: {arch}\n\
         Version: {version}\n{extra}Description: {name}\n a package\n .\n for tests\n\n"
    )
}

pub(super) fn bytes(n: usize, fill: u8) -> Vec<u8> {
    vec![fill; n]
}
