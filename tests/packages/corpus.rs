//! Package attribution over the real corpus ($MICROSCOPE_CORPUS): the (name, version) set
//! must equal syft's (tests/data/syft/, with the command that made it), and every final byte
//! must be owned by one package or counted unowned. Run with `--nocapture` for the timings.

use crate::support::syft;
use microscope::analysis::packages::{Manager, PackageAnalysis, attribute};
use microscope::analysis::{Analysis, analyze};
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use syft::syft;

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            crate::support::skip("needs MICROSCOPE_CORPUS (the corpus package checks)");
            None
        }
    }
}

struct Run {
    analysis: PackageAnalysis,
    load: Duration,
    analyze: Duration,
    attribute: Duration,
}

fn run(image: &str) -> Option<Run> {
    let path = corpus()?.join(image);
    let reference = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let src = open(&reference, &SourceOptions::default()).unwrap();
    let t = Instant::now();
    let image = load_image(&*src, &LoadOptions::default()).unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let all = analyze(&image);
    let analyze = t.elapsed();
    // Timed again alone: the share attribution takes of the whole analysis.
    let scans = Analysis::scans(&image);
    let t = Instant::now();
    let analysis = attribute(&scans, &all.merged);
    let attribute = t.elapsed();
    assert_eq!(analysis, all.packages);
    Some(Run {
        analysis,
        load,
        analyze,
        attribute,
    })
}

fn found(a: &PackageAnalysis, manager: Manager) -> BTreeSet<(String, String)> {
    a.packages
        .iter()
        .filter(|p| p.manager == manager)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

fn check_bytes(r: &Run, image: &str) {
    let a = &r.analysis;
    let owned: u64 = a.packages.iter().map(|p| p.bytes).sum();
    assert_eq!(
        owned + a.unowned_bytes,
        a.final_bytes,
        "{image}: bytes + unowned = final"
    );
    let without = (r.load + r.analyze).saturating_sub(r.attribute);
    println!(
        "{image}: {} packages own {owned} B, unowned {} B of {} B; load {:?}, analyze {:?} \
         of which attribution {:?}: +{:.1} % over the rest",
        a.packages.len(),
        a.unowned_bytes,
        a.final_bytes,
        r.load,
        r.analyze,
        r.attribute,
        100.0 * r.attribute.as_secs_f64() / without.as_secs_f64()
    );
    for (path, bytes) in a.largest_unowned.iter().take(5) {
        println!("  unowned {bytes:>9} {path}");
    }
    for w in &a.warnings {
        println!("  warning: {w}");
    }
}

#[test]
fn alpine_packages_match_syft() {
    let Some(r) = run("alpine-3.20.docker.tar") else {
        return;
    };
    check_bytes(&r, "alpine");
    let a = &r.analysis;
    assert_eq!(found(a, Manager::Apk), syft("alpine-3.20.apk.txt"));
    assert_eq!(a.final_bytes, 7_792_915);
    // DOMAIN.md: I: is an estimate; alpine-baselayout declares 315392 B and its files come
    // to 6558 B counting its three symlinks' 26 B of target; regular files are 6532 B.
    let base = a
        .packages
        .iter()
        .find(|p| p.name == "alpine-baselayout")
        .unwrap();
    assert_eq!(base.declared_bytes, Some(315_392));
    assert_eq!(base.bytes, 6_532);
    // Busybox applets are symlinks no record lists: they go to busybox by their target.
    assert_eq!(a.owner("bin/ls").map(|p| p.name.as_str()), Some("busybox"));
    assert!(a.modified.is_empty() && a.removed.is_empty());
}

#[test]
fn debian_packages_match_syft() {
    let Some(r) = run("debian-bookworm.oci.tar") else {
        return;
    };
    check_bytes(&r, "debian");
    let a = &r.analysis;
    assert_eq!(found(a, Manager::Dpkg), syft("debian-bookworm.deb.txt"));
    assert_eq!(a.final_bytes, 164_038_815);
    // Merged /usr: coreutils.list says /bin/ls, the tar has usr/bin/ls.
    assert_eq!(
        a.owner("usr/bin/ls").map(|p| p.name.as_str()),
        Some("coreutils")
    );
    // The diversion keeps /bin/sh with dash.
    assert_eq!(a.owner("usr/bin/sh").map(|p| p.name.as_str()), Some("dash"));
    let libzstd = a.packages.iter().find(|p| p.name == "libzstd1").unwrap();
    assert!(libzstd.bytes > 0, "Multi-Arch: same list read");
    assert!(a.packages.iter().all(|p| p.layer == 0));
}
