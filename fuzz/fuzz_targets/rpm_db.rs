//! The rpm database readers (SQLite, Berkeley DB hash, ndb, and the header parser behind
//! them) on any bytes, and the streaming Java archive reader on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[path = "../../tests/hostile/harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::rpm_db(data);
});
