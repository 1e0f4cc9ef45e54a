//! Nothing is written outside the cache directory, whatever the image holds: names that
//! climb out of the root, symlinks out of it used as directories, absolute names. The run
//! gets its own HOME, XDG_CACHE_HOME, TMPDIR and working directory, all checked afterwards.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tar::EntryType as T;

/// Every file and directory under `root`, relative, sorted.
fn tree(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
    out.sort();
    out
}

/// Names the cache may use: its own directories and digest- or hex-named entries.
fn cache_name_ok(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    matches!(
        name,
        "microscope" | "scans" | "blobs" | "reports" | "kept" | "sha256" | "CACHEDIR.TAG" | "tmp"
    ) || (stem.len() >= 2 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        || name.starts_with(".tmp")
        || format_dir(name)
        || report_format_dir(name)
}

/// The reports' format directory, `r1`, and the kept analyses', `k1`.
fn report_format_dir(name: &str) -> bool {
    (name.strip_prefix('r').or_else(|| name.strip_prefix('k')))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The scan format's directory: `v4-0.1.0-61c379c1a58d` (format, version, field fingerprint).
fn format_dir(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('v') else {
        return false;
    };
    let parts: Vec<&str> = rest.split('-').collect();
    parts.len() == 3
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[2].bytes().all(|b| b.is_ascii_hexdigit())
}

fn hostile_layers() -> Vec<Vec<u8>> {
    let escaping = RawTar::new()
        .link(b"evil", T::Symlink, b"../../../../../../../../tmp")
        .file(b"evil/microscope-was-here", b"x")
        .link(b"abs", T::Symlink, b"/tmp")
        .file(b"abs/microscope-was-here-too", b"x")
        .link(b"home", T::Symlink, b"/root")
        .file(b"home/.bashrc", b"echo owned")
        .link(b"hard", T::Link, b"/etc/passwd")
        .dir(b".cache/microscope")
        .file(b".cache/microscope/planted", b"x")
        .finish();
    let traversal = RawTar::new().file(b"../../escape", b"x").finish();
    vec![escaping, traversal]
}

#[test]
fn nothing_is_written_outside_the_cache() {
    let sandbox = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = ["home", "cache", "tmp", "cwd", "image"]
        .iter()
        .map(|d| {
            let p = sandbox.path().join(d);
            std::fs::create_dir(&p).unwrap();
            p
        })
        .collect();
    let [home, cache, tmp, cwd, image] = dirs.as_slice() else {
        unreachable!()
    };
    let layers = hostile_layers();
    // One image that scans (symlink tricks) and one that fails (`..`), in both formats.
    let ok = docker_archive(vec![layers[0].clone()]);
    let bad = docker_archive(vec![layers[1].clone()]);
    std::fs::write(image.join("ok.tar"), &ok).unwrap();
    std::fs::write(image.join("bad.tar"), &bad).unwrap();
    let oci = oci_files(&[gzip(&layers[0])], &[sha256(&layers[0])], |_, _| {});
    for (p, b) in &oci {
        let full = image.join("oci").join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, b).unwrap();
    }
    let before = tree(image);
    let envs = [
        ("HOME", home.as_path()),
        ("XDG_CACHE_HOME", cache.as_path()),
        ("TMPDIR", tmp.as_path()),
    ];
    let limit = Duration::from_secs(60);
    for (img, ok) in [("ok.tar", true), ("bad.tar", false), ("oci", true)] {
        let path = image.join(img);
        for _ in 0..2 {
            // Twice: the second run may read what the first cached.
            let out = run_limited(&[path.to_str().unwrap(), "--json"], limit, cwd, &envs);
            if ok {
                out.report();
            } else {
                out.error("escapes the root");
            }
        }
    }
    assert_eq!(tree(image), before, "the image directory changed");
    for (what, dir) in [("HOME", home), ("TMPDIR", tmp), ("working directory", cwd)] {
        let left: Vec<PathBuf> = tree(dir)
            .into_iter()
            .filter(|p| !p.starts_with(".cache/microscope") && *p != Path::new(".cache"))
            .collect();
        assert!(left.is_empty(), "{what} got {left:?}");
    }
    for p in tree(cache).iter().chain(&tree(&home.join(".cache"))) {
        for c in p.components() {
            let name = c.as_os_str().to_string_lossy();
            assert!(
                cache_name_ok(&name),
                "cache entry not named by a digest: {p:?}"
            );
        }
    }
    for planted in ["/tmp/microscope-was-here", "/tmp/microscope-was-here-too"] {
        assert!(!Path::new(planted).exists(), "{planted} was written");
    }
}
