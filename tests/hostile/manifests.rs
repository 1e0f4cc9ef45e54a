//! Manifests, indexes and configs that lie, loop, nest or go on for ever.

use crate::util::*;
use serde_json::json;
use std::time::Duration;

fn layer(i: usize) -> Vec<u8> {
    RawTar::new()
        .file(format!("f{i}").as_bytes(), b"content")
        .finish()
}

fn gz_layer() -> (Vec<u8>, String) {
    let tar = layer(0);
    (gzip(&tar), sha256(&tar))
}

/// An OCI layout of one gzip layer, with `tweak` applied to config and manifest.
fn oci(
    tweak: impl FnOnce(&mut serde_json::Value, &mut serde_json::Value),
) -> Vec<(String, Vec<u8>)> {
    let (blob, diff_id) = gz_layer();
    oci_files(&[blob], &[diff_id], tweak)
}

fn run_files(files: &[(String, Vec<u8>)]) -> Outcome {
    let dir = write_dir(files);
    run(dir.path())
}

fn replace(files: &mut [(String, Vec<u8>)], path_prefix: &str, f: impl Fn(&mut Vec<u8>)) {
    let (_, bytes) = files
        .iter_mut()
        .find(|(p, _)| p.starts_with(path_prefix))
        .unwrap();
    f(bytes);
}

#[test]
fn a_well_formed_layout_is_accepted() {
    let report = run_files(&oci(|_, _| {})).report();
    assert_eq!(report["size"]["final_bytes"], 7);
}

#[test]
fn layer_blob_that_does_not_match_its_digest() {
    let (blob, diff_id) = gz_layer();
    let mut files = oci_files(std::slice::from_ref(&blob), &[diff_id], |_, _| {});
    let path = blob_path(&sha256(&blob));
    // Same size, other content: a gzip of a different layer padded to the same length
    // would do; flipping the mtime byte of the gzip header is enough.
    replace(&mut files, &path, |b| b[4] ^= 1);
    run_files(&files).error("blob digest mismatch");
}

#[test]
fn config_or_manifest_that_does_not_match_its_digest() {
    let mut files = oci(|_, _| {});
    // Files are: oci-layout, layer, config, manifest, index.json.
    let config = files[2].0.clone();
    replace(&mut files, &config, |b| b.push(b' '));
    run_files(&files).error("config digest mismatch");
    let mut files = oci(|_, _| {});
    let manifest = files[3].0.clone();
    replace(&mut files, &manifest, |b| b.push(b' '));
    run_files(&files).error("manifest digest mismatch");
}

#[test]
fn diff_id_that_does_not_match_the_layer() {
    let (blob, _) = gz_layer();
    let files = oci_files(&[blob], &[sha256(b"something else")], |_, _| {});
    run_files(&files).error("diff_id mismatch");
}

#[test]
fn layer_size_that_does_not_match_the_manifest() {
    let files = oci(|_, m| m["layers"][0]["size"] = json!(3));
    run_files(&files).error("longer than its descriptor's size");
    let files = oci(|_, m| m["layers"][0]["size"] = json!(1 << 20));
    run_files(&files).error("blob size mismatch");
}

#[test]
fn legacy_docker_archive_config_that_does_not_match_its_name() {
    let mut archive = docker_archive(vec![layer(0)]);
    // The config is stored as `<sha256>.json`: change one byte of it in place.
    let at = find(&archive, b"\"2024-01-01").unwrap();
    archive[at + 4] = b'5';
    let img = write_file("image.tar", &archive);
    run(&img.path).error("config digest mismatch");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn manifest_naming_a_missing_blob() {
    let (blob, _) = gz_layer();
    let mut files = oci(|_, _| {});
    let path = blob_path(&sha256(&blob));
    files.retain(|(p, _)| *p != path);
    run_files(&files).error("which is not in it");
    let mut files = oci(|_, _| {});
    files.remove(2); // the config
    run_files(&files).error("which is not in it");
}

#[test]
fn docker_archive_naming_paths_outside_the_archive() {
    for layer_path in ["../../../../etc/passwd", "/etc/passwd", "blobs/../../x"] {
        let dir = tempfile::tempdir().unwrap();
        let config =
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        std::fs::write(dir.path().join("c.json"), config).unwrap();
        let manifest = json!([{"Config": "c.json", "Layers": [layer_path]}]);
        std::fs::write(
            dir.path().join("manifest.json"),
            serde_json::to_vec(&manifest).unwrap(),
        )
        .unwrap();
        run(dir.path()).error("which is not in it");
    }
}

#[test]
fn index_that_points_to_itself() {
    // sha512 digests are verified (issue 17), so an index cannot name itself: the digest
    // check stops it before the depth limit would.
    let fake = format!("sha512:{}", "ab".repeat(64));
    let nested = json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
                       "digest": fake, "size": 100}],
    });
    let nested = serde_json::to_vec(&nested).unwrap();
    let files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (format!("blobs/sha512/{}", "ab".repeat(64)), nested.clone()),
        ("index.json".to_string(), nested),
    ];
    let out = within(Duration::from_secs(30), move || run_files(&files));
    out.error("index digest mismatch");
}

#[test]
fn four_thousand_layers_are_read() {
    let n = microscope::source::config::MAX_LAYERS;
    let layers: Vec<Vec<u8>> = (0..n).map(layer).collect();
    let img = write_file("image.tar", &docker_archive(layers));
    let report = run(&img.path).report();
    assert_eq!(report["layers"].as_array().unwrap().len(), n);
    assert_eq!(report["size"]["final_bytes"], 7 * n);
}

