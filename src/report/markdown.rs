//! The report as GitHub-flavoured Markdown, sized for a PR comment or a job summary: a
//! summary table, the CI rules (when the gate ran), the top findings with their fixes, the
//! largest reclaimable files, and a per-layer bar chart in Unicode blocks.
//!
//! Everything that comes from the image (paths, layer commands, titles) is untrusted: it is
//! escaped so that it can neither break a table nor inject HTML or links into the comment.

use super::Report;
use super::ci::text::{TOP, abs, one_line, waste_reason};
use super::ci::{Facts, Outcome, Status, signed_bytes};
use super::escape::{markdown as text, md_code as code, md_code_span as code_span, md_fix as fix};
use super::text::bytes;

/// Width of the layer bar chart, in character cells.
const BAR_CELLS: usize = 24;

pub fn render(report: &Report, facts: &Facts, outcome: Option<&Outcome>) -> String {
    let mut out = String::new();
    let title = match outcome {
        None => String::new(),
        Some(o) if o.passed => " — ✅ CI gate passed".into(),
        Some(o) => format!(
            " — ❌ CI gate failed ({} of {} {})",
            o.failed,
            o.verdicts.len(),
            if o.verdicts.len() == 1 {
                "rule"
            } else {
                "rules"
            }
        ),
    };
    out.push_str(&format!(
        "## microscope: {}{title}\n\n",
        code_span(&report.image.reference, false)
    ));
    summary(&mut out, report, facts, outcome);
    if let Some(o) = outcome {
        rules(&mut out, o);
    }
    out.push_str(&super::rewrite::markdown(report));
    findings(&mut out, facts);
    waste(&mut out, report);
    layers(&mut out, report);
    out
}

