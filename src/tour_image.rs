//! `microscope tour --image IMAGE`: the tour's questions asked of the learner's image.

use crate::cli::LiveArgs;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(image: &str, live: &LiveArgs) -> Result<ExitCode> {
    let opts = crate::app::live_options(live, None)?;
    let report = crate::analyse::analyse_ref(image, &opts)?;
    let body = microscope::demo::tour::learner::render(&report);
    print!("{}", microscope::report::escape::log(&body));
    Ok(ExitCode::SUCCESS)
}
