//! End to end: the real binary in a real terminal (tmux), on a corpus image. Keys go in with
//! `send-keys`, the screen comes back with `capture-pane`. Skipped when tmux or the corpus
//! (`$MICROSCOPE_CORPUS`) is absent.

#![cfg(feature = "tui")]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn corpus_image() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("MICROSCOPE_CORPUS")?);
    ["micro-latest.docker.tar", "alpine-3.20.docker.tar"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tmux session running `microscope ARG` (120×36) with its own config directory; the
/// exit code is printed as `MICROSCOPE_EXIT=N` when it ends. Killed on drop.
struct Session(String, #[allow(dead_code)] tempfile::TempDir);

impl Session {
    fn start(tag: &str, arg: &str) -> Session {
        let config = tempfile::tempdir().expect("temp dir");
        let name = format!("microscope-e2e-{tag}-{}", std::process::id());
        let cmd = format!(
            "XDG_CONFIG_HOME={} {} {arg}; echo MICROSCOPE_EXIT=$?; sleep 30",
            config.path().display(),
            env!("CARGO_BIN_EXE_microscope"),
        );
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "120",
            "-y",
            "36",
            &cmd,
        ]);
        Session(name, config)
    }

    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs`.
    fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("{text:?} did not appear within {secs}s; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.0];
        args.extend_from_slice(keys);
        tmux(&args);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

#[test]
fn the_app_runs_in_a_terminal() {
    let Some(image) = corpus_image().filter(|_| has_tmux()) else {
        eprintln!("skipped: needs tmux and $MICROSCOPE_CORPUS");
        return;
    };
    let s = Session::start("app", &image.display().to_string());
    let screen = s.wait_for("efficiency", 60);
    assert!(
        screen.contains("Layers"),
        "the layers pane shows:\n{screen}"
    );
    s.wait_for("Name", 30);
    s.keys(&["w", "Tab"]);
    s.wait_for("whole image", 10);
    // The whole image's tree is built in the background: it shows /etc once it is done.
    s.wait_for("etc/", 10);
    s.keys(&["?"]);
    s.wait_for("Quit (cancels loading)", 10);
    // Not Escape: Escape then `/` in quick succession reads as Alt+/.
    s.keys(&["x"]);
    s.keys(&["/"]);
    s.keys(&["-l", "certs"]);
    s.wait_for("/certs█", 10);
    s.keys(&["Enter", "q"]);
    let screen = s.wait_for("MICROSCOPE_EXIT=", 10);
    assert!(
        screen.contains("MICROSCOPE_EXIT=0"),
        "q exits cleanly:\n{screen}"
    );
}

/// Keys work while layers are still being scanned, and `q` quits at once, cancelling the
/// scan and giving the shell its terminal back.
#[test]
fn keys_work_and_q_quits_while_loading() {
    let image = std::env::var_os("MICROSCOPE_CORPUS")
        .map(|d| PathBuf::from(d).join("debian-bookworm.oci.tar"))
        .filter(|p| p.is_file() && has_tmux());
    let Some(image) = image else {
        eprintln!("skipped: needs tmux and $MICROSCOPE_CORPUS/debian-bookworm.oci.tar");
        return;
    };
    let s = Session::start("load", &image.display().to_string());
    let screen = s.wait_for("scanning 0/1 layers", 10);
    assert!(
        screen.contains("Layers"),
        "the first frame comes before the scan:\n{screen}"
    );
    s.keys(&["?"]);
    let screen = s.wait_for("Quit (cancels loading)", 3);
    assert!(
        !screen.contains("efficiency 1"),
        "help answered while still loading"
    );
    s.keys(&["x"]);
    let start = Instant::now();
    s.keys(&["q"]);
    s.wait_for("MICROSCOPE_EXIT=0", 5);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "q quits at once while loading ({:?})",
        start.elapsed()
    );
}

/// `microscope demo` opens the compare of the demo fat and micro images; `]` opens micro in
/// the single-image app, `q` comes back, `q` again quits. Needs only tmux.
#[test]
fn demo_opens_the_compare_and_a_side_in_the_full_app() {
    if !has_tmux() {
        eprintln!("skipped: needs tmux");
        return;
    }
    let s = Session::start("demo", "demo");
    s.wait_for("microscope compare demo:fat → demo:micro", 20);
    // Sides open once compared: the layer table says what is shared only then.
    s.wait_for("nothing shared", 20);
    // Literally: tmux reads a bare `]` as a key name.
    s.keys(&["-l", "]"]);
    s.wait_for("microscope demo:micro", 10);
    // The footer may be drawn a frame after the title (the tree is still being built).
    s.wait_for("q back", 10);
    s.keys(&["q"]);
    s.wait_for("microscope compare demo:fat", 10);
    s.keys(&["q"]);
    let screen = s.wait_for("MICROSCOPE_EXIT=", 10);
    assert!(
        screen.contains("MICROSCOPE_EXIT=0"),
        "q in the compare view exits cleanly:\n{screen}"
    );
}
