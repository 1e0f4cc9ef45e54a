//! Reading images: every format of the corpus images gives the same numbers, every image
//! an engine accepts is read as the engine reads it, and the scan cache serves local files.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod engine_reads;
mod formats;
mod local_cache;
mod warm_report;
