//! The comparison as plain text for a terminal or a pipe, and the pieces the Markdown
//! rendering shares with it: signed sizes, short layer commands, the one-line headline.

use super::CompareReport;
use crate::analysis::compare::explain::{Item, ItemKind};
use crate::analysis::compare::tree::{Status, Tally};
use crate::analysis::compare::{Delta, RatioDelta};
use crate::report::escape::text as esc;
use crate::report::text::bytes;
use std::fmt::Write;

pub use crate::units::signed_bytes;

pub fn signed_count(d: i64) -> String {
    match d.signum() {
        0 => "±0".into(),
        1 => format!("+{d}"),
        _ => format!("−{}", d.unsigned_abs()),
    }
}

/// One glyph per status, the same in every rendering: it must read without colour.
pub fn glyph(s: Status) -> char {
    match s {
        Status::OnlyLeft => '-',
        Status::OnlyRight => '+',
        Status::Changed => '~',
        Status::Same => '=',
    }
}

pub fn status_words(s: Status) -> &'static str {
    match s {
        Status::OnlyLeft => "only left",
        Status::OnlyRight => "only right",
        Status::Changed => "changed",
        Status::Same => "same",
    }
}

/// A layer's `created_by` without the shell boilerplate, cut to `max` characters.
pub fn short_command(command: &str, max: usize) -> String {
    let mut c = command.trim();
    for prefix in ["/bin/sh -c #(nop) ", "/bin/sh -c ", "RUN /bin/sh -c "] {
        if let Some(rest) = c.strip_prefix(prefix) {
            c = rest.trim_start();
            if prefix.starts_with("RUN") {
                return short_command(&format!("RUN {c}"), max);
            }
        }
    }
    let c = c.strip_suffix("# buildkit").unwrap_or(c).trim_end();
    let flat: String = c.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// How many items the headline names.
pub const HEADLINE_ITEMS: usize = 5;

/// How a sink writes what the image names: paths (Markdown wraps them in code) and
/// package names (prose), each escaped for the sink.
pub struct Namer<'a> {
    pub path: &'a dyn Fn(&str) -> String,
    pub name: &'a dyn Fn(&str) -> String,
}

/// An explained item as the headline names it: a package by name, a path with `path`
/// (Markdown wraps it in code), a directory ending in `/`.
pub fn item_label(i: &Item, namer: &Namer<'_>) -> String {
    let path = namer.path;
    match (i.kind, i.dir) {
        (ItemKind::Package, _) => (namer.name)(&i.name),
        (ItemKind::Path, true) => path(&format!("{}/", i.name)),
        (ItemKind::Path, false) => path(&i.name),
    }
}

/// "this change removes 12.8 MiB: −golang-1.19-go 5.4 MiB, −var/lib/apt/lists/ 2.6 MiB, …
/// (−0.2 MiB elsewhere)": the explained items, which never share a byte.
pub fn headline(r: &CompareReport, namer: &Namer<'_>) -> String {
    let d = r.diff.summary.final_bytes.delta;
    let mut out = match d.signum() {
        0 => "this change keeps the final filesystem's size".to_string(),
        1 => format!("this change adds {}", bytes(d.unsigned_abs())),
        _ => format!("this change removes {}", bytes(d.unsigned_abs())),
    };
    let shown: Vec<&Item> = r.diff.explained.items.iter().take(HEADLINE_ITEMS).collect();
    if shown.is_empty() {
        return out;
    }
    let words: Vec<String> = shown
        .iter()
        .map(|i| {
            let sign = if i.delta < 0 { '−' } else { '+' };
            format!(
                "{sign}{} {}",
                item_label(i, namer),
                bytes(i.delta.unsigned_abs())
            )
        })
        .collect();
    let _ = write!(out, ": {}", words.join(", "));
    let rest = d.saturating_sub(shown.iter().map(|i| i.delta).fold(0, i64::saturating_add));
    if rest != 0 {
        let _ = write!(out, " ({} elsewhere)", signed_bytes(rest));
    }
    out
}

/// The summary rows: label, left, right, delta, already formatted. Rows that are zero on
/// both sides and have no analysis behind them yet (packages, savable) are left out.
pub fn summary_rows(r: &CompareReport) -> Vec<[String; 4]> {
    let s = &r.diff.summary;
    let b = |label: &str, d: &Delta| {
        [
            label.to_string(),
            bytes(d.left),
            bytes(d.right),
            signed_bytes(d.delta),
        ]
    };
    let n = |label: &str, d: &Delta| {
        [
            label.to_string(),
            d.left.to_string(),
            d.right.to_string(),
            signed_count(d.delta),
        ]
    };
    let pct = |label: &str, d: &RatioDelta| {
        let pp = d.delta * 100.0;
        [
            label.to_string(),
            format!("{:.1} %", d.left * 100.0),
            format!("{:.1} %", d.right * 100.0),
            format!("{}{:.1} pp", if pp < 0.0 { "−" } else { "+" }, pp.abs()),
        ]
    };
    let mut rows = vec![
        b("final bytes", &s.final_bytes),
        b("layer bytes", &s.layers_bytes),
        b("compressed", &s.compressed_bytes),
        b("reclaimable", &s.reclaimable_bytes),
    ];
    if (s.savable_bytes.left, s.savable_bytes.right) != (0, 0) {
        rows.push(b("savable (findings)", &s.savable_bytes));
    }
    rows.push(n("layers", &s.layers));
    rows.push(n("files", &s.files));
    if (s.packages.left, s.packages.right) != (0, 0) {
        rows.push(n("packages", &s.packages));
    }
    rows.push(pct("efficiency", &s.efficiency));
    rows
}

