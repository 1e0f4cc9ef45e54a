//! Fixtures and helpers shared by the integration test binaries (`tests/*/main.rs`), each of
//! which includes this tree with `#[path = "../support/mod.rs"] mod support;`. A binary uses
//! only some of it, hence `dead_code` allowed here.
#![allow(dead_code)]

pub mod ci;
pub mod docker;
pub mod elf;
pub mod live;
pub mod rewrite;
pub mod rpm;
pub mod slim;
pub mod syft;

/// Says that the calling test did not run its checks, and why, where `cargo test` shows it:
/// straight to the process's stderr, past the runner's capture (an `eprintln!` is captured
/// with the test's output and shown only when the test fails, so a skip printed that way
/// reads as a plain `ok`).
pub fn skip(why: impl std::fmt::Display) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why}");
}

/// The scan and report cache every test run of the binary shares: never the user's
/// (`~/.cache`), so tests neither fill it nor are served from it.
pub fn test_cache() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache")
}

/// `microscope`, with the tests' own cache.
pub fn microscope() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_microscope"));
    cmd.env("XDG_CACHE_HOME", test_cache());
    cmd
}

/// `$MICROSCOPE_CORPUS`, or None after saying the test is skipped.
pub fn corpus() -> Option<std::path::PathBuf> {
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(p) => Some(std::path::PathBuf::from(p)),
        None => {
            skip("MICROSCOPE_CORPUS is not set");
            None
        }
    }
}
