//! The front ends: load an image, analyse it, hand the result to the chosen output.

use crate::cli::{Cli, Command, Format, OutputArgs};
use crate::gate;
use anyhow::{Context, Result, bail};
use microscope::analysis;
use microscope::image::Platform;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::report::{Report, ci::Facts, markdown, text};
use microscope::source::{self, ImageSource, SourceOptions};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Demo(args)) => {
            // Rules are read before the image, so a bad config fails fast.
            let plan = gate::plan(&args.ci, &args.output, &SourceOptions::default(), false)?;
            let src = microscope::demo::source(&args.image)?;
            let report = analyse(&*src)?;
            match plan {
                Some(plan) => gate::run(&report, &args.output, plan),
                None => emit(&report, &args.output),
            }
        }
        None => {
            let a = cli.analyze;
            let Some(image) = a.image else {
                bail!("no image given (try `microscope demo`, or `microscope --help`)");
            };
            let platform = a
                .platform
                .as_deref()
                .map(|p| {
                    Platform::parse(p)
                        .with_context(|| format!("--platform {p:?}: expected os/arch[/variant]"))
                })
                .transpose()?;
            let opts = SourceOptions { platform };
            let plan = gate::plan(&a.ci, &a.output, &opts, true)?;
            let report = analyse_ref(&image, &opts)?;
            match plan {
                Some(plan) => gate::run(&report, &a.output, plan),
                None => emit(&report, &a.output),
            }
        }
    }
}

/// Opens and analyses the image a reference names (also used for a `--baseline` image).
pub fn analyse_ref(image: &str, opts: &SourceOptions) -> Result<Report> {
    let reference = ImageRef::parse(image)?;
    let src = source::open(&reference, opts).with_context(|| reference.to_string())?;
    analyse(&*src).with_context(|| reference.to_string())
}

fn analyse(src: &dyn ImageSource) -> Result<Report> {
    let image = load_image(src, &LoadOptions::default())?;
    let analysis = analysis::analyze(&image);
    Ok(Report::build(&image, &analysis))
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
        Format::Text => text::summary(report),
    };
    write_output(out, &body)?;
    Ok(ExitCode::SUCCESS)
}

/// The report body to `--output FILE`, or to standard output.
pub fn write_output(out: &OutputArgs, body: &str) -> Result<()> {
    match &out.output {
        Some(path) => write_atomically(path, body.as_bytes()),
        None => Ok(std::io::stdout().lock().write_all(body.as_bytes())?),
    }
}

/// Writes beside the target and renames, so a failure never leaves half a report.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
