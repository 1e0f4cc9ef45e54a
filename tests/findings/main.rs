//! Findings: one test per kind, the savings total's precedence, the binary's table and
//! JSON, and the real corpus.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod dedupe;
mod kinds;
