//! Work that does I/O on behalf of the front ends: loading images from their sources.

pub mod background;
mod checks;
pub mod compare;
pub mod fleet;
pub mod load;
pub mod open;
pub mod pair;
mod reuse;
pub mod save;
pub mod tour;
pub mod warm;
pub mod whatif;

pub use load::{LoadOptions, Progress, ScanCache, load_image};
pub use open::Opened;

#[cfg(test)]
mod analysis_tests;
