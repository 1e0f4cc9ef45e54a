//! `--rewrite` as text: the Dockerfile, then the prediction as Dockerfile comments, so the
//! whole output can be redirected into a file and built.

use crate::analysis::rewrite::{Rewrite, Stage};
use crate::units::{bytes, bytes_exact, plural};

fn percent(new: u64, old: u64) -> String {
    if old == 0 {
        return String::new();
    }
    format!(
        " ({:+.1} %)",
        (new as f64 - old as f64) * 100.0 / old as f64
    )
}

/// The Dockerfile followed by the prediction, every added line a comment.
pub fn text(r: &Rewrite) -> String {
    let mut out = r.dockerfile.clone();
    // Every comment quotes the image (paths, notes): one line each, controls shown.
    let mut c = |s: String| {
        out.push_str("# ");
        out.push_str(&super::escape::text(&s));
        out.push('\n');
    };
    c(String::new());
    c(format!("base        {}", r.base));
    c(format!("reason      {}", r.reason));
    c(format!(
        "program     {} ({})",
        r.program.path, r.program.kind
    ));
    c(format!(
        "predicted   {} of files{}, today {}; about {} compressed",
        bytes_exact(r.predicted_bytes),
        percent(r.predicted_bytes, r.current_bytes),
        bytes_exact(r.current_bytes),
        bytes(r.predicted_compressed_bytes)
    ));
    if r.base_bytes > 0 {
        let approx = if r.base_size_exact { "" } else { "about " };
        c(format!("  base      {approx}{}", bytes_exact(r.base_bytes)));
    }
    for f in &r.files {
        let stage = match f.from {
            Stage::Source => "",
            Stage::Build => " [rebuilt]",
            Stage::Strip => " [stripped]",
        };
        let was = if f.predicted_bytes != f.bytes {
            format!(" (was {})", bytes(f.bytes))
        } else {
            String::new()
        };
        let what = if f.dir {
            format!("{}/ ({})", f.path, plural(f.files as u64, "file", "files"))
        } else {
            f.path.clone()
        };
        c(format!(
            "  {:>10}  {what}{stage}{was}: {}",
            bytes(f.predicted_bytes),
            f.why
        ));
    }
    let lists = [
        ("advice", &r.advice),
        ("assumes", &r.assumptions),
        ("may need", &r.may_also_need),
        ("missing", &r.missing),
    ];
    for (title, items) in lists {
        for (i, item) in items.iter().enumerate() {
            let head = if i == 0 { title } else { "" };
            c(format!("{head:<11} - {item}"));
        }
    }
    for (i, a) in r.alternatives.iter().enumerate() {
        let head = if i == 0 { "instead" } else { "" };
        c(format!(
            "{head:<11} - {}: {}: {}",
            a.base,
            bytes_exact(a.predicted_bytes),
            a.note
        ));
    }
    out
}

/// A rewrite saving less than this share of today's bytes is no rewrite: the image already
/// holds little more than what runs (micro-latest: 683 B of 4.8 MB).
const MINIMAL_SAVING: f64 = 0.01;

/// True when the rewrite would save (almost) nothing.
pub fn already_minimal(r: &Rewrite) -> bool {
    let saving = r.current_bytes.saturating_sub(r.predicted_bytes);
    (saving as f64) < r.current_bytes as f64 * MINIMAL_SAVING
}

/// `−97.8 %` (a true minus sign), `+3.1 %`; empty when there is nothing to compare with.
pub fn change_percent(new: u64, old: u64) -> String {
    if old == 0 {
        return String::new();
    }
    let p = (new as f64 - old as f64) * 100.0 / old as f64;
    if p < 0.0 {
        format!("−{:.1} %", -p)
    } else {
        format!("+{p:.1} %")
    }
}

/// The base without its registry: `distroless/base-debian12`.
fn short_base(base: &str) -> &str {
    base.strip_prefix("gcr.io/").unwrap_or(base)
}

/// The one-line answer to "how small could it be", longest form first, each shorter one
/// for a narrower line: `could be 3.4 MiB on scratch (−97.8 %) · 1.5 MiB to pull`.
pub fn answers(r: &Rewrite) -> [String; 3] {
    let size = bytes(r.predicted_bytes);
    let pct = change_percent(r.predicted_bytes, r.current_bytes);
    let pct = if pct.is_empty() {
        pct
    } else {
        format!(" ({pct})")
    };
    if already_minimal(r) {
        let same = r.predicted_bytes.abs_diff(r.current_bytes) * 2000 < r.current_bytes;
        let would = if same {
            format!("the same size ({size})")
        } else {
            format!("{size}{pct}")
        };
        return [
            format!(
                "already minimal: a rewrite on {} would be {would}",
                short_base(&r.base)
            ),
            "already minimal".into(),
            "minimal".into(),
        ];
    }
    [
        format!(
            "could be {size} on {}{pct} · {} to pull",
            r.base,
            bytes(r.predicted_compressed_bytes)
        ),
        format!("could be {size} on {}{pct}", short_base(&r.base)),
        format!("→ {size}{pct}"),
    ]
}

