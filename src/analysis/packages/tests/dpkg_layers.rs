//! dpkg across layers: the database each layer sees decides install layers, upgrades,
//! removals, per-layer bytes, content ties and modified files.

use super::{analyse, bytes, stanza};
use crate::analysis::packages::Manager::Dpkg;
use crate::analysis::packages::{ModifiedFile, PackageRef};
use crate::demo::builder::LayerBuilder;

const INFO: &str = "var/lib/dpkg/info";

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn status(pkgs: &[(&str, &str)]) -> Vec<u8> {
    pkgs.iter()
        .map(|(n, v)| stanza(n, v, "amd64", ""))
        .collect::<String>()
        .into_bytes()
}

fn layers() -> Vec<LayerBuilder> {
    let base = LayerBuilder::new("debootstrap")
        .dir("usr/bin")
        .dir("usr/share")
        .dir(INFO)
        .file("usr/bin/ls", &bytes(1000, b'l'))
        .file("usr/bin/cat", &bytes(500, b'c'))
        .file("usr/bin/dash", &bytes(120, b'd'))
        .file("usr/bin/oldtool", &bytes(400, b'o'))
        .file("usr/share/x", b"aaaa")
        .file(
            "var/lib/dpkg/status",
            &status(&[
                ("coreutils", "9.1-1"),
                ("dash", "0.5.12-2"),
                ("oldtool", "1.0"),
                ("pkg-a", "1"),
            ]),
        )
        .file(
            &format!("{INFO}/coreutils.list"),
            b"/usr/bin/ls\n/usr/bin/cat\n",
        )
        .file(&format!("{INFO}/dash.list"), b"/usr/bin/dash\n")
        .file(&format!("{INFO}/oldtool.list"), b"/usr/bin/oldtool\n")
        .file(&format!("{INFO}/pkg-a.list"), b"/usr/share/x\n");
    let install = LayerBuilder::new("apt-get install newpkg pkg-b dash=0.5.12-3")
        .file("usr/bin/dash", &bytes(90, b'D'))
        .file("usr/bin/new", &bytes(300, b'n'))
        .file("usr/share/x", b"bbbbbb")
        .file(
            "var/lib/dpkg/status",
            &status(&[
                ("coreutils", "9.1-1"),
                ("dash", "0.5.12-3"),
                ("oldtool", "1.0"),
                ("pkg-a", "1"),
                ("pkg-b", "1"),
                ("newpkg", "2.0"),
            ]),
        )
        .file(&format!("{INFO}/dash.list"), b"/usr/bin/dash\n")
        .file(&format!("{INFO}/newpkg.list"), b"/usr/bin/new\n")
        .file(&format!("{INFO}/pkg-b.list"), b"/usr/share/x\n");
    let tweak = LayerBuilder::new("apt-get purge oldtool && sed -i s/c/C/ /usr/bin/cat && chmod")
        .whiteout("usr/bin/oldtool")
        .whiteout(&format!("{INFO}/oldtool.list"))
        .file("usr/bin/cat", &bytes(60, b'C'))
        .file_with("usr/bin/ls", &bytes(1000, b'l'), 0o700, 0, 0)
        .file("usr/share/x", b"cccccccc")
        .file(
            "var/lib/dpkg/status",
            &status(&[
                ("coreutils", "9.1-1"),
                ("dash", "0.5.12-3"),
                ("pkg-a", "1"),
                ("pkg-b", "1"),
                ("newpkg", "2.0"),
            ]),
        );
    vec![base, install, tweak]
}

#[test]
fn install_layers_follow_each_layers_database() -> TestResult {
    let fx = analyse(layers())?;
    let core = fx.pkg(Dpkg, "coreutils");
    assert_eq!(
        core.layer, 0,
        "a rewritten status does not move an unchanged package"
    );
    assert_eq!(fx.pkg(Dpkg, "pkg-a").layer, 0);
    assert_eq!(fx.pkg(Dpkg, "newpkg").layer, 1);
    let dash = fx.pkg(Dpkg, "dash");
    assert_eq!(
        (dash.version.as_str(), dash.layer, dash.bytes),
        ("0.5.12-3", 1, 90)
    );

    let old_dash = fx.removed("dash");
    assert_eq!(old_dash.len(), 1);
    assert_eq!(old_dash[0].version, "0.5.12-2");
    assert_eq!((old_dash[0].layer, old_dash[0].removed_layer), (0, Some(1)));
    let oldtool = fx.removed("oldtool");
    assert_eq!((oldtool[0].layer, oldtool[0].removed_layer), (0, Some(2)));
    assert!(fx.a.packages.iter().all(|p| p.name != "oldtool"));
    Ok(())
}

#[test]
fn each_layer_is_attributed_by_its_own_database() -> TestResult {
    let fx = analyse(layers())?;
    assert_eq!(fx.layer_bytes(0, "coreutils", None), 1500);
    assert_eq!(fx.layer_bytes(0, "dash", Some("0.5.12-2")), 120);
    assert_eq!(fx.layer_bytes(0, "oldtool", None), 400);
    assert_eq!(fx.layer_bytes(0, "pkg-a", None), 4);
    assert_eq!(fx.layer_bytes(1, "dash", Some("0.5.12-3")), 90);
    assert_eq!(fx.layer_bytes(1, "newpkg", None), 300);
    // pkg-b was installed by the layer that wrote this content; pkg-a's claim is older.
    assert_eq!(fx.layer_bytes(1, "pkg-b", None), 6);
    assert_eq!(fx.layer_bytes(1, "pkg-a", None), 0);
    assert_eq!(fx.layer_bytes(2, "coreutils", None), 1060);
    assert_eq!(fx.layer_bytes(2, "pkg-b", None), 8);
    let removed = fx.a.layers[0]
        .by_package
        .iter()
        .filter(|(r, _)| matches!(r, PackageRef::Removed(_)))
        .count();
    assert_eq!(removed, 2, "old dash and oldtool");
    assert_eq!(
        fx.a.layers[1].by_package[0],
        (
            fx.installed_ref("newpkg").ok_or("newpkg is installed")?,
            300
        )
    );
    Ok(())
}

#[test]
fn later_rewrites_are_reported_as_modified() -> TestResult {
    let fx = analyse(layers())?;
    let core = fx.pkg(Dpkg, "coreutils");
    assert_eq!((core.bytes, core.files, core.modified_files), (1060, 2, 1));
    let pkg_b = fx.pkg(Dpkg, "pkg-b");
    assert_eq!((pkg_b.bytes, pkg_b.modified_files), (8, 1));
    assert_eq!(fx.pkg(Dpkg, "pkg-a").bytes, 0);
    let m: Vec<(&str, &str, usize, usize, u64)> =
        fx.a.modified
            .iter()
            .map(|m: &ModifiedFile| {
                let p = &fx.a.packages[m.package as usize];
                (
                    &*m.path,
                    p.name.as_str(),
                    m.installed_layer,
                    m.modified_layer,
                    m.bytes,
                )
            })
            .collect();
    assert_eq!(
        m,
        [
            ("usr/bin/cat", "coreutils", 0, 2, 60),
            ("usr/share/x", "pkg-b", 1, 2, 8)
        ],
        "a chmod copy (usr/bin/ls) is not a modification"
    );
    Ok(())
}
