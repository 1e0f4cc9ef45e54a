//! The fleet against a real registry (Debian's docker-registry, started by `.ci/run`): a
//! small generated fleet on shared bases, N shards started at once with
//! JOB_COMPLETION_INDEX=0..N-1 and a shared cache registry. From the registry's access log:
//! every distinct layer blob fetched once in all; and the summary of the shards' files
//! equals a single process's. Needs MICROSCOPE_TEST_REGISTRY, MICROSCOPE_TEST_REGISTRY_LOG,
//! skopeo.

use crate::support::live;

use live::{Isolated, have, logged_requests, path_str, push_once, service};
use microscope::cache::ScanCache;
use microscope::cache::registry::{ARTIFACT_TYPE, FORMAT_ANNOTATION, RegistryScans};
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::LayerScan;
use microscope::source::registry::Session;
use microscope::source::registry::artifact::Artifact;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

const SHARDS: usize = 3;

struct Fleet {
    reg: String,
    log: String,
    /// The repository prefix unique to this run (`fleet-PID-NANOS`).
    prefix: String,
    refs: Vec<String>,
}

fn setup() -> Option<Fleet> {
    let reg = service("MICROSCOPE_TEST_REGISTRY", "a docker-registry")?;
    let log = service("MICROSCOPE_TEST_REGISTRY_LOG", "that registry's log")?;
    if !have("skopeo") {
        return None;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let prefix = format!("fleet-{}-{nanos}", std::process::id());
    // Two bases (unique to this run, so no earlier run's blobs or cache entries count),
    // three images on each, every image one layer of its own.
    let base = |name: &str| {
        LayerBuilder::new(&format!("ADD {name}-rootfs.tar /"))
            .file(
                "etc/os-release",
                format!("ID={name}\nRUN={prefix}\n").as_bytes(),
            )
            .file("usr/lib/libbig.so", &name.as_bytes().repeat(40_000))
    };
    let mut refs = Vec::new();
    for (b, base_name) in ["deb", "alp"].iter().enumerate() {
        for i in 0..3 {
            let img = ImageBuilder::new("app:1").layer(base(base_name)).layer(
                LayerBuilder::new(&format!("COPY app{b}{i} /app"))
                    .file("app/run.sh", format!("#!/bin/sh\necho {b}{i}\n").as_bytes())
                    .file("app/data.bin", &[b as u8 * 10 + i as u8; 30_000]),
            );
            let dir = tempfile::tempdir().ok()?;
            img.write_oci_dir(dir.path()).ok()?;
            let image = format!("docker://{reg}/{prefix}/app-{b}{i}:latest");
            push_once(
                &format!("oci:{}", path_str(dir.path())),
                &image,
                None,
                false,
            );
            refs.push(image);
        }
    }
    Some(Fleet {
        reg,
        log,
        prefix,
        refs,
    })
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn shards_at_once_fetch_each_distinct_layer_once_and_sum_to_one_run() {
    let Some(f) = setup() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let refs_file = work.path().join("refs.txt");
    std::fs::write(&refs_file, f.refs.join("\n") + "\n").unwrap();
    let cache = format!("docker://{}/{}-cache", f.reg, f.prefix);
    // N processes, each with its own local cache (as on N machines), started together.
    let homes: Vec<Isolated> = (0..SHARDS).map(|_| Isolated::new()).collect();
    let children: Vec<_> = homes
        .iter()
        .enumerate()
        .map(|(i, home)| {
            let out = work.path().join(format!("part-{i}.jsonl"));
            let mut run = home
                .run(&[
                    "fleet",
                    "--from",
                    &path_str(&refs_file),
                    "--shards",
                    &SHARDS.to_string(),
                    "--cache-registry",
                    &cache,
                    "--owner-wait",
                    "120",
                    "-o",
                    &path_str(&out),
                ])
                .env("JOB_COMPLETION_INDEX", i.to_string());
            run.cmd
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            run.cmd.spawn().expect("the binary runs")
        })
        .collect();
    let mut scanned = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "a shard failed: {err}");
        let last = err
            .lines()
            .rev()
            .find(|l| l.contains("layers:"))
            .unwrap_or_default();
        eprintln!("{last}");
        scanned += last
            .split("layers: ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no count in {last:?}"));
        assert!(
            !err.contains("waits ran out") || err.contains(", 0 waits ran out"),
            "{err}"
        );
    }
    let parts: Vec<_> = (0..SHARDS)
        .map(|i| work.path().join(format!("part-{i}.jsonl")))
        .collect();
    let reports: Vec<Value> = parts.iter().flat_map(|p| lines(p)).collect();
    assert_eq!(
        reports.len(),
        f.refs.len(),
        "every image once, in some shard"
    );
    let layer_digests: BTreeSet<String> = reports
        .iter()
        .flat_map(|r| r["layers"].as_array().cloned().unwrap_or_default())
        .map(|l| l["digest"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(layer_digests.len(), 2 + 6, "two bases and six own layers");
    assert_eq!(
        scanned,
        layer_digests.len(),
        "each distinct layer scanned by one shard"
    );
    // The registry logs a request when it is done with it: let the log settle first.
    logged_requests(&f.log, &f.prefix);
    for d in &layer_digests {
        let fetched = count_gets(&f.log, &f.prefix, d);
        assert_eq!(
            fetched, 1,
            "layer blob {d} fetched {fetched} times across the shards"
        );
    }
    // Another machine, its local cache empty: every scan comes from the cache registry, no
    // layer blob is fetched again.
    let warm = Isolated::new();
    let out = warm
        .run(&[
            "fleet",
            "--from",
            &path_str(&refs_file),
            "--cache-registry",
            &cache,
        ])
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("layers: 0 scanned, 12 reused"), "{err}");
    logged_requests(&f.log, &f.prefix);
    for d in &layer_digests {
        assert_eq!(
            count_gets(&f.log, &f.prefix, d),
            1,
            "{d} fetched again by a warm run"
        );
    }
    // The same fleet in one process, without any cache: the same summary.
    let single = work.path().join("single.jsonl");
    let one = Isolated::new();
    let out = one
        .run(&[
            "fleet",
            "--from",
            &path_str(&refs_file),
            "--no-cache",
            "-o",
            &path_str(&single),
        ])
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = |files: &[&Path]| {
        let mut args = vec!["fleet".to_string(), "summary".into(), "--json".into()];
        args.extend(files.iter().map(|p| path_str(p)));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = one.run(&args).output();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let sharded = summary(&parts.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert_eq!(sharded, summary(&[single.as_path()]));
    assert_eq!(sharded["images"], 6);
    assert_eq!(sharded["shared_layers"].as_array().map(Vec::len), Some(2));
}

/// GET requests for `digest` under this run's repositories (the image blobs, not the cache's).
fn count_gets(log: &str, prefix: &str, digest: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&format!("\"GET /v2/{prefix}/")) && l.contains("microscope/"))
        .filter(|l| l.contains(&format!("/blobs/{digest} ")))
        .count()
}

