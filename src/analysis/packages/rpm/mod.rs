//! rpm's package database in its three storage formats: SQLite (rpm ≥ 4.16), Berkeley DB
//! hash (older rpm) and ndb (SUSE). Each stores one header blob per package; the format
//! readers only find the blobs, and one header parser reads them all.
//!
//! As for dpkg and apk, the database says which package lists which path; the bytes come
//! from the tar entries. Directories and `%ghost` files are listed but not shipped, so they
//! claim nothing.

pub(crate) mod bdb;
pub(crate) mod header;
pub(crate) mod ndb;
pub(crate) mod sqlite;

pub use header::{RpmFile, RpmHeader, parse as parse_header};

use super::Manager;
use super::canon::Canon;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::{DbKind, History, Warnings};

pub use super::history::RPM_DB_PATHS as DB_PATHS;

/// Which of the three formats a database file is in, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpmFormat {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

impl RpmFormat {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(sqlite::MAGIC) {
            Some(RpmFormat::Sqlite)
        } else if ndb::is_ndb(bytes) {
            Some(RpmFormat::Ndb)
        } else if bdb::is_bdb_hash(bytes) {
            Some(RpmFormat::BerkeleyDb)
        } else {
            None
        }
    }
}

/// One database read: its packages, and how many entries could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmDb {
    pub packages: Vec<RpmHeader>,
    /// Values the format reader could not follow plus blobs that are not headers.
    pub unreadable: usize,
}

/// Reads a database file in whichever format it is. `Err` when the file is none of them or
/// its format reader refuses it as a whole; damage inside it is counted in `unreadable`.
pub fn read_db(bytes: &[u8]) -> Result<RpmDb, String> {
    let (blobs, mut unreadable) = match RpmFormat::sniff(bytes) {
        Some(RpmFormat::Sqlite) => (sqlite::blobs(bytes)?, 0),
        Some(RpmFormat::BerkeleyDb) => bdb::blobs(bytes)?,
        Some(RpmFormat::Ndb) => ndb::blobs(bytes)?,
        None => return Err("not an rpm database (SQLite, Berkeley DB or ndb)".into()),
    };
    let mut packages = Vec::with_capacity(blobs.len());
    for b in &blobs {
        match header::parse(b) {
            Ok(h) => packages.push(h),
            Err(_) => unreadable += 1,
        }
    }
    Ok(RpmDb {
        packages,
        unreadable,
    })
}

/// rpm keeps imported signing keys as pseudo-packages; they ship no file and are not
/// packages to a user (syft and `rpm -qa --qf` filters leave them out too).
fn is_pseudo(h: &RpmHeader) -> bool {
    h.name == "gpg-pubkey"
}

fn key(h: &RpmHeader) -> Key {
    Key {
        manager: Manager::Rpm,
        name: h.name.clone(),
        version: h.evr(),
        arch: h.arch.clone(),
        location: String::new(),
    }
}

/// Parsed versions of the rpm database, kept between observing and claiming.
pub(crate) struct RpmCollector {
    dbs: Vec<(u32, u32, RpmDb)>,
}

impl RpmCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog, warnings: &mut Warnings) -> Self {
        let mut dbs = Vec::new();
        for v in history.of_kind(DbKind::Rpm) {
            let mut db = match read_db(v.bytes) {
                Ok(db) => db,
                Err(e) => {
                    warnings.push(format!("rpm: {} (layer {}): {e}", v.path, v.from));
                    continue;
                }
            };
            if db.unreadable > 0 {
                warnings.push(format!(
                    "rpm: {} entries of {} (layer {}) could not be read",
                    db.unreadable, v.path, v.from
                ));
            }
            db.packages.retain(|h| !is_pseudo(h));
            for h in &db.packages {
                let meta = Meta {
                    declared_bytes: h.size,
                    file_list: None,
                    go: None,
                };
                catalog.observe(key(h), meta, v.from, v.to);
            }
            dbs.push((v.from, v.to, db));
        }
        RpmCollector { dbs }
    }

    pub fn claim(&mut self, catalog: &Catalog, claims: &mut Claims, canon: &mut Canon<'_>) {
        for (from, to, db) in std::mem::take(&mut self.dbs) {
            for h in db.packages {
                let key = key(&h);
                for (id, f, t) in catalog.key_overlapping(&key, from, to) {
                    for file in h.files.iter().filter(|f| !f.is_dir() && !f.is_ghost()) {
                        if let Some(path) = canon.resolve("", &file.path) {
                            claims.add(path, id, f, t, None);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_captures_every_database_path() {
        for p in DB_PATHS {
            assert!(crate::scan::capture::wants_content(p), "{p}");
        }
    }

    #[test]
    fn sniffs_each_format() {
        assert_eq!(
            RpmFormat::sniff(b"SQLite format 3\0...."),
            Some(RpmFormat::Sqlite)
        );
        assert_eq!(RpmFormat::sniff(b"RpmP\0\0\0\0"), Some(RpmFormat::Ndb));
        let mut bdb = vec![0u8; 16];
        bdb[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        assert_eq!(RpmFormat::sniff(&bdb), Some(RpmFormat::BerkeleyDb));
        assert_eq!(RpmFormat::sniff(b"PK\x03\x04"), None);
        let e = read_db(b"").unwrap_err().to_string();
        assert!(e.contains("not an rpm database"), "{e}");
    }

    #[test]
    fn every_format_yields_the_same_header() -> Result<(), Box<dyn std::error::Error>> {
        let blob = header::tests::package(
            "zlib",
            "1.2.13",
            &[("/usr/lib64/", "libz.so.1", 9, 0o100_755, 0)],
        );
        let via_ndb = read_db(&ndb::tests::database(&[&blob]))?;
        let via_bdb = read_db(&bdb::tests::database(&blob))?;
        assert_eq!(via_ndb.packages.len(), 1);
        assert_eq!(via_ndb, via_bdb);
        assert_eq!(via_ndb.packages[0].files[0].path, "/usr/lib64/libz.so.1");
        Ok(())
    }
}
