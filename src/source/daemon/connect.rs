//! Finding and reaching an engine: where it listens (as its CLI would find it), connecting
//! with an API version it accepts, and its failures in words the user can act on.

use super::super::{LiveSource, SourceError};
use bollard::Docker;
use bollard::errors::Error as BollardError;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

/// Seconds a request to the engine may take (an export of a large image starts late: the
/// engine assembles it first).
pub(super) const TIMEOUT: u64 = 900;

/// Where an engine listens and how to name it to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub kind: LiveSource,
    /// `unix:///path`, `tcp://host:port` or `http://host:port`.
    pub host: String,
    /// `the Docker engine at unix:///var/run/docker.sock`.
    pub label: String,
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
            let path = dir.join("config.json");
            let Ok(raw) = std::fs::read(&path) else {
                return Ok(None);
            };
            // Silently ignoring it would talk to another engine than the docker CLI does.
            let cfg: CliConfig =
                serde_json::from_slice(&raw).map_err(|e| SourceError::EngineSetting {
                    path: path.display().to_string(),
                    source: e,
                })?;
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
    let raw = std::fs::read(&path).map_err(|e| SourceError::UnreachableBecause {
        what: format!(
            "docker context {name:?} is selected but {} cannot be read",
            path.display()
        ),
        source: e.into(),
    })?;
    let meta: ContextMeta =
        serde_json::from_slice(&raw).map_err(|e| SourceError::EngineSetting {
            path: path.display().to_string(),
            source: e,
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

/// Connects, without a request yet. bollard's requests name no API version (its URLs are
/// joined with absolute paths), so the engine answers inspect, history and info in its own;
/// only the export, sent by hand with a version in its path, needs one agreed first
/// ([`negotiate`]): asking `/version` here cost a round trip (6-10 ms on dockerd) before
/// anything else on every run, warm ones included.
pub(super) fn connect(ep: &Endpoint) -> Result<Docker, SourceError> {
    let version = bollard::API_DEFAULT_VERSION;
    if let Some(path) = ep.host.strip_prefix("unix://") {
        // Ask the socket directly first: bollard's errors do not say "permission denied".
        if let Err(e) = std::os::unix::net::UnixStream::connect(path) {
            return Err(socket_error(e, path, ep));
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
    .map_err(|e| engine_error(e, ep, None))
}

/// Agrees on an API version with the engine (engines refuse a client newer than they are),
/// for the requests that name one.
pub(super) fn negotiate(
    docker: &Docker,
    ep: &Endpoint,
    rt: &tokio::runtime::Runtime,
) -> Result<(), SourceError> {
    // The version is shared by every clone of the client: this one sets it for all.
    rt.block_on(docker.clone().negotiate_version())
        .map(drop)
        .map_err(|e| engine_error(e, ep, None))
}

pub(super) fn socket_error(e: std::io::Error, path: &str, ep: &Endpoint) -> SourceError {
    use std::io::ErrorKind::*;
    let engine = if ep.kind == LiveSource::Podman {
        "podman system service"
    } else {
        "dockerd"
    };
    match e.kind() {
        NotFound => SourceError::Unreachable(format!(
            "{}: {path} does not exist (is {engine} running?)",
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
        _ => SourceError::Connect {
            endpoint: ep.label.clone(),
            source: e,
        },
    }
}

pub(super) fn engine_error(e: BollardError, ep: &Endpoint, image: Option<&str>) -> SourceError {
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
            SourceError::Unreachable(format!("{}: {path} does not exist", ep.label))
        }
        BollardError::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => {
            SourceError::PermissionBecause {
                what: format!("permission denied talking to {}", ep.label),
                source: err.into(),
            }
        }
        BollardError::RequestTimeoutError => {
            SourceError::Unreachable(format!("{} did not answer in time", ep.label))
        }
        other => {
            let text = other.to_string();
            let what = ep.label.clone();
            if text.contains("onnect") || text.contains("refused") {
                SourceError::UnreachableBecause {
                    what: format!("cannot reach {what}"),
                    source: other.into(),
                }
            } else {
                SourceError::RemoteBecause {
                    what,
                    source: other.into(),
                }
            }
        }
    }
}
