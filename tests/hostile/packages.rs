//! Package databases that are garbage, truncated or huge: the report still comes, whatever
//! the package analysis makes of them.

use crate::util::*;
use std::fmt::Write;

const STATUS: &[u8] = b"Package: big\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\nPackage: other\nStatus: install ok installed\nVersion: 2\n";
const APK: &[u8] =
    b"C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\nZ:Q1xyz=\n\n";

fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn garbage_and_truncated_package_databases() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("var/lib/dpkg/status", garbage(5000, 1)),
        ("var/lib/dpkg/status", STATUS[..STATUS.len() / 2].to_vec()),
        (
            "var/lib/dpkg/status",
            b"Package:\nStatus: installed\n\n\n:\n \n".to_vec(),
        ),
        ("var/lib/dpkg/status", [STATUS, b"\xff\xfe\x00"].concat()),
        ("lib/apk/db/installed", garbage(5000, 2)),
        ("lib/apk/db/installed", APK[..APK.len() - 9].to_vec()),
        (
            "lib/apk/db/installed",
            b"R:orphan\nZ:Q1\nF:\nF:../../etc\nR:..\n".to_vec(),
        ),
        ("var/lib/dpkg/info/big.list", garbage(3000, 3)),
        ("var/lib/dpkg/diversions", b"/a\n/b\n".to_vec()),
    ];
    for (path, bytes) in cases {
        let layer = RawTar::new()
            .file(b"var/lib/dpkg/status", STATUS)
            .file(path.as_bytes(), &bytes)
            .file(b"usr/bin/tool", b"x")
            .finish();
        let (lib, bin) = check_layer(layer);
        lib.unwrap();
        bin.report();
    }
}

#[test]
fn dpkg_list_naming_a_million_paths() {
    let mut list = String::with_capacity(40 << 20);
    list.push_str("/.\n/usr\n");
    for i in 0..1_000_000 {
        let _ = writeln!(list, "/usr/share/big/d{}/f{i}", i / 1000);
    }
    let layer = RawTar::new()
        .file(b"var/lib/dpkg/status", STATUS)
        .file(b"var/lib/dpkg/info/big.list", list.as_bytes())
        .file(b"usr/share/big/d0/f0", b"owned")
        .finish();
    let img = write_file("image.tar", &docker_archive(vec![layer]));
    let report = run(&img.path).report();
    assert_eq!(
        report["size"]["final_bytes"].as_u64(),
        Some(5 + list.len() as u64 + STATUS.len() as u64)
    );
}
