//! Streaming layer scans.

pub mod capture;
pub mod decompress;
pub mod extract;
pub(crate) mod hasher;
pub mod layer;
pub mod limits;
pub mod path;
pub mod pipeline;

pub use layer::{ScanContext, ScanError, scan_layer};
