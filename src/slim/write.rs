//! Writing the planned image: one more streamed pass over the original layers that need
//! reading, keeping only the planned files (spooled to a private temporary directory, each
//! checked against the size the scan saw), `strip` where planned, the layer, the output.

use super::SlimError;
use super::layer::{self, LayerFiles};
use super::output::{self, Blobs, Digests, Target};
use super::plan::{Content, Kind, OutEntry, Plan};
use super::strip::{self, Tool};
use crate::image::ImageMeta;
use crate::scan::decompress::HashReader;
use crate::scan::extract::extract_files;
use crate::source::{ImageSource, LAYER_BY_CONTENT, LayerReader};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How to write.
pub struct WriteOptions<'a> {
    /// Where to write (None: only pushed).
    pub target: Option<&'a Target>,
    pub tag: String,
    /// `--push`: the registry reference, and how to reach it.
    pub push: Option<(&'a str, &'a crate::source::SourceOptions)>,
    /// Also a `docker save` archive with this name (for `--verify`), beside the target.
    pub also: Option<(&'a Target, String)>,
    /// None: strip is not on PATH, and files the rewrite predicts stripped are copied.
    pub strip: Option<&'a Tool>,
}

/// A file the rewrite predicts stripped, and what became of it.
#[derive(Debug, Clone)]
pub struct Stripped {
    pub path: String,
    pub before: u64,
    /// Its size in the image; `before` when it was copied as it is.
    pub after: u64,
    /// Why it was copied unstripped, when it was.
    pub unstripped: Option<String>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub layer: LayerFiles,
    pub digests: Digests,
    pub stripped: Vec<Stripped>,
    pub tag: String,
    /// The manifest's URL in the registry, when pushed.
    pub pushed: Option<String>,
}

/// Spooled contents: the bytes of a planned file, as read from its layer.
type Spool = HashMap<Content, (PathBuf, u64)>;

/// Writes the image `plan` describes, reading file contents from `source`.
pub fn write(
    source: &dyn ImageSource,
    plan: &Plan,
    opts: &WriteOptions<'_>,
) -> Result<Written, SlimError> {
    let work = tempfile::Builder::new()
        .prefix("microscope-slim")
        .tempdir()
        .map_err(SlimError::io("cannot make a temporary directory"))?;
    let mut spool = read_contents(source, plan, work.path())?;
    let stripped = strip_planned(plan, opts.strip, work.path(), &mut spool)?;
    let open = |e: &OutEntry| -> Result<(File, u64), SlimError> {
        let Kind::File { content, .. } = &e.kind else {
            return Err(SlimError::Plan(format!("/{} is not a file", e.path)));
        };
        let (p, size) = spool
            .get(content)
            .ok_or_else(|| SlimError::Plan(format!("/{}: its bytes were not read", e.path)))?;
        let f = File::open(p).map_err(SlimError::io("cannot read the spooled file"))?;
        Ok((f, *size))
    };
    let layer = layer::write_layer(work.path(), &plan.entries, &open)?;
    let meta = source.meta();
    let blobs = Blobs {
        layer: &layer,
        config: super::config::config(meta, &layer.diff_id),
        tag: opts.tag.clone(),
        meta,
    };
    let mut digests = output::Documents::new(&blobs).digests();
    if let Some(t) = opts.target {
        digests = output::write(t, &blobs)?;
    }
    let pushed = match opts.push {
        Some((name, source_opts)) => Some(push(name, source_opts, &blobs)?),
        None => None,
    };
    if let Some((t, tag)) = &opts.also {
        let blobs = Blobs {
            tag: tag.clone(),
            ..blobs
        };
        output::write(t, &blobs)?;
    }
    // The layer files go with the work directory; what stays is in the target.
    Ok(Written {
        layer,
        digests,
        stripped,
        tag: opts.tag.clone(),
        pushed,
    })
}

