//! Go's `.go.buildinfo` reader, the segment search and the pclntab probe, on the input's
//! parts (split on `\n@@\n`).
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::go_buildinfo(data);
});
