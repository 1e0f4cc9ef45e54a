//! What the CI rules measure, taken from a report. The rules read this narrow view instead
//! of the whole [`Report`] so that data an analysis did not produce (packages, findings) is
//! an explicit `None` — a SKIP with a reason — rather than an empty list that would pass.

use crate::analysis::findings::Finding;
use crate::analysis::packages::{Manager, Package};
use crate::report::Report;
use serde_json::Value;

/// The numbers and lists the rules check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub layers: usize,
    pub layers_bytes: u64,
    /// Regular-file bytes of layer 0, which dive (and `max_reclaimable_percent`) treat as
    /// the base.
    pub base_layer_bytes: u64,
    pub final_bytes: u64,
    pub reclaimable_bytes: u64,
    pub efficiency: f64,
    pub compressed_bytes: u64,
    /// Every layer blob is a plain tar (a `docker save` archive), so "compressed" is not.
    pub stored_uncompressed: bool,
    /// None: package attribution did not run.
    pub packages: Option<Vec<PackageFact>>,
    /// None: the findings analysis did not run.
    pub findings: Option<Vec<FindingFact>>,
    /// findings_savable_bytes; None with `findings`.
    pub savable_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackageFact {
    pub manager: Manager,
    pub name: String,
    pub version: String,
    pub layer: Option<usize>,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingFact {
    pub kind: String,
    pub title: String,
    pub layer: Option<usize>,
    pub savable_bytes: u64,
    /// Dockerfile lines to paste (may be empty).
    pub fix: String,
    /// The prose around the fix.
    pub explanation: String,
}

impl Facts {
    pub fn from_report(r: &Report) -> Facts {
        let s = &r.size;
        Facts {
            layers: r.layers.len(),
            layers_bytes: s.layers_bytes,
            base_layer_bytes: r.layers.first().map_or(0, |l| l.bytes),
            final_bytes: s.final_bytes,
            reclaimable_bytes: s.reclaimable_bytes,
            efficiency: s.efficiency,
            compressed_bytes: s.compressed_bytes,
            stored_uncompressed: crate::report::text::blobs_uncompressed(r),
            packages: Some(r.packages.iter().map(package).collect()),
            findings: Some(r.findings.iter().map(finding).collect()),
            savable_bytes: Some(r.findings_savable_bytes),
        }
    }
}

fn finding(f: &Finding) -> FindingFact {
    FindingFact {
        kind: f.kind.clone(),
        title: f.title.clone(),
        layer: usize::try_from(f.layer).ok(),
        savable_bytes: f.savable_bytes,
        fix: f.fix.clone(),
        explanation: f.explanation.clone(),
    }
}

fn package(p: &Package) -> PackageFact {
    PackageFact {
        manager: p.manager,
        name: p.name.clone(),
        version: p.version.clone(),
        layer: Some(p.layer),
        bytes: p.bytes,
    }
}

/// The image a PR is compared against: only the sizes growth rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// What the baseline was: its image reference or the report file it came from.
    pub label: String,
    pub layers_bytes: u64,
    pub final_bytes: u64,
    pub compressed_bytes: u64,
    pub layers: usize,
}

/// Why a saved report could not serve as a baseline.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a microscope report: {0}")]
    Shape(String),
}

impl Baseline {
    pub fn from_report(r: &Report, label: &str) -> Baseline {
        Baseline {
            label: label.to_string(),
            layers_bytes: r.size.layers_bytes,
            final_bytes: r.size.final_bytes,
            compressed_bytes: r.size.compressed_bytes,
            layers: r.layers.len(),
        }
    }

    /// Reads a saved `--json` report. Lenient on purpose: only `size.layers_bytes` is
    /// required, so a report written by an older or newer microscope (other fields added or
    /// gone) still serves as a baseline.
    pub fn from_json(text: &str, label: &str) -> Result<Baseline, BaselineError> {
        let v: Value = serde_json::from_str(text)?;
        let size = v
            .get("size")
            .ok_or_else(|| BaselineError::Shape("no \"size\" object".into()))?;
        let num = |key: &str| size.get(key).and_then(Value::as_u64);
        let layers_bytes = num("layers_bytes").ok_or_else(|| {
            BaselineError::Shape("no \"size.layers_bytes\" (a non-negative integer)".into())
        })?;
        let reference = v
            .pointer("/image/reference")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        Ok(Baseline {
            label: match reference {
                Some(r) => format!("{r} (from {label})"),
                None => label.to_string(),
            },
            layers_bytes,
            final_bytes: num("final_bytes").unwrap_or(0),
            compressed_bytes: num("compressed_bytes").unwrap_or(0),
            layers: v
                .get("layers")
                .and_then(Value::as_array)
                .map_or(0, |a| a.len()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn baseline_needs_only_layer_bytes() -> TestResult {
        let b = Baseline::from_json(r#"{"size":{"layers_bytes":42}}"#, "old.json")?;
        assert_eq!(b.layers_bytes, 42);
        assert_eq!(b.label, "old.json");
        let b = Baseline::from_json(
            r#"{"image":{"reference":"app:main"},"size":{"layers_bytes":1,"final_bytes":1},
                "layers":[{},{}],"future_field":[1,2]}"#,
            "base.json",
        )?;
        assert_eq!(b.label, "app:main (from base.json)");
        assert_eq!(b.layers, 2);
        Ok(())
    }

    #[test]
    fn baseline_rejects_what_is_not_a_report() {
        assert!(matches!(
            Baseline::from_json("[1,2]", "x"),
            Err(BaselineError::Shape(_))
        ));
        assert!(matches!(
            Baseline::from_json(r#"{"size":{"layers_bytes":-1}}"#, "x"),
            Err(BaselineError::Shape(_))
        ));
        assert!(matches!(
            Baseline::from_json("{", "x"),
            Err(BaselineError::Json(_))
        ));
    }
}
