//! `slim --verify`: the written image loaded into the Docker engine the `docker` command
//! reaches (DOCKER_HOST, its context), its entrypoint run with `--network host`, a verdict,
//! and the test image and container removed again whatever happened.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn docker(args: &[&str]) -> Result<String> {
    let o = Command::new("docker")
        .args(args)
        .output()
        .context("--verify: cannot run `docker` (is it installed?)")?;
    if !o.status.success() {
        let err = String::from_utf8_lossy(&o.stderr);
        bail!(
            "docker {}: {}",
            args.first().copied().unwrap_or(""),
            err.lines().next().unwrap_or("failed")
        );
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Loads `archive` (tagged `tag`), runs it, and returns pass or fail with the line that
/// says so. Err only when the engine cannot be used at all.
pub fn verify(archive: &Path, tag: &str, cmd: Option<&str>) -> Result<(bool, String)> {
    docker(&["info", "--format", "{{.ServerVersion}}"])
        .context("--verify needs a reachable Docker engine")?;
    docker(&["load", "-q", "-i", &archive.to_string_lossy()])?;
    let result = run_and_judge(tag, cmd);
    let _ = docker(&["rmi", "-f", tag]);
    let (passed, why) = result?;
    let line = format!(
        "verify: {} — {why} (test image {tag} removed)\n",
        if passed { "PASS" } else { "FAIL" }
    );
    Ok((passed, line))
}

fn run_and_judge(tag: &str, cmd: Option<&str>) -> Result<(bool, String)> {
    let id = docker(&["run", "-d", "--network", "host", tag])?;
    let verdict = judge(&id, cmd);
    let logs = docker(&["logs", "--tail", "5", &id]).unwrap_or_default();
    let _ = docker(&["rm", "-f", &id]);
    let (passed, mut why) = verdict?;
    if !passed && !logs.is_empty() {
        why.push_str(&format!("; last output: {}", logs.replace('\n', " | ")));
    }
    Ok((passed, why))
}

fn judge(id: &str, cmd: Option<&str>) -> Result<(bool, String)> {
    let state = || {
        docker(&[
            "inspect",
            "-f",
            "{{.State.Running}} {{.State.ExitCode}}",
            id,
        ])
    };
    if let Some(cmd) = cmd {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < Duration::from_secs(15) {
            let o = Command::new("sh")
                .args(["-c", cmd])
                .output()
                .context("--verify-cmd: cannot run sh")?;
            if o.status.success() {
                return Ok((true, format!("`{cmd}` succeeded while the container ran")));
            }
            last = format!("exit {}", o.status.code().unwrap_or(-1));
            if state()?.starts_with("false") {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        return Ok((false, format!("`{cmd}` never succeeded ({last})")));
    }
    std::thread::sleep(Duration::from_secs(2));
    let s = state()?;
    Ok(match s.split_once(' ') {
        Some(("true", _)) => (true, "the entrypoint still runs after 2 s".into()),
        Some((_, "0")) => (true, "the entrypoint ran and exited 0".into()),
        Some((_, code)) => (false, format!("the entrypoint exited {code}")),
        None => (false, format!("unexpected state {s:?}")),
    })
}
