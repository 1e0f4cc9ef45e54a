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
mod prefetch;
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
    /// The first layers' downloads, started beside the config's request.
    prefetched: prefetch::Prefetched,
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
        let prefetched = prefetch::Prefetched::default();
        let pull = Pull {
            reference: &reference,
            auth: &auth,
            opts,
            ctx: &ctx,
            prefetched: &prefetched,
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
            prefetched,
        })
    }

    /// Where the image came from, for the user: `registry HOST`.
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// How a layer download words its errors: as after credentials were sent (a 401 then means
/// wrong ones, not missing ones).
fn layer_ctx(reference: &Reference, plain_http: bool) -> fetch::Owned {
    fetch::Owned {
        registry: reference.registry().to_string(),
        had_credentials: true,
        plain_http,
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
    prefetched: &'a prefetch::Prefetched,
}

impl Pull<'_> {
    /// `token` keeps what the registry granted even when the fetch fails, for [`Self::explain`].
    async fn fetch(&self, token: &mut Option<String>) -> Result<Fetched, SourceError> {
        let scheme = if self.ctx.plain_http { "http" } else { "https" };
        let (reference, ctx) = (self.reference, self.ctx);
        let mut http = bounded::Http {
            client: http_client()?,
            scheme,
            token: None,
            auth: self.auth.clone(),
        };
        let first = self.authorise(&mut http).await;
        *token = http.token.clone();
        let first = first?;
        let cache = self.opts.cache.as_deref();
        let plan = prefetch::Plan {
            http: &http,
            reference,
            ctx: layer_ctx(reference, ctx.plain_http),
            stall: self.opts.stall_timeout.unwrap_or(super::DEFAULT_STALL),
            cache,
        };
        let early = |manifest: &oci_spec::image::ImageManifest| {
            if self.opts.early_layers {
                self.prefetched.start(&plan, manifest)
            }
        };
        let image = (self.opts, cache);
        let fetched = fetch_image(&http, reference, image, ctx, first, &early).await;
        fetched.map(|f| (f, http))
    }

    /// Authorises `http` for this pull: a token when the registry's challenge asks for one,
    /// else the credentials as they are (Basic, or an identity token from docker's config).
    /// A reference by tag asks for its manifest at once, without credentials, and the
    /// registry's answer decides (containerd's way): a registry anyone may pull from sends
    /// the manifest, one round trip sooner than after asking `/v2/`; one that wants a token
    /// or Basic credentials challenges this request as it would have `/v2/`, and the
    /// manifest is asked again with them. That first manifest is returned when it came. A
    /// reference by digest, whose manifest may be in the cache, asks `/v2/` first as before.
    async fn authorise(
        &self,
        http: &mut bounded::Http,
    ) -> Result<Option<bounded::Manifest>, SourceError> {
        let (reference, ctx, op) = (self.reference, self.ctx, RegistryOperation::Pull);
        let given = if let RegistryAuth::Bearer(_) = self.auth {
            None
        } else if reference.digest().is_some() {
            token::bearer(&http.client, http.scheme, reference, self.auth, op, ctx).await?
        } else {
            let anonymous = bounded::Http {
                auth: RegistryAuth::Anonymous,
                ..http.clone()
            };
            let challenge = match bounded::manifest_or_challenge(&anonymous, reference, ctx).await?
            {
                Ok(manifest) => return Ok(Some(manifest)),
                Err(challenge) => challenge,
            };
            let scope = token::scope(reference, op);
            let registry = reference.resolve_registry();
            let auth = self.auth;
            token::from_challenge(&http.client, &challenge, registry, &scope, auth, ctx).await?
        };
        if let Some(RegistryAuth::Bearer(t)) = given {
            http.token = Some(t);
        }
        Ok(None)
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
        let download = match self.prefetched.take(&desc.locator) {
            Some(d) => d,
            None => fetch::start(
                self.rt.handle(),
                self.http.clone(),
                self.reference.clone(),
                (desc.locator.clone(), desc.size),
                layer_ctx(&self.reference, self.plain_http),
                self.stall,
            )?,
        };
        download.reader(&self.rt)
    }
}
