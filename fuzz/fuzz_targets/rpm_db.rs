//! The rpm database readers (SQLite, Berkeley DB hash, ndb, and the header parser behind
//! them) on any bytes, and the streaming Java archive reader on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = microscope::analysis::packages::read_rpm_db(data);
    let _ = microscope::analysis::packages::parse_rpm_header(data);
    let mut jar = microscope::scan::jar::JarCollector::default();
    for part in data.chunks(97) {
        jar.push(part);
    }
    let _ = jar.finish();
});
