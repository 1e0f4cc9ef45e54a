//! Command line: clap definitions turned into validated settings.

use clap::{Args, Parser, Subcommand, ValueEnum};
use microscope::image::Platform;
use std::path::PathBuf;

mod fleet;
pub use fleet::{FleetArgs, FleetCommand, SummaryArgs};

#[derive(Debug, Parser)]
#[command(
    name = "microscope",
    version,
    about = "Where do the bytes of a container image go, and how small could it be?",
    args_conflicts_with_subcommands = true,
    after_help = "IMAGE: docker-archive:PATH[:TAG|@N], oci:DIR[:TAG], oci-archive:PATH[:TAG], or a path \
(detected by its contents); docker-daemon:NAME, podman-daemon:NAME, docker://[REGISTRY/]NAME[:TAG|@DIGEST], \
or a bare NAME[:TAG] (a local engine that has it, else the registry).\nExit codes: 0 success, 1 a CI rule failed, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub analyze: AnalyzeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse the built-in demo images (no network, no Docker).
    Demo(DemoArgs),
    /// Compare two images side by side: LEFT (before) and RIGHT (after).
    Compare(CompareArgs),
    /// Many images (a file of references, or a registry's catalog): one JSON report per
    /// line, each distinct layer scanned once, shardable across machines; `fleet summary`
    /// folds the lines into one fleet report (docs/fleet.md).
    Fleet(FleetArgs),
    /// Manage the cache of layer scans and manifests.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print a shell completion script (e.g. `microscope completions bash >
    /// ~/.local/share/bash-completion/completions/microscope`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page, roff (e.g. `microscope man > ~/.local/share/man/man1/microscope.1`).
    Man,
    /// Write the rewrite as an image: the program's closure in one layer on scratch, with
    /// the original's Entrypoint, Cmd, Env, User, WorkingDir, ports and labels. No engine
    /// needed (only for --verify).
    Slim(SlimArgs),
    /// The micro-image journey as a lesson: generated images, step by step, offline.
    Tour(TourArgs),
}

/// `microscope tour` (README, "Tour").
#[derive(Debug, Args)]
pub struct TourArgs {
    /// The steps, one line each, with their measured sizes.
    #[arg(long, conflicts_with_all = ["markdown", "image"])]
    pub list: bool,
    /// The whole lesson as a Markdown handout, with this run's numbers.
    #[arg(long, conflicts_with = "image")]
    pub markdown: bool,
    /// Start at step N (1-based).
    #[arg(long, value_name = "N")]
    pub step: Option<usize>,
    /// Ask the tour's questions of your own image (any IMAGE reference, demo:NAME or
    /// tour:STEP).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    #[command(flatten)]
    pub live: LiveArgs,
}

/// `microscope slim` (README, "Slim").
#[derive(Debug, Args)]
pub struct SlimArgs {
    /// The image to slim: any IMAGE, or demo:fat / demo:micro.
    pub image: String,
    /// Where to write it: oci-archive:PATH[:TAG], oci:DIR[:TAG] (a new or empty directory) or
    /// docker-archive:PATH[:NAME:TAG]. PATH ends at its first `:`.
    #[arg(
        long,
        short = 'o',
        value_name = "TRANSPORT:PATH",
        required_unless_present = "push"
    )]
    pub output: Option<String>,
    /// Push it to a registry (docker://[REGISTRY/]NAME:TAG), with the credentials and
    /// --insecure-registry rules of reading; with or without --output.
    #[arg(long, value_name = "docker://NAME:TAG")]
    pub push: Option<String>,
    /// The slim image's NAME:TAG (default: the one in --output, else IMAGE's tag + -slimmed).
    #[arg(long, value_name = "NAME:TAG")]
    pub tag: Option<String>,
    /// A file or directory to copy as well (what dlopen or a script needs); repeatable.
    #[arg(long, value_name = "PATH")]
    pub include_path: Vec<String>,
    /// Write the closure even when the rewrite's base is not scratch or the program needs a
    /// rebuild (the image may then not run).
    #[arg(long)]
    pub force: bool,
    /// Load the written image into the Docker engine, run its entrypoint (--network host),
    /// report pass or fail (exit 1 on fail), and remove it again.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: a command run on this host (sh -c) while the container runs; exit 0
    /// is a pass (e.g. `curl -sf http://127.0.0.1:8080/`). Without it, the container must
    /// still run after 2 s or have exited 0.
    #[arg(long, value_name = "COMMAND", requires = "verify")]
    pub verify_cmd: Option<String>,
    /// Platform to pick from a multi-platform index: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Evict least recently used entries down to --cache-size (or everything with --all).
    Prune {
        /// Remove every entry.
        #[arg(long)]
        all: bool,
        /// Keep at most this much: 500MB or 500M (10^6 bytes), 2GiB (2^30), 1048576.
        #[arg(long, value_name = "SIZE", default_value = "2GiB")]
        cache_size: String,
    },
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The image to analyse.
    pub image: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub ci: CiArgs,
    /// Platform to pick from a multi-platform index: os/arch[/variant] (default: this host's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Skip hashing layer blobs and tars: faster, but a corrupt or altered layer is not
    /// caught. Said on stderr and in the report ("digests_verified": false).
    #[arg(long)]
    pub no_verify: bool,
}

