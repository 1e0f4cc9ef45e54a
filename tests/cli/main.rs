//! The real binary on generated images: outputs, exit codes and one clear line per user
//! error; `--no-verify`; `microscope fleet`; `microscope tour`.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod engine_export;
mod fleet;
mod outputs;
mod tour;
mod verify;