/// Pushes the written blobs through the registry code.
#[cfg(feature = "registry")]
fn push(
    name: &str,
    opts: &crate::source::SourceOptions,
    blobs: &Blobs<'_>,
) -> Result<String, SlimError> {
    use crate::source::registry::push::{FileBlob, Push, push};
    let docs = output::Documents::new(blobs);
    let image = Push {
        layers: vec![FileBlob {
            digest: &docs.layer.digest,
            path: &blobs.layer.gzip,
        }],
        config: &blobs.config,
        config_digest: &docs.config.digest,
        manifest: &docs.manifest,
        manifest_media_type: &docs.manifest_desc.media_type,
    };
    push(name, opts, &image).map_err(|source| SlimError::Push {
        name: name.to_string(),
        source,
    })
}

#[cfg(not(feature = "registry"))]
fn push(
    name: &str,
    _opts: &crate::source::SourceOptions,
    _blobs: &Blobs<'_>,
) -> Result<String, SlimError> {
    Err(SlimError::Output(format!(
        "--push {name}: this build has no registry support (built without the `registry` feature)"
    )))
}

/// Streams every layer that holds a planned file and spools those files.
fn read_contents(source: &dyn ImageSource, plan: &Plan, dir: &Path) -> Result<Spool, SlimError> {
    let reads = plan.reads();
    let meta = source.meta();
    let layers: Vec<usize> = reads.keys().copied().collect();
    let spool: Mutex<Spool> = Mutex::new(HashMap::new());
    let pending: Mutex<Vec<usize>> = Mutex::new(layers.clone());
    let counter = AtomicUsize::new(0);
    let reader = Reader {
        dir,
        counter: &counter,
        meta,
        verify: !source.verifies_blob_digests(),
    };
    source.for_each_layer(&layers, &|i, blob| {
        if i == LAYER_BY_CONTENT {
            return reader.by_content(blob, &reads, &pending, &spool);
        }
        let Some(wanted) = reads.get(&i) else {
            return Ok(());
        };
        let (got, digest) = reader.layer(blob, wanted).map_err(|e| e.into_error(i))?;
        reader.check_digest(i, &digest)?;
        let mut s = spool.lock().unwrap_or_else(|p| p.into_inner());
        for (path, v) in got {
            s.insert(Content { layer: i, path }, v);
        }
        Ok(())
    })?;
    let spool = spool.into_inner().unwrap_or_else(|p| p.into_inner());
    for e in &plan.entries {
        if let Kind::File { content, size, .. } = &e.kind {
            match spool.get(content) {
                Some((_, got)) if got == size => {}
                Some((_, got)) => {
                    return Err(SlimError::Layer {
                        layer: content.layer,
                        why: format!(
                            "/{} has {got} B now, {size} B when it was scanned: the image changed, run again",
                            content.path
                        ),
                    });
                }
                None => {
                    return Err(SlimError::Layer {
                        layer: content.layer,
                        why: format!("/{} is not in the layer any more", content.path),
                    });
                }
            }
        }
    }
    Ok(spool)
}

/// A failure inside the layer visitor, before the layer index is known to it.
enum ReadError {
    Scan(crate::scan::ScanError),
    Io(io::Error),
}

impl ReadError {
    fn into_error(self, layer: usize) -> crate::Error {
        let (what, source): (_, crate::source::Cause) = match self {
            ReadError::Scan(e) => (format!("layer {layer}"), e.into()),
            ReadError::Io(e) => (format!("layer {layer}: cannot spool a file"), e.into()),
        };
        crate::source::SourceError::CorruptBecause { what, source }.into()
    }
}

struct Reader<'a> {
    dir: &'a Path,
    counter: &'a AtomicUsize,
    meta: &'a ImageMeta,
    verify: bool,
}

type Got = Vec<(String, (PathBuf, u64))>;

