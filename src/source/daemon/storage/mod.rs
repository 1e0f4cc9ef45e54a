//! A Docker engine's layers read from its overlay2 storage instead of its image export,
//! where that storage is readable (the engine's data root, as root or a rootless engine's
//! user): each layer's tar is rebuilt from its tar-split record and its files, in parallel,
//! and verified by the loader against the layer's diff_id like any other stream.
//!
//! Where the engine keeps a layer (moby's `layer/layer_store.go`, `daemon/graphdriver/
//! overlay2`): its chain id (the diff_id of the first layer; then
//! `sha256(chain(n-1) + " " + diff_id(n))`) names `image/overlay2/layerdb/sha256/<chain>/`,
//! which holds `diff` (the diff_id), `cache-id` (the overlay2 directory's name) and
//! `tar-split.json.gz`; the files are in `overlay2/<cache-id>/diff/`.
//!
//! What is trusted: nothing that the diff_id check does not cover. The record and the
//! files only say which bytes to hash; a layer whose rebuilt tar does not hash to its
//! diff_id fails, and under `--daemon-read=auto` is read from the export instead.

mod rebuild;
mod within;

use super::super::{LayerReader, SourceError};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest `diff` or `cache-id` file read (a digest or a directory name).
const MAX_SMALL_FILE: u64 = 256;

/// Where one layer's record and files are.
#[derive(Debug, Clone)]
struct Place {
    tar_split: PathBuf,
    diff: PathBuf,
    /// The engine's count of the layer's bytes (its `size`), to read big layers first.
    size: u64,
}

/// The layers of one image as the engine's storage holds them.
#[derive(Debug)]
pub(super) struct Storage {
    /// `<data root>/overlay2`, to say where layers were read from.
    pub(super) dir: PathBuf,
    /// Per layer: its place, or why it cannot be read from the storage.
    places: Vec<Result<Place, String>>,
}

impl Storage {
    /// The storage of an engine whose data root and storage driver `/info` gave, for the
    /// layers `diff_ids` names (bottom first); Err says why it cannot be read at all.
    pub(super) fn locate(
        root: &Path,
        driver: &str,
        diff_ids: &[String],
    ) -> Result<Storage, String> {
        if driver != "overlay2" {
            return Err(format!(
                "the engine's storage driver is {driver}, not overlay2"
            ));
        }
        let layerdb = root.join("image/overlay2/layerdb/sha256");
        std::fs::read_dir(&layerdb).map_err(|e| {
            format!(
                "the engine's storage is not readable here ({}: {e})",
                layerdb.display()
            )
        })?;
        let mut chain = String::new();
        let places = diff_ids
            .iter()
            .map(|d| {
                chain = chain_id(&chain, d);
                place(root, &layerdb, &chain, d)
            })
            .collect();
        Ok(Storage {
            dir: root.join("overlay2"),
            places,
        })
    }

    /// Why layer `i` cannot be read from the storage, if it cannot.
    pub(super) fn unreadable(&self, i: usize) -> Option<&str> {
        match self.places.get(i) {
            Some(Ok(_)) => None,
            Some(Err(why)) => Some(why),
            None => Some("the image has no such layer"),
        }
    }

    /// The engine's count of layer `i`'s bytes (0 where unknown).
    pub(super) fn size(&self, i: usize) -> u64 {
        match self.places.get(i) {
            Some(Ok(p)) => p.size,
            _ => 0,
        }
    }

    /// Layer `i`'s tar, rebuilt as it is read.
    pub(super) fn open_layer(&self, i: usize) -> Result<LayerReader<'static>, SourceError> {
        let place = match self.places.get(i) {
            Some(Ok(p)) => p,
            Some(Err(why)) => return Err(SourceError::Unsupported(why.clone())),
            None => return Err(SourceError::MissingBlob(format!("layer {i}"))),
        };
        let record =
            std::fs::File::open(&place.tar_split).map_err(|e| SourceError::RemoteBecause {
                what: place.tar_split.display().to_string(),
                source: e.into(),
            })?;
        let record = std::io::BufReader::with_capacity(
            super::super::LAYER_BUFFER,
            flate2::read::MultiGzDecoder::new(std::io::BufReader::new(record)),
        );
        let files = within::Within::open(&place.diff).map_err(|e| SourceError::RemoteBecause {
            what: place.diff.display().to_string(),
            source: e.into(),
        })?;
        Ok(Box::new(std::io::BufReader::with_capacity(
            4 * super::super::LAYER_BUFFER,
            rebuild::Rebuilt::new(record, files),
        )))
    }
}

/// `sha256:…` of the layer whose parent's chain id is `parent` ("" for the first layer).
fn chain_id(parent: &str, diff_id: &str) -> String {
    if parent.is_empty() {
        return diff_id.to_string();
    }
    crate::source::config::sha256(format!("{parent} {diff_id}").as_bytes())
}

/// Where layer `chain` is kept, checked to be the layer `diff_id` names.
fn place(root: &Path, layerdb: &Path, chain: &str, diff_id: &str) -> Result<Place, String> {
    let hex = chain
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("layer {diff_id} is not named by a sha256 diff_id"))?;
    let dir = layerdb.join(hex);
    let small = |name: &str| -> Result<String, String> {
        let mut s = String::new();
        std::fs::File::open(dir.join(name))
            .and_then(|f| f.take(MAX_SMALL_FILE).read_to_string(&mut s))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))?;
        Ok(s.trim().to_string())
    };
    let recorded = small("diff")?;
    if recorded != diff_id {
        return Err(format!("{} names {recorded}, not {diff_id}", dir.display()));
    }
    let cache_id = small("cache-id")?;
    let name_ok = !cache_id.is_empty()
        && cache_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(format!(
            "{}: not a directory name",
            dir.join("cache-id").display()
        ));
    }
    let tar_split = dir.join("tar-split.json.gz");
    if !tar_split.is_file() {
        return Err(format!("{}: no such file", tar_split.display()));
    }
    let diff = root.join("overlay2").join(&cache_id).join("diff");
    if !diff.is_dir() {
        return Err(format!("{}: no such directory", diff.display()));
    }
    let size = small("size").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Place {
        tar_split,
        diff,
        size,
    })
}

#[cfg(test)]
mod tests;
