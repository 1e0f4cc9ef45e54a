//! Streaming layer scans.

pub mod capture;
pub mod decompress;
pub mod elf;
mod error;
pub mod extract;
mod file;
pub(crate) mod hasher;
pub mod jar;
pub mod layer;
pub mod limits;
mod member;
pub mod path;
mod path_index;
pub mod pipeline;
pub mod sparse;
mod walk;

pub use error::ScanError;
pub use layer::{ScanContext, scan_layer};
