//! The cache's own tests: keys, atomic writes, verified reads, pruning.

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const KEY: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn scan() -> LayerScan {
    LayerScan {
        digest: KEY.into(),
        diff_id: KEY.into(),
        compression: crate::image::Compression::Gzip,
        compressed_bytes: 10,
        uncompressed_bytes: 20,
        entries: vec![crate::image::Entry {
            path: "usr/bin/a".into(),
            kind: crate::image::EntryKind::Symlink,
            size: 0,
            mode: 0o777,
            uid: 0,
            gid: 0,
            link: Some("b".into()),
            hash: 7,
        }],
        captured: crate::image::entry::Captured {
            files: vec![
                (0, b"Package: a\n".to_vec()),
                (3, vec![0, 0xff, 0x80, b'\n']),
            ]
            .into(),
            // Fields JSON skipped when empty must still be written: postcard has no names.
            elf: vec![
                (1, crate::image::facts::ElfInfo::default()),
                (
                    2,
                    crate::image::facts::ElfInfo {
                        crates: vec![crate::image::facts::RustCrate {
                            name: "x".into(),
                            ..Default::default()
                        }],
                        go: Some(Default::default()),
                        ..Default::default()
                    },
                ),
            ],
            ..Default::default()
        },
        sparse: vec![(0, 5)],
        warnings: vec!["w".into()],
        ..Default::default()
    }
}

/// Writes `scan` at `KEY`'s path as JSON, as format 4 wrote it, under `tag`.
fn write_json_entry(cache: &Cache, tag: &str) -> TestResult {
    let (head, payload) = entry::encode(&scan(), KEY, tag, entry::Codec::Json).ok_or("encoded")?;
    write_atomically(&cache.scan_path(KEY).ok_or("path")?, &[&head, &payload])?;
    Ok(())
}

#[test]
fn an_entry_of_another_format_is_a_miss() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
    // Format 4's header over format 4's JSON, where this binary looks: a miss, removed.
    let old_tag = format_tag().replacen(&format!("v{SCAN_FORMAT}-"), "v4-", 1);
    write_json_entry(&cache, &old_tag)?;
    assert!(cache.get(KEY).is_none(), "an older format is a miss");
    assert!(!cache.scan_path(KEY).ok_or("path")?.exists());
    // Even under this format's tag, a JSON payload does not decode as a scan.
    write_json_entry(&cache, format_tag())?;
    assert!(cache.get(KEY).is_none(), "JSON is not read as postcard");
    // And format 4 lived in its own directory, which this binary never reads.
    assert!(format_tag().starts_with("v7-"), "{}", format_tag());
    cache.put(KEY, &Arc::new(scan()));
    assert_eq!(cache.get(KEY), Some(scan()));
    Ok(())
}

#[test]
fn scans_round_trip_and_corruption_is_a_miss() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
    assert!(cache.get(KEY).is_none());
    cache.put(KEY, &Arc::new(scan()));
    assert_eq!(cache.get(KEY), Some(scan()));
    let path = cache.scan_path(KEY).ok_or("missing")?;
    let good = fs::read(&path)?;
    // The payload starts after the magic line and the header line.
    let mut lines = good.iter().enumerate().filter(|(_, b)| **b == b'\n');
    let payload = lines.nth(1).ok_or("header")?.0 + 1;
    // A bit flipped in the first frame (lz4: the entries), in the middle, or in the last
    // byte (the second frame, zstd: the package databases).
    for at in [payload, (payload + good.len()) / 2, good.len() - 1] {
        let mut bytes = good.clone();
        bytes[at] ^= 1;
        fs::write(&path, bytes)?;
        assert!(cache.get(KEY).is_none(), "a flipped bit at {at} is a miss");
        assert!(!path.exists(), "and the bad entry is removed");
        fs::write(&path, &good)?;
        assert_eq!(cache.get(KEY), Some(scan()));
    }
    Ok(())
}

#[test]
fn keys_must_be_digests() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
    for bad in ["../../etc/passwd", "sha256:../x", "sha256:ABC", "md5:00"] {
        cache.put(bad, &Arc::new(scan()));
        cache.put_blob(bad, b"x");
    }
    let mut files = Vec::new();
    collect_files(dir.path(), &mut files, 0)?;
    assert!(files.is_empty(), "nothing written for a bad key: {files:?}");
    Ok(())
}

