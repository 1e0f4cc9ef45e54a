//! What the slim image holds, decided from the rewrite alone (pure: no I/O). Each copy of
//! the rewrite becomes entries as `COPY --from` makes them: a file named through symlinks
//! is written as the regular file it resolves to; a directory is copied whole, its
//! symlinks kept as symlinks and its hard links as hard links. Every parent directory
//! exists with the mode and owner the original gives it, `/tmp` exists (1777), and so does
//! the WorkingDir. Entries are sorted by path, so the same image gives the same layer.

use super::SlimError;
use crate::analysis::rewrite::fs::{self as rfs, Fs};
use crate::analysis::rewrite::{Rewrite, Stage};
use crate::image::{EntryKind, Image, LayerScan, Merged};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Where a regular file's bytes are read from: a layer, by the path the layer's tar spells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Content {
    pub layer: usize,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Dir,
    /// A regular file: `size` bytes from `content`; `strip` when the rewrite predicts it
    /// stripped.
    File {
        content: Content,
        size: u64,
        strip: bool,
    },
    Symlink(String),
    /// A hard link to an earlier entry of the layer (its path, relative).
    Hardlink(String),
}

/// One entry of the layer to write. `path` is relative (`usr/bin/bash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutEntry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// The slim image as decided: its entries and the figures to check the written one by.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub entries: Vec<OutEntry>,
    /// Regular-file bytes the entries hold before any strip (hard links count zero).
    pub file_bytes: u64,
    /// Σ bytes of the rewrite's copies: what `file_bytes` must equal.
    pub rewrite_bytes: u64,
    /// The rewrite's prediction (regular-file bytes after strip, base included).
    pub predicted_bytes: u64,
    pub predicted_compressed_bytes: u64,
    /// Things said about the plan (a copy that differs from `COPY`, a refusal forced).
    pub notes: Vec<String>,
}

impl Plan {
    /// The files to read, per layer, by the path the layer's tar spells.
    pub fn reads(&self) -> BTreeMap<usize, HashSet<String>> {
        let mut out: BTreeMap<usize, HashSet<String>> = BTreeMap::new();
        for e in &self.entries {
            if let Kind::File { content, .. } = &e.kind {
                out.entry(content.layer)
                    .or_default()
                    .insert(content.path.clone());
            }
        }
        out
    }

    /// Regular files, directories, symlinks and hard links.
    pub fn counts(&self) -> [usize; 4] {
        let mut n = [0; 4];
        for e in &self.entries {
            n[match e.kind {
                Kind::File { .. } => 0,
                Kind::Dir => 1,
                Kind::Symlink(_) => 2,
                Kind::Hardlink(_) => 3,
            }] += 1;
        }
        n
    }
}

/// Why the rewrite cannot be written as it stands, or None when it can. `--force` turns
/// these into notes.
pub fn refusal(rw: &Rewrite) -> Option<SlimError> {
    if rw.base != "scratch" {
        let mut why = vec![rw.reason.clone()];
        why.extend(rw.missing.iter().map(|m| format!("missing: {m}")));
        return Some(SlimError::NotScratch {
            base: rw.base.clone(),
            why: why.join("; "),
        });
    }
    if let Some(c) = rw.files.iter().find(|c| c.from == Stage::Build) {
        return Some(SlimError::NeedsRebuild(c.path.clone()));
    }
    None
}

