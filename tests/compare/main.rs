//! `microscope compare`: the diff on generated pairs, the binary's outputs, the real corpus
//! and lab images, and the app's compare view opening either image.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod diff;
mod lab;
mod open;