#[test]
fn blobs_are_checked_against_their_digest() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
    let body = b"{\"a\":1}";
    let digest = crate::source::config::sha256(body);
    cache.put_blob(&digest, b"not the same bytes");
    assert!(cache.get_blob(&digest).is_none());
    cache.put_blob(&digest, body);
    assert_eq!(cache.get_blob(&digest).as_deref(), Some(&body[..]));
    Ok(())
}

#[test]
fn eviction_is_least_recently_used() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), u64::MAX);
    let blobs: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| {
            let b = vec![i as u8; 1000];
            (crate::source::config::sha256(&b), b)
        })
        .collect();
    for (i, (d, b)) in blobs.iter().enumerate() {
        cache.put_blob(d, b);
        let p = cache.blob_path(d).ok_or("missing")?;
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000 + i as u64);
        fs::File::options().append(true).open(&p)?.set_modified(t)?;
    }
    // Reading the oldest makes it the most recent.
    assert!(cache.get_blob(&blobs[0].0).is_some());
    let stats = cache.prune(2000)?;
    assert_eq!(stats.removed_files, 1);
    assert!(
        cache.get_blob(&blobs[1].0).is_none(),
        "the least recently used went"
    );
    assert!(cache.get_blob(&blobs[0].0).is_some());
    assert!(cache.get_blob(&blobs[2].0).is_some());
    Ok(())
}

/// A scan whose captured files are a package database (deferred to the entry's second
/// frame) and passwd (decoded with the scan), in the order they were kept.
fn scan_with_databases() -> LayerScan {
    let entry = |path: &str| crate::image::Entry {
        path: path.into(),
        kind: crate::image::EntryKind::File,
        size: 4,
        mode: 0o644,
        uid: 0,
        gid: 0,
        link: None,
        hash: 1,
    };
    let mut scan = scan();
    scan.entries = [
        "var/lib/dpkg/status",
        "etc/passwd",
        "var/lib/dpkg/info/a.list",
    ]
    .map(entry)
    .to_vec();
    scan.captured.files = vec![
        (2, b"/bin/a\n".to_vec()),
        (1, b"root:x:0:0::/root:/bin/sh\n".to_vec()),
        (0, b"Package: a\n".to_vec()),
    ]
    .into();
    scan
}

/// The package databases come back only when asked for, the rest at once, all of them in
/// their order; a flipped bit in the databases' frame, or a size in the header changed, is
/// a miss before anything is decoded.
#[test]
fn package_databases_are_decoded_when_asked_for() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cache = Cache::open(dir.path(), DEFAULT_LIMIT);
    cache.put(KEY, &Arc::new(scan_with_databases()));
    let back = cache.get(KEY).ok_or("read back")?;
    let files = &back.captured.files;
    assert_eq!(files.len(), 3);
    assert!(files.get(1).is_some_and(|b| b.starts_with(b"root:")));
    assert!(files.is_pending(), "passwd is read without the databases");
    assert_eq!(back.captured_file(0), Some(&b"Package: a\n"[..]));
    assert!(!files.is_pending());
    assert_eq!(back, scan_with_databases());

    let path = cache.scan_path(KEY).ok_or("path")?;
    let good = fs::read(&path)?;
    let mut bytes = good.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes)?;
    assert!(
        cache.get(KEY).is_none(),
        "a flipped bit in the second frame"
    );
    let text = String::from_utf8_lossy(&good).into_owned();
    let header = text.lines().nth(1).ok_or("header")?;
    let mut fields: Vec<String> = header.split(' ').map(String::from).collect();
    let raw: u64 = fields.last().ok_or("size")?.parse()?;
    *fields.last_mut().ok_or("size")? = (raw << 20).to_string();
    let torn = fields.join(" ");
    let mut bytes = good.clone();
    let at = text.find(header).ok_or("at")?;
    bytes.splice(at..at + header.len(), torn.bytes());
    fs::write(&path, &bytes)?;
    assert!(cache.get(KEY).is_none(), "a size changed in the header");
    Ok(())
}
