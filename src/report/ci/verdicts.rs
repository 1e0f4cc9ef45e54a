//! Each rule's verdict from its measured value and threshold, worded so that different
//! values never read the same, and the SKIP a rule gets when its data is missing.

use super::{Facts, Pattern, Rule, Status, Verdict, bytes_exact};
use crate::report::text::bytes;

pub(super) const NO_FINDINGS: &str =
    "this report has no findings (the findings analysis did not run)";
pub(super) const NO_PACKAGES: &str =
    "this report has no package data (package attribution did not run)";

pub(super) fn le_bytes(max: u64) -> String {
    format!("≤ {}", bytes_exact(max))
}

/// Two numbers printed so that different values never look the same.
pub(super) fn distinct(value: f64, limit: f64, digits: usize) -> (String, String) {
    let a = format!("{value:.digits$}");
    let b = format!("{limit:.digits$}");
    if a == b && value != limit {
        (format!("{value}"), format!("{limit}"))
    } else {
        (a, b)
    }
}

pub(super) fn verdict(rule: Rule, fail: bool, value: f64, limit: f64) -> Verdict {
    Verdict {
        rule,
        status: if fail { Status::Fail } else { Status::Pass },
        value: Some(value),
        limit: Some(limit),
        measured: String::new(),
        threshold: String::new(),
        note: None,
        offenders: Vec::new(),
    }
}

pub(super) fn skip(rule: Rule, threshold: String, why: &str) -> Verdict {
    Verdict {
        rule,
        status: Status::Skip,
        value: None,
        limit: None,
        measured: "—".into(),
        threshold,
        note: Some(why.to_string()),
        offenders: Vec::new(),
    }
}

pub(super) fn min_ratio(rule: Rule, value: f64, min: f64) -> Verdict {
    let (m, t) = distinct(value, min, 4);
    Verdict {
        measured: m,
        threshold: format!("≥ {t}"),
        ..verdict(rule, value < min, value, min)
    }
}

pub(super) fn max_bytes(rule: Rule, value: u64, max: u64) -> Verdict {
    Verdict {
        measured: bytes_exact(value),
        threshold: le_bytes(max),
        ..verdict(rule, value > max, value as f64, max as f64)
    }
}

pub(super) fn max_count(rule: Rule, value: u64, max: u64) -> Verdict {
    Verdict {
        measured: value.to_string(),
        threshold: format!("≤ {max}"),
        ..verdict(rule, value > max, value as f64, max as f64)
    }
}

pub(super) fn max_percent(rule: Rule, value: f64, max: f64) -> Verdict {
    let (m, t) = distinct(value, max, 2);
    Verdict {
        measured: format!("{m} %"),
        threshold: format!("≤ {t} %"),
        ..verdict(rule, value > max, value, max)
    }
}

pub(super) fn reclaimable_percent(facts: &Facts, max: f64) -> Verdict {
    let user = facts.layers_bytes.saturating_sub(facts.base_layer_bytes);
    if user == 0 {
        return skip(
            Rule::MaxReclaimablePercent,
            format!("≤ {max:.2} %"),
            "the image has no bytes above its first layer, so there is nothing to \
             take a percentage of",
        );
    }
    let pct = facts.reclaimable_bytes as f64 * 100.0 / user as f64;
    Verdict {
        note: Some(format!(
            "{} reclaimable of {} in layers 1–{}",
            bytes(facts.reclaimable_bytes),
            bytes(user),
            facts.layers.saturating_sub(1)
        )),
        ..max_percent(Rule::MaxReclaimablePercent, pct, max)
    }
}

pub(super) fn forbidden(rule: Rule, patterns: &[Pattern], offenders: Vec<String>) -> Verdict {
    let list: Vec<&str> = patterns.iter().map(|p| p.text.as_str()).collect();
    Verdict {
        rule,
        status: if offenders.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        },
        value: Some(offenders.len() as f64),
        limit: Some(0.0),
        measured: format!("{} found", offenders.len()),
        threshold: format!("none of {}", list.join(", ")),
        note: None,
        offenders,
    }
}

pub(super) fn forbid_findings(facts: &Facts, patterns: &[Pattern]) -> Verdict {
    let Some(findings) = &facts.findings else {
        let t = forbidden(Rule::ForbidFindings, patterns, Vec::new()).threshold;
        return skip(Rule::ForbidFindings, t, NO_FINDINGS);
    };
    let hits = findings
        .iter()
        .filter(|f| patterns.iter().any(|p| p.matches(&f.kind)))
        .map(|f| {
            let mut s = format!("{}: {}", f.kind, f.title);
            if f.savable_bytes > 0 {
                s.push_str(&format!(" (saves {})", bytes(f.savable_bytes)));
            }
            s
        })
        .collect();
    forbidden(Rule::ForbidFindings, patterns, hits)
}

pub(super) fn forbid_packages(facts: &Facts, patterns: &[Pattern]) -> Verdict {
    let Some(packages) = &facts.packages else {
        let t = forbidden(Rule::ForbidPackages, patterns, Vec::new()).threshold;
        return skip(Rule::ForbidPackages, t, NO_PACKAGES);
    };
    let hits = packages
        .iter()
        .filter(|p| patterns.iter().any(|g| g.matches(&p.name)))
        .map(|p| {
            let mut s = format!("{} {} ({}", p.name, p.version, p.manager);
            if let Some(l) = p.layer {
                s.push_str(&format!(", layer {l}"));
            }
            s.push_str(&format!(", {})", bytes(p.bytes)));
            s
        })
        .collect();
    forbidden(Rule::ForbidPackages, patterns, hits)
}
