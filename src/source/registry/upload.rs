//! Pushing blobs and manifests with microscope's own requests, so that every answer a
//! registry gives is read to its bound (oci-client read a push's error answers whole): the
//! distribution API's monolithic upload, a POST that opens the upload and one PUT with the
//! bytes and their digest, then the manifest under its tag.

use super::super::{RegistryError, SourceError};
use super::bounded::{Http, error_answer};
use super::errors::{Ctx, map_error};
use super::session::same_origin;
use oci_client::Reference;
use oci_client::errors::OciDistributionError;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{StatusCode, Url};

/// `SCHEME://REGISTRY/v2/REPO/REST`.
fn repo_url(http: &Http, reference: &Reference, rest: &str) -> Result<Url, SourceError> {
    let url = format!(
        "{}://{}/v2/{}/{rest}",
        http.scheme,
        reference.resolve_registry(),
        reference.repository()
    );
    Url::parse(&url).map_err(|e| SourceError::RemoteBecause {
        what: format!("{url} is not a URL"),
        source: e.into(),
    })
}

fn sent(ctx: &Ctx<'_>) -> impl Fn(reqwest::Error) -> SourceError {
    |e| map_error(OciDistributionError::RequestError(e), ctx)
}

/// Whether the repository holds blob `digest` (a HEAD: no body to read).
pub(super) async fn blob_exists(
    http: &Http,
    reference: &Reference,
    digest: &str,
    ctx: &Ctx<'_>,
) -> Result<bool, SourceError> {
    let url = repo_url(http, reference, &format!("blobs/{digest}"))?;
    let resp = http
        .authorize(http.client.head(url))
        .send()
        .await
        .map_err(sent(ctx))?;
    match resp.status() {
        StatusCode::OK => Ok(true),
        StatusCode::NOT_FOUND => Ok(false),
        _ => Err(error_answer(resp, ctx).await),
    }
}

/// Pushes `body`, `len` bytes, as blob `digest`. The registry checks the digest.
pub(super) async fn push_blob(
    http: &Http,
    reference: &Reference,
    digest: &str,
    body: reqwest::Body,
    len: u64,
    ctx: &Ctx<'_>,
) -> Result<(), SourceError> {
    let start = repo_url(http, reference, "blobs/uploads/")?;
    let resp = http
        .authorize(http.client.post(start.clone()))
        .header(CONTENT_LENGTH, 0)
        .send()
        .await
        .map_err(sent(ctx))?;
    if resp.status() != StatusCode::ACCEPTED {
        return Err(error_answer(resp, ctx).await);
    }
    let location = resp
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| start.join(l).ok())
        .ok_or_else(|| {
            SourceError::from(RegistryError::Answer {
                registry: ctx.registry.to_string(),
                what: "opened an upload without saying where to send it (no Location)".into(),
            })
        })?;
    let mut put = location;
    put.query_pairs_mut().append_pair("digest", digest);
    let req = http
        .client
        .put(put.clone())
        .header(CONTENT_TYPE, "application/octet-stream")
        .header(CONTENT_LENGTH, len)
        .body(body);
    // The credentials go only to the registry itself, wherever it says to upload.
    let req = if same_origin(&start, &put) {
        http.authorize(req)
    } else {
        req
    };
    let resp = req.send().await.map_err(sent(ctx))?;
    if resp.status() != StatusCode::CREATED {
        return Err(error_answer(resp, ctx).await);
    }
    Ok(())
}

/// Pushes `manifest` under `reference`'s tag (or digest); returns its URL.
pub(super) async fn push_manifest(
    http: &Http,
    reference: &Reference,
    manifest: Vec<u8>,
    media_type: &str,
    ctx: &Ctx<'_>,
) -> Result<String, SourceError> {
    let tag = reference.digest().or(reference.tag()).unwrap_or("latest");
    let url = repo_url(http, reference, &format!("manifests/{tag}"))?;
    let resp = http
        .authorize(http.client.put(url.clone()))
        .header(CONTENT_TYPE, media_type)
        .body(manifest)
        .send()
        .await
        .map_err(sent(ctx))?;
    if resp.status() != StatusCode::CREATED {
        return Err(error_answer(resp, ctx).await);
    }
    Ok(url.to_string())
}
