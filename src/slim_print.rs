//! What `microscope slim` prints: the sizes against the prediction, each strip, the
//! digests, what may also be needed, and the compare summary with the original.

use crate::cli::SlimArgs;
use anyhow::Result;
use microscope::analysis::compare::{Side, compare};
use microscope::analysis::rewrite::Rewrite;
use microscope::analysis::{self as analysis_mod, Analysis};
use microscope::image::Image;
use microscope::reference::ImageRef;
use microscope::report::text::bytes;
use microscope::slim;
use microscope::slim::plan::Plan;
use microscope::slim::strip::Tool;
use microscope::slim::write::Written;
use microscope::source::SourceOptions;
use std::fmt::Write as _;

/// `1234567` → `1,234,567`: sizes that must agree are shown to the byte.
pub fn exact(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn print_written(
    args: &SlimArgs,
    rw: &Rewrite,
    plan: &Plan,
    w: &Written,
    tool: Option<&Tool>,
) -> String {
    let mut out = String::new();
    let [files, dirs, links, hard] = plan.counts();
    let _ = writeln!(
        out,
        "microscope slim: wrote {} ({}) from {}",
        args.output
            .iter()
            .chain(&args.push)
            .cloned()
            .collect::<Vec<_>>()
            .join(" and "),
        w.tag,
        args.image
    );
    let _ = writeln!(
        out,
        "  one layer on {}: {files} files, {dirs} directories, {links} symlinks, {hard} hard links",
        rw.base
    );
    out += &size_lines(plan, w);
    out += &strip_lines(rw, w, tool);
    let strip_saved: u64 = unique_stripped(w).map(|s| s.before - s.after).sum();
    if strip_saved > 0 {
        let _ = writeln!(out, "  strip saved {} B in all", exact(strip_saved));
    }
    let _ = writeln!(out, "  manifest {}", w.digests.manifest);
    if let Some(url) = &w.pushed {
        let _ = writeln!(out, "  pushed   {url}");
    }
    let _ = writeln!(out, "  config   {}", w.digests.config);
    let _ = writeln!(
        out,
        "  layer    {} (diff_id {})",
        w.layer.gzip_digest, w.layer.diff_id
    );
    for n in &plan.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    for a in rw
        .assumptions
        .iter()
        .filter(|a| a.starts_with("--include-path"))
    {
        let _ = writeln!(out, "  note: {a}");
    }
    let _ = writeln!(out, "  /tmp exists (mode 1777), and every parent directory");
    // slim writes /tmp itself: the rewrite's advice about it is taken.
    let may: Vec<&String> = rw
        .may_also_need
        .iter()
        .filter(|m| !m.starts_with("/tmp (mode 1777)"))
        .collect();
    if !may.is_empty() {
        let _ = writeln!(
            out,
            "  static analysis cannot see everything; the rewrite says it may also need (add with --include-path PATH):"
        );
        for m in may {
            let _ = writeln!(out, "    - {m}");
        }
    }
    out
}

/// The files read against the rewrite's copies, written against the prediction, and the
/// layer's real sizes.
fn size_lines(plan: &Plan, w: &Written) -> String {
    let mut out = String::new();
    let written = w.layer.file_bytes;
    let agree = if plan.file_bytes == plan.rewrite_bytes {
        "the copies the rewrite counted, to the byte"
    } else {
        "NOT what the rewrite counted"
    };
    let _ = writeln!(
        out,
        "  files read:  {} B ({agree}: {} B)",
        exact(plan.file_bytes),
        exact(plan.rewrite_bytes)
    );
    let verdict = match written.cmp(&plan.predicted_bytes) {
        std::cmp::Ordering::Equal => "exactly as predicted".to_string(),
        std::cmp::Ordering::Greater => format!(
            "{} B more than predicted",
            exact(written - plan.predicted_bytes)
        ),
        std::cmp::Ordering::Less => format!(
            "{} B less than predicted",
            exact(plan.predicted_bytes - written)
        ),
    };
    let _ = writeln!(
        out,
        "  files written: {} B, predicted {} B: {verdict}",
        exact(written),
        exact(plan.predicted_bytes)
    );
    let _ = writeln!(
        out,
        "  layer: {} B tar, {} B gzip (the rewrite estimated about {} B compressed)",
        exact(w.layer.tar_bytes),
        exact(w.layer.gzip_bytes),
        exact(plan.predicted_compressed_bytes)
    );
    out
}

/// One line per file the rewrite predicts stripped: stripped, or copied and why.
fn strip_lines(rw: &Rewrite, w: &Written, tool: Option<&Tool>) -> String {
    let mut out = String::new();
    for s in &w.stripped {
        let predicted = rw
            .files
            .iter()
            .find(|c| c.path == s.path)
            .map_or(0, |c| c.predicted_bytes);
        let _ = match (&s.unstripped, tool) {
            (None, Some(t)) => writeln!(
                out,
                "  stripped {}: {} → {} B with {} (predicted {} B)",
                s.path,
                exact(s.before),
                exact(s.after),
                t.describe(),
                exact(predicted)
            ),
            (why, _) => writeln!(
                out,
                "  copied {} unstripped ({} B; predicted stripped {} B): {}",
                s.path,
                exact(s.before),
                exact(predicted),
                why.as_deref().unwrap_or("no strip tool")
            ),
        };
    }
    out
}

/// Control characters of the image's own strings (paths, notes) shown as U+FFFD: the
/// output goes to a terminal or a CI log.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Each stripped content once (a file copied under two names is counted once).
fn unique_stripped(w: &Written) -> impl Iterator<Item = &slim::write::Stripped> {
    w.stripped.iter().filter(|s| s.unstripped.is_none())
}

/// The compare summary: the written image read back and analysed like any image.
pub fn compare_with(
    image: &Image,
    analysis: &Analysis,
    readback: &str,
    opts: &SourceOptions,
    w: &Written,
) -> Result<String> {
    let reference = ImageRef::parse(readback)?;
    let src = microscope::source::open(&reference, opts)?;
    let slim_image = microscope::jobs::load_image(&*src, &Default::default())?;
    let slim_analysis = analysis_mod::analyze(&slim_image);
    let c = compare(
        Side::new(image, analysis),
        Side::new(&slim_image, &slim_analysis),
    );
    let s = &c.summary;
    let row = |what: &str, l: u64, r: u64, as_bytes: bool| {
        let show = |n| {
            if as_bytes {
                format!("{} ({} B)", bytes(n), exact(n))
            } else {
                exact(n)
            }
        };
        let pct = if l > 0 {
            format!(" ({:+.1} %)", (r as f64 - l as f64) * 100.0 / l as f64)
        } else {
            String::new()
        };
        format!("  {what:<12} {} → {}{pct}\n", show(l), show(r))
    };
    let mut out = String::from("compare with the original (read back from the output):\n");
    out += &row("final bytes", s.final_bytes.left, s.final_bytes.right, true);
    // The read-back blob of a `docker save` archive is a plain tar: the gzip written for
    // the OCI forms is what a push stores.
    out += &row(
        "compressed",
        s.compressed_bytes.left,
        w.layer.gzip_bytes,
        true,
    );
    out += &row("files", s.files.left, s.files.right, false);
    out += &row("layers", s.layers.left, s.layers.right, false);
    out += &row("packages", s.packages.left, s.packages.right, false);
    Ok(out)
}
