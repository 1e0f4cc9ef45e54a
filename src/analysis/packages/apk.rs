//! apk's installed database (`lib/apk/db/installed`): one record per package, blank-line
//! separated, `X:value` lines; `F:` names a directory, each following `R:` a file in it and
//! the `Z:` after it that file's hash.

use super::Manager;
use super::canon::Canon;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::{DbKind, History, Warnings};

/// One file an apk record lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkFile {
    /// Root-relative, as `F:` + `/` + `R:` spell it.
    pub path: String,
    /// `Z:` as written (`Q1`+base64 SHA1 of the content, or of a symlink's target).
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkPackage {
    pub name: String,
    pub version: String,
    pub arch: String,
    /// `I:`, an estimate (rounded to 4 KiB blocks in Alpine 3.20).
    pub installed_size: Option<u64>,
    /// `o:`, the origin (source package).
    pub origin: Option<String>,
    pub files: Vec<ApkFile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkDb {
    pub packages: Vec<ApkPackage>,
    /// Records without `P:` (skipped).
    pub nameless: usize,
}

/// Parses the installed database. Never fails: unknown keys and malformed lines are skipped,
/// a record without `P:` is counted in [`ApkDb::nameless`].
pub fn parse_installed(data: &[u8]) -> ApkDb {
    let mut db = ApkDb::default();
    let mut cur = ApkPackage::default();
    let mut dir = String::new();
    let mut any = false;
    let flush = |db: &mut ApkDb, cur: &mut ApkPackage, dir: &mut String, any: &mut bool| {
        if *any {
            if cur.name.is_empty() {
                db.nameless += 1;
            } else {
                db.packages.push(std::mem::take(cur));
            }
        }
        *cur = ApkPackage::default();
        dir.clear();
        *any = false;
    };
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            flush(&mut db, &mut cur, &mut dir, &mut any);
            continue;
        }
        if line.len() < 2 || line[1] != b':' {
            continue;
        }
        any = true;
        let value = String::from_utf8_lossy(&line[2..]);
        match line[0] {
            b'P' => cur.name = value.into_owned(),
            b'V' => cur.version = value.into_owned(),
            b'A' => cur.arch = value.into_owned(),
            b'I' => cur.installed_size = value.trim().parse().ok(),
            b'o' => cur.origin = Some(value.into_owned()),
            b'F' => dir = value.trim_matches('/').to_string(),
            b'R' => {
                let path = if dir.is_empty() {
                    value.into_owned()
                } else {
                    format!("{dir}/{value}")
                };
                cur.files.push(ApkFile { path, hash: None });
            }
            b'Z' => {
                if let Some(f) = cur.files.last_mut() {
                    f.hash = Some(value.into_owned());
                }
            }
            _ => {}
        }
    }
    flush(&mut db, &mut cur, &mut dir, &mut any);
    db
}

/// `Z:` of content whose SHA1 is `digest`, as apk writes it.
pub(crate) fn z_of_sha1(digest: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("Q1");
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `Z:` apk records for a symlink: SHA1 of its target string.
pub(crate) fn z_of_symlink(target: &str) -> String {
    use sha1::Digest;
    z_of_sha1(&sha1::Sha1::digest(target.as_bytes()))
}

/// Parsed versions of the apk database, kept between observing and claiming.
pub(crate) struct ApkCollector {
    dbs: Vec<(u32, u32, ApkDb)>,
}

fn key(p: &ApkPackage) -> Key {
    Key {
        manager: Manager::Apk,
        name: p.name.clone(),
        version: p.version.clone(),
        arch: p.arch.clone(),
        location: String::new(),
    }
}

impl ApkCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog, warnings: &mut Warnings) -> Self {
        let mut dbs = Vec::new();
        for v in history.of_kind(DbKind::Apk) {
            let db = parse_installed(v.bytes);
            if db.nameless > 0 {
                warnings.push(format!(
                    "apk: {} records without a package name in {} (layer {})",
                    db.nameless, v.path, v.from
                ));
            }
            for p in &db.packages {
                let meta = Meta {
                    declared_bytes: p.installed_size,
                    file_list: None,
                    go: None,
                };
                catalog.observe(key(p), meta, v.from, v.to);
            }
            dbs.push((v.from, v.to, db));
        }
        ApkCollector { dbs }
    }

    pub fn claim(&mut self, catalog: &Catalog, claims: &mut Claims, canon: &mut Canon<'_>) {
        for (from, to, db) in std::mem::take(&mut self.dbs) {
            for p in db.packages {
                let key = key(&p);
                for (id, f, t) in catalog.key_overlapping(&key, from, to) {
                    for file in &p.files {
                        if let Some(path) = canon.resolve("", &file.path) {
                            let z = file.hash.as_deref().map(Box::from);
                            claims.add(path, id, f, t, z);
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

    const MUSL: &[u8] =
        b"C:Q1PS2iNeHDH3BF6TgqSMu/pcc3XIY=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:407468\n\
I:667648\nT:the musl c library (libc) implementation\no:musl\np:so:libc.musl-x86_64.so.1=1\n\
F:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1HZA7d+LP0Q3TzAECd+MB9p1PxQU=\n\
R:libc.musl-x86_64.so.1\na:0:0:777\nZ:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=\n\n\
P:busybox-binsh\nV:1.36.1-r29\nA:x86_64\nI:8192\nF:bin\nR:sh\na:0:0:777\n\
Z:Q1pcfTfDNEbNKQc2s1tia7da05M8Q=\n\nV:orphan\nR:x\n";

    #[test]
    fn parses_records_and_files() {
        let db = parse_installed(MUSL);
        assert_eq!(db.packages.len(), 2);
        assert_eq!(db.nameless, 1);
        let musl = &db.packages[0];
        assert_eq!(
            (&*musl.name, &*musl.version, &*musl.arch),
            ("musl", "1.2.5-r0", "x86_64")
        );
        assert_eq!(musl.installed_size, Some(667_648));
        assert_eq!(musl.origin.as_deref(), Some("musl"));
        assert_eq!(musl.files[1].path, "lib/libc.musl-x86_64.so.1");
        assert_eq!(
            musl.files[1].hash.as_deref(),
            Some("Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=")
        );
        assert_eq!(db.packages[1].files[0].path, "bin/sh");
    }

    #[test]
    fn symlink_z_is_sha1_of_the_target() {
        // Appendix A: busybox-binsh's bin/sh -> /bin/busybox.
        assert_eq!(
            z_of_symlink("/bin/busybox"),
            "Q1pcfTfDNEbNKQc2s1tia7da05M8Q="
        );
        // musl's libc.musl-x86_64.so.1 -> ld-musl-x86_64.so.1.
        assert_eq!(
            z_of_symlink("ld-musl-x86_64.so.1"),
            "Q17yJ3JFNypA4mxhJJr0ou6CzsJVI="
        );
    }

    #[test]
    fn garbage_never_panics() {
        for cut in 0..MUSL.len() {
            parse_installed(&MUSL[..cut]);
        }
        parse_installed(b"R\nR:\nZ:\nF:\nZ:z\n:\n\xff:\xfe\n");
        let db = parse_installed(b"Z:before any file\nP:x\nI:-5\n");
        assert_eq!(db.packages[0].installed_size, None);
    }
}
