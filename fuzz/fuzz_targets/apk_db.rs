//! The apk package database parsers on any bytes, then attribution over a layer
//! holding the same files (see `harness::apk_db`).
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::apk_db(data);
});
