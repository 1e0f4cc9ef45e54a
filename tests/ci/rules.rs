//! Every CI rule on generated images whose measured value sits just below, exactly at, and
//! just above the threshold. A value at the threshold passes; only crossing it fails.

use crate::support::ci;

use ci::*;
use microscope::analysis::packages::Manager;
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::report::Report;
use microscope::report::ci::{
    Baseline, Facts, FindingFact, PackageFact, Pattern, Rules, Status, Verdict, evaluate,
};

/// The single verdict of a rule set with one rule on.
fn verdict(rules: &Rules, report: &Report, baseline: Option<&Baseline>) -> Verdict {
    let out = evaluate(rules, &Facts::from_report(report), baseline, Vec::new());
    assert_eq!(out.verdicts.len(), 1, "one rule on, one verdict");
    assert_eq!(out.passed, out.verdicts[0].status != Status::Fail);
    out.verdicts[0].clone()
}

/// Statuses for the three images (below, at, above the threshold).
fn statuses(rules: &Rules, images: [ImageBuilder; 3]) -> [Status; 3] {
    images.map(|img| verdict(rules, &report_of(&img), None).status)
}

const PASS_PASS_FAIL: [Status; 3] = [Status::Pass, Status::Pass, Status::Fail];
const FAIL_PASS_PASS: [Status; 3] = [Status::Fail, Status::Pass, Status::Pass];

#[test]
fn min_efficiency_fails_only_below() {
    let rules = Rules {
        min_efficiency: Some(0.75),
        ..Rules::none()
    };
    // 300 kept of 400 stored is exactly 0.75; one byte either way moves it.
    let images = [
        with_waste(299, 100),
        with_waste(300, 100),
        with_waste(301, 100),
    ];
    assert_eq!(statuses(&rules, images), FAIL_PASS_PASS);
    let v = verdict(&rules, &report_of(&with_waste(300, 100)), None);
    assert_eq!((v.value, v.limit), (Some(0.75), Some(0.75)));
    assert_eq!(v.threshold, "≥ 0.7500");
}

#[test]
fn efficiency_just_under_the_threshold_does_not_print_as_equal() {
    let rules = Rules {
        min_efficiency: Some(0.75),
        ..Rules::none()
    };
    let v = verdict(&rules, &report_of(&with_waste(2999999, 1000000)), None);
    assert_eq!(v.status, Status::Fail);
    assert_ne!(v.measured, "0.7500", "rounding must not hide why it failed");
}

#[test]
fn max_reclaimable_bytes_fails_only_above() {
    let rules = Rules {
        max_reclaimable_bytes: Some(1000),
        ..Rules::none()
    };
    let images = [
        with_waste(10, 999),
        with_waste(10, 1000),
        with_waste(10, 1001),
    ];
    assert_eq!(statuses(&rules, images), PASS_PASS_FAIL);
}

/// Base layer of 5000 B; layer 1 adds `keep` + `junk`; layer 2 deletes the junk.
fn user_waste(keep: usize, junk: usize) -> ImageBuilder {
    ImageBuilder::new("test:user")
        .layer(LayerBuilder::new("FROM base").file("base.bin", &blob(5000)))
        .layer(
            LayerBuilder::new("RUN build")
                .file("app.bin", &blob(keep))
                .file("junk.bin", &blob(junk)),
        )
        .layer(LayerBuilder::new("RUN rm junk.bin").whiteout("junk.bin"))
}

#[test]
fn max_reclaimable_percent_is_over_the_layers_above_the_base() {
    let rules = Rules {
        max_reclaimable_percent: Some(10.0),
        ..Rules::none()
    };
    // 100 of 1000 user bytes is 10 %, although it is under 2 % of all stored bytes.
    let images = [
        user_waste(901, 100),
        user_waste(900, 100),
        user_waste(899, 100),
    ];
    assert_eq!(statuses(&rules, images), PASS_PASS_FAIL);
    let v = verdict(&rules, &report_of(&user_waste(900, 100)), None);
    assert_eq!(v.value, Some(10.0));
    assert_eq!(v.measured, "10.00 %");
}

#[test]
fn max_reclaimable_percent_skips_a_single_layer_image() {
    let rules = Rules {
        max_reclaimable_percent: Some(10.0),
        ..Rules::none()
    };
    let v = verdict(&rules, &report_of(&single(100)), None);
    assert_eq!(v.status, Status::Skip);
    assert!(v.note.unwrap().contains("above its first layer"));
}

#[test]
fn max_final_bytes_fails_only_above() {
    let rules = Rules {
        max_final_bytes: Some(5000),
        ..Rules::none()
    };
    let images = [single(4999), single(5000), single(5001)];
    assert_eq!(statuses(&rules, images), PASS_PASS_FAIL);
}

