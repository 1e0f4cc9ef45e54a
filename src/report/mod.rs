//! What the analyses found, as data: the JSON report and its text renderings.

pub mod model;
pub mod text;

pub use model::{Report, SCHEMA_VERSION};
