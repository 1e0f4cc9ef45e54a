//! The front ends: load an image, analyse it, hand the result to the chosen output.

use crate::analyse::{analyse, analyse_ref_with};
use crate::cli::{
    AnalyzeArgs, CacheCommand, Cli, Command, DemoArgs, Format, OutputArgs, RewriteArgs,
};
use crate::gate;
use crate::live::{cache_size, live_options};
use crate::output::{write_atomically, write_output};
use crate::progress::CliBars;
use anyhow::{Context, Result, bail};
use microscope::cache::Cache;
use microscope::jobs::{Opened, ScanCache};
use microscope::reference::ImageRef;
use microscope::report::{Report, ci::Facts, escape, markdown, text};
use microscope::source::{self, ImageSource, SourceOptions};
use microscope::units::{bytes, plural};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Compare(args)) => compare(args),
        Some(Command::Slim(args)) => crate::slim_cmd::run(args),
        Some(Command::Fleet(args)) => crate::fleet::run(args),
        Some(Command::Tour(args)) => {
            // Source options only for a learner's image: the tour's own are in memory.
            let opts = match &args.image {
                Some(_) => Some(live_options(&args.live, None)?),
                None => None,
            };
            crate::tour_cmd::run(args, opts)
        }
        Some(Command::Cache(CacheCommand::Prune { all, cache_size })) => {
            cache_prune(all, &cache_size)
        }
        Some(Command::Completions { shell }) => {
            crate::shell::completions(shell, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => {
            crate::shell::man(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        None => analyze(cli.analyze),
    }
}

fn demo(args: DemoArgs) -> Result<ExitCode> {
    // Rules are read before the image, so a bad config fails fast.
    let plan = gate::plan(&args.ci, &args.output, &SourceOptions::default(), false)?;
    let watching = plan.is_none() && !args.rewrite.rewrite && interactive(&args.output);
    // With no image named, a person sees the point of microscope: fat against micro.
    // Reports keep describing one image, fat, as they always did.
    if watching && args.image.is_none() {
        let fat = microscope::demo::source("fat")?;
        let micro = microscope::demo::source("micro")?;
        return open_compare_app(fat, micro, None);
    }
    let src = microscope::demo::source(args.image.as_deref().unwrap_or("fat"))?;
    let opened = Opened::uncached(src);
    if watching {
        return open_app(opened);
    }
    let report = analyse(&opened, &args.rewrite)?;
    finish(&report, &args.rewrite, &args.output, plan)
}

fn analyze(a: AnalyzeArgs) -> Result<ExitCode> {
    let Some(image) = a.image else {
        bail!("no image given (try `microscope demo`, or `microscope --help`)");
    };
    let mut opts = live_options(&a.live, a.platform)?;
    opts.early_layers = true;
    opts.no_verify = a.no_verify || config_says_no_verify()?;
    if opts.no_verify {
        eprintln!(
            "microscope: not verifying layer digests (--no-verify): a corrupt or altered layer goes unnoticed"
        );
    }
    let plan = gate::plan(&a.ci, &a.output, &opts, true)?;
    if plan.is_none() && !a.rewrite.rewrite && interactive(&a.output) {
        opts.notify = None;
        let reference = ImageRef::parse(&image)?;
        let opened = Opened::open(&reference, &opts, &mut |note| {
            eprintln!("microscope: {}", escape::text(&note))
        })
        .with_context(|| reference.to_string())?;
        return open_app(opened);
    }
    crate::live::watchdog(a.live.timeout);
    let report = analyse_ref_with(&image, &opts, &a.rewrite)?;
    let code = finish(&report, &a.rewrite, &a.output, plan);
    // Freeing large-latest's report here took 4-10 ms of a rebuild's run, after its output.
    microscope::jobs::background::drop_beside(report);
    code
}

/// A finished report goes out as a rewrite, a CI verdict or the report asked for.
fn finish(
    report: &Report,
    rewrite: &RewriteArgs,
    out: &OutputArgs,
    plan: Option<gate::Plan>,
) -> Result<ExitCode> {
    if rewrite.rewrite {
        return emit_rewrite(report, out);
    }
    match plan {
        Some(plan) => gate::run(report, out, plan),
        None => emit(report, out),
    }
}

/// The app opens when a person is watching: stdout is a terminal and no report, CI verdict
/// or rewrite was asked for (the last two checked by the caller).
fn interactive(out: &OutputArgs) -> bool {
    use std::io::IsTerminal;
    out.wants_app(std::io::stdout().is_terminal())
}

#[cfg(feature = "tui")]
fn open_app(opened: Opened) -> Result<ExitCode> {
    microscope::tui::run(opened)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "tui"))]
fn open_app(_opened: Opened) -> Result<ExitCode> {
    bail!("this build has no interactive app (built without the `tui` feature); use --json")
}

/// `verify = false` in the config file: the same as `--no-verify`, for users who trust
/// their own archives. The config belongs to the app, so a build without it has no say.
#[cfg(feature = "tui")]
fn config_says_no_verify() -> Result<bool> {
    Ok(microscope::tui::config::load()?.verify == Some(false))
}

#[cfg(not(feature = "tui"))]
fn config_says_no_verify() -> Result<bool> {
    Ok(false)
}

