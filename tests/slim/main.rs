//! `microscope slim`: what the written image holds, run in a real Docker engine, and
//! pushed to a real registry.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod dockerd;
mod registry;
