//! rpm's database in its three formats, as real installations wrote them
//! ($MICROSCOPE_CORPUS/rpmdb/, see its README): the (name, version-release) set each holds
//! must equal syft's reading of the same file (tests/data/syft/rpmdb-*.rpm.txt), and the
//! file lists must be whole.

use microscope::analysis::packages::{RpmFormat, read_rpm_db};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(dir) => Some(std::fs::read(PathBuf::from(dir).join("rpmdb").join(rel)).unwrap()),
        None => {
            println!("MICROSCOPE_CORPUS is not set: skipping the rpm database checks");
            None
        }
    }
}

fn syft(list: &str) -> BTreeSet<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/syft")
        .join(list);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Reads one database and checks it against syft; returns (packages, files, ghost files).
fn check(rel: &str, format: RpmFormat, list: &str) -> Option<(usize, usize, usize)> {
    let bytes = corpus_file(rel)?;
    assert_eq!(RpmFormat::sniff(&bytes), Some(format), "{rel}");
    let db = read_rpm_db(&bytes).unwrap();
    assert_eq!(db.unreadable, 0, "{rel}");
    let found: BTreeSet<(String, String)> = db
        .packages
        .iter()
        .filter(|h| h.name != "gpg-pubkey")
        .map(|h| (h.name.clone(), h.evr()))
        .collect();
    assert_eq!(found, syft(list), "{rel}: the package set is syft's");
    for h in &db.packages {
        assert!(!h.arch.is_empty() || h.name == "gpg-pubkey", "{}", h.name);
        for f in &h.files {
            assert!(f.path.starts_with('/'), "{}: {:?}", h.name, f.path);
        }
    }
    let files = db.packages.iter().map(|h| h.files.len()).sum();
    let ghosts = db
        .packages
        .iter()
        .flat_map(|h| &h.files)
        .filter(|f| f.is_ghost())
        .count();
    println!(
        "{rel}: {} packages, {files} files, {ghosts} %ghost",
        db.packages.len()
    );
    Some((db.packages.len(), files, ghosts))
}

#[test]
fn sqlite_database_matches_syft() {
    if let Some((packages, files, _)) = check(
        "cbl-mariner-2.0/rpmdb.sqlite",
        RpmFormat::Sqlite,
        "rpmdb-cbl-mariner-2.0.rpm.txt",
    ) {
        assert!(packages >= 129 && files > 1000, "{packages} {files}");
    }
}

#[test]
fn berkeley_db_matches_syft() {
    if let Some((_, files, _)) = check(
        "libuuid/Packages",
        RpmFormat::BerkeleyDb,
        "rpmdb-libuuid.rpm.txt",
    ) {
        assert!(files > 0);
    }
}

#[test]
fn ndb_database_matches_syft() {
    if let Some((packages, files, _)) = check(
        "sle15-bci/Packages.db",
        RpmFormat::Ndb,
        "rpmdb-sle15-bci.rpm.txt",
    ) {
        assert!(packages >= 35 && files > 100, "{packages} {files}");
    }
}
