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

pub mod credentials;

use super::config::{self, ParsedConfig};
use super::store::MAX_JSON;
use super::{ImageSource, LayerReader, SourceError, SourceOptions, select};
use crate::cache::Cache;
use crate::image::{ImageMeta, LayerDesc};
use futures_util::StreamExt;
use oci_client::client::{BlobResponse, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use std::time::Duration;

const ACCEPT: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// An index may name another index; followed this deep, no further.
const MAX_INDEX_DEPTH: usize = 4;

pub struct RegistrySource {
    rt: tokio::runtime::Runtime,
    client: Client,
    reference: Reference,
    meta: ImageMeta,
    label: String,
    plain_http: bool,
}

/// What an error message needs to know about the request.
struct Ctx<'a> {
    registry: &'a str,
    had_credentials: bool,
    plain_http: bool,
}

impl RegistrySource {
    /// `name` as in `docker://NAME`: `[REGISTRY/]REPO[:TAG][@DIGEST]`, Docker Hub defaults.
    pub fn open(name: &str, opts: &SourceOptions, display: &str) -> Result<Self, SourceError> {
        let reference: Reference = name.parse().map_err(|e| {
            SourceError::NotAnImage(format!("{name:?} is not a registry reference: {e}"))
        })?;
        let registry = reference.resolve_registry().to_string();
        let plain_http = is_loopback(reference.registry())
            || opts
                .insecure_registries
                .iter()
                .any(|h| h == reference.registry() || h == &registry);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::new(ClientConfig {
            protocol: if plain_http {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            connect_timeout: Some(Duration::from_secs(15)),
            read_timeout: Some(Duration::from_secs(120)),
            platform_resolver: None,
            user_agent: concat!("microscope/", env!("CARGO_PKG_VERSION")),
            ..Default::default()
        });
        let (auth, had_credentials) = auth_for(reference.registry(), &registry, opts)?;
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
        let cache = opts.cache.as_deref();
        let mut token = None;
        let fetched = rt.block_on(async {
            token = client
                .auth(&reference, &auth, RegistryOperation::Pull)
                .await
                .map_err(|e| map_error(e, &ctx))?;
            fetch_image(&client, &reference, &auth, opts, cache, &ctx).await
        });
        let (manifest_digest, manifest, config_bytes) = match fetched {
            Ok(f) => f,
            Err(e) => {
                return Err(match e {
                    SourceError::RateLimited(msg) => SourceError::RateLimited(format!(
                        "{msg}{}",
                        rt.block_on(retry_hint(&reference, token.as_deref(), plain_http))
                    )),
                    e => e,
                });
            }
        };
        let config_digest = manifest.config().digest().to_string();
        let ParsedConfig {
            platform,
            run,
            history,
            diff_ids,
        } = config::parse(&config_bytes, &config_digest)?;
        if let Some(w) = &opts.platform
            && !w.accepts(&platform)
        {
            return Err(SourceError::NoPlatform {
                wanted: w.to_string(),
                available: platform.to_string(),
            });
        }
        let mut warnings = Vec::new();
        let n = manifest.layers().len();
        if diff_ids.len() != n {
            warnings.push(format!(
                "config lists {} diff_ids for {n} layers; diff_ids not checked",
                diff_ids.len()
            ));
        }
        let layers = manifest
            .layers()
            .iter()
            .enumerate()
            .map(|(i, d)| LayerDesc {
                digest: Some(d.digest().to_string()),
                diff_id: (diff_ids.len() == n).then(|| diff_ids[i].clone()),
                media_type: d.media_type().to_string(),
                size: Some(d.size()),
                locator: d.digest().to_string(),
            })
            .collect();
        let meta = ImageMeta {
            reference: display.to_string(),
            source: "registry".into(),
            platform,
            manifest_digest: Some(manifest_digest),
            config_digest: Some(config_digest),
            run,
            history,
            layers,
            warnings,
        };
        let label = format!(
            "registry {}{}",
            reference.registry(),
            if plain_http { " (plain HTTP)" } else { "" }
        );
        Ok(RegistrySource {
            rt,
            client,
            reference,
            meta,
            label,
            plain_http,
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

/// Manifest (through any indexes), then config: each from the cache when asked by digest.
async fn fetch_image(
    client: &Client,
    reference: &Reference,
    auth: &RegistryAuth,
    opts: &SourceOptions,
    cache: Option<&Cache>,
    ctx: &Ctx<'_>,
) -> Result<(String, ImageManifest, Vec<u8>), SourceError> {
    let mut current = reference.clone();
    for depth in 0..=MAX_INDEX_DEPTH {
        let (bytes, digest) = match current.digest().and_then(|d| cache?.get_blob(d)) {
            Some(bytes) => (bytes, current.digest().unwrap_or_default().to_string()),
            None => {
                let (bytes, digest) = client
                    .pull_manifest_raw(&current, auth, ACCEPT)
                    .await
                    .map_err(|e| map_error(e, ctx))?;
                if bytes.len() as u64 > MAX_JSON {
                    return Err(SourceError::Corrupt(format!(
                        "manifest {digest} is {} bytes, too large",
                        bytes.len()
                    )));
                }
                config::verify(&bytes, &digest, "manifest")?;
                if let Some(c) = cache {
                    c.put_blob(&digest, &bytes);
                }
                (bytes.to_vec(), digest)
            }
        };
        match media_type_of(&bytes).as_str() {
            t if t.contains("image.index") || t.contains("manifest.list") => {
                if depth == MAX_INDEX_DEPTH {
                    break;
                }
                let index = ImageIndex::from_reader(&bytes[..]).map_err(|e| {
                    SourceError::Corrupt(format!("index {digest} cannot be parsed: {e}"))
                })?;
                let all: Vec<&Descriptor> = index.manifests().iter().collect();
                let chosen = select::by_platform(&all, opts.platform.as_ref())?;
                current = current.clone_with_digest(chosen.digest().to_string());
            }
            t if t.starts_with("application/vnd.docker.distribution.manifest.v1") => {
                return Err(SourceError::Unsupported(
                    "Docker schema 1 manifests are not supported (push the image again)".into(),
                ));
            }
            _ => {
                let manifest = ImageManifest::from_reader(&bytes[..]).map_err(|e| {
                    SourceError::Corrupt(format!("manifest {digest} cannot be parsed: {e}"))
                })?;
                let config = fetch_config(client, &current, &manifest, cache, ctx).await?;
                return Ok((digest, manifest, config));
            }
        }
    }
    Err(SourceError::Corrupt(format!(
        "indexes nested more than {MAX_INDEX_DEPTH} deep (an index that names itself?)"
    )))
}

async fn fetch_config(
    client: &Client,
    reference: &Reference,
    manifest: &ImageManifest,
    cache: Option<&Cache>,
    ctx: &Ctx<'_>,
) -> Result<Vec<u8>, SourceError> {
    let desc = manifest.config();
    let digest = desc.digest().to_string();
    if let Some(bytes) = cache.and_then(|c| c.get_blob(&digest)) {
        return Ok(bytes);
    }
    if desc.size() > MAX_JSON {
        return Err(SourceError::Corrupt(format!(
            "config {digest} is {} bytes, too large",
            desc.size()
        )));
    }
    let mut bytes = Vec::with_capacity(desc.size() as usize);
    client
        .pull_blob(reference, &oci_descriptor(desc), &mut bytes)
        .await
        .map_err(|e| map_error(e, ctx))?;
    config::verify(&bytes, &digest, "config")?;
    if let Some(c) = cache {
        c.put_blob(&digest, &bytes);
    }
    Ok(bytes)
}

fn oci_descriptor(d: &Descriptor) -> OciDescriptor {
    OciDescriptor {
        media_type: d.media_type().to_string(),
        digest: d.digest().to_string(),
        size: d.size() as i64,
        urls: d.urls().clone(),
        ..Default::default()
    }
}

/// `mediaType` of a manifest or index; an index without one is recognised by `manifests`.
fn media_type_of(bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
        #[serde(default)]
        schema_version: Option<u32>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(Probe {
            media_type: Some(t),
            ..
        }) => t,
        Ok(Probe {
            manifests: Some(_), ..
        }) => "application/vnd.oci.image.index.v1+json".into(),
        Ok(Probe {
            schema_version: Some(1),
            ..
        }) => "application/vnd.docker.distribution.manifest.v1+json".into(),
        _ => "application/vnd.oci.image.manifest.v1+json".into(),
    }
}

/// Credentials: the command line's, else docker's config, else anonymous.
fn auth_for(
    host: &str,
    resolved: &str,
    opts: &SourceOptions,
) -> Result<(RegistryAuth, bool), SourceError> {
    if let Some(c) = &opts.credentials {
        return Ok((
            RegistryAuth::Basic(c.username.clone(), c.password.clone()),
            true,
        ));
    }
    let found = credentials::lookup(host)
        .or_else(|e| {
            if host != resolved {
                credentials::lookup(resolved)
            } else {
                Err(e)
            }
        })
        .map_err(SourceError::Auth)?;
    Ok(match found {
        Some(credentials::Found::Basic(c)) => (RegistryAuth::Basic(c.username, c.password), true),
        Some(credentials::Found::Token(t)) => (RegistryAuth::Bearer(t), true),
        None => (RegistryAuth::Anonymous, false),
    })
}

/// `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        registry.rsplit_once(':').map_or(registry, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                registry
            }
        })
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// One line that says what went wrong, in the user's terms.
fn map_error(e: OciDistributionError, ctx: &Ctx<'_>) -> SourceError {
    let reg = ctx.registry;
    let unauthorized = || {
        if ctx.had_credentials {
            SourceError::Auth(format!(
                "registry {reg} refused the credentials (401 unauthorized): check the user name and password"
            ))
        } else {
            SourceError::Auth(format!(
                "registry {reg} requires authentication (401 unauthorized): use --username and --password-stdin, or docker login"
            ))
        }
    };
    let by_status = |code: u16, detail: &str| match code {
        401 => unauthorized(),
        403 => SourceError::Auth(format!(
            "registry {reg} denied access (403 forbidden){detail}"
        )),
        404 => SourceError::ImageNotFound(format!("not found in registry {reg}{detail}")),
        429 => SourceError::RateLimited(format!(
            "registry {reg} is rate limiting this client (429 too many requests)"
        )),
        c => SourceError::Remote(format!("registry {reg} answered HTTP {c}{detail}")),
    };
    match e {
        OciDistributionError::UnauthorizedError { .. } => unauthorized(),
        OciDistributionError::AuthenticationFailure(reason) => {
            let reason = match one_line(&reason) {
                r if r.is_empty() => "its token server said no".to_string(),
                r => r,
            };
            if ctx.had_credentials {
                SourceError::Auth(format!("registry {reg} refused the credentials: {reason}"))
            } else {
                SourceError::Auth(format!("registry {reg} gave no anonymous access: {reason}"))
            }
        }
        OciDistributionError::RegistryError { envelope, .. } => {
            let first = envelope.errors.first();
            let detail = first
                .map(|e| format!(": {}", one_line(&e.message)))
                .unwrap_or_default();
            match first.map(|e| &e.code) {
                Some(OciErrorCode::Unauthorized) => unauthorized(),
                Some(OciErrorCode::Denied) => by_status(403, &detail),
                Some(OciErrorCode::Toomanyrequests) => by_status(429, &detail),
                Some(
                    OciErrorCode::ManifestUnknown
                    | OciErrorCode::NameUnknown
                    | OciErrorCode::NotFound
                    | OciErrorCode::BlobUnknown,
                ) => by_status(404, &detail),
                _ => SourceError::Remote(format!("registry {reg}: {envelope}")),
            }
        }
        OciDistributionError::ServerError { code, message, .. } => {
            let m = one_line(&message);
            by_status(code, &if m.is_empty() { m } else { format!(": {m}") })
        }
        OciDistributionError::ImageManifestNotFoundError(_) => by_status(404, ""),
        OciDistributionError::RequestError(e) => request_error(&e, ctx),
        OciDistributionError::DigestError(e) => {
            SourceError::Corrupt(format!("a blob from registry {reg} fails its digest: {e}"))
        }
        other => SourceError::Remote(format!("registry {reg}: {}", one_line(&other.to_string()))),
    }
}

fn request_error(e: &(dyn std::error::Error + 'static), ctx: &Ctx<'_>) -> SourceError {
    let reg = ctx.registry;
    let chain = error_chain(e);
    if let Some(tls) = find_tls(e) {
        let hint = if tls.contains("InvalidContentType") || tls.contains("CorruptMessage") {
            " (does it speak plain HTTP? then use --insecure-registry)"
        } else {
            ""
        };
        return SourceError::Tls(format!("TLS with registry {reg} failed: {tls}{hint}"));
    }
    let timeout = chain.contains("timed out") || chain.contains("Timeout");
    let connect = chain.contains("onnect") || chain.contains("dns error");
    if timeout || connect {
        return SourceError::Unreachable(format!(
            "cannot reach registry {reg}{}: {chain}",
            if ctx.plain_http { " over HTTP" } else { "" }
        ));
    }
    SourceError::Remote(format!("registry {reg}: {chain}"))
}

/// The rustls error in a chain, if the failure was the TLS handshake.
fn find_tls(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(format!("{t:?}"));
        }
        let s = err.to_string();
        if s.contains("certificate") || s.contains("InvalidContentType") {
            return Some(s);
        }
        cur = err.source();
    }
    None
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    one_line(&parts.join(": "))
}

fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.len() > 300 {
        format!("{}…", &s[..s.floor_char_boundary(300)])
    } else {
        s
    }
}

/// After a 429, one more request for the manifest's headers, to say when to retry:
/// `Retry-After`, or Docker Hub's `ratelimit-limit`/`ratelimit-remaining`.
async fn retry_hint(reference: &Reference, token: Option<&str>, plain_http: bool) -> String {
    let scheme = if plain_http { "http" } else { "https" };
    let url = format!(
        "{scheme}://{}/v2/{}/manifests/{}",
        reference.resolve_registry(),
        reference.repository(),
        reference.digest().or(reference.tag()).unwrap_or("latest")
    );
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return String::new();
    };
    let mut req = http.head(&url).header("Accept", ACCEPT.join(", "));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(_) => return "; retry later".into(),
    };
    let h = resp.headers();
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut out = String::new();
    if let Some(limit) = get("ratelimit-limit") {
        out.push_str(&format!("; limit {}", describe_limit(&limit)));
    }
    if let Some(ra) = get("retry-after") {
        match ra.trim().parse::<u64>() {
            Ok(secs) => out.push_str(&format!("; retry in {}", human_secs(secs))),
            Err(_) => out.push_str(&format!("; retry after {ra}")),
        }
    } else if let Some(reset) = get("ratelimit-reset").and_then(|r| r.trim().parse::<u64>().ok()) {
        out.push_str(&format!("; the limit resets in {}", human_secs(reset)));
    } else {
        out.push_str("; retry later, or log in for a higher limit");
    }
    out
}

