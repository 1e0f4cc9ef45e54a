//! Puts the pieces together: launch → programs and files → closure → base → copies (with
//! strip and rebuild applied) → sizes → Dockerfile.

use super::alternatives::Weighed;
use super::classify::{Binary, Libc};
use super::closure::{self, Closure};
use super::copies::CopyContext;
use super::entrypoint::Launch;
use super::fs::Fs;
use super::launched::Launched;
use super::needs::Needs;
use super::os_files::{self, OsContext};
use super::planned::Planned;
use super::prediction::{Prediction, Rpms};
use super::rebuild::{self, GoBuild};
use super::target::{self, Base, Choice};
use super::{Options, Rewrite};
use crate::analysis::Analysis;
use crate::image::{Image, Merged, RunConfig};

/// What the program needs around it: the closure of its roots, the base that closure
/// allows, and the OS files it reads there.
struct Gathered {
    needs: Needs,
    closure: Closure,
    choice: Choice,
    libc: Option<Libc>,
}

pub fn plan(image: &Image, merged: &Merged, opts: &Options) -> Result<Rewrite, String> {
    let scans = Analysis::scans(image);
    let fs = Fs::new(&scans, merged);
    let run = &image.meta.run;
    let launched = Launched::resolve(&fs, run, opts)?;
    let Gathered {
        needs,
        closure,
        choice,
        libc,
    } = gather(&fs, run, opts, &launched)?;
    let Needs {
        running,
        extras,
        mut assumptions,
        may_also_need,
        ..
    } = needs;

    let go_build = go_build(&fs, run, &launched, opts.no_rebuild);
    if let Some(b) = &go_build {
        assumptions.extend(b.notes.iter().cloned());
    }
    let strip_tool = rebuild::strip_tool(&fs, &run.env);
    let mut copies = CopyContext {
        fs: &fs,
        scans: &scans,
        closure: &closure,
        extras: &extras,
        choice: &choice,
        program: &launched.program,
        prog: &launched.launch.program,
        go_build: go_build.as_ref(),
        have_strip: strip_tool.is_some(),
    }
    .assemble();
    assumptions.append(&mut copies.assumptions);

    let prediction = Prediction::new(&choice, &closure, &copies, &mut assumptions);
    let rpms = Rpms::new(
        &fs,
        &choice,
        &closure,
        &prediction.sonames,
        &mut assumptions,
    );
    let alternatives = Weighed {
        choice: &choice,
        libc: libc.as_ref(),
        copies: &copies.copies,
        apk: &prediction.apk,
        unmapped: &prediction.unmapped,
        running: &running,
    }
    .alternatives(&rpms.packages);
    Planned {
        image,
        opts,
        launched,
        closure: &closure,
        choice,
        go_build,
        strip_tool,
        copies,
        prediction,
        rpms,
        alternatives,
        assumptions,
        may_also_need,
    }
    .into_rewrite(merged)
}

fn gather(
    fs: &Fs<'_>,
    run: &RunConfig,
    opts: &Options,
    launched: &Launched,
) -> Result<Gathered, String> {
    let Launched {
        launch,
        program,
        runtime,
        go_rebuild,
    } = launched;
    let mut needs = Needs::from_launch(fs, launch, program, runtime.is_some(), *go_rebuild);
    if let Some(rt) = runtime {
        needs.add_runtime(fs, rt, launch, &run.working_dir);
    }
    needs.add_include_paths(fs, &opts.include_paths);
    let closure = closure::compute(fs, &needs.roots, &run.env);
    let running_refs: Vec<&Binary> = needs.running.iter().collect();
    let choice = target::choose(&running_refs, &closure, *go_rebuild, &target::fallback(fs))?;
    let libc = needs.running.iter().find_map(|b| b.libc().cloned());
    needs.add_os_files(os_files::os_files(&OsContext {
        fs,
        user: &run.user,
        program,
        interpreted: runtime.is_some(),
        base: &choice.base,
        libc: libc.as_ref(),
        closure: &closure,
    }));
    needs
        .may_also_need
        .extend(os_files::runtime_loads(fs, &closure, libc.as_ref()));
    late_notes(&mut needs, program, &choice, launch, &closure);
    Ok(Gathered {
        needs,
        closure,
        choice,
        libc,
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

/// The Go rebuild, or a build stage that strips, when the program is Go and its source
/// builds on its own; `slim` takes the program as built: no build stage.
fn go_build(
    fs: &Fs<'_>,
    run: &RunConfig,
    launched: &Launched,
    no_rebuild: bool,
) -> Option<GoBuild> {
    let program = &launched.program;
    let g = program.go.as_ref()?;
    let debug = program.strip_bytes > 0 && !g.stripped_by_ldflags;
    let invoked = &launched.launch.program.invoked;
    let b = rebuild::go_build(
        fs,
        &run.env,
        &run.working_dir,
        invoked,
        g,
        launched.go_rebuild,
    );
    (launched.go_rebuild || (debug && b.self_contained()))
        .then_some(b)
        .filter(|_| !no_rebuild)
}
