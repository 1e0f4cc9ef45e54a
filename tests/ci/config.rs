//! Rules files: `.microscope.toml` in every value form it accepts, and dive's `.dive-ci`
//! in the forms dive accepts (legacy camelCase, kebab-case, disabled/off/false/empty).

use microscope::report::ci::Rules;
use microscope::report::ci::config::{ConfigError, parse_size, parse_toml};
use microscope::report::ci::dive::parse as parse_dive;

fn toml(text: &str) -> Rules {
    parse_toml(text, "t.toml")
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .rules
}

fn dive(text: &str) -> Rules {
    parse_dive(text, ".dive-ci")
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .rules
}

#[test]
fn sizes_parse_like_dive() {
    assert_eq!(parse_size("20MB"), Ok(20_000_000));
    assert_eq!(parse_size("20mb"), Ok(20_000_000));
    assert_eq!(parse_size("20 MB"), Ok(20_000_000));
    assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
    assert_eq!(parse_size("50kB"), Ok(50_000));
    assert_eq!(parse_size("1B"), Ok(1));
    assert_eq!(parse_size("1048576"), Ok(1_048_576));
    assert_eq!(parse_size("1,000"), Ok(1000));
    assert_eq!(parse_size("2Ki"), Ok(2048));
    assert_eq!(parse_size("2M"), Ok(2_000_000));
    assert_eq!(parse_size("0.5KiB"), Ok(512));
    assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX), "exact");
    let e = parse_size("20 parsecs").unwrap_err().to_string();
    assert!(e.contains("unknown size unit"), "{e}");
    let e = parse_size("MB").unwrap_err().to_string();
    assert!(e.contains("expected a size like"), "{e}");
    let e = parse_size("-1MB").unwrap_err().to_string();
    assert!(e.contains("expected a size like"), "{e}");
    let e = parse_size("99999EiB").unwrap_err().to_string();
    assert!(e.contains("size too large"), "{e}");
    let e = parse_size("").unwrap_err().to_string();
    assert!(e.contains("expected a size like"), "{e}");
}

#[test]
fn toml_accepts_every_rule_in_every_form() {
    let r = toml(
        r#"
        [ci]
        min_efficiency = 0.95
        max_reclaimable_bytes = "20MB"
        max_reclaimable_percent = "12.5%"
        max_final_bytes = "1.5GiB"
        max_compressed_bytes = 300000000
        max_layers = 12
        max_savable_bytes = "10MiB"
        forbid_findings = ["debug-symbols", "package-cache"]
        forbid_packages = ["gcc*", "build-essential"]
        max_growth_bytes = "5MB"
        max_growth_percent = 5
        "#,
    );
    assert_eq!(r.min_efficiency, Some(0.95));
    assert_eq!(r.max_reclaimable_bytes, Some(20_000_000));
    assert_eq!(r.max_reclaimable_percent, Some(12.5));
    assert_eq!(r.max_final_bytes, Some(1_610_612_736));
    assert_eq!(r.max_compressed_bytes, Some(300_000_000));
    assert_eq!(r.max_layers, Some(12));
    assert_eq!(r.max_savable_bytes, Some(10 << 20));
    assert_eq!(r.forbid_findings.len(), 2);
    assert!(r.forbid_packages[0].matches("gcc-12"));
    assert_eq!(r.max_growth_bytes, Some(5_000_000));
    assert_eq!(r.max_growth_percent, Some(5.0));
}

