//! Loading and analysing one image for the non-interactive front ends (reports, the CI gate
//! and its `--baseline` image).

use crate::cli::RewriteArgs;
use crate::progress::{CliBars, LogLines};
use anyhow::{Context, Result};
use microscope::analysis;
use microscope::jobs::Opened;
use microscope::reference::ImageRef;
use microscope::report::{Report, escape};
use microscope::source::SourceOptions;

/// Opens and analyses the image a reference names (also used for a `--baseline` image).
pub fn analyse_ref(image: &str, opts: &SourceOptions) -> Result<Report> {
    analyse_ref_with(image, opts, &RewriteArgs::default())
}

pub fn analyse_ref_with(image: &str, opts: &SourceOptions, rw: &RewriteArgs) -> Result<Report> {
    let reference = ImageRef::parse(image)?;
    let opened = Opened::open(&reference, opts, &mut |note| {
        eprintln!("microscope: {}", escape::text(&note))
    })
    .with_context(|| reference.to_string())?;
    analyse(&opened, rw).with_context(|| reference.to_string())
}

/// The report of an opened image: kept from an earlier run when nothing it was made from
/// changed (see `microscope::jobs::warm`), else loaded, analysed and kept.
pub fn analyse(opened: &Opened, rw: &RewriteArgs) -> Result<Report> {
    let opts = analysis::rewrite::Options {
        include_paths: rw.include_path.clone(),
        source_image: rw.source_image.clone(),
        ..Default::default()
    };
    let key = opened.report_key(&opts);
    if let Some(report) = key.as_deref().and_then(|k| opened.cached_report(k)) {
        return Ok(report);
    }
    let report = load_and_analyse(opened, &opts)?;
    if let Some(key) = &key {
        opened.keep_report(key, &report);
    }
    Ok(report)
}

fn load_and_analyse(opened: &Opened, opts: &analysis::rewrite::Options) -> Result<Report> {
    let bars = CliBars::for_stderr(opened.source.meta());
    let lines = LogLines::for_stderr(opened.source.meta());
    let progress = |p| {
        if let Some(b) = &bars {
            b.update(p)
        } else if let Some(l) = &lines {
            l.update(p)
        }
    };
    let loaded = opened.load(
        (bars.is_some() || lines.is_some()).then_some(&progress as &(dyn Fn(_) + Sync)),
        None,
    );
    if let Some(b) = &bars {
        b.clear();
    }
    Ok(opened.report(loaded?, opts))
}
