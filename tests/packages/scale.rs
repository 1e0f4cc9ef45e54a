//! Attribution cost on a large synthetic image (~200k entries over 5 layers: dpkg base, an
//! install layer, a chmod/sed layer, pip, npm). Ignored by default; for the figures run
//!   cargo test --release --test packages scale:: -- --ignored --nocapture

use microscope::analysis::packages::attribute;
use microscope::demo::builder::LayerBuilder;
use microscope::image::{LayerScan, Merged};
use microscope::scan::{ScanContext, scan_layer};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

const INFO: &str = "var/lib/dpkg/info";

fn file(i: usize, j: usize) -> String {
    format!("usr/share/p{i:04}/f{j:03}.dat")
}

fn status(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "Package: p{i:04}\nStatus: install ok installed\nArchitecture: amd64\n\
             Version: 1.{i}\nInstalled-Size: 12\nDescription: d\n long\n\n"
        );
    }
    s
}

fn dpkg_layer(
    mut l: LayerBuilder,
    pkgs: std::ops::Range<usize>,
    files: usize,
    total: usize,
) -> LayerBuilder {
    for i in pkgs {
        let mut list = String::from("/.\n/usr\n/usr/share\n");
        let _ = writeln!(list, "/usr/share/p{i:04}");
        for j in 0..files {
            let path = file(i, j);
            l = l.file(&path, &[(i + j) as u8; 200]);
            let _ = writeln!(list, "/{path}");
        }
        l = l.file(&format!("{INFO}/p{i:04}.list"), list.as_bytes());
    }
    l.file("var/lib/dpkg/status", status(total).as_bytes())
}

fn image() -> Vec<LayerBuilder> {
    let base = dpkg_layer(LayerBuilder::new("debootstrap"), 0..2000, 50, 2000);
    let install = dpkg_layer(LayerBuilder::new("apt-get install"), 2000..2500, 20, 2500);
    let mut tweak = LayerBuilder::new("chmod -R, sed");
    for i in 0..1000 {
        for j in 0..50 {
            let content = if j == 0 {
                [7u8; 210]
            } else {
                [(i + j) as u8; 210]
            };
            let size = if j == 0 { 210 } else { 200 };
            tweak = tweak.file_with(&file(i, j), &content[..size], 0o700, 0, 0);
        }
    }
    let mut pip = LayerBuilder::new("pip install");
    let site = "usr/local/lib/python3.11/site-packages";
    for i in 0..300 {
        let mut record = String::new();
        for j in 0..30 {
            let rel = format!("py{i}/m{j}.py");
            pip = pip.file(&format!("{site}/{rel}"), &[1u8; 300]);
            let _ = writeln!(record, "{rel},sha256=x,300");
        }
        let dist = format!("{site}/py{i}-1.0.dist-info");
        pip = pip
            .file(
                &format!("{dist}/METADATA"),
                format!("Name: py{i}\nVersion: 1.0\n").as_bytes(),
            )
            .file(&format!("{dist}/RECORD"), record.as_bytes());
    }
    let mut npm = LayerBuilder::new("npm ci");
    for i in 0..1000 {
        let dir = format!("app/node_modules/n{i}");
        npm = npm.file(
            &format!("{dir}/package.json"),
            format!("{{\"name\":\"n{i}\",\"version\":\"1.0.{i}\"}}").as_bytes(),
        );
        for j in 0..20 {
            npm = npm.file(&format!("{dir}/lib/f{j}.js"), &[2u8; 100]);
        }
    }
    vec![base, install, tweak, pip, npm]
}

#[test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
fn attribution_is_cheap_next_to_the_scan() {
    let tars: Vec<Vec<u8>> = image().into_iter().map(LayerBuilder::build).collect();
    let t = Instant::now();
    let scans: Vec<Arc<LayerScan>> = tars
        .iter()
        .map(|t| Arc::new(scan_layer(&t[..], &ScanContext::default()).unwrap()))
        .collect();
    let scan = t.elapsed();
    let t = Instant::now();
    let merged = Merged::build(&scans);
    let merge = t.elapsed();
    let t = Instant::now();
    let a = attribute(&scans, &merged);
    let attr = t.elapsed();
    let entries: usize = scans.iter().map(|s| s.entries.len()).sum();
    let owned: u64 = a.packages.iter().map(|p| p.bytes).sum();
    assert_eq!(owned + a.unowned_bytes, a.final_bytes);
    assert_eq!(a.packages.len(), 2500 + 300 + 1000);
    assert_eq!(a.modified.len(), 1000);
    println!(
        "{entries} entries, {} packages: scan {scan:?} (in memory, single thread), merge \
         {merge:?}, attribute {attr:?} = +{:.1} % over scan+merge",
        a.packages.len(),
        100.0 * attr.as_secs_f64() / (scan + merge).as_secs_f64()
    );
}