/// The answer as one line: what the app's header, the text summary and the Markdown
/// report all say.
pub fn headline(r: &Rewrite) -> String {
    let [full, ..] = answers(r);
    full
}

/// When the Dockerfile as written builds more than the prediction, in words.
pub fn as_written(r: &Rewrite) -> Option<String> {
    let built = r.as_written_bytes();
    (built > r.predicted_bytes).then(|| {
        format!(
            "the Dockerfile as written builds {}: the image has no strip and no toolchain, so the advice the prediction assumes is left for your build",
            bytes(built)
        )
    })
}

/// The last line of the text summary: the answer, and the flag that prints the Dockerfile.
pub fn summary_line(report: &super::Report) -> String {
    match &report.rewrite {
        Some(r) => format!(
            "rewrite     {} (--rewrite prints the Dockerfile)\n",
            headline(r)
        ),
        None => format!("rewrite     none proposed: {}\n", no_rewrite_reason(report)),
    }
}

/// Why there is no rewrite: the refusal the analysis returned, or for a report read back
/// from JSON (which carries it only among its warnings) the warning that says it.
pub fn no_rewrite_reason(report: &super::Report) -> &str {
    report
        .rewrite_refusal
        .as_deref()
        .or_else(|| {
            report
                .warnings
                .iter()
                .find_map(|w| w.strip_prefix("no rewrite proposed: "))
        })
        .unwrap_or("no program found")
}

/// The Markdown report's "How small could it be" section: the answer, the base and why, and
/// the Dockerfile in a collapsed block. The base's reason and the Dockerfile carry names
/// from the image, so the prose is escaped and the fence outlasts any backticks inside.
pub fn markdown(report: &super::Report) -> String {
    markdown_of(report.rewrite.as_ref(), no_rewrite_reason(report))
}

fn markdown_of(rewrite: Option<&Rewrite>, why_none: &str) -> String {
    use super::escape::{markdown as md, md_code_span as code_span};
    let mut out = String::from("### How small could it be\n\n");
    let Some(r) = rewrite else {
        out.push_str(&format!("No rewrite proposed: {}.\n\n", md(why_none)));
        return out;
    };
    out.push_str(&format!("**{}**\n\n", md(&headline(r))));
    out.push_str(&format!(
        "Base {}: {}. Program {} ({}).",
        code_span(&r.base, false),
        md(&r.reason),
        code_span(&r.program.path, false),
        md(&r.program.kind)
    ));
    if let Some(w) = as_written(r) {
        out.push_str(&format!(" Note: {}.", md(&w)));
    }
    out.push_str("\n\n");
    let body = text(r);
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    out.push_str("<details><summary>Dockerfile (<code>--rewrite</code> prints it)</summary>\n\n");
    out.push_str(&format!(
        "{fence}dockerfile\n{body}{fence}\n\n</details>\n\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rewrite::CopiedPath;

    fn rewrite(current: u64, predicted: u64) -> Rewrite {
        Rewrite {
            base: "scratch".into(),
            current_bytes: current,
            predicted_bytes: predicted,
            predicted_compressed_bytes: 1_572_864,
            ..Rewrite::default()
        }
    }

    #[test]
    fn the_answer_reads_as_the_issue_spells_it() {
        let r = rewrite(164_038_815, 3_611_462);
        assert_eq!(
            headline(&r),
            "could be 3.4 MiB on scratch (−97.8 %) · 1.5 MiB to pull"
        );
        let [_, medium, short] = answers(&r);
        assert_eq!(medium, "could be 3.4 MiB on scratch (−97.8 %)");
        assert_eq!(short, "→ 3.4 MiB (−97.8 %)");
        let micro = rewrite(4_809_593, 4_808_910);
        assert!(already_minimal(&micro));
        assert_eq!(
            headline(&micro),
            "already minimal: a rewrite on scratch would be the same size (4.6 MiB)"
        );
    }

    #[test]
    fn as_written_counts_the_strip_it_cannot_apply() {
        let mut r = rewrite(6_854_620, 4_808_910);
        assert_eq!(as_written(&r), None);
        r.files.push(CopiedPath {
            path: "/server".into(),
            bytes: 6_854_620,
            predicted_bytes: 4_808_910,
            ..CopiedPath::default()
        });
        assert_eq!(r.as_written_bytes(), 4_808_910 + 2_045_710);
        assert!(as_written(&r).is_some_and(|s| s.contains("builds 6.5 MiB")));
    }

    #[test]
    fn markdown_fences_outlast_the_image_s_backticks() {
        let mut r = rewrite(164_038_815, 3_611_462);
        r.dockerfile = "FROM scratch\nCOPY --from=source [\"/a```b\", \"/\"]\n".into();
        r.reason = "<script>x</script>".into();
        let md = markdown_of(Some(&r), "");
        assert!(md.contains("````dockerfile\n"), "{md}");
        assert!(md.contains("&lt;script&gt;"), "{md}");
        assert!(md.contains("<details>") && md.contains("</details>"));
    }
}
