//! The docker-archive and OCI layout readers on untrusted metadata: manifest.json,
//! index.json, the config and a layer blob come from the input (split on `\n@@\n`), served
//! by an in-memory store; whatever opens is then loaded, analysed and reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::image_source(data);
});
