//! Registry answers read with a bound, so an endless or huge body is refused at its limit
//! instead of filling memory (oci-client reads manifests and blobs it buffers whole). The
//! bounds are skopeo's (containers/image after CVE-2020-1702): a manifest 4 MiB, which is
//! the Docker registry's own limit (the OCI distribution spec asks clients to take at least
//! 4 MB); a config 4 MiB and no more than its descriptor says.

use super::super::SourceError;
use super::ACCEPT;
use oci_client::Reference;
use oci_client::secrets::RegistryAuth;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Largest manifest or index taken from a registry.
pub(super) const MAX_MANIFEST: u64 = 4 << 20;
/// Largest config taken from a registry.
pub(super) const MAX_CONFIG: u64 = 4 << 20;

/// Our own HTTP client for the requests whose bodies must be bounded, with the credentials
/// oci-client negotiated (its bearer token, or Basic credentials when the registry takes
/// them directly).
pub(super) struct Http {
    pub client: reqwest::Client,
    pub scheme: &'static str,
    pub token: Option<String>,
    pub auth: RegistryAuth,
}

/// The manifest `reference` names and its digest, read to at most [`MAX_MANIFEST`] bytes.
/// None when the registry does not answer 200: the caller asks again through oci-client,
/// whose errors (401, 404, 429...) are already mapped to clear lines.
pub(super) async fn manifest(
    http: &Http,
    reference: &Reference,
) -> Result<Option<(Vec<u8>, String)>, SourceError> {
    let url = format!(
        "{}://{}/v2/{}/manifests/{}",
        http.scheme,
        reference.resolve_registry(),
        reference.repository(),
        reference.digest().or(reference.tag()).unwrap_or("latest")
    );
    let mut req = http.client.get(&url).header("Accept", ACCEPT.join(", "));
    req = match (&http.token, &http.auth) {
        (Some(t), _) => req.bearer_auth(t),
        (None, RegistryAuth::Basic(u, p)) => req.basic_auth(u, Some(p)),
        (None, RegistryAuth::Bearer(t)) => req.bearer_auth(t),
        (None, RegistryAuth::Anonymous) => req,
    };
    let Ok(mut resp) = req.send().await else {
        return Ok(None);
    };
    if resp.status() != reqwest::StatusCode::OK {
        return Ok(None);
    }
    let header_digest = resp
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let what = format!("manifest {url}");
    let bytes = read_capped(&mut resp, MAX_MANIFEST, &what).await?;
    let digest = match (reference.digest(), header_digest) {
        (Some(d), _) => d.to_string(),
        (None, Some(d)) => d,
        (None, None) => super::super::config::sha256(&bytes),
    };
    Ok(Some((bytes, digest)))
}

fn too_large(what: &str, limit: u64) -> SourceError {
    SourceError::Corrupt(format!(
        "{what} is larger than {} MiB, the limit for it",
        limit >> 20
    ))
}

/// The body, refused as soon as it passes `limit` (a declared length over it is refused
/// before any byte is read).
async fn read_capped(
    resp: &mut reqwest::Response,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, SourceError> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large(what, limit));
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| SourceError::Remote(format!("{what}: {e}")))?
    {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large(what, limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A writer that keeps at most `limit` bytes and fails past them; `exceeded` tells the
/// caller why the download stopped.
pub(super) struct Capped {
    pub bytes: Vec<u8>,
    pub limit: u64,
    pub exceeded: bool,
}

impl Capped {
    pub fn new(limit: u64) -> Self {
        Capped {
            bytes: Vec::new(),
            limit,
            exceeded: false,
        }
    }

    pub fn error(&self, what: &str) -> SourceError {
        SourceError::Corrupt(format!(
            "{what} is longer than its limit of {} bytes (its descriptor's size, at most {} MiB)",
            self.limit,
            MAX_CONFIG >> 20
        ))
    }
}

impl tokio::io::AsyncWrite for Capped {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.bytes.len() as u64 + buf.len() as u64 > self.limit {
            self.exceeded = true;
            return Poll::Ready(Err(std::io::Error::other("body over its limit")));
        }
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
