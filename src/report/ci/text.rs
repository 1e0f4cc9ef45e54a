//! The CI gate for a terminal or a CI log: one line per rule (PASS/FAIL/SKIP, measured
//! value, threshold), the baseline comparison, then the top offenders — what to fix first.

use super::{Facts, Outcome, Status, signed_bytes};
use crate::image::merge::WasteKind;
use crate::report::Report;
use crate::report::escape::text as esc;
use crate::report::text::bytes;

/// How many offenders of each kind to list.
pub const TOP: usize = 10;

/// `deleted by layer 3`, for the reader who wants to know which command to change.
pub fn waste_reason(kind: WasteKind, by_layer: usize) -> String {
    let what = match kind {
        WasteKind::Overwritten => "overwritten",
        WasteKind::Deleted => "deleted",
        WasteKind::OpaqueHidden => "hidden (opaque dir)",
    };
    format!("{what} by layer {by_layer}")
}

pub fn render(report: &Report, facts: &Facts, outcome: &Outcome) -> String {
    let mut out = format!("microscope CI gate: {}\n", esc(&report.image.reference));
    for n in &outcome.notes {
        out.push_str(&format!("note: {}\n", esc(n)));
    }
    out.push('\n');
    let w_rule = outcome
        .verdicts
        .iter()
        .map(|v| v.rule.key().len())
        .max()
        .unwrap_or(0);
    let w_measured = outcome
        .verdicts
        .iter()
        .map(|v| v.measured.chars().count())
        .max()
        .unwrap_or(0);
    for v in &outcome.verdicts {
        let line = format!(
            "{}  {:<w_rule$}  {:<w_measured$}  {}",
            v.status.label(),
            v.rule,
            v.measured,
            v.threshold
        );
        out.push_str(line.trim_end());
        out.push('\n');
        if let Some(note) = &v.note {
            out.push_str(&format!("      {}\n", esc(note)));
        }
        for o in v.offenders.iter().take(TOP) {
            out.push_str(&format!("      - {}\n", esc(o)));
        }
        if v.offenders.len() > TOP {
            out.push_str(&format!("      … and {} more\n", v.offenders.len() - TOP));
        }
    }
    // With no verdicts, the summary line at the end says "no rules enabled".
    if let Some(g) = &outcome.growth {
        let pct = g
            .delta_percent
            .map(|p| format!(", {p:+.2} %"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\nvs baseline {}: layer bytes {} → {} ({}{pct})\n",
            esc(&g.baseline),
            bytes(g.before_bytes),
            bytes(g.after_bytes),
            signed_bytes(g.delta_bytes, false)
        ));
    }
    out.push_str(&offenders(report, facts, outcome));
    out.push('\n');
    out.push_str(&outcome.summary_line());
    out.push('\n');
    out
}

fn offenders(report: &Report, facts: &Facts, outcome: &Outcome) -> String {
    let mut out = String::new();
    if !report.waste.is_empty() {
        out.push_str("\nlargest reclaimable files:\n");
        for w in report.waste.iter().take(TOP) {
            out.push_str(&format!(
                "  {:>10}  {}  (layer {}, {})\n",
                bytes(w.bytes),
                esc(&abs(&w.path)),
                w.layer,
                waste_reason(w.reason, w.by_layer)
            ));
        }
    }
    if let Some(findings) = &facts.findings {
        let mut top: Vec<_> = findings.iter().filter(|f| f.savable_bytes > 0).collect();
        top.sort_by_key(|f| std::cmp::Reverse(f.savable_bytes));
        if !top.is_empty() {
            out.push_str("\nlargest findings:\n");
        }
        for f in top.into_iter().take(TOP) {
            out.push_str(&format!(
                "  {:>10}  {} [{}]\n",
                bytes(f.savable_bytes),
                esc(&f.title),
                f.kind
            ));
            if !f.fix.is_empty() {
                out.push_str(&format!("              fix:  {}\n", esc(&f.fix)));
            }
            if !f.explanation.is_empty() {
                out.push_str(&format!("              note: {}\n", esc(&f.explanation)));
            }
        }
    }
    let size_failed = outcome
        .verdicts
        .iter()
        .any(|v| v.status == Status::Fail && v.rule.is_size());
    if size_failed && !report.layers.is_empty() {
        let mut layers: Vec<_> = report.layers.iter().collect();
        layers.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.index.cmp(&b.index)));
        out.push_str("\nlargest layers:\n");
        for l in layers.into_iter().take(5) {
            out.push_str(&format!(
                "  {:>10}  layer {}  {}\n",
                bytes(l.bytes),
                l.index,
                esc(&one_line(&l.command, 100))
            ));
        }
    }
    out
}

/// Report paths are relative to the image root; people read them absolute, as in dive.
pub fn abs(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// A layer command on one line, shell boilerplate dropped (`/bin/sh -c`, `#(nop)`,
/// `# buildkit`), cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut flat = joined.as_str();
    let owned;
    if let Some(rest) = flat.strip_prefix("/bin/sh -c #(nop) ") {
        flat = rest;
    } else if let Some(rest) = flat
        .strip_prefix("/bin/sh -c ")
        .or_else(|| flat.strip_prefix("RUN /bin/sh -c "))
    {
        owned = format!("RUN {rest}");
        flat = &owned;
    }
    let flat = flat.strip_suffix(" # buildkit").unwrap_or(flat).trim();
    if flat.chars().count() <= max {
        flat.to_string()
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn layer_commands_lose_their_boilerplate() {
        use super::one_line;
        assert_eq!(
            one_line("/bin/sh -c #(nop) ADD file:3a in /", 80),
            "ADD file:3a in /"
        );
        assert_eq!(
            one_line("RUN /bin/sh -c apt-get update # buildkit", 80),
            "RUN apt-get update"
        );
        assert_eq!(
            one_line("/bin/sh -c make\n  install", 80),
            "RUN make install"
        );
        assert_eq!(one_line("COPY a b", 5), "COPY…");
    }
}