fn summary(out: &mut String, r: &Report, facts: &Facts, outcome: Option<&Outcome>) {
    let s = &r.size;
    let mut rows = vec![
        ("Platform", text(&r.image.platform)),
        ("Layers", r.layers.len().to_string()),
        (
            "Layer bytes (all layers, uncompressed)",
            bytes(s.layers_bytes),
        ),
        ("Final filesystem", bytes(s.final_bytes)),
        (
            "Reclaimable (hidden by later layers)",
            bytes(s.reclaimable_bytes),
        ),
        ("Efficiency", format!("{:.2} %", s.efficiency * 100.0)),
        (
            if facts.stored_uncompressed {
                "Blobs (uncompressed tars)"
            } else {
                "Compressed (pulled)"
            },
            match super::text::compressed_exceeds_why(r) {
                Some(why) => format!("{} ({why})", bytes(s.compressed_bytes)),
                None => bytes(s.compressed_bytes),
            },
        ),
    ];
    if let Some(b) = facts.savable_bytes {
        rows.push(("Savable by the fixes below", bytes(b)));
    }
    let growth = outcome.and_then(|o| o.growth.as_ref());
    let growth_row = growth.map(|g| {
        let pct = g
            .delta_percent
            .map(|p| format!(", {p:+.2} %"))
            .unwrap_or_default();
        (
            format!("vs baseline {}", code(&g.baseline)),
            format!(
                "{} → {} ({}{pct})",
                bytes(g.before_bytes),
                bytes(g.after_bytes),
                text(&signed_bytes(g.delta_bytes, false))
            ),
        )
    });
    out.push_str("| | |\n| --- | --- |\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    if let Some((k, v)) = growth_row {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out.push('\n');
}

fn rules(out: &mut String, o: &Outcome) {
    out.push_str("### Rules\n\n");
    if o.verdicts.is_empty() {
        out.push_str("No rules enabled.\n\n");
    } else {
        out.push_str("| | Rule | Measured | Threshold | Note |\n| --- | --- | --- | --- | --- |\n");
        for v in &o.verdicts {
            let icon = match v.status {
                Status::Pass => "✅ PASS",
                Status::Fail => "❌ FAIL",
                Status::Skip => "⏭️ SKIP",
            };
            let mut note = v.note.as_deref().map(text).unwrap_or_default();
            for off in v.offenders.iter().take(TOP) {
                if !note.is_empty() {
                    note.push_str("<br>");
                }
                note.push_str(&format!("• {}", text(off)));
            }
            if v.offenders.len() > TOP {
                note.push_str(&format!("<br>… and {} more", v.offenders.len() - TOP));
            }
            out.push_str(&format!(
                "| {icon} | `{}` | {} | {} | {note} |\n",
                v.rule,
                text(&v.measured),
                text(&v.threshold)
            ));
        }
        out.push('\n');
    }
    for n in &o.notes {
        out.push_str(&format!("> {}\n", text(n)));
    }
    if !o.notes.is_empty() {
        out.push('\n');
    }
}

fn findings(out: &mut String, facts: &Facts) {
    let Some(all) = &facts.findings else { return };
    let mut top: Vec<_> = all.iter().filter(|f| f.savable_bytes > 0).collect();
    if top.is_empty() {
        return;
    }
    top.sort_by_key(|f| std::cmp::Reverse(f.savable_bytes));
    out.push_str(
        "### Top findings\n\n| Saves | Finding | Layer | Fix |\n| ---: | --- | ---: | --- |\n",
    );
    for f in top.into_iter().take(TOP) {
        out.push_str(&format!(
            "| {} | {} ({}) | {} | {} |\n",
            bytes(f.savable_bytes),
            text(&f.title),
            code(&f.kind),
            f.layer.map(|l| l.to_string()).unwrap_or_default(),
            fix_cell(&f.fix, &f.explanation)
        ));
    }
    out.push('\n');
}

fn waste(out: &mut String, r: &Report) {
    if r.waste.is_empty() {
        return;
    }
    out.push_str("### Largest reclaimable files\n\n| Bytes | Path | Stored in | Why |\n| ---: | --- | ---: | --- |\n");
    for w in r.waste.iter().take(TOP) {
        out.push_str(&format!(
            "| {} | {} | layer {} | {} |\n",
            bytes(w.bytes),
            code(&abs(&w.path)),
            w.layer,
            waste_reason(w.reason, w.by_layer)
        ));
    }
    out.push('\n');
}

fn layers(out: &mut String, r: &Report) {
    if r.layers.is_empty() {
        return;
    }
    let max = r.layers.iter().map(|l| l.bytes).max().unwrap_or(0);
    let idx_w = (r.layers.len() - 1).to_string().len();
    out.push_str("### Layers\n\n```text\n");
    for l in &r.layers {
        let size = bytes(l.bytes);
        // Commands are flattened to one line, so none can start a line with a fence.
        let line = format!(
            "{:>idx_w$} {} {size:>10}  {}",
            l.index,
            bar(l.bytes, max, BAR_CELLS),
            super::escape::text(&one_line(&l.command, 72))
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("```\n");
}

/// A horizontal bar `value/max` of `cells` cells, drawn in eighth blocks. Any non-zero value
/// gets at least an eighth, so a small layer is never confused with an empty one.
pub fn bar(value: u64, max: u64, cells: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = if max == 0 || value == 0 {
        0
    } else {
        let total = (cells * 8) as u128;
        let e = (value as u128 * total + max as u128 / 2) / max as u128;
        (e.max(1) as usize).min(cells * 8)
    };
    let full = eighths / 8;
    let mut s = "█".repeat(full);
    s.push_str(PARTS[eighths % 8]);
    let used = full + usize::from(eighths % 8 != 0);
    s.push_str(&" ".repeat(cells - used));
    s
}

/// A findings table's Fix cell: the line to paste as code, then the explanation as prose.
fn fix_cell(line: &str, explanation: &str) -> String {
    match (line.is_empty(), explanation.is_empty()) {
        (false, false) => format!("{} — {}", code(line), fix(explanation)),
        (false, true) => code(line),
        _ => fix(explanation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_in_eighths() {
        assert_eq!(bar(8, 8, 2), "██");
        assert_eq!(bar(1, 2, 2), "█ ");
        assert_eq!(bar(1, 16, 2), "▏ ");
        assert_eq!(bar(0, 16, 2), "  ");
        assert_eq!(bar(1, u64::MAX, 2), "▏ ", "tiny but not zero");
        assert_eq!(bar(3, 8, 1), "▍");
    }
}
