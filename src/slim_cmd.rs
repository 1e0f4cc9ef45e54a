//! `microscope slim IMAGE -o TARGET`: load and analyse, plan the slim image from the
//! rewrite, write it, say how it compares with the prediction and with the original, and
//! with --verify run it in the Docker engine.

use crate::cli::SlimArgs;
use crate::progress::CliBars;
use crate::slim_print::{compare_with, exact, print_written, printable};
use anyhow::{Context, Result, bail};
use microscope::analysis::rewrite::{self, Rewrite};
use microscope::analysis::{self as analysis_mod, Analysis};
use microscope::image::Image;
use microscope::jobs::Opened;
use microscope::reference::ImageRef;
use microscope::slim::strip::Tool;
use microscope::slim::write::WriteOptions;
use microscope::slim::{self, Target};
use microscope::source::SourceOptions;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: SlimArgs) -> Result<ExitCode> {
    let target = args.output.as_deref().map(Target::parse).transpose()?;
    let push = push_reference(&args)?;
    let (opened, source_opts) = open(&args)?;
    let image = load(&opened).with_context(|| args.image.clone())?;
    let (analysis, rw) = analyse(&image, &args.include_path);
    let rw = match rw {
        Ok(r) => r,
        Err(why) => bail!("no rewrite proposed, nothing to write: {why}"),
    };
    let plan = slim::plan(&image, &analysis.merged, &rw, args.force)?;
    let tool = plan
        .entries
        .iter()
        .any(|e| matches!(e.kind, slim::plan::Kind::File { strip: true, .. }))
        .then(Tool::find)
        .flatten();
    let tag = args
        .tag
        .clone()
        .or_else(|| target.as_ref().and_then(|t| t.tag()).map(str::to_string))
        .or_else(|| push.map(str::to_string))
        .unwrap_or_else(|| slim::config::default_tag(&rewrite::source_image_name(&image.meta)));
    let reads = plan.reads();
    eprintln!(
        "microscope: reading {} of {} layers again for the {} kept files",
        reads.len(),
        image.layers.len(),
        reads.values().map(|r| r.len()).sum::<usize>()
    );
    let verify = Verify::new()?;
    let written = slim::write(
        &*opened.source,
        &plan,
        &WriteOptions {
            target: target.as_ref(),
            tag: tag.clone(),
            push: push.map(|p| (p, &source_opts)),
            strip: tool.as_ref(),
            also: args.verify.then(|| (&verify.target, verify.tag.clone())),
        },
    )?;
    let mut text = print_written(&args, &rw, &plan, &written, tool.as_ref());
    if let Some(n) = rebuild_note(&analysis, &rw) {
        text += &format!("  note: {n}\n");
    }
    let readback = match (&target, &args.push) {
        (Some(t), _) => t.reference(),
        (None, Some(p)) => p.clone(),
        (None, None) => String::new(),
    };
    match compare_with(&image, &analysis, &readback, &source_opts, &written) {
        Ok(lines) => text += &lines,
        Err(e) => text += &format!("compare with the original: not possible: {e:#}\n"),
    }
    std::io::stdout()
        .lock()
        .write_all(printable(&text).as_bytes())?;
    if args.verify {
        return verify.run(args.verify_cmd.as_deref());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--push docker://NAME:TAG` without its scheme.
fn push_reference(args: &SlimArgs) -> Result<Option<&str>> {
    args.push
        .as_deref()
        .map(|p| {
            p.strip_prefix("docker://")
                .with_context(|| format!("--push {p:?}: expected docker://[REGISTRY/]NAME:TAG"))
        })
        .transpose()
}

/// Where `--verify` has the slim image written too, to run it from.
struct Verify {
    /// Kept until the verification is done: the archive is removed with it.
    _dir: tempfile::TempDir,
    target: Target,
    tag: String,
}

impl Verify {
    fn new() -> Result<Self> {
        let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
        let target = Target::DockerArchive {
            path: dir.path().join("verify.tar"),
            name: None,
        };
        let tag = format!("microscope-slim-verify:{}", std::process::id());
        Ok(Verify {
            _dir: dir,
            target,
            tag,
        })
    }

    /// Runs the slim image; exit code 1 when it does not pass.
    fn run(&self, cmd: Option<&str>) -> Result<ExitCode> {
        let (passed, line) = crate::verify::verify(self.target.path(), &self.tag, cmd)?;
        std::io::stdout()
            .lock()
            .write_all(printable(&line).as_bytes())?;
        Ok(if passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}

/// The image named, from the demo set or any source, and the options that reach sources
/// (and the registry of --push).
fn open(args: &SlimArgs) -> Result<(Opened, SourceOptions)> {
    let opts = crate::live::live_options(&args.live, args.platform.clone())?;
    if let Some(name) = args.image.strip_prefix("demo:") {
        return Ok((Opened::uncached(microscope::demo::source(name)?), opts));
    }
    let reference = ImageRef::parse(&args.image)?;
    let opened = Opened::open(&reference, &opts, &mut |n| eprintln!("microscope: {n}"))
        .with_context(|| reference.to_string())?;
    Ok((opened, opts))
}

/// The analyses, and the rewrite as slim can write it: with `--include-path` additions,
/// and programs taken as built (a cgo Go program keeps its libc instead of the rebuild the
/// Dockerfile route proposes). The second is the default rewrite when they agree.
fn analyse(image: &Image, include: &[String]) -> (Analysis, Result<Rewrite, String>) {
    let analysis = analysis_mod::analyze(image);
    let opts = rewrite::Options {
        include_paths: include.to_vec(),
        no_rebuild: true,
        ..Default::default()
    };
    let rw = rewrite::plan(image, &analysis.merged, &opts);
    (analysis, rw)
}

/// When the Dockerfile route rebuilds the program and slim cannot, both figures.
fn rebuild_note(analysis: &Analysis, rw: &Rewrite) -> Option<String> {
    let dockerfile = analysis.rewrite.as_ref().ok()?;
    let rebuilt = dockerfile
        .files
        .iter()
        .find(|c| c.from == rewrite::Stage::Build)?;
    Some(format!(
        "the Dockerfile route (--rewrite) rebuilds {} with the Go toolchain: {} B predicted; slim takes it as built (on {}, {} B)",
        rebuilt.path,
        exact(dockerfile.predicted_bytes),
        rw.base,
        exact(rw.predicted_bytes)
    ))
}

fn load(opened: &Opened) -> Result<Image> {
    let bars = CliBars::for_stderr(opened.source.meta());
    let progress = |p| {
        if let Some(b) = &bars {
            b.update(p)
        }
    };
    let loaded = opened.load(
        bars.is_some().then_some(&progress as &(dyn Fn(_) + Sync)),
        None,
    );
    if let Some(b) = &bars {
        b.clear();
    }
    Ok(loaded?)
}