#[test]
fn a_registry_listing_with_globs_and_an_error_line_that_does_not_stop_the_run() {
    let Some(f) = setup() else {
        return;
    };
    let t = Isolated::new();
    let out = t
        .run(&[
            "fleet",
            &format!("docker://{}", f.reg),
            "--repo",
            &format!("{}/app-0*", f.prefix),
            "--tags",
            "lat*",
        ])
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["ref"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        refs,
        f.refs[..3].to_vec(),
        "the three app-0* images, sorted"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[3/3]"), "progress: {stderr}");
    // A reference that does not exist is a line of its own, the rest goes on, exit 2.
    let list = format!(
        "{}\ndocker://{}/{}/missing:latest\n",
        f.refs[0], f.reg, f.prefix
    );
    let out = t.run(&["fleet", "--from", "-"]).stdin(&list).output();
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["size"]["final_bytes"].as_u64().is_some());
    assert!(
        lines[1]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        lines[1]
    );
}

/// Catalog and tags paged two names at a time: every one of this run's images, in order.
#[test]
fn the_catalog_pages_through_every_repository() {
    let Some(f) = setup() else {
        return;
    };
    let session = Session::connect(&f.reg, &Default::default()).unwrap();
    let repos = globset::Glob::new(&format!("{}/*", f.prefix))
        .unwrap()
        .compile_matcher();
    let any = globset::Glob::new("*").unwrap().compile_matcher();
    let listed = session.list_images_paged(&repos, &any, 2).unwrap();
    let want: Vec<(String, String)> = f
        .refs
        .iter()
        .map(|r| {
            let rest = r.split_once(&format!("{}/", f.reg)).unwrap().1;
            let (repo, tag) = rest.rsplit_once(':').unwrap();
            (repo.to_string(), tag.to_string())
        })
        .collect();
    assert_eq!(listed, want);
    assert_eq!(session.list_images(&repos, &any).unwrap(), want);
}

/// The registry tier reads back what it pushed, and takes anything else under a layer's tag
/// (another type, another format, another key, a flipped byte) for a miss.
#[test]
fn cache_registry_entries_are_verified_on_read() {
    let Some(reg) = service("MICROSCOPE_TEST_REGISTRY", "a docker-registry") else {
        return;
    };
    let repo = format!("fleet-cache-{}", std::process::id());
    let key = |i: u8| format!("sha256:{}", hex_of(i));
    let scans = RegistryScans::connect(Session::connect(&reg, &Default::default()).unwrap(), &repo)
        .unwrap();
    let scan = LayerScan {
        digest: key(1),
        diff_id: key(1),
        uncompressed_bytes: 42,
        ..Default::default()
    };
    assert!(scans.get(&key(1)).is_none(), "nothing there yet");
    scans.put(&key(1), &Arc::new(scan.clone()));
    assert_eq!(scans.get(&key(1)), Some(scan));
    let raw = Session::connect(&reg, &Default::default()).unwrap();
    let good = raw
        .get_artifact(&repo, &format!("sha256-{}", hex_of(1)), 1 << 20)
        .unwrap()
        .expect("the pushed entry");
    assert_eq!(good.artifact_type, ARTIFACT_TYPE);
    let push = |i: u8, a: &Artifact| {
        raw.put_artifact(
            &repo,
            &format!("sha256-{}", hex_of(i)),
            a,
            "application/octet-stream",
        )
        .unwrap()
    };
    // The same bytes under another layer's tag: the key inside does not match.
    push(2, &good);
    let mut other_type = good.clone();
    other_type.artifact_type = "application/vnd.example.other".into();
    push(3, &other_type);
    let mut other_format = good.clone();
    other_format
        .annotations
        .insert(FORMAT_ANNOTATION.into(), "v0-old".into());
    push(4, &other_format);
    let mut flipped = good.clone();
    let last = flipped.blob.len() - 1;
    flipped.blob[last] ^= 1;
    push(5, &flipped);
    for i in 2..=5 {
        assert!(scans.get(&key(i)).is_none(), "entry {i} is a miss");
    }
    assert_eq!(scans.failures.load(std::sync::atomic::Ordering::Relaxed), 0);
}

fn hex_of(i: u8) -> String {
    format!("{i:02x}").repeat(32)
}
