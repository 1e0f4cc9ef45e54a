//! microscope: where do the bytes of a container image go, and how small could it be?
//!
//! The flow is one-way: [`reference`](mod@reference) → [`source`] → [`scan`] → [`image`] → [`analysis`]
//! → [`report`]. Only `source` and `jobs` do I/O.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod cache;
pub mod demo;
pub mod error;
pub mod image;
pub mod jobs;
pub mod reference;
pub mod report;
pub mod scan;
pub mod slim;
pub mod source;
#[cfg(feature = "tui")]
pub mod tui;
pub mod units;

pub use error::Error;
