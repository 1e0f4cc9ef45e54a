//! The storage read end to end without an engine: a data root laid out as Docker's overlay2
//! keeps it (layerdb, tar-split records, diff directories), written here from tars built
//! alongside, must give back those tars byte for byte.

use super::*;
use base64::Engine;
use std::io::Write;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A layer's tar and its tar-split record, built together, and its files in `diff`.
fn layer(diff: &Path, files: &[(&str, &[u8])]) -> TestResult<(Vec<u8>, Vec<u8>)> {
    let crc = crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_GO_ISO);
    let (mut tar, mut record) = (Vec::new(), Vec::new());
    let segment = |tar: &mut Vec<u8>, record: &mut Vec<u8>, bytes: &[u8]| {
        tar.extend_from_slice(bytes);
        let line = serde_json::json!({"type": 2, "payload": B64.encode(bytes), "position": 0});
        record.extend_from_slice(format!("{line}\n").as_bytes());
    };
    for (name, body) in files {
        let mut h = tar::Header::new_gnu();
        h.set_path(name)?;
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        segment(&mut tar, &mut record, h.as_bytes());
        tar.extend_from_slice(body);
        let sum = B64.encode(crc.checksum(body).to_be_bytes());
        let line = serde_json::json!({"type": 1, "name": name, "size": body.len(), "payload": sum, "position": 0});
        writeln!(record, "{line}")?;
        let padding = vec![0u8; (512 - body.len() % 512) % 512];
        segment(&mut tar, &mut record, &padding);
        let path = diff.join(name);
        std::fs::create_dir_all(path.parent().ok_or("a name with no parent")?)?;
        std::fs::write(path, body)?;
    }
    segment(&mut tar, &mut record, &[0u8; 1024]);
    Ok((tar, record))
}

/// Lays out layers as the engine does; returns each layer's tar and diff_id.
fn data_root(root: &Path, layers: &[&[(&str, &[u8])]]) -> TestResult<Vec<(Vec<u8>, String)>> {
    let mut chain = String::new();
    let mut out = Vec::new();
    for (i, files) in layers.iter().enumerate() {
        let cache_id = format!("cache{i}");
        let diff = root.join("overlay2").join(&cache_id).join("diff");
        std::fs::create_dir_all(&diff)?;
        let (tar, record) = layer(&diff, files)?;
        let diff_id = crate::source::config::sha256(&tar);
        chain = chain_id(&chain, &diff_id);
        let db = root
            .join("image/overlay2/layerdb/sha256")
            .join(chain.trim_start_matches("sha256:"));
        std::fs::create_dir_all(&db)?;
        std::fs::write(db.join("diff"), &diff_id)?;
        std::fs::write(db.join("cache-id"), &cache_id)?;
        std::fs::write(db.join("size"), "7")?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&record)?;
        std::fs::write(db.join("tar-split.json.gz"), gz.finish()?)?;
        out.push((tar, diff_id));
    }
    Ok(out)
}

fn read_all(s: &Storage, i: usize) -> Result<Vec<u8>, String> {
    let mut r = s.open_layer(i).map_err(|e| e.to_string())?;
    let mut v = Vec::new();
    r.read_to_end(&mut v).map_err(|e| e.to_string())?;
    Ok(v)
}

#[test]
fn chain_ids_as_the_engine_computes_them() -> TestResult {
    let a = format!("sha256:{}", "a".repeat(64));
    let b = format!("sha256:{}", "b".repeat(64));
    assert_eq!(chain_id("", &a), a);
    let expected = crate::source::config::sha256(format!("{a} {b}").as_bytes());
    assert_eq!(chain_id(&a, &b), expected);
    Ok(())
}

#[test]
fn layers_come_back_byte_for_byte() -> TestResult {
    let root = tempfile::tempdir()?;
    let big = vec![7u8; 70_000];
    let layers = data_root(
        root.path(),
        &[
            &[("etc/hosts", b"127.0.0.1 localhost\n"), ("bin/tool", &big)],
            &[("etc/hosts", b"::1 localhost\n")],
        ],
    )?;
    let diff_ids: Vec<String> = layers.iter().map(|(_, d)| d.clone()).collect();
    let s = Storage::locate(root.path(), "overlay2", &diff_ids)?;
    for (i, (tar, _)) in layers.iter().enumerate() {
        assert_eq!(s.unreadable(i), None);
        assert_eq!(s.size(i), 7);
        assert_eq!(&read_all(&s, i)?, tar, "layer {i}");
    }
    Ok(())
}

#[test]
fn what_the_storage_cannot_give_is_said() -> TestResult {
    let root = tempfile::tempdir()?;
    let layers = data_root(root.path(), &[&[("a", b"x")], &[("b", b"y")]])?;
    let diff_ids: Vec<String> = layers.iter().map(|(_, d)| d.clone()).collect();
    assert!(
        Storage::locate(root.path(), "vfs", &diff_ids)
            .err()
            .ok_or("expected an error")?
            .contains("vfs, not overlay2")
    );
    let elsewhere = tempfile::tempdir()?;
    assert!(
        Storage::locate(elsewhere.path(), "overlay2", &diff_ids)
            .err()
            .ok_or("expected an error")?
            .contains("not readable")
    );
    // Another diff_id under the same chain: the second layer is not the one asked for.
    let other = vec![diff_ids[0].clone(), format!("sha256:{}", "c".repeat(64))];
    let s = Storage::locate(root.path(), "overlay2", &other)?;
    assert_eq!(s.unreadable(0), None);
    assert!(s.unreadable(1).is_some());
    // A cache-id that is not a plain directory name.
    let db = root
        .path()
        .join("image/overlay2/layerdb/sha256")
        .join(diff_ids[0].trim_start_matches("sha256:"));
    std::fs::write(db.join("cache-id"), "../../etc")?;
    let s = Storage::locate(root.path(), "overlay2", &diff_ids)?;
    assert!(
        s.unreadable(0)
            .ok_or("expected a reason")?
            .contains("not a directory name")
    );
    std::fs::remove_file(db.join("tar-split.json.gz"))?;
    std::fs::write(db.join("cache-id"), "cache0")?;
    let s = Storage::locate(root.path(), "overlay2", &diff_ids)?;
    assert!(
        s.unreadable(0)
            .ok_or("expected a reason")?
            .contains("tar-split.json.gz: no such file")
    );
    let e = read_all(&s, 0).err().ok_or("expected an error")?;
    assert!(e.contains("tar-split.json.gz"), "{e}");
    Ok(())
}
