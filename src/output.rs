//! Where a report goes: `--output FILE` (whole or not at all) or standard output.

use crate::cli::OutputArgs;
use anyhow::{Context, Result};
use std::io::Write;

/// The report body to `--output FILE`, or to standard output.
pub fn write_output(out: &OutputArgs, body: &str) -> Result<()> {
    match &out.output {
        Some(path) => write_atomically(path, body.as_bytes()),
        None => Ok(std::io::stdout().lock().write_all(body.as_bytes())?),
    }
}

/// Writes beside the target and renames, so a failure never leaves half a report.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
