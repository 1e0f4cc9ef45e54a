//! The PR-comment Markdown and the CI log text for the demo images, as snapshots: what a
//! reviewer sees is reviewed here too.

use microscope::jobs::{LoadOptions, load_image};
use microscope::report::ci::{Baseline, Facts, Rules, evaluate};
use microscope::report::ci_config::parse_toml;
use microscope::report::{Report, ci_text, markdown};

fn demo(name: &str) -> Report {
    let src = microscope::demo::source(name).expect("demo");
    let image = load_image(&*src, &LoadOptions::default()).expect("load");
    Report::build(&image, &microscope::analysis::analyze(&image))
}

fn rules() -> (Rules, Vec<String>) {
    let loaded = parse_toml(
        "[ci]\nmin_efficiency = 0.6\nmax_reclaimable_percent = 10\nmax_layers = 4\n\
         forbid_packages = [\"gcc*\"]\nmax_growth_percent = 50\n",
        ".microscope.toml",
    )
    .expect("rules");
    (loaded.rules, loaded.notes)
}

#[test]
fn fat_image_pr_comment() {
    let fat = demo("fat");
    let base = Baseline::from_report(&demo("micro"), "demo:micro");
    let facts = Facts::from_report(&fat);
    let (rules, notes) = rules();
    let outcome = evaluate(&rules, &facts, Some(&base), notes);
    insta::assert_snapshot!(markdown::render(&fat, &facts, Some(&outcome)));
}

#[test]
fn fat_image_ci_log() {
    let fat = demo("fat");
    let facts = Facts::from_report(&fat);
    let (rules, notes) = rules();
    let outcome = evaluate(&rules, &facts, None, notes);
    insta::assert_snapshot!(ci_text::render(&fat, &facts, &outcome));
}

#[test]
fn report_without_the_gate() {
    let micro = demo("micro");
    let md = markdown::render(&micro, &Facts::from_report(&micro), None);
    assert!(md.starts_with("## microscope: `demo:micro`\n"));
    assert!(!md.contains("### Rules"));
}
