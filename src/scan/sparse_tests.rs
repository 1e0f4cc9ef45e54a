//! PAX sparse files as GNU tar 1.34 writes them (`tar --sparse --format=pax
//! --sparse-version=V`): the records, the decoy name and, for 1.0, the map opening the data
//! are laid out here byte for byte as in its output; `real_gnu_tar_agrees` checks against
//! GNU tar itself where it is installed.

use crate::image::entry::LayerScan;
use crate::scan::{ScanContext, scan_layer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const APPARENT: u64 = 500_000;
/// (offset, bytes) as GNU tar records a file with data at 100,000 and 300,000 (4 KiB
/// blocks), and the closing empty chunk at the end it always writes.
const CHUNKS: [(u64, u64); 3] = [(98_304, 4096), (299_008, 4096), (500_000, 0)];

fn content() -> Vec<u8> {
    let mut f = vec![0u8; APPARENT as usize];
    for &(offset, len) in &CHUNKS {
        for i in 0..len {
            f[(offset + i) as usize] = (i % 251) as u8 + 1;
        }
    }
    f
}

fn stored_chunks() -> Vec<u8> {
    let f = content();
    CHUNKS
        .iter()
        .flat_map(|&(o, l)| f[o as usize..(o + l) as usize].to_vec())
        .collect()
}

/// One PAX record: `LEN key=value\n`, LEN counting itself.
fn record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}{body}").len() != len {
        len += 1;
    }
    format!("{len}{body}")
}

fn block(out: &mut Vec<u8>, name: &str, kind: tar::EntryType, data: &[u8]) {
    let mut h = tar::Header::new_ustar();
    if let Some(u) = h.as_ustar_mut() {
        u.name[..name.len()].copy_from_slice(name.as_bytes());
    }
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_entry_type(kind);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

/// A layer holding `sp` as GNU tar writes it in sparse format `version`.
pub fn gnu_pax_sparse_layer(version: &str) -> Vec<u8> {
    let map: Vec<String> = CHUNKS.iter().map(|(o, l)| format!("{o},{l}")).collect();
    let (records, name, mut data) = match version {
        "0.0" => {
            let mut r = record("GNU.sparse.size", "500000") + &record("GNU.sparse.numblocks", "3");
            for (o, l) in CHUNKS {
                r += &record("GNU.sparse.offset", &o.to_string());
                r += &record("GNU.sparse.numbytes", &l.to_string());
            }
            (r, "sp", Vec::new())
        }
        "0.1" => (
            record("GNU.sparse.size", "500000")
                + &record("GNU.sparse.numblocks", "3")
                + &record("GNU.sparse.name", "sp")
                + &record("GNU.sparse.map", &map.join(",")),
            "./GNUSparseFile.7118/sp",
            Vec::new(),
        ),
        _ => {
            let mut text = format!("{}\n", CHUNKS.len());
            for (o, l) in CHUNKS {
                text += &format!("{o}\n{l}\n");
            }
            let mut data = text.into_bytes();
            data.resize(512, 0);
            (
                record("GNU.sparse.major", "1")
                    + &record("GNU.sparse.minor", "0")
                    + &record("GNU.sparse.name", "sp")
                    + &record("GNU.sparse.realsize", "500000"),
                "./GNUSparseFile.7244/sp",
                data,
            )
        }
    };
    data.extend(stored_chunks());
    let mut out = Vec::new();
    block(
        &mut out,
        "./PaxHeaders/sp",
        tar::EntryType::XHeader,
        records.as_bytes(),
    );
    block(&mut out, name, tar::EntryType::Regular, &data);
    out.resize(out.len() + 1024, 0);
    out
}

fn check(scan: &LayerScan, stored: u64) {
    assert_eq!(scan.entries.len(), 1, "{:?}", scan.entries);
    let e = &scan.entries[0];
    assert_eq!(&*e.path, "sp");
    assert_eq!(e.size, APPARENT);
    assert_eq!(e.hash, xxhash_rust::xxh3::xxh3_64(&content()));
    assert_eq!(scan.sparse, vec![(0, stored)]);
    assert_eq!(scan.file_bytes(), APPARENT);
}

/// Issue 18 §5: the real name, the apparent size, the content with its holes; the stored
/// size recorded beside it (8,192 bytes of chunks, plus the 512-byte map for 1.0).
#[test]
fn pax_sparse_reads_as_gnu_tar_go_and_python_do() -> TestResult {
    for (version, stored) in [("0.0", 8192), ("0.1", 8192), ("1.0", 8704)] {
        let scan = scan_layer(&gnu_pax_sparse_layer(version)[..], &ScanContext::default())?;
        check(&scan, stored);
    }
    Ok(())
}

#[test]
fn a_sparse_map_that_lies_is_a_corrupt_layer() {
    let mut layer = gnu_pax_sparse_layer("0.1");
    let text = String::from_utf8_lossy(&layer).into_owned();
    // The map claims more stored bytes than the entry holds (same record length).
    let at = text.find("299008,4096").unwrap_or(0);
    layer[at..at + 11].copy_from_slice(b"299008,4097");
    let err = scan_layer(&layer[..], &ScanContext::default()).unwrap_err();
    assert!(err.to_string().contains("GNU sparse"), "{err}");
}

/// The fixtures above against GNU tar's own output, where GNU tar is installed.
#[test]
fn real_gnu_tar_agrees() -> TestResult {
    let version = std::process::Command::new("tar").arg("--version").output();
    if !version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU tar")) {
        eprintln!("SKIPPED real_gnu_tar_agrees: GNU tar is not installed");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    // Written with holes, so that GNU tar finds the same chunks by SEEK_DATA or by zeros.
    let mut f = std::fs::File::create(dir.path().join("sp"))?;
    let full = content();
    for &(offset, len) in &CHUNKS {
        use std::io::{Seek, SeekFrom, Write};
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(&full[offset as usize..(offset + len) as usize])?;
    }
    f.set_len(APPARENT)?;
    drop(f);
    for (version, stored) in [("0.0", 8192), ("0.1", 8192), ("1.0", 8704)] {
        let out = dir.path().join(format!("{version}.tar"));
        let status = std::process::Command::new("tar")
            .current_dir(dir.path())
            .args([
                "--sparse",
                "--format=pax",
                "--sparse-version",
                version,
                "-cf",
            ])
            .arg(&out)
            .arg("sp")
            .status()?;
        assert!(status.success());
        let scan = scan_layer(&std::fs::read(&out)?[..], &ScanContext::default())?;
        check(&scan, stored);
    }
    Ok(())
}
