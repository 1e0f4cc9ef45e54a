//! End to end, the rewrite on screen: the real binary in tmux on corpus images. The header
//! answers (debian-bookworm, micro-debug) with the same line the text summary ends with,
//! and the Rewrite pane's Dockerfile, written with `s`, is what `--rewrite` prints.
//! Skipped, saying so, when tmux or `$MICROSCOPE_CORPUS` is absent.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::tmux_common::{Session, has_tmux};

const BIN: &str = env!("CARGO_BIN_EXE_microscope");

fn corpus(file: &str) -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os("MICROSCOPE_CORPUS")?).join(file);
    (p.is_file() && has_tmux()).then_some(p)
}

/// `microscope IMAGE ARGS` in a pipe: its standard output.
fn piped(image: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg(image)
        .args(args)
        .env("XDG_CACHE_HOME", std::env::temp_dir())
        // The text summary, not the CI gate a CI runner's `CI=true` would turn a pipe into.
        .env_remove("CI")
        .output()
        .expect("microscope runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The answer the text summary ends with.
fn summary_answer(image: &Path) -> String {
    let text = piped(image, &[]);
    let last = text.lines().last().unwrap_or_default();
    let answer = last
        .strip_prefix("rewrite     ")
        .and_then(|a| a.strip_suffix(" (--rewrite prints the Dockerfile)"));
    answer
        .unwrap_or_else(|| panic!("the summary ends with the answer:\n{text}"))
        .to_string()
}

/// The app on `image` in a session run from its own directory (config and cache there too).
fn start(tag: &str, image: &Path) -> Session {
    Session::start(format!("microscope-rw-{tag}-{}", std::process::id()), |d| {
        format!(
            "cd {d} && XDG_CONFIG_HOME={d} XDG_CACHE_HOME={d} {BIN} {}; sleep 30",
            image.display(),
            d = d.display(),
        )
    })
}

fn header_answers(file: &str, percent: &str) {
    let Some(image) = corpus(file) else {
        crate::support::skip(format!("needs tmux and $MICROSCOPE_CORPUS/{file}"));
        return;
    };
    let answer = summary_answer(&image);
    assert!(
        answer.starts_with("could be ") && answer.contains(percent),
        "{file}: {answer}"
    );
    // One session name per image: both header tests run at once in this process, and a
    // shared name let one test's session (and its drop) take the other's.
    let tag = format!("header-{}", file.replace(['.', ':'], "-"));
    let s = start(&tag, &image);
    let screen = s.wait_for(&answer, 60);
    let header: Vec<&str> = screen.lines().take(3).collect();
    assert!(
        header.iter().any(|l| l.contains(&answer)),
        "the header carries the summary's answer {answer:?}:\n{screen}"
    );
    // On every pane: the header stays.
    for key in ["2", "3", "4", "5"] {
        s.keys(&[key]);
        std::thread::sleep(Duration::from_millis(300));
        s.wait_for(&answer, 5);
    }
}

#[test]
fn the_header_answers_on_debian() {
    header_answers("debian-bookworm.oci.tar", "on scratch (−97.8 %)");
}

#[test]
fn the_header_answers_on_micro_debug() {
    header_answers("micro-debug.docker.tar", "on scratch (−29.8 %)");
}

#[test]
fn the_rewrite_pane_writes_what_rewrite_prints() {
    let Some(image) = corpus("debian-bookworm.oci.tar") else {
        crate::support::skip("needs tmux and $MICROSCOPE_CORPUS/debian-bookworm.oci.tar");
        return;
    };
    let expected = piped(&image, &["--rewrite"]);
    let s = start("pane", &image);
    s.wait_for("could be", 60);
    s.keys(&["5"]);
    s.wait_for("Copied (5)", 10);
    // The pane's last line is the Dockerfile's last line.
    s.keys(&["G"]);
    let last = expected.lines().last().unwrap_or_default();
    let shown: String = last.chars().take(60).collect();
    s.wait_for(&shown, 10);
    s.keys(&["s"]);
    s.wait_for("write the Dockerfile to: Dockerfile.rewrite", 10);
    s.keys(&["Enter"]);
    s.wait_for("wrote the Dockerfile to Dockerfile.rewrite", 10);
    let path = s.dir.path().join("Dockerfile.rewrite");
    let written = std::fs::read_to_string(&path).expect("the file is written");
    assert_eq!(written, expected, "the pane's Dockerfile is --rewrite's");
    // Again: the file exists, so it asks, and `n` keeps it.
    std::fs::write(&path, "mine\n").expect("write");
    s.keys(&["s"]);
    s.keys(&["Enter"]);
    s.wait_for("exists: overwrite it?", 10);
    s.keys(&["n"]);
    s.wait_for("left as it was", 10);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "mine\n");
}
