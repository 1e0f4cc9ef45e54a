//! CI configs from a pull request (issue 17, class 1): a `.dive-ci` is picked up by itself,
//! so its parse is bounded (aliases expanded, nesting) and so is its size.

use crate::util::*;
use std::time::Duration;

/// Nine levels of nine aliases: 9^9 (387 million) nodes once expanded, from ~470 bytes.
fn laughs() -> String {
    let mut s = String::from("rules:\n  lowestEfficiency: 0.9\na0: &a0 [\"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s
}

fn gate_in(dir: &std::path::Path, args: &[&str]) -> Outcome {
    let image = docker_archive(vec![RawTar::new().file(b"f", b"x").finish()]);
    std::fs::write(dir.join("image.tar"), image).unwrap();
    let mut all = vec!["image.tar"];
    all.extend_from_slice(args);
    run_limited(&all, Duration::from_secs(60), dir, &[])
}

#[test]
fn a_dive_ci_alias_bomb_is_one_error_line_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = laughs();
    assert!(bomb.len() < 600, "{} bytes", bomb.len());
    std::fs::write(dir.path().join(".dive-ci"), &bomb).unwrap();
    let o = gate_in(dir.path(), &["--ci"]);
    o.error("aliases are expanded");
    assert!(o.peak_kib < 200 << 10, "peak RSS {} KiB", o.peak_kib);
}

#[test]
fn deeply_nested_yaml_is_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), "- ".repeat(400_000) + "x").unwrap();
    gate_in(dir.path(), &["--ci-config", "c.yaml"]).error("nested deeper");
    std::fs::write(dir.path().join("c.yaml"), "[".repeat(500_000)).unwrap();
    gate_in(dir.path(), &["--ci-config", "c.yaml"]).error("not valid YAML");
}

#[test]
fn an_oversized_config_is_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::from("[ci]\nmax_layers = 3\n");
    big.push_str(&"# filler\n".repeat(200_000));
    std::fs::write(dir.path().join(".microscope.toml"), &big).unwrap();
    gate_in(dir.path(), &["--ci"]).error("larger than");
}

#[test]
fn a_fifo_config_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("c.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", fifo.display());
    gate_in(dir.path(), &["--ci-config", "c.toml"]).error("not a regular file");
}
