//! The fleet run: the shared scan cache, this shard's owned layers first, then each of its
//! images analysed into one JSON line, errors recorded and the run going on.

use crate::cli::FleetArgs;
use anyhow::{Context, Result, bail};
use microscope::analysis;
use microscope::cache::{Cache, ScanCache};
use microscope::jobs::fleet::{Counts, Shard, SharedScans, owned_missing, prefetch};
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::report::Report;
use microscope::source::{self, SourceOptions};
use microscope::units::plural;
use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

type Tier = Arc<dyn ScanCache + Send + Sync>;

pub fn run(
    args: &FleetArgs,
    opts: &SourceOptions,
    refs: Vec<String>,
    shard: Shard,
) -> Result<std::process::ExitCode> {
    // Without a cache the run still scans each distinct layer once: a cache of its own,
    // on disk (memory stays bounded by one image), gone when the run ends.
    let scratch = if opts.cache.is_none() {
        Some(tempfile::tempdir().context("cannot make a scratch cache for the run")?)
    } else {
        None
    };
    let mut tiers: Vec<Tier> = Vec::new();
    match (&opts.cache, &scratch) {
        (Some(c), _) => tiers.push(c.clone()),
        (None, Some(dir)) => tiers.push(Arc::new(Cache::open(dir.path(), u64::MAX))),
        (None, None) => {}
    }
    let mut registry_failures: Box<dyn Fn() -> u64> = Box::new(|| 0);
    if let Some(target) = &args.cache_registry {
        let (tier, failures) = registry_tier(target, opts)?;
        tiers.push(tier);
        registry_failures = failures;
    }
    // Shards share scans only through a cache registry: without one, a shard neither
    // scans layers for the others nor waits for theirs.
    let coordinated = args.cache_registry.is_some() && shard.count > 1;
    let wait = if coordinated { args.owner_wait } else { 0 };
    let shared = SharedScans::new(tiers, shard, Duration::from_secs(wait));
    if coordinated {
        scan_owned(&refs, opts, shard, &shared);
    }
    let total_refs = refs.len();
    let mine = shard.take(refs);
    let mut sink = Sink::open(args.output.as_deref())?;
    let mut failed = 0usize;
    for (k, reference) in mine.iter().enumerate() {
        let before = shared.counts();
        let (line, ok) = match analyse(reference, opts, &shared) {
            Ok(report) => (report_line(reference, &report)?, true),
            Err(e) => {
                failed += 1;
                (error_line(reference, &format!("{e:#}"))?, false)
            }
        };
        sink.line(&line)?;
        let after = shared.counts();
        eprintln!(
            "microscope: fleet [{}/{}] {}: {} ({} scanned, {} reused)",
            k + 1,
            mine.len(),
            printable(reference),
            if ok { "ok" } else { "failed" },
            after.scanned - before.scanned,
            after.reused - before.reused,
        );
    }
    sink.finish()?;
    let failures = registry_failures();
    if failures > 0 {
        eprintln!(
            "microscope: fleet: {} with the cache registry failed (each a miss, or a scan not shared)",
            plural(failures, "request", "requests")
        );
    }
    done(&shared.counts(), mine.len(), total_refs, shard, failed)
}

#[cfg(feature = "registry")]
fn registry_tier(target: &str, opts: &SourceOptions) -> Result<(Tier, Box<dyn Fn() -> u64>)> {
    use microscope::cache::registry::RegistryScans;
    let rest = target.strip_prefix("docker://").unwrap_or(target);
    let Some((host, repo)) = rest
        .split_once('/')
        .filter(|(h, r)| !h.is_empty() && !r.is_empty())
    else {
        bail!("--cache-registry {target:?}: expected docker://HOST[:PORT]/REPO");
    };
    if repo.contains([':', '@']) {
        bail!("--cache-registry {target:?}: a repository, without a tag or digest");
    }
    let session = microscope::source::registry::Session::connect(host, opts)?;
    let tier = RegistryScans::connect(session, repo)
        .with_context(|| format!("--cache-registry {target}"))?;
    let tier = Arc::new(tier);
    let counted = tier.clone();
    Ok((
        tier,
        Box::new(move || counted.failures.load(std::sync::atomic::Ordering::Relaxed)),
    ))
}

