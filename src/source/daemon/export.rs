//! An engine's image export (`docker save` output in any of its layouts), walked once as
//! it streams: each wanted layer goes to the loader as it passes.

use super::super::{LAYER_BUFFER, LAYER_BY_CONTENT, LayerVisitor, buffered};
use crate::image::ImageMeta;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};

/// What an export entry is, from its path.
#[derive(Debug, PartialEq, Eq)]
enum Member {
    /// A blob named by its sha256: a layer (by diff_id, or compressed) or JSON.
    Named(String),
    /// `<id>/layer.tar`: a layer named by a v1 id, identified by content.
    Legacy,
    Other,
}

fn classify(path: &str) -> Member {
    let hex_ok = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(h) = path.strip_prefix("blobs/sha256/")
        && hex_ok(h)
    {
        return Member::Named(format!("sha256:{h}"));
    }
    if let Some(h) = path.strip_suffix(".tar")
        && hex_ok(h)
    {
        return Member::Named(format!("sha256:{h}"));
    }
    if path.ends_with("/layer.tar") {
        return Member::Legacy;
    }
    Member::Other
}

type Body<'a> = dyn std::io::Read + Send + 'a;

/// Largest GNU long name or PAX header we read.
const MAX_EXT_HEADER: u64 = 1 << 20;

/// Walks the export's own tar (not a layer's) in one pass: regular members go to
/// `on_member` with their path and bytes; what it leaves unread is skipped. Long names
/// (GNU `L`, PAX `path`) are honoured; everything but regular files is skipped.
fn walk_outer_tar<R: std::io::Read + Send>(
    r: &mut R,
    on_member: &mut dyn FnMut(&str, &mut Body<'_>) -> Result<(), crate::Error>,
    err: &dyn Fn(std::io::Error) -> crate::Error,
) -> Result<(), crate::Error> {
    use std::io::Read;
    let corrupt = |m: &str| {
        err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            m.to_string(),
        ))
    };
    let mut long_name: Option<String> = None;
    loop {
        let mut block = [0u8; 512];
        match r.read_exact(&mut block) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(corrupt("the stream ends in the middle of the archive"));
            }
            Err(e) => return Err(err(e)),
        }
        if block.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let header = tar::Header::from_byte_slice(&block);
        let size = header
            .entry_size()
            .map_err(|_| corrupt("a member header has a bad size"))?;
        let kind = header.entry_type();
        let padding = (512 - size % 512) % 512;
        let mut body = r.take(size);
        match kind {
            tar::EntryType::GNULongName | tar::EntryType::XHeader if size <= MAX_EXT_HEADER => {
                let mut ext = Vec::new();
                body.read_to_end(&mut ext).map_err(err)?;
                long_name = if kind == tar::EntryType::GNULongName {
                    Some(
                        String::from_utf8_lossy(ext.split(|&b| b == 0).next().unwrap_or(&[]))
                            .into_owned(),
                    )
                } else {
                    pax_path(&ext).or(long_name)
                };
            }
            t if t.is_file() => {
                let path = long_name
                    .take()
                    .unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
                let path = path.trim_start_matches("./").to_string();
                on_member(&path, &mut body)?;
            }
            _ => long_name = None,
        }
        std::io::copy(&mut body, &mut std::io::sink()).map_err(err)?;
        if body.limit() != 0 {
            return Err(corrupt("the stream ends in the middle of a member"));
        }
        std::io::copy(&mut r.take(padding), &mut std::io::sink()).map_err(err)?;
    }
}

/// The `path` record of a PAX extended header (`LEN path=VALUE\n`).
fn pax_path(ext: &[u8]) -> Option<String> {
    let mut rest = ext;
    while !rest.is_empty() {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len <= sp || len > rest.len() {
            return None;
        }
        let record = &rest[sp + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(v) = record.strip_prefix(b"path=") {
            return Some(String::from_utf8_lossy(v).into_owned());
        }
        rest = &rest[len..];
    }
    None
}

/// Hands each wanted layer of an engine's export stream (`docker save` output in any of
/// its layouts) to `visit` as it passes: by index where the member's name is a diff_id, by
/// content ([`LAYER_BY_CONTENT`]) where it is not. `reader` should be buffered: tar
/// headers are read 512 bytes at a time. Public so the walk can be tested on saved
/// archives without an engine.
pub fn scan_export<R: std::io::Read + Send>(
    reader: R,
    meta: &ImageMeta,
    wanted: &[usize],
    visit: &LayerVisitor<'_>,
    stream_err: &dyn Fn(std::io::Error) -> crate::Error,
) -> Result<(), crate::Error> {
    let mut by_diff_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in wanted {
        if let Some(d) = meta.layers.get(i).and_then(|l| l.diff_id.as_deref()) {
            by_diff_id.entry(d).or_default().push(i);
        }
    }
    let known: std::collections::HashSet<&str> = meta
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_deref())
        .collect();
    let mut stream = reader;
    let mut on_member = |path: &str, body: &mut Body<'_>| -> Result<(), crate::Error> {
        match classify(path) {
            Member::Other => Ok(()),
            Member::Legacy => visit(LAYER_BY_CONTENT, buffered(body)),
            Member::Named(id) => match by_diff_id.get(id.as_str()) {
                Some(v) if v.len() == 1 => visit(v[0], buffered(body)),
                Some(_) => visit(LAYER_BY_CONTENT, buffered(body)),
                // A layer already cached: skipped, its bytes pass unread.
                None if known.contains(id.as_str()) => Ok(()),
                None => {
                    // A config, manifest or index is JSON; anything else is a layer
                    // stored compressed (containerd's store), named by its blob digest.
                    let mut r = BufReader::with_capacity(LAYER_BUFFER, body);
                    let head = r.fill_buf().map_err(stream_err)?;
                    if head.is_empty() || head[0] == b'{' {
                        return Ok(());
                    }
                    visit(LAYER_BY_CONTENT, Box::new(r))
                }
            },
        }
    };
    walk_outer_tar(&mut stream, &mut on_member, stream_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_members() {
        let h = "a".repeat(64);
        assert_eq!(
            classify(&format!("blobs/sha256/{h}")),
            Member::Named(format!("sha256:{h}"))
        );
        assert_eq!(
            classify(&format!("{h}.tar")),
            Member::Named(format!("sha256:{h}"))
        );
        assert_eq!(classify(&format!("{h}/layer.tar")), Member::Legacy);
        assert_eq!(classify("manifest.json"), Member::Other);
        assert_eq!(classify(&format!("{h}.json")), Member::Other);
    }
}