impl Reader<'_> {
    /// One blob: the wanted files spooled, and the blob's digest (empty when not hashed).
    fn layer(
        &self,
        blob: LayerReader<'_>,
        wanted: &HashSet<String>,
    ) -> Result<(Got, String), ReadError> {
        let mut hashed = HashReader::new(blob, self.verify, None);
        let mut got: Got = Vec::new();
        extract_files(&mut hashed, wanted, &mut |path, size, r| {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let p = self.dir.join(format!("f{n}"));
            let mut f = File::create(&p)?;
            let copied = io::copy(&mut r.take(size), &mut f)?;
            if copied != size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("/{path}: ends after {copied} of {size} B"),
                ));
            }
            // A later copy of the same path in the layer replaces the earlier one.
            got.retain(|(q, _)| q != path);
            got.push((path.to_string(), (p, size)));
            Ok(())
        })
        .map_err(ReadError::Scan)?;
        // The rest of the blob (end blocks, padding) belongs to its digest.
        io::copy(&mut hashed, &mut io::sink()).map_err(ReadError::Io)?;
        Ok((got, hashed.finish().0))
    }

    fn check_digest(&self, i: usize, digest: &str) -> Result<(), crate::Error> {
        let Some(want) = self.meta.layers.get(i).and_then(|d| d.digest.as_deref()) else {
            return Ok(());
        };
        if self.verify && want.starts_with("sha256:") && want != digest {
            return Err(crate::Error::LayerDigest {
                layer: i,
                what: "blob digest (second read)",
                expected: want.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok(())
    }

    /// A stream the source names by content only (an engine's export): every file any
    /// pending layer wants is spooled, then kept for the layers whose diff_id it has.
    fn by_content(
        &self,
        blob: LayerReader<'_>,
        reads: &BTreeMap<usize, HashSet<String>>,
        pending: &Mutex<Vec<usize>>,
        spool: &Mutex<Spool>,
    ) -> Result<(), crate::Error> {
        let union: HashSet<String> = {
            let p = pending.lock().unwrap_or_else(|p| p.into_inner());
            p.iter()
                .filter_map(|i| reads.get(i))
                .flatten()
                .cloned()
                .collect()
        };
        // An engine's export is a plain tar: its digest is its diff_id.
        let reader = Reader {
            verify: true,
            ..*self
        };
        let (got, diff_id) = reader
            .layer(blob, &union)
            .map_err(|e| e.into_error(LAYER_BY_CONTENT))?;
        let matched: Vec<usize> = {
            let mut p = pending.lock().unwrap_or_else(|p| p.into_inner());
            let (hit, rest): (Vec<usize>, Vec<usize>) = p
                .iter()
                .partition(|&&i| self.meta.layers[i].diff_id.as_deref() == Some(diff_id.as_str()));
            *p = rest;
            hit
        };
        let mut s = spool.lock().unwrap_or_else(|p| p.into_inner());
        for i in matched {
            for (path, v) in &got {
                if reads.get(&i).is_some_and(|w| w.contains(path)) {
                    s.insert(
                        Content {
                            layer: i,
                            path: path.clone(),
                        },
                        v.clone(),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Strips the files the plan marks, replacing their spooled bytes by the stripped ones.
fn strip_planned(
    plan: &Plan,
    tool: Option<&Tool>,
    dir: &Path,
    spool: &mut Spool,
) -> Result<Vec<Stripped>, SlimError> {
    let mut out: Vec<Stripped> = Vec::new();
    // Two paths with the same bytes (a file copied under two names) are stripped once.
    let mut done: HashMap<Content, Stripped> = HashMap::new();
    for (n, e) in plan.entries.iter().enumerate() {
        let Kind::File {
            content,
            size,
            strip: true,
        } = &e.kind
        else {
            continue;
        };
        if let Some(d) = done.get(content) {
            out.push(Stripped {
                path: format!("/{}", e.path),
                ..d.clone()
            });
            continue;
        }
        let Some((input, _)) = spool.get(content).cloned() else {
            continue;
        };
        let mut s = Stripped {
            path: format!("/{}", e.path),
            before: *size,
            after: *size,
            unstripped: None,
        };
        match tool {
            None => {
                s.unstripped = Some("no strip or objcopy on PATH".into());
            }
            Some(t) => {
                let output = dir.join(format!("stripped{n}"));
                match strip::strip(t, &input, &output) {
                    Ok(after) => {
                        s.after = after;
                        // Another path may share this content without being stripped.
                        spool.insert(content.clone(), (output, after));
                    }
                    Err(why) => s.unstripped = Some(crate::error::one_line(&why)),
                }
            }
        }
        done.insert(content.clone(), s.clone());
        out.push(s);
    }
    Ok(out)
}
