//! Registries over the distribution API, with no daemon: `docker://REGISTRY/NAME[:TAG|@DIGEST]`
//! and bare names (Docker Hub defaults), through the oci-client crate.
//!
//! - HTTPS by default; plain HTTP only for loopback registries (127.0.0.0/8, ::1, localhost,
//!   as Docker does) and hosts named with `--insecure-registry`.
//! - Auth: anonymous token flow, or Basic credentials from `--username/--password-stdin` or
//!   the docker CLI's config (see [`credentials`]), used for Basic auth or to get a token.
//! - Manifest lists and OCI indexes: the platform is chosen by [`super::select`] (which,
//!   unlike oci-client's resolvers, honours `variant` and skips attestations).
//! - Manifests are checked against the digest they were asked by (oci-client checks the
//!   `Docker-Content-Digest` header too), configs and layers against their descriptors; the
//!   loader checks each layer's digest, size and diff_id again as it scans the stream.
//! - Redirects (blobs on a CDN) are followed by reqwest, which drops `Authorization` when
//!   the host, port or scheme changes.
//! - Manifests and configs are cached by digest, so a warm run asks only for the tag.

pub mod artifact;
mod auth;
mod bounded;
pub mod credentials;
mod errors;
mod fetch;
mod listing;
pub mod name;
mod pages;
pub mod push;
mod resolve;
pub mod session;
mod tls;
mod token;
mod upload;

pub use auth::is_loopback;
pub use pages::Limits as ListLimits;
pub use session::Session;

use super::config::OciImage;
use super::{ImageSource, LayerReader, RegistryError, SourceError, SourceOptions};
use crate::image::ImageMeta;
use errors::{Ctx, retry_hint};
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};
use resolve::fetch_image;
use std::time::Duration;

/// The manifest media types asked for: indexes and single-image manifests, OCI and Docker.
const ACCEPT: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

pub struct RegistrySource {
    rt: tokio::runtime::Runtime,
    /// Layers are read with our own requests (error answers bounded), authorised as
    /// oci-client negotiated.
    http: bounded::Http,
    reference: Reference,
    meta: ImageMeta,
    label: String,
    plain_http: bool,
    stall: Duration,
}

impl RegistrySource {
    /// `name` as in `docker://NAME`: `[REGISTRY/]REPO[:TAG][@DIGEST]`, Docker Hub defaults.
    pub fn open(name: &str, opts: &SourceOptions, display: &str) -> Result<Self, SourceError> {
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
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("microscope-registry")
            .enable_all()
            .build()?;
        let pull = Pull {
            reference: &reference,
            auth: &auth,
            opts,
            ctx: &ctx,
        };
        let mut token = None;
        let ((manifest_digest, manifest, config_bytes), http) =
            match rt.block_on(pull.fetch(&mut token)) {
                Ok(f) => f,
                Err(e) => return Err(pull.explain(&rt, e, token.as_deref())),
            };
        let meta = OciImage {
            manifest: &manifest,
            manifest_digest,
            config: &config_bytes,
            reference: display,
            source: "registry",
        }
        // Blobs are fetched by digest.
        .meta(opts, str::to_string)?;
        let label = format!(
            "registry {}{}",
            reference.registry(),
            if plain_http { " (plain HTTP)" } else { "" }
        );
        Ok(RegistrySource {
            rt,
            http,
            reference,
            meta,
            label,
            plain_http,
            stall: opts.stall_timeout.unwrap_or(super::DEFAULT_STALL),
        })
    }

    /// Where the image came from, for the user: `registry HOST`.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            registry: self.reference.registry(),
            had_credentials: true,
            plain_http: self.plain_http,
        }
    }
}

type Fetched = (
    (String, oci_spec::image::ImageManifest, Vec<u8>),
    bounded::Http,
);

/// One image pulled from one registry: authorise, then fetch its manifest and config.
struct Pull<'a> {
    reference: &'a Reference,
    auth: &'a RegistryAuth,
    opts: &'a SourceOptions,
    ctx: &'a Ctx<'a>,
}

impl Pull<'_> {
    /// `token` keeps what the registry granted even when the fetch fails, for [`Self::explain`].
    async fn fetch(&self, token: &mut Option<String>) -> Result<Fetched, SourceError> {
        let scheme = if self.ctx.plain_http { "http" } else { "https" };
        let http_client = http_client()?;
        let (reference, auth, ctx) = (self.reference, self.auth, self.ctx);
        let op = RegistryOperation::Pull;
        let given = token::bearer(&http_client, scheme, reference, auth, op, ctx).await?;
        // The token server's token, else the credentials as they are (Basic, or an identity
        // token from docker's config).
        *token = match given {
            Some(RegistryAuth::Bearer(t)) => Some(t),
            _ => None,
        };
        let http = bounded::Http {
            client: http_client,
            scheme,
            token: token.clone(),
            auth: auth.clone(),
        };
        let cache = self.opts.cache.as_deref();
        let fetched = fetch_image(&http, reference, self.opts, cache, ctx).await;
        fetched.map(|f| (f, http))
    }

    /// A rate limit says when the registry lets this client pull again.
    fn explain(
        &self,
        rt: &tokio::runtime::Runtime,
        e: SourceError,
        token: Option<&str>,
    ) -> SourceError {
        match e {
            SourceError::Registry(RegistryError::RateLimited { registry, .. }) => {
                RegistryError::RateLimited {
                    registry,
                    retry: rt.block_on(retry_hint(self.reference, token, self.ctx.plain_http)),
                }
                .into()
            }
            e => e,
        }
    }
}

/// The client for the requests microscope makes itself (bounded bodies), set up as
/// oci-client's is.
fn http_client() -> Result<reqwest::Client, SourceError> {
    http_client_with(reqwest::Client::builder().read_timeout(Duration::from_secs(120)))
}

/// [`http_client`] on a builder that already says how long a read may wait and which
/// redirects to follow; TLS as [`tls::config`] sets it up, shared by every client.
fn http_client_with(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, SourceError> {
    let setup = |e: Box<dyn std::error::Error + Send + Sync>| SourceError::Client {
        what: "cannot set up an HTTP client".into(),
        source: e,
    };
    builder
        .tls_backend_preconfigured(tls::config().map_err(|e| setup(e.into()))?)
        .connect_timeout(Duration::from_secs(15))
        .user_agent(concat!("microscope/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| setup(e.into()))
}

impl ImageSource for RegistrySource {
    fn meta(&self) -> &ImageMeta {
        &self.meta
    }
    fn verifies_blob_digests(&self) -> bool {
        true
    }

    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError> {
        let desc = self
            .meta
            .layers
            .get(index)
            .ok_or_else(|| SourceError::MissingBlob(format!("layer {index}")))?;
        fetch::open_blob(
            &self.rt,
            &self.http,
            &self.reference,
            desc,
            &self.ctx(),
            self.stall,
        )
    }
}
