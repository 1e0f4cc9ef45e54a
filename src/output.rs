//! Where a report goes: `--output FILE` (whole or not at all) or standard output.

use crate::cli::OutputArgs;
use anyhow::{Context, Result};
use microscope::report::escape;
use std::io::Write;

/// The report body to `--output FILE`, or to standard output.
pub fn write_output(out: &OutputArgs, body: &str) -> Result<()> {
    // A report can land in a CI log: no line of it may carry a raw control character or
    // start a workflow command, whatever a renderer let through.
    let body = &*escape::log(body);
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
    // 0666 asked, so the umask decides, as for any tool's output (a temp file alone would
    // be 0600 whatever the umask).
    let mut tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
