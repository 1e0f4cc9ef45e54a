//! Reading the real-image corpus (`$MICROSCOPE_CORPUS`) in tests: a `docker save` archive
//! or an OCI archive, each layer scanned with `scan_layer`. Tests skip with a message when
//! the variable is unset.

use microscope::image::entry::LayerScan;
use microscope::scan::{ScanContext, scan_layer};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// The corpus file, or None (with a message) when `MICROSCOPE_CORPUS` is unset.
pub fn path(name: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("MICROSCOPE_CORPUS") else {
        crate::support::skip("MICROSCOPE_CORPUS is not set");
        return None;
    };
    let p = PathBuf::from(dir).join(name);
    if !p.exists() {
        crate::support::skip(format_args!("{} is missing", p.display()));
        return None;
    }
    Some(p)
}

/// Scanned layers and each layer's `created_by`.
pub struct Loaded {
    pub scans: Vec<Arc<LayerScan>>,
    pub commands: Vec<String>,
}

pub fn load(name: &str) -> Option<Loaded> {
    let path = path(name)?;
    let mut archive = tar::Archive::new(std::fs::File::open(path).expect("corpus file"));
    let mut members: HashMap<String, Vec<u8>> = HashMap::new();
    for entry in archive.entries().expect("tar") {
        let mut entry = entry.expect("tar entry");
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry
            .path()
            .expect("path")
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read member");
        members.insert(name, bytes);
    }
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_slice(
            members
                .get(name)
                .unwrap_or_else(|| panic!("{name} missing")),
        )
        .expect("json")
    };
    let blob = |digest: &str| format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"));
    let (config, layers): (serde_json::Value, Vec<String>) =
        if members.contains_key("manifest.json") {
            let m = json("manifest.json");
            let layers = m[0]["Layers"].as_array().expect("Layers").iter();
            (
                json(m[0]["Config"].as_str().expect("Config")),
                layers
                    .map(|l| l.as_str().expect("layer").to_string())
                    .collect(),
            )
        } else {
            let index = json("index.json");
            let manifest = json(&blob(
                index["manifests"][0]["digest"].as_str().expect("digest"),
            ));
            let layers = manifest["layers"].as_array().expect("layers").iter();
            (
                json(&blob(
                    manifest["config"]["digest"].as_str().expect("config"),
                )),
                layers
                    .map(|l| blob(l["digest"].as_str().expect("digest")))
                    .collect(),
            )
        };
    let scans = layers
        .iter()
        .map(|l| Arc::new(scan_layer(&members[l][..], &ScanContext::default()).expect("scan")))
        .collect();
    let commands = config["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter(|e| !e["empty_layer"].as_bool().unwrap_or(false))
                .map(|e| e["created_by"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    Some(Loaded { scans, commands })
}
