//! What the analyses found, as data: the JSON report and its text renderings.

pub mod ci;
pub mod compare;
pub mod escape;
pub mod fleet;
pub mod markdown;
pub mod model;
pub mod rewrite;
pub mod text;
pub mod yaml_guard;

pub use model::{Report, SCHEMA_VERSION};
