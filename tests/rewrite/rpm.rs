//! The rewrite on Red Hat-family images: each library the program needs maps to the rpm
//! the image's own database says ships it, ubi-micro is offered with those rpms, and a
//! closure scratch cannot carry stays on ubi-minimal rather than a Debian base.

use crate::support::rewrite;
use crate::support::rpm;

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;
use rewrite::{Elf, rewrite};
use rpm::{header, rpmdb};

const LIB: u16 = 0o100_755;

/// A UBI 9-like base: merged /usr, glibc, zlib and foo-libs in /usr/lib64, the database.
fn ubi() -> LayerBuilder {
    let ld = Elf::lib("ld-linux-x86-64.so.2", &[]);
    let libc = Elf::lib("libc.so.6", &["ld-linux-x86-64.so.2"]);
    let db = rpmdb(&[
        header(
            "glibc",
            "2.34",
            6_000_000,
            &[
                ("/usr/lib64/", "ld-linux-x86-64.so.2", LIB),
                ("/usr/lib64/", "libc.so.6", LIB),
            ],
        ),
        header(
            "zlib",
            "1.2.11",
            200_000,
            &[("/usr/lib64/", "libz.so.1", LIB)],
        ),
        header(
            "foo-libs",
            "3.0",
            900_000,
            &[("/usr/lib64/", "libfoo.so.1", LIB)],
        ),
        // Listed, but a later `rm` took the file out of the image.
        header(
            "gone-libs",
            "7.0",
            50_000,
            &[("/usr/lib64/", "libgone.so.7", LIB)],
        ),
        // A name no rpm has: never written into a Dockerfile.
        header(
            "evil;rm -rf",
            "1",
            1,
            &[("/usr/lib64/", "libevil.so.1", LIB)],
        ),
    ]);
    LayerBuilder::new("ubi9 base")
        .dir("usr")
        .dir("usr/bin")
        .dir("usr/lib64")
        .dir("var/lib/rpm")
        .symlink("bin", "usr/bin")
        .symlink("lib64", "usr/lib64")
        .file_with("usr/lib64/ld-linux-x86-64.so.2", &ld.build(), 0o755, 0, 0)
        .file("usr/lib64/libc.so.6", &libc.build())
        .file("usr/lib64/libz.so.1", &Elf::lib("libz.so.1", &["libc.so.6"]).build())
        .file("usr/lib64/libfoo.so.1", &Elf::lib("libfoo.so.1", &["libz.so.1"]).build())
        .file(
            "etc/os-release",
            b"NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n",
        )
        .file("var/lib/rpm/rpmdb.sqlite", &db)
}

fn image(app: LayerBuilder) -> ImageBuilder {
    let mut img = ImageBuilder::new("test/rhel-app:latest")
        .layer(ubi())
        .layer(app);
    img.run = RunConfig {
        entrypoint: vec!["/app/server".into()],
        ..Default::default()
    };
    img
}

#[test]
fn libraries_map_to_the_images_own_rpms_and_ubi_micro_is_offered() {
    let server = Elf::glibc().needs(&["libfoo.so.1"]);
    let app = LayerBuilder::new("app").file_with("app/server", &server.build(), 0o755, 0, 0);
    let (_, r) = rewrite(&image(app));
    assert_eq!(r.base, "scratch", "{}", r.reason);
    let map: Vec<(&str, &str)> = r
        .rpm_packages
        .iter()
        .map(|p| (p.soname.as_str(), p.package.as_str()))
        .collect();
    for want in [
        ("libc.so.6", "glibc"),
        ("libz.so.1", "zlib"),
        ("libfoo.so.1", "foo-libs"),
        ("ld-linux-x86-64.so.2", "glibc"),
    ] {
        assert!(map.contains(&want), "{want:?} in {map:?}");
    }
    let foo = r
        .rpm_packages
        .iter()
        .find(|p| p.package == "foo-libs")
        .unwrap();
    assert_eq!(
        (foo.version.as_str(), foo.declared_bytes),
        ("3.0-1.el9", Some(900_000))
    );
    let micro = r
        .alternatives
        .iter()
        .find(|a| a.base.ends_with("ubi9/ubi-micro"))
        .unwrap_or_else(|| panic!("{:?}", r.alternatives));
    assert!(
        micro.note.contains("install foo-libs zlib"),
        "{}",
        micro.note
    );
    assert!(
        !micro.note.contains("glibc "),
        "glibc is in ubi-micro: {}",
        micro.note
    );
}

#[test]
fn a_closure_scratch_cannot_carry_stays_on_ubi_minimal() {
    let server = Elf::glibc().needs(&["libfoo.so.1", "libgone.so.7", "libevil.so.1"]);
    let app = LayerBuilder::new("app").file_with("app/server", &server.build(), 0o755, 0, 0);
    let (_, r) = rewrite(&image(app));
    assert_eq!(
        r.base, "registry.access.redhat.com/ubi9/ubi-minimal",
        "{}",
        r.reason
    );
    assert!(r.reason.contains("libgone.so.7"), "{}", r.reason);
    assert!(
        r.dockerfile
            .contains("FROM registry.access.redhat.com/ubi9/ubi-minimal"),
        "{}",
        r.dockerfile
    );
    assert!(
        r.dockerfile
            .contains("RUN microdnf install -y --nodocs gone-libs && microdnf clean all\n"),
        "{}",
        r.dockerfile
    );
    assert!(!r.dockerfile.contains("evil;"), "{}", r.dockerfile);
}

#[test]
fn a_debian_image_has_no_rpm_mapping() {
    let server = Elf::glibc().needs(&["libfoo.so.1"]);
    let app = LayerBuilder::new("app")
        .file_with("app/server", &server.build(), 0o755, 0, 0)
        .file("etc/os-release", b"ID=debian\nVERSION_CODENAME=bookworm\n");
    let (_, r) = rewrite(&image(app));
    assert!(r.rpm_packages.is_empty(), "{:?}", r.rpm_packages);
    assert!(r.alternatives.iter().all(|a| !a.base.contains("ubi")));
}
