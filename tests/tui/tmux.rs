//! End to end: the real binary in a real terminal (tmux), on a corpus image. Keys go in with
//! `send-keys`, the screen comes back with `capture-pane`. Skipped when tmux or the corpus
//! (`$MICROSCOPE_CORPUS`) is absent.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn corpus_image() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("MICROSCOPE_CORPUS")?);
    ["micro-latest.docker.tar", "alpine-3.20.docker.tar"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

use crate::tmux_common::{Session, has_tmux};

/// `microscope ARG` in a session with its own config directory; the exit code is printed
/// as `MICROSCOPE_EXIT=N` when it ends.
fn start(tag: &str, arg: &str) -> Session {
    Session::start(
        format!("microscope-e2e-{tag}-{}", std::process::id()),
        // A cache of the session's own: a scan another run left would skip the loading screen.
        |dir| {
            let d = dir.display();
            format!(
                "XDG_CONFIG_HOME={d} XDG_CACHE_HOME={d}/cache {} {arg}; echo MICROSCOPE_EXIT=$?; sleep 30",
                env!("CARGO_BIN_EXE_microscope"),
            )
        },
    )
}

#[test]
fn the_app_runs_in_a_terminal() {
    let Some(image) = corpus_image().filter(|_| has_tmux()) else {
        crate::support::skip("needs tmux and $MICROSCOPE_CORPUS");
        return;
    };
    let s = start("app", &image.display().to_string());
    let screen = s.wait_for("efficiency", 60);
    assert!(
        screen.contains("Layers"),
        "the layers pane shows:\n{screen}"
    );
    s.wait_for("Name", 30);
    s.keys(&["W", "Tab"]);
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
        crate::support::skip("needs tmux and $MICROSCOPE_CORPUS/debian-bookworm.oci.tar");
        return;
    };
    let s = start("load", &image.display().to_string());
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
        crate::support::skip("needs tmux");
        return;
    }
    let s = start("demo", "demo");
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

/// dive-test-image's layer 9 is `rm -rf /root/example/`: the layer's own view draws the
/// deleted directory as a directory holding its two files; the view as of layer 9 has
/// layer 0's files too; search finds a removed file and says where it is among the matches.
#[test]
fn a_deleted_directory_the_as_of_layer_view_and_search_for_a_removed_file() {
    let image = std::env::var_os("MICROSCOPE_CORPUS")
        .map(|d| PathBuf::from(d).join("dive-test-image.docker.tar"))
        .filter(|p| p.is_file() && has_tmux());
    let Some(image) = image else {
        crate::support::skip("needs tmux and $MICROSCOPE_CORPUS/dive-test-image.docker.tar");
        return;
    };
    let s = start("deleted", &image.display().to_string());
    s.wait_for("efficiency", 60);
    for _ in 0..9 {
        s.keys(&["j"]);
    }
    s.keys(&["C-l"]);
    let screen = s.wait_for("layer 9 only", 10);
    let screen = if screen.contains("somefile2.txt") {
        screen
    } else {
        s.wait_for("somefile2.txt", 10)
    };
    let line = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{screen}"))
            .to_string()
    };
    assert!(
        line("example/").contains("- drwxr-xr-x"),
        "the removed directory is a directory, marked removed:\n{screen}"
    );
    for f in ["somefile1.txt", "somefile2.txt"] {
        let l = line(f);
        assert!(
            l.contains("- -r") && l.contains("6.3 KiB"),
            "{f} is drawn beneath it with its own mode and size:\n{screen}"
        );
    }
    s.keys(&["C-a"]);
    let screen = s.wait_for("as of layer 9", 10);
    assert!(
        screen.contains("bin/") && screen.contains("root/"),
        "the filesystem as of layer 9 holds layer 0's files:\n{screen}"
    );
    s.keys(&["2", "/"]);
    s.keys(&["-l", "somefile1"]);
    s.wait_for("/somefile1█  1/1", 10);
    s.keys(&["Enter"]);
    let screen = s.wait_for("/root/example/somefile1.txt", 10);
    assert!(
        screen.contains("6.3 KiB removed"),
        "the removed file is found and selected:\n{screen}"
    );
    s.keys(&["q"]);
    s.wait_for("MICROSCOPE_EXIT=0", 10);
}
