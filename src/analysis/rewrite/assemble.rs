//! Puts the pieces together: launch → programs and files → closure → base → copies (with
//! strip and rebuild applied) → sizes → Dockerfile.

use super::classify::{self, Binary, Libc, Link};
use super::closure;
use super::dockerfile::{self, Spec};
use super::entrypoint::{self, Launch};
use super::fs::{self, Fs};
use super::os_files::{self, Extra};
use super::rebuild;
use super::target::{self, Base, Choice};
use super::{Options, ProgramInfo, Rewrite, alpine, alternatives, copies, rpm, runtime};
use crate::analysis::Analysis;
use crate::image::{Image, Merged};

/// ELF files of one copied runtime directory followed into the closure, at most.
const MAX_DIR_ELFS: usize = 2000;

pub fn plan(image: &Image, merged: &Merged, opts: &Options) -> Result<Rewrite, String> {
    let scans = Analysis::scans(image);
    let fs = Fs::new(&scans, merged);
    let run = &image.meta.run;
    let launch = entrypoint::resolve(&fs, run)?;
    let prog = &launch.program;
    let program = fs
        .file(&prog.invoked)
        .and_then(|(_, f)| f.elf)
        .map(Binary::from_elf)
        .ok_or_else(|| {
            format!(
                "{} is neither an ELF program the scan could read nor a #! script",
                prog.invoked
            )
        })?;
    let runtime = classify::runtime_of(&prog.invoked, &prog.resolved.real);
    let go_rebuild = runtime.is_none() && target::go_cgo_rebuildable(&program) && !opts.no_rebuild;

    let mut assumptions = launch.notes.clone();
    let mut may_also_need = Vec::new();
    let mut extras: Vec<Extra> = Vec::new();
    let mut roots: Vec<(String, String)> = Vec::new();
    let elf = |p: &str| fs.file(p).and_then(|(_, f)| f.elf).map(Binary::from_elf);
    let mut running: Vec<Binary> = Vec::new();
    for w in &launch.wrappers {
        roots.push((w.invoked.clone(), "process wrapper".into()));
        running.extend(elf(&w.invoked));
    }
    if launch.needs_shell()
        && let Some(sh) = &launch.shell
    {
        roots.push((
            sh.shell.invoked.clone(),
            "the shell the shell-form command needs".into(),
        ));
        running.extend(elf(&sh.shell.invoked));
    }
    if go_rebuild {
        running.push(static_rebuild(&program));
    } else {
        let why = if runtime.is_some() {
            "the interpreter"
        } else {
            "the program"
        };
        roots.push((prog.invoked.clone(), why.into()));
        running.push(program.clone());
    }
    for s in &launch.scripts {
        extras.extend(os_files::file(
            &fs,
            &s.invoked,
            "script run through its #! line",
        ));
    }
    if let Some(rt) = &runtime {
        let rf = runtime::files(
            &fs,
            rt,
            &prog.invoked,
            &prog.resolved.real,
            &launch.args,
            &run.working_dir,
        );
        for e in rf.extras.iter().filter(|e| e.dir) {
            for p in os_files::elf_files(&fs, &e.real, MAX_DIR_ELFS) {
                let opened = format!("{}{}", e.path, &p[e.real.len()..]);
                roots.push((opened, format!("extension module in {}", e.path)));
            }
            for target in os_files::outside_links(&fs, e, 64) {
                // A link to a shared library (config-3.11/libpython3.11.so) serves linking
                // against it; the loader finds what runs through DT_NEEDED instead.
                if elf(&target).is_some_and(|b| b.soname.is_some()) {
                    may_also_need.push(format!(
                        "{target}: a shared library a symlink in {} points to (for building against it, not needed to run)",
                        e.path
                    ));
                    continue;
                }
                let why = format!("target of a symlink in {}", e.path);
                extras.extend(
                    os_files::file(&fs, &target, &why)
                        .or_else(|| os_files::dir(&fs, &target, &why)),
                );
            }
        }
        extras.extend(rf.extras);
        assumptions.extend(rf.notes);
        may_also_need.extend(rf.may_also_need);
    }
    for p in &opts.include_paths {
        let p = fs::join("/", p);
        match os_files::file(&fs, &p, "--include-path")
            .or_else(|| os_files::dir(&fs, &p, "--include-path"))
        {
            Some(e) => {
                if e.dir {
                    for elf in os_files::elf_files(&fs, &e.real, MAX_DIR_ELFS) {
                        roots.push((
                            format!("{}{}", e.path, &elf[e.real.len()..]),
                            "in --include-path".into(),
                        ));
                    }
                } else if elf(&p).is_some() {
                    roots.push((p.clone(), "--include-path".into()));
                }
                extras.push(e);
            }
            None => assumptions.push(format!("--include-path {p}: not in the image")),
        }
    }
    let closure = closure::compute(&fs, &roots, &run.env);
    let running_refs: Vec<&Binary> = running.iter().collect();
    let choice = target::choose(&running_refs, &closure, go_rebuild, &target::fallback(&fs))?;
    let libc = running.iter().find_map(|b| b.libc().cloned());

    os_files::os_files(
        &fs,
        &image.meta.run.user,
        &program,
        runtime.is_some(),
        &choice.base,
        libc.as_ref(),
        &closure,
        &mut extras,
        &mut may_also_need,
        &mut assumptions,
    );
    may_also_need.extend(os_files::runtime_loads(&fs, &closure, libc.as_ref()));
    if program.upx {
        assumptions.push("the program is UPX-packed: sizes are of the packed file; UPX saves disk but little pull size and costs memory".into());
    }
    if matches!(choice.base, Base::Scratch) && launch.wrappers.is_empty() {
        may_also_need.push("an init for PID 1 if the program spawns children: `docker run --init` adds tini without changing the image".into());
    }
    assumptions.extend(closure.notes.iter().cloned());

    // The Go rebuild, or strip, applied to the program and the copied ELF files.
    let go_build = program.go.as_ref().and_then(|g| {
        let debug = program.strip_bytes > 0 && !g.stripped_by_ldflags;
        let b = rebuild::go_build(
            &fs,
            &run.env,
            &run.working_dir,
            &prog.invoked,
            g,
            go_rebuild,
        );
        (go_rebuild || (debug && b.self_contained())).then_some(b)
    });
    // `slim` takes the program as built: no build stage.
    let go_build = go_build.filter(|_| !opts.no_rebuild);
    if let Some(b) = &go_build {
        assumptions.extend(b.notes.iter().cloned());
    }
    let strip_tool = rebuild::strip_tool(&fs, &run.env);
    let mut a = copies::assemble(
        &fs,
        &scans,
        &closure,
        &extras,
        &choice,
        &program,
        prog,
        go_build.as_ref(),
        strip_tool.is_some(),
    );
    assumptions.append(&mut a.assumptions);

    let (base_bytes, base_compressed) = choice.base.bytes();
    if !choice.base.exact() {
        assumptions.push(format!(
            "{} is counted at its published size, about {} ({} compressed); microscope has not measured it",
            choice.base.image(),
            crate::units::bytes(base_bytes),
            crate::units::bytes(base_compressed)
        ));
    }
    // Missing libraries too: on alpine a package may be exactly what provides them.
    let sonames: Vec<&str> = closure
        .libraries()
        .map(|o| fs::basename(&o.opened))
        .chain(closure.missing.iter().map(|m| fs::basename(&m.name)))
        .collect();
    let index = alpine::snapshot();
    let (apk, unmapped) = alpine::map_sonames(&index, sonames.iter().copied());
    let apk_bytes: u64 = if choice.base == Base::Alpine {
        // Sizes the image's apk database declares: summed without overflow.
        apk.iter()
            .map(|p| p.installed_bytes)
            .fold(0, u64::saturating_add)
    } else {
        0
    };
    let predicted_bytes = a
        .copies
        .iter()
        .map(|c| c.predicted_bytes)
        .fold(base_bytes.saturating_add(apk_bytes), u64::saturating_add);
    let predicted_compressed_bytes = a.copies.iter().map(|c| c.predicted_compressed_bytes).fold(
        base_compressed.saturating_add(apk_bytes / 100 * 45),
        u64::saturating_add,
    );
    if choice.base == Base::Alpine && !apk.is_empty() {
        assumptions.push("apk also installs the packages' own dependencies, which the prediction does not count (the snapshot has no dependency lists)".into());
    }
    if choice.base == Base::Alpine && !unmapped.is_empty() {
        assumptions.push(format!(
            "no Alpine package in the snapshot for {}: copied from the image",
            unmapped.join(", ")
        ));
    }

    let mut alternatives =
        alternatives::alternatives(&choice, libc.as_ref(), &a.copies, &apk, &unmapped, &running);
    let rpm_index = rpm::RpmIndex::from_fs(&fs).filter(|_| rpm::redhat_family(&fs));
    let rpm_packages = rpm_index
        .as_ref()
        .map(|index| index.map_sonames(sonames.iter().copied()).0)
        .unwrap_or_default();
    let dnf_install = if choice.base == Base::UbiMinimal {
        let missing = closure.missing.iter().map(|m| fs::basename(&m.name));
        rpm::dnf_install(rpm_index.as_ref(), missing)
    } else {
        Vec::new()
    };
    if !dnf_install.is_empty() {
        assumptions.push(format!(
            "microdnf installs {} from the Red Hat repositories: the image's database lists the missing libraries in them; their sizes are not counted",
            dnf_install.join(" ")
        ));
    }
    alternatives.extend(alternatives::ubi(
        &choice,
        libc.as_ref(),
        &a.copies,
        &rpm_packages,
    ));
    let current_bytes = crate::analysis::sizes::compute(image, merged).0.final_bytes;
    let source_image = opts
        .source_image
        .clone()
        .unwrap_or_else(|| super::source_image_name(&image.meta));
    let exec = launch.shell.as_ref().and_then(|s| s.exec_form.clone());
    let shell_in_entrypoint = !run.entrypoint.is_empty();
    let spec = Spec {
        source_image: source_image.clone(),
        header: header(
            image,
            &choice,
            predicted_bytes,
            predicted_compressed_bytes,
            current_bytes,
            &source_image,
        ),
        go_build: go_build.as_ref(),
        strip: (!a.strip.is_empty())
            .then(|| (strip_tool.clone().unwrap_or_default(), a.strip.clone())),
        base: choice.base.image(),
        apk_add: if choice.base == Base::Alpine {
            apk.iter().map(|p| p.package.clone()).collect()
        } else {
            Vec::new()
        },
        dnf_install,
        copies: &a.copies,
        run,
        launch: dockerfile::Launch {
            entrypoint: exec.clone().filter(|_| shell_in_entrypoint),
            cmd: exec.filter(|_| !shell_in_entrypoint),
        },
        advice: a
            .advice
            .iter()
            .map(|s| format!("Advice applied in the prediction: {s}"))
            .collect(),
    };
    let (dockerfile, unsafe_values) = dockerfile::render(&spec);
    assumptions.extend(unsafe_values);
    Ok(Rewrite {
        base: choice.base.image(),
        reason: choice.reason.clone(),
        program: program_info(&launch, &program, runtime.as_ref(), go_rebuild),
        dockerfile,
        predicted_bytes,
        predicted_compressed_bytes,
        base_bytes,
        base_compressed_bytes: base_compressed,
        base_size_exact: choice.base.exact(),
        current_bytes,
        files: a.copies,
        advice: a.advice,
        assumptions,
        may_also_need,
        missing: closure
            .missing
            .iter()
            .map(|m| {
                format!(
                    "{} (needed by {}; searched {})",
                    m.name,
                    m.needed_by,
                    m.searched.join(":")
                )
            })
            .collect(),
        alpine_packages: apk,
        rpm_packages,
        alternatives,
    })
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

fn program_info(
    launch: &Launch,
    program: &Binary,
    runtime: Option<&classify::Runtime>,
    go_rebuild: bool,
) -> ProgramInfo {
    let link = match &program.link {
        Link::Static => "static".to_string(),
        Link::Dynamic(Libc::Glibc) => "dynamic glibc".into(),
        Link::Dynamic(Libc::Musl) => "dynamic musl".into(),
        Link::Dynamic(Libc::Other(l)) => format!("dynamic ({l})"),
        Link::NotProgram => "non-program ELF".into(),
    };
    let lang = match (&program.go, program.rust) {
        (Some(g), _) => format!(
            "Go program ({}, cgo {}{})",
            g.version.as_deref().unwrap_or("unknown version"),
            if g.cgo { "on" } else { "off" },
            if go_rebuild { ": rebuilt without" } else { "" }
        ),
        (None, true) => "Rust program".into(),
        (None, false) => "program".into(),
    };
    let kind = match runtime {
        Some(rt) => format!("{} interpreter ({link})", rt.name()),
        None => format!("{link} {lang}"),
    };
    ProgramInfo {
        path: launch.program.invoked.clone(),
        real: launch.program.resolved.real.clone(),
        kind,
        runtime: runtime.map(|r| match r {
            classify::Runtime::Python(Some(v)) => format!("Python {v}"),
            r => r.name().to_string(),
        }),
        wrappers: launch.wrappers.iter().map(|w| w.invoked.clone()).collect(),
        scripts: launch.scripts.iter().map(|s| s.invoked.clone()).collect(),
        shell: launch
            .shell
            .as_ref()
            .filter(|_| launch.needs_shell())
            .map(|s| s.shell.invoked.clone()),
    }
}

fn header(
    image: &Image,
    choice: &Choice,
    bytes: u64,
    compressed: u64,
    current: u64,
    source: &str,
) -> Vec<String> {
    vec![
        format!("Rewritten by microscope from {}.", image.meta.reference),
        format!("Base {}: {}", choice.base.image(), choice.reason),
        format!(
            "Predicted: {bytes} B of files (today {current} B), about {compressed} B compressed."
        ),
        format!(
            "SOURCE_IMAGE is the original image as your engine knows it (default {source}): docker build --build-arg SOURCE_IMAGE=name:tag ."
        ),
    ]
}
