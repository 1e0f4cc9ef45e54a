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

use super::{
    ImageSource, LAYER_BY_CONTENT, LayerReader, LayerVisitor, LiveSource, SourceError,
    SourceOptions,
};
use crate::image::model::HistoryEntry;
use crate::image::{ImageMeta, LayerDesc, Platform, RunConfig};
use bollard::Docker;
use bollard::errors::Error as BollardError;
use futures_util::TryStreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Seconds a request to the engine may take (an export of a large image starts late: the
/// engine assembles it first).
const TIMEOUT: u64 = 900;

/// Where an engine listens and how to name it to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub kind: LiveSource,
    /// `unix:///path`, `tcp://host:port` or `http://host:port`.
    pub host: String,
    /// `the Docker engine at unix:///var/run/docker.sock`.
    pub label: String,
}

pub struct DaemonSource {
    rt: tokio::runtime::Runtime,
    docker: Docker,
    name: String,
    endpoint: Endpoint,
    meta: ImageMeta,
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
        let docker = connect(&endpoint, &rt)?;
        Self::inspect(rt, docker, endpoint, name, opts, display)
    }

    /// For a bare name: the engine's source when the engine answers and has the image;
    /// Ok(None) when there is no engine or no such image there; Err for what the user
    /// should hear about (a socket they may not open).
    pub fn open_if_present(
        name: &str,
        kind: LiveSource,
        opts: &SourceOptions,
        display: &str,
    ) -> Result<Option<Self>, SourceError> {
        let Ok(endpoint) = endpoint(kind) else {
            return Ok(None);
        };
        if let Some(path) = endpoint.host.strip_prefix("unix://")
            && !Path::new(path).exists()
        {
            return Ok(None);
        }
        let rt = runtime()?;
        let docker = match connect(&endpoint, &rt) {
            Ok(d) => d,
            Err(e @ SourceError::Permission(_)) => return Err(e),
            Err(_) => return Ok(None),
        };
        match Self::inspect(rt, docker, endpoint, name, opts, display) {
            Ok(s) => Ok(Some(s)),
            Err(SourceError::ImageNotFound(_) | SourceError::Unreachable(_)) => Ok(None),
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
        let (inspect, history) = rt
            .block_on(async {
                let i = docker.inspect_image(name).await?;
                let h = docker.image_history(name).await?;
                Ok::<_, BollardError>((i, h))
            })
            .map_err(|e| engine_error(e, &endpoint, Some(name)))?;
        let platform = Platform {
            os: inspect.os.clone().unwrap_or_default(),
            architecture: inspect.architecture.clone().unwrap_or_default(),
            variant: inspect.variant.clone().filter(|v| !v.is_empty()),
        };
        if let Some(w) = &opts.platform
            && !w.accepts(&platform)
        {
            return Err(SourceError::NoPlatform {
                wanted: w.to_string(),
                available: format!("{platform} (the image in {})", endpoint.label),
            });
        }
        let diff_ids: Vec<String> = inspect
            .root_fs
            .as_ref()
            .and_then(|r| r.layers.clone())
            .unwrap_or_default();
        let mut warnings = Vec::new();
        // The history API lists newest first; the config's order is oldest first.
        let items: Vec<(String, i64)> = history
            .iter()
            .rev()
            .map(|h| {
                let by = if h.created_by.is_empty() {
                    h.comment.clone()
                } else {
                    h.created_by.clone()
                };
                (by, h.size)
            })
            .collect();
        let history = infer_history(&items, diff_ids.len(), &mut warnings);
        let layers = diff_ids
            .iter()
            .map(|d| LayerDesc {
                digest: None,
                diff_id: Some(d.clone()),
                media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
                size: None,
                locator: d.clone(),
            })
            .collect();
        let manifest_digest = inspect
            .repo_digests
            .iter()
            .flatten()
            .find_map(|r| r.split_once('@').map(|(_, d)| d.to_string()));
        let meta = ImageMeta {
            reference: display.to_string(),
            source: match endpoint.kind {
                LiveSource::Podman => "podman-daemon".into(),
                _ => "docker-daemon".into(),
            },
            platform,
            manifest_digest,
            config_digest: inspect.id.clone(),
            run: run_config(inspect.config.as_ref()),
            history,
            layers,
            warnings,
        };
        Ok(DaemonSource {
            rt,
            docker,
            name: name.to_string(),
            endpoint,
            meta,
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

/// The endpoint for an engine kind, as its CLI would find it.
pub fn endpoint(kind: LiveSource) -> Result<Endpoint, SourceError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (host, how) = match kind {
        LiveSource::Podman => {
            if let Some(h) = env("CONTAINER_HOST") {
                (h, "CONTAINER_HOST")
            } else if let Some(sock) = env("XDG_RUNTIME_DIR")
                .map(|d| PathBuf::from(d).join("podman/podman.sock"))
                .filter(|p| p.exists())
            {
                (format!("unix://{}", sock.display()), "")
            } else {
                ("unix:///run/podman/podman.sock".to_string(), "")
            }
        }
        _ => {
            if let Some(h) = env("DOCKER_HOST") {
                (h, "DOCKER_HOST")
            } else if let Some((ctx, h)) = context_host()? {
                return Ok(Endpoint {
                    kind,
                    label: format!("the Docker engine at {h} (context {ctx})"),
                    host: h,
                });
            } else {
                ("unix:///var/run/docker.sock".to_string(), "")
            }
        }
    };
    let engine = match kind {
        LiveSource::Podman => "the Podman engine",
        _ => "the Docker engine",
    };
    let label = if how.is_empty() {
        format!("{engine} at {host}")
    } else {
        format!("{engine} at {host} ({how})")
    };
    Ok(Endpoint { kind, host, label })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CliConfig {
    #[serde(default)]
    current_context: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextMeta {
    #[serde(default)]
    endpoints: HashMap<String, ContextEndpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextEndpoint {
    #[serde(default)]
    host: Option<String>,
}

/// The current docker context's engine host, unless it is `default`.
fn context_host() -> Result<Option<(String, String)>, SourceError> {
    let Some(dir) = docker_config_dir() else {
        return Ok(None);
    };
    let name = match std::env::var("DOCKER_CONTEXT")
        .ok()
        .filter(|c| !c.is_empty())
    {
        Some(c) => c,
        None => {
            let Ok(raw) = std::fs::read(dir.join("config.json")) else {
                return Ok(None);
            };
            let cfg: CliConfig = serde_json::from_slice(&raw).unwrap_or_default();
            match cfg.current_context {
                Some(c) if !c.is_empty() => c,
                _ => return Ok(None),
            }
        }
    };
    if name == "default" {
        return Ok(None);
    }
    let hash = hex::encode(Sha256::digest(name.as_bytes()));
    let path = dir.join("contexts/meta").join(hash).join("meta.json");
    let raw = std::fs::read(&path).map_err(|e| {
        SourceError::Unreachable(format!(
            "docker context {name:?} is selected but {} cannot be read: {e}",
            path.display()
        ))
    })?;
    let meta: ContextMeta = serde_json::from_slice(&raw).map_err(|e| {
        SourceError::Unreachable(format!("{} cannot be parsed: {e}", path.display()))
    })?;
    let host = meta
        .endpoints
        .get("docker")
        .and_then(|e| e.host.clone())
        .ok_or_else(|| {
            SourceError::Unreachable(format!("docker context {name:?} names no docker endpoint"))
        })?;
    Ok(Some((name, host)))
}

fn docker_config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker"))
}

/// Connects and agrees on an API version (engines refuse a client newer than they are).
fn connect(ep: &Endpoint, rt: &tokio::runtime::Runtime) -> Result<Docker, SourceError> {
    let version = bollard::API_DEFAULT_VERSION;
    let docker = if let Some(path) = ep.host.strip_prefix("unix://") {
        // Ask the socket directly first: bollard's errors do not say "permission denied".
        if let Err(e) = std::os::unix::net::UnixStream::connect(path) {
            return Err(socket_error(&e, path, ep));
        }
        Docker::connect_with_unix(path, TIMEOUT, version)
    } else if ep.host.starts_with("tcp://") || ep.host.starts_with("http://") {
        Docker::connect_with_http(&ep.host, TIMEOUT, version)
    } else {
        return Err(SourceError::Unsupported(format!(
            "{}: only unix:// and tcp:// engine hosts are supported",
            ep.label
        )));
    }
    .map_err(|e| engine_error(e, ep, None))?;
    rt.block_on(docker.negotiate_version())
        .map_err(|e| engine_error(e, ep, None))
}

fn socket_error(e: &std::io::Error, path: &str, ep: &Endpoint) -> SourceError {
    use std::io::ErrorKind::*;
    let engine = if ep.kind == LiveSource::Podman {
        "podman system service"
    } else {
        "dockerd"
    };
    match e.kind() {
        NotFound => SourceError::Unreachable(format!(
            "no engine at {}: {path} does not exist (is {engine} running?)",
            ep.label
        )),
        ConnectionRefused => SourceError::Unreachable(format!(
            "{} is not running (connection refused on {path})",
            ep.label
        )),
        PermissionDenied => SourceError::Permission(format!(
            "permission denied on {path} ({}): add your user to the socket's group (docker), or run as a user who may use it",
            ep.label
        )),
        _ => SourceError::Unreachable(format!("cannot connect to {}: {e}", ep.label)),
    }
}

fn engine_error(e: BollardError, ep: &Endpoint, image: Option<&str>) -> SourceError {
    match e {
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => match (status_code, image) {
            (404, Some(name)) => SourceError::ImageNotFound(format!(
                "not in {} (pull it first, or read it from the registry with docker://{name})",
                ep.label
            )),
            _ => SourceError::Remote(format!(
                "{} answered {status_code}: {}",
                ep.label,
                message.trim()
            )),
        },
        BollardError::SocketNotFoundError(path) => {
            SourceError::Unreachable(format!("no engine at {}: {path} does not exist", ep.label))
        }
        BollardError::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => {
            SourceError::Permission(format!("permission denied talking to {}: {err}", ep.label))
        }
        BollardError::RequestTimeoutError => {
            SourceError::Unreachable(format!("{} did not answer in time", ep.label))
        }
        other => {
            let text = other.to_string();
            if text.contains("onnect") || text.contains("refused") {
                SourceError::Unreachable(format!("cannot reach {}: {text}", ep.label))
            } else {
                SourceError::Remote(format!("{}: {text}", ep.label))
            }
        }
    }
}

fn run_config(c: Option<&bollard::models::ImageConfig>) -> RunConfig {
    let Some(c) = c else {
        return RunConfig::default();
    };
    let mut exposed_ports = c.exposed_ports.clone().unwrap_or_default();
    exposed_ports.sort();
    let mut labels: Vec<(String, String)> =
        c.labels.clone().unwrap_or_default().into_iter().collect();
    labels.sort();
    RunConfig {
        entrypoint: c.entrypoint.clone().unwrap_or_default(),
        cmd: c.cmd.clone().unwrap_or_default(),
        env: c.env.clone().unwrap_or_default(),
        user: c.user.clone().unwrap_or_default(),
        working_dir: c.working_dir.clone().unwrap_or_default(),
        exposed_ports,
        labels,
    }
}

/// The history API gives sizes, not the config's `empty_layer`: an entry with bytes made a
/// layer; among those without, metadata instructions (ENV, CMD...) made none and the rest
/// are taken as layers, oldest first, until the count matches the image's layers.
fn infer_history(
    items: &[(String, i64)],
    layers: usize,
    warnings: &mut Vec<String>,
) -> Vec<HistoryEntry> {
    let mut empty: Vec<bool> = items.iter().map(|(_, size)| *size <= 0).collect();
    let mut count = empty.iter().filter(|e| !**e).count();
    for (i, (by, _)) in items.iter().enumerate() {
        if count >= layers {
            break;
        }
        if empty[i] && !is_metadata_instruction(by) {
            empty[i] = false;
            count += 1;
        }
    }
    if count != layers {
        warnings.push(format!(
            "the engine's history has {count} layer-making steps for {layers} layers; commands may be matched to the wrong layers"
        ));
    }
    items
        .iter()
        .zip(empty)
        .map(|((by, _), empty_layer)| HistoryEntry {
            created_by: by.clone(),
            empty_layer,
        })
        .collect()
}

fn is_metadata_instruction(created_by: &str) -> bool {
    let s = created_by.trim();
    let s = s
        .strip_prefix("/bin/sh -c #(nop)")
        .or_else(|| s.strip_prefix("|"))
        .unwrap_or(s)
        .trim_start();
    let word = s.split_whitespace().next().unwrap_or("");
    matches!(
        word.to_ascii_uppercase().as_str(),
        "ENV"
            | "CMD"
            | "LABEL"
            | "EXPOSE"
            | "ENTRYPOINT"
            | "USER"
            | "ARG"
            | "VOLUME"
            | "STOPSIGNAL"
            | "HEALTHCHECK"
            | "ONBUILD"
            | "SHELL"
            | "MAINTAINER"
            | "WORKDIR"
    )
}

/// What an export entry is, from its path.
#[derive(Debug, PartialEq, Eq)]
enum Member {
    /// A blob named by its sha256: a layer (by diff_id, or compressed) or JSON.
    Named(String),
    /// `<id>/layer.tar`: a layer named by a v1 id, identified by content.
    Legacy,
    Other,
}

fn classify(path: &str) -> Member {
    let hex_ok = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(h) = path.strip_prefix("blobs/sha256/")
        && hex_ok(h)
    {
        return Member::Named(format!("sha256:{h}"));
    }
    if let Some(h) = path.strip_suffix(".tar")
        && hex_ok(h)
    {
        return Member::Named(format!("sha256:{h}"));
    }
    if path.ends_with("/layer.tar") {
        return Member::Legacy;
    }
    Member::Other
}

type Body<'a> = dyn std::io::Read + Send + 'a;

/// Largest GNU long name or PAX header we read.
const MAX_EXT_HEADER: u64 = 1 << 20;

/// Walks the export's own tar (not a layer's) in one pass: regular members go to
/// `on_member` with their path and bytes; what it leaves unread is skipped. Long names
/// (GNU `L`, PAX `path`) are honoured; everything but regular files is skipped.
fn walk_outer_tar<R: std::io::Read + Send>(
    r: &mut R,
    on_member: &mut dyn FnMut(&str, &mut Body<'_>) -> Result<(), crate::Error>,
    err: &dyn Fn(std::io::Error) -> crate::Error,
) -> Result<(), crate::Error> {
    use std::io::Read;
    let corrupt = |m: &str| {
        err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            m.to_string(),
        ))
    };
    let mut long_name: Option<String> = None;
    loop {
        let mut block = [0u8; 512];
        match r.read_exact(&mut block) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(corrupt("the stream ends in the middle of the archive"));
            }
            Err(e) => return Err(err(e)),
        }
        if block.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let header = tar::Header::from_byte_slice(&block);
        let size = header
            .entry_size()
            .map_err(|_| corrupt("a member header has a bad size"))?;
        let kind = header.entry_type();
        let padding = (512 - size % 512) % 512;
        let mut body = r.take(size);
        match kind {
            tar::EntryType::GNULongName | tar::EntryType::XHeader if size <= MAX_EXT_HEADER => {
                let mut ext = Vec::new();
                body.read_to_end(&mut ext).map_err(err)?;
                long_name = if kind == tar::EntryType::GNULongName {
                    Some(
                        String::from_utf8_lossy(ext.split(|&b| b == 0).next().unwrap_or(&[]))
                            .into_owned(),
                    )
                } else {
                    pax_path(&ext).or(long_name)
                };
            }
            t if t.is_file() => {
                let path = long_name
                    .take()
                    .unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
                let path = path.trim_start_matches("./").to_string();
                on_member(&path, &mut body)?;
            }
            _ => long_name = None,
        }
        std::io::copy(&mut body, &mut std::io::sink()).map_err(err)?;
        if body.limit() != 0 {
            return Err(corrupt("the stream ends in the middle of a member"));
        }
        std::io::copy(&mut r.take(padding), &mut std::io::sink()).map_err(err)?;
    }
}

/// The `path` record of a PAX extended header (`LEN path=VALUE\n`).
fn pax_path(ext: &[u8]) -> Option<String> {
    let mut rest = ext;
    while !rest.is_empty() {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len <= sp || len > rest.len() {
            return None;
        }
        let record = &rest[sp + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(v) = record.strip_prefix(b"path=") {
            return Some(String::from_utf8_lossy(v).into_owned());
        }
        rest = &rest[len..];
    }
    None
}

/// Hands each wanted layer of an engine's export stream (`docker save` output in any of
/// its layouts) to `visit` as it passes: by index where the member's name is a diff_id, by
/// content ([`LAYER_BY_CONTENT`]) where it is not. Public so the walk can be tested on
/// saved archives without an engine.
pub fn scan_export<R: std::io::Read + Send>(
    reader: R,
    meta: &ImageMeta,
    wanted: &[usize],
    visit: &LayerVisitor<'_>,
    stream_err: &dyn Fn(std::io::Error) -> crate::Error,
) -> Result<(), crate::Error> {
    let mut by_diff_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in wanted {
        if let Some(d) = meta.layers[i].diff_id.as_deref() {
            by_diff_id.entry(d).or_default().push(i);
        }
    }
    let known: std::collections::HashSet<&str> = meta
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_deref())
        .collect();
    let mut stream = BufReader::with_capacity(1 << 20, reader);
    let mut on_member = |path: &str, body: &mut Body<'_>| -> Result<(), crate::Error> {
        match classify(path) {
            Member::Other => Ok(()),
            Member::Legacy => visit(LAYER_BY_CONTENT, Box::new(body)),
            Member::Named(id) => match by_diff_id.get(id.as_str()) {
                Some(v) if v.len() == 1 => visit(v[0], Box::new(body)),
                Some(_) => visit(LAYER_BY_CONTENT, Box::new(body)),
                // A layer already cached: skipped, its bytes pass unread.
                None if known.contains(id.as_str()) => Ok(()),
                None => {
                    // A config, manifest or index is JSON; anything else is a layer
                    // stored compressed (containerd's store), named by its blob digest.
                    let mut r = BufReader::new(body);
                    let head = r.fill_buf().map_err(stream_err)?;
                    if head.is_empty() || head[0] == b'{' {
                        return Ok(());
                    }
                    visit(LAYER_BY_CONTENT, Box::new(r))
                }
            },
        }
    };
    walk_outer_tar(&mut stream, &mut on_member, stream_err)?;
    Ok(())
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

    /// Walks the export stream once, handing each layer to `visit` as it arrives.
    fn for_each_layer(
        &self,
        wanted: &[usize],
        visit: &LayerVisitor<'_>,
    ) -> Result<(), crate::Error> {
        if wanted.is_empty() {
            return Ok(());
        }
        let label = self.endpoint.label.clone();
        let stream_err = move |e: std::io::Error| {
            crate::Error::Source(SourceError::Remote(format!(
                "the image export from {label} failed: {e}"
            )))
        };
        let stream = self
            .docker
            .export_image(&self.name)
            .map_err(std::io::Error::other);
        let reader = SyncIoBridge::new_with_handle(
            StreamReader::new(Box::pin(stream)),
            self.rt.handle().clone(),
        );
        scan_export(reader, &self.meta, wanted, visit, &stream_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_members() {
        let h = "a".repeat(64);
        assert_eq!(
            classify(&format!("blobs/sha256/{h}")),
            Member::Named(format!("sha256:{h}"))
        );
        assert_eq!(
            classify(&format!("{h}.tar")),
            Member::Named(format!("sha256:{h}"))
        );
        assert_eq!(classify(&format!("{h}/layer.tar")), Member::Legacy);
        assert_eq!(classify("manifest.json"), Member::Other);
        assert_eq!(classify(&format!("{h}.json")), Member::Other);
    }

    #[test]
    fn history_marks_metadata_steps_empty() {
        let items = vec![
            (
                "/bin/sh -c #(nop) ADD file:abc in / ".to_string(),
                5_000_000,
            ),
            ("/bin/sh -c #(nop)  CMD [\"sh\"]".to_string(), 0),
            ("/bin/sh -c mkdir /x".to_string(), 0),
            ("ENV A=b".to_string(), 0),
        ];
        let mut w = Vec::new();
        let h = infer_history(&items, 2, &mut w);
        let empty: Vec<bool> = h.iter().map(|e| e.empty_layer).collect();
        assert_eq!(empty, [false, true, false, true]);
        assert!(w.is_empty());
    }
}
