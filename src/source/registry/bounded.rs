//! Registry answers read with a bound, so an endless or huge body is refused at its limit
//! instead of filling memory (oci-client reads manifests and blobs it buffers whole). The
//! bounds are skopeo's (containers/image after CVE-2020-1702): a manifest 4 MiB, which is
//! the Docker registry's own limit (the OCI distribution spec asks clients to take at least
//! 4 MB); a config 4 MiB and no more than its descriptor says; a token and an error answer
//! 1 MiB each.

use super::super::{RegistryError, SourceError};
use super::ACCEPT;
use super::errors::{Ctx, map_error};
use oci_client::Reference;
use oci_client::errors::{OciDistributionError, OciEnvelope};
use oci_client::secrets::RegistryAuth;

/// Largest manifest or index taken from a registry.
pub(super) const MAX_MANIFEST: u64 = 4 << 20;
/// Largest config taken from a registry.
pub(super) const MAX_CONFIG: u64 = 4 << 20;
/// Largest answer taken from a token server.
pub(super) const MAX_TOKEN: u64 = 1 << 20;
/// Largest error answer read (its message goes into the error line).
pub(super) const MAX_ERROR_BODY: u64 = 1 << 20;

/// Our own HTTP client for the requests whose bodies must be bounded, with the credentials
/// oci-client negotiated (its bearer token, or Basic credentials when the registry takes
/// them directly).
#[derive(Clone)]
pub(super) struct Http {
    pub client: reqwest::Client,
    pub scheme: &'static str,
    pub token: Option<String>,
    pub auth: RegistryAuth,
}

/// A manifest's bytes and its digest.
pub(super) type Manifest = (Vec<u8>, String);

/// The manifest `reference` names and its digest, read to at most [`MAX_MANIFEST`] bytes;
/// an error answer is read to [`MAX_ERROR_BODY`] and said in one line.
pub(super) async fn manifest(
    http: &Http,
    reference: &Reference,
    ctx: &Ctx<'_>,
) -> Result<Manifest, SourceError> {
    let (resp, url) = manifest_answer(http, reference, ctx).await?;
    if resp.status() != reqwest::StatusCode::OK {
        return Err(error_answer(resp, ctx).await);
    }
    read_manifest(resp, reference, &url).await
}

/// [`manifest`], or the registry's challenge (its `WWW-Authenticate`) when it answers 401
/// with one: the request asked without the credentials a token or Basic auth would add.
pub(super) async fn manifest_or_challenge(
    http: &Http,
    reference: &Reference,
    ctx: &Ctx<'_>,
) -> Result<Result<Manifest, String>, SourceError> {
    let (resp, url) = manifest_answer(http, reference, ctx).await?;
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match (resp.status(), challenge) {
        (reqwest::StatusCode::OK, _) => read_manifest(resp, reference, &url).await.map(Ok),
        (reqwest::StatusCode::UNAUTHORIZED, Some(c)) => Ok(Err(c)),
        _ => Err(error_answer(resp, ctx).await),
    }
}

/// The answer to a GET of `reference`'s manifest, whatever its status, and the URL asked.
async fn manifest_answer(
    http: &Http,
    reference: &Reference,
    ctx: &Ctx<'_>,
) -> Result<(reqwest::Response, String), SourceError> {
    let url = format!(
        "{}://{}/v2/{}/manifests/{}",
        http.scheme,
        reference.resolve_registry(),
        reference.repository(),
        reference.digest().or(reference.tag()).unwrap_or("latest")
    );
    let req = http.client.get(&url).header("Accept", ACCEPT.join(", "));
    let resp = http
        .authorize(req)
        .send()
        .await
        .map_err(|e| map_error(OciDistributionError::RequestError(e), ctx))?;
    Ok((resp, url))
}

/// A 200's manifest, read to [`MAX_MANIFEST`], and its digest: the one asked for, else the
/// registry's `Docker-Content-Digest`, else the bytes' own.
async fn read_manifest(
    mut resp: reqwest::Response,
    reference: &Reference,
    url: &str,
) -> Result<Manifest, SourceError> {
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
    Ok((bytes, digest))
}

