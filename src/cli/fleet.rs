//! `microscope fleet`: many images in one run, sharded, and the summary of runs.

use super::{LiveArgs, parse_platform};
use clap::{Args, Subcommand};
use microscope::image::Platform;
use std::path::PathBuf;

/// `microscope fleet` (src/fleet/).
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Each line of the output is an image's JSON report (schema: docs/schema.md) with \
its \"ref\", or {\"ref\": …, \"error\": …} for an image that could not be read; the run goes on, \
and exits 2 if any image failed.\nShards: --shard I/N (1-based), or --shards N with the 0-based \
index in JOB_COMPLETION_INDEX (a Kubernetes Indexed Job). With a shared --cache-registry, each \
distinct layer is scanned by one shard only (docs/fleet.md)."
)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: Option<FleetCommand>,
    /// A registry whose catalog lists the images: docker://HOST[:PORT].
    #[arg(value_name = "docker://HOST[:PORT]")]
    pub registry: Option<String>,
    /// A file of image references, one a line (blank lines and `#` comments skipped; `-`
    /// reads standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "registry")]
    pub from: Option<PathBuf>,
    /// With a registry: repositories to take, a glob (`team/*`, `{api,web}-*`).
    #[arg(long, value_name = "GLOB", default_value = "*", requires = "registry")]
    pub repo: String,
    /// With a registry: tags to take, a glob (`latest`, `v1.*`).
    #[arg(long, value_name = "GLOB", default_value = "*", requires = "registry")]
    pub tags: String,
    /// Write the JSON lines to FILE (whole when the run ends) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do only shard I of N (1-based): every N-th image from the I-th.
    #[arg(long, value_name = "I/N", conflicts_with = "shards")]
    pub shard: Option<String>,
    /// Shards in all; this one's 0-based index is read from JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Share layer scans through this registry repository (OCI artifacts tagged by layer
    /// digest), behind the local cache: docker://HOST[:PORT]/REPO.
    #[arg(long, value_name = "docker://HOST/REPO")]
    pub cache_registry: Option<String>,
    /// How long a shard waits for a layer another shard owns before scanning it itself.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub owner_wait: u64,
    /// Platform to pick from multi-platform indexes: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// One fleet report from the JSON lines of one or more runs (all shards' files).
    Summary(SummaryArgs),
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// JSONL files written by `microscope fleet` (`-` reads standard input).
    #[arg(required = true, value_name = "FILE.jsonl")]
    pub files: Vec<PathBuf>,
    /// Markdown, for a dashboard page (the default).
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// JSON, for tools (and as a later --baseline).
    #[arg(long)]
    pub json: bool,
    /// A previous summary saved with --json: report growth against it.
    #[arg(long, value_name = "SUMMARY.json")]
    pub baseline: Option<PathBuf>,
    /// Write the summary to FILE (whole or not at all) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}
