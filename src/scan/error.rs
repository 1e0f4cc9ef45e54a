//! Why a layer could not be scanned.

use std::io;

/// Why a layer could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("read error: {0}")]
    Io(#[from] io::Error),
    #[error("not a tar, gzip or zstd stream (first bytes {0})")]
    UnknownCompression(String),
    #[error("corrupt layer: {0}")]
    Corrupt(String),
    #[error("unsafe path in layer: {0:?} ({1})")]
    UnsafePath(String, &'static str),
    #[error("cancelled")]
    Cancelled,
}