#[cfg(not(feature = "registry"))]
fn registry_tier(_: &str, _: &SourceOptions) -> Result<(Tier, Box<dyn Fn() -> u64>)> {
    bail!("--cache-registry: this build has no registry support (built without `registry`)")
}

/// Scans the layers this shard owns, across the whole fleet, before any image is analysed:
/// other shards wait for them, and a shard never waits while it does this, so no two wait
/// on each other. An image that cannot be opened is left to the shard that analyses it.
fn scan_owned(refs: &[String], opts: &SourceOptions, shard: Shard, shared: &SharedScans) {
    let mut seen = HashSet::new();
    for reference in refs {
        let Ok(parsed) = ImageRef::parse(reference) else {
            continue;
        };
        let Ok(src) = source::open_reporting(&parsed, opts, &mut |_| {}) else {
            continue;
        };
        let wanted = owned_missing(src.meta(), shard, shared, &mut seen);
        if !wanted.is_empty()
            && let Err(e) = prefetch(&*src, &wanted, shared)
        {
            eprintln!(
                "microscope: fleet: shard {}/{}: a layer it owns in {} failed: {e}",
                shard.index + 1,
                shard.count,
                printable(reference)
            );
        }
    }
}

fn analyse(reference: &str, opts: &SourceOptions, shared: &SharedScans) -> Result<Report> {
    let parsed = ImageRef::parse(reference)?;
    let src = source::open_reporting(&parsed, opts, &mut |_| {})?;
    let image = load_image(
        &*src,
        &LoadOptions {
            cache: Some(shared),
            ..LoadOptions::default()
        },
    )?;
    let analysis = analysis::analyze_with(&image, &analysis::rewrite::Options::default());
    Ok(Report::build(&image, &analysis))
}

/// The report's JSON, `ref` first and the report's own fields in their order after it.
fn report_line(reference: &str, report: &Report) -> Result<String> {
    let body = serde_json::to_string(report)?;
    let rest = body.strip_prefix('{').unwrap_or(&body);
    Ok(format!(
        "{{\"ref\":{},{rest}",
        serde_json::to_string(reference)?
    ))
}

fn error_line(reference: &str, error: &str) -> Result<String> {
    Ok(format!(
        "{{\"ref\":{},\"error\":{}}}",
        serde_json::to_string(reference)?,
        serde_json::to_string(&error.replace('\n', " "))?
    ))
}

fn done(
    c: &Counts,
    images: usize,
    total: usize,
    shard: Shard,
    failed: usize,
) -> Result<std::process::ExitCode> {
    let part = if shard.count > 1 {
        format!(
            " (shard {}/{} of {})",
            shard.index + 1,
            shard.count,
            plural(total as u64, "image", "images")
        )
    } else {
        String::new()
    };
    eprintln!(
        "microscope: fleet: {} done{part}, {failed} failed; layers: {} scanned, {} reused ({} after waiting for their shard, {} waits ran out)",
        plural(images as u64, "image", "images"),
        c.scanned,
        c.reused,
        c.waited,
        c.timed_out,
    );
    if failed > 0 {
        eprintln!("microscope: fleet: {failed} of {images} images failed; their lines say why");
        return Ok(std::process::ExitCode::from(2));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// A reference on one terminal line: control characters shown as `?`.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Where the lines go: standard output as they come, or a file made whole at the end.
enum Sink {
    Stdout(std::io::Stdout),
    File {
        tmp: tempfile::NamedTempFile,
        path: std::path::PathBuf,
    },
}

impl Sink {
    fn open(path: Option<&std::path::Path>) -> Result<Sink> {
        let Some(path) = path else {
            return Ok(Sink::Stdout(std::io::stdout()));
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Sink::File {
            tmp,
            path: path.to_path_buf(),
        })
    }

    fn line(&mut self, line: &str) -> Result<()> {
        match self {
            Sink::Stdout(out) => {
                let mut out = out.lock();
                writeln!(out, "{line}")?;
                out.flush()?;
            }
            Sink::File { tmp, path } => writeln!(tmp, "{line}")
                .with_context(|| format!("cannot write {}", path.display()))?,
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if let Sink::File { tmp, path } = self {
            tmp.persist(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}
