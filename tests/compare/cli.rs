//! `microscope compare`: the JSON parses back into the wire types with full reports on both
//! sides, the Markdown reads as a pull-request comment, errors are one line and exit 2.

use microscope::report::Report;
use microscope::report::compare::CompareReport;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    crate::support::microscope()
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
    // Packages: the Go server moved from /usr/local/bin to / and lost its symbols; the
    // Debian packages are gone.
    let p = &c.diff.packages;
    let server = p
        .changed
        .iter()
        .find(|x| x.name == "example.com/server")
        .unwrap();
    assert_eq!(
        server.left_location.as_deref(),
        Some("usr/local/bin/server")
    );
    assert_eq!(server.location, "server");
    assert!(server.delta < 0);
    let gone: Vec<&str> = p.removed.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(gone.len(), 6, "{gone:?}");
    assert!(p.added.is_empty());
    assert_eq!(
        (s.packages.left, s.packages.right),
        (fat.packages.len() as u64, 1)
    );
    // The explanation never counts a byte twice.
    let e = &c.diff.explained;
    let sum: i64 = e.items.iter().map(|i| i.delta).sum();
    assert_eq!(sum + e.other_delta, s.final_bytes.delta);
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
    // Packages by name, unowned paths in code, biggest first.
    assert!(
        first.contains(": −golang-1.19-go 5.4 MiB, −gcc-12 4.7 MiB, −`var/lib/apt/lists/` 2.6 MiB"),
        "{first}"
    );
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

/// Runs a compare that must fail and returns its one line of error.
fn fails(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?} exits 2");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    err
}

#[test]
fn errors_are_one_line_naming_the_side_and_exit_2() {
    let missing = "/nonexistent/image.tar";
    for (args, expected) in [
        (
            ["compare", missing, "demo:fat"],
            format!("microscope: left image: {missing}: no such file or directory"),
        ),
        (
            ["compare", "demo:fat", missing],
            format!("microscope: right image: {missing}: no such file or directory"),
        ),
        (
            ["compare", "demo:nope", "demo:micro"],
            "microscope: left image: demo:nope: no such demo image (there are: fat, micro)".into(),
        ),
        (
            ["compare", "demo:fat", "Bad::Ref"],
            "microscope: right image: Bad::Ref: not an image: \"Bad::Ref\" is not a registry \
             reference: invalid reference format"
                .into(),
        ),
    ] {
        assert_eq!(fails(&args).trim_end(), expected);
    }
    // clap's own usage message (several lines, with the usage) and exit code.
    let o = run(&["compare", "demo:fat", "demo:micro", "--json", "--markdown"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--json and --markdown exclude each other"
    );
}

/// A `docker save` directory whose config promises a different layer than it holds: it
/// opens, and fails only when the layer is read.
fn lying_image(dir: &std::path::Path) {
    use microscope::demo::builder::LayerBuilder;
    let layer = LayerBuilder::new("COPY a /a").file("a", b"hello").build();
    std::fs::create_dir_all(dir.join("l")).unwrap();
    std::fs::write(dir.join("l/layer.tar"), &layer).unwrap();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", "0".repeat(64))]},
        "history": [{"created_by": "COPY a /a"}],
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let manifest = serde_json::json!([{
        "Config": "config.json", "RepoTags": ["liar:latest"], "Layers": ["l/layer.tar"],
    }]);
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
}

#[test]
fn an_image_failing_while_it_is_read_is_named_by_its_side() {
    let tmp = tempfile::tempdir().unwrap();
    lying_image(tmp.path());
    let liar = tmp.path().to_string_lossy().into_owned();
    for (args, side) in [
        (["compare", "demo:micro", liar.as_str()], "right"),
        (["compare", liar.as_str(), "demo:micro"], "left"),
    ] {
        let err = fails(&args);
        let prefix = format!("microscope: {side} image: {liar}: layer 0");
        assert!(err.starts_with(&prefix), "{err}");
        assert!(err.contains("mismatch"), "{err}");
    }
}
