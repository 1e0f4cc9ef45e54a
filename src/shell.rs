//! Shell completions and the man page, generated from the clap definitions so they never
//! drift from the flags (clap_complete, clap_mangen).

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;

/// The completion script for `shell`, as its completion loader expects it.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    // Into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "microscope", &mut buf);
    out.write_all(&buf)?;
    out.flush()
}

/// `microscope(1)` in roff: every flag and subcommand, the image forms and exit codes.
pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    out.flush()
}
