//! The layer scanner on raw bytes: one to three layer blobs (tar, gzip or zstd, sniffed),
//! scanned, then merged and analysed as one image, so whiteouts, opaque directories and
//! duplicates across layers are exercised too. Must never panic, hang or balloon.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::scan_layers(data);
});
