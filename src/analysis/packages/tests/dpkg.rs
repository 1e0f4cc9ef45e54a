//! dpkg in one layer: merged /usr, Multi-Arch lists, diversions, hard links, shared files,
//! config-files-only packages, distroless `status.d`.

use super::{analyse, bytes, stanza};
use crate::analysis::packages::Manager::Dpkg;
use crate::demo::builder::LayerBuilder;

const INFO: &str = "var/lib/dpkg/info";

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A merged-/usr Debian layer: files, a diversion, and the dpkg database that owns them.
fn debian_base() -> LayerBuilder {
    dpkg_database(debian_files())
}

/// The filesystem, in the order debootstrap writes it.
fn debian_files() -> LayerBuilder {
    LayerBuilder::new("debootstrap")
        .dir("usr/bin")
        .dir("usr/lib/x86_64-linux-gnu")
        .dir("usr/share/doc/coreutils")
        .dir("usr/share/man/man1")
        .dir("etc")
        .dir("opt/app")
        .dir(INFO)
        .symlink("bin", "usr/bin")
        .symlink("lib", "usr/lib")
        .file("usr/bin/ls", &bytes(1000, b'l'))
        .hardlink("usr/bin/dir", "usr/bin/ls")
        .file("usr/bin/cat", &bytes(500, b'c'))
        .file("usr/share/doc/coreutils/copyright", &bytes(30, b'x'))
        .file(
            "usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4",
            &bytes(2000, b'z'),
        )
        .symlink("usr/lib/x86_64-linux-gnu/libzstd.so.1", "libzstd.so.1.5.4")
        .file("usr/bin/dash", &bytes(120, b'd'))
        .symlink("usr/bin/sh", "dash")
        .file("usr/share/man/man1/sh.1.gz", &bytes(15, b'm'))
        .file("usr/bin/bash", &bytes(700, b'b'))
        .file("usr/share/man/man1/sh.distrib.1.gz", &bytes(17, b'n'))
        .file("etc/shared", &bytes(10, b's'))
        .file("etc/os-release", &bytes(20, b'o'))
        .file("etc/services", &bytes(25, b'v'))
        .file("etc/oldconf.conf", &bytes(40, b'k'))
        .file("opt/app/data.bin", &bytes(5000, b'a'))
}

/// The status file: six packages installed, one only configured.
fn debian_status() -> String {
    [
        stanza("coreutils", "9.1-1", "amd64", "Installed-Size: 2\n"),
        stanza(
            "libzstd1",
            "1.5.4+dfsg2-5",
            "amd64",
            "Multi-Arch: same\nSource: libzstd\nInstalled-Size: 785\n",
        ),
        stanza("dash", "0.5.12-2", "amd64", ""),
        stanza("bash", "5.2.15-2+b2", "amd64", ""),
        stanza("base-files", "12.4+deb12u5", "amd64", ""),
        stanza("netbase", "6.4", "all", ""),
        "Package: oldconf\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n\n"
            .to_string(),
    ]
    .concat()
}

/// The status, the diversions and each package's file list.
fn dpkg_database(layer: LayerBuilder) -> LayerBuilder {
    layer
        .file("var/lib/dpkg/status", debian_status().as_bytes())
        .file(
            "var/lib/dpkg/diversions",
            b"/usr/share/man/man1/sh.1.gz\n/usr/share/man/man1/sh.distrib.1.gz\ndash\n",
        )
        .file(
            &format!("{INFO}/coreutils.list"),
            b"/.\n/bin\n/bin/ls\n/bin/dir\n/bin/cat\n/usr\n/usr/share\n/usr/share/doc\n\
/usr/share/doc/coreutils\n/usr/share/doc/coreutils/copyright\n",
        )
        .file(
            &format!("{INFO}/libzstd1:amd64.list"),
            b"/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libzstd.so.1.5.4\n\
/lib/x86_64-linux-gnu/libzstd.so.1\n",
        )
        // A stale list under the wrong name must not be read for a Multi-Arch: same package.
        .file(&format!("{INFO}/libzstd1.list"), b"/opt/app/data.bin\n")
        .file(
            &format!("{INFO}/dash.list"),
            b"/.\n/bin\n/bin/dash\n/bin/sh\n/usr/share/man/man1/sh.1.gz\n",
        )
        .file(
            &format!("{INFO}/bash.list"),
            b"/.\n/bin\n/bin/bash\n/usr/share/man/man1/sh.1.gz\n",
        )
        .file(
            &format!("{INFO}/base-files.list"),
            b"/.\n/bin\n/etc\n/etc/shared\n/etc/os-release\n",
        )
        .file(
            &format!("{INFO}/netbase.list"),
            b"/.\n/etc\n/etc/shared\n/etc/services\n",
        )
        .file(&format!("{INFO}/oldconf.list"), b"/etc/oldconf.conf\n")
}