/// Builds the plan for `rw`, the rewrite of `image`.
pub fn plan(image: &Image, merged: &Merged, rw: &Rewrite, force: bool) -> Result<Plan, SlimError> {
    let mut notes = Vec::new();
    if let Some(r) = refusal(rw) {
        if !force {
            return Err(r);
        }
        notes.push(format!("--force: {r}"));
        if rw.base_bytes > 0 {
            notes.push(format!(
                "the prediction counts {}'s {} B, which slim does not write",
                rw.base, rw.base_bytes
            ));
        }
    }
    let scans: Vec<Arc<LayerScan>> = image.layers.iter().map(|l| l.scan.clone()).collect();
    let fs = Fs::new(&scans, merged);
    let mut b = Builder {
        fs: &fs,
        out: BTreeMap::new(),
        notes,
    };
    for c in &rw.files {
        let strip = c.predicted_bytes < c.bytes && c.from != Stage::Build;
        if c.dir {
            b.dir_copy(&c.path)?;
        } else {
            b.file_copy(&c.path, strip)?;
        }
    }
    b.needed_dir("/tmp", Some(0o1777));
    let wd = &image.meta.run.working_dir;
    if !rfs::key(wd).is_empty() {
        b.needed_dir(&rfs::join("/", wd), None);
    }
    b.parents()?;
    let mut entries: Vec<OutEntry> = b.out.into_values().collect();
    order_hard_links(&mut entries);
    let file_bytes = entries
        .iter()
        .map(|e| match &e.kind {
            Kind::File { size, .. } => *size,
            _ => 0,
        })
        .sum();
    Ok(Plan {
        entries,
        file_bytes,
        rewrite_bytes: rw.files.iter().map(|c| c.bytes).sum(),
        predicted_bytes: rw.predicted_bytes,
        predicted_compressed_bytes: rw.predicted_compressed_bytes,
        notes: b.notes,
    })
}

struct Builder<'a> {
    fs: &'a Fs<'a>,
    out: BTreeMap<String, OutEntry>,
    notes: Vec<String>,
}

