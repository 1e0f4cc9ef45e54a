//! The directories of a diff, each stored once: a directory's path is the leading bytes of
//! the first path that implied it (a shared string, no copy), and it is found from its
//! parent by name. Building walks each path's components once, so memory and time are
//! linear in the bytes of the paths, however deep (issue 17 §5: one 1 MB path took 2 GB
//! when every implied directory kept its own full name).

use super::paths::{DirAgg, PathDiff, Status};
use crate::image::SharedPath;
use std::collections::HashMap;
use std::sync::Arc;

/// One directory, explicit or implied by a path below it.
#[derive(Debug, Clone)]
pub struct Dir {
    pub path: SharedPath,
    /// Byte offset of its name in `path`.
    pub name_at: usize,
    /// Its parent's index (the root's is 0, itself).
    pub parent: u32,
    /// Subdirectories, sorted by name.
    pub subdirs: Vec<u32>,
    /// Indexes in the diff's `paths` of what it holds directly, directories excluded.
    pub entries: Vec<u32>,
    pub agg: DirAgg,
}

impl Dir {
    pub fn name(&self) -> &str {
        self.path.get(self.name_at..).unwrap_or_default()
    }
}

/// Every directory of both sides; index 0 is the root (`""`), and a parent always comes
/// before its children.
#[derive(Debug, Clone, Default)]
pub struct Dirs {
    dirs: Vec<Dir>,
}

impl Dirs {
    pub fn len(&self) -> usize {
        self.dirs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    pub fn dir(&self, id: u32) -> Option<&Dir> {
        self.dirs.get(id as usize)
    }

    /// Every directory, parents before children.
    pub fn all(&self) -> &[Dir] {
        &self.dirs
    }

    /// Every directory's path and aggregate, parents before children.
    pub fn iter(&self) -> impl Iterator<Item = (&SharedPath, &DirAgg)> {
        self.dirs.iter().map(|d| (&d.path, &d.agg))
    }

    /// The directory at `path` (`""` is the root), walking its components from the root.
    pub fn find(&self, path: &str) -> Option<u32> {
        self.dirs.first()?;
        if path.is_empty() {
            return Some(0);
        }
        let mut at = 0u32;
        for comp in path.split('/') {
            let kids = &self.dirs.get(at as usize)?.subdirs;
            let i = kids
                .binary_search_by(|&k| self.dirs[k as usize].name().cmp(comp))
                .ok()?;
            at = kids[i];
        }
        Some(at)
    }

    pub fn get(&self, path: &str) -> Option<&DirAgg> {
        self.find(path).map(|id| &self.dirs[id as usize].agg)
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.find(path).is_some()
    }
}

/// Builds [`Dirs`] while the diff's paths are walked.
pub(super) struct Builder<'a> {
    dirs: Vec<Dir>,
    /// (parent, name) → directory, borrowing the names from the paths.
    index: HashMap<(u32, &'a str), u32>,
}

impl<'a> Builder<'a> {
    pub fn new() -> Builder<'a> {
        let root = Dir {
            path: SharedPath::from(""),
            name_at: 0,
            parent: 0,
            subdirs: Vec::new(),
            entries: Vec::new(),
            agg: DirAgg::new(),
        };
        Builder {
            dirs: vec![root],
            index: HashMap::new(),
        }
    }

    /// Fills `chain` with the root and the directories above `path`, outermost first, and
    /// `path` itself when `own`; made when missing.
    pub fn chain(&mut self, path: &'a Arc<str>, own: bool, chain: &mut Vec<u32>) {
        chain.clear();
        chain.push(0);
        let mut at = 0u32;
        let mut start = 0usize;
        let ends = path
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(own.then_some(path.len()));
        for end in ends {
            let name = path.get(start..end).unwrap_or_default();
            at = match self.index.get(&(at, name)) {
                Some(&id) => id,
                None => self.make(path, start, end, at, name),
            };
            chain.push(at);
            start = end + 1;
        }
    }

    fn make(
        &mut self,
        path: &'a Arc<str>,
        start: usize,
        end: usize,
        parent: u32,
        name: &'a str,
    ) -> u32 {
        let id = self.dirs.len() as u32;
        self.dirs.push(Dir {
            path: SharedPath::prefix(path, end),
            name_at: start,
            parent,
            subdirs: Vec::new(),
            entries: Vec::new(),
            agg: DirAgg::new(),
        });
        self.dirs[parent as usize].subdirs.push(id);
        self.index.insert((parent, name), id);
        id
    }

    pub fn agg(&mut self, id: u32) -> &mut DirAgg {
        &mut self.dirs[id as usize].agg
    }

    /// Records path `i` of the diff as held by `dir`.
    pub fn holds(&mut self, dir: u32, i: usize) {
        if let Some(d) = self.dirs.get_mut(dir as usize) {
            d.entries.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }

    /// Final statuses, subdirectories sorted by name, and entries that turned out to be
    /// directories too (a file on one side with children on the other) left to the
    /// directory.
    pub fn finish(mut self, paths: &[PathDiff]) -> Dirs {
        for d in 0..self.dirs.len() {
            let mut entries = std::mem::take(&mut self.dirs[d].entries);
            entries.retain(|&i| {
                let name = paths
                    .get(i as usize)
                    .map_or("", |p| p.path.rsplit_once('/').map_or(&*p.path, |(_, n)| n));
                !self.index.contains_key(&(d as u32, name))
            });
            let mut subdirs = std::mem::take(&mut self.dirs[d].subdirs);
            subdirs.sort_by(|&a, &b| {
                self.dirs[a as usize]
                    .name()
                    .cmp(self.dirs[b as usize].name())
            });
            let dir = &mut self.dirs[d];
            dir.entries = entries;
            dir.subdirs = subdirs;
            let agg = &mut dir.agg;
            agg.status = match (agg.in_left, agg.in_right) {
                (true, false) => Status::OnlyLeft,
                (false, true) => Status::OnlyRight,
                _ if agg.differing() > 0 || agg.status == Status::Changed => Status::Changed,
                _ => Status::Same,
            };
        }
        Dirs { dirs: self.dirs }
    }
}