#[test]
fn toml_defaults_and_disabling() {
    assert_eq!(toml(""), Rules::default());
    assert_eq!(toml("[ci]\n"), Rules::default());
    assert_eq!(
        toml("[ci]\nmin_efficiency = \"90%\"").min_efficiency,
        Some(0.9)
    );
    for off in ["false", "\"off\"", "\"disabled\"", "\"\"", "\"OFF\""] {
        let r = toml(&format!("[ci]\nmin_efficiency = {off}\nmax_layers = {off}"));
        assert_eq!(r, Rules::none(), "{off}");
    }
    // Other tables belong to other parts of microscope.
    assert_eq!(
        toml("[tui]\ntheme = \"dark\"\n[ci]\nmax_layers = 3").max_layers,
        Some(3)
    );
    // kebab-case keys mean the same.
    assert_eq!(
        toml("[ci]\nmax-final-bytes = \"1kB\"").max_final_bytes,
        Some(1000)
    );
}

#[test]
fn toml_rejects_what_would_silently_weaken_the_gate() {
    let err = |text: &str| parse_toml(text, "t.toml").unwrap_err();
    assert!(matches!(
        err("[ci]\nmax_final_byte = 1"),
        ConfigError::UnknownRule { .. }
    ));
    assert!(matches!(
        err("min_efficiency = 0.9"),
        ConfigError::Misplaced(_)
    ));
    assert!(matches!(err("ci = 3"), ConfigError::NotATable));
    assert!(matches!(err("[ci"), ConfigError::Toml(_)));
    for bad in [
        "min_efficiency = 1.5",
        "min_efficiency = -0.1",
        "min_efficiency = \"high\"",
        "min_efficiency = true",
        "max_layers = -1",
        "max_layers = 2.5",
        "max_final_bytes = \"big\"",
        "max_final_bytes = -5",
        "max_reclaimable_percent = -1",
        "forbid_packages = [1]",
        "forbid_packages = [\"\"]",
        "forbid_packages = [\"a[\"]",
        "forbid_findings = 3",
    ] {
        let e = err(&format!("[ci]\n{bad}"));
        assert!(matches!(e, ConfigError::Value { .. }), "{bad}: {e}");
    }
    let msg = err("[ci]\nmax_final_bytes = \"big\"").to_string();
    assert!(
        msg.contains("max_final_bytes") && msg.contains("\"big\""),
        "{msg}"
    );
}

#[test]
fn dive_legacy_camel_case() {
    let r = dive(
        "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n",
    );
    assert_eq!(r.min_efficiency, Some(0.95));
    assert_eq!(r.max_reclaimable_bytes, Some(20_000_000));
    assert_eq!(r.max_reclaimable_percent, Some(20.0));
    // Nothing else: dive has no other rules.
    assert_eq!(r.max_final_bytes, None);
    assert!(r.forbid_packages.is_empty());
}

#[test]
fn dive_kebab_case_and_the_app_config_key() {
    let r = dive(
        "rules:\n  lowest-efficiency: '0.8'\n  highest-wasted-bytes: \"1.5GiB\"\n  highest-user-wasted-percent: 0.29\n",
    );
    assert_eq!(r.min_efficiency, Some(0.8));
    assert_eq!(r.max_reclaimable_bytes, Some(1_610_612_736));
    assert_eq!(
        r.max_reclaimable_percent,
        Some(29.0),
        "no 28.999… from 0.29 × 100"
    );
    let r = dive("rules:\n  lowest-efficiency-threshold: 0.7\n");
    assert_eq!(r.min_efficiency, Some(0.7));
}

#[test]
fn dive_disabling_words_and_defaults() {
    for off in [
        "disabled",
        "off",
        "false",
        "\"\"",
        "",
        "~",
        "Off",
        "\"false\"",
    ] {
        let r = dive(&format!(
            "rules:\n  lowestEfficiency: {off}\n  highestWastedBytes: {off}\n  highestUserWastedPercent: {off}\n"
        ));
        assert_eq!(r, Rules::none(), "{off:?}");
    }
    // Rules a file leaves out keep dive's defaults: 0.9, disabled, 0.1.
    let r = dive("rules:\n  highestWastedBytes: 1kB\n");
    assert_eq!(r.min_efficiency, Some(0.9));
    assert_eq!(r.max_reclaimable_bytes, Some(1000));
    assert_eq!(r.max_reclaimable_percent, Some(10.0));
    for empty in ["", "# only a comment\n", "rules:\n", "other: 1\n"] {
        let r = dive(empty);
        assert_eq!(r.min_efficiency, Some(0.9), "{empty:?}");
        assert_eq!(r.max_reclaimable_percent, Some(10.0), "{empty:?}");
    }
    // Integers are ratios too (dive reads every value as a string).
    assert_eq!(
        dive("rules:\n  lowestEfficiency: 1\n").min_efficiency,
        Some(1.0)
    );
}

