//! The JSON documents of the slim image (pure): the config carries the original's
//! Entrypoint, Cmd, Env, User, WorkingDir, ExposedPorts and Labels over one layer, with a
//! history that says where it came from; the manifest, index and `docker save` manifest
//! name it. Nothing here depends on time or order of discovery: the same layer and the
//! same original give the same bytes, hence the same digests.

use crate::image::{ImageMeta, RunConfig};
use serde_json::{Map, Value, json};

/// A fixed creation time: the image must not change with the clock.
pub const CREATED: &str = "1970-01-01T00:00:00Z";

pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// A blob's descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

impl Descriptor {
    fn to_json(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size})
    }
}

/// `IMAGE@digest` for the history: the manifest digest when the source has one, else the
/// config's (an image's identity either way).
pub fn origin(meta: &ImageMeta) -> String {
    let digest = meta
        .manifest_digest
        .as_deref()
        .or(meta.config_digest.as_deref())
        .unwrap_or("unknown digest");
    format!("{}@{digest}", meta.reference)
}

/// The config JSON for one layer with this diff_id.
pub fn config(meta: &ImageMeta, diff_id: &str) -> Vec<u8> {
    let run: &RunConfig = &meta.run;
    let list = |v: &[String]| {
        if v.is_empty() { Value::Null } else { json!(v) }
    };
    let mut ports = Map::new();
    for p in &run.exposed_ports {
        ports.insert(p.clone(), json!({}));
    }
    let mut labels = Map::new();
    for (k, v) in &run.labels {
        labels.insert(k.clone(), json!(v));
    }
    let mut cfg = Map::new();
    cfg.insert("Entrypoint".into(), list(&run.entrypoint));
    cfg.insert("Cmd".into(), list(&run.cmd));
    cfg.insert("Env".into(), list(&run.env));
    cfg.insert("User".into(), json!(run.user));
    cfg.insert("WorkingDir".into(), json!(run.working_dir));
    if !ports.is_empty() {
        cfg.insert("ExposedPorts".into(), Value::Object(ports));
    }
    if !labels.is_empty() {
        cfg.insert("Labels".into(), Value::Object(labels));
    }
    let mut doc = json!({
        "architecture": meta.platform.architecture,
        "os": meta.platform.os,
        "created": CREATED,
        "config": Value::Object(cfg),
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{
            "created": CREATED,
            "created_by": format!("written by microscope slim from {}", origin(meta)),
            "comment": "the rewrite's closure, copied from the original layers",
        }],
    });
    if let (Some(v), Some(o)) = (&meta.platform.variant, doc.as_object_mut()) {
        o.insert("variant".into(), json!(v));
    }
    doc.to_string().into_bytes()
}

/// The OCI image manifest.
pub fn manifest(config: &Descriptor, layer: &Descriptor) -> Vec<u8> {
    json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": config.to_json(),
        "layers": [layer.to_json()],
    })
    .to_string()
    .into_bytes()
}

/// The OCI layout's `index.json`, naming the manifest by the tag.
pub fn index(manifest: &Descriptor, tag: &str, meta: &ImageMeta) -> Vec<u8> {
    let mut platform = json!({"os": meta.platform.os, "architecture": meta.platform.architecture});
    if let (Some(v), Some(o)) = (&meta.platform.variant, platform.as_object_mut()) {
        o.insert("variant".into(), json!(v));
    }
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": manifest.media_type,
            "digest": manifest.digest,
            "size": manifest.size,
            "annotations": {"org.opencontainers.image.ref.name": tag},
            "platform": platform,
        }],
    })
    .to_string()
    .into_bytes()
}

/// The `manifest.json` of a `docker save` archive.
pub fn docker_manifest(config_file: &str, repo_tag: &str, layer_file: &str) -> Vec<u8> {
    json!([{"Config": config_file, "RepoTags": [repo_tag], "Layers": [layer_file]}])
        .to_string()
        .into_bytes()
}

/// The tag for the slim image when the user gives none: the original's name with
/// `-slimmed` added to its tag (`alpine:3.20` → `alpine:3.20-slimmed`, `micro-debug` →
/// `micro-debug:slimmed`). Not `-slim`: `debian:bookworm-slim` is another image.
pub fn default_tag(source_name: &str) -> String {
    let name = source_name.split('@').next().unwrap_or(source_name);
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    if name[slash..].contains(':') {
        format!("{name}-slimmed")
    } else {
        format!("{name}:slimmed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tags() {
        assert_eq!(default_tag("alpine:3.20"), "alpine:3.20-slimmed");
        assert_eq!(default_tag("micro-debug"), "micro-debug:slimmed");
        assert_eq!(
            default_tag("localhost:5000/app"),
            "localhost:5000/app:slimmed"
        );
        assert_eq!(
            default_tag("localhost:5000/app:1@sha256:ab"),
            "localhost:5000/app:1-slimmed"
        );
    }

    #[test]
    fn same_input_same_config() {
        let meta = ImageMeta {
            reference: "x.tar".into(),
            ..ImageMeta::default()
        };
        assert_eq!(config(&meta, "sha256:aa"), config(&meta, "sha256:aa"));
        let v: Value = serde_json::from_slice(&config(&meta, "sha256:aa")).unwrap_or_default();
        assert_eq!(v["rootfs"]["diff_ids"][0], "sha256:aa");
        assert!(
            v["history"][0]["created_by"]
                .as_str()
                .is_some_and(|s| s.contains("x.tar@unknown digest"))
        );
    }
}
