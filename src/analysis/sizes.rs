//! The size figures, as the README and the schema define them.

use crate::image::merge::{Merged, WasteKind};
use crate::image::{EntryKind, Image};
use serde::{Deserialize, Serialize};

/// Image-wide byte counts. Regular-file bytes only; hard links count once, on their target
/// (on a surviving link when a later layer removed the target's own name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sizes {
    /// Σ regular-file bytes over all layer tars (what dive calls image size).
    pub layers_bytes: u64,
    /// Regular-file bytes visible in the merged final filesystem.
    pub final_bytes: u64,
    /// layers_bytes − final_bytes: stored and pulled, never seen.
    pub reclaimable_bytes: u64,
    pub reclaimable: Reclaimable,
    /// final_bytes / layers_bytes (1.0 for an empty image).
    pub efficiency: f64,
    /// Σ layer blob sizes as stored (what a pull downloads; a `docker save` stores them
    /// uncompressed).
    pub compressed_bytes: u64,
    /// Σ uncompressed layer tar sizes (headers and padding included).
    pub tar_bytes: u64,
}

/// Where the reclaimable bytes went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reclaimable {
    /// Rewritten by a later layer (same path, new file).
    pub overwritten_bytes: u64,
    /// Removed by a `.wh.` whiteout of the file or of a directory above it.
    pub deleted_bytes: u64,
    /// Hidden by an opaque directory (`.wh..wh..opq`).
    pub opaque_hidden_bytes: u64,
}

/// Per-layer figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// Regular-file bytes in this layer's tar.
    pub bytes: u64,
    pub compressed_bytes: u64,
    pub entries: usize,
    pub added: usize,
    pub modified: usize,
    pub removed: usize,
    /// Bytes this layer wrote that a later layer hid.
    pub reclaimable_bytes: u64,
}

pub fn compute(image: &Image, merged: &Merged) -> (Sizes, Vec<LayerStats>) {
    let scans: Vec<_> = image.layers.iter().map(|l| l.scan.clone()).collect();
    let mut layers: Vec<LayerStats> = image
        .layers
        .iter()
        .zip(&merged.changes)
        .map(|(l, c)| LayerStats {
            bytes: l.scan.file_bytes(),
            compressed_bytes: l.scan.compressed_bytes,
            entries: l.scan.entries.len(),
            added: c.added,
            modified: c.modified,
            removed: c.removed.len(),
            reclaimable_bytes: 0,
        })
        .collect();
    let mut rec = Reclaimable::default();
    for s in &merged.shadowed {
        match s.kind {
            WasteKind::Overwritten => add(&mut rec.overwritten_bytes, s.bytes),
            WasteKind::Deleted => add(&mut rec.deleted_bytes, s.bytes),
            WasteKind::OpaqueHidden => add(&mut rec.opaque_hidden_bytes, s.bytes),
        }
        if let Some(l) = layers.get_mut(s.at.layer as usize) {
            add(&mut l.reclaimable_bytes, s.bytes);
        }
    }
    let linked: u64 = merged
        .kept_by_link
        .iter()
        .map(|&(_, file)| merged.entry(&scans, file).size)
        .fold(0, u64::saturating_add);
    let final_bytes = merged
        .tree
        .values()
        .map(|&at| merged.entry(&scans, at))
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.size)
        .fold(0, u64::saturating_add)
        .saturating_add(linked);
    let layers_bytes: u64 = layers.iter().map(|l| l.bytes).fold(0, u64::saturating_add);
    let sizes = Sizes {
        layers_bytes,
        final_bytes,
        reclaimable_bytes: layers_bytes.saturating_sub(final_bytes),
        reclaimable: rec,
        efficiency: if layers_bytes == 0 {
            1.0
        } else {
            final_bytes as f64 / layers_bytes as f64
        },
        compressed_bytes: image
            .layers
            .iter()
            .map(|l| l.scan.compressed_bytes)
            .fold(0, u64::saturating_add),
        tar_bytes: image
            .layers
            .iter()
            .map(|l| l.scan.uncompressed_bytes)
            .fold(0, u64::saturating_add),
    };
    (sizes, layers)
}

/// Sizes come from tar headers (sparse files declare what they like): sums saturate
/// rather than wrap in release or panic in debug.
fn add(total: &mut u64, n: u64) {
    *total = total.saturating_add(n);
}

#[cfg(test)]
mod tests {
    use super::compute;
    use crate::demo::builder::LayerBuilder;
    use crate::image::LayerScan;
    use crate::scan::{ScanContext, scan_layer};
    use std::sync::Arc;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn scans(layers: Vec<LayerBuilder>) -> Result<Vec<Arc<LayerScan>>, crate::scan::ScanError> {
        layers
            .into_iter()
            .map(|l| scan_layer(&l.build()[..], &ScanContext::default()).map(Arc::new))
            .collect()
    }

    /// Issue 18 §6: a hard link names the inode, so its bytes stay while any name survives.
    #[test]
    fn a_surviving_hard_link_keeps_its_targets_bytes() -> TestResult {
        let base = || {
            LayerBuilder::new("a")
                .file("opt/data", &[7; 100_000])
                .hardlink("opt/link", "opt/data")
                .hardlink("opt/link2", "opt/data")
        };
        let final_and_waste =
            |top: LayerBuilder| -> Result<(u64, u64), Box<dyn std::error::Error>> {
                let s = scans(vec![base(), top])?;
                let m = crate::image::merge::Merged::build(&s);
                let desc = crate::image::LayerDesc {
                    digest: None,
                    diff_id: None,
                    media_type: String::new(),
                    size: None,
                    locator: String::new(),
                };
                let meta = crate::image::ImageMeta {
                    layers: vec![desc; s.len()],
                    ..Default::default()
                };
                let image = crate::image::Image::new(meta, s);
                let (sizes, _) = compute(&image, &m);
                let waste = m.shadowed.iter().map(|x| x.bytes).sum();
                assert_eq!(sizes.reclaimable_bytes, waste);
                Ok((sizes.final_bytes, waste))
            };
        // Deleted, rewritten, hidden by an opaque directory: the links still hold the inode.
        assert_eq!(
            final_and_waste(LayerBuilder::new("rm").whiteout("opt/data"))?,
            (100_000, 0)
        );
        assert_eq!(
            final_and_waste(LayerBuilder::new("new").file("opt/data", &[1; 10]))?,
            (100_010, 0)
        );
        // Every name gone: the bytes are waste.
        let all_gone = LayerBuilder::new("rm -rf").whiteout("opt");
        assert_eq!(final_and_waste(all_gone)?, (0, 100_000));
        let s = scans(vec![
            LayerBuilder::new("a")
                .file("opt/data", &[7; 100_000])
                .hardlink("elsewhere/link", "opt/data"),
            LayerBuilder::new("opaque").dir("opt").opaque("opt"),
        ])?;
        let m = crate::image::merge::Merged::build(&s);
        assert!(m.shadowed.is_empty());
        assert_eq!(m.kept_by_link.len(), 1);
        let link = m.entry(&s, m.kept_by_link[0].0);
        assert_eq!(&*link.path, "elsewhere/link");
        Ok(())
    }
}
