//! The list of `COPY --from` paths: the closure's objects and the extra files, minus what
//! the base already has or a copied directory covers, with strip and rebuild applied and
//! the sizes each will have.

use super::classify::Binary;
use super::closure::Closure;
use super::dockerfile::stripped_name;
use super::entrypoint::Exe;
use super::fs::{self, Fs};
use super::os_files::Extra;
use super::rebuild::GoBuild;
use super::target::{Base, Choice};
use super::{CopiedPath, Stage, alpine, estimate, search};
use crate::image::LayerScan;
use std::sync::Arc;

/// The copies, with what strip/rebuild changes and the compressed estimate of each.
pub(super) struct Assembled {
    pub copies: Vec<CopiedPath>,
    /// Files the strip stage strips.
    pub strip: Vec<String>,
    pub advice: Vec<String>,
    pub assumptions: Vec<String>,
}

/// Order in the Dockerfile: OS files, libraries, runtime directories, app files, the program
/// (what changes most often goes last, for layer caching).
fn rank(c: &CopiedPath, program: &str) -> u8 {
    if c.path == program {
        4
    } else if c.path.starts_with("/etc/") && !c.dir {
        0
    } else if c.dir {
        2
    } else if c.why.starts_with("NEEDED") || c.why.starts_with("loader") {
        1
    } else {
        3
    }
}

/// What the copies are made from.
pub(super) struct CopyContext<'a> {
    pub fs: &'a Fs<'a>,
    pub scans: &'a [Arc<LayerScan>],
    pub closure: &'a Closure,
    pub extras: &'a [Extra],
    pub choice: &'a Choice,
    pub program: &'a Binary,
    pub prog: &'a Exe,
    pub go_build: Option<&'a GoBuild>,
    /// The image has a strip program for a strip stage.
    pub have_strip: bool,
}

