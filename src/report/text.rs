//! Human-readable renderings shared by the CLI outputs.

use super::escape::text as esc;
pub use crate::units::bytes;

/// Whether every layer blob is a plain tar (`docker save`): its "compressed" bytes are then
/// the uncompressed tars, which a registry push would shrink.
pub fn blobs_uncompressed(r: &super::Report) -> bool {
    !r.layers.is_empty()
        && r.layers
            .iter()
            .all(|l| l.compression == crate::image::Compression::Plain)
}

/// Why the blobs outweigh the layer bytes, when they do: layer bytes count file contents
/// only, a blob also holds a tar header per entry and padding.
pub fn compressed_exceeds_why(r: &super::Report) -> Option<&'static str> {
    if r.size.compressed_bytes <= r.size.layers_bytes {
        None
    } else if blobs_uncompressed(r) {
        Some(
            "more than the layer bytes, which count file contents only: a tar adds a 512-byte header per entry and pads each file to 512 bytes",
        )
    } else {
        Some(
            "more than the layer bytes, which count file contents only: a tar adds a 512-byte header per entry and padding, more than compression wins back on small files",
        )
    }
}

/// A short summary of a report, for a terminal.
pub fn summary(r: &super::Report) -> String {
    let s = &r.size;
    let mut out = String::new();
    out.push_str(&format!(
        "image       {} ({}, {})\n",
        esc(&r.image.reference),
        r.image.source,
        esc(&r.image.platform)
    ));
    out.push_str(&format!("layers      {}\n", r.layers.len()));
    out.push_str(&format!("layer bytes {}\n", bytes(s.layers_bytes)));
    out.push_str(&format!("final bytes {}\n", bytes(s.final_bytes)));
    out.push_str(&format!(
        "reclaimable {} (overwritten {}, deleted {}, hidden by opaque dirs {})\n",
        bytes(s.reclaimable_bytes),
        bytes(s.reclaimable.overwritten_bytes),
        bytes(s.reclaimable.deleted_bytes),
        bytes(s.reclaimable.opaque_hidden_bytes)
    ));
    out.push_str(&format!("efficiency  {:.2} %\n", s.efficiency * 100.0));
    let (label, what) = if blobs_uncompressed(r) {
        (
            "blobs      ",
            "(uncompressed tars, as `docker save` writes them)",
        )
    } else {
        ("compressed ", "to pull")
    };
    out.push_str(&format!("{label} {} {what}\n", bytes(s.compressed_bytes)));
    if let Some(why) = compressed_exceeds_why(r) {
        out.push_str(&format!("            ({why})\n"));
    }
    out.push_str(&format!(
        "findings    {} (savable {}; --findings lists them)\n",
        r.findings.len(),
        bytes(r.findings_savable_bytes)
    ));
    out.push_str(&super::rewrite::summary_line(r));
    out
}

/// The findings as a table, largest saving first, each with its fix underneath.
pub fn findings(r: &super::Report) -> String {
    let mut out = format!(
        "{:>10}  {:<6}  {:>5}  {:<20}  {}\n",
        "SAVES", "SEV", "LAYER", "KIND", "WHAT"
    );
    for f in &r.findings {
        let sev = f.severity.name();
        let saves = if f.counted_bytes < f.savable_bytes && f.counted_bytes > 0 {
            format!("{}*", bytes(f.savable_bytes))
        } else {
            bytes(f.savable_bytes)
        };
        out.push_str(&format!(
            "{saves:>10}  {sev:<6}  {:>5}  {:<20}  {}\n",
            f.layer,
            f.kind,
            esc(&f.title)
        ));
        if let Some(p) = f.paths.first() {
            let more = f.path_count.saturating_sub(1);
            let more = if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            out.push_str(&format!("{:>8}{}{more}\n", "", esc(&p.path)));
        }
        let rule = f
            .rule
            .as_deref()
            .map(|r| format!(" [{}]", esc(r)))
            .unwrap_or_default();
        if !f.fix.is_empty() {
            out.push_str(&format!("{:>8}fix:  {}{rule}\n", "", esc(&f.fix)));
        }
        if !f.explanation.is_empty() {
            let rule = if f.fix.is_empty() {
                rule
            } else {
                String::new()
            };
            out.push_str(&format!("{:>8}note: {}{rule}\n", "", esc(&f.explanation)));
        }
        if let Some(pull) = f.pull_savable_bytes {
            out.push_str(&format!("{:>8}pull saving: about {}\n", "", bytes(pull)));
        }
    }
    out.push_str(&format!(
        "\ntotal savable {} (each byte counted once; * = partly counted under an earlier finding; \
         UPX advice not counted)\n",
        bytes(r.findings_savable_bytes)
    ));
    out
}

/// The installed packages as a table, largest first, with the unowned bytes last.
pub fn packages(r: &super::Report) -> String {
    let total = r.size.final_bytes;
    let share = |b: u64| {
        if total == 0 {
            "-".to_string()
        } else {
            format!("{:.1} %", b as f64 * 100.0 / total as f64)
        }
    };
    let mut rows: Vec<[String; 6]> = vec![[
        "NAME".into(),
        "VERSION".into(),
        "BYTES".into(),
        "SHARE".into(),
        "LAYER".into(),
        "MANAGER".into(),
    ]];
    for p in &r.packages {
        rows.push([
            esc(&p.name).into_owned(),
            esc(&p.version).into_owned(),
            bytes(p.bytes),
            share(p.bytes),
            p.layer.to_string(),
            p.manager.name().into(),
        ]);
    }
    rows.push([
        "(unowned)".into(),
        String::new(),
        bytes(r.unowned_bytes),
        share(r.unowned_bytes),
        String::new(),
        String::new(),
    ]);
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} own {} of {} final bytes\n",
        crate::units::plural(r.packages.len() as u64, "package", "packages"),
        bytes(total.saturating_sub(r.unowned_bytes)),
        bytes(total)
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_bytes() {
        assert_eq!(super::bytes(512), "512 B");
        assert_eq!(super::bytes(1536), "1.5 KiB");
        assert_eq!(super::bytes(5 << 30), "5.0 GiB");
    }
}
