//! See `harness::dockerfile` (tests/hostile/harness.rs): the same code, replayed by `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::dockerfile(data);
});
