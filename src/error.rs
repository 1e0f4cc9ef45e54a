//! The library's error type: what went wrong, in words a user can act on.

use crate::scan::ScanError;
use crate::source::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("layer {layer} ({digest}): {source}")]
    Scan {
        layer: usize,
        digest: String,
        source: ScanError,
    },
    #[error("layer {layer}: {what} mismatch: expected {expected}, got {actual}")]
    LayerDigest {
        layer: usize,
        what: &'static str,
        expected: String,
        actual: String,
    },
    #[error("invalid image reference {0:?}: {1}")]
    Reference(String, String),
    #[error("cancelled")]
    Cancelled,
    /// One image of a comparison could not be read: which one, so the user knows which
    /// argument to fix.
    #[error("{side} image: {reference}: {source}")]
    Side {
        side: &'static str,
        reference: String,
        #[source]
        source: Box<Error>,
    },
}
