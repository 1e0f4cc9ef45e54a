//! `microscope slim`: the rewrite written as an image, with no engine and no build. The
//! pure part decides what goes in ([`plan`]: entries in order; [`config`]: the config,
//! manifest and index JSON); the rest does the I/O: a second streamed pass over the
//! original layers for the kept files only ([`write`]), `strip` where the rewrite says so
//! ([`strip`]), and the archive or layout the user asked for ([`output`]).

pub mod config;
pub mod layer;
pub mod output;
pub mod plan;
pub mod strip;
pub mod write;

pub use output::Target;
pub use plan::{Plan, plan};
pub use write::{Written, write};

/// Why `slim` writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum SlimError {
    #[error(
        "the rewrite's base is {base}, not scratch ({why}): slim writes only images it can close on scratch, and writes nothing; add what the closure lacks with --include-path PATH (the missing libraries, NSS modules or runtime files named here, which the base would bring) together with --force to write it on scratch, or build the Dockerfile of --rewrite"
    )]
    NotScratch { base: String, why: String },
    #[error(
        "{0} must be rebuilt (CGO_ENABLED=0) to run on scratch, which needs its source: build the Dockerfile of --rewrite instead, or --force to copy it as it is (it will miss its libc)"
    )]
    NeedsRebuild(String),
    #[error("cannot plan the image: {0}")]
    Plan(String),
    #[error("{0}")]
    Output(String),
    #[error("--push {name}")]
    Push {
        name: String,
        #[source]
        source: crate::source::SourceError,
    },
    #[error("layer {layer}: {why}")]
    Layer { layer: usize, why: String },
    #[error("reading the original image: {0}")]
    Source(#[from] crate::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl SlimError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SlimError {
        let what = what.into();
        move |source| SlimError::Io { what, source }
    }
}
