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

#[allow(clippy::too_many_arguments)]
pub(super) fn assemble(
    fs: &Fs<'_>,
    scans: &[Arc<LayerScan>],
    closure: &Closure,
    extras: &[Extra],
    choice: &Choice,
    program: &Binary,
    prog: &Exe,
    go_build: Option<&GoBuild>,
    have_strip: bool,
) -> Assembled {
    let mut a = Assembled {
        copies: Vec::new(),
        strip: Vec::new(),
        advice: Vec::new(),
        assumptions: Vec::new(),
    };
    let dirs: Vec<&str> = extras
        .iter()
        .filter(|e| e.dir)
        .map(|e| e.path.as_str())
        .collect();
    let covered = |p: &str| {
        dirs.iter()
            .any(|d| p == *d || p.starts_with(&format!("{}/", d.trim_end_matches('/'))))
    };
    let index = alpine::snapshot();
    let base = &choice.base;
    // What the base provides: its sonames; on alpine also what `apk add` brings.
    let in_base = |soname: &str| {
        base.has_soname(soname)
            || (*base == Base::Alpine
                && (search::musl_reserved(soname)
                    || soname.starts_with("ld-musl-")
                    || alpine::lookup(&index, &format!("so:{soname}")).is_some()))
    };
    for obj in &closure.objects {
        if covered(&obj.opened) || a.copies.iter().any(|c| c.path == obj.opened) {
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
                scans,
                obj.at.layer,
                &obj.opened,
                obj.bytes,
                bin,
                strip,
            ),
            why: match obj.alias_of {
                Some(i) => format!(
                    "{} (the same file as {}: copied twice, COPY follows symlinks)",
                    obj.why, closure.objects[i].opened
                ),
                None => obj.why.clone(),
            },
        };
        if strip > 0 {
            apply_strip(
                &mut a,
                &mut c,
                bin,
                obj.opened == prog.invoked,
                go_build,
                have_strip,
                strip,
            );
        }
        a.copies.push(c);
    }
    // A cgo program rebuilt static is not in the closure: it comes from the build stage.
    if let (Some(b), false) = (go_build, a.copies.iter().any(|c| c.path == prog.invoked))
        && let Some((_, f)) = fs.file(&prog.invoked)
    {
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
                scans,
                f.at.layer,
                &prog.invoked,
                f.entry.size,
                Some(program),
                strip,
            ),
            why: "the program, rebuilt".into(),
        };
        apply_strip(
            &mut a,
            &mut c,
            Some(program),
            true,
            Some(b),
            have_strip,
            strip,
        );
        a.copies.push(c);
        a.advice.insert(
            0,
            format!(
                "CGO_ENABLED=0 go build: the pure-Go resolver and os/user replace libc's, so {} needs no libc",
                prog.invoked
            ),
        );
        a.assumptions.push(
            "the rebuilt program is assumed the size of today's minus its symbols: dropping cgo changes it by a few kB".into(),
        );
    }
    for e in extras {
        if a.copies.iter().any(|c| c.path == e.path) || (!e.dir && covered(&e.path)) {
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
    a.copies
        .sort_by_key(|c| (rank(c, &prog.invoked), c.path.clone()));
    a
}

/// Where the stripped bytes come from: the Go build stage, the strip stage, or advice the
/// prediction assumes but the Dockerfile cannot apply.
fn apply_strip(
    a: &mut Assembled,
    c: &mut CopiedPath,
    bin: Option<&Binary>,
    is_program: bool,
    go_build: Option<&GoBuild>,
    have_strip: bool,
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
                "the build stage compiles your source (the build context), not the image's".into(),
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
    if have_strip {
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
