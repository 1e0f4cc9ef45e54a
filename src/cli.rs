//! Command line: clap definitions turned into validated settings.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "microscope",
    version,
    about = "Where do the bytes of a container image go, and how small could it be?",
    args_conflicts_with_subcommands = true,
    after_help = "IMAGE: docker-archive:PATH[:TAG|@N], oci:DIR[:TAG], oci-archive:PATH[:TAG], or a path \
(detected by its contents).\nExit codes: 0 success, 1 a CI rule failed, 2 error."
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
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The image to analyse.
    pub image: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Platform to pick from a multi-platform index: os/arch[/variant] (default: this host's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// Print the JSON report (schema: docs/schema.md).
    #[arg(long)]
    pub json: bool,
    /// Print the findings as a table, largest saving first, with the fix for each.
    #[arg(long, conflicts_with = "json")]
    pub findings: bool,
    /// Write the report to FILE instead of standard output (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Which demo image: fat or micro (default: fat).
    #[arg(long, default_value = "fat")]
    pub image: String,
    #[command(flatten)]
    pub output: OutputArgs,
}
