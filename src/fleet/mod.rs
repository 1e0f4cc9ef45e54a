//! `microscope fleet`: many images, one JSON line each, each distinct layer scanned once
//! (across shards running at once, with a shared cache registry). `fleet summary` folds
//! the lines into one fleet report.

mod run;
mod summary;

use crate::cli::{FleetArgs, FleetCommand};
use anyhow::{Context, Result, bail};
use microscope::jobs::fleet::Shard;
use microscope::source::SourceOptions;
use std::io::Read;
use std::process::ExitCode;

pub fn run(args: FleetArgs) -> Result<ExitCode> {
    if let Some(FleetCommand::Summary(s)) = args.command {
        return summary::run(s);
    }
    let shard = shard(&args)?;
    // From the first request on: a listing or a run that never ends is given up too.
    crate::live::watchdog(args.live.timeout);
    let opts = crate::live::live_options(&args.live, args.platform.clone())?;
    let refs = references(&args, &opts)?;
    run::run(&args, &opts, refs, shard)
}

/// `--shard I/N`, or `--shards N` with JOB_COMPLETION_INDEX, or the whole list.
fn shard(args: &FleetArgs) -> Result<Shard> {
    if let Some(s) = &args.shard {
        return Shard::parse(s).map_err(anyhow::Error::msg);
    }
    let Some(n) = args.shards else {
        return Ok(Shard::WHOLE);
    };
    let Ok(index) = std::env::var("JOB_COMPLETION_INDEX") else {
        bail!(
            "--shards {n}: JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job sets it; or use --shard I/N)"
        );
    };
    Shard::from_index(&index, n).map_err(anyhow::Error::msg)
}

/// The fleet's images, in an order every shard sees alike.
fn references(args: &FleetArgs, opts: &SourceOptions) -> Result<Vec<String>> {
    let refs = match (&args.from, &args.registry) {
        (Some(path), _) => from_file(path)?,
        (None, Some(registry)) => from_registry(registry, &args.repo, &args.tags, opts)?,
        (None, None) => bail!(
            "fleet: which images? give --from FILE (one reference a line) or docker://HOST[:PORT] \
             (its catalog)"
        ),
    };
    if refs.is_empty() {
        bail!("fleet: the list of images is empty");
    }
    Ok(refs)
}

/// A bound on the list file: references are short, and a list is not a disk image.
const MAX_LIST: u64 = 64 << 20;

fn from_file(path: &std::path::Path) -> Result<Vec<String>> {
    let mut text = String::new();
    let what = || format!("--from {}", path.display());
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_LIST)
            .read_to_string(&mut text)
            .with_context(what)?;
    } else {
        std::fs::File::open(path)
            .with_context(what)?
            .take(MAX_LIST)
            .read_to_string(&mut text)
            .with_context(what)?;
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

#[cfg(feature = "registry")]
fn from_registry(
    registry: &str,
    repo: &str,
    tags: &str,
    opts: &SourceOptions,
) -> Result<Vec<String>> {
    let host = registry_host(registry)?;
    let glob = |flag: &str, g: &str| {
        globset::Glob::new(g)
            .map(|g| g.compile_matcher())
            .with_context(|| format!("{flag} {g:?}: not a glob"))
    };
    let (repos, tags) = (glob("--repo", repo)?, glob("--tags", tags)?);
    let session = microscope::source::registry::Session::connect(host, opts)?;
    let images = session
        .list_images(&repos, &tags)
        .with_context(|| format!("cannot list the images of {host}"))?;
    if images.is_empty() {
        bail!("{host}: no repository matches --repo {repo:?} with a tag matching --tags {tags:?}");
    }
    Ok(images
        .into_iter()
        .map(|(r, t)| format!("docker://{host}/{r}:{t}"))
        .collect())
}

#[cfg(not(feature = "registry"))]
fn from_registry(_: &str, _: &str, _: &str, _: &SourceOptions) -> Result<Vec<String>> {
    bail!("this build has no registry support (built without the `registry` feature)")
}

/// `HOST[:PORT]` of `docker://HOST[:PORT]` (a trailing slash allowed, nothing else after).
#[cfg(feature = "registry")]
fn registry_host(s: &str) -> Result<&str> {
    let host = s
        .strip_prefix("docker://")
        .unwrap_or(s)
        .trim_end_matches('/');
    if host.is_empty() || host.contains('/') || host.contains('@') {
        bail!("{s:?}: expected docker://HOST[:PORT] (a registry, no repository)");
    }
    Ok(host)
}
