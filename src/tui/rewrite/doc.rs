//! The Rewrite pane as lines: the answer, base and why, the program, the sizes (and what
//! the Dockerfile as written builds when that differs), every copied file, what it may need
//! and assumes, the alternatives, and the Dockerfile `--rewrite` prints. One cursor moves
//! over all of them; a file's line jumps to it in the tree.

use crate::analysis::rewrite::{Rewrite, Stage};
use crate::report::rewrite as answer;
use crate::tui::widgets::bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A section title.
    Heading,
    /// The answer itself.
    Answer,
    Text,
    /// The copy at this index of `Rewrite::files`.
    File(usize),
    Dockerfile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: Kind,
    pub text: String,
}

fn line(kind: Kind, text: impl Into<String>) -> Line {
    Line {
        kind,
        text: text.into(),
    }
}

/// The pane's lines for a rewrite, or for why there is none.
pub fn lines(rewrite: &Result<Rewrite, String>) -> Vec<Line> {
    let r = match rewrite {
        Ok(r) => r,
        Err(why) => {
            return vec![
                line(Kind::Heading, "No rewrite proposed"),
                line(Kind::Text, why.clone()),
            ];
        }
    };
    let mut out = summary(r);
    out.extend(copied(r));
    out.extend(notes(r));
    out.extend(dockerfile_lines(r));
    out
}

/// The answer, today's and the predicted bytes, the base and the program.
fn summary(r: &Rewrite) -> Vec<Line> {
    let mut out = vec![
        line(Kind::Answer, answer::headline(r)),
        line(
            Kind::Text,
            format!("today {} of files", bytes(r.current_bytes)),
        ),
        line(Kind::Text, format!("base {}: {}", r.base, r.reason)),
        line(
            Kind::Text,
            format!("program {}: {}", r.program.path, r.program.kind),
        ),
        line(
            Kind::Text,
            format!(
                "predicted {} of files ({} base), about {} compressed",
                bytes(r.predicted_bytes),
                bytes(r.base_bytes),
                bytes(r.predicted_compressed_bytes)
            ),
        ),
    ];
    if let Some(w) = answer::as_written(r) {
        out.push(line(Kind::Text, w));
    }
    out
}

/// Every copied file, each a line Enter can follow into the tree.
fn copied(r: &Rewrite) -> Vec<Line> {
    let head = line(
        Kind::Heading,
        format!(
            "Copied ({}) · Enter shows one in the tree · r marks them all",
            r.files.len()
        ),
    );
    std::iter::once(head)
        .chain(
            r.files
                .iter()
                .enumerate()
                .map(|(i, f)| line(Kind::File(i), file_text(f))),
        )
        .collect()
}

/// What the rewrite may need, assumes, applies and misses, and the other bases.
fn notes(r: &Rewrite) -> Vec<Line> {
    let mut out = Vec::new();
    let lists = [
        ("May need", &r.may_also_need),
        ("Assumes", &r.assumptions),
        ("Advice the prediction applies", &r.advice),
        ("Missing", &r.missing),
    ];
    for (title, items) in lists {
        if !items.is_empty() {
            out.push(line(Kind::Heading, title));
            out.extend(items.iter().map(|i| line(Kind::Text, format!("- {i}"))));
        }
    }
    if !r.alternatives.is_empty() {
        out.push(line(Kind::Heading, "Instead"));
        out.extend(r.alternatives.iter().map(|a| {
            line(
                Kind::Text,
                format!("{} {}: {}", a.base, bytes(a.predicted_bytes), a.note),
            )
        }));
    }
    out
}

/// The Dockerfile as `--rewrite` prints it, under its heading.
fn dockerfile_lines(r: &Rewrite) -> Vec<Line> {
    let head = line(
        Kind::Heading,
        "Dockerfile (as --rewrite prints it) · Y copies · s writes to a file",
    );
    std::iter::once(head)
        .chain(
            answer::text(r)
                .lines()
                .map(|l| line(Kind::Dockerfile, l.to_string())),
        )
        .collect()
}

/// `  1.2 MiB  /usr/bin/bash [stripped] (was 2.0 MiB)  the program`
pub fn file_text(f: &crate::analysis::rewrite::CopiedPath) -> String {
    let stage = match f.from {
        Stage::Source => "",
        Stage::Build => " [rebuilt]",
        Stage::Strip => " [stripped]",
    };
    let what = if f.dir {
        let s = if f.files == 1 { "" } else { "s" };
        format!("{}/ ({} file{s})", f.path.trim_end_matches('/'), f.files)
    } else {
        f.path.clone()
    };
    let was = if f.predicted_bytes != f.bytes {
        format!(" (was {})", bytes(f.bytes))
    } else {
        String::new()
    };
    format!(
        "{:>9}  {what}{stage}{was}  {}",
        bytes(f.predicted_bytes),
        f.why
    )
}

/// The Dockerfile text as `--rewrite` prints it: what `Y` copies and `s` writes.
pub fn dockerfile(rewrite: &Result<Rewrite, String>) -> Option<String> {
    rewrite.as_ref().ok().map(answer::text)
}