/// Issue 17 class 6: 300 000 layers in a manifest cost ~4 KB each before any is read.
#[test]
fn absurd_layer_counts_are_refused_early_in_bounded_memory() {
    // 20 000 fit in a 4 MiB manifest; more are refused by the manifest's size bound.
    let n = 20_000;
    let desc = json!({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                      "digest": format!("sha256:{}", "0".repeat(64)), "size": 1});
    let files = oci(|_, m| m["layers"] = json!(vec![desc.clone(); n]));
    let o = run_files(&files);
    o.error("lists 20000 layers; microscope reads at most 4096");
    assert!(o.peak_kib < 300 << 10, "peak RSS {} KiB", o.peak_kib);
    let img = write_file("image.tar", &docker_archive(vec![layer(0); 5000]));
    run(&img.path).error("lists 5000 layers");
    // The issue's case: 300 000 layers make a 40 MB manifest, refused before it is parsed.
    let files = oci(|_, m| m["layers"] = json!(vec![desc.clone(); 300_000]));
    let o = run_files(&files);
    o.error("more than the 4 MiB limit");
    assert!(o.peak_kib < 300 << 10, "peak RSS {} KiB", o.peak_kib);
}

/// A config JSON with `extra` spliced in as a top-level field.
fn config_with(extra: &str) -> Vec<u8> {
    let (_, diff_id) = gz_layer();
    let arch = microscope::image::Platform::host().architecture;
    format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}},{extra}}}"#
    )
    .into_bytes()
}

/// An OCI layout around a given config.
fn oci_with_config(config: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let (blob, diff_id) = gz_layer();
    let digest = sha256(&config);
    let len = config.len();
    let mut files = oci_files(&[blob], &[diff_id], |_, m| {
        m["config"]["digest"] = json!(digest);
        m["config"]["size"] = json!(len);
    });
    files.push((blob_path(&digest), config));
    files
}

#[test]
fn config_with_a_hundred_mb_history() {
    let mut extra = String::from(r#""history":["#);
    let item = format!(r#"{{"created_by":"/bin/sh -c {}"}},"#, "x".repeat(80));
    let n = (100 << 20) / item.len();
    for _ in 0..n {
        extra.push_str(&item);
    }
    extra.push_str(r#"{"created_by":"last"}]"#);
    let files = oci_with_config(config_with(&extra));
    let report = run_files(&files).report();
    assert!(
        report["layers"][0]["command"]
            .as_str()
            .unwrap()
            .starts_with("/bin/sh -c xxx")
    );
}

#[test]
fn config_over_the_metadata_limit_is_refused() {
    let extra = format!(r#""pad":"{}""#, "x".repeat(129 << 20));
    run_files(&oci_with_config(config_with(&extra))).error("too large for metadata");
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// Deep nesting is refused (serde_json's recursion limit, or a type error) where a value is parsed, and
/// skipped without recursion where a field is ignored; never a stack overflow.
#[test]
fn json_nested_a_hundred_thousand_deep() {
    let deep = nested(100_000);
    // Under a config field nobody reads: skipped iteratively, the image is fine.
    let files = oci_with_config(config_with(&format!(r#""junk":{deep}"#)));
    run_files(&files).report();
    // Where the config has a value to parse.
    let files = oci_with_config(config_with(&format!(r#""config":{{"Env":{deep}}}"#)));
    run_files(&files).error("cannot be parsed");
    // As index.json.
    let mut files = oci(|_, _| {});
    replace(&mut files, "index.json", |b| {
        *b = format!(r#"{{"schemaVersion":2,"manifests":{deep}}}"#).into_bytes()
    });
    run_files(&files).error("cannot be parsed");
    // In a manifest (digest kept consistent).
    let mut files = oci(|_, _| {});
    let manifest = format!(r#"{{"schemaVersion":2,"config":{deep}}}"#).into_bytes();
    let digest = sha256(&manifest);
    files.push((blob_path(&digest), manifest.clone()));
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest, "size": manifest.len()}]});
    replace(&mut files, "index.json", |b| {
        *b = serde_json::to_vec(&index).unwrap()
    });
    run_files(&files).error("cannot be parsed");
    // As a docker save manifest.json.
    let img = write_file("manifest.json", format!("[{deep}]").as_bytes());
    run(img.dir.path()).error("cannot be parsed");
}

#[test]
fn wrong_media_types() {
    // A gzip layer labelled as a config (and a config labelled as a layer): containerd
    // unpacks no layer of a type it does not know, and this is an artifact by issue 18's
    // rule (a config that is not an image config): refused in one line.
    let files = oci(|_, m| {
        m["layers"][0]["mediaType"] = json!("application/vnd.oci.image.config.v1+json");
        m["config"]["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar");
    });
    run_files(&files)
        .error("is an OCI artifact (config type application/vnd.oci.image.layer.v1.tar)");
    // A layer labelled with another tar type: the scan goes by magic bytes.
    let files = oci(|_, m| {
        m["layers"][0]["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar+zstd");
    });
    let report = run_files(&files).report();
    assert_eq!(report["layers"][0]["compression"], "gzip");
    // A manifest labelled as an index: parsed as an index, refused clearly.
    let mut files = oci(|_, _| {});
    replace(&mut files, "index.json", |b| {
        let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
        v["manifests"][0]["mediaType"] = json!("application/vnd.oci.image.index.v1+json");
        *b = serde_json::to_vec(&v).unwrap();
    });
    run_files(&files).error("cannot be parsed");
}

#[test]
fn diff_ids_count_different_from_layer_count() {
    let (blob, diff_id) = gz_layer();
    let files = oci_files(&[blob.clone(), blob], &[diff_id], |_, _| {});
    let report = run_files(&files).report();
    has_warning(&report, "config lists 1 diff_ids for 2 layers");
}
