//! The CI gate: rules → verdicts. Pure: the rules come parsed (see `config`), the facts
//! come from a [`Report`](crate::report::Report) (see `facts`), and nothing here prints or reads.
//!
//! Threshold semantics, the same for every rule: a rule fails only when the measured value
//! *crosses* its threshold — `max_*` fails when value > threshold, `min_*` when value <
//! threshold — so a value exactly at the threshold passes. (dive documents "met or crossed"
//! but its code tests `>`; we state and test the strict form.) A rule whose data is missing
//! from the report (packages or findings not computed, no baseline given) is SKIPped with the
//! reason, and a SKIP never fails the gate.

pub mod config;
pub mod dive;
pub mod facts;
pub mod growth;
pub mod rule;
pub mod text;
mod verdicts;

pub use facts::{Baseline, Facts, FindingFact, PackageFact};
pub use growth::{Growth, signed_bytes};
use growth::{growth, growth_verdicts};
pub use rule::Rule;
use serde::Serialize;
use verdicts::{
    NO_FINDINGS, distinct, forbid_findings, forbid_packages, le_bytes, max_bytes, max_count,
    min_ratio, reclaimable_percent, skip, verdict,
};

/// The thresholds to check. `None` (or an empty list) means the rule is off.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// final_bytes / layers_bytes, 0–1.
    pub min_efficiency: Option<f64>,
    pub max_reclaimable_bytes: Option<u64>,
    /// reclaimable_bytes as a percent of the bytes stored by the layers above layer 0.
    pub max_reclaimable_percent: Option<f64>,
    pub max_final_bytes: Option<u64>,
    pub max_compressed_bytes: Option<u64>,
    pub max_layers: Option<u64>,
    /// findings_savable_bytes: what all findings' fixes together would save.
    pub max_savable_bytes: Option<u64>,
    /// Finding kinds (globs) that must not appear.
    pub forbid_findings: Vec<Pattern>,
    /// Package names (globs) that must not be installed.
    pub forbid_packages: Vec<Pattern>,
    /// Growth of layers_bytes over the baseline, in bytes.
    pub max_growth_bytes: Option<u64>,
    /// Growth of layers_bytes over the baseline, in percent of the baseline.
    pub max_growth_percent: Option<f64>,
}

/// The default gate when no config file exists: efficiency only, as dive's default.
pub const DEFAULT_MIN_EFFICIENCY: f64 = 0.9;

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_efficiency: Some(DEFAULT_MIN_EFFICIENCY),
            ..Rules::none()
        }
    }
}

impl Rules {
    /// Every rule off.
    pub fn none() -> Self {
        Rules {
            min_efficiency: None,
            max_reclaimable_bytes: None,
            max_reclaimable_percent: None,
            max_final_bytes: None,
            max_compressed_bytes: None,
            max_layers: None,
            max_savable_bytes: None,
            forbid_findings: Vec::new(),
            forbid_packages: Vec::new(),
            max_growth_bytes: None,
            max_growth_percent: None,
        }
    }

    pub(super) fn needs_baseline(&self) -> bool {
        self.max_growth_bytes.is_some() || self.max_growth_percent.is_some()
    }
}

