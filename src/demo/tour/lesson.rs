//! Lesson templates filled with measured numbers, and the Dockerfile diff between steps.
//!
//! Placeholders: `{size}` (this step's image), `{before}` (the step compared against),
//! `{saved}`, `{saved_pct}`, `{change}` ("saves X (Y %)" or "adds X"), `{of_start}` (this
//! size as a share of step 1), `{promise}` (what the step before's finding of the step's
//! promise kind said it would save), `{this.KIND}` / `{prev.KIND}` (bytes the findings of
//! KIND name), `{prev.pull.KIND}` (their estimated saving on the pull), `{this.rewrite}`
//! (the rewrite's predicted size), `{this.program}` (the program as the rewrite reads it),
//! `{this.missing}`. A name not known renders as `{?name}`, which a test forbids.

use super::measure::Measured;
use super::{STEPS, Step};
use crate::units::bytes;

/// The lesson text of step `index`, its numbers from `measured` (one per step).
pub fn render(index: usize, measured: &[Measured]) -> String {
    let Some(step) = STEPS.get(index) else {
        return String::new();
    };
    let mut out = String::new();
    let mut rest = step.lesson;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        out.push_str(&value(step, index, name, measured).unwrap_or_else(|| format!("{{?{name}}}")));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p < 1.0 {
        format!("{p:.2} %")
    } else {
        format!("{p:.1} %")
    }
}

/// "saves 1.2 MiB (40.0 %)", "adds 240 KiB", "saves nothing".
pub fn change(before: u64, after: u64) -> String {
    match before.cmp(&after) {
        std::cmp::Ordering::Greater => format!(
            "saves {} ({})",
            bytes(before - after),
            pct(before - after, before)
        ),
        std::cmp::Ordering::Less => format!("adds {}", bytes(after - before)),
        std::cmp::Ordering::Equal => "saves nothing".into(),
    }
}

fn value(step: &Step, index: usize, name: &str, m: &[Measured]) -> Option<String> {
    let this = m.get(index)?;
    let prev = step.before.and_then(|b| m.get(b));
    let start = m.first()?;
    Some(match name {
        "size" => bytes(this.size),
        "before" => bytes(prev?.size),
        "saved" => bytes(prev?.size.saturating_sub(this.size)),
        "saved_pct" => pct(prev?.size.saturating_sub(this.size), prev?.size),
        "change" => change(prev?.size, this.size),
        "of_start" => pct(this.size, start.size),
        "promise" => bytes(prev?.finding(step.promise?)),
        "this.rewrite" => bytes(this.rewrite.as_ref()?.1),
        "this.program" => crate::report::escape::text(this.program.as_deref()?).to_string(),
        "this.missing" if this.missing.is_empty() => "nothing missing".into(),
        "this.missing" => crate::report::escape::text(&this.missing.join(", ")).to_string(),
        _ => {
            if let Some(kind) = name.strip_prefix("prev.pull.") {
                bytes(prev?.pull(kind))
            } else if let Some(kind) = name.strip_prefix("this.") {
                bytes(this.finding(kind))
            } else {
                bytes(prev?.finding(name.strip_prefix("prev.")?))
            }
        }
    })
}

/// A line diff of two Dockerfiles: (' ' | '-' | '+', line), by longest common subsequence.
pub fn diff<'a>(old: &'a str, new: &'a str) -> Vec<(char, &'a str)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: common lines of a[i..] and b[j..]; Dockerfiles are a few lines long.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', a[i]));
            i += 1;
        } else {
            out.push(('+', b[j]));
            j += 1;
        }
    }
    out
}

/// Step `index`'s Dockerfile as a diff against the step it is compared with (all `+` lines
/// for a first step).
pub fn dockerfile_diff(index: usize) -> Vec<(char, &'static str)> {
    let Some(step) = STEPS.get(index) else {
        return Vec::new();
    };
    let before = step
        .before
        .and_then(|b| STEPS.get(b))
        .map_or("", |s| s.dockerfile);
    diff(before, step.dockerfile)
}
