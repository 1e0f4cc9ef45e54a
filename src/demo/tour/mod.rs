//! `microscope tour`: the micro-image journey as a lesson. Each step is an image generated
//! in code (a miniature of the classic lesson's image), the Dockerfile that would produce
//! it, and a lesson text whose numbers are placeholders filled from microscope's analysis of
//! the generated images ([`lesson::render`]), so a change to the builder cannot leave a
//! stale number. Beside each step stands the figure the real-world lesson measured,
//! labelled as such.

pub mod bases;
pub mod handout;
pub mod images;
pub mod learner;
pub mod lesson;
pub mod measure;
mod steps;

use super::builder::ImageBuilder;
pub use steps::STEPS;

/// The main road or a side road.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Road {
    Main,
    Side,
}

/// One step of the tour.
pub struct Step {
    /// Short stable name (`golang`, `scratch`, ...).
    pub id: &'static str,
    pub title: &'static str,
    pub road: Road,
    /// The step this one is compared against (index into [`STEPS`]).
    pub before: Option<usize>,
    pub dockerfile: &'static str,
    /// What changed, why it saves bytes, its cost or trap; `{name}` placeholders are
    /// filled from the analysis (see [`lesson`]).
    pub lesson: &'static str,
    /// The size the real-world lesson measured, and what it was.
    pub real_world: Option<(u64, &'static str)>,
    /// The finding kind on the step before whose promised saving this step realises.
    pub promise: Option<&'static str>,
    pub build: fn() -> ImageBuilder,
}

/// The step with this 1-based number, or why not.
pub fn step_index(n: usize) -> Result<usize, String> {
    if (1..=STEPS.len()).contains(&n) {
        Ok(n - 1)
    } else {
        Err(format!(
            "--step {n}: the tour has steps 1 to {}",
            STEPS.len()
        ))
    }
}

/// The images a step compares: the step before (or the step itself, at a start) and it.
pub fn pair_of(step: usize) -> (usize, usize) {
    let before = STEPS.get(step).and_then(|s| s.before).unwrap_or(step);
    (before, step)
}

/// A step's image as a source, like `demo:NAME`.
pub fn source(
    index: usize,
) -> Result<Box<dyn crate::source::ImageSource>, crate::source::SourceError> {
    let step = STEPS.get(index).ok_or_else(|| {
        crate::source::SourceError::ImageNotFound(format!("tour step {}", index + 1))
    })?;
    super::source_of(&format!("tour:{}", step.id), (step.build)())
}
