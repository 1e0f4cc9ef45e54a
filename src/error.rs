//! The library's error type: what went wrong, in words a user can act on.

use crate::scan::ScanError;
use crate::source::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("layer {layer} ({digest})")]
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
    #[error("{side} image: {reference}")]
    Side {
        side: &'static str,
        reference: String,
        #[source]
        source: Box<Error>,
    },
}

/// An error and its causes on one line, `what: why: deeper why`, as both front ends show
/// a failure (the command line on stderr, the app in its status line). A cause whose text a
/// message above already holds is not repeated, and context that the next cause repeats
/// in full ("x.tar" then "x.tar: no such file") gives way to it.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(c) = next {
        let s = c.to_string();
        next = c.source();
        if parts
            .last()
            .is_some_and(|last| s.starts_with(last.as_str()))
        {
            parts.pop();
        } else if parts.iter().any(|p| p.contains(&s)) {
            continue;
        }
        parts.push(s);
    }
    parts.join(": ").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_is_one_line_without_repeats() {
        let io = std::io::Error::other("no such file");
        let e = Error::Scan {
            layer: 2,
            digest: "sha256:ab".into(),
            source: ScanError::Io(io),
        };
        assert_eq!(
            one_line(&e),
            "layer 2 (sha256:ab): read error: no such file"
        );
        let side = Error::Side {
            side: "left",
            reference: "x.tar".into(),
            source: Box::new(Error::Cancelled),
        };
        assert_eq!(one_line(&side), "left image: x.tar: cancelled");
    }
}
