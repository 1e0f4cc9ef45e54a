//! Puts the pieces together: launch → programs and files → closure → base → copies (with
//! strip and rebuild applied) → sizes → Dockerfile.

use super::classify::{self, Binary, Libc, Link};
use super::closure::{self, Closure};
use super::copies::{Assembled, CopyContext};
use super::dockerfile::{self, Spec};
use super::entrypoint::{self, Exe, Launch};
use super::fs::{self, Fs};
use super::needs::Needs;
use super::os_files::{self, OsContext};
use super::rebuild::{self, GoBuild};
use super::rpm::{self, RpmProvider};
use super::target::{self, Base, Choice};
use super::{AlpinePackage, Options, ProgramInfo, Rewrite, alpine, alternatives};
use crate::analysis::Analysis;
use crate::image::{Image, Merged, RunConfig};

pub fn plan(image: &Image, merged: &Merged, opts: &Options) -> Result<Rewrite, String> {
    let scans = Analysis::scans(image);
    let fs = Fs::new(&scans, merged);
    let run = &image.meta.run;
    let launch = entrypoint::resolve(&fs, run)?;
    let prog = &launch.program;
    let program = launched_program(&fs, prog)?;
    let runtime = classify::runtime_of(&prog.invoked, &prog.resolved.real);
    let go_rebuild = runtime.is_none() && target::go_cgo_rebuildable(&program) && !opts.no_rebuild;

    let mut needs = Needs::from_launch(&fs, &launch, &program, runtime.is_some(), go_rebuild);
    if let Some(rt) = &runtime {
        needs.add_runtime(&fs, rt, &launch, &run.working_dir);
    }
    needs.add_include_paths(&fs, &opts.include_paths);
    let closure = closure::compute(&fs, &needs.roots, &run.env);
    let running_refs: Vec<&Binary> = needs.running.iter().collect();
    let choice = target::choose(&running_refs, &closure, go_rebuild, &target::fallback(&fs))?;
    let libc = needs.running.iter().find_map(|b| b.libc().cloned());
    needs.add_os_files(os_files::os_files(&OsContext {
        fs: &fs,
        user: &run.user,
        program: &program,
        interpreted: runtime.is_some(),
        base: &choice.base,
        libc: libc.as_ref(),
        closure: &closure,
    }));
    needs
        .may_also_need
        .extend(os_files::runtime_loads(&fs, &closure, libc.as_ref()));
    late_notes(&mut needs, &program, &choice, &launch, &closure);
    let Needs {
        running,
        extras,
        mut assumptions,
        may_also_need,
        ..
    } = needs;

    let go_build = go_build(&fs, run, prog, &program, go_rebuild, opts.no_rebuild);
    if let Some(b) = &go_build {
        assumptions.extend(b.notes.iter().cloned());
    }
    let strip_tool = rebuild::strip_tool(&fs, &run.env);
    let mut a = CopyContext {
        fs: &fs,
        scans: &scans,
        closure: &closure,
        extras: &extras,
        choice: &choice,
        program: &program,
        prog,
        go_build: go_build.as_ref(),
        have_strip: strip_tool.is_some(),
    }
    .assemble();
    assumptions.append(&mut a.assumptions);

    let p = Prediction::new(&choice, &closure, &a, &mut assumptions);
    let mut alternatives = alternatives::alternatives(
        &choice,
        libc.as_ref(),
        &a.copies,
        &p.apk,
        &p.unmapped,
        &running,
    );
    let rpms = Rpms::new(&fs, &choice, &closure, &p.sonames, &mut assumptions);
    alternatives.extend(alternatives::ubi(
        &choice,
        libc.as_ref(),
        &a.copies,
        &rpms.packages,
    ));
    let current_bytes = crate::analysis::sizes::compute(image, merged).0.final_bytes;
    let source_image = opts
        .source_image
        .clone()
        .unwrap_or_else(|| super::source_image_name(&image.meta));
    let spec = Spec {
        source_image: source_image.clone(),
        header: header(image, &choice, &p, current_bytes, &source_image),
        go_build: go_build.as_ref(),
        strip: (!a.strip.is_empty())
            .then(|| (strip_tool.clone().unwrap_or_default(), a.strip.clone())),
        base: choice.base.image(),
        apk_add: if choice.base == Base::Alpine {
            p.apk.iter().map(|p| p.package.clone()).collect()
        } else {
            Vec::new()
        },
        dnf_install: rpms.dnf_install,
        copies: &a.copies,
        run,
        launch: dockerfile_launch(&launch, run),
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
        predicted_bytes: p.bytes,
        predicted_compressed_bytes: p.compressed,
        base_bytes: p.base_bytes,
        base_compressed_bytes: p.base_compressed,
        base_size_exact: choice.base.exact(),
        current_bytes,
        files: a.copies,
        advice: a.advice,
        assumptions,
        may_also_need,
        missing: missing_lines(&closure),
        alpine_packages: p.apk,
        rpm_packages: rpms.packages,
        alternatives,
    })
}

/// What the rewrite cannot see or leaves to the user: a UPX-packed program, an init for
/// PID 1 on scratch, the closure's own notes.
fn late_notes(
    needs: &mut Needs,
    program: &Binary,
    choice: &Choice,
    launch: &Launch,
    closure: &Closure,
) {
    if program.upx {
        needs.assumptions.push("the program is UPX-packed: sizes are of the packed file; UPX saves disk but little pull size and costs memory".into());
    }
    if matches!(choice.base, Base::Scratch) && launch.wrappers.is_empty() {
        needs.may_also_need.push("an init for PID 1 if the program spawns children: `docker run --init` adds tini without changing the image".into());
    }
    needs.assumptions.extend(closure.notes.iter().cloned());
}

