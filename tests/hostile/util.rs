//! Helpers: tars written byte by byte (so headers can lie), images around hostile layers,
//! and the real binary run with a time limit and an address-space limit.

use microscope::image::LayerScan;
use microscope::scan::{ScanContext, ScanError, scan_layer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BLOCK: usize = 512;

/// A tar assembled from raw headers: nothing is validated, so tests can write what a
/// well-behaved writer refuses to (`..`, absolute names, lying sizes, bogus PAX records).
#[derive(Default)]
pub struct RawTar {
    pub bytes: Vec<u8>,
}

/// A GNU header with `name` copied in verbatim (up to 100 bytes) and a valid checksum.
pub fn header(name: &[u8], kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    });
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    h
}

impl RawTar {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header and `data`, padded to a block; the header's size is not checked.
    pub fn raw(&mut self, h: &tar::Header, data: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(h.as_bytes());
        self.bytes.extend_from_slice(data);
        self.pad();
        self
    }

    pub fn pad(&mut self) {
        let rem = self.bytes.len() % BLOCK;
        if rem != 0 {
            self.bytes.resize(self.bytes.len() + BLOCK - rem, 0);
        }
    }

    pub fn file(&mut self, name: &[u8], data: &[u8]) -> &mut Self {
        self.raw(
            &header(name, tar::EntryType::Regular, data.len() as u64),
            data,
        )
    }

    pub fn dir(&mut self, name: &[u8]) -> &mut Self {
        self.raw(&header(name, tar::EntryType::Directory, 0), &[])
    }

    pub fn entry(&mut self, name: &[u8], kind: tar::EntryType) -> &mut Self {
        self.raw(&header(name, kind, 0), &[])
    }

    /// A symlink (`Symlink`) or hard link (`Link`) with a target of up to 100 bytes.
    pub fn link(&mut self, name: &[u8], kind: tar::EntryType, target: &[u8]) -> &mut Self {
        let mut h = header(name, kind, 0);
        h.as_old_mut().linkname[..target.len()].copy_from_slice(target);
        h.set_cksum();
        self.raw(&h, &[])
    }

    /// A GNU `L` long-name member followed by the entry it names.
    pub fn long_name(&mut self, name: &[u8], kind: tar::EntryType, data: &[u8]) -> &mut Self {
        let mut l = header(
            b"././@LongLink",
            tar::EntryType::GNULongName,
            name.len() as u64 + 1,
        );
        l.set_cksum();
        let mut with_nul = name.to_vec();
        with_nul.push(0);
        self.raw(&l, &with_nul);
        self.raw(
            &header(&name[..100.min(name.len())], kind, data.len() as u64),
            data,
        )
    }

    /// A PAX `x` member carrying `records` for the next entry.
    pub fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut body = Vec::new();
        for (k, v) in records {
            body.extend(pax_record(k, v));
        }
        self.pax_raw(&body)
    }

    pub fn pax_raw(&mut self, body: &[u8]) -> &mut Self {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..9].copy_from_slice(b"PaxHeader");
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        self.raw(&h, body)
    }

    /// The two zero blocks that end an archive.
    pub fn finish(&mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&[0u8; 2 * BLOCK]);
        std::mem::take(&mut self.bytes)
    }
}

/// `LEN key=value\n`, where LEN counts the whole record including itself.
pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    let mut out = format!("{len} {key}=").into_bytes();
    out.extend_from_slice(value);
    out.push(b'\n');
    out
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Runs `f` on another thread and fails the test if it takes longer than `limit`.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("did not finish in {limit:?}"),
        Err(e) => panic!("the worker panicked ({e})"),
    }
}

/// Scans one layer blob in memory through the library, bounded in time.
pub fn scan(blob: Vec<u8>) -> Result<LayerScan, ScanError> {
    within(Duration::from_secs(60), move || {
        scan_layer(&blob[..], &ScanContext::default())
    })
}

/// The paths a scan kept, in order.
pub fn paths(scan: &LayerScan) -> Vec<&str> {
    scan.entries.iter().map(|e| &*e.path).collect()
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The child's peak resident set (VmHWM), sampled every 10 ms while it ran, in KiB.
    pub peak_kib: u64,
}

/// A process's peak resident set so far, in KiB (0 once it has exited).
pub fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Address space the binary may use: a scan that buffered a bomb would hit it and abort.
pub const ADDRESS_SPACE_KIB: u64 = 3 << 20;

