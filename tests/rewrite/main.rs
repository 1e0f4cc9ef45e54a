//! The rewrite onto scratch/distroless/alpine/ubi: native, Go, Python and rpm programs on
//! generated images, the binary's outputs, what-if, the corpus, and real builds in Docker.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod dockerd;
mod go;
mod native;
mod python;
mod rpm;
mod whatif;
