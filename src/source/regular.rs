//! Opening a file the user or an image names, refusing anything that is not a regular file.
//! A FIFO would block the open (and then feed bytes forever), a device such as `/dev/zero`
//! never ends, and a socket cannot be read at all: each is one clear error instead.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// What a file is, for the error line.
fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Opens `path` (following symlinks) for reading if it is a regular file. The open does not
/// block on a FIFO (`O_NONBLOCK`, which a regular file ignores); the type is checked on the
/// opened descriptor, so a file swapped after a check cannot slip through.
pub fn open(path: &Path) -> io::Result<File> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let t = f.metadata()?.file_type();
    if t.is_file() {
        return Ok(f);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is not a regular file ({})", path.display(), kind(t)),
    ))
}

/// The whole of the regular file `path`, refused past `limit` bytes (a settings file, not a
/// disk image: a symlink to `/dev/zero` or a huge file must not fill memory).
pub fn read_at_most(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    open(path)?.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is larger than {} KiB, the limit for it",
                path.display(),
                limit >> 10
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn devices_fifos_and_directories_are_refused() -> TestResult {
        let dir = tempfile::tempdir()?;
        let fifo = dir.path().join("f");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status()?;
        assert!(status.success());
        let err = open(&fifo).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("not a regular file (a FIFO)"), "{err}");
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link)?;
        let err = open(&link).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("a character device"), "{err}");
        let e = open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is not a regular file (a directory)"), "{e}");
        std::fs::write(dir.path().join("ok"), b"x")?;
        assert!(open(&dir.path().join("ok")).is_ok());
        Ok(())
    }
}
