//! `microscope fleet` and `fleet summary` over archives (no registry needed): JSON lines,
//! a failed image recorded and the run going on, shards that split the list, the summary
//! in both forms with a baseline, and one clear line for each user error.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .expect("binary runs")
}

fn error_line(o: &Output) -> String {
    let s = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{s}");
    assert_eq!(s.lines().count(), 1, "exactly one error line, got {s:?}");
    s
}

/// Three archives on one base layer, and a list naming them and a missing file.
fn fleet(dir: &Path) -> PathBuf {
    let base = || LayerBuilder::new("ADD rootfs.tar /").file("usr/lib/libbase.so", &[7; 50_000]);
    let mut refs = Vec::new();
    for i in 0..3u8 {
        let img = ImageBuilder::new("app:1").layer(base()).layer(
            LayerBuilder::new(&format!("COPY app{i} /app"))
                .file("app/bin", &vec![i; 10_000 * (usize::from(i) + 1)]),
        );
        let path = dir.join(format!("app{i}.tar"));
        std::fs::write(&path, img.docker_archive()).unwrap();
        refs.push(format!("docker-archive:{}", path.display()));
    }
    refs.insert(
        1,
        format!("docker-archive:{}", dir.join("missing.tar").display()),
    );
    let list = dir.join("refs.txt");
    std::fs::write(&list, format!("# the fleet\n\n{}\n", refs.join("\n"))).unwrap();
    list
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn lines_errors_shards_and_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let list = fleet(dir.path());
    let all = dir.path().join("all.jsonl");
    let o = run(
        &[
            "fleet",
            "--from",
            &list.display().to_string(),
            "-o",
            &all.display().to_string(),
        ],
        &cache,
    );
    assert_eq!(o.status.code(), Some(2), "one image failed");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("[4/4]"), "{stderr}");
    // A local archive's scan stands for that file alone (issue 19's cache guard), so each
    // archive's base is read again; a registry fleet shares it by digest (tests/live/fleet.rs).
    assert!(
        stderr.contains("layers: 6 scanned, 0 reused"),
        "each archive's two layers: {stderr}"
    );
    let lines = jsonl(&all);
    assert_eq!(lines.len(), 4, "a line per image, the failed one too");
    assert!(
        lines[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("missing.tar")),
        "{}",
        lines[1]
    );
    assert!(
        lines[0]["ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("app0.tar"))
    );
    assert!(lines[0]["size"]["final_bytes"].as_u64().is_some());
    // Two shards split the list; their lines are the whole run's.
    let mut parted = Vec::new();
    for i in 1..=2 {
        let part = dir.path().join(format!("part-{i}.jsonl"));
        let shard = format!("{i}/2");
        let args = [
            "fleet",
            "--from",
            &list.display().to_string(),
            "--shard",
            &shard,
            "--no-cache",
            "-o",
            &part.display().to_string(),
        ];
        let _ = run(&args, &cache);
        parted.push(part);
    }
    let mut from_parts: Vec<String> = parted
        .iter()
        .flat_map(|p| jsonl(p))
        .map(|v| v["ref"].as_str().unwrap().to_string())
        .collect();
    from_parts.sort();
    let mut whole: Vec<String> = lines
        .iter()
        .map(|v| v["ref"].as_str().unwrap().to_string())
        .collect();
    whole.sort();
    assert_eq!(from_parts, whole);
    // The summary: the same from the parts as from the whole run.
    let summary = |files: &[&Path], extra: &[&str]| {
        let mut args: Vec<String> = vec!["fleet".into(), "summary".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(files.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, &cache);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let json = summary(&[&all], &["--json"]);
    assert_eq!(json, summary(&[&parted[0], &parted[1]], &["--json"]));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["images"], 3);
    assert_eq!(v["failed"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["shared_layers"][0]["images"], 3);
    assert_eq!(v["distinct_layers"], 4);
    let md = summary(&[&all], &["--markdown"]);
    assert!(md.starts_with("# Fleet summary"), "{md}");
    assert!(
        md.contains("## Shared base layers") && md.contains("ADD rootfs.tar /"),
        "{md}"
    );
    // Growth against the summary just made: nothing changed.
    let base = dir.path().join("baseline.json");
    std::fs::write(&base, &json).unwrap();
    let again: Value = serde_json::from_str(&summary(
        &[&all],
        &["--json", "--baseline", &base.display().to_string()],
    ))
    .unwrap();
    assert_eq!(again["growth"]["total_delta"], 0);
}

#[test]
fn user_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let list = fleet(dir.path()).display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["fleet"], "which images?"),
        (
            vec!["fleet", "--from", "/nonexistent/refs.txt"],
            "/nonexistent/refs.txt",
        ),
        (
            vec!["fleet", "--from", &list, "--shard", "3/2"],
            "between 1 and N",
        ),
        (
            vec!["fleet", "--from", &list, "--shards", "4"],
            "JOB_COMPLETION_INDEX",
        ),
        (
            vec![
                "fleet",
                "--from",
                &list,
                "--cache-registry",
                "docker://nohost",
            ],
            "HOST[:PORT]/REPO",
        ),
        (vec!["fleet", "summary", &list], "line 1"),
        (
            vec!["fleet", "summary", "/nonexistent.jsonl"],
            "/nonexistent.jsonl",
        ),
    ];
    for (args, says) in cases {
        let line = error_line(&run(&args, &cache));
        assert!(line.contains(says), "{args:?}: {line}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(["fleet", "--from", &list, "--shards", "4"])
        .env("XDG_CACHE_HOME", &cache)
        .env("JOB_COMPLETION_INDEX", "4")
        .output()
        .unwrap();
    assert!(error_line(&o).contains("not below --shards 4"));
}
