//! Shared by the `live` tests: running the binary in an isolated environment, finding the
//! real services `.ci/run` starts (skipping, with the reason printed, when they are absent),
//! and putting corpus images into them.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// A service's address from the environment, or None after saying why the test is skipped.
pub fn service(var: &str, what: &str) -> Option<String> {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        Some(v) => Some(v),
        None => {
            crate::support::skip(format_args!(
                "{var} is not set ({what}; .ci/run starts it with ../shared/corpus/services.sh)"
            ));
            None
        }
    }
}

pub fn corpus() -> Option<PathBuf> {
    let dir = service("MICROSCOPE_CORPUS", "the real-image corpus")?;
    let p = PathBuf::from(dir);
    if p.join("alpine-3.20.docker.tar").is_file() {
        Some(p)
    } else {
        crate::support::skip(format_args!(
            "MICROSCOPE_CORPUS={} holds no corpus",
            p.display()
        ));
        None
    }
}

pub fn have(program: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        crate::support::skip(format_args!(
            "{program} is not installed (.ci/run installs it)"
        ));
    }
    ok
}

/// The binary with a clean slate: its own cache and docker config dirs, no engine unless
/// the test sets one.
pub struct Run {
    pub cmd: Command,
    stdin: Option<String>,
}

pub struct Isolated {
    pub home: tempfile::TempDir,
}

impl Isolated {
    pub fn new() -> Isolated {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(home.path().join("docker")).unwrap();
        Isolated { home }
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    pub fn docker_config(&self) -> PathBuf {
        self.home.path().join("docker")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_microscope"));
        cmd.args(args)
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", self.cache_dir())
            .env("DOCKER_CONFIG", self.docker_config())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("CONTAINER_HOST")
            .env_remove("XDG_RUNTIME_DIR");
        Run { cmd, stdin: None }
    }
}

impl Run {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env(k, v);
        self
    }

    pub fn stdin(mut self, s: &str) -> Run {
        self.stdin = Some(s.to_string());
        self
    }

    pub fn output(mut self) -> Output {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("the binary runs");
        let mut stdin = child.stdin.take().unwrap();
        if let Some(s) = self.stdin.take() {
            stdin.write_all(s.as_bytes()).unwrap();
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    /// Runs and expects success; returns the parsed JSON report (`--json` must be given).
    pub fn json(self) -> Value {
        let out = self.output();
        assert!(
            out.status.success(),
            "microscope failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("a JSON report")
    }

    /// Runs and expects exit 2 with one `microscope: ` line; returns that line.
    pub fn fails(self) -> String {
        let out = self.output();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "exit 2 expected; stderr: {err}");
        let last = err.lines().last().unwrap_or("").to_string();
        assert!(last.starts_with("microscope: "), "one clear line: {err}");
        last
    }
}

/// The report with what names its source taken out: what is left must not depend on
/// where the image was read from.
pub fn numbers(mut report: Value) -> Value {
    if let Some(image) = report.get_mut("image").and_then(Value::as_object_mut) {
        image.remove("reference");
        image.remove("source");
        image.remove("manifest_digest");
    }
    // The rewritten Dockerfile names the image as the user spelled it; the rest must match.
    if let Some(rewrite) = report.get_mut("rewrite").and_then(Value::as_object_mut) {
        rewrite.remove("dockerfile");
    }
    report
}

/// Runs a helper program (docker, skopeo) and fails the test with its output if it fails.
pub fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Pushes once per process (skopeo copy is idempotent, but not free).
pub fn push_once(src: &str, dest: &str, creds: Option<&str>, all: bool) {
    static DONE: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let done = DONE.get_or_init(|| Mutex::new(Vec::new()));
    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
    if done.iter().any(|d| d == dest) {
        return;
    }
    let mut args = vec!["copy", "-q", "--dest-tls-verify=false"];
    if let Some(c) = creds {
        args.extend(["--dest-creds", c]);
    }
    if all {
        args.push("--all");
    }
    args.extend([src, dest]);
    sh("skopeo", &args);
    done.push(dest.to_string());
}

/// Requests the registry logged for paths containing `needle`, counted once the log has
/// stopped growing: it writes a request's line when it has finished with it, which can be
/// after the client (a push, a pull) has returned.
pub fn logged_requests(log: &str, needle: &str) -> usize {
    let count = || {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .matches(needle)
            .count()
    };
    let mut last = count();
    for _ in 0..25 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let now = count();
        if now == last {
            break;
        }
        last = now;
    }
    last
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
