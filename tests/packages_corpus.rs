//! Package attribution over the real corpus ($MICROSCOPE_CORPUS): the (name, version) set
//! must equal syft's (tests/data/syft/, with the command that made it), and every final byte
//! must be owned by one package or counted unowned.

use microscope::analysis::packages::{Manager, PackageAnalysis, attribute};
use microscope::image::{LayerScan, Merged};
use microscope::scan::{ScanContext, scan_layer};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            println!("MICROSCOPE_CORPUS is not set: skipping the corpus package checks");
            None
        }
    }
}

/// Every member of an outer archive (docker-archive or oci-archive), by name.
fn members(path: &std::path::Path) -> HashMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(file);
    let mut out = HashMap::new();
    for entry in archive.entries().unwrap() {
        let mut e = entry.unwrap();
        let name = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).unwrap();
        out.insert(name, buf);
    }
    out
}

/// Layer blobs in order, from a `docker save` archive or an OCI archive.
fn layer_blobs(files: &HashMap<String, Vec<u8>>) -> Vec<&[u8]> {
    let json = |name: &str| -> serde_json::Value { serde_json::from_slice(&files[name]).unwrap() };
    let blob = |digest: &str| files[&format!("blobs/sha256/{}", &digest[7..])].as_slice();
    if files.contains_key("manifest.json") {
        let m = json("manifest.json");
        return m[0]["Layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| files[l.as_str().unwrap()].as_slice())
            .collect();
    }
    let index = json("index.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap();
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| blob(l["digest"].as_str().unwrap()))
        .collect()
}

struct Run {
    analysis: PackageAnalysis,
    scan: Duration,
    merge: Duration,
    attribute: Duration,
}

fn run(image: &str) -> Option<Run> {
    let path = corpus()?.join(image);
    let files = members(&path);
    let t = Instant::now();
    let scans: Vec<Arc<LayerScan>> = layer_blobs(&files)
        .into_iter()
        .map(|b| Arc::new(scan_layer(b, &ScanContext::default()).unwrap()))
        .collect();
    let scan = t.elapsed();
    let t = Instant::now();
    let merged = Merged::build(&scans);
    let merge = t.elapsed();
    let t = Instant::now();
    let analysis = attribute(&scans, &merged);
    let attribute = t.elapsed();
    Some(Run {
        analysis,
        scan,
        merge,
        attribute,
    })
}

fn syft(list: &str) -> BTreeSet<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/syft")
        .join(list);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
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
    println!(
        "{image}: {} packages own {owned} B, unowned {} B of {} B; scan {:?}, merge {:?}, \
         attribute {:?} ({:.1} % of scan+merge)",
        a.packages.len(),
        a.unowned_bytes,
        a.final_bytes,
        r.scan,
        r.merge,
        r.attribute,
        100.0 * r.attribute.as_secs_f64() / (r.scan + r.merge).as_secs_f64()
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
