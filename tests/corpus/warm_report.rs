//! A second look at an unchanged image is served whole from the cache (its report), and is
//! byte for byte what the first look printed; an edited or rewritten file is a miss.

use microscope::analysis::rewrite;
use microscope::cache::{Cache, DEFAULT_LIMIT};
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::jobs::Opened;
use microscope::reference::ImageRef;
use microscope::source::SourceOptions;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `microscope IMAGE --json` with its own cache: (exit code, stdout).
fn run(cache: &Path, image: &Path) -> Result<(i32, Vec<u8>), Box<dyn std::error::Error>> {
    let out = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .arg(image)
        .arg("--json")
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_CONFIG_HOME", cache.join("config"))
        .output()?;
    Ok((out.status.code().unwrap_or(-1), out.stdout))
}

/// Files under `dir` (recursively), 0 when it does not exist.
fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |rd| {
        rd.flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() { count(&p) } else { 1 }
            })
            .sum()
    })
}

fn backdate(path: &Path) -> TestResult {
    let t = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(path)?
        .set_modified(t)?;
    Ok(())
}

#[test]
fn a_warm_report_is_the_cold_one_byte_for_byte_and_a_touched_archive_is_read_again() -> TestResult {
    let Some(corpus) = crate::support::corpus() else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let (cache, scans) = (tmp.path().join("c"), tmp.path().join("c/microscope/scans"));
    for name in ["micro-debug.docker.tar", "alpine-3.20.oci.tar"] {
        // A copy, so touching it leaves the corpus alone.
        let image = tmp.path().join(name);
        std::fs::copy(corpus.join(name), &image)?;
        let cold = run(&cache, &image)?;
        assert_eq!(cold.0, 0, "{name}: cold run");
        assert!(count(&scans) > 0, "{name}: the cold run cached its scans");
        // Without any scan, only the kept report can answer.
        std::fs::remove_dir_all(&scans)?;
        assert_eq!(run(&cache, &image)?, cold, "{name}: warm == cold");
        assert_eq!(count(&scans), 0, "{name}: the warm run read no layer");
        backdate(&image)?;
        assert_eq!(run(&cache, &image)?, cold, "{name}: touched, same JSON");
        assert!(count(&scans) > 0, "{name}: a touched archive is read again");
    }
    Ok(())
}

#[test]
fn an_archive_edited_in_place_is_not_served_its_old_report() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cache = tmp.path().join("c");
    let archive = tmp.path().join("img.tar");
    let content = [b'q'; 5000];
    let img = ImageBuilder::new("t:1").layer(LayerBuilder::new("x").file("a", &content));
    let mut bytes = img.docker_archive();
    std::fs::write(&archive, &bytes)?;
    assert_eq!(run(&cache, &archive)?.0, 0, "cold");
    assert_eq!(run(&cache, &archive)?.0, 0, "warm");
    // One byte of the file inside the layer, same size, mtime set back as it was.
    let before = std::fs::metadata(&archive)?.modified()?;
    let at = bytes
        .windows(content.len())
        .position(|w| w == content)
        .ok_or("the file's bytes in the archive")?;
    bytes[at + 100] = b'r';
    std::fs::write(&archive, &bytes)?;
    std::fs::File::options()
        .append(true)
        .open(&archive)?
        .set_modified(before)?;
    let (code, _) = run(&cache, &archive)?;
    assert_eq!(
        code, 2,
        "the edited layer is read again and fails its diff_id"
    );
    Ok(())
}

fn opened(
    reference: &str,
    cache: &Arc<Cache>,
    no_verify: bool,
) -> Result<Opened, microscope::Error> {
    let opts = SourceOptions {
        cache: Some(cache.clone()),
        no_verify,
        ..Default::default()
    };
    Opened::open(&ImageRef::parse(reference)?, &opts, &mut |_| {})
}

#[test]
fn the_report_key_names_the_files_and_the_options() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cache = Arc::new(Cache::open(&tmp.path().join("cache"), DEFAULT_LIMIT));
    let dir = tmp.path().join("layout");
    let img = ImageBuilder::new("t:1")
        .layer(LayerBuilder::new("base").file("etc/a", &[b'a'; 3000]))
        .layer(LayerBuilder::new("app").file("app/b", &[b'b'; 5000]));
    img.write_oci_dir(&dir)?;
    let reference = format!("oci:{}", dir.display());
    let plain = rewrite::Options::default();
    let key = opened(&reference, &cache, false)?
        .report_key(&plain)
        .ok_or("a verified local layout has a key")?;
    assert_eq!(
        opened(&reference, &cache, false)?.report_key(&plain),
        Some(key.clone()),
        "the same files, the same key"
    );
    let other = rewrite::Options {
        include_paths: vec!["/etc".into()],
        ..Default::default()
    };
    assert_ne!(
        opened(&reference, &cache, false)?.report_key(&other),
        Some(key.clone())
    );
    assert_eq!(
        opened(&reference, &cache, true)?.report_key(&plain),
        None,
        "--no-verify keeps nothing"
    );
    let o = opened(&reference, &cache, false)?;
    let report = microscope::report::Report::build(
        &o.load(None, None)?,
        &microscope::analysis::analyze(&o.load(None, None)?),
    );
    o.keep_report(&key, &report);
    assert_eq!(o.cached_report(&key), Some(report));
    // A layer's blob touched: another key.
    let blob = std::fs::read_dir(dir.join("blobs/sha256"))?
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(&[0x1f, 0x8b])))
        .ok_or("a layer blob")?;
    backdate(&blob)?;
    assert_ne!(
        opened(&reference, &cache, false)?.report_key(&plain),
        Some(key)
    );
    Ok(())
}