/// The file totals as rows: status, entries, left bytes, right bytes, delta.
pub fn total_rows(r: &CompareReport) -> Vec<(Status, Tally)> {
    let t = &r.diff.files.totals;
    vec![
        (Status::OnlyLeft, t.only_left),
        (Status::OnlyRight, t.only_right),
        (Status::Changed, t.changed),
        (Status::Same, t.same),
    ]
}

/// The whole comparison, for a terminal without the interactive view or a pipe.
pub fn render(r: &CompareReport) -> String {
    let mut o = String::new();
    summary(&mut o, r);
    layers(&mut o, r);
    files(&mut o, r);
    packages_and_findings(&mut o, r);
    o
}

/// The title, the summary table and the headline.
fn summary(o: &mut String, r: &CompareReport) {
    let _ = writeln!(
        o,
        "compare  {} → {}\n",
        esc(&r.left.image.reference),
        esc(&r.right.image.reference)
    );
    let _ = writeln!(
        o,
        "{:<20} {:>12} {:>12} {:>12}",
        "", "left", "right", "delta"
    );
    for [label, l, rt, d] in summary_rows(r) {
        let _ = writeln!(o, "{label:<20} {l:>12} {rt:>12} {d:>12}");
    }
    let _ = writeln!(
        o,
        "\n{}\n",
        headline(
            r,
            &Namer {
                path: &|s| esc(s).into_owned(),
                name: &|s| esc(s).into_owned()
            }
        )
    );
}

/// The layers side by side: shared ones marked, the others with their commands.
fn layers(o: &mut String, r: &CompareReport) {
    let ld = &r.diff.layers;
    let _ = writeln!(
        o,
        "layers: {} shared ({} of the common base, {})",
        ld.shared,
        ld.shared_base,
        bytes(ld.shared_bytes)
    );
    let cmd = |rep: &crate::report::Report, i: Option<usize>| {
        i.and_then(|i| rep.layers.get(i))
            .map(|l| {
                format!(
                    "{:>10} {}",
                    bytes(l.bytes),
                    esc(&short_command(&l.command, 40))
                )
            })
            .unwrap_or_default()
    };
    for row in &ld.rows {
        let idx = |i: Option<usize>| i.map_or("-".into(), |i| i.to_string());
        let (mark, right) = if row.shared {
            ('=', "(same layer)".to_string())
        } else {
            ('~', cmd(&r.right, row.right))
        };
        let _ = writeln!(
            o,
            "  {:>3} {:>3} {mark} {:>11}  {:<52} | {right}",
            idx(row.left),
            idx(row.right),
            signed_bytes(row.delta),
            cmd(&r.left, row.left),
        );
    }
}

/// The file totals by status, then the largest changes.
fn files(o: &mut String, r: &CompareReport) {
    let _ = writeln!(o, "\nfiles");
    for (status, t) in total_rows(r) {
        let _ = writeln!(
            o,
            "  {} {:<11} {:>8} {:<7} {:>12}",
            glyph(status),
            status_words(status),
            t.entries,
            if t.entries == 1 { "entry" } else { "entries" },
            signed_bytes(t.delta)
        );
    }
    let _ = writeln!(o, "\nlargest changes");
    for c in &r.diff.files.top {
        let _ = writeln!(
            o,
            "  {} {:>12}  {}",
            glyph(c.status),
            signed_bytes(c.delta),
            esc(&c.path)
        );
    }
}

fn packages_and_findings(o: &mut String, r: &CompareReport) {
    let p = &r.diff.packages;
    if !p.is_empty() {
        let _ = writeln!(
            o,
            "\npackages: {} added, {} removed, {} changed, {} unchanged",
            p.added.len(),
            p.removed.len(),
            p.changed.len(),
            p.unchanged
        );
        for c in p.added.iter().chain(&p.removed).chain(&p.changed).take(30) {
            let v = |v: &Option<String>| v.as_deref().map_or("-".into(), |v| esc(v).into_owned());
            let _ = writeln!(
                o,
                "  {:>12}  {} {} → {}",
                signed_bytes(c.delta),
                esc(&c.name),
                v(&c.left_version),
                v(&c.right_version)
            );
        }
    }
    let f = &r.diff.findings;
    if !f.is_empty() {
        let _ = writeln!(o, "\nfindings");
        for x in &f.only_left {
            let _ = writeln!(
                o,
                "  fixed    {:>10}  {}",
                bytes(x.savable_bytes),
                esc(&x.title)
            );
        }
        for x in &f.only_right {
            let _ = writeln!(
                o,
                "  new      {:>10}  {}",
                bytes(x.savable_bytes),
                esc(&x.title)
            );
        }
        for x in &f.both {
            let _ = writeln!(
                o,
                "  both     {:>10}  {} → {}",
                signed_bytes(x.delta),
                esc(&x.left_title),
                esc(&x.right_title)
            );
        }
    }
}
