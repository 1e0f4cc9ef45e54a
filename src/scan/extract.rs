//! A second streamed pass over one layer blob that hands the contents of a few named files
//! to a sink: what `slim` copies into the image it writes. The blob is decompressed and
//! walked as the scan walks it (same sniffing, same path rules); every other entry is
//! skipped unread, and nothing is extracted to disk here.

use super::ScanError;
use super::decompress::Decoder;
use super::layer::corrupt_or_io;
use super::path::{self, PathError};
use std::collections::HashSet;
use std::io::{BufRead, Read};

/// Reads `blob` (gzip, zstd or plain tar) and calls `sink(path, size, reader)` for each
/// regular file whose normalised path is in `wanted`, in the order of the tar. A path the
/// layer holds twice is handed over twice (the later one is the one that counts). `size`
/// is the file's logical size; the sink must read exactly that much or fail.
pub fn extract_files(
    blob: impl BufRead,
    wanted: &HashSet<String>,
    sink: &mut dyn FnMut(&str, u64, &mut dyn Read) -> std::io::Result<()>,
) -> Result<usize, ScanError> {
    let (decoder, kind) = Decoder::new(blob)?;
    if kind.is_none() {
        return Err(ScanError::NoLongerAnArchive);
    }
    let mut archive = tar::Archive::new(decoder);
    let mut found = 0;
    for item in archive.entries().map_err(corrupt_or_io)? {
        let mut te = item.map_err(corrupt_or_io)?;
        let etype = te.header().entry_type();
        if !matches!(
            etype,
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse
        ) {
            continue;
        }
        let raw = te.path_bytes().into_owned();
        let name = match path::normalize(&raw) {
            Ok(Some((p, _))) => p,
            Ok(None) => continue,
            Err(PathError::Traversal) => {
                return Err(ScanError::UnsafePath(
                    String::from_utf8_lossy(&raw).into_owned(),
                    "`..` escapes the root",
                ));
            }
        };
        if !wanted.contains(&name) {
            continue;
        }
        let size = te.size();
        sink(&name, size, &mut te).map_err(corrupt_or_io)?;
        found += 1;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::builder::LayerBuilder;

    #[test]
    fn hands_over_only_the_wanted_files() -> Result<(), Box<dyn std::error::Error>> {
        let tar = LayerBuilder::new("x")
            .dir("etc")
            .file("etc/a", b"alpha")
            .file("etc/b", b"beta")
            .symlink("etc/c", "a")
            .file("./usr/bin/app", b"program")
            .build();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar)?;
        let gz = gz.finish()?;
        let wanted: HashSet<String> = ["etc/b", "usr/bin/app", "etc/c"]
            .into_iter()
            .map(String::from)
            .collect();
        let mut got = Vec::new();
        let n = extract_files(&gz[..], &wanted, &mut |p, size, r| {
            let mut v = Vec::new();
            r.read_to_end(&mut v)?;
            assert_eq!(v.len() as u64, size);
            got.push((p.to_string(), v));
            Ok(())
        })?;
        assert_eq!(n, 2, "the symlink is not a file");
        assert_eq!(
            got,
            vec![
                ("etc/b".to_string(), b"beta".to_vec()),
                ("usr/bin/app".to_string(), b"program".to_vec())
            ]
        );
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_a_layer() {
        let wanted = HashSet::new();
        let r = extract_files(&b"{\"json\": true}"[..], &wanted, &mut |_, _, _| Ok(()));
        assert!(matches!(r, Err(ScanError::NoLongerAnArchive)));
    }
}
