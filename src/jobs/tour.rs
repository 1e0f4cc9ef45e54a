//! The tour's images read and analysed: each step's report (its numbers for the lesson),
//! and the pair of images a step compares.

use super::Opened;
use super::pair::OpenedPair;
use crate::demo::tour::measure::Measured;
use crate::demo::tour::{self, STEPS, pair_of};
use crate::report::Report;

/// Builds, reads and analyses one step's image: its report.
pub fn report(index: usize) -> Result<Report, crate::Error> {
    let opened = Opened::uncached(tour::source(index)?);
    let image = opened.load(None, None)?;
    let analysis = crate::analysis::analyze(&image);
    Ok(Report::build(&image, &analysis))
}

/// Every step, measured in order.
pub fn measure_all() -> Result<Vec<Measured>, crate::Error> {
    (0..STEPS.len())
        .map(|i| report(i).map(|r| Measured::from_report(&r)))
        .collect()
}

/// The images step `step` compares (the step before, then the step), opened.
pub fn open_pair(step: usize) -> Result<OpenedPair, crate::Error> {
    let (before, this) = pair_of(step);
    Ok(OpenedPair {
        left: tour::source(before)?,
        right: tour::source(this)?,
        cache: None,
    })
}
