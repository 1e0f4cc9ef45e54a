//! The baseline comparison and the `max_growth_*` rules: a PR that grows the image by more
//! than the threshold fails. Growth is measured on `layers_bytes` (regular-file bytes in all
//! layers), which does not depend on how the blobs are stored, so a registry baseline and a
//! `docker save` PR image compare fairly.

use super::rule::Rule;
use super::{Baseline, Facts, Rules, Verdict, bytes_exact, distinct, skip, verdict};
use crate::report::text::bytes;
use serde::Serialize;

/// The baseline comparison, printed whether or not a growth rule is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub baseline: String,
    pub before_bytes: u64,
    pub after_bytes: u64,
    /// after − before; negative when the image shrank.
    pub delta_bytes: i128,
    /// None when the baseline is empty (growth from nothing has no percent).
    pub delta_percent: Option<f64>,
}

pub(super) fn growth(b: &Baseline, facts: &Facts) -> Growth {
    let delta = facts.layers_bytes as i128 - b.layers_bytes as i128;
    Growth {
        baseline: b.label.clone(),
        before_bytes: b.layers_bytes,
        after_bytes: facts.layers_bytes,
        delta_bytes: delta,
        delta_percent: (b.layers_bytes > 0).then(|| delta as f64 * 100.0 / b.layers_bytes as f64),
    }
}

/// Signed bytes: `+1.2 MiB`, or with `exact` `+1.2 MiB (+1234567 B)`.
pub fn signed_bytes(delta: i128, exact: bool) -> String {
    if exact {
        crate::units::signed_bytes_exact(delta)
    } else {
        crate::units::signed_bytes(delta)
    }
}

pub(super) fn growth_verdicts(rules: &Rules, growth: Option<&Growth>, v: &mut Vec<Verdict>) {
    const NO_BASELINE: &str = "no baseline given (--baseline REF or a saved JSON report)";
    if let Some(max) = rules.max_growth_bytes {
        v.push(match growth {
            None => skip(
                Rule::MaxGrowthBytes,
                format!("≤ +{}", bytes_exact(max)),
                NO_BASELINE,
            ),
            Some(g) => {
                let fail = g.delta_bytes > max as i128;
                Verdict {
                    measured: signed_bytes(g.delta_bytes, true),
                    threshold: format!("≤ +{}", bytes_exact(max)),
                    note: Some(format!("layer bytes vs {}", g.baseline)),
                    ..verdict(Rule::MaxGrowthBytes, fail, g.delta_bytes as f64, max as f64)
                }
            }
        });
    }
    if let Some(max) = rules.max_growth_percent {
        v.push(match growth {
            None => skip(
                Rule::MaxGrowthPercent,
                format!("≤ +{max:.2} %"),
                NO_BASELINE,
            ),
            Some(g) => growth_percent(g, max),
        });
    }
}

fn growth_percent(g: &Growth, max: f64) -> Verdict {
    let note = Some(format!(
        "layer bytes {} → {} vs {}",
        bytes(g.before_bytes),
        bytes(g.after_bytes),
        g.baseline
    ));
    match g.delta_percent {
        Some(pct) => {
            let (m, t) = distinct(pct, max, 2);
            let sign = if pct >= 0.0 { "+" } else { "" };
            Verdict {
                measured: format!("{sign}{m} %"),
                threshold: format!("≤ +{t} %"),
                note,
                ..verdict(Rule::MaxGrowthPercent, pct > max, pct, max)
            }
        }
        // Growing from an empty baseline is unbounded growth; staying empty is none.
        None => Verdict {
            measured: if g.delta_bytes > 0 { "+∞ %" } else { "+0 %" }.into(),
            threshold: format!("≤ +{max} %"),
            note,
            ..verdict(
                Rule::MaxGrowthPercent,
                g.delta_bytes > 0,
                if g.delta_bytes > 0 {
                    f64::INFINITY
                } else {
                    0.0
                },
                max,
            )
        },
    }
}
