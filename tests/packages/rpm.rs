//! rpm's database in its three formats, as real installations wrote them
//! ($MICROSCOPE_CORPUS/rpmdb/, see its README): the (name, version-release) set each holds
//! must equal syft's reading of the same file (tests/data/syft/rpmdb-*.rpm.txt), and the
//! file lists must be whole.

use crate::support::syft;
use microscope::analysis::packages::{RpmFormat, read_rpm_db};

use std::collections::BTreeSet;
use std::path::PathBuf;
use syft::syft;

fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(dir) => Some(std::fs::read(PathBuf::from(dir).join("rpmdb").join(rel)).unwrap()),
        None => {
            crate::support::skip("needs MICROSCOPE_CORPUS (the rpm database checks)");
            None
        }
    }
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

/// An image whose files are exactly what the real Mariner database lists (each regular
/// file with a few bytes of its own, symlinks as symlinks, directories and the symlinks
/// other listed paths go through as directories, no `%ghost` file), the database at its
/// path: every package owns what it lists (a path several list goes to the first by name,
/// the analysis's last resort), and the only unowned file is the database itself.
#[test]
fn mariner_image_attributes_every_listed_file() {
    use microscope::analysis::analyze;
    use microscope::analysis::packages::Manager;
    use microscope::demo::builder::{ImageBuilder, LayerBuilder};
    use microscope::jobs::{LoadOptions, load_image};
    use microscope::reference::ImageRef;
    use microscope::source::{SourceOptions, open};
    use std::collections::BTreeMap;

    let Some(bytes) = corpus_file("cbl-mariner-2.0/rpmdb.sqlite") else {
        return;
    };
    let db = read_rpm_db(&bytes).unwrap();
    // Path -> (owner, is a symlink, size); directories apart.
    let mut files: BTreeMap<&str, (&str, bool, u64)> = BTreeMap::new();
    let mut dirs = BTreeSet::new();
    for h in &db.packages {
        for f in h.files.iter().filter(|f| !f.is_ghost()) {
            let path = f.path.trim_start_matches('/');
            if let Some((parent, _)) = path.rsplit_once('/') {
                dirs.insert(parent);
            }
            if f.is_dir() {
                dirs.insert(path);
                continue;
            }
            let link = f.mode & 0o170_000 == 0o120_000;
            let e = files
                .entry(path)
                .or_insert((&h.name, link, f.size % 61 + 1));
            e.0 = e.0.min(&h.name);
        }
    }
    let mut layer = LayerBuilder::new("ADD mariner-rootfs.tar /");
    for d in dirs.iter().filter(|d| !d.is_empty()) {
        layer = layer.dir(d);
    }
    let mut expected: BTreeMap<&str, u64> =
        db.packages.iter().map(|h| (h.name.as_str(), 0)).collect();
    for (path, (owner, link, size)) in files.iter().filter(|(p, _)| !dirs.contains(*p)) {
        if *link {
            layer = layer.symlink(path, "/nowhere");
        } else {
            layer = layer.file(path, &vec![b'x'; *size as usize]);
            *expected.get_mut(owner).unwrap() += size;
        }
    }
    layer = layer.file("var/lib/rpm/rpmdb.sqlite", &bytes);
    let tar = ImageBuilder::new("mariner:test")
        .layer(layer)
        .docker_archive();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mariner.tar");
    std::fs::write(&path, tar).unwrap();
    let reference = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let src = open(&reference, &SourceOptions::default()).unwrap();
    let image = load_image(&*src, &LoadOptions::default()).unwrap();
    let a = analyze(&image).packages;
    let rpm: BTreeMap<&str, u64> = a
        .packages
        .iter()
        .filter(|p| p.manager == Manager::Rpm)
        .map(|p| (p.name.as_str(), p.bytes))
        .collect();
    assert_eq!(rpm, expected);
    assert_eq!(
        a.unowned_bytes,
        bytes.len() as u64,
        "{:?}",
        a.largest_unowned
    );
    let owned: u64 = a.packages.iter().map(|p| p.bytes).sum();
    assert_eq!(owned + a.unowned_bytes, a.final_bytes);
    let bash = a.packages.iter().find(|p| p.name == "bash").unwrap();
    assert_eq!(bash.version, "5.1.8-1.cm2");
    assert!(bash.declared_bytes.is_some_and(|d| d > 1_000_000));
    assert!(
        a.warnings
            .iter()
            .all(|w| w.contains("listed by more than one package")),
        "{:?}",
        a.warnings
    );
}

