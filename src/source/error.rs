//! Why an image could not be read from its source.

/// Why an image could not be read from its source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}: no such file or directory")]
    NotFound(String),
    #[error("not an image: {0}")]
    NotAnImage(String),
    #[error("corrupt image: {0}")]
    Corrupt(String),
    #[error("the image names {0}, which is not in it")]
    MissingBlob(String),
    #[error("{what} digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    /// Several images and nothing that says which (no name, no `@N`, no single platform).
    #[error("{0}")]
    Ambiguous(String),
    /// An OCI artifact (attestation, signature, SBOM): no filesystem to read.
    #[error("{0}")]
    Artifact(String),
    #[error("no image for platform {wanted}; the index has: {available}")]
    NoPlatform { wanted: String, available: String },
    #[error("{0}")]
    Unsupported(String),
    /// An engine or registry that does not answer.
    #[error("{0}")]
    Unreachable(String),
    /// A registry's failure, typed by what went wrong.
    #[cfg(feature = "registry")]
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Docker's credentials for a registry, configured but not readable.
    #[cfg(feature = "registry")]
    #[error(transparent)]
    Credentials(#[from] super::registry::credentials::CredentialsError),
    /// The engine or registry answers but has no such image.
    #[error("{0}")]
    ImageNotFound(String),
    #[error("{0}")]
    Permission(String),
    /// Any other failure of an engine or registry.
    #[error("{0}")]
    Remote(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The variants below say what failed and keep the error that made it fail as their
    /// cause, which `error::one_line` renders after the message (never inside it).
    #[error("not an image: {what}")]
    NotAnImageBecause {
        what: String,
        #[source]
        source: Cause,
    },
    #[error("corrupt image: {what}")]
    CorruptBecause {
        what: String,
        #[source]
        source: Cause,
    },
    #[error("{what}")]
    UnreachableBecause {
        what: String,
        #[source]
        source: Cause,
    },
    #[error("{what}")]
    PermissionBecause {
        what: String,
        #[source]
        source: Cause,
    },
    #[error("{what}")]
    RemoteBecause {
        what: String,
        #[source]
        source: Cause,
    },
    /// A document of the image (manifest, index, config) that does not parse.
    #[error("corrupt image: {what} cannot be parsed")]
    Unparsable {
        what: String,
        #[source]
        source: Cause,
    },
    /// A local engine setting (the docker CLI's config, a context) that does not parse.
    #[error("{path} cannot be parsed")]
    EngineSetting {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// An HTTP or TLS client that cannot be set up.
    #[error("{what}")]
    Client {
        what: String,
        #[source]
        source: Cause,
    },
    /// An engine's socket that fails for another reason than the ones named above.
    #[error("cannot connect to {endpoint}")]
    Connect {
        endpoint: String,
        #[source]
        source: std::io::Error,
    },
}

/// What a [`SourceError`] keeps of the error that caused it.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A registry's failure, by what went wrong, each naming the registry and saying what to do
/// about it (credentials, `--insecure-registry`, when to retry after a rate limit). `detail`
/// fields hold the registry's own words, `": …"` or empty.
#[cfg(feature = "registry")]
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// 401: without credentials, how to give some; with them, that they are wrong.
    #[error(
        "registry {registry} {}",
        if *had_credentials {
            "refused the credentials (401 unauthorized): check the user name and password"
        } else {
            "requires authentication (401 unauthorized): use --username and --password-stdin, or docker login"
        }
    )]
    Unauthorized {
        registry: String,
        had_credentials: bool,
    },
    /// The token server said no, in its words.
    #[error(
        "registry {registry} {}: {reason}",
        if *had_credentials { "refused the credentials" } else { "gave no anonymous access" }
    )]
    TokenRefused {
        registry: String,
        had_credentials: bool,
        reason: String,
    },
    /// A token realm over plain HTTP on another host: the credentials are not sent there.
    #[error(
        "{registry} asks for the credentials at {realm}, plain HTTP on another host; \
         microscope sends them only to the registry's own host or over HTTPS"
    )]
    UnsafeRealm { registry: String, realm: String },
    #[error("registry {registry} denied access (403 forbidden){detail}")]
    Denied { registry: String, detail: String },
    #[error("not found in registry {registry}{detail}")]
    NotFound { registry: String, detail: String },
    /// 429; `retry` says when to retry, as far as the registry says (`; retry in 10 min`).
    #[error("registry {registry} is rate limiting this client (429 too many requests){retry}")]
    RateLimited { registry: String, retry: String },
    #[error("registry {registry} answered HTTP {code}{detail}")]
    Status {
        registry: String,
        code: u16,
        detail: String,
    },
    /// An error envelope the registry sent, as it reads.
    #[error("registry {registry}: {envelope}")]
    Envelope { registry: String, envelope: String },
    /// The TLS handshake failed; `tls` is rustls's reason.
    #[error("TLS with registry {registry} failed: {tls}{hint}")]
    Tls {
        registry: String,
        tls: String,
        hint: &'static str,
    },
    #[error(
        "cannot set up TLS for {registry} (install CA certificates, or point SSL_CERT_FILE at a bundle)"
    )]
    TlsSetup {
        registry: String,
        #[source]
        source: Cause,
    },
    #[error("cannot reach registry {registry}{}", if *plain_http { " over HTTP" } else { "" })]
    Unreachable {
        registry: String,
        plain_http: bool,
        #[source]
        source: Cause,
    },
    /// Any other failure of a request or of the registry client.
    #[error("registry {registry}")]
    Failed {
        registry: String,
        #[source]
        source: Cause,
    },
    /// An answer that is not what was asked for (too large, not JSON, no `Location`…): the
    /// registry's fault, not the image's.
    #[error("registry {registry}: {what}")]
    Answer { registry: String, what: String },
    #[error(
        "registry {registry} sent nothing for {secs} s while listing {what} (page {page}, \
         {got} bytes received; --stall-timeout)"
    )]
    Stalled {
        registry: String,
        secs: u64,
        what: String,
        page: usize,
        got: usize,
    },
}
