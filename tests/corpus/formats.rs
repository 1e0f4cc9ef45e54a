//! The real images of `$MICROSCOPE_CORPUS`: every format of an image gives the same numbers,
//! the numbers match the corpus README, and reclaimable bytes match a ground truth computed
//! here, independently, from the raw layer tars.

use crate::support::corpus;
use microscope::analysis::analyze;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::report::Report;
use microscope::source::{SourceOptions, open};
use std::collections::BTreeMap;
use std::io::Read;

fn report(reference: &str) -> Report {
    let r = ImageRef::parse(reference).unwrap();
    let src = open(&r, &SourceOptions::default()).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let image =
        load_image(&*src, &LoadOptions::default()).unwrap_or_else(|e| panic!("{reference}: {e}"));
    Report::build(&image, &analyze(&image))
}

/// (file, layers_bytes, final_bytes, compressed_bytes or 0 when the format stores layers raw)
const EXPECTED: &[(&str, u64, u64, u64)] = &[
    ("alpine-3.20.docker.tar", 7_792_915, 7_792_915, 0),
    ("alpine-3.20.oci.tar", 7_792_915, 7_792_915, 3_717_570),
    ("variants/alpine-3.20.oci-zstd", 7_792_915, 7_792_915, 0),
    (
        "variants/alpine-3.20.oci-uncompressed",
        7_792_915,
        7_792_915,
        0,
    ),
    (
        "variants/alpine-3.20.skopeo-docker.tar",
        7_792_915,
        7_792_915,
        0,
    ),
    ("variants/alpine-3.20.docker25.tar", 7_792_915, 7_792_915, 0),
    ("variants/multi.oci.tar", 7_792_915, 7_792_915, 3_717_570),
    (
        "debian-bookworm.oci.tar",
        164_038_815,
        164_038_815,
        63_329_868,
    ),
    ("micro-latest.docker.tar", 4_809_593, 4_809_593, 0),
    ("micro-latest.oci.tar", 4_809_593, 4_809_593, 2_197_481),
    (
        "variants/micro-latest.docker25.tar",
        4_809_593,
        4_809_593,
        0,
    ),
    ("micro-debug.docker.tar", 6_854_620, 6_854_620, 0),
    ("dive-test-image.docker.tar", 1_220_598, 1_188_573, 0),
];

#[test]
fn every_format_gives_the_readme_numbers() {
    let Some(dir) = corpus() else { return };
    for &(file, layers, fin, compressed) in EXPECTED {
        let r = report(&dir.join(file).to_string_lossy());
        assert_eq!(r.size.layers_bytes, layers, "{file}: layers_bytes");
        assert_eq!(r.size.final_bytes, fin, "{file}: final_bytes");
        assert_eq!(
            r.size.reclaimable_bytes,
            layers - fin,
            "{file}: reclaimable"
        );
        if compressed > 0 {
            assert_eq!(
                r.size.compressed_bytes, compressed,
                "{file}: compressed_bytes"
            );
        }
    }
}

#[test]
fn formats_of_one_image_agree_on_layers_and_files() {
    let Some(dir) = corpus() else { return };
    let forms = [
        "alpine-3.20.docker.tar",
        "alpine-3.20.oci.tar",
        "variants/alpine-3.20.oci-zstd",
        "variants/alpine-3.20.skopeo-docker.tar",
        "variants/alpine-3.20.docker25.tar",
    ];
    let reports: Vec<Report> = forms
        .iter()
        .map(|f| report(&dir.join(f).to_string_lossy()))
        .collect();
    for (f, r) in forms.iter().zip(&reports).skip(1) {
        assert_eq!(r.layers.len(), reports[0].layers.len(), "{f}");
        for (a, b) in r.layers.iter().zip(&reports[0].layers) {
            assert_eq!(a.diff_id, b.diff_id, "{f}: diff_id");
            assert_eq!((a.bytes, a.entries), (b.bytes, b.entries), "{f}");
        }
    }
    let zstd = &reports[2];
    assert_eq!(zstd.layers[0].compression.name(), "zstd");
}

#[test]
fn platform_choice_in_a_multi_platform_index() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("variants/multi.oci.tar");
    let r = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let arm = SourceOptions {
        platform: microscope::image::Platform::parse("linux/arm64"),
        ..Default::default()
    };
    let src = open(&r, &arm).unwrap();
    assert_eq!(src.meta().platform.architecture, "arm64");
    let none = SourceOptions {
        platform: microscope::image::Platform::parse("linux/s390x"),
        ..Default::default()
    };
    let err = open(&r, &none).err().expect("no s390x image").to_string();
    assert!(
        err.contains("linux/amd64") && err.contains("linux/arm64"),
        "{err}"
    );
}

/// Ground truth the simple way: replay each layer tar into a map, quadratic whiteout removal.
fn ground_truth_final_bytes(docker_archive: &std::path::Path) -> (u64, u64) {
    let mut outer = tar::Archive::new(std::fs::File::open(docker_archive).unwrap());
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for e in outer.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.insert(name, data);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let mut fs: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0;
    for layer in manifest[0]["Layers"].as_array().unwrap() {
        let data = &files[layer.as_str().unwrap()];
        let mut t = tar::Archive::new(&data[..]);
        let mut adds = Vec::new();
        for e in t.entries().unwrap() {
            let e = e.unwrap();
            let p = e
                .path()
                .unwrap()
                .to_string_lossy()
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string();
            let name = p.rsplit('/').next().unwrap().to_string();
            let dir = p.strip_suffix(&name).unwrap_or("").to_string();
            if name == ".wh..wh..opq" {
                let d = dir.clone();
                fs.retain(|k, _| !k.starts_with(&d));
            } else if let Some(target) = name.strip_prefix(".wh.") {
                let gone = format!("{dir}{target}");
                fs.retain(|k, _| *k != gone && !k.starts_with(&format!("{gone}/")));
            } else {
                let size = if e.header().entry_type().is_file() {
                    e.size()
                } else {
                    0
                };
                total += size;
                adds.push((p, size));
            }
        }
        for (p, s) in adds {
            fs.retain(|k, _| !k.starts_with(&format!("{p}/")) || s == 0);
            fs.insert(p, s);
        }
    }
    (total, fs.values().sum())
}

#[test]
fn reclaimable_matches_an_independent_ground_truth() {
    let Some(dir) = corpus() else { return };
    for file in [
        "dive-test-image.docker.tar",
        "alpine-3.20.docker.tar",
        "micro-debug.docker.tar",
    ] {
        let path = dir.join(file);
        let (layers, fin) = ground_truth_final_bytes(&path);
        let r = report(&path.to_string_lossy());
        assert_eq!(r.size.layers_bytes, layers, "{file}");
        assert_eq!(r.size.final_bytes, fin, "{file}");
        assert_eq!(r.size.reclaimable_bytes, layers - fin, "{file}");
    }
}

#[test]
fn dive_test_image_counts_rm_rf_as_waste() {
    let Some(dir) = corpus() else { return };
    let r = report(&dir.join("dive-test-image.docker.tar").to_string_lossy());
    // dive reports 32,025 "inefficient" bytes but counts surviving copies and misses the
    // `rm -rf /root/example/` of somefile2.txt; the true reclaimable figure is 32,025 too,
    // made of different bytes: overwritten and deleted copies only.
    assert_eq!(r.size.reclaimable_bytes, 32_025);
    assert!(r.size.reclaimable.deleted_bytes > 0, "rm -rf counted");
    assert!(r.waste.iter().any(|w| w.path.ends_with("somefile2.txt")));
}
