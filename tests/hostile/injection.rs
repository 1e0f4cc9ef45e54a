//! Terminal, CI-log and Markdown injection (issue 17, class 7): paths, layer commands and
//! package names carrying ESC[2J, OSC 52 (clipboard), OSC 0 (window title), C1 CSI,
//! newlines that start a GitHub workflow command and Azure `##vso[`. Every text and Markdown
//! output, and stderr, must show them escaped.

use crate::util::*;
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::path::Path;
use std::time::Duration;

const EVIL: &str = "x\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b]0;owned\x07\u{9b}31m\u{202e}\n::warning title=pwned::gotcha\r\n##vso[task.setvariable variable=a]b\n##[error]c";

fn evil_image(tag: &str) -> ImageBuilder {
    let path = format!("var/cache/apt/{EVIL}.deb");
    let status = format!(
        "Package: p{EVIL}\nStatus: install ok installed\nVersion: 1{EVIL}\nArchitecture: all\n\n"
    );
    ImageBuilder::new(tag)
        .layer(
            LayerBuilder::new(&format!("RUN {EVIL}"))
                .file(&path, &[b'z'; 4096])
                .file(&format!("app/{EVIL}"), &[b'y'; 4096])
                .file("var/lib/dpkg/status", status.as_bytes())
                .file(&format!("var/lib/dpkg/info/p{EVIL}.list"), b"/app\n"),
        )
        .layer(LayerBuilder::new(&format!("RUN rm {EVIL}")).whiteout(&format!("app/{EVIL}")))
}

/// No raw control byte but newline and tab; no line that a CI runner reads as a command.
#[track_caller]
fn assert_clean(what: &str, out: &str) {
    for (i, line) in out.lines().enumerate() {
        assert!(
            !line
                .chars()
                .any(|c| c != '\t' && (c.is_control() || c == '\u{202e}')),
            "{what}: raw control character on line {i}: {line:?}"
        );
        let t = line.trim_start();
        assert!(
            !t.starts_with("::") && !line.contains("##[") && !line.contains("##vso["),
            "{what}: workflow command on line {i}: {line:?}"
        );
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Outcome {
    run_limited(args, Duration::from_secs(60), dir, &[])
}

#[test]
fn every_text_and_markdown_output_escapes_image_strings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.tar"),
        evil_image("evil:a").docker_archive(),
    )
    .unwrap();
    let b = evil_image("evil:b").layer(LayerBuilder::new("RUN more").file("more", b"m"));
    std::fs::write(dir.path().join("b.tar"), b.docker_archive()).unwrap();
    let runs: [&[&str]; 8] = [
        &["a.tar", "--format", "text"],
        &["a.tar", "--findings"],
        &["a.tar", "--packages"],
        &["a.tar", "--ci"],
        &["a.tar", "--format", "markdown"],
        &["a.tar", "--ci", "--format", "markdown"],
        &["compare", "a.tar", "b.tar", "--format", "text"],
        &["compare", "a.tar", "b.tar", "--markdown"],
    ];
    for args in runs {
        let o = run_in(dir.path(), args);
        assert!(
            matches!(o.code, Some(0 | 1)),
            "{args:?}: {:?} {}",
            o.code,
            o.stderr
        );
        assert_clean(&format!("{args:?} stdout"), &o.stdout);
        // Each output but the summary shows some of the image's strings, escaped.
        if args[1] != "--format" || args[2] == "markdown" {
            assert!(o.stdout.contains("x1b"), "{args:?}: {}", o.stdout);
        }
        assert_clean(&format!("{args:?} stderr"), &o.stderr);
    }
    // JSON keeps the strings exactly (parsed back), and is clean in a log too.
    for args in [
        &["a.tar", "--json"][..],
        &["compare", "a.tar", "b.tar", "--json"],
    ] {
        let o = run_in(dir.path(), args);
        assert_eq!(o.code, Some(0), "{args:?}: {}", o.stderr);
        assert_clean(&format!("{args:?} stdout"), &o.stdout);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("valid JSON");
        assert!(
            v.to_string().contains("::warning title=pwned"),
            "strings kept"
        );
    }
    // The escapes are visible, not dropped: a reader sees what the image holds.
    let o = run_in(dir.path(), &["a.tar", "--findings"]);
    assert!(o.stdout.contains("\\x1b[2J"), "{}", o.stdout);
    assert!(o.stdout.contains("\\n::warning"), "{}", o.stdout);
}

#[test]
fn compare_markdown_carries_no_links_or_html_from_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let a = ImageBuilder::new("a").layer(LayerBuilder::new("ADD a").file("f", b"1"));
    let b = ImageBuilder::new("b").layer(
        LayerBuilder::new("RUN <img src=x onerror=alert(1)> [click](http://evil)")
            .file("f", b"1")
            .file("g<b>[x](http://e)|y", &[b'g'; 5000]),
    );
    std::fs::write(dir.path().join("a.tar"), a.docker_archive()).unwrap();
    std::fs::write(dir.path().join("b.tar"), b.docker_archive()).unwrap();
    let o = run_in(dir.path(), &["compare", "a.tar", "b.tar", "--markdown"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    // Inside code spans the text is shown literally; outside them nothing may be markup.
    let prose = outside_code_spans(&o.stdout);
    assert!(o.stdout.contains("onerror"), "the command is shown");
    for bad in ["<img", "<b>", "](http"] {
        assert!(!prose.contains(bad), "{bad} outside a code span: {prose}");
    }
}

/// The Markdown with every code span (a run of n backticks up to the next run of n) cut out.
fn outside_code_spans(md: &str) -> String {
    let b = md.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] != b'`' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&c| c == b'`').count();
        let mut j = i + n;
        let close = loop {
            match b[j..].iter().position(|&c| c == b'`') {
                None => break None,
                Some(k) => {
                    let run = b[j + k..].iter().take_while(|&&c| c == b'`').count();
                    if run == n {
                        break Some(j + k + n);
                    }
                    j += k + run;
                }
            }
        };
        i = close.unwrap_or(b.len());
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn an_error_quoting_the_image_is_escaped_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let name = "img\x1b]0;t\x07\n::error::x.tar";
    let o = run_in(dir.path(), &[name, "--json"]);
    o.error("\\x1b]0;t\\x07");
    assert_clean("stderr", &o.stderr);
}
