//! cargo-auditable's dependency list: a Rust binary built with `cargo auditable build`
//! carries a `.dep-v0` section, zlib-compressed JSON of every crate it was built from
//! (`{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`).
//! Read from the section bytes the ELF scan keeps, with the output bounded.

use crate::image::facts::RustCrate;
use serde::Deserialize;
use std::io::Read;

/// cargo-auditable caps its own JSON well below this; a larger inflation is a zip bomb.
const MAX_JSON: u64 = 8 << 20;

#[derive(Deserialize)]
struct Raw {
    packages: Vec<RustCrate>,
}

/// The crates of a `.dep-v0` section; empty when it does not inflate to that JSON.
pub fn parse(section: &[u8]) -> Vec<RustCrate> {
    // Most binaries have no such section: a decoder's state is not worth building for them.
    if section.is_empty() {
        return Vec::new();
    }
    let mut json = Vec::new();
    let z = flate2::read::ZlibDecoder::new(section);
    if z.take(MAX_JSON + 1).read_to_end(&mut json).is_err() || json.len() as u64 > MAX_JSON {
        return Vec::new();
    }
    serde_json::from_slice::<Raw>(&json)
        .map(|r| r.packages)
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn section(json: &str) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        // An in-memory write cannot fail; were it to, the empty section fails the test.
        z.write_all(json.as_bytes())
            .and_then(|()| z.finish())
            .unwrap_or_default()
    }

    pub(crate) const DEPS: &str = r#"{"packages":[
        {"name":"ripgrep","version":"14.1.0","source":"local","kind":"runtime","root":true,"dependencies":[1]},
        {"name":"memchr","version":"2.7.1","source":"crates.io"}]}"#;

    #[test]
    fn inflates_the_crate_list() {
        let crates = parse(&section(DEPS));
        assert_eq!(crates.len(), 2);
        assert!(crates[0].root && crates[0].name == "ripgrep");
        assert_eq!((&*crates[1].version, crates[1].root), ("2.7.1", false));
        assert!(parse(b"not zlib").is_empty());
        assert!(parse(&section("{\"packages\": 5}")).is_empty());
        // A bomb: 9 MiB of zeros inflate past the bound.
        let bomb = section(&" ".repeat(9 << 20));
        assert!(parse(&bomb).is_empty());
    }
}
