//! What package attribution adds to an analysis, on one image:
//! `cargo run --release --example package_cost -- IMAGE [RUNS]`.
//! Prints one line per run (load, analysis, attribution alone, its share of load + analysis)
//! and the medians; `scripts/bench-packages.sh` runs it over several images.

use microscope::analysis::packages::attribute;
use microscope::analysis::{Analysis, analyze};
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};
use std::time::{Duration, Instant};

struct Run {
    load: Duration,
    analyze: Duration,
    attribute: Duration,
    packages: usize,
}

fn once(image: &str) -> anyhow::Result<Run> {
    let src = open(&ImageRef::parse(image)?, &SourceOptions::default())?;
    let t = Instant::now();
    let loaded = load_image(&*src, &LoadOptions::default())?;
    let load = t.elapsed();
    let t = Instant::now();
    let all = analyze(&loaded);
    let analyze = t.elapsed();
    // Attribution runs inside `analyze`; timed again alone for its share.
    let scans = Analysis::scans(&loaded);
    let t = Instant::now();
    let packages = attribute(&scans, &all.merged).packages.len();
    Ok(Run {
        load,
        analyze,
        attribute: t.elapsed(),
        packages,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let image = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: package_cost IMAGE [RUNS]"))?;
    let runs: usize = args
        .next()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(5)
        .max(1);
    let mut all = Vec::new();
    for i in 0..runs {
        let r = once(&image)?;
        let share = r.attribute.as_secs_f64() / (r.load + r.analyze).as_secs_f64() * 100.0;
        println!(
            "run {i}: load {:.2?} analyse {:.2?} attribution {:.2?} ({share:.1} %), {} packages",
            r.load, r.analyze, r.attribute, r.packages
        );
        all.push(r);
    }
    let load = median(all.iter().map(|r| r.load).collect());
    let analyze = median(all.iter().map(|r| r.analyze).collect());
    let attribute = median(all.iter().map(|r| r.attribute).collect());
    let share = attribute.as_secs_f64() / (load + analyze).as_secs_f64() * 100.0;
    println!(
        "median of {runs}: load {load:.2?} analyse {analyze:.2?} attribution {attribute:.2?} = {share:.1} % of load + analysis"
    );
    Ok(())
}
