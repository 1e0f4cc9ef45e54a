//! A client for one registry, apart from any image: what the image source, the fleet's
//! listing (catalog and tags) and the fleet's shared scan cache each build on.

use super::super::{RegistryError, SourceError, SourceOptions};
use super::auth::{auth_for, is_loopback};
use super::bounded::Http;
use super::errors::Ctx;
use oci_client::Reference;
use oci_client::secrets::RegistryAuth;
use std::time::Duration;

/// Whether `registry` (as named) is spoken to over plain HTTP: loopback, or listed with
/// `--insecure-registry` under its name or the name it resolves to (`resolved`).
pub(super) fn plain_http(registry: &str, resolved: &str, opts: &SourceOptions) -> bool {
    is_loopback(registry)
        || opts
            .insecure_registries
            .iter()
            .any(|h| h == registry || h == resolved)
}

/// How a registry is spoken to: plain HTTP or TLS, and the credentials to send.
pub(super) struct Access {
    pub plain_http: bool,
    pub auth: RegistryAuth,
    pub had_credentials: bool,
}

/// The [`Access`] to `registry` (as the user wrote it) resolved as `resolved`; over HTTPS,
/// reads the system's CA certificates or says why it cannot (a plain-HTTP registry needs
/// them only if it redirects to an HTTPS host, and reads them then).
pub(super) fn access(
    registry: &str,
    resolved: &str,
    opts: &SourceOptions,
) -> Result<Access, SourceError> {
    let plain_http = plain_http(registry, resolved, opts);
    if !plain_http {
        super::tls::roots().map_err(|e| RegistryError::TlsSetup {
            registry: resolved.to_string(),
            source: e.into(),
        })?;
    }
    let (auth, had_credentials) = auth_for(registry, resolved, opts)?;
    Ok(Access {
        plain_http,
        auth,
        had_credentials,
    })
}

/// One registry, with its own small runtime: our HTTP client, who we are to it, and how errors
/// are worded.
pub struct Session {
    pub(super) rt: tokio::runtime::Runtime,
    /// For the requests whose bodies microscope bounds itself (the catalog and tags pages):
    /// a read waits at most `stall`, and a redirect is followed only on the same host.
    pub(super) http: reqwest::Client,
    /// `--stall-timeout`: the longest wait for the next byte of an answer.
    pub(super) stall: Duration,
    pub(super) auth: RegistryAuth,
    pub(super) registry: String,
    pub(super) had_credentials: bool,
    pub(super) plain_http: bool,
}

impl Session {
    /// A session with `registry` (`HOST[:PORT]`, as in `docker://HOST[:PORT]/…`).
    pub fn connect(registry: &str, opts: &SourceOptions) -> Result<Session, SourceError> {
        // A reference parsed only to learn how the registry resolves (docker.io's alias).
        let probe = super::name::parse_or_refuse(&format!("{registry}/probe:latest"))?;
        let resolved = probe.resolve_registry().to_string();
        let Access {
            plain_http,
            auth,
            had_credentials,
        } = access(registry, &resolved, opts)?;
        let stall = opts.stall_timeout.unwrap_or(super::super::DEFAULT_STALL);
        let http = super::http_client_with(
            reqwest::Client::builder()
                .read_timeout(stall)
                .redirect(same_host_redirects()),
        )?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("microscope-registry")
            .enable_all()
            .build()?;
        Ok(Session {
            rt,
            http,
            stall,
            auth,
            registry: registry.to_string(),
            had_credentials,
            plain_http,
        })
    }

    pub fn registry(&self) -> &str {
        &self.registry
    }

    pub(super) fn ctx(&self) -> Ctx<'_> {
        Ctx {
            registry: &self.registry,
            had_credentials: self.had_credentials,
            plain_http: self.plain_http,
        }
    }

    pub(super) fn reference(&self, repo: &str, tag: &str) -> Reference {
        Reference::with_tag(self.registry.clone(), repo.to_string(), tag.to_string())
    }

    pub(super) fn scheme(&self) -> &'static str {
        if self.plain_http { "http" } else { "https" }
    }

    /// `HOST[:PORT]` the requests go to (Docker Hub's name resolved).
    pub(super) fn host(&self) -> String {
        self.reference("probe", "latest")
            .resolve_registry()
            .to_string()
    }

    /// Our client, authorised for `scope`: a token from the registry's token server when it
    /// asks for one, else the credentials as they are (Basic ones only where
    /// [`super::auth::check_realm`] lets them go).
    pub(super) async fn http_for(&self, scope: &str) -> Result<Http, SourceError> {
        let (scheme, host) = (self.scheme(), self.host());
        let ctx = self.ctx();
        let token = super::token::bearer_for(&self.http, scheme, &host, scope, &self.auth, &ctx);
        Ok(Http {
            client: self.http.clone(),
            scheme,
            token: match token.await? {
                Some(RegistryAuth::Bearer(t)) => Some(t),
                _ => None,
            },
            auth: self.auth.clone(),
        })
    }
}

/// Redirects followed only to the scheme, host and port first asked (at most 10): a
/// registry's answer must not send microscope, or the credentials it carries, elsewhere.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| same_origin(first, attempt.url()));
        if attempt.previous().len() > 10 || !same {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// Same scheme, host and port.
pub(super) fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}
