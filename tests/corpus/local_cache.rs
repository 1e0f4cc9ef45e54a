//! The scan cache serves local OCI layouts and docker-archives, guarded by the identity of
//! the file read: a second run reads no layer, an edited file is read and verified again.

use microscope::cache::{Cache, DEFAULT_LIMIT};
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::jobs::{Opened, Progress};
use microscope::reference::ImageRef;
use microscope::source::SourceOptions;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn image() -> ImageBuilder {
    ImageBuilder::new("t:1")
        .layer(LayerBuilder::new("base").file("etc/a", &[b'a'; 3000]))
        .layer(LayerBuilder::new("app").file("app/b", &[b'b'; 5000]))
}

/// Loads `reference` through `cache`: (layers scanned, layers served by the cache).
fn load(reference: &str, cache: &Arc<Cache>) -> Result<(usize, usize), microscope::Error> {
    let opts = SourceOptions {
        cache: Some(cache.clone()),
        ..Default::default()
    };
    let r = ImageRef::parse(reference)?;
    let opened = Opened::open(&r, &opts, &mut |_| {})?;
    let (scanned, cached) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let progress = |p: Progress| {
        if let Progress::LayerDone { cached: c, .. } = p {
            if c { &cached } else { &scanned }.fetch_add(1, Ordering::SeqCst);
        }
    };
    opened.load(Some(&progress), None)?;
    Ok((scanned.into_inner(), cached.into_inner()))
}

/// Sets a file's mtime an hour back: a "touch" the size does not show.
fn backdate(path: &Path) -> TestResult {
    let t = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(path)?
        .set_modified(t)?;
    Ok(())
}

fn layer_blob(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
    dir.join("blobs/sha256")
        .join(&microscope::demo::builder::sha256(bytes)["sha256:".len()..])
}

#[test]
fn an_oci_layout_is_served_warm_and_a_touched_blob_is_read_again() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cache = Arc::new(Cache::open(&tmp.path().join("cache"), DEFAULT_LIMIT));
    let dir = tmp.path().join("layout");
    let img = image();
    img.write_oci_dir(&dir)?;
    let reference = format!("oci:{}", dir.display());
    assert_eq!(load(&reference, &cache)?, (2, 0), "cold: both layers read");
    assert_eq!(load(&reference, &cache)?, (0, 2), "warm: none read");
    // Touch the second layer's blob only: that layer is a miss, the other still a hit.
    let blobs = img.oci_files();
    let (_, app_blob) = blobs
        .iter()
        .filter(|(p, _)| p.starts_with("blobs/"))
        .find(|(_, b)| b.starts_with(&[0x1f, 0x8b]) && b.len() > 60)
        .ok_or("a layer blob")?;
    let path = layer_blob(&dir, app_blob);
    assert!(path.is_file(), "{}", path.display());
    backdate(&path)?;
    assert_eq!(
        load(&reference, &cache)?,
        (1, 1),
        "the touched blob is read again"
    );
    assert_eq!(load(&reference, &cache)?, (0, 2), "and cached again");
    Ok(())
}

#[test]
fn an_edited_blob_is_a_miss_and_fails_its_check() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cache = Arc::new(Cache::open(&tmp.path().join("cache"), DEFAULT_LIMIT));
    let dir = tmp.path().join("layout");
    let img = ImageBuilder::new("t:1").layer(LayerBuilder::new("x").file("a", &[7; 4000]));
    img.write_oci_dir(&dir)?;
    let reference = format!("oci:{}", dir.display());
    assert_eq!(load(&reference, &cache)?, (1, 0));
    let files = img.oci_files();
    let (_, blob) = files
        .iter()
        .find(|(_, b)| b.starts_with(&[0x1f, 0x8b]))
        .ok_or("the layer blob")?;
    let path = layer_blob(&dir, blob);
    let before = std::fs::metadata(&path)?.modified()?;
    let mut bytes = std::fs::read(&path)?;
    let n = bytes.len();
    bytes[n - 12] ^= 0xff;
    std::fs::write(&path, &bytes)?;
    // Same size, mtime set back as it was: only the ctime tells, and it is enough.
    std::fs::File::options()
        .append(true)
        .open(&path)?
        .set_modified(before)?;
    let err = load(&reference, &cache)
        .err()
        .ok_or("an edited blob must not be served from the cache")?;
    assert!(err.to_string().contains("layer 0"), "{err}");
    Ok(())
}

#[test]
fn a_docker_archive_is_served_warm_until_it_is_rewritten() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cache = Arc::new(Cache::open(&tmp.path().join("cache"), DEFAULT_LIMIT));
    let img = image();
    let archive = tmp.path().join("img.tar");
    std::fs::write(&archive, img.docker_archive())?;
    let reference = format!("docker-archive:{}", archive.display());
    assert_eq!(load(&reference, &cache)?, (2, 0), "cold");
    assert_eq!(load(&reference, &cache)?, (0, 2), "warm");
    // The bare path reads the same archive, under the same keys.
    assert_eq!(load(&archive.display().to_string(), &cache)?, (0, 2));
    // `docker save` again: the same bytes, a new file.
    std::fs::write(&archive, img.docker_archive())?;
    backdate(&archive)?;
    assert_eq!(
        load(&reference, &cache)?,
        (2, 0),
        "a rewritten archive is read"
    );
    Ok(())
}
