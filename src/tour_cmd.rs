//! `microscope tour`: the lesson in the terminal, as a list, as a handout, or asked of the
//! learner's own image.

use crate::cli::TourArgs;
use anyhow::{Result, anyhow};
use microscope::demo::tour::{self, handout};
use microscope::source::SourceOptions;
use std::io::Write;
use std::process::ExitCode;

/// `opts`: how to read `--image` (made by the caller from the live flags).
pub fn run(args: TourArgs, opts: Option<SourceOptions>) -> Result<ExitCode> {
    let start = match args.step {
        Some(n) => tour::step_index(n).map_err(|e| anyhow!(e))?,
        None => 0,
    };
    if let Some(image) = &args.image {
        return crate::tour_image::run(image, &opts.unwrap_or_default());
    }
    if args.list || args.markdown || !interactive() {
        let measured = microscope::jobs::tour::measure_all()?;
        let body = if args.markdown {
            handout::markdown(&measured)
        } else {
            handout::list(&measured)
        };
        std::io::stdout().lock().write_all(body.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    open_tour(start)
}

fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

#[cfg(feature = "tui")]
fn open_tour(start: usize) -> Result<ExitCode> {
    let measured = microscope::jobs::tour::measure_all()?;
    microscope::tui::tour::run(start, measured)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "tui"))]
fn open_tour(_start: usize) -> Result<ExitCode> {
    anyhow::bail!(
        "this build has no interactive app (built without the `tui` feature); use --list or --markdown"
    )
}
