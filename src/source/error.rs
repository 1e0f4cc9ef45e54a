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
    /// Refused credentials, or none where some are needed (401, 403).
    #[error("{0}")]
    Auth(String),
    /// HTTP 429, with when to retry when the registry says.
    #[error("{0}")]
    RateLimited(String),
    /// The engine or registry answers but has no such image.
    #[error("{0}")]
    ImageNotFound(String),
    #[error("{0}")]
    Tls(String),
    #[error("{0}")]
    Permission(String),
    /// Any other failure of an engine or registry.
    #[error("{0}")]
    Remote(String),
    #[error("{0}")]
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
