//! Builds small real images in memory: layer tars written with the `tar` crate, packed as a
//! `docker save` archive or an OCI layout. The demo images and every test fixture come from
//! here, so no binary fixture is checked in.

use crate::image::RunConfig;
use sha2::{Digest, Sha256};
use std::io::Write;

/// How layer blobs are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobCompression {
    Plain,
    Gzip,
    Zstd,
}

/// One layer tar under construction.
pub struct LayerBuilder {
    tar: tar::Builder<Vec<u8>>,
    pub command: String,
    /// Entries the tar format refused (a `..` in a path: only a mistaken fixture writes
    /// one). Writing into a `Vec` cannot fail otherwise; debug builds stop on these.
    refused: Vec<String>,
}

impl LayerBuilder {
    pub fn new(command: &str) -> Self {
        let mut tar = tar::Builder::new(Vec::new());
        tar.mode(tar::HeaderMode::Deterministic);
        LayerBuilder {
            tar,
            command: command.to_string(),
            refused: Vec::new(),
        }
    }

    fn header(kind: tar::EntryType, size: u64, mode: u32, uid: u64, gid: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(gid);
        h.set_mtime(1_700_000_000);
        h
    }

    pub fn dir(mut self, path: &str) -> Self {
        let mut h = Self::header(tar::EntryType::Directory, 0, 0o755, 0, 0);
        let r = self
            .tar
            .append_data(&mut h, format!("{path}/"), std::io::empty());
        self.check(r, path)
    }

    pub fn file(self, path: &str, content: &[u8]) -> Self {
        self.file_with(path, content, 0o644, 0, 0)
    }

    pub fn file_with(mut self, path: &str, content: &[u8], mode: u32, uid: u64, gid: u64) -> Self {
        let mut h = Self::header(
            tar::EntryType::Regular,
            content.len() as u64,
            mode,
            uid,
            gid,
        );
        let r = self.tar.append_data(&mut h, path, content);
        self.check(r, path)
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = Self::header(tar::EntryType::Symlink, 0, 0o777, 0, 0);
        let r = self.tar.append_link(&mut h, path, target);
        self.check(r, path)
    }

    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        let mut h = Self::header(tar::EntryType::Link, 0, 0o644, 0, 0);
        let r = self.tar.append_link(&mut h, path, target);
        self.check(r, path)
    }

    /// `.wh.NAME`: deletes `path` from the layers below.
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = crate::scan::path::split(path);
        self.file(&crate::scan::path::join(dir, &format!(".wh.{name}")), b"")
    }

    /// `.wh..wh..opq`: hides everything the layers below have under `dir`.
    pub fn opaque(self, dir: &str) -> Self {
        self.file(&format!("{dir}/.wh..wh..opq"), b"")
    }

    fn check(mut self, written: std::io::Result<()>, path: &str) -> Self {
        if let Err(e) = written {
            self.refused.push(format!("{path:?}: {e}"));
        }
        self
    }

    /// Finishes the tar (with its two zero end blocks).
    pub fn build(mut self) -> Vec<u8> {
        let tar = finish(self.tar, &mut self.refused);
        debug_assert!(self.refused.is_empty(), "tar refused {:?}", self.refused);
        tar
    }
}

/// A whole image: layers plus the runtime config.
pub struct ImageBuilder {
    pub layers: Vec<(Vec<u8>, String)>,
    pub run: RunConfig,
    pub architecture: String,
    pub compression: BlobCompression,
    pub tag: String,
}

