//! apk: F/R/Z records, busybox applets by link target, symlink ties settled by `Z:`, a
//! later `apk add` rewriting the whole database.

use super::{analyse, bytes};
use crate::analysis::packages::Manager::Apk;
use crate::analysis::packages::apk::z_of_symlink;
use crate::demo::builder::LayerBuilder;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `(F: dir, [(R: name, symlink target)])`.
type Files<'a> = &'a [(&'a str, &'a [(&'a str, Option<&'a str>)])];

const DB: &str = "lib/apk/db/installed";

fn record(name: &str, version: &str, installed: u64, files: Files<'_>) -> String {
    let mut r = format!("C:Q1abc=\nP:{name}\nV:{version}\nA:x86_64\nS:1\nI:{installed}\nT:t\n");
    for (dir, names) in files {
        r.push_str(&format!("F:{dir}\n"));
        for (n, link) in names.iter() {
            r.push_str(&format!("R:{n}\na:0:0:755\n"));
            let z = match link {
                Some(target) => z_of_symlink(target),
                None => "Q1c29tZWNvbnRlbnRoYXNoPT0=".to_string(),
            };
            r.push_str(&format!("Z:{z}\n"));
        }
    }
    r.push('\n');
    r
}

fn base_db() -> String {
    [
        record(
            "musl",
            "1.2.5-r0",
            667_648,
            &[(
                "lib",
                &[
                    ("ld-musl-x86_64.so.1", None),
                    ("libc.musl-x86_64.so.1", Some("ld-musl-x86_64.so.1")),
                ],
            )],
        ),
        record(
            "busybox",
            "1.36.1-r29",
            950_272,
            &[("bin", &[("busybox", None)])],
        ),
        record(
            "busybox-binsh",
            "1.36.1-r29",
            8192,
            &[("bin", &[("sh", Some("/bin/busybox"))])],
        ),
        // Also claims bin/sh, as a link elsewhere: its Z does not match the link in the image.
        record(
            "ash-binsh",
            "1.0-r0",
            4096,
            &[("bin", &[("sh", Some("/bin/ash"))])],
        ),
        record(
            "alpine-baselayout",
            "3.6.5-r0",
            315_392,
            &[("etc", &[("hosts", None)])],
        ),
    ]
    .concat()
}

fn layers() -> Vec<LayerBuilder> {
    let base = LayerBuilder::new("ADD alpine-minirootfs.tar.gz /")
        .dir("bin")
        .dir("sbin")
        .dir("lib/apk/db")
        .dir("etc/apk")
        .file("lib/ld-musl-x86_64.so.1", &bytes(600, b'm'))
        .symlink("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
        .file("bin/busybox", &bytes(800, b'b'))
        .symlink("bin/sh", "/bin/busybox")
        .symlink("bin/ls", "/bin/busybox")
        .symlink("bin/cat", "/bin/busybox")
        .symlink("sbin/ifconfig", "../bin/busybox")
        .symlink("bin/dangling", "/nowhere")
        .file("etc/hosts", &bytes(100, b'h'))
        .file("etc/os-release", &bytes(50, b'o'))
        .file("etc/apk/world", &bytes(20, b'w'))
        .file(DB, base_db().as_bytes());
    let add = LayerBuilder::new("apk add curl")
        .dir("usr/bin")
        .file("usr/bin/curl", &bytes(900, b'c'))
        .file("etc/apk/world", &bytes(25, b'W'))
        .file(
            DB,
            (base_db()
                + &record(
                    "curl",
                    "8.9.0-r0",
                    262_144,
                    &[("usr/bin", &[("curl", None)])],
                ))
                .as_bytes(),
        );
    vec![base, add]
}

#[test]
fn attributes_an_alpine_image() -> TestResult {
    let fx = analyse(layers())?;
    let musl = fx.pkg(Apk, "musl");
    assert_eq!((musl.bytes, musl.files, musl.layer), (600, 2, 0));
    assert_eq!(musl.arch, "x86_64");
    assert_eq!(musl.declared_bytes, Some(667_648));

    // Applets no record lists belong to the package owning their target.
    let bb = fx.pkg(Apk, "busybox");
    assert_eq!((bb.bytes, bb.files), (800, 4));
    assert_eq!(fx.owner("sbin/ifconfig"), Some("busybox"));
    assert_eq!(fx.owner("bin/dangling"), None);

    // Two records list bin/sh: the one whose Z is the SHA1 of the link target wins.
    assert_eq!(fx.owner("bin/sh"), Some("busybox-binsh"));
    assert_eq!(fx.pkg(Apk, "ash-binsh").files, 0);

    let base = fx.pkg(Apk, "alpine-baselayout");
    assert_eq!((base.bytes, base.declared_bytes), (100, Some(315_392)));
    assert_eq!(base.declared_difference(), Some(100 - 315_392));

    let curl = fx.pkg(Apk, "curl");
    assert_eq!((curl.bytes, curl.layer), (900, 1));
    assert!(
        fx.a.removed.is_empty(),
        "a rewritten db keeps every package's install layer"
    );
    assert_eq!(fx.owner("etc/os-release"), None);
    assert_eq!(
        fx.a.unowned_bytes,
        50 + 25
            + fx.a
                .largest_unowned
                .iter()
                .find(|(p, _)| p == DB)
                .ok_or("missing")?
                .1
    );
    Ok(())
}

#[test]
fn layers_are_attributed_per_layer() -> TestResult {
    let fx = analyse(layers())?;
    assert_eq!(fx.layer_bytes(0, "musl", None), 600);
    assert_eq!(fx.layer_bytes(0, "busybox", None), 800);
    assert_eq!(fx.layer_bytes(0, "curl", None), 0);
    assert_eq!(fx.layer_bytes(1, "curl", None), 900);
    assert_eq!(fx.a.layers[1].by_package.len(), 1);
    Ok(())
}