/// The ELF program the launch ends in (the interpreter, for scripts).
fn launched_program(fs: &Fs<'_>, prog: &Exe) -> Result<Binary, String> {
    fs.file(&prog.invoked)
        .and_then(|(_, f)| f.elf)
        .map(Binary::from_elf)
        .ok_or_else(|| {
            format!(
                "{} is neither an ELF program the scan could read nor a #! script",
                prog.invoked
            )
        })
}

/// The Go rebuild, or a build stage that strips, when the program is Go and its source
/// builds on its own; `slim` takes the program as built: no build stage.
fn go_build(
    fs: &Fs<'_>,
    run: &RunConfig,
    prog: &Exe,
    program: &Binary,
    go_rebuild: bool,
    no_rebuild: bool,
) -> Option<GoBuild> {
    let g = program.go.as_ref()?;
    let debug = program.strip_bytes > 0 && !g.stripped_by_ldflags;
    let b = rebuild::go_build(fs, &run.env, &run.working_dir, &prog.invoked, g, go_rebuild);
    (go_rebuild || (debug && b.self_contained()))
        .then_some(b)
        .filter(|_| !no_rebuild)
}

/// The sizes the rewrite predicts: the base, apk's packages on alpine, and the copies.
struct Prediction<'c> {
    /// The closure's libraries and the missing ones: on alpine a package may be exactly
    /// what provides them.
    sonames: Vec<&'c str>,
    apk: Vec<AlpinePackage>,
    unmapped: Vec<String>,
    base_bytes: u64,
    base_compressed: u64,
    bytes: u64,
    compressed: u64,
}

impl<'c> Prediction<'c> {
    fn new(
        choice: &Choice,
        closure: &'c Closure,
        a: &Assembled,
        assumptions: &mut Vec<String>,
    ) -> Self {
        let (base_bytes, base_compressed) = choice.base.bytes();
        if !choice.base.exact() {
            assumptions.push(format!(
                "{} is counted at its published size, about {} ({} compressed); microscope has not measured it",
                choice.base.image(),
                crate::units::bytes(base_bytes),
                crate::units::bytes(base_compressed)
            ));
        }
        let sonames: Vec<&str> = closure
            .libraries()
            .map(|o| fs::basename(&o.opened))
            .chain(closure.missing.iter().map(|m| fs::basename(&m.name)))
            .collect();
        let index = alpine::snapshot();
        let (apk, unmapped) = alpine::map_sonames(&index, sonames.iter().copied());
        let alpine = choice.base == Base::Alpine;
        // Sizes the image's apk database declares: summed without overflow.
        let apk_bytes: u64 = if alpine {
            apk.iter()
                .map(|p| p.installed_bytes)
                .fold(0, u64::saturating_add)
        } else {
            0
        };
        let bytes = a
            .copies
            .iter()
            .map(|c| c.predicted_bytes)
            .fold(base_bytes.saturating_add(apk_bytes), u64::saturating_add);
        let compressed = a.copies.iter().map(|c| c.predicted_compressed_bytes).fold(
            base_compressed.saturating_add(apk_bytes / 100 * 45),
            u64::saturating_add,
        );
        if alpine && !apk.is_empty() {
            assumptions.push("apk also installs the packages' own dependencies, which the prediction does not count (the snapshot has no dependency lists)".into());
        }
        if alpine && !unmapped.is_empty() {
            assumptions.push(format!(
                "no Alpine package in the snapshot for {}: copied from the image",
                unmapped.join(", ")
            ));
        }
        Prediction {
            sonames,
            apk,
            unmapped,
            base_bytes,
            base_compressed,
            bytes,
            compressed,
        }
    }
}

/// The image's rpm packages providing the libraries (Red Hat family only), and what
/// microdnf installs on ubi-minimal for the missing ones.
struct Rpms {
    packages: Vec<RpmProvider>,
    dnf_install: Vec<String>,
}

impl Rpms {
    fn new(
        fs: &Fs<'_>,
        choice: &Choice,
        closure: &Closure,
        sonames: &[&str],
        assumptions: &mut Vec<String>,
    ) -> Self {
        let rpm_index = rpm::RpmIndex::from_fs(fs).filter(|_| rpm::redhat_family(fs));
        let packages = rpm_index
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
        Rpms {
            packages,
            dnf_install,
        }
    }
}

/// The exec form goes where the shell form stood: ENTRYPOINT or CMD.
fn dockerfile_launch(launch: &Launch, run: &RunConfig) -> dockerfile::Launch {
    let exec = launch.shell.as_ref().and_then(|s| s.exec_form.clone());
    let shell_in_entrypoint = !run.entrypoint.is_empty();
    dockerfile::Launch {
        entrypoint: exec.clone().filter(|_| shell_in_entrypoint),
        cmd: exec.filter(|_| !shell_in_entrypoint),
    }
}

fn missing_lines(closure: &Closure) -> Vec<String> {
    closure
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
        .collect()
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
    p: &Prediction<'_>,
    current: u64,
    source: &str,
) -> Vec<String> {
    let (bytes, compressed) = (p.bytes, p.compressed);
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
