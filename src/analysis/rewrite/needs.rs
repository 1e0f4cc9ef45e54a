//! Where the rewrite starts from: the closure's roots (wrappers, shell, program, extension
//! modules, --include-path programs), the programs that run, and the extra files, with the
//! notes gathering them wrote.

use super::classify::{Binary, Link, Runtime};
use super::entrypoint::Launch;
use super::fs::{self, Fs};
use super::os_files::{self, Extra, OsFiles};
use super::runtime;

/// ELF files of one copied runtime directory followed into the closure, at most.
const MAX_DIR_ELFS: usize = 2000;

pub(super) struct Needs {
    /// Closure roots: (path, why).
    pub roots: Vec<(String, String)>,
    /// The programs that run: the base choice and the libc come from them.
    pub running: Vec<Binary>,
    pub extras: Vec<Extra>,
    pub assumptions: Vec<String>,
    pub may_also_need: Vec<String>,
}

fn elf(fs: &Fs<'_>, p: &str) -> Option<Binary> {
    fs.file(p).and_then(|(_, f)| f.elf).map(Binary::from_elf)
}

impl Needs {
    /// The launch's own pieces: wrappers, the shell a shell-form command needs, the program
    /// (or its rebuild) and the scripts run through their #! line.
    pub fn from_launch(
        fs: &Fs<'_>,
        launch: &Launch,
        program: &Binary,
        interpreted: bool,
        go_rebuild: bool,
    ) -> Self {
        let mut n = Needs {
            roots: Vec::new(),
            running: Vec::new(),
            extras: Vec::new(),
            assumptions: launch.notes.clone(),
            may_also_need: Vec::new(),
        };
        for w in &launch.wrappers {
            n.roots.push((w.invoked.clone(), "process wrapper".into()));
            n.running.extend(elf(fs, &w.invoked));
        }
        if launch.needs_shell()
            && let Some(sh) = &launch.shell
        {
            n.roots.push((
                sh.shell.invoked.clone(),
                "the shell the shell-form command needs".into(),
            ));
            n.running.extend(elf(fs, &sh.shell.invoked));
        }
        if go_rebuild {
            n.running.push(static_rebuild(program));
        } else {
            let why = if interpreted {
                "the interpreter"
            } else {
                "the program"
            };
            n.roots.push((launch.program.invoked.clone(), why.into()));
            n.running.push(program.clone());
        }
        for s in &launch.scripts {
            n.extras.extend(os_files::file(
                fs,
                &s.invoked,
                "script run through its #! line",
            ));
        }
        n
    }

    /// What an interpreter reads: its directories, their extension modules (roots) and the
    /// targets of their symlinks outside them.
    pub fn add_runtime(&mut self, fs: &Fs<'_>, rt: &Runtime, launch: &Launch, working_dir: &str) {
        let prog = &launch.program;
        let rf = runtime::files(
            fs,
            rt,
            &prog.invoked,
            &prog.resolved.real,
            &launch.args,
            working_dir,
        );
        for e in rf.extras.iter().filter(|e| e.dir) {
            for p in os_files::elf_files(fs, &e.real, MAX_DIR_ELFS) {
                let opened = format!("{}{}", e.path, &p[e.real.len()..]);
                self.roots
                    .push((opened, format!("extension module in {}", e.path)));
            }
            for target in os_files::outside_links(fs, e, 64) {
                // A link to a shared library (config-3.11/libpython3.11.so) serves linking
                // against it; the loader finds what runs through DT_NEEDED instead.
                if elf(fs, &target).is_some_and(|b| b.soname.is_some()) {
                    self.may_also_need.push(format!(
                        "{target}: a shared library a symlink in {} points to (for building against it, not needed to run)",
                        e.path
                    ));
                    continue;
                }
                let why = format!("target of a symlink in {}", e.path);
                self.extras.extend(
                    os_files::file(fs, &target, &why).or_else(|| os_files::dir(fs, &target, &why)),
                );
            }
        }
        self.extras.extend(rf.extras);
        self.assumptions.extend(rf.notes);
        self.may_also_need.extend(rf.may_also_need);
    }

    /// The OS files the program reads (CA bundle, zoneinfo, passwd...) and their notes.
    pub fn add_os_files(&mut self, os: OsFiles) {
        self.extras.extend(os.extras);
        self.may_also_need.extend(os.may_also_need);
        self.assumptions.extend(os.assumptions);
    }

    /// `--include-path`: copied as given; the ELF files in it are closure roots.
    pub fn add_include_paths(&mut self, fs: &Fs<'_>, paths: &[String]) {
        for p in paths {
            let p = fs::join("/", p);
            match os_files::file(fs, &p, "--include-path")
                .or_else(|| os_files::dir(fs, &p, "--include-path"))
            {
                Some(e) => {
                    if e.dir {
                        for elf in os_files::elf_files(fs, &e.real, MAX_DIR_ELFS) {
                            self.roots.push((
                                format!("{}{}", e.path, &elf[e.real.len()..]),
                                "in --include-path".into(),
                            ));
                        }
                    } else if elf(fs, &p).is_some() {
                        self.roots.push((p.clone(), "--include-path".into()));
                    }
                    self.extras.push(e);
                }
                None => self
                    .assumptions
                    .push(format!("--include-path {p}: not in the image")),
            }
        }
    }
}

/// The program as a CGO_ENABLED=0 rebuild makes it.
fn static_rebuild(b: &Binary) -> Binary {
    let mut s = b.clone();
    s.link = Link::Static;
    s.interp = None;
    s.needed.clear();
    if let Some(g) = &mut s.go {
        g.cgo = false;
    }
    s
}
