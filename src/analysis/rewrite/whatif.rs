//! The rewrite as an image built in memory, for the what-if compare: one layer holding
//! exactly what the Dockerfile copies, at the predicted sizes, so the compare code can say
//! what the rewrite removes. And the paths of the original image the rewrite keeps, for the
//! file tree's marks.

use super::fs::{self, Fs};
use super::{Rewrite, Stage};
use crate::analysis::Analysis;
use crate::image::{
    Entry, EntryKind, Image, ImageMeta, LayerDesc, LayerScan, Merged, model::HistoryEntry,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Marks a file whose content the rewrite changes (stripped, rebuilt): the compare then
/// says "changed" for it, as a real build of the Dockerfile would.
const CHANGED: u64 = 0x9e37_79b9_7f4a_7c15;

/// One file or directory of the original image the rewrite keeps, and where it lands.
struct Kept<'a> {
    /// The original path, absolute.
    from: String,
    /// The path in the rewritten image, absolute.
    to: String,
    entry: &'a Entry,
    copy: u32,
}

/// Everything the copies of `r` take from the original filesystem: a copied file under its
/// destination name (COPY follows symlinks), a copied directory's whole content.
fn walk_copies<'a>(fs: &Fs<'a>, r: &Rewrite, mut each: impl FnMut(Kept<'a>)) {
    for (i, c) in r.files.iter().enumerate() {
        let copy = i as u32;
        let Ok(res) = fs.resolve(&c.path) else {
            continue;
        };
        if c.dir {
            if let Some((_, e)) = fs.lstat(&res.real) {
                each(Kept {
                    from: res.real.clone(),
                    to: c.path.clone(),
                    entry: e,
                    copy,
                });
            }
            for (p, e) in fs.walk(&res.real) {
                let to = format!("{}{}", c.path.trim_end_matches('/'), &p[res.real.len()..]);
                each(Kept {
                    from: p,
                    to,
                    entry: e,
                    copy,
                });
            }
        } else if let Some((_, f)) = fs.file(&c.path) {
            // A hard link brings its target's bytes (busybox's /bin/sh).
            each(Kept {
                from: res.real.clone(),
                to: c.path.clone(),
                entry: f.entry,
                copy,
            });
        } else if let Some((_, e)) = fs.lstat(&res.real) {
            each(Kept {
                from: res.real.clone(),
                to: c.path.clone(),
                entry: e,
                copy,
            });
        }
    }
}

/// What the rewrite keeps of the original final filesystem.
#[derive(Debug, Clone, Default)]
pub struct KeptPaths {
    /// Every path kept (keyed as the merged tree keys them: no leading `/`), with the index
    /// of its copy in `Rewrite::files`. The symlinks a copy is reached through count as
    /// kept too: the program opens that name.
    pub paths: HashMap<Arc<str>, u32>,
    /// Per copy, where the tree has it: its path with every symlink followed.
    pub targets: Vec<Arc<str>>,
    /// Per directory (keyed as `paths`), the regular-file bytes kept below it: what it
    /// weighs when only the kept files are shown.
    pub dir_bytes: HashMap<Arc<str>, u64>,
}

/// The paths of the original image the rewrite keeps.
pub fn kept_paths(image: &Image, merged: &Merged, r: &Rewrite) -> KeptPaths {
    let scans = Analysis::scans(image);
    let fs = Fs::new(&scans, merged);
    let mut kept = KeptPaths::default();
    for (i, c) in r.files.iter().enumerate() {
        let real = match fs.resolve(&c.path) {
            Ok(res) => {
                for l in &res.links {
                    kept.paths.insert(Arc::from(fs::key(l)), i as u32);
                }
                res.real
            }
            Err(_) => c.path.clone(),
        };
        kept.paths.insert(Arc::from(fs::key(&c.path)), i as u32);
        if let Some((_, f)) = fs.file(&c.path) {
            // The file a hard link names holds the bytes: kept too.
            kept.paths.insert(f.entry.path.clone(), i as u32);
        }
        kept.targets.push(Arc::from(fs::key(&real)));
    }
    let mut counted: HashSet<String> = HashSet::new();
    walk_copies(&fs, r, |k| {
        let key = fs::key(&k.from);
        kept.paths.entry(Arc::from(key)).or_insert(k.copy);
        if k.entry.kind == EntryKind::File && counted.insert(key.to_string()) {
            let mut p = key;
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                *kept.dir_bytes.entry(Arc::from(p)).or_default() += k.entry.size;
            }
        }
    });
    kept
}

/// The image the Dockerfile builds, as far as the original image tells: one layer with the
/// copied files at their predicted sizes, under the original's run config. The base's own
/// files (for a base other than scratch) are not known, so they are not in it.
pub fn image(image: &Image, merged: &Merged, r: &Rewrite) -> Image {
    let scans = Analysis::scans(image);
    let fs = Fs::new(&scans, merged);
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    walk_copies(&fs, r, |k| {
        let c = &r.files[k.copy as usize];
        let mut e = k.entry.clone();
        let key = fs::key(&k.to).to_string();
        e.path = Arc::from(key.as_str());
        if !c.dir && e.kind == EntryKind::File {
            e.size = c.predicted_bytes;
            if c.from != Stage::Source || c.predicted_bytes != c.bytes {
                e.hash ^= CHANGED;
            }
        }
        entries.insert(key, e);
    });
    add_parents(&fs, &mut entries);
    let bytes: u64 = entries.values().map(|e| e.size).sum();
    let scan = LayerScan {
        digest: "memory:rewrite".into(),
        diff_id: "memory:rewrite".into(),
        compression: crate::image::Compression::Gzip,
        compressed_bytes: r
            .predicted_compressed_bytes
            .saturating_sub(r.base_compressed_bytes),
        uncompressed_bytes: bytes,
        entries: entries.into_values().collect(),
        ..LayerScan::default()
    };
    let base = if r.base_bytes > 0 {
        format!(" (the base {}'s own files are not included)", r.base)
    } else {
        String::new()
    };
    let meta = ImageMeta {
        reference: format!("rewrite on {}", r.base),
        source: "what-if".into(),
        platform: image.meta.platform.clone(),
        run: image.meta.run.clone(),
        history: vec![HistoryEntry {
            created_by: format!("COPY --from=source: the rewrite's files{base}"),
            empty_layer: false,
        }],
        layers: vec![LayerDesc {
            digest: None,
            diff_id: None,
            media_type: String::new(),
            size: None,
            locator: "memory".into(),
        }],
        ..ImageMeta::default()
    };
    Image::new(meta, vec![Arc::new(scan)])
}

/// Every directory above a copied path, with the original's mode and owner when it has
/// that directory.
fn add_parents(fs: &Fs<'_>, entries: &mut BTreeMap<String, Entry>) {
    let mut dirs: Vec<String> = Vec::new();
    for k in entries.keys() {
        let mut p = k.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            dirs.push(p.to_string());
        }
    }
    for d in dirs {
        if entries.contains_key(&d) {
            continue;
        }
        let (mode, uid, gid) = match fs.lstat(&d) {
            Some((_, e)) if e.kind == EntryKind::Dir => (e.mode, e.uid, e.gid),
            _ => (0o755, 0, 0),
        };
        let e = Entry {
            path: Arc::from(d.as_str()),
            kind: EntryKind::Dir,
            size: 0,
            mode,
            uid,
            gid,
            link: None,
            hash: 0,
        };
        entries.insert(d, e);
    }
}
