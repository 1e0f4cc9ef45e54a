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