impl Http {
    pub(super) fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match (&self.token, &self.auth) {
            (Some(t), _) => req.bearer_auth(t),
            (None, RegistryAuth::Basic(u, p)) => req.basic_auth(u, Some(p)),
            (None, RegistryAuth::Bearer(t)) => req.bearer_auth(t),
            (None, RegistryAuth::Anonymous) => req,
        }
    }
}

/// The blob `digest` of `reference`'s repository, read to at most `limit` bytes (its
/// descriptor's size); an error answer is read to [`MAX_ERROR_BODY`].
pub(super) async fn blob(
    http: &Http,
    reference: &Reference,
    digest: &str,
    limit: u64,
    ctx: &Ctx<'_>,
) -> Result<Vec<u8>, SourceError> {
    let mut resp = blob_response(http, reference, digest, ctx).await?;
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| map_error(OciDistributionError::RequestError(e), ctx))?
    {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(longer_than(&format!("config {digest}"), limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The answer to a GET of blob `digest` once it is a 200 (redirects followed by reqwest);
/// any other answer is an error, its body read to [`MAX_ERROR_BODY`].
pub(super) async fn blob_response(
    http: &Http,
    reference: &Reference,
    digest: &str,
    ctx: &Ctx<'_>,
) -> Result<reqwest::Response, SourceError> {
    let url = format!(
        "{}://{}/v2/{}/blobs/{digest}",
        http.scheme,
        reference.resolve_registry(),
        reference.repository(),
    );
    let resp = http
        .authorize(http.client.get(&url))
        .send()
        .await
        .map_err(|e| map_error(OciDistributionError::RequestError(e), ctx))?;
    // A 206 to a request for the whole blob is taken as it comes: the bytes are checked
    // against the digest, whatever the transfer.
    if !matches!(
        resp.status(),
        reqwest::StatusCode::OK | reqwest::StatusCode::PARTIAL_CONTENT
    ) {
        return Err(error_answer(resp, ctx).await);
    }
    Ok(resp)
}

/// A registry's error answer as one line, its body read to [`MAX_ERROR_BODY`]; as
/// oci-client reads it (401, the registry's error envelope, else the status and text).
pub(super) async fn error_answer(mut resp: reqwest::Response, ctx: &Ctx<'_>) -> SourceError {
    let status = resp.status();
    let url = resp.url().to_string();
    let what = format!("the error answer ({status})");
    let body = match read_capped(&mut resp, MAX_ERROR_BODY, &what).await {
        Ok(b) => b,
        Err(e) => return from_registry(e, ctx),
    };
    let e = if status == reqwest::StatusCode::UNAUTHORIZED {
        OciDistributionError::UnauthorizedError { url }
    } else if let Ok(envelope) = serde_json::from_slice::<OciEnvelope>(&body)
        && status.is_client_error()
    {
        OciDistributionError::RegistryError { envelope, url }
    } else {
        OciDistributionError::ServerError {
            code: status.as_u16(),
            url,
            message: String::from_utf8_lossy(&body).into_owned(),
        }
    };
    map_error(e, ctx)
}

/// A bound passed by an answer that is not the image's (a token, an error): said as the
/// registry's fault, not as a corrupt image.
pub(super) fn from_registry(e: SourceError, ctx: &Ctx<'_>) -> SourceError {
    match e {
        SourceError::Corrupt(what) => RegistryError::Answer {
            registry: ctx.registry.to_string(),
            what,
        }
        .into(),
        e => e,
    }
}

fn too_large(what: &str, limit: u64) -> SourceError {
    SourceError::Corrupt(format!(
        "{what} is larger than {} MiB, the limit for it",
        limit >> 20
    ))
}

/// The body, refused as soon as it passes `limit` (a declared length over it is refused
/// before any byte is read).
pub(super) async fn read_capped(
    resp: &mut reqwest::Response,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, SourceError> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large(what, limit));
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| SourceError::RemoteBecause {
        what: what.to_string(),
        source: e.into(),
    })? {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large(what, limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A blob longer than its descriptor says (or than the bound for its kind).
fn longer_than(what: &str, limit: u64) -> SourceError {
    SourceError::Corrupt(format!(
        "{what} is longer than its limit of {limit} bytes (its descriptor's size, at most {} MiB)",
        MAX_CONFIG >> 20
    ))
}
