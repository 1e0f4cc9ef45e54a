//! syft's package lists saved beside the tests (tests/data/syft/, one `name version` a line),
//! the independent reading the package tests compare with.

use std::collections::BTreeSet;
use std::path::PathBuf;

pub fn syft(list: &str) -> BTreeSet<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/syft")
        .join(list);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}
