//! What `fleet summary` reads: the JSONL lines `microscope fleet` writes, one per image,
//! either a report (with its `ref`) or `{"ref": …, "error": …}`. Only the fields the summary
//! uses are read, so a line from an older or newer microscope still counts.

use serde::Deserialize;

/// Why a line is not one `microscope fleet` writes.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("not a fleet line")]
    NotJson(#[source] serde_json::Error),
    #[error("neither a report nor an error")]
    Neither,
}

/// One line of a fleet's JSONL.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Report(Box<ImageLine>),
    Failed { reference: String, error: String },
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    size: Option<RawSize>,
    #[serde(default)]
    findings_savable_bytes: u64,
    #[serde(default)]
    rewrite: Option<RewriteLine>,
    #[serde(default)]
    layers: Vec<LayerLine>,
    #[serde(default)]
    packages: Vec<PackageLine>,
}

#[derive(Deserialize)]
struct RawSize {
    final_bytes: u64,
    #[serde(default)]
    compressed_bytes: u64,
}

/// An image's report, as far as the summary needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageLine {
    pub reference: String,
    pub final_bytes: u64,
    pub compressed_bytes: u64,
    pub savable_bytes: u64,
    pub rewrite: Option<RewriteLine>,
    pub layers: Vec<LayerLine>,
    pub packages: Vec<PackageLine>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RewriteLine {
    pub base: String,
    pub predicted_bytes: u64,
    pub current_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LayerLine {
    pub diff_id: String,
    pub bytes: u64,
    #[serde(default)]
    pub compressed_bytes: u64,
    #[serde(default)]
    pub command: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PackageLine {
    pub manager: String,
    pub name: String,
    #[serde(default)]
    pub version: String,
    pub bytes: u64,
}

impl Line {
    pub fn reference(&self) -> &str {
        match self {
            Line::Report(r) => &r.reference,
            Line::Failed { reference, .. } => reference,
        }
    }

    /// Parses one line; what it is not says why, in a few words.
    pub fn parse(line: &str) -> Result<Line, LineError> {
        let raw: Raw = serde_json::from_str(line).map_err(LineError::NotJson)?;
        match (raw.error, raw.size) {
            (Some(error), _) => Ok(Line::Failed {
                reference: raw.reference,
                error,
            }),
            (None, Some(size)) => Ok(Line::Report(Box::new(ImageLine {
                reference: raw.reference,
                final_bytes: size.final_bytes,
                compressed_bytes: size.compressed_bytes,
                savable_bytes: raw.findings_savable_bytes,
                rewrite: raw.rewrite,
                layers: raw.layers,
                packages: raw.packages,
            }))),
            (None, None) => Err(LineError::Neither),
        }
    }
}