fn cache_prune(all: bool, size: &str) -> Result<ExitCode> {
    let limit = if all { 0 } else { cache_size(size)? };
    let c = Cache::open_default(limit)?;
    let stats = c
        .prune(limit)
        .with_context(|| format!("cannot prune {}", c.root().display()))?;
    println!(
        "{}: removed {} ({}), kept {} ({})",
        c.root().display(),
        plural(stats.removed_files as u64, "entry", "entries"),
        bytes(stats.removed_bytes),
        plural(stats.kept_files as u64, "entry", "entries"),
        bytes(stats.kept_bytes)
    );
    Ok(ExitCode::SUCCESS)
}

/// `--rewrite` on an image no rewrite is proposed for, and why.
#[derive(Debug, thiserror::Error)]
#[error("no rewrite proposed: {0}")]
struct RewriteRefused(String);

/// `--rewrite`: the Dockerfile with the prediction as comments, or the rewrite object as
/// JSON; an error when no rewrite is proposed.
fn emit_rewrite(report: &Report, out: &OutputArgs) -> Result<ExitCode> {
    let Some(r) = &report.rewrite else {
        let why = report
            .rewrite_refusal
            .as_deref()
            .unwrap_or("no program found");
        return Err(RewriteRefused(why.to_string()).into());
    };
    let body = if out.format() == Format::Json {
        let mut s = serde_json::to_string_pretty(r)?;
        s.push('\n');
        s
    } else {
        microscope::report::rewrite::text(r)
    };
    write_output(out, &body)?;
    Ok(ExitCode::SUCCESS)
}

fn emit(report: &Report, out: &OutputArgs) -> Result<ExitCode> {
    let body = match out.format() {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report)?;
            s.push('\n');
            s
        }
        Format::Markdown => markdown::render(report, &Facts::from_report(report), None),
        Format::Text if out.findings => text::findings(report),
        Format::Text if out.packages => text::packages(report),
        Format::Text => text::summary(report),
    };
    write_output(out, &body)?;
    Ok(ExitCode::SUCCESS)
}

/// `microscope compare LEFT RIGHT`.
fn compare(args: crate::cli::CompareArgs) -> Result<ExitCode> {
    let mut opts = live_options(&args.live, args.platform.clone())?;
    let report_asked = args.json || args.markdown || args.format.is_some() || args.output.is_some();
    let app = !report_asked && interactive(&OutputArgs::default());
    if app {
        opts.notify = None;
    }
    let (left, left_live) = open_side(&args.left, &opts).context("left image")?;
    let (right, right_live) = open_side(&args.right, &opts).context("right image")?;
    // As for one image: the scan cache is for what is slow to read again, live images.
    let cache = opts.cache.clone().filter(|_| left_live || right_live);
    if app {
        return open_compare_app(left, right, cache);
    }
    crate::live::watchdog(args.live.timeout);
    compare_sources(
        &*left,
        &*right,
        args.format(),
        args.output.as_deref(),
        cache.as_deref(),
    )
}

/// The compare view: both images side by side, keys moving both together.
#[cfg(feature = "tui")]
pub fn open_compare_app(
    left: Box<dyn ImageSource>,
    right: Box<dyn ImageSource>,
    cache: Option<Arc<Cache>>,
) -> Result<ExitCode> {
    microscope::tui::compare::run(microscope::jobs::pair::OpenedPair { left, right, cache })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "tui"))]
pub fn open_compare_app(
    _left: Box<dyn ImageSource>,
    _right: Box<dyn ImageSource>,
    _cache: Option<Arc<Cache>>,
) -> Result<ExitCode> {
    bail!("this build has no interactive app (built without the `tui` feature)")
}

/// Compares two opened images (shared layers scanned once) and writes the result; `demo`
/// can call this with the demo images.
pub fn compare_sources(
    left: &dyn ImageSource,
    right: &dyn ImageSource,
    format: Format,
    out: Option<&std::path::Path>,
    cache: Option<&Cache>,
) -> Result<ExitCode> {
    use microscope::jobs::compare::{PairOptions, Which, load_and_compare};
    use microscope::report::compare::{markdown as compare_md, text as compare_text};
    // One set of bars per image; the images load one after the other.
    let bars = [
        CliBars::for_stderr(left.meta()),
        CliBars::for_stderr(right.meta()),
    ];
    let progress = |which: Which, p| {
        if let Some(b) = &bars[which.index()] {
            b.update(p)
        }
    };
    let opts = PairOptions {
        progress: bars
            .iter()
            .any(Option::is_some)
            .then_some(&progress as &(dyn Fn(Which, _) + Sync)),
        cache: cache.map(|c| c as &dyn ScanCache),
        ..PairOptions::default()
    };
    let compared = load_and_compare(left, right, &opts);
    for b in bars.iter().flatten() {
        b.clear();
    }
    let report = compared?.report();
    let body = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        Format::Markdown => compare_md::render(&report),
        Format::Text => compare_text::render(&report),
    };
    let body = escape::log(&body);
    match out {
        Some(path) => write_atomically(path, body.as_bytes())?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// An image of a comparison: a reference, or `demo:NAME` for a built-in demo image; and
/// whether it is live (an engine or a registry).
fn open_side(image: &str, opts: &SourceOptions) -> Result<(Box<dyn ImageSource>, bool)> {
    if let Some(name) = image.strip_prefix("demo:") {
        return Ok((microscope::demo::source(name)?, false));
    }
    let reference = ImageRef::parse(image)?;
    let src = source::open_reporting(&reference, opts, &mut |note| {
        eprintln!("microscope: {}", escape::text(&note))
    })
    .with_context(|| reference.to_string())?;
    Ok((src, reference.is_live()))
}
