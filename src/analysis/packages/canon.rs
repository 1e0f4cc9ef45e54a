//! Paths as databases write them (`/bin/ls`, `../../../bin/pip`) turned into the paths the
//! tar entries use (`usr/bin/ls`): normalised, then resolved through the image's own
//! directory symlinks in the final tree (merged /usr: `bin -> usr/bin`).

use crate::image::{EntryKind, LayerScan, NodeRef};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Longer than any path Linux accepts (PATH_MAX): a database line this long is garbage and
/// is used as written rather than resolved.
const MAX_PATH: usize = 4096;
/// Symlinks followed per resolution, as the kernel's MAXSYMLINKS.
const MAX_LINKS: u32 = 40;

/// Joins `rel` onto the directory `base` and normalises `.`, `..` and repeated slashes.
/// An absolute `rel` starts from the root. `None` when `..` climbs above the root or
/// nothing is left.
pub(crate) fn join_normalize(base: &str, rel: &str) -> Option<String> {
    if let Some(abs) = rel.strip_prefix('/')
        && is_clean(abs)
    {
        // The common case (`/usr/bin/ls`): one exact allocation, so boxing it is free.
        return Some(abs.to_string());
    }
    let mut out = String::with_capacity(base.len() + rel.len() + 1);
    let start = if rel.starts_with('/') { "" } else { base };
    for part in start.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                let cut = out.rfind('/').unwrap_or(0);
                if out.is_empty() {
                    return None;
                }
                out.truncate(cut);
            }
            p => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(p);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// No empty, `.` or `..` component.
fn is_clean(path: &str) -> bool {
    path.split('/').all(|c| !matches!(c, "" | "." | ".."))
}

/// Splits `dir/name`; the root's children have `dir` = "".
pub(crate) fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Resolves directories through the final tree's symlinks, caching every directory it has
/// resolved (a file list names thousands of files in a few hundred directories).
pub(crate) struct Canon<'a> {
    scans: &'a [Arc<LayerScan>],
    tree: &'a BTreeMap<Arc<str>, NodeRef>,
    /// Directory → its resolved form, `None` when that is the directory itself.
    dirs: HashMap<Box<str>, Option<Box<str>>>,
    /// The directory resolved last, and its entry of `dirs`.
    last: (Box<str>, Option<Box<str>>),
}

impl<'a> Canon<'a> {
    pub fn new(scans: &'a [Arc<LayerScan>], tree: &'a BTreeMap<Arc<str>, NodeRef>) -> Self {
        Canon {
            scans,
            tree,
            dirs: HashMap::new(),
            last: (Box::from(""), None),
        }
    }

    /// The canonical form of a normalised relative path: its directory resolved through
    /// symlinks, its last component kept as is (a package may own a symlink itself).
    pub fn canonical(&mut self, path: String) -> String {
        let (dir, name) = split(&path);
        if dir.is_empty() || path.len() > MAX_PATH {
            return path;
        }
        // Lists name a directory's files one after another: compare with the last directory
        // before hashing.
        if *self.last.0 != *dir {
            let resolved = match self.dirs.get(dir) {
                Some(r) => r.clone(),
                None => {
                    let real = self.realpath(dir);
                    let changed = (real != dir).then(|| real.into_boxed_str());
                    self.dirs.insert(dir.into(), changed.clone());
                    changed
                }
            };
            self.last = (dir.into(), resolved);
        }
        match self.last.1.as_deref() {
            // Most directories are no symlink's business: keep the string we have.
            None => path,
            Some("") => name.to_string(),
            Some(real) => format!("{real}/{name}"),
        }
    }

    /// Normalises a database path (absolute or relative to `base`) and canonicalises it.
    pub fn resolve(&mut self, base: &str, path: &str) -> Option<String> {
        let p = join_normalize(base, path)?;
        Some(self.canonical(p))
    }

    /// The target of the symlink at `path` in the final tree.
    pub fn symlink_target(&self, path: &str) -> Option<&'a str> {
        let at = self.tree.get(path)?;
        let e = self
            .scans
            .get(at.layer as usize)?
            .entries
            .get(at.entry as usize)?;
        (e.kind == EntryKind::Symlink).then_some(e.link.as_deref()?)
    }

    /// realpath(3) over the final tree, iterative so that no path can exhaust the stack.
    fn realpath(&self, dir: &str) -> String {
        let mut out = String::with_capacity(dir.len());
        // Length of `out` before each pushed component, to pop on `..` or a symlink.
        let mut marks: Vec<usize> = Vec::new();
        let mut pending: Vec<&str> = dir.rsplit('/').collect();
        let mut budget = MAX_LINKS;
        while let Some(comp) = pending.pop() {
            match comp {
                "" | "." => continue,
                ".." => {
                    if let Some(m) = marks.pop() {
                        out.truncate(m);
                    }
                    continue;
                }
                _ => {}
            }
            marks.push(out.len());
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(comp);
            if budget == 0 || out.len() > MAX_PATH {
                continue;
            }
            if let Some(target) = self.symlink_target(&out) {
                budget -= 1;
                if let Some(m) = marks.pop() {
                    out.truncate(m);
                }
                if target.starts_with('/') {
                    out.clear();
                    marks.clear();
                }
                pending.extend(target.rsplit('/'));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::builder::LayerBuilder;
    use crate::image::Merged;
    use crate::scan::{ScanContext, scan_layer};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn joins_and_normalises() {
        assert_eq!(join_normalize("a/b", "c").as_deref(), Some("a/b/c"));
        assert_eq!(join_normalize("a/b", "../../../x"), None);
        assert_eq!(join_normalize("a/b/c", "../../x").as_deref(), Some("a/x"));
        assert_eq!(join_normalize("a/b", "/etc//./x").as_deref(), Some("etc/x"));
        assert_eq!(join_normalize("", "/."), None);
    }

    #[test]
    fn resolves_directory_symlinks_but_not_the_last_component() -> TestResult {
        let tar = LayerBuilder::new("l")
            .dir("usr/bin")
            .symlink("bin", "usr/bin")
            .symlink("usr/lib64", "/usr/lib")
            .symlink("loop1", "loop2")
            .symlink("loop2", "loop1")
            .symlink("usr/bin/sh", "dash")
            .build();
        let scans = vec![Arc::new(scan_layer(&tar[..], &ScanContext::default())?)];
        let merged = Merged::build(&scans);
        let mut c = Canon::new(&scans, &merged.tree);
        let mut canonical = |p: &str| c.canonical(p.to_string());
        assert_eq!(canonical("bin/ls"), "usr/bin/ls");
        assert_eq!(canonical("bin/sh"), "usr/bin/sh");
        assert_eq!(canonical("bin"), "bin");
        assert_eq!(canonical("usr/lib64/x/y.so"), "usr/lib/x/y.so");
        assert_eq!(canonical("loop1/x"), "loop1/x");
        assert_eq!(canonical("usr/bin/x"), "usr/bin/x");
        assert_eq!(
            c.resolve("", "/bin/../bin/ls").as_deref(),
            Some("usr/bin/ls")
        );
        let long = "a/".repeat(100_000);
        assert_eq!(c.canonical(long.clone()).len(), long.len());
        Ok(())
    }
}
