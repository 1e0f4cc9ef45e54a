//! Pushing an image that is on disk (what `slim` wrote) to a registry over the distribution
//! API: each blob the registry lacks is streamed from its file in chunks (never whole in
//! memory), then the config, then the manifest under the tag. Same transport and auth rules
//! as reading: HTTPS unless loopback or `--insecure-registry`, credentials from the command
//! line or the docker CLI's config.

use super::super::{SourceError, SourceOptions};
use super::auth::auth_for;
use super::errors::{Ctx, map_error};
use super::name;
use super::{session, token};
use oci_client::errors::OciDistributionError;
use oci_client::{Client, Reference, RegistryOperation};
use std::io::Read;
use std::path::Path;

/// A blob stored in a file.
pub struct FileBlob<'a> {
    pub digest: &'a str,
    pub path: &'a Path,
}

/// What a push sends.
pub struct Push<'a> {
    pub layers: Vec<FileBlob<'a>>,
    pub config: &'a [u8],
    pub config_digest: &'a str,
    pub manifest: &'a [u8],
    pub manifest_media_type: &'a str,
}

/// Pushes `image` as `name` (`[REGISTRY/]REPO[:TAG]`); returns the manifest's URL.
pub fn push(name: &str, opts: &SourceOptions, image: &Push<'_>) -> Result<String, SourceError> {
    let reference = name::parse_or_refuse(name)?;
    let registry = reference.resolve_registry().to_string();
    let plain_http = session::plain_http(reference.registry(), &registry, opts);
    let client = session::client(&registry, plain_http)?;
    let (auth, had_credentials) = auth_for(reference.registry(), &registry, opts)?;
    let ctx = Ctx {
        registry: reference.registry(),
        had_credentials,
        plain_http,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let scheme = if plain_http { "http" } else { "https" };
        let op = RegistryOperation::Push;
        let given =
            token::bearer(&super::http_client()?, scheme, &reference, &auth, op, &ctx).await?;
        client
            .auth(&reference, given.as_ref().unwrap_or(&auth), op)
            .await
            .map_err(|e| map_error(e, &ctx))?;
        for l in &image.layers {
            send_file(&client, &reference, l)
                .await
                .map_err(|e| map_error(e, &ctx))?;
        }
        if !client
            .blob_exists(&reference, image.config_digest)
            .await
            .map_err(|e| map_error(e, &ctx))?
        {
            client
                .push_blob(&reference, image.config.to_vec(), image.config_digest)
                .await
                .map_err(|e| map_error(e, &ctx))?;
        }
        let content_type = reqwest::header::HeaderValue::from_str(image.manifest_media_type)
            .map_err(|e| SourceError::RemoteBecause {
                what: format!(
                    "manifest media type {:?} cannot be sent",
                    image.manifest_media_type
                ),
                source: e.into(),
            })?;
        client
            .push_manifest_raw(&reference, image.manifest.to_vec(), content_type)
            .await
            .map_err(|e| map_error(e, &ctx))
    })
}

/// One blob from its file, in 1 MiB chunks, unless the registry has it already.
async fn send_file(
    client: &Client,
    reference: &Reference,
    blob: &FileBlob<'_>,
) -> Result<(), OciDistributionError> {
    if client.blob_exists(reference, blob.digest).await? {
        return Ok(());
    }
    let file = std::fs::File::open(blob.path)?;
    let chunks = futures_util::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 1 << 20];
        match f.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(OciDistributionError::IoError(e)), None)),
        }
    });
    client
        .push_blob_stream(reference, chunks, blob.digest, None)
        .await?;
    Ok(())
}