impl Builder<'_> {
    fn add(&mut self, e: OutEntry) {
        if let Some(old) = self.out.get(&e.path) {
            if old.kind != e.kind {
                self.notes.push(format!(
                    "/{} is copied twice: the first copy is kept",
                    e.path
                ));
            }
            return;
        }
        self.out.insert(e.path.clone(), e);
    }

    /// A file as `COPY` writes it: symlinks (and a hard link) followed to the bytes.
    fn file_copy(&mut self, path: &str, strip: bool) -> Result<(), SlimError> {
        let (_, f) = self
            .fs
            .file(path)
            .ok_or_else(|| SlimError::Plan(format!("{path}: no such file in the image")))?;
        let key = rfs::key(path).to_string();
        self.add(OutEntry {
            path: key,
            kind: Kind::File {
                content: Content {
                    layer: f.at.layer as usize,
                    path: f.entry.path.to_string(),
                },
                size: f.entry.size,
                strip,
            },
            mode: f.entry.mode & 0o7777,
            uid: f.entry.uid,
            gid: f.entry.gid,
        });
        Ok(())
    }

    /// A directory copied whole under `path` (which may name it through a symlink).
    fn dir_copy(&mut self, path: &str) -> Result<(), SlimError> {
        let real = self
            .fs
            .resolve(path)
            .map_err(|e| SlimError::Plan(e.to_string()))?
            .real;
        let dest = rfs::key(path).to_string();
        self.needed_dir(path, None);
        let real_key = rfs::key(&real).to_string();
        let walked: Vec<(String, crate::image::Entry)> =
            self.fs.walk(&real).map(|(p, e)| (p, e.clone())).collect();
        for (abs, e) in walked {
            let rel = &rfs::key(&abs)[real_key.len()..];
            let out_path = format!("{dest}{rel}");
            let (mode, uid, gid) = (e.mode & 0o7777, e.uid, e.gid);
            let kind = match e.kind {
                EntryKind::Dir => Kind::Dir,
                EntryKind::Symlink => Kind::Symlink(e.link.as_deref().unwrap_or("").to_string()),
                EntryKind::File => Kind::File {
                    content: Content {
                        layer: self.fs.lstat(&abs).map_or(0, |(at, _)| at.layer as usize),
                        path: e.path.to_string(),
                    },
                    size: e.size,
                    strip: false,
                },
                EntryKind::Hardlink => {
                    let target = e.link.as_deref().unwrap_or("");
                    match target
                        .strip_prefix(&real_key)
                        .filter(|r| r.starts_with('/'))
                    {
                        Some(r) if !real_key.is_empty() => Kind::Hardlink(format!("{dest}{r}")),
                        _ if real_key.is_empty() => Kind::Hardlink(target.to_string()),
                        _ => {
                            // Its target is not copied: the bytes go in as a file of its own.
                            let Some((_, f)) = self.fs.file(&abs) else {
                                self.notes
                                    .push(format!("{abs}: hard link to a missing file, left out"));
                                continue;
                            };
                            self.notes.push(format!(
                                "{abs}: hard link to /{target}, outside the copy: written as a file ({} B more than predicted)",
                                f.entry.size
                            ));
                            Kind::File {
                                content: Content {
                                    layer: f.at.layer as usize,
                                    path: f.entry.path.to_string(),
                                },
                                size: f.entry.size,
                                strip: false,
                            }
                        }
                    }
                }
                other => {
                    self.notes.push(format!(
                        "{abs}: a {other:?} node, not written (COPY skips it too)"
                    ));
                    continue;
                }
            };
            self.add(OutEntry {
                path: out_path,
                kind,
                mode,
                uid,
                gid,
            });
        }
        Ok(())
    }

    /// A directory that must exist: the original's mode and owner when it has one there,
    /// else `mode` (or 0755), root.
    fn needed_dir(&mut self, path: &str, mode: Option<u32>) {
        let key = rfs::key(path).to_string();
        if key.is_empty() || self.out.contains_key(&key) {
            return;
        }
        let real = self.fs.resolve(path).ok().map(|r| r.real);
        let orig = real
            .as_deref()
            .and_then(|r| self.fs.lstat(r))
            .filter(|(_, e)| e.kind == EntryKind::Dir);
        let (m, uid, gid) = match (orig, mode) {
            (Some((_, e)), _) => (e.mode & 0o7777, e.uid, e.gid),
            (None, m) => (m.unwrap_or(0o755), 0, 0),
        };
        self.add(OutEntry {
            path: key,
            kind: Kind::Dir,
            mode: m,
            uid,
            gid,
        });
    }

    /// Every entry's parents exist as directories, and no file stands where one must be.
    fn parents(&mut self) -> Result<(), SlimError> {
        let mut missing = Vec::new();
        for p in self.out.keys() {
            let mut at = p.as_str();
            while let Some(i) = at.rfind('/') {
                at = &at[..i];
                match self.out.get(at) {
                    Some(e) if e.kind != Kind::Dir => {
                        return Err(SlimError::Plan(format!(
                            "/{at} is copied as a file but /{p} needs it to be a directory"
                        )));
                    }
                    Some(_) => {}
                    None => missing.push(format!("/{at}")),
                }
            }
        }
        for m in missing {
            self.needed_dir(&m, None);
        }
        Ok(())
    }
}

/// A hard link must follow its target in the tar: where sorting put a link first, the two
/// swap roles (the first of the pair in path order carries the bytes).
fn order_hard_links(entries: &mut [OutEntry]) {
    let pos: BTreeMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.clone(), i))
        .collect();
    for i in 0..entries.len() {
        let Kind::Hardlink(target) = entries[i].kind.clone() else {
            continue;
        };
        let Some(&t) = pos.get(&target) else { continue };
        if t > i && matches!(entries[t].kind, Kind::File { .. }) {
            let file = entries[t].kind.clone();
            let (mode, uid, gid) = (entries[t].mode, entries[t].uid, entries[t].gid);
            entries[t].kind = Kind::Hardlink(entries[i].path.clone());
            entries[i].kind = file;
            (entries[i].mode, entries[i].uid, entries[i].gid) = (mode, uid, gid);
        }
    }
    // Links to a target that itself became a link point at the file instead.
    let files: BTreeMap<String, String> = entries
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Hardlink(t) => Some((e.path.clone(), t.clone())),
            _ => None,
        })
        .collect();
    for e in entries.iter_mut() {
        if let Kind::Hardlink(t) = &mut e.kind
            && let Some(next) = files.get(t.as_str())
            && next != &e.path
        {
            *t = next.clone();
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
