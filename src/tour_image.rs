//! `microscope tour --image IMAGE`: the tour's questions asked of the learner's image.

use crate::cli::RewriteArgs;
use anyhow::{Result, anyhow};
use microscope::demo::tour::STEPS;
use microscope::jobs::Opened;
use microscope::source::SourceOptions;
use std::process::ExitCode;

pub fn run(image: &str, opts: &SourceOptions) -> Result<ExitCode> {
    let report = if let Some(name) = image.strip_prefix("demo:") {
        let opened = Opened::uncached(microscope::demo::source(name)?);
        crate::analyse::analyse(&opened, &RewriteArgs::default())?
    } else if let Some(id) = image.strip_prefix("tour:") {
        let index = STEPS.iter().position(|s| s.id == id).ok_or_else(|| {
            let ids: Vec<&str> = STEPS.iter().map(|s| s.id).collect();
            anyhow!("tour:{id}: no such step (there are: {})", ids.join(", "))
        })?;
        let opened = Opened::uncached(microscope::demo::tour::source(index)?);
        crate::analyse::analyse(&opened, &RewriteArgs::default())?
    } else {
        crate::analyse::analyse_ref(image, opts)?
    };
    let body = microscope::demo::tour::learner::render(&report);
    print!("{}", microscope::report::escape::log(&body));
    Ok(ExitCode::SUCCESS)
}
