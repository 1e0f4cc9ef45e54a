//! The CI gate through the real binary: exit codes (0 pass, 1 a rule failed, 2 error),
//! where rules come from, automatic CI mode, the three formats, the job summary, baselines.

use crate::support::ci;

use ci::*;
use std::path::Path;
use tempfile::TempDir;

fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exited")
}

/// A temp dir holding a clean image (efficiency 1) and a wasteful one (efficiency 0.1).
fn setup() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_archive(&single(1000), dir.path(), "clean.tar");
    write_archive(&with_waste(10, 90), dir.path(), "waste.tar");
    dir
}

/// The verdict line of `rule`, with runs of spaces collapsed: `FAIL max_layers 2 ≤ 1`.
fn verdict_line(out: &str, rule: &str) -> String {
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|l| l.split(' ').nth(1) == Some(rule))
        .unwrap_or_else(|| panic!("no verdict for {rule} in:\n{out}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn passing_gate_exits_0() {
    let d = setup();
    let o = run(d.path(), &["clean.tar", "--ci"], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        verdict_line(&out, "min_efficiency"),
        "PASS min_efficiency 1.0000 ≥ 0.9000"
    );
    assert!(
        out.contains("default rules"),
        "says where the rules came from"
    );
    assert!(out.trim_end().ends_with("PASS: 1 rule passed"), "{out}");
}

#[test]
fn failing_gate_exits_1_and_names_the_offenders() {
    let d = setup();
    let o = run(d.path(), &["docker-archive:waste.tar", "--ci"], &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        verdict_line(&out, "min_efficiency"),
        "FAIL min_efficiency 0.1000 ≥ 0.9000"
    );
    assert!(out.contains("largest reclaimable files:"));
    assert!(
        out.contains("/gone.bin  (layer 0, deleted by layer 1)"),
        "{out}"
    );
}

#[test]
fn errors_exit_2() {
    let d = setup();
    let o = run(d.path(), &["missing.tar", "--ci"], &[]);
    assert_eq!(code(&o), 2);
    write(
        d.path(),
        ".microscope.toml",
        "[ci]\nmax_final_bytes = \"lots\"\n",
    );
    let o = run(d.path(), &["clean.tar", "--ci"], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("max_final_bytes"), "{}", stderr(&o));
    // The config is read before the image: a broken config is reported even when the
    // image is missing too.
    let o = run(d.path(), &["missing.tar", "--ci"], &[]);
    assert!(stderr(&o).contains(".microscope.toml"), "{}", stderr(&o));
    let o = run(d.path(), &["clean.tar", "--ci-config", "nope.toml"], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.toml"));
    std::fs::remove_file(d.path().join(".microscope.toml")).unwrap();
    let o = run(d.path(), &["clean.tar", "--baseline", "nope.tar"], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--baseline nope.tar"), "{}", stderr(&o));
}

#[test]
fn dive_ci_in_the_current_directory_is_read_and_mapped() {
    let d = setup();
    write(
        d.path(),
        ".dive-ci",
        "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 89B\n  highestUserWastedPercent: off\n",
    );
    let o = run(d.path(), &["waste.tar", "--ci"], &[]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("read dive's CI config .dive-ci"), "{out}");
    assert_eq!(
        verdict_line(&out, "max_reclaimable_bytes"),
        "FAIL max_reclaimable_bytes 90 B ≤ 89 B"
    );
    write(
        d.path(),
        ".dive-ci",
        "rules:\n  highest-wasted-bytes: 90B\n  lowest-efficiency: off\n  highest-user-wasted-percent: \"\"\n",
    );
    assert_eq!(code(&run(d.path(), &["waste.tar", "--ci"], &[])), 0);
    // Our own file wins, and the dive file is said to be ignored.
    write(
        d.path(),
        ".microscope.toml",
        "[ci]\nmin_efficiency = 0.05\n",
    );
    let o = run(d.path(), &["waste.tar", "--ci"], &[]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(".dive-ci ignored"));
}

#[test]
fn ci_config_names_any_file_of_either_kind() {
    let d = setup();
    write(d.path(), "gate.cfg", "[ci]\nmax_layers = 1\n");
    let o = run(d.path(), &["waste.tar", "--ci-config", "gate.cfg"], &[]);
    assert_eq!(code(&o), 1, "--ci-config implies --ci");
    assert_eq!(
        verdict_line(&stdout(&o), "max_layers"),
        "FAIL max_layers 2 ≤ 1"
    );
    write(
        d.path(),
        "rules.yaml",
        "rules:\n  lowestEfficiency: 0.05\n  highestUserWastedPercent: disabled\n",
    );
    let o = run(d.path(), &["waste.tar", "--ci-config", "rules.yaml"], &[]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    write(d.path(), "gate2.cfg", "rules:\n  lowestEfficiency: 0.5\n");
    assert_eq!(
        code(&run(
            d.path(),
            &["waste.tar", "--ci-config", "gate2.cfg"],
            &[]
        )),
        1
    );
}

#[test]
fn ci_env_turns_the_gate_on_unless_a_report_is_asked_for() {
    let d = setup();
    let o = run(d.path(), &["waste.tar"], &[("CI", "true")]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("CI mode is on because CI=true"));
    let o = run(d.path(), &["waste.tar", "--json"], &[("CI", "true")]);
    assert_eq!(code(&o), 0, "--json asks for a report, as in dive");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("ci").is_none());
    let o = run(d.path(), &["waste.tar"], &[("CI", "false")]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("efficiency"));
    let o = run(d.path(), &["demo"], &[("CI", "true")]);
    assert_eq!(code(&o), 0, "nobody gates the demo unless asked");
}

#[test]
fn json_format_is_the_report_plus_the_gate() {
    let d = setup();
    let o = run(d.path(), &["waste.tar", "--ci", "--format", "json"], &[]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["size"]["reclaimable_bytes"], 90);
    assert_eq!(v["ci"]["passed"], false);
    let verdict = &v["ci"]["verdicts"][0];
    assert_eq!(verdict["rule"], "min_efficiency");
    assert_eq!(verdict["status"], "fail");
    assert_eq!(verdict["value"], 0.1);
    assert_eq!(verdict["limit"], 0.9);
}

#[test]
fn markdown_to_a_file_with_the_verdicts_on_stdout() {
    let d = setup();
    let o = run(
        d.path(),
        &[
            "waste.tar",
            "--ci",
            "--format",
            "markdown",
            "-o",
            "comment.md",
        ],
        &[],
    );
    assert_eq!(code(&o), 1);
    let md = std::fs::read_to_string(d.path().join("comment.md")).unwrap();
    assert!(md.contains("❌ CI gate failed (1 of 1 rule)"), "{md}");
    assert!(
        md.contains("| ❌ FAIL | `min_efficiency` | 0.1000 | ≥ 0.9000 |"),
        "{md}"
    );
    assert!(md.contains("### Largest reclaimable files"));
    assert!(md.contains("### Layers\n\n```text\n0 ██"), "{md}");
    assert!(
        stdout(&o).contains("FAIL  min_efficiency"),
        "the log still shows the verdicts"
    );
}

#[test]
fn github_step_summary_is_appended() {
    let d = setup();
    let summary = d.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let s = summary.to_str().unwrap();
    let o = run(
        d.path(),
        &["clean.tar", "--ci"],
        &[("GITHUB_STEP_SUMMARY", s)],
    );
    assert_eq!(code(&o), 0);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## microscope: "), "{text}");
    assert!(text.contains("✅ CI gate passed"));
    // An unwritable summary is a warning, not an error that hides the verdict.
    let o = run(
        d.path(),
        &["waste.tar", "--ci"],
        &[("GITHUB_STEP_SUMMARY", "/nonexistent/dir/summary.md")],
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("warning"));
}

#[test]
fn baseline_from_a_saved_report_or_an_image() {
    let d = setup();
    write_archive(&single(1100), d.path(), "grown.tar");
    write_archive(&single(1101), d.path(), "grown_more.tar");
    let o = run(d.path(), &["clean.tar", "--json", "-o", "base.json"], &[]);
    assert_eq!(code(&o), 0);
    write(
        d.path(),
        ".microscope.toml",
        "[ci]\nmax_growth_percent = 10\n",
    );
    let o = run(d.path(), &["grown.tar", "--baseline", "base.json"], &[]);
    assert_eq!(
        code(&o),
        0,
        "--baseline implies --ci; +10 % is at the threshold"
    );
    assert_eq!(
        verdict_line(&stdout(&o), "max_growth_percent"),
        "PASS max_growth_percent +10.00 % ≤ +10.00 %"
    );
    let o = run(
        d.path(),
        &["grown_more.tar", "--baseline", "base.json"],
        &[],
    );
    assert_eq!(code(&o), 1);
    let o = run(
        d.path(),
        &["grown_more.tar", "--baseline", "clean.tar"],
        &[],
    );
    assert_eq!(code(&o), 1, "an image as the baseline");
    assert!(
        stdout(&o).contains("vs baseline clean.tar"),
        "{}",
        stdout(&o)
    );
    write(d.path(), "junk.json", "{\"not\": \"a report\"}");
    let o = run(d.path(), &["clean.tar", "--baseline", "junk.json"], &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not a microscope report"),
        "{}",
        stderr(&o)
    );
}
