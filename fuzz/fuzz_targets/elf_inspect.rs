//! The ELF inspector (section and program headers, dynamic section, UPX, Go and Rust
//! probes) on any bytes; what it reports must stay within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::elf_inspect(data);
});
