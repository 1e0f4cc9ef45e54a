//! rpm: the database in each format at its usual path, a later `dnf` rewriting it (an
//! upgrade and a removal), directories and `%ghost` files claiming nothing, and an rpm's claim
//! beating a Python package's on the same file.

use super::{analyse, bytes};
use crate::analysis::packages::Manager::{Python, Rpm};
use crate::analysis::packages::rpm::header::FILE_GHOST;
use crate::analysis::packages::rpm::header::tests::package;
use crate::analysis::packages::rpm::{bdb, ndb, sqlite};
use crate::demo::builder::LayerBuilder;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const FILE: u16 = 0o100_755;
const DIR: u16 = 0o040_755;

fn bash() -> Vec<u8> {
    package(
        "bash",
        "5.1.8",
        &[
            ("/usr/bin/", "bash", 700, FILE, 0),
            ("/usr/share/", "bash", 0, DIR, 0),
            ("/var/log/", "bash.log", 0, 0o100_644, FILE_GHOST),
        ],
    )
}

fn zlib(version: &str) -> Vec<u8> {
    package(
        "zlib",
        version,
        &[
            ("/usr/lib64/", "libz.so.1", 0, 0o120_777, 0),
            ("/usr/lib64/", "libz.so.1.2.13", 300, FILE, 0),
        ],
    )
}

fn python_six() -> Vec<u8> {
    package(
        "python3-six",
        "1.16.0",
        &[
            ("/usr/lib/python3.9/site-packages/", "six.py", 0, FILE, 0),
            (
                "/usr/lib/python3.9/site-packages/six-1.16.0.dist-info/",
                "RECORD",
                0,
                0o100_644,
                0,
            ),
            (
                "/usr/lib/python3.9/site-packages/six-1.16.0.dist-info/",
                "METADATA",
                0,
                0o100_644,
                0,
            ),
        ],
    )
}

const SITE: &str = "usr/lib/python3.9/site-packages";

fn base(db_path: &str, db: Vec<u8>) -> LayerBuilder {
    LayerBuilder::new("ADD ubi9-minimal.tar /")
        .dir("usr/bin")
        .dir("usr/lib64")
        .dir("var/log")
        .dir("usr/share/bash")
        .file("usr/bin/bash", &bytes(700, b'b'))
        .file("usr/lib64/libz.so.1.2.13", &bytes(300, b'z'))
        .symlink("usr/lib64/libz.so.1", "libz.so.1.2.13")
        .file("usr/share/bash/unlisted", &bytes(40, b'u'))
        .file("var/log/bash.log", &bytes(11, b'l'))
        .file(&format!("{SITE}/six.py"), &bytes(90, b's'))
        .file(
            &format!("{SITE}/six-1.16.0.dist-info/METADATA"),
            b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n\n",
        )
        .file(
            &format!("{SITE}/six-1.16.0.dist-info/RECORD"),
            b"six.py,,90\nsix-1.16.0.dist-info/METADATA,,\nsix-1.16.0.dist-info/RECORD,,\n",
        )
        .file(db_path, &db)
}

/// `dnf upgrade zlib && dnf remove bash`: the database rewritten whole.
fn upgrade(db_path: &str) -> LayerBuilder {
    let db = sqlite::tests::database(&[zlib("1.2.13-2"), python_six()]);
    LayerBuilder::new("RUN dnf upgrade -y zlib && dnf remove -y bash")
        .file("usr/lib64/libz.so.1.2.13", &bytes(310, b'Z'))
        .whiteout("usr/bin/bash")
        .file(db_path, &db)
}

#[test]
fn attributes_a_sqlite_database_over_layers() -> TestResult {
    let path = "var/lib/rpm/rpmdb.sqlite";
    let db = sqlite::tests::database(&[bash(), zlib("1.2.13"), python_six()]);
    let fx = analyse(vec![base(path, db), upgrade(path)])?;
    let z = fx.pkg(Rpm, "zlib");
    assert_eq!(
        (z.bytes, z.files, z.layer, &*z.version, &*z.arch),
        (310, 2, 1, "1.2.13-2-1.el9", "x86_64")
    );
    assert_eq!(z.declared_bytes, Some(300));
    let old = fx.removed("zlib");
    assert_eq!(old.len(), 1);
    assert_eq!((old[0].layer, old[0].removed_layer), (0, Some(1)));
    let bash = fx.removed("bash");
    assert_eq!(bash.len(), 1, "{:#?}", fx.a.removed);
    assert_eq!(fx.layer_bytes(0, "bash", None), 700);
    assert_eq!(fx.layer_bytes(0, "zlib", Some("1.2.13-1.el9")), 300);
    assert_eq!(fx.layer_bytes(1, "zlib", Some("1.2.13-2-1.el9")), 310);
    // A directory the header lists, and a %ghost file, are not the package's bytes.
    assert_eq!(fx.owner("usr/share/bash/unlisted"), None);
    assert_eq!(fx.owner("var/log/bash.log"), None);
    // The OS package beats the Python package listing the same files.
    assert_eq!(fx.owner(&format!("{SITE}/six.py")), Some("python3-six"));
    let six = fx.pkg(Rpm, "python3-six");
    assert_eq!(six.files, 3);
    assert!(
        fx.a.packages
            .iter()
            .all(|p| p.manager != Python || p.files == 0)
    );
    Ok(())
}

#[test]
fn berkeley_db_and_ndb_read_alike() -> TestResult {
    for (path, db) in [
        (
            "var/lib/rpm/Packages",
            bdb::tests::database(&zlib("1.2.11")),
        ),
        (
            "usr/lib/sysimage/rpm/Packages.db",
            ndb::tests::database(&[&zlib("1.2.11")]),
        ),
    ] {
        let fx = analyse(vec![base(path, db)])?;
        let z = fx.pkg(Rpm, "zlib");
        assert_eq!(
            (z.bytes, z.files, &*z.version),
            (300, 2, "1.2.11-1.el9"),
            "{path}"
        );
        assert_eq!(fx.owner("usr/bin/bash"), None, "{path}");
        assert!(fx.a.warnings.is_empty(), "{path}: {:?}", fx.a.warnings);
    }
    Ok(())
}

#[test]
fn a_corrupt_database_is_a_warning() -> TestResult {
    let mut db = sqlite::tests::database(&[bash()]);
    db.truncate(700);
    let fx = analyse(vec![base("var/lib/rpm/rpmdb.sqlite", db)])?;
    assert!(fx.a.packages.iter().all(|p| p.manager != Rpm));
    assert!(
        fx.a.warnings
            .iter()
            .any(|w| w.starts_with("rpm: var/lib/rpm/rpmdb.sqlite")),
        "{:?}",
        fx.a.warnings
    );
    Ok(())
}
