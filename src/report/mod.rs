//! What the analyses found, as data: the JSON report and its text renderings.

pub mod ci;
pub mod ci_config;
pub mod ci_facts;
pub mod ci_growth;
pub mod ci_text;
pub mod compare;
pub mod dive_ci;
pub mod escape;
pub mod markdown;
pub mod model;
pub mod rewrite;
pub mod text;
pub mod yaml_guard;

pub use model::{Report, SCHEMA_VERSION};
