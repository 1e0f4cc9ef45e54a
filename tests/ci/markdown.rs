//! The PR-comment Markdown and the CI log text for the demo images, as snapshots: what a
//! reviewer sees is reviewed here too.

use microscope::jobs::{LoadOptions, load_image};
use microscope::report::ci::config::parse_toml;
use microscope::report::ci::text as ci_text;
use microscope::report::ci::{Baseline, Facts, Rules, evaluate};
use microscope::report::{Report, markdown};

fn demo(name: &str) -> Report {
    let src = microscope::demo::source(name).expect("demo");
    let image = load_image(&*src, &LoadOptions::default()).expect("load");
    Report::build(&image, &microscope::analysis::analyze(&image))
}

/// The size facts only: the snapshots pin the layout, not what the packages and findings
/// analyses find (their own tests do that).
fn sizes_only(r: &Report) -> Facts {
    Facts {
        packages: None,
        findings: None,
        savable_bytes: None,
        ..Facts::from_report(r)
    }
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
    let facts = sizes_only(&fat);
    let (rules, notes) = rules();
    let outcome = evaluate(&rules, &facts, Some(&base), notes);
    insta::assert_snapshot!(markdown::render(&fat, &facts, Some(&outcome)));
}

#[test]
fn fat_image_ci_log() {
    let fat = demo("fat");
    let facts = sizes_only(&fat);
    let (rules, notes) = rules();
    let outcome = evaluate(&rules, &facts, None, notes);
    insta::assert_snapshot!(ci_text::render(&fat, &facts, &outcome));
}

#[test]
fn report_without_the_gate() {
    let micro = demo("micro");
    let md = markdown::render(&micro, &sizes_only(&micro), None);
    assert!(md.starts_with("## microscope: `demo:micro`\n"));
    assert!(!md.contains("### Rules"));
}

#[test]
fn findings_are_listed_with_their_fixes() {
    use microscope::report::ci::FindingFact;
    let micro = demo("micro");
    let facts = Facts {
        findings: Some(vec![
            FindingFact {
                kind: "apt-lists".into(),
                title: "apt package lists (2 files)".into(),
                layer: Some(1),
                savable_bytes: 2 << 20,
                fix: "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*"
                    .into(),
                explanation: String::new(),
            },
            FindingFact {
                kind: "metadata-copy".into(),
                title: "1 file copied only to change mode".into(),
                layer: Some(2),
                savable_bytes: 3 << 20,
                fix: "COPY --chmod=755 server /server".into(),
                explanation: "drop `RUN chmod 755 /server` <now>".into(),
            },
            FindingFact {
                kind: "nothing".into(),
                title: "saves nothing".into(),
                layer: None,
                savable_bytes: 0,
                fix: String::new(),
                explanation: String::new(),
            },
        ]),
        savable_bytes: Some(5 << 20),
        ..Facts::from_report(&micro)
    };
    let md = markdown::render(&micro, &facts, None);
    assert!(
        md.contains("| Savable by the fixes below | 5.0 MiB |"),
        "{md}"
    );
    let table = &md[md.find("### Top findings").expect("findings table")..];
    let first = table.lines().nth(4).unwrap();
    assert_eq!(
        first,
        "| 3.0 MiB | 1 file copied only to change mode (`metadata-copy`) | 2 | \
         `COPY --chmod=755 server /server` — drop `RUN chmod 755 /server` &lt;now&gt; |",
        "largest saving first; the line as code, then the note as escaped prose"
    );
    assert!(table.contains(
        "| `RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*` |"
    ));
    assert!(
        !table.contains("saves nothing"),
        "findings that save nothing are left out"
    );
    let outcome = evaluate(&Rules::none(), &facts, None, vec![]);
    let log = ci_text::render(&micro, &facts, &outcome);
    assert!(
        log.contains(
            "largest findings:\n     3.0 MiB  1 file copied only to change mode [metadata-copy]\n"
        ),
        "{log}"
    );
}