/// Runs `microscope ARGS` bounded in time (killed and failed after `limit`) and memory.
pub fn run_limited(args: &[&str], limit: Duration, cwd: &Path, envs: &[(&str, &Path)]) -> Outcome {
    let bin = env!("CARGO_BIN_EXE_microscope");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("XDG_CACHE_HOME", crate::support::test_cache());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn microscope");
    // Drain the pipes on threads so a large report cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        peak_kib = peak_kib.max(vm_hwm_kib(child.id()));
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("microscope {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        code: status.code(),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        peak_kib,
    }
}

/// Runs `microscope PATH --json` with the default limits.
pub fn run(image: &Path) -> Outcome {
    let cwd = tempfile::tempdir().unwrap();
    run_limited(
        &[image.to_str().unwrap(), "--json"],
        Duration::from_secs(120),
        cwd.path(),
        &[],
    )
}

impl Outcome {
    /// The JSON report of a successful run.
    #[track_caller]
    pub fn report(&self) -> Value {
        assert_eq!(
            self.code,
            Some(0),
            "expected success, got {:?}; stderr: {}",
            self.code,
            self.stderr
        );
        serde_json::from_str(&self.stdout).expect("the report is JSON")
    }

    /// Asserts the documented failure: exit 2 and exactly one `microscope: ...` line.
    #[track_caller]
    pub fn error(&self, needle: &str) -> &str {
        assert_eq!(
            self.code,
            Some(2),
            "expected exit 2, got {:?}; stdout: {:.300}; stderr: {}",
            self.code,
            self.stdout,
            self.stderr
        );
        let line = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(!line.contains('\n'), "more than one line on stderr: {line}");
        assert!(line.starts_with("microscope: "), "stderr: {line}");
        assert!(line.contains(needle), "{needle:?} not in: {line}");
        assert!(line.len() < 2000, "error line is {} bytes long", line.len());
        line
    }
}

/// Asserts a report warning containing `needle`.
#[track_caller]
pub fn has_warning(report: &Value, needle: &str) {
    let warnings = report["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains(needle))),
        "no warning with {needle:?} in {warnings:?}"
    );
}

/// A temporary directory holding one image file.
pub struct Written {
    pub dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
}

pub fn write_file(name: &str, bytes: &[u8]) -> Written {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    Written { dir, path }
}

/// A legacy `docker save` archive of plain layer tars, with matching diff_ids.
pub fn docker_archive(layers: Vec<Vec<u8>>) -> Vec<u8> {
    let mut b = microscope::demo::builder::ImageBuilder::new("hostile:latest");
    for (i, l) in layers.into_iter().enumerate() {
        b.layers.push((l, format!("RUN step {i}")));
    }
    b.docker_archive()
}

/// Scans a layer tar with the library and runs the binary on a docker archive holding it.
pub fn check_layer(layer: Vec<u8>) -> (Result<LayerScan, ScanError>, Outcome) {
    let lib = scan(layer.clone());
    let img = write_file("image.tar", &docker_archive(vec![layer]));
    (lib, run(&img.path))
}

/// An OCI layout's files, built from stored layer blobs; `tweak` edits the config and the
/// manifest JSON before they are hashed.
pub fn oci_files(
    blobs: &[Vec<u8>],
    diff_ids: &[String],
    tweak: impl FnOnce(&mut Value, &mut Value),
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(
        "oci-layout".to_string(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let arch = microscope::image::Platform::host().architecture;
    let mut config = json!({
        "architecture": arch, "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [],
    });
    let layers: Vec<Value> = blobs
        .iter()
        .map(|b| {
            json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": sha256(b), "size": b.len()})
        })
        .collect();
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "", "size": 0},
        "layers": layers,
    });
    tweak(&mut config, &mut manifest);
    let config = serde_json::to_vec(&config).unwrap();
    if manifest["config"]["digest"] == "" {
        manifest["config"]["digest"] = json!(sha256(&config));
        manifest["config"]["size"] = json!(config.len());
    }
    let manifest = serde_json::to_vec(&manifest).unwrap();
    for b in blobs {
        files.push((blob_path(&sha256(b)), b.clone()));
    }
    files.push((blob_path(&sha256(&config)), config));
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": sha256(&manifest), "size": manifest.len()}],
    });
    files.push((blob_path(&sha256(&manifest)), manifest));
    files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    files
}

pub fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
}

/// Writes layout files into a fresh directory.
pub fn write_dir(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, b) in files {
        let full = dir.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, b).unwrap();
    }
    dir
}
