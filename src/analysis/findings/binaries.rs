//! Binaries and compression: large executables UPX could pack, and already-packed ones.
//!
//! The estimate uses zstd-1 of the whole file, taken during the scan, and the ratios measured
//! on a 23 MB Go binary (../shared/DOMAIN.md §4): zstd-1 38 %, gzip-6 36 %, xz-9e 26 % of the
//! original (the last about what UPX's LZMA reaches). Layers travel gzip-compressed, so the
//! pull already gets most of that saving; a UPX file does not compress further.

use super::{Draft, FindingsInput, Item, Severity, files};
use crate::image::merge::NodeRef;
use std::collections::BTreeMap;

const ZSTD1_PCT: u64 = 38;
const GZIP_PCT: u64 = 36;
const UPX_PCT: u64 = 26;

const UPX_COSTS: &str = "UPX unpacks the whole program on every start (slower start-up) and \
     its pages can no longer be shared between processes; scanners may not see inside";

pub(super) fn find(input: &FindingsInput<'_>) -> Vec<Draft> {
    let mut packable: BTreeMap<u32, (Vec<Item>, u64)> = BTreeMap::new();
    let mut packed: BTreeMap<u32, Vec<Item>> = BTreeMap::new();
    for (li, scan) in input.scans.iter().enumerate() {
        for (ei, info) in &scan.captured.elf {
            let at = NodeRef {
                layer: li as u32,
                entry: *ei,
            };
            let Some(entry) = scan.entries.get(*ei as usize) else {
                continue;
            };
            if input.merged.tree.get(&entry.path) != Some(&at) {
                continue;
            }
            let item = |savable| Item {
                at,
                path: entry.path.clone(),
                bytes: entry.size,
                savable,
            };
            if info.upx.is_some() {
                packed.entry(at.layer).or_default().push(item(0));
            } else if let Some(z) = info.zstd1_bytes {
                let upx = z * UPX_PCT / ZSTD1_PCT;
                let pull_now = z * GZIP_PCT / ZSTD1_PCT;
                let disk = entry.size.saturating_sub(upx);
                if disk > 0 {
                    let group = packable.entry(at.layer).or_default();
                    group.0.push(item(disk));
                    group.1 = group.1.saturating_add(pull_now.saturating_sub(upx));
                }
            }
        }
    }
    let mut drafts = Vec::new();
    for (layer, (items, pull)) in packable {
        drafts.push(Draft {
            kind: "uncompressed-binary",
            title: format!("large executables not packed ({})", files(items.len())),
            layer,
            fix: String::new(),
            why: format!(
                "`upx --best --lzma` shrinks them on disk, but layers already travel compressed, \
                 so the pull shrinks much less (the pull saving shown); {UPX_COSTS}. Not counted \
                 in the total"
            ),
            items,
            pull_savable: Some(pull),
            counted: false,
            severity: Some(Severity::from_bytes(pull).min(Severity::Low)),
            ..Default::default()
        });
    }
    for (layer, items) in packed {
        drafts.push(Draft {
            kind: "upx-packed",
            title: format!("UPX-packed executables ({})", files(items.len())),
            layer,
            fix: String::new(),
            why: format!(
                "{UPX_COSTS}; the pull saving is small, so consider shipping them unpacked"
            ),
            items,
            counted: false,
            severity: Some(Severity::Info),
            ..Default::default()
        });
    }
    drafts
}