#[test]
fn max_compressed_bytes_fails_only_above() {
    // Blob sizes move in 512-byte tar blocks, so the threshold moves around the measured
    // size instead: threshold one above (value just below), equal, one below (just above).
    let report = report_of(&single(5000));
    let c = report.size.compressed_bytes;
    let got = [c + 1, c, c - 1].map(|t| {
        let rules = Rules {
            max_compressed_bytes: Some(t),
            ..Rules::none()
        };
        verdict(&rules, &report, None).status
    });
    assert_eq!(got, PASS_PASS_FAIL);
    let rules = Rules {
        max_compressed_bytes: Some(c),
        ..Rules::none()
    };
    let v = verdict(&rules, &report, None);
    assert!(
        v.note.unwrap().contains("uncompressed"),
        "a docker save archive stores plain tars"
    );
}

fn layers(n: usize) -> ImageBuilder {
    (0..n).fold(ImageBuilder::new("test:layers"), |img, i| {
        img.layer(LayerBuilder::new(&format!("RUN step {i}")).file(&format!("f{i}"), b"x"))
    })
}

#[test]
fn max_layers_fails_only_above() {
    let rules = Rules {
        max_layers: Some(3),
        ..Rules::none()
    };
    assert_eq!(
        statuses(&rules, [layers(2), layers(3), layers(4)]),
        PASS_PASS_FAIL
    );
}

#[test]
fn max_growth_bytes_fails_only_above() {
    let rules = Rules {
        max_growth_bytes: Some(1000),
        ..Rules::none()
    };
    let base = Baseline::from_report(&report_of(&single(4000)), "base");
    let got =
        [4999, 5000, 5001].map(|n| verdict(&rules, &report_of(&single(n)), Some(&base)).status);
    assert_eq!(got, PASS_PASS_FAIL);
    let shrunk = verdict(&rules, &report_of(&single(10)), Some(&base));
    assert_eq!(shrunk.status, Status::Pass);
    assert!(shrunk.measured.starts_with('−'), "{}", shrunk.measured);
}

#[test]
fn max_growth_percent_fails_only_above() {
    let rules = Rules {
        max_growth_percent: Some(10.0),
        ..Rules::none()
    };
    let base = Baseline::from_report(&report_of(&single(1000)), "base");
    let got =
        [1099, 1100, 1101].map(|n| verdict(&rules, &report_of(&single(n)), Some(&base)).status);
    assert_eq!(got, PASS_PASS_FAIL);
}

#[test]
fn growth_from_an_empty_baseline_is_unbounded() {
    let rules = Rules {
        max_growth_percent: Some(10.0),
        ..Rules::none()
    };
    let empty = Baseline::from_json(r#"{"size":{"layers_bytes":0}}"#, "empty.json").unwrap();
    assert_eq!(
        verdict(&rules, &report_of(&single(1)), Some(&empty)).status,
        Status::Fail
    );
}

#[test]
fn growth_rules_skip_without_a_baseline() {
    let rules = Rules {
        max_growth_bytes: Some(1),
        max_growth_percent: Some(1.0),
        ..Rules::none()
    };
    let out = evaluate(
        &rules,
        &Facts::from_report(&report_of(&single(10))),
        None,
        vec![],
    );
    assert!(out.verdicts.iter().all(|v| v.status == Status::Skip));
    assert!(out.passed, "a SKIP never fails the gate");
    assert_eq!(out.skipped, 2);
}

fn facts_with(savable: u64) -> Facts {
    Facts {
        findings: Some(vec![
            FindingFact {
                kind: "debug-symbols".into(),
                title: "unstripped /usr/local/bin/server".into(),
                layer: Some(2),
                savable_bytes: savable,
                fix: "go build -ldflags=\"-s -w\"".into(),
                explanation: String::new(),
            },
            FindingFact {
                kind: "package-cache".into(),
                title: "apt lists".into(),
                layer: Some(1),
                savable_bytes: 0,
                fix: String::new(),
                explanation: String::new(),
            },
        ]),
        savable_bytes: Some(savable),
        packages: Some(vec![
            PackageFact {
                manager: Manager::Dpkg,
                name: "gcc-12".into(),
                version: "12.2.0-14".into(),
                layer: Some(1),
                bytes: 1 << 20,
            },
            PackageFact {
                manager: Manager::Dpkg,
                name: "libc6".into(),
                version: "2.36".into(),
                layer: Some(0),
                bytes: 1 << 20,
            },
        ]),
        ..Facts::default()
    }
}

fn one(rules: &Rules, facts: &Facts) -> Verdict {
    let out = evaluate(rules, facts, None, vec![]);
    assert_eq!(out.verdicts.len(), 1);
    out.verdicts[0].clone()
}

#[test]
fn max_savable_bytes_fails_only_above_and_skips_without_findings() {
    let rules = Rules {
        max_savable_bytes: Some(1000),
        ..Rules::none()
    };
    let got = [999, 1000, 1001].map(|n| one(&rules, &facts_with(n)).status);
    assert_eq!(got, PASS_PASS_FAIL);
    // A report without findings: the rule says so instead of passing silently.
    let v = one(&rules, &Facts::default());
    assert_eq!(v.status, Status::Skip);
    assert!(v.note.unwrap().contains("findings"));
    skips_only_without_data(&rules, |f| f.findings.is_some());
}

/// On a real report the rule is skipped exactly when the report lacks the data, so these
/// tests hold before and after the packages and findings analyses fill the report in.
fn skips_only_without_data(rules: &Rules, has_data: fn(&Facts) -> bool) {
    let facts = Facts::from_report(&report_of(&single(10)));
    let v = one(rules, &facts);
    assert_eq!(v.status == Status::Skip, !has_data(&facts), "{v:?}");
}

#[test]
fn forbid_findings_matches_kinds_by_glob() {
    let rules = |p: &[&str]| Rules {
        forbid_findings: p.iter().map(|s| Pattern::new(s).unwrap()).collect(),
        ..Rules::none()
    };
    let facts = facts_with(5);
    let v = one(&rules(&["debug-symbols"]), &facts);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.offenders.len(), 1);
    assert!(v.offenders[0].contains("unstripped"));
    assert_eq!(one(&rules(&["*-cache"]), &facts).offenders.len(), 1);
    assert_eq!(one(&rules(&["upx"]), &facts).status, Status::Pass);
    let empty = Facts {
        findings: Some(vec![]),
        ..Facts::default()
    };
    assert_eq!(one(&rules(&["*"]), &empty).status, Status::Pass);
    assert_eq!(one(&rules(&["x"]), &Facts::default()).status, Status::Skip);
    skips_only_without_data(&rules(&["debug-symbols"]), |f| f.findings.is_some());
}