/// The real databases cut short and with bytes flipped: a warning's worth of damage, never
/// a panic or a hang.
#[test]
fn damaged_real_databases_never_panic() {
    for rel in [
        "libuuid/Packages",
        "sle15-bci/Packages.db",
        "cbl-mariner-2.0/rpmdb.sqlite",
    ] {
        let Some(bytes) = corpus_file(rel) else {
            return;
        };
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = read_rpm_db(&bytes[..cut]);
        }
        for (n, at) in (0..bytes.len()).step_by(step).enumerate() {
            let mut b = bytes.clone();
            for i in (at..b.len()).step_by(4096).take(8) {
                b[i] ^= 0x5a ^ n as u8;
            }
            let _ = read_rpm_db(&b);
        }
    }
}

/// A root Debian's rpm 4.18 installed two packages into (`rpmbuild` of two small specs,
/// then `rpm --root R --dbpath /var/lib/rpm -i`; tests/data/rpm-root.tar.gz): a config file,
/// a symlink, a `%dir`, a `%ghost` log, an epoch. Its files are what the database lists, so
/// every byte but the database's own is a package's; the package set is syft's
/// (`syft dir:R`, tests/data/syft/rpm-root.rpm.txt).
#[test]
fn a_root_real_rpm_installed_into() {
    use microscope::analysis::analyze;
    use microscope::analysis::packages::Manager;
    use microscope::demo::builder::{ImageBuilder, LayerBuilder};
    use microscope::jobs::{LoadOptions, load_image};
    use microscope::reference::ImageRef;
    use microscope::source::{SourceOptions, open};
    use std::io::Read;

    let gz =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rpm-root.tar.gz"))
            .unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&gz[..]));
    let mut layer = LayerBuilder::new("rpm --root / -i hello-tool libdemo");
    let mut sizes = std::collections::BTreeMap::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        if path.is_empty() {
            continue;
        }
        match e.header().entry_type() {
            tar::EntryType::Directory => layer = layer.dir(&path),
            tar::EntryType::Symlink => {
                let target = e
                    .link_name()
                    .unwrap()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                layer = layer.symlink(&path, &target);
            }
            _ => {
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                sizes.insert(path.clone(), data.len() as u64);
                layer = layer.file_with(&path, &data, e.header().mode().unwrap(), 0, 0);
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpm-root.tar");
    std::fs::write(
        &path,
        ImageBuilder::new("rpm-root:test")
            .layer(layer)
            .docker_archive(),
    )
    .unwrap();
    let reference = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let src = open(&reference, &SourceOptions::default()).unwrap();
    let a = analyze(&load_image(&*src, &LoadOptions::default()).unwrap()).packages;
    let found: BTreeSet<(String, String)> = a
        .packages
        .iter()
        .filter(|p| p.manager == Manager::Rpm)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(found, syft("rpm-root.rpm.txt"));
    let pkg = |n: &str| a.packages.iter().find(|p| p.name == n).unwrap();
    let hello = pkg("hello-tool");
    let want =
        sizes["usr/bin/hello"] + sizes["usr/share/hello-tool/data.txt"] + sizes["etc/hello.conf"];
    assert_eq!(
        (hello.bytes, hello.files),
        (want, 4),
        "hello, the hi symlink, data, config"
    );
    assert_eq!(
        hello.declared_bytes,
        Some(want + 5),
        "SIZE counts the symlink's target name too"
    );
    let lib = pkg("libdemo");
    assert_eq!(
        (lib.bytes, lib.files, &*lib.version),
        (12_000, 2, "2:0.9-1")
    );
    let db: u64 = sizes
        .iter()
        .filter(|(p, _)| p.starts_with("var/lib/rpm/"))
        .map(|(_, s)| s)
        .sum();
    assert_eq!(a.unowned_bytes, db, "{:?}", a.largest_unowned);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}