#[test]
fn attributes_a_debian_layer() -> TestResult {
    let fx = analyse(vec![debian_base()])?;
    let a = &fx.a;
    let names: Vec<_> = a.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "libzstd1",
            "coreutils",
            "bash",
            "dash",
            "base-files",
            "netbase"
        ],
        "only installed stanzas, largest first"
    );

    // Merged /usr: the list says /bin/ls, the tar has usr/bin/ls; the hard link adds no bytes.
    let core = fx.pkg(Dpkg, "coreutils");
    assert_eq!((core.bytes, core.files), (1530, 4));
    assert_eq!(core.declared_bytes, Some(2048));
    assert_eq!(core.declared_difference(), Some(1530 - 2048));
    assert_eq!((core.layer, core.modified_files), (0, 0));
    assert_eq!(fx.owner("usr/bin/dir"), Some("coreutils"));
    // `/bin` is a directory to dpkg, a symlink in the image: nobody owns the symlink.
    assert_eq!(fx.owner("bin"), None);

    // Multi-Arch: same reads `libzstd1:amd64.list`, through `lib -> usr/lib`.
    let zstd = fx.pkg(Dpkg, "libzstd1");
    assert_eq!(
        (zstd.bytes, zstd.files, zstd.arch.as_str()),
        (2000, 2, "amd64")
    );
    assert_eq!(zstd.version, "1.5.4+dfsg2-5");
    assert_eq!(zstd.declared_bytes, Some(785 * 1024));
    assert_eq!(
        fx.owner("usr/lib/x86_64-linux-gnu/libzstd.so.1"),
        Some("libzstd1")
    );
    assert_eq!(fx.owner("opt/app/data.bin"), None);

    // Diversion: dash keeps sh.1.gz, bash's copy lives at sh.distrib.1.gz.
    assert_eq!(fx.owner("usr/share/man/man1/sh.1.gz"), Some("dash"));
    assert_eq!(fx.owner("usr/share/man/man1/sh.distrib.1.gz"), Some("bash"));
    assert_eq!(
        (fx.pkg(Dpkg, "dash").bytes, fx.pkg(Dpkg, "dash").files),
        (135, 3)
    );
    assert_eq!(fx.pkg(Dpkg, "bash").bytes, 717);

    // A file in two lists installed by the same layer: one owner, reported as a tie.
    assert_eq!(fx.owner("etc/shared"), Some("base-files"));
    assert_eq!(fx.pkg(Dpkg, "base-files").bytes, 30);
    assert_eq!(fx.pkg(Dpkg, "netbase").bytes, 25);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.starts_with("1 path is listed by more"))
    );

    // config-files only: not installed, its conffile is unowned.
    assert_eq!(fx.owner("etc/oldconf.conf"), None);
    let owned: u64 = [1530, 2000, 135, 717, 30, 25].iter().sum();
    assert_eq!(a.unowned_bytes, a.final_bytes - owned);
    assert_eq!(a.largest_unowned[0], ("opt/app/data.bin".to_string(), 5000));
    assert!(
        a.largest_unowned
            .iter()
            .any(|(p, _)| p == "var/lib/dpkg/status")
    );
    assert!(a.modified.is_empty() && a.removed.is_empty());
    Ok(())
}

#[test]
fn reads_distroless_status_d() -> TestResult {
    let layer = LayerBuilder::new("distroless")
        .dir("var/lib/dpkg/status.d")
        .dir("usr/share/zoneinfo")
        .dir("lib/x86_64-linux-gnu")
        .file("usr/share/zoneinfo/UTC", &bytes(114, b'u'))
        .file("lib/x86_64-linux-gnu/libc.so.6", &bytes(3000, b'c'))
        .file("etc/unowned", &bytes(9, b'e'))
        .file(
            "var/lib/dpkg/status.d/tzdata",
            b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\nInstalled-Size: 1\n",
        )
        .file(
            "var/lib/dpkg/status.d/tzdata.md5sums",
            b"0123456789abcdef0123456789abcdef  usr/share/zoneinfo/UTC\n",
        )
        .file(
            "var/lib/dpkg/status.d/libc6",
            b"Package: libc6\nVersion: 2.36-9+deb12u7\nArchitecture: amd64\nMulti-Arch: same\n",
        )
        .file(
            "var/lib/dpkg/status.d/libc6.md5sums",
            b"0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n",
        );
    let fx = analyse(vec![layer])?;
    assert_eq!(fx.pkg(Dpkg, "tzdata").bytes, 114);
    assert_eq!(fx.pkg(Dpkg, "tzdata").declared_bytes, Some(1024));
    assert_eq!(fx.pkg(Dpkg, "libc6").bytes, 3000);
    assert_eq!(fx.owner("lib/x86_64-linux-gnu/libc.so.6"), Some("libc6"));
    assert_eq!(fx.a.packages.len(), 2);
    Ok(())
}

#[test]
fn installed_package_without_a_list_is_reported() -> TestResult {
    let layer = LayerBuilder::new("slim")
        .file(
            "var/lib/dpkg/status",
            stanza("ghost", "1", "all", "").as_bytes(),
        )
        .file("usr/bin/ghost", b"boo");
    let fx = analyse(vec![layer])?;
    assert_eq!(fx.pkg(Dpkg, "ghost").bytes, 0);
    assert!(
        fx.a.warnings
            .iter()
            .any(|w| w.contains("no file list") && w.contains("ghost"))
    );
    Ok(())
}
