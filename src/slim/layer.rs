//! The one layer of the slim image, written once as a plain tar and as its gzip at the same
//! time, both hashed as they are written (the diff_id and the blob digest). Headers are
//! fixed: mtime 0, no user or group names, only the mode, owner and type the plan gives,
//! so the same plan and the same file bytes always give the same two digests.

use super::SlimError;
use super::plan::{Kind, OutEntry};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The layer as written.
#[derive(Debug, Clone)]
pub struct LayerFiles {
    pub tar: PathBuf,
    pub tar_bytes: u64,
    pub diff_id: String,
    pub gzip: PathBuf,
    pub gzip_bytes: u64,
    pub gzip_digest: String,
    /// Regular-file bytes in the tar (hard links count zero).
    pub file_bytes: u64,
}

/// Counts and hashes what is written through it.
pub struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> HashWriter<W> {
    pub fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    /// `sha256:<hex>`, the byte count, and the writer.
    pub fn finish(self) -> (String, u64, W) {
        (
            format!("sha256:{}", hex::encode(self.hasher.finalize())),
            self.count,
            self.inner,
        )
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type GzOut = flate2::write::GzEncoder<HashWriter<BufWriter<File>>>;

/// Writes to the plain tar and to the gzip encoder alike.
struct Tee {
    tar: BufWriter<File>,
    gz: GzOut,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tar.write_all(buf)?;
        self.gz.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tar.flush()?;
        self.gz.flush()
    }
}

/// What the layer writer asks for each regular file: an open reader of its bytes (the
/// spooled copy, stripped or not) and its length.
pub type Opener<'a> = dyn Fn(&OutEntry) -> Result<(File, u64), SlimError> + 'a;

/// Writes `entries` (already in order) into `dir/layer.tar` and `dir/layer.tar.gz`.
pub fn write_layer(
    dir: &Path,
    entries: &[OutEntry],
    open: &Opener<'_>,
) -> Result<LayerFiles, SlimError> {
    let tar_path = dir.join("layer.tar");
    let gz_path = dir.join("layer.tar.gz");
    let create = |p: &Path| {
        File::create(p)
            .map(BufWriter::new)
            .map_err(SlimError::io(format!("cannot create {}", p.display())))
    };
    let tee = Tee {
        tar: create(&tar_path)?,
        gz: flate2::GzBuilder::new().mtime(0).write(
            HashWriter::new(create(&gz_path)?),
            flate2::Compression::default(),
        ),
    };
    let mut builder = tar::Builder::new(HashWriter::new(tee));
    let mut file_bytes = 0u64;
    for e in entries {
        file_bytes += append(&mut builder, e, open)?;
    }
    let err = SlimError::io("cannot write the layer");
    let hashed = builder.into_inner().map_err(err)?;
    let (diff_id, tar_bytes, tee) = hashed.finish();
    let Tee { mut tar, gz } = tee;
    tar.flush()
        .map_err(SlimError::io("cannot write the layer tar"))?;
    let (gzip_digest, gzip_bytes, mut gz_file) = gz
        .finish()
        .map_err(SlimError::io("cannot compress the layer"))?
        .finish();
    gz_file
        .flush()
        .map_err(SlimError::io("cannot write the compressed layer"))?;
    Ok(LayerFiles {
        tar: tar_path,
        tar_bytes,
        diff_id,
        gzip: gz_path,
        gzip_bytes,
        gzip_digest,
        file_bytes,
    })
}

fn header(kind: tar::EntryType, e: &OutEntry, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(e.mode);
    h.set_uid(u64::from(e.uid));
    h.set_gid(u64::from(e.gid));
    h.set_mtime(0);
    h
}

/// Appends one entry; returns the regular-file bytes it added.
fn append<W: Write>(
    b: &mut tar::Builder<W>,
    e: &OutEntry,
    open: &Opener<'_>,
) -> Result<u64, SlimError> {
    let what = || format!("cannot write /{} into the layer", e.path);
    match &e.kind {
        Kind::Dir => {
            let mut h = header(tar::EntryType::Directory, e, 0);
            b.append_data(&mut h, format!("{}/", e.path), io::empty())
                .map_err(SlimError::io(what()))?;
            Ok(0)
        }
        Kind::File { .. } => {
            let (file, size) = open(e)?;
            let mut h = header(tar::EntryType::Regular, e, size);
            // `take` keeps the tar consistent with its header even if the spool grew.
            let reader = file.take(size);
            b.append_data(&mut h, &e.path, reader)
                .map_err(SlimError::io(what()))?;
            Ok(size)
        }
        Kind::Symlink(target) => {
            let mut h = header(tar::EntryType::Symlink, e, 0);
            b.append_link(&mut h, &e.path, target)
                .map_err(SlimError::io(what()))?;
            Ok(0)
        }
        Kind::Hardlink(target) => {
            let mut h = header(tar::EntryType::Link, e, 0);
            b.append_link(&mut h, &e.path, target)
                .map_err(SlimError::io(what()))?;
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slim::plan::Content;

    fn entries() -> Vec<OutEntry> {
        let e = |path: &str, kind: Kind, mode| OutEntry {
            path: path.into(),
            kind,
            mode,
            uid: 0,
            gid: 0,
        };
        vec![
            e("bin", Kind::Dir, 0o755),
            e(
                "bin/app",
                Kind::File {
                    content: Content {
                        layer: 0,
                        path: "bin/app".into(),
                    },
                    size: 5,
                    strip: false,
                },
                0o755,
            ),
            e("bin/sh", Kind::Symlink("app".into()), 0o777),
            e("tmp", Kind::Dir, 0o1777),
        ]
    }

    #[test]
    fn same_entries_same_digests_and_modes_kept() -> Result<(), Box<dyn std::error::Error>> {
        let src = tempfile::NamedTempFile::new()?;
        std::fs::write(src.path(), b"hello")?;
        let open = |_: &OutEntry| {
            File::open(src.path())
                .map(|f| (f, 5))
                .map_err(SlimError::io("spool"))
        };
        let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let one = write_layer(a.path(), &entries(), &open)?;
        let two = write_layer(b.path(), &entries(), &open)?;
        assert_eq!(one.diff_id, two.diff_id);
        assert_eq!(one.gzip_digest, two.gzip_digest);
        assert_eq!(one.file_bytes, 5);
        let mut ar = tar::Archive::new(File::open(&one.tar)?);
        let mut seen = Vec::new();
        for item in ar.entries()? {
            let item = item?;
            seen.push((
                item.path()?.to_string_lossy().into_owned(),
                item.header().mode()?,
                item.header().mtime()?,
            ));
        }
        assert_eq!(seen[3], ("tmp/".to_string(), 0o1777, 0));
        assert_eq!(seen.len(), 4);
        Ok(())
    }
}
