//! Generates large synthetic `docker save` archives for benchmarks (scripts/bench.sh):
//!
//!   genimage entries N OUT.tar    one layer of N small files (+ a tiny second layer)
//!   genimage whiteouts W OUT.tar  50k files, then a layer deleting W of them one by one
//!   genimage chmod N OUT.tar      N files, then a layer rewriting all of them with a new mode
//!
//! Layers are written straight to disk, so millions of entries need little memory.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, kind, n, out] = args.as_slice() else {
        anyhow::bail!("usage: genimage entries|whiteouts|chmod N OUT.tar");
    };
    let n: usize = n.parse()?;
    let dir = tempfile::tempdir_in(Path::new(out).parent().unwrap_or(Path::new(".")))?;
    let mut layers: Vec<(PathBuf, String)> = Vec::new();
    match kind.as_str() {
        "entries" => {
            layers.push(layer(dir.path(), "base", |b| files(b, n, 0o644))?);
            layers.push(layer(dir.path(), "app", |b| {
                files_named(b, 10, "app", 0o755)
            })?);
        }
        "whiteouts" => {
            layers.push(layer(dir.path(), "base", |b| files(b, 50_000, 0o644))?);
            layers.push(layer(dir.path(), "rm", |b| {
                for i in 0..n {
                    let (d, f) = name(i);
                    entry(b, &format!("{d}/.wh.{f}"), b"", 0o644)?;
                }
                Ok(())
            })?);
        }
        "chmod" => {
            layers.push(layer(dir.path(), "base", |b| files(b, n, 0o644))?);
            layers.push(layer(dir.path(), "chmod -R 755 /data", |b| {
                files(b, n, 0o755)
            })?);
        }
        other => anyhow::bail!("unknown kind {other}"),
    }
    archive(Path::new(out), &layers)?;
    Ok(())
}

fn name(i: usize) -> (String, String) {
    (format!("data/d{:04}", i / 500), format!("file{i:07}.txt"))
}

fn files(b: &mut tar::Builder<BufWriter<File>>, n: usize, mode: u32) -> anyhow::Result<()> {
    let mut last_dir = String::new();
    for i in 0..n {
        let (d, f) = name(i);
        if d != last_dir {
            dir_entry(b, &d)?;
            last_dir = d.clone();
        }
        let content = format!("content of file {i} {}\n", "x".repeat(i % 700));
        entry(b, &format!("{d}/{f}"), content.as_bytes(), mode)?;
    }
    Ok(())
}

fn files_named(
    b: &mut tar::Builder<BufWriter<File>>,
    n: usize,
    prefix: &str,
    mode: u32,
) -> anyhow::Result<()> {
    for i in 0..n {
        entry(
            b,
            &format!("{prefix}/bin{i}"),
            format!("binary {i}").as_bytes(),
            mode,
        )?;
    }
    Ok(())
}

fn dir_entry(b: &mut tar::Builder<BufWriter<File>>, path: &str) -> anyhow::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    b.append_data(&mut h, format!("{path}/"), std::io::empty())?;
    Ok(())
}

fn entry(
    b: &mut tar::Builder<BufWriter<File>>,
    path: &str,
    data: &[u8],
    mode: u32,
) -> anyhow::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(1_700_000_000);
    b.append_data(&mut h, path, data)?;
    Ok(())
}

fn layer(
    dir: &Path,
    command: &str,
    fill: impl FnOnce(&mut tar::Builder<BufWriter<File>>) -> anyhow::Result<()>,
) -> anyhow::Result<(PathBuf, String)> {
    let path = dir.join(format!("layer{}.tar", command.len()));
    let mut b = tar::Builder::new(BufWriter::new(File::create(&path)?));
    fill(&mut b)?;
    b.into_inner()?.flush()?;
    Ok((path, command.to_string()))
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn archive(out: &Path, layers: &[(PathBuf, String)]) -> anyhow::Result<()> {
    let mut diff_ids = Vec::new();
    let mut names = Vec::new();
    for (p, _) in layers {
        let hex = sha256_file(p)?;
        names.push(format!("{hex}/layer.tar"));
        diff_ids.push(format!("sha256:{hex}"));
    }
    let history: Vec<serde_json::Value> = layers
        .iter()
        .map(|(_, c)| serde_json::json!({"created_by": format!("/bin/sh -c {c}")}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history,
    }))?;
    let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name, "RepoTags": ["bench:latest"], "Layers": names,
    }]))?;
    let mut b = tar::Builder::new(BufWriter::new(File::create(out)?));
    for ((p, _), name) in layers.iter().zip(&names) {
        b.append_path_with_name(p, name)?;
    }
    for (name, data) in [
        (config_name.as_str(), &config),
        ("manifest.json", &manifest),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, &data[..])?;
    }
    b.into_inner()?.flush()?;
    Ok(())
}
