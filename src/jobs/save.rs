//! Writing a text the app produced (the rewrite's Dockerfile) to a file the user named:
//! never over an existing file unless asked, and whole or not at all.

use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("{0} exists")]
    Exists(String),
    #[error("cannot write {0}: {1}")]
    Failed(String, String),
}

/// Writes `text` to `path` (a leading `~/` is the home directory). Without `overwrite`, an existing file is left alone and the
/// error says so; with it, the file is replaced by a rename, so a failure leaves the old
/// one whole.
pub fn write_text(path: &str, text: &str, overwrite: bool) -> Result<(), SaveError> {
    let failed = |e: std::io::Error| SaveError::Failed(path.to_string(), e.to_string());
    // `~/x` as a shell would read it: the prompt is where people type paths.
    let home = path
        .strip_prefix("~/")
        .zip(std::env::var_os("HOME"))
        .map(|(rest, home)| Path::new(&home).join(rest));
    let p = home.as_deref().unwrap_or(Path::new(path));
    if path.trim().is_empty() {
        return Err(SaveError::Failed(path.into(), "no file name".into()));
    }
    if !overwrite && std::fs::symlink_metadata(p).is_ok() {
        return Err(SaveError::Exists(path.into()));
    }
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    tmp.write_all(text.as_bytes()).map_err(failed)?;
    // A temp file is private (0600); a Dockerfile is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(failed)?;
    }
    if overwrite {
        tmp.persist(p).map_err(|e| failed(e.error))?;
    } else {
        // A file that appeared since the check is still not overwritten.
        tmp.persist_noclobber(p).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => SaveError::Exists(path.into()),
            _ => failed(e.error),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_unless_asked() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("Dockerfile");
        let path = p.to_string_lossy().to_string();
        write_text(&path, "FROM scratch\n", false)?;
        assert_eq!(std::fs::read_to_string(&p)?, "FROM scratch\n");
        assert_eq!(
            write_text(&path, "other\n", false),
            Err(SaveError::Exists(path.clone()))
        );
        assert_eq!(std::fs::read_to_string(&p)?, "FROM scratch\n", "left alone");
        write_text(&path, "other\n", true)?;
        assert_eq!(std::fs::read_to_string(&p)?, "other\n");
        let missing = dir.path().join("no/such/dir/Dockerfile");
        assert!(matches!(
            write_text(&missing.to_string_lossy(), "x", false),
            Err(SaveError::Failed(..))
        ));
        Ok(())
    }
}