impl CopyContext<'_> {
    pub fn assemble(&self) -> Assembled {
        let mut a = Assembled {
            copies: Vec::new(),
            strip: Vec::new(),
            advice: Vec::new(),
            assumptions: Vec::new(),
        };
        self.closure_objects(&mut a);
        self.rebuilt_program(&mut a);
        self.extra_files(&mut a);
        a.copies
            .sort_by_key(|c| (rank(c, &self.prog.invoked), c.path.clone()));
        a
    }

    /// Inside a copied directory: the directory's COPY brings it.
    fn covered(&self, p: &str) -> bool {
        self.extras.iter().filter(|e| e.dir).any(|e| {
            let d = e.path.as_str();
            p == d || p.starts_with(&format!("{}/", d.trim_end_matches('/')))
        })
    }

    /// The closure's objects the base lacks.
    fn closure_objects(&self, a: &mut Assembled) {
        let index = alpine::snapshot();
        let base = &self.choice.base;
        // What the base provides: its sonames; on alpine also what `apk add` brings.
        let in_base = |soname: &str| {
            base.has_soname(soname)
                || (*base == Base::Alpine
                    && (search::musl_reserved(soname)
                        || soname.starts_with("ld-musl-")
                        || alpine::lookup(&index, &format!("so:{soname}")).is_some()))
        };
        for obj in &self.closure.objects {
            if self.covered(&obj.opened) || a.copies.iter().any(|c| c.path == obj.opened) {
                continue;
            }
            if obj.parent.is_some() && in_base(fs::basename(&obj.opened)) {
                continue;
            }
            let bin = obj.binary.as_ref();
            let strip = bin.filter(|b| !b.upx).map_or(0, |b| b.strip_bytes);
            let mut c = CopiedPath {
                path: obj.opened.clone(),
                from: Stage::Source,
                source_path: obj.opened.clone(),
                dir: false,
                files: 1,
                bytes: obj.bytes,
                predicted_bytes: obj.bytes - strip.min(obj.bytes),
                predicted_compressed_bytes: estimate::compressed_file(
                    self.scans,
                    obj.at.layer,
                    &obj.opened,
                    obj.bytes,
                    bin,
                    strip,
                ),
                why: match obj.alias_of {
                    Some(i) => format!(
                        "{} (the same file as {}: copied twice, COPY follows symlinks)",
                        obj.why, self.closure.objects[i].opened
                    ),
                    None => obj.why.clone(),
                },
            };
            if strip > 0 {
                let is_program = obj.opened == self.prog.invoked;
                self.apply_strip(a, &mut c, bin, is_program, self.go_build, strip);
            }
            a.copies.push(c);
        }
    }

    /// A cgo program rebuilt static is not in the closure: it comes from the build stage.
    fn rebuilt_program(&self, a: &mut Assembled) {
        let prog = self.prog;
        let program = self.program;
        let Some(b) = self.go_build else {
            return;
        };
        if a.copies.iter().any(|c| c.path == prog.invoked) {
            return;
        }
        let Some((_, f)) = self.fs.file(&prog.invoked) else {
            return;
        };
        let stripped = program.go.as_ref().is_some_and(|g| g.stripped_by_ldflags);
        let strip = if stripped { 0 } else { program.strip_bytes };
        let mut c = CopiedPath {
            path: prog.invoked.clone(),
            from: Stage::Source,
            source_path: prog.invoked.clone(),
            dir: false,
            files: 1,
            bytes: f.entry.size,
            predicted_bytes: f.entry.size - strip.min(f.entry.size),
            predicted_compressed_bytes: estimate::compressed_file(
                self.scans,
                f.at.layer,
                &prog.invoked,
                f.entry.size,
                Some(program),
                strip,
            ),
            why: "the program, rebuilt".into(),
        };
        self.apply_strip(a, &mut c, Some(program), true, Some(b), strip);
        a.copies.push(c);
        a.advice.insert(
            0,
            format!(
                "CGO_ENABLED=0 go build: the pure-Go resolver and os/user replace libc's, so {} needs no libc",
                prog.invoked
            ),
        );
        a.assumptions.push(
            "the rebuilt program is assumed the size of today's minus its symbols: dropping cgo changes it by a few KiB".into(),
        );
    }

    /// The extra files and directories (OS files, runtime directories, --include-path).
    fn extra_files(&self, a: &mut Assembled) {
        let (fs, scans) = (self.fs, self.scans);
        for e in self.extras {
            if a.copies.iter().any(|c| c.path == e.path) || (!e.dir && self.covered(&e.path)) {
                continue;
            }
            let compressed = if e.dir {
                estimate::compressed_dir(fs, scans, &e.real)
            } else {
                fs.file(&e.real).map_or(0, |(_, f)| {
                    estimate::compressed_file(scans, f.at.layer, &e.path, e.bytes, None, 0)
                })
            };
            a.copies.push(CopiedPath {
                path: e.path.clone(),
                from: Stage::Source,
                source_path: e.path.clone(),
                dir: e.dir,
                files: e.files,
                bytes: e.bytes,
                predicted_bytes: e.bytes,
                predicted_compressed_bytes: compressed,
                why: e.why.clone(),
            });
        }
    }
    /// Where the stripped bytes come from: the Go build stage, the strip stage, or advice the
    /// prediction assumes but the Dockerfile cannot apply.
    fn apply_strip(
        &self,
        a: &mut Assembled,
        c: &mut CopiedPath,
        bin: Option<&Binary>,
        is_program: bool,
        go_build: Option<&GoBuild>,
        strip: u64,
    ) {
        let go = bin.is_some_and(|b| b.go.is_some());
        if let (true, Some(b)) = (is_program, go_build) {
            c.from = Stage::Build;
            c.source_path = b.out.clone();
            if strip > 0 {
                a.advice.push(format!(
                    "go build -ldflags=\"-s -w\": {strip} B of symbol table and DWARF less in {}",
                    c.path
                ));
            }
            if !b.self_contained() {
                a.assumptions.push(
                    "the build stage compiles your source (the build context), not the image's"
                        .into(),
                );
            }
            return;
        }
        let how = if go {
            "go build -ldflags=\"-s -w\""
        } else if bin.is_some_and(|b| b.rust) {
            "strip = true in [profile.release] (or RUSTFLAGS=\"-C strip=symbols\")"
        } else {
            "strip --strip-unneeded (or link with -s)"
        };
        a.advice.push(format!(
            "{how}: {strip} B of symbols and debug info less in {}",
            c.path
        ));
        if self.have_strip {
            c.from = Stage::Strip;
            c.source_path = stripped_name(&c.path);
            a.strip.push(c.path.clone());
        } else {
            a.assumptions.push(format!(
            "as written, the Dockerfile copies {} unstripped ({} more than predicted): the image has no strip and no toolchain to apply the advice in a build stage",
            c.path,
            crate::units::bytes(strip)
        ));
        }
    }
}