/// The rewrite (README, "Rewrite").
#[derive(Debug, Args, Clone, Default)]
pub struct RewriteArgs {
    /// Print the rewrite: a multi-stage Dockerfile onto the smallest base that runs the
    /// program, followed by its predicted size as comments (with --json: the rewrite object).
    #[arg(long, conflicts_with_all = ["findings", "format"])]
    pub rewrite: bool,
    /// A file or directory the rewrite must also copy (what dlopen or a script loads);
    /// repeatable.
    #[arg(long, value_name = "PATH")]
    pub include_path: Vec<String>,
    /// The original image's name where the Dockerfile is built (default: from IMAGE).
    #[arg(long, value_name = "NAME[:TAG]")]
    pub source_image: Option<String>,
}

/// Engines, registries and the cache.
#[derive(Debug, Args, Clone, Default)]
pub struct LiveArgs {
    /// Where a bare NAME[:TAG] is read from (default: a local engine that has it, else the registry).
    #[arg(long, value_enum)]
    pub source: Option<SourceArg>,
    /// Registry user name (the password is read from standard input with --password-stdin).
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Speak plain HTTP to this registry (loopback registries always are). Repeatable.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,
    /// Bound of the scan cache (least recently used entries go first): 500MB or 500M
    /// (10^6 bytes), 2GiB (2^30), 1048576.
    #[arg(long, value_name = "SIZE", default_value = "2GiB")]
    pub cache_size: String,
    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// How a Docker engine's layers are read: from its overlay2 storage where readable,
    /// else its image export (auto); only the storage (storage); only the export (export).
    #[arg(
        long,
        value_enum,
        value_name = "HOW",
        default_value = "auto",
        env = "MICROSCOPE_DAEMON_READ"
    )]
    pub daemon_read: DaemonReadArg,
    /// Fail a registry download that brings no byte for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub stall_timeout: u64,
    /// Give up (exit 2) after this many seconds in all; for reports and CI runs, not the
    /// interactive app.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DaemonReadArg {
    #[default]
    Auto,
    Storage,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// The Docker engine (DOCKER_HOST, the docker context, /var/run/docker.sock).
    Daemon,
    /// The Podman engine's Docker-compatible socket.
    Podman,
    /// The registry, with no engine.
    Registry,
}

#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// Print the JSON report (schema: docs/schema.md); same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Print the findings as a table, largest saving first, with the fix for each.
    #[arg(long, conflicts_with = "json")]
    pub findings: bool,
    /// Report format: text (default), json, or markdown (for a PR comment).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the installed packages instead of the summary: name, version, bytes, share of
    /// the final filesystem, layer that installed it; largest first.
    #[arg(long, conflicts_with_all = ["json", "findings"])]
    pub packages: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl OutputArgs {
    pub fn format(&self) -> Format {
        self.format.unwrap_or(if self.json {
            Format::Json
        } else {
            Format::Text
        })
    }

    /// Whether the interactive app opens: stdout is a terminal (`terminal`) and no report in
    /// a given form or place was asked for. The CI gate and `--rewrite` are checked by the
    /// caller.
    pub fn wants_app(&self, terminal: bool) -> bool {
        cfg!(feature = "tui") && terminal && !self.explicit()
    }

    /// The user asked for a report in a given form or place (which turns off automatic CI
    /// mode, as dive's --json does).
    pub fn explicit(&self) -> bool {
        self.json
            || self.findings
            || self.packages
            || self.format.is_some()
            || self.output.is_some()
    }
}

/// The CI gate (README, "CI gate").
#[derive(Debug, Args, Clone, Default)]
pub struct CiArgs {
    /// Check the CI rules: PASS/FAIL/SKIP per rule, exit 1 if one fails. On by itself when
    /// CI=true and standard output is not a terminal, unless --json, --format or --output
    /// asks for a report.
    #[arg(long)]
    pub ci: bool,
    /// Rules file: .microscope.toml ([ci] table) or dive's .dive-ci (default: ./.microscope.toml,
    /// else ./.dive-ci, else the default rules). Implies --ci.
    #[arg(long, value_name = "FILE")]
    pub ci_config: Option<PathBuf>,
    /// Baseline for the max_growth_* rules: a report saved with --json, or an image analysed
    /// the same way. Implies --ci.
    #[arg(long, value_name = "REF|REPORT.json")]
    pub baseline: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Which demo image: fat or micro. Without it the app opens the compare of fat and
    /// micro, and reports (--json, --markdown, --ci...) describe fat.
    #[arg(long, value_name = "NAME")]
    pub image: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub ci: CiArgs,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The image before: any IMAGE, or demo:fat / demo:micro.
    pub left: String,
    /// The image after.
    pub right: String,
    /// Print `{left, right, diff}` as JSON (schema: docs/compare.md); same as --format json.
    #[arg(long, conflicts_with_all = ["markdown", "format"])]
    pub json: bool,
    /// Print Markdown fit for a pull-request comment; same as --format markdown.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
    /// Output format: text (default), json, or markdown.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the comparison to FILE instead of standard output (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Platform to pick from a multi-platform index, on both sides: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub platform: Option<Platform>,
    #[command(flatten)]
    pub live: LiveArgs,
}

impl CompareArgs {
    pub fn format(&self) -> Format {
        match (self.json, self.markdown) {
            (true, _) => Format::Json,
            (_, true) => Format::Markdown,
            _ => self.format.unwrap_or(Format::Text),
        }
    }
}

/// `--platform`, checked once when the flags are read.
fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).ok_or_else(|| "expected os/arch[/variant]".to_string())
}

#[cfg(test)]
mod tests;
