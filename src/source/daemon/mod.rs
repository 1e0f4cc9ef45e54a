//! Images in a Docker or Podman engine, through the Engine API (bollard): inspect for the
//! layers' diff_ids, config and platform; history for what made each layer; and the image
//! export stream (`GET /images/NAME/get`), scanned as it arrives, never saved first.
//!
//! Docker is found as the docker CLI finds it: `DOCKER_HOST`, else the current context
//! (`DOCKER_CONTEXT`, or `currentContext` in `~/.docker/config.json`, whose endpoint is in
//! `~/.docker/contexts/meta/<sha256 of the name>/meta.json`), else `/var/run/docker.sock`.
//! Podman: `CONTAINER_HOST`, `$XDG_RUNTIME_DIR/podman/podman.sock`, `/run/podman/podman.sock`.
//!
//! The export is one tar stream in the engine's order. Its layers are matched to the image
//! by name where the name is a diff_id (Docker 25+ `blobs/sha256/<diff_id>`, Podman
//! `<diff_id>.tar`) and otherwise by content (legacy `<v1 id>/layer.tar`, compressed blobs
//! of the containerd store): the loader scans such a stream and places it by the diff_id
//! it computes ([`super::LAYER_BY_CONTENT`]).
//!
//! A Docker engine whose overlay2 storage is readable here is not asked for the export at
//! all: its layers are rebuilt from that storage ([`storage`], `--daemon-read`).

mod connect;
mod direct;
mod export;
mod inspect;
mod socket_export;
mod storage;

use connect::connect;
pub use connect::{Endpoint, endpoint};
pub use export::scan_export;

use super::{
    ImageSource, LAYER_BUFFER, LayerReader, LayerVisitor, LiveSource, SourceError, SourceOptions,
};
use crate::image::ImageMeta;
use bollard::Docker;
use futures_util::TryStreamExt;
use std::path::Path;
use tokio_util::io::{StreamReader, SyncIoBridge};

/// What an engine answered for a bare name.
pub enum Presence {
    Found(Box<DaemonSource>),
    /// Why this engine cannot give the image (not running, no such image, …).
    Absent(String),
}

pub struct DaemonSource {
    rt: tokio::runtime::Runtime,
    docker: Docker,
    name: String,
    endpoint: Endpoint,
    meta: ImageMeta,
    plan: direct::Plan,
}

impl DaemonSource {
    /// Opens `name` in the engine of `kind`, or says clearly why not.
    pub fn open(
        name: &str,
        kind: LiveSource,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        let endpoint = endpoint(kind)?;
        let rt = runtime()?;
        let docker = connect(&endpoint)?;
        Self::inspect(rt, docker, endpoint, name, opts, display)
    }

    /// For a bare name: the engine's source when the engine answers and has the image;
    /// `Absent(why)` when there is no engine or no such image there (the caller names the
    /// engines it tried if nothing has the image); Err for what the user should hear about
    /// at once (a socket they may not open).
    pub fn open_if_present(
        name: &str,
        kind: LiveSource,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Presence, SourceError> {
        let endpoint = match endpoint(kind) {
            Ok(e) => e,
            Err(e) => return Ok(Presence::Absent(crate::error::one_line(&e))),
        };
        if let Some(path) = endpoint.host.strip_prefix("unix://")
            && !Path::new(path).exists()
        {
            // The label names the socket already.
            return Ok(Presence::Absent(format!(
                "{}: not running (no such socket)",
                endpoint.label
            )));
        }
        let rt = runtime()?;
        let docker = match connect(&endpoint) {
            Ok(d) => d,
            Err(e @ (SourceError::Permission(_) | SourceError::PermissionBecause { .. })) => {
                return Err(e);
            }
            Err(e) => return Ok(Presence::Absent(crate::error::one_line(&e))),
        };
        let label = endpoint.label.clone();
        match Self::inspect(rt, docker, endpoint, name, opts, display) {
            Ok(s) => Ok(Presence::Found(Box::new(s))),
            Err(SourceError::ImageNotFound(_)) => {
                Ok(Presence::Absent(format!("{label}: no such image")))
            }
            Err(e @ (SourceError::Unreachable(_) | SourceError::UnreachableBecause { .. })) => {
                Ok(Presence::Absent(crate::error::one_line(&e)))
            }
            Err(e) => Err(e),
        }
    }

    pub fn label(&self) -> &str {
        &self.endpoint.label
    }

    fn inspect(
        rt: tokio::runtime::Runtime,
        docker: Docker,
        endpoint: Endpoint,
        name: &str,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Self, SourceError> {
        let (meta, stored) = inspect::image_meta(&rt, &docker, &endpoint, name, opts, display)?;
        let plan = direct::plan(&rt, &docker, &endpoint, &meta, stored, opts)?;
        Ok(DaemonSource {
            rt,
            docker,
            name: name.to_string(),
            endpoint,
            meta,
            plan,
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, SourceError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("microscope-engine")
        .enable_all()
        .build()?)
}
impl ImageSource for DaemonSource {
    fn meta(&self) -> &ImageMeta {
        &self.meta
    }

    /// The engine has no per-layer endpoint: a layer alone is not available.
    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError> {
        Err(SourceError::Unsupported(format!(
            "layer {index}: an engine gives layers only as part of the image export"
        )))
    }

    /// Reads what the engine's storage has (when it is read), then walks the export
    /// stream once for the rest, handing each layer to `visit` as it arrives.
    fn for_each_layer(
        &self,
        wanted: &[usize],
        visit: &LayerVisitor<'_>,
    ) -> Result<(), crate::Error> {
        if !wanted.is_empty() {
            self.plan.tell(format!("{}: {}", self.name, self.plan.said));
        }
        let wanted = self.plan.read_storage(wanted, visit)?;
        if wanted.is_empty() {
            return Ok(());
        }
        connect::negotiate(&self.docker, &self.endpoint, &self.rt)?;
        let label = self.endpoint.label.clone();
        let stream_err = move |e: std::io::Error| {
            crate::Error::Source(SourceError::RemoteBecause {
                what: format!("the image export from {label} failed"),
                source: e.into(),
            })
        };
        if let Some(path) = self.endpoint.host.strip_prefix("unix://") {
            let v = self.docker.client_version();
            let version = format!("{}.{}", v.major_version, v.minor_version);
            let body =
                socket_export::open(path, &version, &self.name, connect::TIMEOUT).map_err(|e| {
                    match e.kind() {
                        std::io::ErrorKind::NotFound
                        | std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::PermissionDenied => {
                            connect::socket_error(e, path, &self.endpoint).into()
                        }
                        _ => stream_err(e),
                    }
                })?;
            let failed = body.failure();
            // The body buffers the socket itself: a small buffer here lets big reads
            // (a layer's 512 KiB chunks) pass straight through.
            let reader = std::io::BufReader::with_capacity(LAYER_BUFFER, body);
            return match scan_export(reader, &self.meta, &wanted, visit, &stream_err) {
                // The walk calls a stream cut short a truncated layer: say the engine's part.
                Err(_) if let Some(e) = failed.take() => Err(stream_err(e)),
                r => r,
            };
        }
        let stream = self
            .docker
            .export_image(&self.name)
            .map_err(std::io::Error::other);
        let reader = SyncIoBridge::new_with_handle(
            StreamReader::new(Box::pin(stream)),
            self.rt.handle().clone(),
        );
        // Each read of the bridge crosses to the runtime's thread: read a lot at once.
        let reader = std::io::BufReader::with_capacity(1 << 20, reader);
        scan_export(reader, &self.meta, &wanted, visit, &stream_err)
    }
}
