//! What a layer's scan is keyed by in the cache, and the checks a blob and a scan must pass
//! against the digests and sizes the manifest and config promise.

use crate::image::LayerScan;
use crate::source::{ImageSource, LayerReader};

/// The blob stream as the scan may read it: stopped at the descriptor's size (a device, a
/// symlink to `/dev/zero` or an endless download is an error there, not a hang), and hashed
/// on the way when its digest is not the sha256 the scan computes itself.
pub(super) fn guard<'a>(
    reader: LayerReader<'a>,
    desc: &crate::image::LayerDesc,
    source_verifies: bool,
) -> Result<LayerReader<'a>, crate::Error> {
    use crate::source::digest::{Bounded, Verifying};
    let what = format!("blob {}", desc.digest.as_deref().unwrap_or(&desc.locator));
    let reader: LayerReader<'a> = match desc.size {
        Some(size) => Box::new(Bounded::new(reader, size, &what)),
        None => reader,
    };
    Ok(match &desc.digest {
        Some(d) if !d.starts_with("sha256:") && !source_verifies => {
            Box::new(Verifying::new(reader, d)?)
        }
        _ => reader,
    })
}

/// Reads a blob whose scan is reused, only to check it: it must hash to the key the scan
/// was found by (a source that verifies its own streams fails the read instead).
pub(super) fn check_blob(
    layer: usize,
    mut reader: LayerReader<'_>,
    desc: &crate::image::LayerDesc,
    source_verifies: bool,
) -> Result<(), crate::Error> {
    let key = cache_key(desc).unwrap_or_default();
    let mut hasher = match crate::source::digest::Hasher::for_digest(&key) {
        Ok(h) if !source_verifies => Some(h),
        _ => None,
    };
    let mut len = 0u64;
    loop {
        let buf = reader.fill_buf().map_err(crate::source::SourceError::Io)?;
        if buf.is_empty() {
            break;
        }
        if let Some(h) = hasher.as_mut() {
            h.update(buf);
        }
        let n = buf.len();
        len = len.saturating_add(n as u64);
        reader.consume(n);
    }
    let actual = hasher.map(|h| h.finish());
    if let Some(actual) = actual.filter(|a| *a != key) {
        return Err(crate::Error::LayerDigest {
            layer,
            what: "blob digest",
            expected: key,
            actual,
        });
    }
    if let Some(size) = desc.size.filter(|&s| s != len) {
        return Err(crate::Error::LayerDigest {
            layer,
            what: "blob size",
            expected: size.to_string(),
            actual: len.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn cache_key(desc: &crate::image::LayerDesc) -> Option<String> {
    desc.digest.clone().or_else(|| desc.diff_id.clone())
}

/// The key layer `i`'s scan is cached under: its digest for a live source; for a local
/// file, a digest of its digest and the file's identity (still a `sha256:` name, as the
/// cache wants), so a scan stands only for the very file it was read from.
pub(crate) fn guarded_key(
    source: &dyn ImageSource,
    meta: &crate::image::ImageMeta,
    i: usize,
) -> Option<String> {
    use crate::source::CacheGuard;
    let key = cache_key(meta.layers.get(i)?)?;
    match source.cache_guard(i) {
        CacheGuard::Digest => Some(key),
        CacheGuard::File(id) => Some(crate::source::config::sha256(
            format!("microscope local scan\n{key}\n{id}").as_bytes(),
        )),
        CacheGuard::Uncached => None,
    }
}

/// Under `--no-verify`: the digests the descriptor promises stand for the scan's (the size
/// is still checked, it costs nothing).
pub(super) fn trusted(
    i: usize,
    desc: &crate::image::LayerDesc,
    mut scan: LayerScan,
) -> Result<LayerScan, crate::Error> {
    if let Some(size) = desc.size
        && size != scan.compressed_bytes
    {
        return Err(crate::Error::LayerDigest {
            layer: i,
            what: "blob size",
            expected: size.to_string(),
            actual: scan.compressed_bytes.to_string(),
        });
    }
    if scan.digest.is_empty() {
        // A plain tar's blob is its tar: its digest is the diff_id.
        scan.digest = desc
            .digest
            .clone()
            .or_else(|| desc.diff_id.clone())
            .unwrap_or_default();
    }
    scan.diff_id = desc.diff_id.clone().unwrap_or_default();
    Ok(scan)
}

pub(crate) fn verify(
    i: usize,
    desc: &crate::image::LayerDesc,
    scan: &LayerScan,
) -> Result<(), crate::Error> {
    let mismatch = |what, expected: &str, actual: &str| crate::Error::LayerDigest {
        layer: i,
        what,
        expected: expected.to_string(),
        actual: actual.to_string(),
    };
    if let Some(d) = &desc.digest
        && d.starts_with("sha256:")
        && *d != scan.digest
    {
        return Err(mismatch("blob digest", d, &scan.digest));
    }
    if let Some(d) = &desc.diff_id
        && d.starts_with("sha256:")
        && *d != scan.diff_id
    {
        return Err(mismatch("diff_id", d, &scan.diff_id));
    }
    if let Some(size) = desc.size
        && size != scan.compressed_bytes
    {
        return Err(mismatch(
            "blob size",
            &size.to_string(),
            &scan.compressed_bytes.to_string(),
        ));
    }
    Ok(())
}
