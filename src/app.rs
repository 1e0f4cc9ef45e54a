//! The front ends: load an image, analyse it, hand the result to the chosen output.

use crate::cli::{Cli, Command, OutputArgs};
use anyhow::{Context, Result, bail};
use microscope::analysis;
use microscope::image::Platform;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::report::{Report, text};
use microscope::source::{self, ImageSource, SourceOptions};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Demo(args)) => {
            let src = microscope::demo::source(&args.image)?;
            let report = analyse(&*src)?;
            emit(&report, &args.output)
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
            let reference = ImageRef::parse(&image)?;
            let opts = SourceOptions { platform };
            let src = source::open(&reference, &opts).with_context(|| reference.to_string())?;
            let report = analyse(&*src).with_context(|| reference.to_string())?;
            emit(&report, &a.output)
        }
    }
}

fn analyse(src: &dyn ImageSource) -> Result<Report> {
    let image = load_image(src, &LoadOptions::default())?;
    let analysis = analysis::analyze(&image);
    Ok(Report::build(&image, &analysis))
}

fn emit(report: &Report, out: &OutputArgs) -> Result<ExitCode> {
    let body = if out.json {
        let mut s = serde_json::to_string_pretty(report)?;
        s.push('\n');
        s
    } else if out.findings {
        text::findings(report)
    } else {
        text::summary(report)
    };
    match &out.output {
        Some(path) => write_atomically(path, body.as_bytes())?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
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