/// `100;w=21600` → `100 per 6 h`.
fn describe_limit(v: &str) -> String {
    let mut parts = v.split(';');
    let n = parts.next().unwrap_or("").trim();
    let window = parts
        .find_map(|p| p.trim().strip_prefix("w="))
        .and_then(|w| w.parse::<u64>().ok());
    match window {
        Some(w) => format!("{n} per {}", human_secs(w)),
        None => n.to_string(),
    }
}

fn human_secs(s: u64) -> String {
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h", s.div_ceil(3600)),
    }
}

/// The reading end of a layer download.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
    chunk: bytes::Bytes,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

impl ImageSource for RegistrySource {
    fn meta(&self) -> &ImageMeta {
        &self.meta
    }

    fn open_layer(&self, index: usize) -> Result<LayerReader<'_>, SourceError> {
        let desc = self
            .meta
            .layers
            .get(index)
            .ok_or_else(|| SourceError::MissingBlob(format!("layer {index}")))?;
        let layer = OciDescriptor {
            media_type: desc.media_type.clone(),
            digest: desc.locator.clone(),
            size: desc.size.unwrap_or(0) as i64,
            ..Default::default()
        };
        // Asked as a range from 0 so that oci-client does not hash the blob: the scan
        // hashes it anyway and the loader checks that digest against the manifest's, and
        // hashing it twice was a sixth of a cold load's CPU. A registry that ignores the
        // range answers in full, and oci-client then checks the digest too; no harm.
        let stream = match self
            .rt
            .block_on(
                self.client
                    .pull_blob_stream_partial(&self.reference, &layer, 0, None),
            )
            .map_err(|e| map_error(e, &self.ctx()))?
        {
            BlobResponse::Full(s) | BlobResponse::Partial(s) => s,
        };
        let digest = desc.locator.clone();
        // The download (HTTP, and oci-client's digest check) runs on the runtime's threads
        // and hands chunks over a bounded channel: the scanning thread only inflates and
        // walks, the two overlap. Dropping the reader drops the receiver, which ends the
        // task and the request.
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(64);
        let mut body = stream.stream;
        self.rt.spawn(async move {
            while let Some(item) = body.next().await {
                let item = item.map_err(|e| {
                    // oci-client ends the stream with an error when the bytes do not hash
                    // to the digest: say so in words (the loader reports it against the layer).
                    let msg = e.to_string();
                    if msg.contains("igest") {
                        std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!("blob digest mismatch: the registry's bytes for {digest} do not hash to it ({msg})"),
                        )
                    } else {
                        e
                    }
                });
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(Box::new(ChannelReader {
            rx,
            chunk: bytes::Bytes::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "docker.io",
            "10.0.0.1:5000",
            "localhost.example.com",
            "[::2]:1",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn rate_limit_words() {
        assert_eq!(describe_limit("100;w=21600"), "100 per 6 h");
        assert_eq!(human_secs(90), "90 s");
        assert_eq!(human_secs(600), "10 min");
    }

    #[test]
    fn media_types_are_sniffed() {
        assert!(media_type_of(br#"{"manifests":[]}"#).contains("index"));
        assert!(media_type_of(br#"{"schemaVersion":1}"#).contains("distribution.manifest.v1"));
        assert!(media_type_of(br#"{"layers":[]}"#).contains("manifest.v1+json"));
    }
}
