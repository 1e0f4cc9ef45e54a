//! Why a layer could not be scanned.

use std::io;

/// Why a layer could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("read error")]
    Io(#[from] io::Error),
    /// The first bytes, in hex.
    #[error("not a tar, gzip or zstd stream (first bytes {0})")]
    UnknownCompression(String),
    /// A layer read again (to extract files) that no longer decodes as it did.
    #[error("the layer is no longer a tar, gzip or zstd stream")]
    NoLongerAnArchive,
    /// What is wrong, found by the scan itself.
    #[error("corrupt layer: {0}")]
    Corrupt(String),
    /// A stream the decoder or the tar reader refused: their error says why.
    #[error("corrupt layer")]
    CorruptStream(#[source] io::Error),
    #[error("unsafe path in layer: {0:?} ({1})")]
    UnsafePath(String, &'static str),
    #[error("cancelled")]
    Cancelled,
}

impl ScanError {
    /// The layer's bytes are wrong (as opposed to unreadable, unsafe or cancelled).
    pub fn is_corrupt(&self) -> bool {
        matches!(self, ScanError::Corrupt(_) | ScanError::CorruptStream(_))
    }
}
