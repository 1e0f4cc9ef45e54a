//! The comparison as GitHub-flavoured Markdown, fit for a pull-request comment: the
//! headline and the summary table in view, the details folded.

use super::CompareReport;
use super::text::{
    Namer, glyph, headline, short_command, signed_bytes, status_words, summary_rows, total_rows,
};
use crate::report::escape::{markdown as prose, md_code as code, md_fix as fix};
use crate::report::text::bytes;
use std::fmt::Write;

/// How many rows the folded tables show.
const ROWS: usize = 15;

pub fn render(r: &CompareReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "### microscope: {} → {}\n",
        code(&r.left.image.reference),
        code(&r.right.image.reference)
    );
    let mut head = headline(
        r,
        &Namer {
            path: &code,
            name: &prose,
        },
    );
    if let Some(first) = head.get(..1) {
        head = first.to_uppercase() + &head[1..];
    }
    let _ = writeln!(o, "**{head}.**\n");
    let _ = writeln!(o, "| | left | right | Δ |\n| --- | ---: | ---: | ---: |");
    for [label, l, rt, d] in summary_rows(r) {
        let _ = writeln!(o, "| {label} | {l} | {rt} | {d} |");
    }
    layers(&mut o, r);
    files(&mut o, r);
    packages(&mut o, r);
    findings(&mut o, r);
    o
}

fn layers(o: &mut String, r: &CompareReport) {
    let ld = &r.diff.layers;
    let base = match ld.shared_base {
        0 => "no shared base".to_string(),
        1 => "1 shared base layer".to_string(),
        n => format!("{n} shared base layers"),
    };
    let _ = writeln!(
        o,
        "\n<details><summary>Layers: {base}, {} shared in all ({})</summary>\n",
        ld.shared,
        bytes(ld.shared_bytes)
    );
    let _ = writeln!(o, "| left | right | Δ |\n| --- | --- | ---: |");
    let cell = |rep: &crate::report::Report, i: Option<usize>| {
        i.and_then(|i| rep.layers.get(i))
            .map_or(String::new(), |l| {
                format!(
                    "{}: {} {}",
                    l.index,
                    code(&short_command(&l.command, 60)),
                    bytes(l.bytes)
                )
            })
    };
    for row in &ld.rows {
        let right = if row.shared {
            "= same layer".to_string()
        } else {
            cell(&r.right, row.right)
        };
        let _ = writeln!(
            o,
            "| {} | {right} | {} |",
            cell(&r.left, row.left),
            signed_bytes(row.delta)
        );
    }
    let _ = writeln!(o, "\n</details>");
}

fn files(o: &mut String, r: &CompareReport) {
    let f = &r.diff.files;
    let _ = writeln!(
        o,
        "\n<details><summary>Files: {} removed, {} added, {} changed</summary>\n",
        f.totals.only_left.entries, f.totals.only_right.entries, f.totals.changed.entries
    );
    let _ = writeln!(
        o,
        "| | entries | left | right | Δ |\n| --- | ---: | ---: | ---: | ---: |"
    );
    for (status, t) in total_rows(r) {
        let _ = writeln!(
            o,
            "| {} {} | {} | {} | {} | {} |",
            glyph(status),
            status_words(status),
            t.entries,
            bytes(t.left_bytes),
            bytes(t.right_bytes),
            signed_bytes(t.delta)
        );
    }
    if !f.top.is_empty() {
        let _ = writeln!(
            o,
            "\nLargest changes:\n\n| | path | left | right | Δ |\n| --- | --- | ---: | ---: | ---: |"
        );
        for c in f.top.iter().take(ROWS) {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                glyph(c.status),
                code(&c.path),
                bytes(c.left_bytes),
                bytes(c.right_bytes),
                signed_bytes(c.delta)
            );
        }
    }
    let _ = writeln!(o, "\n</details>");
}

fn packages(o: &mut String, r: &CompareReport) {
    let p = &r.diff.packages;
    if p.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n<details><summary>Packages: {} added, {} removed, {} changed</summary>\n",
        p.added.len(),
        p.removed.len(),
        p.changed.len()
    );
    let _ = writeln!(
        o,
        "| | package | left | right | Δ |\n| --- | --- | --- | --- | ---: |"
    );
    let rows = p
        .added
        .iter()
        .map(|c| ('+', c))
        .chain(p.removed.iter().map(|c| ('-', c)))
        .chain(p.changed.iter().map(|c| ('~', c)));
    for (g, c) in rows.take(ROWS * 2) {
        let v = |v: &Option<String>| v.as_deref().map(code).unwrap_or_default();
        let _ = writeln!(
            o,
            "| {g} | {} ({}) | {} | {} | {} |",
            code(&c.name),
            c.manager,
            v(&c.left_version),
            v(&c.right_version),
            signed_bytes(c.delta)
        );
    }
    let _ = writeln!(o, "\n</details>");
}

fn findings(o: &mut String, r: &CompareReport) {
    let f = &r.diff.findings;
    if f.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n<details><summary>Findings: {} kinds fixed, {} new, {} on both sides</summary>\n",
        f.only_left.len(),
        f.only_right.len(),
        f.both.len()
    );
    let _ = writeln!(
        o,
        "| | finding | savable | fix |\n| --- | --- | ---: | --- |"
    );
    // A fixed finding needs no fix; a new one does.
    for x in f.only_right.iter().take(ROWS) {
        let _ = writeln!(
            o,
            "| new | {} | {} | {} |",
            prose(&x.title),
            bytes(x.savable_bytes),
            fix(&x.fix)
        );
    }
    for x in f.only_left.iter().take(ROWS) {
        let _ = writeln!(
            o,
            "| fixed | {} | {} | |",
            prose(&x.title),
            bytes(x.savable_bytes)
        );
    }
    for x in f.both.iter().take(ROWS) {
        let _ = writeln!(
            o,
            "| both | {} | {} → {} ({}) | |",
            prose(&x.right_title),
            bytes(x.left_savable_bytes),
            bytes(x.right_savable_bytes),
            signed_bytes(x.delta)
        );
    }
    let _ = writeln!(o, "\n</details>");
}
