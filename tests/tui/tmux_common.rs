//! The real binary in a real terminal: a tmux session to type into (`send-keys`) and read
//! (`capture-pane`), for the end-to-end tests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn has_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A 120×36 tmux session named `name` running the command `cmd` builds from a directory of
/// the session's own (for config, cache or working directory). Killed on drop.
pub struct Session {
    name: String,
    /// Kept for the session's life; not every test reads it.
    #[allow(dead_code)]
    pub dir: tempfile::TempDir,
}

impl Session {
    pub fn start(name: String, cmd: impl FnOnce(&Path) -> String) -> Session {
        let dir = tempfile::tempdir().expect("temp dir");
        let cmd = cmd(dir.path());
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
        Session { name, dir }
    }

    pub fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.name])
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
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

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        tmux(&args);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.name]);
    }
}