#[test]
fn forbid_packages_matches_names_by_glob() {
    let rules = |p: &[&str]| Rules {
        forbid_packages: p.iter().map(|s| Pattern::new(s).unwrap()).collect(),
        ..Rules::none()
    };
    let facts = facts_with(0);
    let v = one(&rules(&["gcc*", "build-essential"]), &facts);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.offenders, ["gcc-12 12.2.0-14 (dpkg, layer 1, 1.0 MiB)"]);
    assert_eq!(
        one(&rules(&["gcc"]), &facts).status,
        Status::Pass,
        "globs are anchored"
    );
    assert_eq!(one(&rules(&["lib?6"]), &facts).status, Status::Fail);
    let v = one(&rules(&["gcc*"]), &Facts::default());
    assert_eq!(v.status, Status::Skip);
    assert!(v.note.unwrap().contains("package"));
    skips_only_without_data(&rules(&["gcc*"]), |f| f.packages.is_some());
}

#[test]
fn default_rules_check_efficiency_only() {
    let out = evaluate(
        &Rules::default(),
        &Facts::from_report(&report_of(&with_waste(89, 11))),
        None,
        vec![],
    );
    assert_eq!(out.verdicts.len(), 1);
    assert_eq!(
        out.verdicts[0].rule,
        microscope::report::ci::Rule::MinEfficiency
    );
    assert_eq!(out.verdicts[0].status, Status::Fail);
    assert_eq!(out.summary_line(), "FAIL: 1 of 1 rule failed");
}

#[test]
fn a_pass_reads_as_a_pass_not_as_zero_failures() {
    let facts = Facts::from_report(&report_of(&with_waste(99, 1)));
    let line = |rules: &Rules| evaluate(rules, &facts, None, vec![]).summary_line();
    assert_eq!(line(&Rules::default()), "PASS: 1 rule passed");
    let two = Rules {
        max_layers: Some(10),
        ..Rules::default()
    };
    assert_eq!(line(&two), "PASS: all 2 rules passed");
    let skipped = Rules {
        max_growth_bytes: Some(1),
        ..Rules::default()
    };
    assert_eq!(line(&skipped), "PASS: 1 of 2 rules passed, 1 skipped");
    assert_eq!(line(&Rules::none()), "PASS: no rules enabled");
}

/// A tripwire for when packages and findings land on the report: the gate must see exactly
/// what the JSON report carries.
#[test]
fn facts_follow_the_report_schema() {
    let r = report_of(&with_waste(10, 10));
    let json = serde_json::to_value(&r).unwrap();
    let facts = Facts::from_report(&r);
    let len = |k: &str| json.get(k).and_then(|v| v.as_array()).map(Vec::len);
    assert_eq!(facts.findings.as_ref().map(Vec::len), len("findings"));
    assert_eq!(facts.packages.as_ref().map(Vec::len), len("packages"));
    if facts.findings.is_some() {
        assert_eq!(facts.savable_bytes, json["findings_savable_bytes"].as_u64());
    }
}

/// The gate reads the report's typed lists (it used to read them back from the report's JSON,
/// where a failed serialisation would have turned every list rule into a SKIP).
#[test]
fn facts_are_the_reports_own_lists() {
    let report = report_of(&with_waste(1000, 5000));
    assert!(!report.findings.is_empty(), "the waste is a finding");
    let facts = Facts::from_report(&report);
    let findings = facts.findings.expect("findings are computed");
    let kinds: Vec<&str> = findings.iter().map(|f| f.kind.as_str()).collect();
    let expected: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds, expected);
    assert_eq!(facts.savable_bytes, Some(report.findings_savable_bytes));
    assert_eq!(facts.packages.map(|p| p.len()), Some(report.packages.len()));
}
