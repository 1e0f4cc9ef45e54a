//! `--rewrite` through the real binary: the Dockerfile with the prediction as comments, the
//! JSON object, `--include-path`, `--source-image`, and one error line when nothing runs.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::process::Output;

fn run(args: &[&str]) -> Output {
    crate::support::microscope()
        .args(args)
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn demo_rewrite_prints_a_dockerfile_and_the_prediction_as_comments() {
    let out = stdout(&run(&[
        "demo",
        "--rewrite",
        "--source-image",
        "demo/fat:latest",
    ]));
    assert!(
        out.contains("ARG SOURCE_IMAGE=demo/fat:latest\nFROM ${SOURCE_IMAGE} AS source\n"),
        "{out}"
    );
    assert!(out.contains("\nFROM scratch\n"), "{out}");
    assert!(out.contains("ENV CGO_ENABLED=0\n"), "{out}");
    assert!(out.contains("-ldflags=-s -w"), "{out}");
    assert!(out.contains("# predicted   "), "{out}");
    // Every line is a Dockerfile instruction, a comment, or blank: redirect it and build.
    for line in out.lines() {
        let word = line.split_whitespace().next().unwrap_or("");
        assert!(
            line.is_empty()
                || line.starts_with('#')
                || [
                    "ARG",
                    "FROM",
                    "WORKDIR",
                    "ENV",
                    "RUN",
                    "COPY",
                    "EXPOSE",
                    "USER",
                    "ENTRYPOINT",
                    "CMD"
                ]
                .contains(&word),
            "not a Dockerfile line: {line:?}"
        );
    }
}

#[test]
fn rewrite_json_is_the_rewrite_object() {
    let out = stdout(&run(&["demo", "--image", "micro", "--rewrite", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["base"], "scratch");
    assert_eq!(v["program"]["path"], "/server");
    assert!(
        v["dockerfile"]
            .as_str()
            .unwrap()
            .contains("COPY --from=source /server /\n")
    );
    let files: u64 = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["predicted_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(v["predicted_bytes"].as_u64().unwrap(), files);
    // And the full report carries it too.
    let full: serde_json::Value = serde_json::from_str(&stdout(&run(&["demo", "--json"]))).unwrap();
    assert_eq!(full["rewrite"]["base"], "scratch");
}

#[test]
fn include_path_adds_what_static_analysis_cannot_see() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.tar");
    let mut img = ImageBuilder::new("t/plugins:1").layer(
        LayerBuilder::new("app")
            .file_with(
                "app/run.sh",
                b"#!/app/busybox sh\nexec /app/server\n",
                0o755,
                0,
                0,
            )
            .file_with(
                "app/busybox",
                &microscope::demo::elf::build(&Default::default()),
                0o755,
                0,
                0,
            )
            .file("plugins/a.so", &[1u8; 300])
            .file("plugins/b.so", &[2u8; 200]),
    );
    img.run.entrypoint = vec!["/app/run.sh".into()];
    std::fs::write(&path, img.docker_archive()).unwrap();
    let p = path.to_string_lossy();
    let v: serde_json::Value = serde_json::from_str(&stdout(&run(&[
        &p,
        "--rewrite",
        "--json",
        "--include-path",
        "/plugins",
    ])))
    .unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"/plugins"), "{paths:?}");
    assert!(
        paths.contains(&"/app/run.sh") && paths.contains(&"/app/busybox"),
        "{paths:?}"
    );
    assert_eq!(v["program"]["runtime"], "shell");
}

#[test]
fn no_program_is_one_error_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.tar");
    let img =
        ImageBuilder::new("t/empty:1").layer(LayerBuilder::new("data").file("data.txt", b"x"));
    std::fs::write(&path, img.docker_archive()).unwrap();
    let o = run(&[&path.to_string_lossy(), "--rewrite"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no rewrite proposed: the image config has neither Entrypoint nor Cmd"),
        "{err}"
    );
}

/// The text summary ends with the answer and the flag that prints the Dockerfile; the
/// Markdown report has the "How small could it be" section with the Dockerfile collapsed.
#[test]
fn the_summary_and_markdown_answer_how_small() {
    let text = stdout(&run(&["demo", "--format", "text"]));
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("rewrite     could be ")
            && last.contains(" on scratch (−")
            && last.ends_with("(--rewrite prints the Dockerfile)"),
        "{text}"
    );
    let micro = stdout(&run(&["demo", "--image", "micro", "--format", "text"]));
    assert!(
        micro
            .lines()
            .last()
            .unwrap_or_default()
            .contains("already minimal"),
        "{micro}"
    );
    let md = stdout(&run(&["demo", "--format", "markdown"]));
    let section = md
        .split("### How small could it be\n\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no section:\n{md}"));
    assert!(section.starts_with("**could be "), "{section}");
    assert!(section.contains("Base `scratch`"), "{section}");
    assert!(
        section.contains("<details><summary>Dockerfile")
            && section.contains("```dockerfile\n")
            && section.contains("\nFROM scratch\n")
            && section.contains("</details>"),
        "{section}"
    );
    let rewrite = stdout(&run(&["demo", "--rewrite"]));
    assert!(
        section.contains(&rewrite),
        "the collapsed Dockerfile is --rewrite's"
    );
}
