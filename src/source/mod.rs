//! Where images come from. Every source implements [`ImageSource`]: it knows the image's
//! metadata up front and streams layer blobs (as stored, compressed) on demand.

pub mod config;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod digest;
pub mod docker_archive;
mod error;
mod live;
pub mod memory;
pub mod oci_layout;
pub mod packed;
#[cfg(feature = "registry")]
pub mod registry;
pub mod regular;
pub mod select;
pub mod store;

use crate::image::{ImageMeta, Platform};
use crate::reference::ImageRef;
#[cfg(feature = "registry")]
pub use error::RegistryError;
pub use error::{Cause, SourceError};
use std::io::{BufRead, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What a cached scan of a layer is keyed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheGuard {
    /// Its digest alone: an engine or a registry, whose bytes are checked as they arrive.
    Digest,
    /// Its digest and the identity of the file it was read from (device, inode, size,
    /// times; see [`store::file_identity`]): a local layout or archive, where the same name
    /// may hold other bytes tomorrow. An edited file is a miss, read and verified again.
    File(String),
    /// Not cached (a store that cannot say what its file is).
    Uncached,
}

/// Options that shape which image a source picks.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// `--platform`; None means the host's, falling back to the only one there is.
    pub platform: Option<Platform>,
    /// `--source`: where a bare `NAME[:TAG]` is read from; None tries the engines first.
    pub prefer: Option<LiveSource>,
    /// `--username` / `--password-stdin`; otherwise `~/.docker/config.json` is consulted.
    pub credentials: Option<Credentials>,
    /// `--insecure-registry HOST`: registries spoken to over plain HTTP (loopback always is).
    pub insecure_registries: Vec<String>,
    /// Where manifests and configs are cached by digest (scans are cached by the loader).
    pub cache: Option<std::sync::Arc<crate::cache::Cache>>,
    /// A registry pull may ask for the first layers it will read beside the config: for one
    /// image loaded as soon as it is opened, whose scans come from `cache` (or no cache), so
    /// that the loader reads every layer whose scan `cache` lacks. Off where another cache
    /// decides (a fleet's shared scans) or a source waits before it is read (compare's).
    pub early_layers: bool,
    /// `--stall-timeout`: a download that brings no byte for this long fails, naming the
    /// blob and how far it got. None is [`DEFAULT_STALL`].
    pub stall_timeout: Option<std::time::Duration>,
    /// `--no-verify` (or `verify = false` in the config): layer blobs and tars are not
    /// hashed, so their digests are not checked. Only ever set by the user, never implied.
    pub no_verify: bool,
    /// `--daemon-read`: how a Docker engine's layers are read.
    pub daemon_read: DaemonRead,
    /// Hears what a source decides while it loads (a layer read another way than planned).
    /// None where nobody should be told on stderr (the interactive app owns the terminal).
    pub notify: Option<Notify>,
}

/// How a Docker engine's layers are read (`--daemon-read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DaemonRead {
    /// From the engine's overlay2 storage where it is readable and every check holds, else
    /// from the image export.
    #[default]
    Auto,
    /// Only from the storage: any problem is an error.
    Storage,
    /// Only from the image export (`docker save`).
    Export,
}

/// A one-line message for the user, from a source while it loads.
#[derive(Clone)]
pub struct Notify(pub std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notify")
    }
}

/// How long a registry download may bring nothing before it fails.
pub const DEFAULT_STALL: std::time::Duration = std::time::Duration::from_secs(60);

/// The live places a bare image name can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveSource {
    Docker,
    Podman,
    Registry,
}

/// A registry user name and password (or token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, <hidden>)", self.username)
    }
}

/// A layer blob stream. Buffered by its source, so that a source holding the bytes in
/// memory already (a registry download) hands them to the decoder without another copy.
pub type LayerReader<'a> = Box<dyn BufRead + Send + 'a>;

/// The buffer a source puts in front of a layer it reads from a file or a stream.
pub const LAYER_BUFFER: usize = 64 * 1024;

/// A layer from a plain reader, buffered.
pub fn buffered<'a, R: Read + Send + 'a>(r: R) -> LayerReader<'a> {
    Box::new(std::io::BufReader::with_capacity(LAYER_BUFFER, r))
}

/// The index a source passes to the visitor for a stream it can only identify by content:
/// the loader scans it and matches it to the layers by the diff_id it computes.
pub const LAYER_BY_CONTENT: usize = usize::MAX;

/// What [`ImageSource::for_each_layer`] calls for each layer (or with [`LAYER_BY_CONTENT`]).
pub type LayerVisitor<'a> = dyn Fn(usize, LayerReader<'_>) -> Result<(), crate::Error> + Sync + 'a;

/// The seam every source fills: archives and layouts here, engines and registries later.
pub trait ImageSource: Send + Sync {
    fn meta(&self) -> &ImageMeta;

    /// Whether the streams `open_layer` gives check the blob's bytes against its sha256
    /// digest themselves, failing the read at the end if they differ (the scan need not).
    fn verifies_blob_digests(&self) -> bool {
        false
    }

    /// How a scan of layer `index` may be cached: see [`CacheGuard`].
    fn cache_guard(&self, _index: usize) -> CacheGuard {
        CacheGuard::Digest
    }

