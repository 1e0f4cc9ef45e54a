//! The fleet summary as Markdown, for a dashboard page. Everything an image or a registry
//! said (references, commands, package names, errors) is escaped for Markdown.

use super::{Growth, Summary};
use crate::report::escape::{markdown as text, md_code as code};
use crate::units::{bytes, plural, signed_bytes};
use std::fmt::Write;

/// Rows per table: a dashboard shows the top; the JSON has them all.
const TOP: usize = 20;
/// A layer's command is cut to this many characters in a table cell.
const COMMAND_CHARS: usize = 80;

pub fn render(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Fleet summary\n");
    let _ = writeln!(
        out,
        "{} analysed, {} failed; {} of final filesystems in all; {} distinct {} ({} stored once).\n",
        plural(s.images as u64, "image", "images"),
        s.failed.len(),
        bytes(s.total_bytes),
        s.distinct_layers,
        if s.distinct_layers == 1 {
            "layer"
        } else {
            "layers"
        },
        bytes(s.distinct_layer_bytes),
    );
    images(&mut out, s);
    shared(&mut out, s);
    packages(&mut out, s);
    if let Some(g) = &s.growth {
        growth(&mut out, g);
    }
    if !s.failed.is_empty() {
        let _ = writeln!(out, "## Failed\n\n| image | error |\n| --- | --- |");
        for f in s.failed.iter().take(TOP) {
            let _ = writeln!(out, "| {} | {} |", code(&f.reference), text(&f.error));
        }
        more(&mut out, s.failed.len());
    }
    out
}

fn images(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "## Most savable\n\n| image | size | savable | rewrite saves | rewrite base |\n| --- | ---: | ---: | ---: | --- |"
    );
    for r in s.by_savable.iter().take(TOP) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&r.reference),
            bytes(r.final_bytes),
            bytes(r.savable_bytes),
            bytes(r.rewrite_saving),
            r.rewrite_base.as_deref().map_or("—".into(), text),
        );
    }
    more(out, s.by_savable.len());
    let _ = writeln!(
        out,
        "## Largest rewrite savings\n\n| image | size | rewrite saves | onto |\n| --- | ---: | ---: | --- |"
    );
    for r in s.by_rewrite.iter().take(TOP) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&r.reference),
            bytes(r.final_bytes),
            bytes(r.rewrite_saving),
            r.rewrite_base.as_deref().map_or("—".into(), text),
        );
    }
    more(out, s.by_rewrite.len());
}

fn shared(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "## Shared base layers\n\n| layer | images | size | command (first image) |\n| --- | ---: | ---: | --- |"
    );
    for l in s.shared_layers.iter().take(TOP) {
        let short: String = l.diff_id.chars().take(19).collect();
        let mut command: String = l.command.chars().take(COMMAND_CHARS).collect();
        if l.command.chars().count() > COMMAND_CHARS {
            command.push('…');
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} ({}) |",
            code(&short),
            l.images,
            bytes(l.bytes),
            code(&command),
            text(&l.first_image),
        );
    }
    more(out, s.shared_layers.len());
}

fn packages(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "## Packages across the fleet\n\n| package | manager | images | bytes × images | versions |\n| --- | --- | ---: | ---: | ---: |"
    );
    for p in s.packages.iter().take(TOP) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            text(&p.name),
            text(&p.manager),
            p.images,
            bytes(p.bytes),
            p.versions.len(),
        );
    }
    more(out, s.packages.len());
}

fn growth(out: &mut String, g: &Growth) {
    let _ = writeln!(
        out,
        "## Growth since the baseline\n\n{} in all over the images in both; {} added, {} removed.\n",
        signed_bytes(g.total_delta),
        g.added.len(),
        g.removed.len()
    );
    if g.changed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| image | before | after | change |\n| --- | ---: | ---: | ---: |"
    );
    for c in g.changed.iter().take(TOP) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&c.reference),
            bytes(c.before),
            bytes(c.after),
            signed_bytes(c.delta()),
        );
    }
    more(out, g.changed.len());
}

/// Ends a table, saying how many rows the JSON has beyond it.
fn more(out: &mut String, n: usize) {
    if n > TOP {
        let _ = writeln!(out, "\n…and {} more in the JSON summary.", n - TOP);
    }
    out.push('\n');
}