#[test]
fn dive_mapping_is_explained() {
    let loaded = parse_dive(
        "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  bogusRule: 1\n",
        ".dive-ci",
    )
    .unwrap();
    let notes = loaded.notes.join("\n");
    assert!(
        notes.contains("lowestEfficiency \"0.95\" → min_efficiency = 0.95"),
        "{notes}"
    );
    assert!(notes.contains("highestWastedBytes \"20MB\" → max_reclaimable_bytes = 20000000"));
    assert!(
        notes.contains(
            "highestUserWastedPercent \"0.1\", dive's default → max_reclaimable_percent = 10"
        ),
        "{notes}"
    );
    assert!(
        notes.contains("every copy"),
        "the semantic difference is stated"
    );
    assert!(notes.contains("ignored unknown rule `bogusRule`"));
}

#[test]
fn dive_rejects_what_dive_rejects() {
    for (bad, why) in [
        (
            "rules:\n  lowestEfficiency: 1.1\n",
            "rules.lowestEfficiency = \"1.1\": outside the allowed range 0–1",
        ),
        (
            "rules:\n  lowestEfficiency: -0.1\n",
            "rules.lowestEfficiency = \"-0.1\": outside the allowed range 0–1",
        ),
        (
            "rules:\n  lowestEfficiency: not_a_number\n",
            "rules.lowestEfficiency = \"not_a_number\": expected a ratio between 0 and 1",
        ),
        (
            "rules:\n  lowestEfficiency: true\n",
            "rules.lowestEfficiency = \"true\": expected a ratio between 0 and 1",
        ),
        (
            "rules:\n  highestWastedBytes: not_a_size\n",
            "rules.highestWastedBytes = \"not_a_size\": expected a size like 500MB",
        ),
        (
            "rules:\n  highestUserWastedPercent: 1.1\n",
            "rules.highestUserWastedPercent = \"1.1\": outside the allowed range 0–1",
        ),
        (
            "rules:\n  highestUserWastedPercent: [1]\n",
            "rules.highestUserWastedPercent = a list or mapping: expected a single value",
        ),
        ("rules: 3\n", "not valid YAML: `rules` must be a mapping"),
        (
            "- a list\n",
            "not valid YAML: expected a mapping with a `rules:` section",
        ),
        ("rules: {\n", "not valid YAML: while parsing a node"),
    ] {
        let e = parse_dive(bad, ".dive-ci").expect_err(bad).to_string();
        assert!(e.starts_with(why), "{bad:?}: {e}");
    }
}

#[test]
fn hostile_rules_files_are_errors_not_crashes() {
    let deep = "[".repeat(100_000);
    let e = parse_dive(&format!("rules: {deep}"), ".dive-ci").unwrap_err();
    assert!(
        e.to_string().chars().count() < 400,
        "the message is clipped"
    );
    let e = parse_toml(&format!("[ci]\nmax_layers = {deep}"), "t.toml").unwrap_err();
    assert!(e.to_string().chars().count() < 400);
    let e = parse_toml("\u{0}\u{1}", "t.toml").unwrap_err().to_string();
    assert!(e.contains("not valid TOML"), "{e}");
    let e = parse_dive("rules:\n  lowestEfficiency: &a [*a]\n", ".dive-ci")
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected a single value"), "{e}");
}