    /// Opens layer `index`'s blob as stored. Called from several threads at once.
    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError>;

    /// Streams each wanted layer to `visit`, in parallel by default (one per core). A source
    /// that can only produce one stream (an engine's export) overrides this.
    fn for_each_layer(
        &self,
        wanted: &[usize],
        visit: &LayerVisitor<'_>,
    ) -> Result<(), crate::Error> {
        in_parallel(wanted, &|layer| {
            self.open_layer(layer)
                .map_err(crate::Error::from)
                .and_then(|r| visit(layer, r))
        })
    }
}

/// Runs `work` on each of `wanted`, in order, on one thread per core; the first error stops
/// the others from taking more and is returned.
pub(crate) fn in_parallel(
    wanted: &[usize],
    work: &(dyn Fn(usize) -> Result<(), crate::Error> + Sync),
) -> Result<(), crate::Error> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(wanted.len().max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<crate::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&layer) = wanted.get(i) else { break };
                    if let Err(e) = work(layer) {
                        failed.store(true, Ordering::Relaxed);
                        let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                        slot.get_or_insert(e);
                    }
                }
            });
        }
    });
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Opens the source a reference names.
pub fn open(
    reference: &ImageRef,
    opts: &SourceOptions,
) -> Result<Box<dyn ImageSource>, crate::Error> {
    open_reporting(reference, opts, &mut |_| {})
}

/// [`open`], telling `note` where a bare name was found (an engine or a registry).
pub fn open_reporting(
    reference: &ImageRef,
    opts: &SourceOptions,
    note: &mut dyn FnMut(String),
) -> Result<Box<dyn ImageSource>, crate::Error> {
    let display = reference.to_string();
    let src: Box<dyn ImageSource> =
        match reference {
            ImageRef::DockerArchive { path, select } => Box::new(
                docker_archive::DockerArchive::open(path, select.as_deref(), opts, &display)?,
            ),
            ImageRef::OciDir { path, tag } => Box::new(oci_layout::OciLayout::open_dir(
                path,
                tag.as_deref(),
                opts,
                &display,
            )?),
            ImageRef::OciArchive { path, tag } => Box::new(oci_layout::OciLayout::open_archive(
                path,
                tag.as_deref(),
                opts,
                &display,
            )?),
            ImageRef::Path(path) => detect(path, opts, &display)?,
            ImageRef::DockerDaemon(name) => live::daemon(name, LiveSource::Docker, opts, &display)?,
            ImageRef::PodmanDaemon(name) => live::daemon(name, LiveSource::Podman, opts, &display)?,
            ImageRef::Registry(name) => live::registry(name, opts, &display)?,
            ImageRef::Name(name) => live::bare_name(name, opts, &display, note)?,
        };
    let mut meta = src.meta().clone();
    meta.origin = Some(reference.clone());
    Ok(Box::new(Referenced { inner: src, meta }))
}

/// A source whose metadata records the reference it was opened from, so analyses read the
/// parsed reference instead of parsing `meta.reference` again. Forwards every method of
/// [`ImageSource`] (a method added to the trait must be forwarded here too).
struct Referenced {
    inner: Box<dyn ImageSource>,
    meta: ImageMeta,
}

impl ImageSource for Referenced {
    fn meta(&self) -> &ImageMeta {
        &self.meta
    }

    fn verifies_blob_digests(&self) -> bool {
        self.inner.verifies_blob_digests()
    }

    fn cache_guard(&self, index: usize) -> CacheGuard {
        self.inner.cache_guard(index)
    }

    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError> {
        self.inner.open_layer(index)
    }

    fn for_each_layer(
        &self,
        wanted: &[usize],
        visit: &LayerVisitor<'_>,
    ) -> Result<(), crate::Error> {
        self.inner.for_each_layer(wanted, visit)
    }
}

/// A bare path: a `docker save` tar, an oci-archive, or an OCI layout directory, told apart
/// by what is inside.
fn detect(
    path: &std::path::Path,
    opts: &SourceOptions,
    display: &str,
) -> Result<Box<dyn ImageSource>, crate::Error> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|_| SourceError::NotFound(shown.clone()))?;
    if meta.is_dir() {
        if path.join("manifest.json").is_file() {
            return Ok(Box::new(docker_archive::DockerArchive::from_store(
                Box::new(store::DirStore::new(path)),
                None,
                opts,
                display,
            )?));
        }
        return Ok(Box::new(oci_layout::OciLayout::open_dir(
            path, None, opts, display,
        )?));
    }
    let tar = packed::open_tar(path)?;
    if tar.exists("manifest.json") {
        Ok(Box::new(docker_archive::DockerArchive::from_store(
            tar, None, opts, display,
        )?))
    } else if tar.exists("index.json") {
        Ok(Box::new(oci_layout::OciLayout::from_store(
            tar,
            None,
            opts,
            display,
            "oci-archive",
        )?))
    } else {
        Err(SourceError::NotAnImage(format!(
            "{shown} has neither manifest.json (docker save) nor index.json (OCI layout)"
        ))
        .into())
    }
}
