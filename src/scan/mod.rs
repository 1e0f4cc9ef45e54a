//! Streaming layer scans.

pub mod capture;
pub mod decompress;
pub(crate) mod hasher;
pub mod jar;
pub mod layer;
pub mod limits;
pub mod path;
pub mod pipeline;

pub use layer::{ScanContext, ScanError, scan_layer};