/// A glob, kept with the text the user wrote so verdicts can quote it.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    matcher: globset::GlobMatcher,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, globset::Error> {
        let glob = globset::GlobBuilder::new(text)
            .literal_separator(false)
            .build()?;
        Ok(Pattern {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn matches(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The rule's key in `.microscope.toml`.
    pub rule: Rule,
    pub status: Status,
    /// The measured value as a number (bytes, ratio, percent, count), when there is one.
    pub value: Option<f64>,
    pub limit: Option<f64>,
    /// The measured value for people: `25.3 MiB (26528972 B)`.
    pub measured: String,
    /// The threshold for people, with its comparison: `≤ 20.0 MiB (20000000 B)`.
    pub threshold: String,
    /// Why a rule was skipped, or a remark on what the value means.
    pub note: Option<String>,
    /// What made a forbid rule fail: the matching packages or findings.
    pub offenders: Vec<String>,
}

/// The whole gate: what was checked, how it came out, and what the reader should know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub passed: bool,
    pub failed: usize,
    pub skipped: usize,
    pub verdicts: Vec<Verdict>,
    /// Where the rules came from, and how a dive config was mapped.
    pub notes: Vec<String>,
    pub growth: Option<Growth>,
}

impl Outcome {
    /// `PASS: all 3 rules passed`, `PASS: 2 of 3 rules passed, 1 skipped`,
    /// `FAIL: 1 of 3 rules failed`: a pass never reads as a count of failures.
    pub fn summary_line(&self) -> String {
        let n = self.verdicts.len();
        let rules = |k: usize| if k == 1 { "rule" } else { "rules" };
        let checked = n.saturating_sub(self.skipped);
        let mut s = if n == 0 {
            "PASS: no rules enabled".to_string()
        } else if !self.passed {
            format!("FAIL: {} of {n} {} failed", self.failed, rules(n))
        } else if checked == n {
            match n {
                1 => "PASS: 1 rule passed".to_string(),
                _ => format!("PASS: all {n} rules passed"),
            }
        } else {
            format!("PASS: {checked} of {n} {} passed", rules(n))
        };
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s
    }
}

/// Evaluates every enabled rule, in a fixed order. `notes` are passed through to the outcome.
pub fn evaluate(
    rules: &Rules,
    facts: &Facts,
    baseline: Option<&Baseline>,
    notes: Vec<String>,
) -> Outcome {
    let mut v = Vec::new();
    if let Some(min) = rules.min_efficiency {
        v.push(min_ratio(Rule::MinEfficiency, facts.efficiency, min));
    }
    if let Some(max) = rules.max_reclaimable_bytes {
        v.push(max_bytes(
            Rule::MaxReclaimableBytes,
            facts.reclaimable_bytes,
            max,
        ));
    }
    if let Some(max) = rules.max_reclaimable_percent {
        v.push(reclaimable_percent(facts, max));
    }
    if let Some(max) = rules.max_final_bytes {
        v.push(max_bytes(Rule::MaxFinalBytes, facts.final_bytes, max));
    }
    if let Some(max) = rules.max_compressed_bytes {
        let mut verdict = max_bytes(Rule::MaxCompressedBytes, facts.compressed_bytes, max);
        if facts.stored_uncompressed {
            verdict.note = Some(
                "this source stores layers uncompressed (e.g. `docker save`), so this is \
                 the uncompressed size; a registry push would be smaller"
                    .into(),
            );
        }
        v.push(verdict);
    }
    if let Some(max) = rules.max_layers {
        v.push(max_count(Rule::MaxLayers, facts.layers as u64, max));
    }
    if let Some(max) = rules.max_savable_bytes {
        v.push(match facts.savable_bytes {
            Some(b) => max_bytes(Rule::MaxSavableBytes, b, max),
            None => skip(Rule::MaxSavableBytes, le_bytes(max), NO_FINDINGS),
        });
    }
    if !rules.forbid_findings.is_empty() {
        v.push(forbid_findings(facts, &rules.forbid_findings));
    }
    if !rules.forbid_packages.is_empty() {
        v.push(forbid_packages(facts, &rules.forbid_packages));
    }
    let growth = baseline.map(|b| growth(b, facts));
    if rules.needs_baseline() {
        growth_verdicts(rules, growth.as_ref(), &mut v);
    }
    let failed = v.iter().filter(|x| x.status == Status::Fail).count();
    let skipped = v.iter().filter(|x| x.status == Status::Skip).count();
    Outcome {
        passed: failed == 0,
        failed,
        skipped,
        verdicts: v,
        notes,
        growth,
    }
}

pub use crate::units::bytes_exact;
