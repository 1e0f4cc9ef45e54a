//! The inspector on the corpus: micro-debug and micro-latest are the same Go server built
//! without and with `-ldflags="-s -w"`, so the predicted saving of the first must match the
//! real size difference of the two binaries.

use crate::support::elf;

use elf::corpus;
use microscope::image::facts::{ElfInfo, Linkage};
use microscope::scan::elf::inspect;

/// The `hello` binary of a micro image: its size and ELF facts from the scan.
fn hello(name: &str) -> Option<(u64, ElfInfo)> {
    let loaded = corpus::load(name)?;
    loaded.scans.iter().find_map(|s| {
        let (i, info) = s
            .captured
            .elf
            .iter()
            .find(|(i, _)| &*s.entries[*i as usize].path == "hello")?;
        Some((s.entries[*i as usize].size, info.clone()))
    })
}

#[test]
fn go_s_w_saving_predicted_within_5_percent() {
    let (Some((debug_size, debug)), Some((latest_size, latest))) = (
        hello("micro-debug.docker.tar"),
        hello("micro-latest.docker.tar"),
    ) else {
        return;
    };
    let real = debug_size - latest_size;
    let predicted = debug.strip_bytes;
    let error = (predicted as f64 - real as f64).abs() / real as f64;
    eprintln!(
        "go -s -w: predicted {predicted} B, real difference {real} B ({:.3} %)",
        error * 100.0
    );
    assert!(error < 0.05, "predicted {predicted}, real {real}");
    assert_eq!(latest.strip_bytes, 0);
    for info in [&debug, &latest] {
        let go = info.go.as_ref().expect("a Go binary");
        assert_eq!(go.version.as_deref(), Some("go1.19.8"));
        assert_eq!(go.cgo_enabled, Some(false));
        assert!(go.needs.ca_bundle && !go.needs.cgo);
        assert_eq!(info.linkage, Linkage::Static);
    }
    assert_eq!(
        latest.go.as_ref().unwrap().ldflags.as_deref(),
        Some("-s -w")
    );
    assert!(latest.zstd1_bytes.is_some_and(|z| z < latest_size));
}

#[test]
fn inspect_cost_per_megabyte() {
    if corpus::path("micro-debug.docker.tar").is_none() {
        return;
    }
    // Time the parse alone (not executable: no compression estimate), then with zstd-1.
    let bytes = extract_hello();
    let mb = bytes.len() as f64 / 1e6;
    let t = std::time::Instant::now();
    for _ in 0..20 {
        assert!(inspect(&bytes, false).is_some());
    }
    let parse = t.elapsed().as_secs_f64() / 20.0;
    let t = std::time::Instant::now();
    assert!(inspect(&bytes, true).unwrap().zstd1_bytes.is_some());
    let full = t.elapsed().as_secs_f64();
    eprintln!(
        "inspect: {:.3} ms/MB without compression estimate, {:.1} ms/MB with zstd-1 ({} build)",
        parse * 1e3 / mb,
        full * 1e3 / mb,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}

/// The micro-debug binary's bytes, read straight from its layer tar.
fn extract_hello() -> Vec<u8> {
    use std::io::Read;
    let path = corpus::path("micro-debug.docker.tar").unwrap();
    let mut outer = tar::Archive::new(std::fs::File::open(path).unwrap());
    for e in outer.entries().unwrap() {
        let mut e = e.unwrap();
        if !e.path().unwrap().to_string_lossy().ends_with("layer.tar") {
            continue;
        }
        let mut layer = Vec::new();
        e.read_to_end(&mut layer).unwrap();
        let mut inner = tar::Archive::new(&layer[..]);
        for f in inner.entries().unwrap() {
            let mut f = f.unwrap();
            if f.path().unwrap().to_string_lossy() == "hello" {
                let mut out = Vec::new();
                f.read_to_end(&mut out).unwrap();
                return out;
            }
        }
    }
    panic!("no hello in micro-debug");
}
