//! Pushing an image that is on disk (what `slim` wrote) to a registry over the distribution
//! API: each blob the registry lacks is streamed from its file in chunks (never whole in
//! memory), then the config, then the manifest under the tag, each answer read to its bound. Same transport and auth rules
//! as reading: HTTPS unless loopback or `--insecure-registry`, credentials from the command
//! line or the docker CLI's config.

use super::super::{SourceError, SourceOptions};
use super::bounded::Http;
use super::errors::Ctx;
use super::name;
use super::{session, token, upload};
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};
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

/// Pushes `image` as `name` (`[REGISTRY/]REPO[:TAG]`); returns the manifest's URL. Every
/// request is microscope's own ([`super::upload`]), so each answer is read to its bound.
pub fn push(name: &str, opts: &SourceOptions, image: &Push<'_>) -> Result<String, SourceError> {
    let reference = name::parse_or_refuse(name)?;
    let registry = reference.resolve_registry().to_string();
    let session::Access {
        plain_http,
        auth,
        had_credentials,
    } = session::access(reference.registry(), &registry, opts)?;
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
        let client = super::http_client()?;
        let op = RegistryOperation::Push;
        let token = match token::bearer(&client, scheme, &reference, &auth, op, &ctx).await? {
            Some(RegistryAuth::Bearer(t)) => Some(t),
            _ => None,
        };
        let http = Http {
            client,
            scheme,
            token,
            auth: auth.clone(),
        };
        for l in &image.layers {
            send_file(&http, &reference, l, &ctx).await?;
        }
        if !upload::blob_exists(&http, &reference, image.config_digest, &ctx).await? {
            let config = image.config.to_vec();
            let len = config.len() as u64;
            upload::push_blob(
                &http,
                &reference,
                image.config_digest,
                config.into(),
                len,
                &ctx,
            )
            .await?;
        }
        let manifest = image.manifest.to_vec();
        upload::push_manifest(&http, &reference, manifest, image.manifest_media_type, &ctx).await
    })
}

/// One blob from its file, in 1 MiB chunks, unless the registry has it already.
async fn send_file(
    http: &Http,
    reference: &Reference,
    blob: &FileBlob<'_>,
    ctx: &Ctx<'_>,
) -> Result<(), SourceError> {
    if upload::blob_exists(http, reference, blob.digest, ctx).await? {
        return Ok(());
    }
    let file = std::fs::File::open(blob.path)?;
    let len = file.metadata()?.len();
    let chunks = futures_util::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 1 << 20];
        match f.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let body = reqwest::Body::wrap_stream(chunks);
    upload::push_blob(http, reference, blob.digest, body, len, ctx).await
}
