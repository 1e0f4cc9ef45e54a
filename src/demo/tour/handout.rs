//! The tour as text: `--list` (one line a step) and `--markdown` (the handout).

use super::lesson::{change, dockerfile_diff, render};
use super::measure::Measured;
use super::{Road, STEPS};
use crate::units::bytes;

const MINIATURE: &str = "The images are miniatures generated in code (real ELF files, package \
databases, layers and whiteouts; file contents are filler), so their sizes are tens of MiB, not \
the real lesson's hundreds: every number below is measured by microscope on this run's images. \
Beside each step stands the figure the real-world lesson measured, labelled as such.";

/// What a step is compared against, in words.
fn against(index: usize, m: &[Measured]) -> String {
    match (STEPS.get(index).and_then(|s| s.before), m.get(index)) {
        (Some(b), Some(this)) => match m.get(b) {
            Some(prev) => format!("vs step {}: {}", b + 1, change(prev.size, this.size)),
            None => String::new(),
        },
        _ => "the start".into(),
    }
}

/// `microscope tour --list`.
pub fn list(m: &[Measured]) -> String {
    let mut out = String::new();
    for (i, step) in STEPS.iter().enumerate() {
        let Some(this) = m.get(i) else { continue };
        let road = match step.road {
            Road::Main => ' ',
            Road::Side => '~',
        };
        let real = step
            .real_world
            .map(|(b, _)| format!("  [real world: {}]", bytes(b)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>2}{road} {:<14} {:>9}  {}  {}{real}\n",
            i + 1,
            step.id,
            bytes(this.size),
            step.title.trim_start_matches("side road: "),
            against(i, m),
        ));
    }
    out.push_str("(~ a side road; sizes measured on this run's miniature images)\n");
    out
}

/// `microscope tour --markdown`: every step, its Dockerfile, its text, this run's numbers.
pub fn markdown(m: &[Measured]) -> String {
    let mut out = format!("# The micro-image journey, step by step\n\n{MINIATURE}\n\n");
    out.push_str("| # | Step | Size (this run) | Compared | Real-world figure |\n");
    out.push_str("|---:|---|---:|---|---:|\n");
    for (i, step) in STEPS.iter().enumerate() {
        let Some(this) = m.get(i) else { continue };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            i + 1,
            step.title.replace('|', "\\|"),
            bytes(this.size),
            against(i, m),
            step.real_world.map_or("—".into(), |(b, _)| bytes(b)),
        ));
    }
    for (i, step) in STEPS.iter().enumerate() {
        let Some(this) = m.get(i) else { continue };
        out.push_str(&format!("\n## {}. {}\n\n", i + 1, step.title));
        out.push_str(&format!(
            "**This run:** {} ({} bytes, {} layers; {} in the final filesystem)",
            bytes(this.size),
            grouped(this.size),
            this.layers,
            bytes(this.final_bytes),
        ));
        if step.before.is_some() {
            out.push_str(&format!(" — {}", against(i, m)));
        }
        out.push_str(".  \n");
        if let Some((b, what)) = step.real_world {
            out.push_str(&format!(
                "**Real-world figure:** {} ({} bytes), {what}.\n",
                bytes(b),
                grouped(b)
            ));
        }
        out.push_str(&format!("\n{}\n\n", render(i, m)));
        out.push_str(&format!("```dockerfile\n{}```\n", step.dockerfile));
        if let Some(b) = step.before {
            out.push_str(&format!("\nChanged from step {}:\n\n```diff\n", b + 1));
            for (mark, line) in dockerfile_diff(i) {
                out.push_str(&format!("{mark}{line}\n"));
            }
            out.push_str("```\n");
        }
    }
    out
}

/// `968212150` → `968,212,150`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
