//! The "decide and document" items of issue 17: `-o FILE` honours the umask; temp files a
//! killed cache write left behind are cleaned by a later run.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn output_files_honour_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let out = dir.path().join(format!("r{umask}.json"));
        let st = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_microscope"))
            .args(["demo", "--json", "-o", out.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(st.success());
        let got = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "umask {umask}");
    }
}

#[test]
fn stale_cache_temp_files_are_removed() {
    use microscope::cache::Cache;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("blobs/ab");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join(".tmp-killed");
    let fresh = dir.join(".tmp-writing");
    std::fs::write(&stale, b"half an entry").unwrap();
    std::fs::write(&fresh, b"being written").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let cache = Cache::open(root.path(), 1 << 30);
    let blob = b"{}";
    cache.put_blob(&microscope::source::config::sha256(blob), blob);
    assert!(!stale.exists(), "a temp file untouched for an hour is gone");
    assert!(fresh.exists(), "a temp file being written stays");
}
