//! The Docker engine the `docker` command reaches (DOCKER_HOST), for the tests that load,
//! build and run images in it; they skip, saying so, without one.

use std::path::PathBuf;
use std::process::Command;

/// `docker ARGS`: its standard output, or the command and its standard error.
pub fn docker(args: &[&str]) -> Result<String, String> {
    let o = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("docker: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// The corpus directory when it is set and an engine answers; else why not, on stderr.
pub fn setup() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("MICROSCOPE_CORPUS") else {
        crate::support::skip("MICROSCOPE_CORPUS is not set");
        return None;
    };
    if let Err(e) = docker(&["info", "--format", "{{.ServerVersion}}"]) {
        crate::support::skip(format_args!(
            "no Docker engine ({})",
            e.lines().next().unwrap_or("")
        ));
        return None;
    }
    Some(PathBuf::from(dir))
}
