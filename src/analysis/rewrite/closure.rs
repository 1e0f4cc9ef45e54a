//! The shared-library closure of the programs that run: each program's loader, then every
//! DT_NEEDED, breadth first, found where the loader would find it ([`super::search`]).
//! What cannot be found is reported, never guessed.

use super::classify::{Binary, Libc, Link};
use super::fs::{self, Fs};
use super::search::{self, SystemDirs};
use crate::image::merge::NodeRef;
use std::collections::{BTreeMap, HashSet, VecDeque};

/// Most objects followed: a desktop program reaches a few hundred.
const MAX_OBJECTS: usize = 4096;

/// One file the loader maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// The path the program or loader opens: where the rewrite puts the file.
    pub opened: String,
    /// Where the bytes are in the image (symlinks followed).
    pub real: String,
    /// Symlinks on the way from `opened` to `real`.
    pub links: Vec<String>,
    pub bytes: u64,
    pub at: NodeRef,
    pub binary: Option<Binary>,
    /// Why it is needed, in words.
    pub why: String,
    /// The object that asked for it (index into [`Closure::objects`]).
    pub parent: Option<usize>,
    /// Another object with the same bytes opened under another name.
    pub alias_of: Option<usize>,
}

/// A DT_NEEDED nothing in the image satisfies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: String,
    pub needed_by: String,
    /// Directories searched, in order.
    pub searched: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closure {
    pub objects: Vec<Object>,
    pub missing: Vec<Missing>,
    pub notes: Vec<String>,
}

impl Closure {
    pub fn libraries(&self) -> impl Iterator<Item = &Object> {
        self.objects.iter().filter(|o| o.parent.is_some())
    }

    pub fn has_soname(&self, name: &str) -> bool {
        self.objects.iter().any(|o| fs::basename(&o.opened) == name)
    }

    /// Objects that call dlopen, less the C library and loader: they carry the symbol
    /// (glibc 2.34 merged libdl into libc) without it meaning the program loads anything.
    pub fn dlopen(&self) -> Vec<&str> {
        self.objects
            .iter()
            .filter(|o| o.binary.as_ref().is_some_and(|b| b.dlopen))
            .map(|o| o.opened.as_str())
            .filter(|p| {
                let name = fs::basename(p);
                !(name.starts_with("libc.")
                    || name.starts_with("libc-")
                    || name.starts_with("ld-")
                    || name.starts_with("libdl"))
            })
            .collect()
    }
}

/// Builds the closure of `roots` (absolute paths of ELF files, as executed or as they sit in
/// a copied runtime directory).
pub fn compute(fs: &Fs<'_>, roots: &[(String, String)], env: &[String]) -> Closure {
    let mut walk = Walk {
        fs,
        env,
        closure: Closure::default(),
        by_opened: BTreeMap::new(),
        by_real: BTreeMap::new(),
        loaded_names: HashSet::new(),
        dirs: Vec::new(),
    };
    for (root, why) in roots {
        walk.root(root, why);
    }
    let mut notes: Vec<String> = walk.dirs.into_iter().flat_map(|(_, d)| d.notes).collect();
    notes.dedup();
    walk.closure.notes.extend(notes);
    walk.closure
}

struct Walk<'f, 'a> {
    fs: &'f Fs<'a>,
    env: &'f [String],
    closure: Closure,
    by_opened: BTreeMap<String, usize>,
    by_real: BTreeMap<String, usize>,
    /// Names the loader considers loaded (requested names and SONAMEs).
    loaded_names: HashSet<String>,
    /// System directories per C library, read once.
    dirs: Vec<(Libc, SystemDirs)>,
}

impl Walk<'_, '_> {
    fn root(&mut self, path: &str, why: &str) {
        let Some(i) = self.add(path, why.to_string(), None) else {
            self.closure
                .notes
                .push(format!("{path}: not a regular file in the image"));
            return;
        };
        let Some(bin) = self.closure.objects[i].binary.clone() else {
            return;
        };
        let Link::Dynamic(libc) = &bin.link else {
            return;
        };
        if let Some(interp) = &bin.interp {
            let why = format!("loader of {path}");
            match self.add(interp, why, Some(i)) {
                Some(_) => {
                    self.loaded_names.insert(fs::basename(interp).to_string());
                }
                None => self.closure.missing.push(Missing {
                    name: interp.clone(),
                    needed_by: path.to_string(),
                    searched: vec![interp.clone()],
                }),
            }
        }
        let dirs_at = self.system_dirs(libc, &bin);
        let mut queue = VecDeque::from([i]);
        while let Some(obj) = queue.pop_front() {
            let Some(needed) = self.closure.objects[obj]
                .binary
                .as_ref()
                .map(|b| b.needed.clone())
            else {
                continue;
            };
            for name in needed {
                if *libc == Libc::Musl && search::musl_reserved(&name) {
                    continue; // the musl loader is its own libc
                }
                if self.loaded_names.contains(&name) {
                    continue;
                }
                if self.closure.objects.len() >= MAX_OBJECTS {
                    self.closure
                        .notes
                        .push(format!("stopped after {MAX_OBJECTS} shared objects"));
                    return;
                }
                let candidates = self.candidates(&name, obj, libc, dirs_at);
                let needed_by = self.closure.objects[obj].opened.clone();
                let found = candidates.iter().find(|c| self.fits(c, &bin));
                match found.cloned() {
                    Some(path) => {
                        let why = format!("NEEDED {name} of {needed_by}");
                        if let Some(new) = self.add(&path, why, Some(obj)) {
                            self.loaded_names.insert(name);
                            if let Some(s) = self.closure.objects[new]
                                .binary
                                .as_ref()
                                .and_then(|b| b.soname.clone())
                            {
                                self.loaded_names.insert(s);
                            }
                            queue.push_back(new);
                        }
                    }
                    None => self.closure.missing.push(Missing {
                        name,
                        needed_by,
                        searched: candidates
                            .iter()
                            .map(|c| fs::parent(c).to_string())
                            .collect(),
                    }),
                }
            }
        }
    }

