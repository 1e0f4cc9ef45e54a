//! Opening a layer's files under its `diff/` directory by the names its tar-split record
//! gives, without ever leaving that directory: each name is taken component by component
//! from a directory handle (`openat`), none of them followed if it is a symlink, and `..`
//! refused. A symlink in the layer is itself stored as a symlink there; the tar's bytes
//! for it sit in the record, so it is never opened.

use rustix::fs::{AtFlags, FileType, Mode, OFlags, openat, statat};
use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A layer's `diff/` directory, and the last directory a file was opened in (a tar lists
/// a directory's files together: most opens then cost one `openat`).
pub(super) struct Within {
    root: OwnedFd,
    last: Option<(Vec<u8>, OwnedFd)>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// The name's components as the engine joins them to `diff/` (a leading `/` or `./` and
/// `.` components mean nothing there); `..` or an empty name are refused.
fn components(name: &[u8]) -> io::Result<Vec<&[u8]>> {
    let parts: Vec<&[u8]> = name
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect();
    if parts.is_empty() || parts.contains(&&b".."[..]) {
        return Err(invalid(format!(
            "the tar-split record names {:?}, which is not a path under the layer",
            String::from_utf8_lossy(name)
        )));
    }
    Ok(parts)
}

impl Within {
    pub(super) fn open(root: &Path) -> io::Result<Within> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let root = openat(rustix::fs::CWD, root, flags, Mode::empty())?;
        Ok(Within { root, last: None })
    }

    /// The regular file `name` names under the directory; a symlink anywhere on the way,
    /// a device or a FIFO is an error (none is opened, so none can block or escape).
    pub(super) fn open_file(&mut self, name: &[u8]) -> io::Result<File> {
        let parts = components(name)?;
        let Some((leaf, dirs)) = parts.split_last() else {
            return Err(invalid("an empty name in the tar-split record".into()));
        };
        let key = dirs.join(&b'/');
        let cached = self.last.as_ref().is_some_and(|(k, _)| *k == key);
        if !cached {
            let fd = self.walk(dirs)?;
            self.last = Some((key, fd));
        }
        let dir = match &self.last {
            Some((_, fd)) => fd,
            None => &self.root,
        };
        let not_a_file = || {
            invalid(format!(
                "{:?} in the layer's directory is not a regular file",
                String::from_utf8_lossy(name)
            ))
        };
        let leaf = OsStr::from_bytes(leaf);
        // Looked at before it is opened: opening a device can do something (and a
        // whiteout is one).
        let st = statat(dir, leaf, AtFlags::SYMLINK_NOFOLLOW)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(not_a_file());
        }
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = File::from(openat(dir, leaf, flags, Mode::empty())?);
        if !file.metadata()?.is_file() {
            return Err(not_a_file());
        }
        Ok(file)
    }

    /// Opens each directory in turn from the root, following none.
    fn walk(&self, dirs: &[&[u8]]) -> io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut fd = rustix::io::dup(&self.root)?;
        for d in dirs {
            fd = openat(&fd, OsStr::from_bytes(d), flags, Mode::empty())?;
        }
        Ok(fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn names_stay_under_the_directory() -> TestResult {
        assert_eq!(components(b"./usr/bin/x")?, [&b"usr"[..], b"bin", b"x"]);
        assert_eq!(components(b"/etc//passwd")?, [&b"etc"[..], b"passwd"]);
        for name in [&b"a/../../etc/passwd"[..], b"..", b"./"] {
            let e = components(name).err().ok_or("expected an error")?;
            assert!(
                e.to_string().contains("is not a path under the layer"),
                "{e}"
            );
        }
        Ok(())
    }

    #[test]
    fn symlinks_are_not_followed() -> TestResult {
        let dir = tempfile::tempdir()?;
        let outside = tempfile::tempdir()?;
        std::fs::write(outside.path().join("secret"), b"x")?;
        std::fs::create_dir(dir.path().join("d"))?;
        std::fs::write(dir.path().join("d/f"), b"ok")?;
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link"))?;
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("s"))?;
        let mut w = Within::open(dir.path())?;
        assert!(w.open_file(b"d/f").is_ok());
        assert!(
            w.open_file(b"link/secret").is_err(),
            "a symlinked directory"
        );
        let err = w.open_file(b"s").err().ok_or("expected an error")?;
        assert!(
            err.to_string().contains("not a regular file"),
            "a symlinked file: {err}"
        );
        assert!(w.open_file(b"d").is_err(), "a directory is not a file");
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o644),
            0,
        )?;
        // A FIFO, refused without blocking.
        let e = w.open_file(b"fifo").err().ok_or("expected an error")?;
        assert!(e.to_string().contains("is not a regular file"), "{e}");
        let e = w.open_file(b"d/../s").err().ok_or("expected an error")?;
        assert!(
            e.to_string().contains("is not a path under the layer"),
            "{e}"
        );
        Ok(())
    }
}