/// A blob ready to be stored: its bytes and `sha256:<hex>`.
pub struct Blob {
    pub bytes: Vec<u8>,
    pub digest: String,
    pub media_type: String,
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl ImageBuilder {
    pub fn new(tag: &str) -> Self {
        ImageBuilder {
            layers: Vec::new(),
            run: RunConfig::default(),
            architecture: crate::image::Platform::host().architecture,
            compression: BlobCompression::Gzip,
            tag: tag.to_string(),
        }
    }

    pub fn layer(mut self, layer: LayerBuilder) -> Self {
        let command = layer.command.clone();
        self.layers.push((layer.build(), command));
        self
    }

    pub fn compression(mut self, c: BlobCompression) -> Self {
        self.compression = c;
        self
    }

    fn compress(&self, tar: &[u8]) -> Blob {
        let (bytes, media_type) = match self.compression {
            BlobCompression::Plain => (
                tar.to_vec(),
                "application/vnd.oci.image.layer.v1.tar".to_string(),
            ),
            // Compressing into memory fails only if memory does; the blob then stays a
            // plain tar, which every reader takes as well.
            BlobCompression::Gzip => match gzip(tar) {
                Ok(gz) => (
                    gz,
                    "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
                ),
                Err(_) => (
                    tar.to_vec(),
                    "application/vnd.oci.image.layer.v1.tar".into(),
                ),
            },
            BlobCompression::Zstd => match zstd::encode_all(tar, 3) {
                Ok(z) => (z, "application/vnd.oci.image.layer.v1.tar+zstd".to_string()),
                Err(_) => (
                    tar.to_vec(),
                    "application/vnd.oci.image.layer.v1.tar".into(),
                ),
            },
        };
        Blob {
            digest: sha256(&bytes),
            bytes,
            media_type,
        }
    }

    /// The config JSON, as Docker and OCI write it.
    pub fn config_json(&self) -> Vec<u8> {
        let diff_ids: Vec<String> = self.layers.iter().map(|(t, _)| sha256(t)).collect();
        let history: Vec<serde_json::Value> = self
            .layers
            .iter()
            .map(|(_, c)| serde_json::json!({"created": "2024-01-01T00:00:00Z", "created_by": c}))
            .chain(std::iter::once(serde_json::json!({
                "created": "2024-01-01T00:00:00Z",
                "created_by": "/bin/sh -c #(nop)  CMD [\"app\"]",
                "empty_layer": true
            })))
            .collect();
        let ports: serde_json::Map<String, serde_json::Value> = self
            .run
            .exposed_ports
            .iter()
            .map(|p| (p.clone(), serde_json::json!({})))
            .collect();
        let none_if_empty = |v: &Vec<String>| {
            if v.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::json!(v)
            }
        };
        let labels: serde_json::Map<String, serde_json::Value> = self
            .run
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect();
        let mut config = serde_json::json!({
            "architecture": self.architecture,
            "os": "linux",
            "created": "2024-01-01T00:00:00Z",
            "config": {
                "Entrypoint": none_if_empty(&self.run.entrypoint),
                "Cmd": none_if_empty(&self.run.cmd),
                "Env": self.run.env,
                "User": self.run.user,
                "WorkingDir": self.run.working_dir,
                "ExposedPorts": ports,
            },
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        // Only when there are some: the demo images' configs (and digests) stay as they were.
        if !labels.is_empty() {
            config["config"]["Labels"] = labels.into();
        }
        format!("{config:#}").into_bytes()
    }

    /// A `docker save` archive in the legacy layout (`<id>/layer.tar`, uncompressed).
    pub fn docker_archive(&self) -> Vec<u8> {
        let config = self.config_json();
        let config_name = format!("{}.json", &sha256(&config)[7..]);
        let mut out = tar::Builder::new(Vec::new());
        let mut refused = Vec::new();
        let mut layer_paths = Vec::new();
        for (tar, _) in &self.layers {
            let id = &sha256(tar)[7..];
            let p = format!("{id}/layer.tar");
            append(&mut out, &format!("{id}/VERSION"), b"1.0", &mut refused);
            append(&mut out, &p, tar, &mut refused);
            layer_paths.push(p);
        }
        append(&mut out, &config_name, &config, &mut refused);
        let manifest = serde_json::json!([{
            "Config": config_name,
            "RepoTags": [self.tag],
            "Layers": layer_paths,
        }]);
        append(
            &mut out,
            "manifest.json",
            manifest.to_string().as_bytes(),
            &mut refused,
        );
        let archive = finish(out, &mut refused);
        debug_assert!(refused.is_empty(), "tar refused {refused:?}");
        archive
    }

    /// The blobs of an OCI layout: (path inside the layout, bytes), index.json last.
    pub fn oci_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![(
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        )];
        let config = self.config_json();
        let config_digest = sha256(&config);
        let mut layers = Vec::new();
        for (tar, _) in &self.layers {
            let blob = self.compress(tar);
            layers.push(serde_json::json!({
                "mediaType": blob.media_type, "digest": blob.digest, "size": blob.bytes.len()
            }));
            files.push((blob_path(&blob.digest), blob.bytes));
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest, "size": config.len()
            },
            "layers": layers,
        });
        let manifest = manifest.to_string().into_bytes();
        let manifest_digest = sha256(&manifest);
        files.push((blob_path(&config_digest), config));
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest, "size": manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": self.tag.rsplit(':').next().unwrap_or("latest")},
                "platform": {"os": "linux", "architecture": self.architecture},
            }],
        });
        files.push((blob_path(&manifest_digest), manifest));
        files.push(("index.json".into(), index.to_string().into_bytes()));
        files
    }

    /// An `oci-archive`: the OCI layout, tarred.
    pub fn oci_archive(&self) -> Vec<u8> {
        let mut out = tar::Builder::new(Vec::new());
        let mut refused = Vec::new();
        for (p, b) in self.oci_files() {
            append(&mut out, &p, &b, &mut refused);
        }
        let archive = finish(out, &mut refused);
        debug_assert!(refused.is_empty(), "tar refused {refused:?}");
        archive
    }

    /// Writes the OCI layout into a directory.
    pub fn write_oci_dir(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (p, b) in self.oci_files() {
            let full = dir.join(p);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, b)?;
        }
        Ok(())
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", &digest[7..])
}

fn gzip(tar: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(tar)?;
    gz.finish()
}

/// One file of an archive's outer tar; a path it refuses is noted in `refused`.
fn append(out: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], refused: &mut Vec<String>) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    if let Err(e) = out.append_data(&mut h, path, data) {
        refused.push(format!("{path:?}: {e}"));
    }
}

/// The finished tar. Finishing writes two zero blocks into a `Vec`, which cannot fail.
fn finish(out: tar::Builder<Vec<u8>>, refused: &mut Vec<String>) -> Vec<u8> {
    out.into_inner().unwrap_or_else(|e| {
        refused.push(format!("end of archive: {e}"));
        Vec::new()
    })
}
