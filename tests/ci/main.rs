//! The CI gate: rules files, every rule at its threshold, the binary's exit codes and
//! formats, the Markdown and log text as snapshots, and docs/ci.md kept honest.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod config;
mod docs;
mod markdown;
mod rules;
