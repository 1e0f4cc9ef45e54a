//! `microscope compare`: the JSON parses back into the wire types with full reports on both
//! sides, the Markdown reads as a pull-request comment, errors are one line and exit 2.

use microscope::report::Report;
use microscope::report::compare::CompareReport;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

#[test]
fn json_is_left_right_diff_with_full_reports() {
    let out = ok(&run(&["compare", "demo:fat", "demo:micro", "--json"]));
    let c: CompareReport = serde_json::from_str(&out).expect("the wire types parse back");
    let fat: Report = serde_json::from_str(&ok(&run(&["demo", "--json"]))).unwrap();
    let micro: Report =
        serde_json::from_str(&ok(&run(&["demo", "--image", "micro", "--json"]))).unwrap();
    // Same figures as analysing each alone; only the reference reads demo:NAME.
    assert_eq!(c.left.size, fat.size);
    assert_eq!(c.left.layers, fat.layers);
    assert_eq!(c.right.size, micro.size);
    let s = &c.diff.summary;
    assert_eq!(
        s.final_bytes.delta,
        micro.size.final_bytes as i64 - fat.size.final_bytes as i64
    );
    assert_eq!((s.layers.left, s.layers.right), (5, 2));
    assert_eq!(c.diff.layers.rows.len(), 5);
    assert!(c.diff.files.top.iter().any(|f| f.path == "server"));
    // Findings: what fat has and micro does not are fixed, by kind; savable is the
    // findings' own de-duplicated total.
    assert_eq!(s.savable_bytes.left, fat.findings_savable_bytes);
    assert_eq!(s.savable_bytes.right, micro.findings_savable_bytes);
    let fixed: Vec<&str> = c
        .diff
        .findings
        .only_left
        .iter()
        .map(|g| g.kind.as_str())
        .collect();
    for kind in ["apt-lists", "toolchain", "debug-symbols", "metadata-copy"] {
        assert!(fixed.contains(&kind), "{kind} fixed: {fixed:?}");
    }
    assert!(c.diff.findings.only_right.is_empty());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["left", "right", "diff"] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

#[test]
fn markdown_leads_with_the_change_and_a_table() {
    let md = ok(&run(&["compare", "demo:fat", "demo:micro", "--markdown"]));
    let first = md.lines().find(|l| l.starts_with("**")).unwrap();
    assert!(first.starts_with("**This change removes "), "{first}");
    assert!(first.contains("−`usr/lib/go-1.19/`"), "{first}");
    assert!(md.contains("| final bytes |"), "{md}");
    assert!(md.contains("<summary>Layers: no shared base"), "{md}");
    assert!(md.contains("| + | `server` |"), "{md}");
    assert!(
        md.contains("<summary>Findings: 9 kinds fixed, 0 new"),
        "{md}"
    );
    assert!(
        md.contains("| fixed | apt package lists (2 files) |"),
        "{md}"
    );
}

#[test]
fn text_by_default_and_output_to_a_file() {
    let text = ok(&run(&["compare", "demo:micro", "demo:micro"]));
    assert!(text.contains("keeps the final filesystem's size"), "{text}");
    assert!(
        text.contains("layers: 2 shared (2 of the common base"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.md");
    let f = file.to_str().unwrap();
    assert_eq!(
        ok(&run(&[
            "compare",
            "demo:fat",
            "demo:micro",
            "--markdown",
            "-o",
            f
        ])),
        ""
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("### microscope")
    );
}

#[test]
fn errors_are_one_line_and_exit_2() {
    let o = run(&["compare", "demo:fat", "/nonexistent/image.tar"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/image.tar"), "{err}");
    let o = run(&["compare", "demo:fat", "demo:nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("demo image \"nope\""));
    let o = run(&["compare", "demo:fat", "demo:micro", "--json", "--markdown"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--json and --markdown exclude each other"
    );
}
