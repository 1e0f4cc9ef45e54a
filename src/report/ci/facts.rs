//! What the CI rules measure, taken from a report. The rules read this narrow view instead
//! of the whole [`Report`] so that data an analysis did not produce (packages, findings) is
//! an explicit `None` — a SKIP with a reason — rather than an empty list that would pass.

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

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackageFact {
    pub manager: String,
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
        // Packages and findings are read from the report's JSON form, the published schema
        // (docs/schema.md), not from their Rust types: the gate then works on any report
        // that carries them, and says SKIP, with the reason, on one that does not.
        let json = serde_json::to_value(r).unwrap_or(Value::Null);
        let (packages, findings, savable_bytes) = lists(&json);
        Facts {
            layers: r.layers.len(),
            layers_bytes: s.layers_bytes,
            base_layer_bytes: r.layers.first().map_or(0, |l| l.bytes),
            final_bytes: s.final_bytes,
            reclaimable_bytes: s.reclaimable_bytes,
            efficiency: s.efficiency,
            compressed_bytes: s.compressed_bytes,
            stored_uncompressed: crate::report::text::blobs_uncompressed(r),
            packages,
            findings,
            savable_bytes,
        }
    }
}

type Lists = (
    Option<Vec<PackageFact>>,
    Option<Vec<FindingFact>>,
    Option<u64>,
);

/// `packages[]`, `findings[]` and `findings_savable_bytes` of a report's JSON, each None
/// when the report does not carry it.
fn lists(json: &Value) -> Lists {
    let array = |key: &str| json.get(key).and_then(Value::as_array);
    let findings: Option<Vec<FindingFact>> =
        array("findings").map(|a| a.iter().map(finding).collect());
    let savable = findings
        .as_ref()
        .and_then(|_| json.get("findings_savable_bytes")?.as_u64());
    (
        array("packages").map(|a| a.iter().map(package).collect()),
        findings,
        savable,
    )
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn layer(v: &Value) -> Option<usize> {
    usize::try_from(v.get("layer")?.as_u64()?).ok()
}

fn finding(v: &Value) -> FindingFact {
    FindingFact {
        kind: text(v, "kind"),
        title: text(v, "title"),
        layer: layer(v),
        savable_bytes: v.get("savable_bytes").and_then(Value::as_u64).unwrap_or(0),
        fix: text(v, "fix"),
        explanation: text(v, "explanation"),
    }
}

fn package(v: &Value) -> PackageFact {
    PackageFact {
        manager: text(v, "manager"),
        name: text(v, "name"),
        version: text(v, "version"),
        layer: layer(v),
        bytes: v.get("bytes").and_then(Value::as_u64).unwrap_or(0),
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
    fn packages_and_findings_come_from_the_report_schema() -> TestResult {
        let (p, f, s) = lists(&serde_json::json!({"size": {}}));
        assert_eq!(
            (p, f, s),
            (None, None, None),
            "not analysed: SKIP, not PASS"
        );
        let (p, f, s) = lists(&serde_json::json!({
            "packages": [{"manager": "dpkg", "name": "gcc-12", "version": "12.2", "layer": 1,
                          "bytes": 5, "arch": "amd64"}],
            "findings": [{"kind": "debug-symbols", "title": "t", "layer": 2, "bytes": 9,
                          "savable_bytes": 7, "fix": "strip", "paths": []}],
            "findings_savable_bytes": 7
        }));
        let p = p.ok_or("missing")?;
        assert_eq!(
            (p[0].name.as_str(), p[0].layer, p[0].bytes),
            ("gcc-12", Some(1), 5)
        );
        let f = f.ok_or("missing")?;
        assert_eq!(
            (f[0].kind.as_str(), f[0].savable_bytes),
            ("debug-symbols", 7)
        );
        assert_eq!(s, Some(7));
        let (p, f, _) = lists(&serde_json::json!({"packages": [], "findings": []}));
        assert_eq!(
            (p, f),
            (Some(vec![]), Some(vec![])),
            "analysed, nothing found"
        );
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