    fn system_dirs(&mut self, libc: &Libc, bin: &Binary) -> usize {
        if let Some(i) = self.dirs.iter().position(|(l, _)| l == libc) {
            return i;
        }
        let d = search::system_dirs(
            self.fs,
            libc,
            bin.interp.as_deref(),
            bin.machine,
            bin.class,
            self.env,
        );
        self.dirs.push((libc.clone(), d));
        self.dirs.len() - 1
    }

    /// The files the loader would try for `name` requested by object `obj`, in order.
    fn candidates(&self, name: &str, obj: usize, libc: &Libc, dirs_at: usize) -> Vec<String> {
        if name.contains('/') {
            return vec![fs::join("/", name)];
        }
        let sys = &self.dirs[dirs_at].1;
        let requester = &self.closure.objects[obj];
        let mut dirs: Vec<String> = Vec::new();
        let chain_rpaths = |dirs: &mut Vec<String>, musl: bool| {
            let mut at = Some(obj);
            while let Some(j) = at {
                let o = &self.closure.objects[j];
                if let Some(b) = &o.binary {
                    // musl reads RUNPATH over RPATH and walks both up the chain; glibc
                    // walks RPATH only.
                    let list = if musl {
                        b.runpath.as_ref().or(b.rpath.as_ref())
                    } else {
                        b.rpath.as_ref()
                    };
                    if let Some(list) = list {
                        dirs.extend(search::expand(list, &self.origin(j), b.machine, b.class));
                    }
                }
                at = o.parent;
            }
        };
        match libc {
            Libc::Musl => {
                dirs.extend(sys.env.iter().cloned());
                chain_rpaths(&mut dirs, true);
                dirs.extend(sys.configured.iter().cloned());
            }
            _ => {
                let runpath = requester.binary.as_ref().and_then(|b| b.runpath.clone());
                if runpath.is_none() {
                    chain_rpaths(&mut dirs, false);
                }
                dirs.extend(sys.env.iter().cloned());
                if let (Some(list), Some(b)) = (runpath, &requester.binary) {
                    dirs.extend(search::expand(&list, &self.origin(obj), b.machine, b.class));
                }
                dirs.extend(sys.configured.iter().cloned());
                dirs.extend(sys.defaults.iter().cloned());
            }
        }
        let mut seen = HashSet::new();
        dirs.into_iter()
            .filter(|d| seen.insert(d.clone()))
            .map(|d| fs::join(&d, name))
            .collect()
    }

    /// `$ORIGIN`: the real directory of the program (the kernel resolves /proc/self/exe), the
    /// directory a library was opened from.
    fn origin(&self, obj: usize) -> String {
        let o = &self.closure.objects[obj];
        let path = if o.parent.is_none() {
            &o.real
        } else {
            &o.opened
        };
        fs::parent(path).to_string()
    }

    /// The loader skips files of another class or machine and keeps searching.
    fn fits(&self, path: &str, requester: &Binary) -> bool {
        match self.fs.file(path) {
            Some((_, f)) => f.elf.is_none_or(|e| {
                let b = Binary::from_elf(e);
                b.class == requester.class && b.machine == requester.machine
            }),
            None => false,
        }
    }

    /// Adds the file at `path`; None when it is not a regular file.
    fn add(&mut self, path: &str, why: String, parent: Option<usize>) -> Option<usize> {
        if let Some(&i) = self.by_opened.get(path) {
            return Some(i);
        }
        let (resolved, file) = self.fs.file(path)?;
        let alias_of = self.by_real.get(&resolved.real).copied();
        let i = self.closure.objects.len();
        self.closure.objects.push(Object {
            opened: path.to_string(),
            real: resolved.real.clone(),
            links: resolved.links,
            bytes: file.entry.size,
            at: file.at,
            binary: file.elf.map(Binary::from_elf),
            why,
            parent,
            alias_of,
        });
        self.by_opened.insert(path.to_string(), i);
        self.by_real.entry(resolved.real).or_insert(i);
        Some(i)
    }
}
