//! Compare over the real images of `$MICROSCOPE_CORPUS`: the two builds of the micro server
//! (same layout, the binary differs), and debian:bookworm against an app image built here
//! on its very layer tar (the corpus's python-app is too big to ship), whose base must be
//! recognised as shared and scanned once although one side stores it gzipped and the other
//! as a plain `docker save` layer.

use crate::support::corpus;
use microscope::analysis::analyze;
use microscope::analysis::compare::Comparison;
use microscope::analysis::compare::tree::Status;
use microscope::demo::builder::LayerBuilder;
use microscope::image::{Image, Platform};
use microscope::jobs::compare::{Pair, PairOptions, load_and_compare};
use microscope::reference::ImageRef;
use microscope::report::Report;
use microscope::source::store::{BlobStore, TarStore};
use microscope::source::{ImageSource, SourceOptions, open};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

fn source(reference: &str) -> Box<dyn ImageSource> {
    let r = ImageRef::parse(reference).unwrap();
    open(&r, &SourceOptions::default()).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn compared(left: &str, right: &str) -> (Pair, Comparison) {
    let (l, r) = (source(left), source(right));
    let c = load_and_compare(&*l, &*r, &PairOptions::default()).unwrap();
    (c.pair, c.comparison)
}

#[test]
fn micro_latest_against_micro_debug() {
    let Some(dir) = corpus() else { return };
    let (pair, c) = compared(
        &dir.join("micro-latest.docker.tar").to_string_lossy(),
        &dir.join("micro-debug.docker.tar").to_string_lossy(),
    );
    let s = &c.summary;
    assert_eq!(
        (s.final_bytes.left, s.final_bytes.right),
        (4_809_593, 6_854_620)
    );
    assert_eq!(s.final_bytes.delta, 2_045_027, "what -s -w strips");
    assert_eq!((s.layers.delta, s.files.delta), (0, 0));
    // The CA bundle layer is the same tar in both builds.
    assert_eq!((c.layers.shared_base, c.layers.shared), (1, 1));
    assert_eq!(c.layers.rows.len(), 2);
    assert_eq!((pair.scanned, pair.reused), (3, 1));
    let t = &c.tree.totals;
    assert_eq!((t.only_left.entries, t.only_right.entries), (0, 0));
    assert_eq!((t.changed.entries, t.changed.delta), (1, 2_045_027));
    assert_eq!(t.same.entries, 1);
    let changed: Vec<_> = c
        .tree
        .paths
        .iter()
        .filter(|p| p.status == Status::Changed)
        .map(|p| (p.path.to_string(), p.left_bytes(), p.right_bytes()))
        .collect();
    assert_eq!(changed, [("hello".to_string(), 4_587_520, 6_632_547)]);
}

/// Writes a `docker save` directory: debian-bookworm's layer tar, decompressed from the
/// OCI archive's gzip blob, plus a small app layer. Returns the base tar's diff_id and size.
fn app_image_on_debian(oci: &Path, out: &Path, app_layer: &[u8]) -> (String, u64) {
    let store = TarStore::open(oci).unwrap();
    let json = |path: &str| -> serde_json::Value {
        serde_json::from_slice(&store.read_small(path).unwrap()).unwrap()
    };
    let blob = |digest: &serde_json::Value| {
        format!(
            "blobs/sha256/{}",
            &digest.as_str().unwrap()["sha256:".len()..]
        )
    };
    let index = json("index.json");
    let manifest = json(&blob(&index["manifests"][0]["digest"]));
    let layer = blob(&manifest["layers"][0]["digest"]);
    std::fs::create_dir_all(out.join("base")).unwrap();
    std::fs::create_dir_all(out.join("app")).unwrap();
    let mut gz = flate2::read::MultiGzDecoder::new(store.open(&layer).unwrap());
    let mut file = std::fs::File::create(out.join("base/layer.tar")).unwrap();
    let (mut sha, mut size, mut buf) = (Sha256::new(), 0u64, vec![0u8; 1 << 16]);
    loop {
        let n = gz.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        file.write_all(&buf[..n]).unwrap();
        size += n as u64;
    }
    let base_id = format!("sha256:{}", hex::encode(sha.finalize()));
    std::fs::write(out.join("app/layer.tar"), app_layer).unwrap();
    let app_id = format!("sha256:{}", hex::encode(Sha256::digest(app_layer)));
    let config = serde_json::json!({
        "architecture": Platform::host().architecture, "os": "linux",
        "config": {"Cmd": ["python3", "/app/main.py"]},
        "rootfs": {"type": "layers", "diff_ids": [base_id, app_id]},
        "history": [{"created_by": "ADD rootfs.tar /"}, {"created_by": "COPY app /app"}],
    });
    std::fs::write(out.join("config.json"), config.to_string()).unwrap();
    let manifest = serde_json::json!([{
        "Config": "config.json", "RepoTags": ["python-app:latest"],
        "Layers": ["base/layer.tar", "app/layer.tar"],
    }]);
    std::fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    (base_id, size)
}

#[test]
fn debian_against_an_app_on_its_base_layer() {
    let Some(dir) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let app_dir = tmp.path().join("python-app");
    let app_layer = LayerBuilder::new("COPY app /app")
        .dir("app")
        .file("app/main.py", &[b'#'; 1234])
        .file("app/requirements.txt", &[b'r'; 56])
        .build();
    let debian = dir.join("debian-bookworm.oci.tar");
    let (base_id, base_size) = app_image_on_debian(&debian, &app_dir, &app_layer);
    let (pair, c) = compared(&debian.to_string_lossy(), &app_dir.to_string_lossy());

    assert_eq!(
        (c.layers.shared_base, c.layers.shared),
        (1, 1),
        "the base is shared"
    );
    assert_eq!(c.layers.shared_bytes, 164_038_815);
    assert_eq!(pair.left.layers[0].scan.diff_id, base_id);
    assert_eq!(
        (pair.scanned, pair.reused),
        (2, 1),
        "the base is scanned once"
    );
    // The reused scan says what the plain tar is, not what the gzip blob was.
    let base = &pair.right.layers[0].scan;
    assert_eq!(
        (base.digest.as_str(), base.compression.name()),
        (base_id.as_str(), "tar")
    );
    assert_eq!(base.compressed_bytes, base_size);
    assert_eq!(pair.left.layers[0].scan.compressed_bytes, 63_329_868);

    let s = &c.summary;
    assert_eq!(
        (s.final_bytes.left, s.final_bytes.delta),
        (164_038_815, 1290)
    );
    assert_eq!((s.layers.left, s.layers.right), (1, 2));
    let t = &c.tree.totals;
    assert_eq!((t.only_right.entries, t.only_right.right_bytes), (2, 1290));
    assert_eq!((t.only_left.entries, t.changed.entries), (0, 0));
    assert_eq!(t.same.left_bytes, 164_038_815);
    assert_eq!(
        c.tree.dirs.get("app").map(|d| d.status),
        Some(Status::OnlyRight)
    );
    // Every Debian package is on both sides, unchanged; the app's files are owned by none.
    assert!(c.packages.unchanged >= 90, "{}", c.packages.unchanged);
    assert!(c.packages.is_empty());
    let e = microscope::analysis::compare::explain::explain(&c, 8);
    let items: Vec<_> = e
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.dir, i.delta))
        .collect();
    assert_eq!(items, [("app", true, 1290)]);
    assert_eq!(e.other_delta, 0);
    let right = report(&pair.right);
    assert_eq!(right.layers[1].command, "COPY app /app");
}

fn report(image: &Image) -> Report {
    Report::build(image, &analyze(image))
}
