//! `MICROSCOPE_TRACE_FRAMES=FILE` appends `<ms since start> <event>` lines, how
//! `scripts/measure-tui.sh` times the app from outside on a real terminal: `first_frame`,
//! `analysis` (the first frame with the analysis and a tree drawn), `rewrite` (the first
//! frame with the rewrite's answer in the header), `key` (a key arrived) and `tree MODE`
//! (a frame drew a tree view other than the frame before). Start is when `main` began
//! ([`started`]); without the variable nothing is written.

use super::state::State;
use super::tree::TreeMode;
use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Marks the process's start; the first call wins.
pub fn started() {
    START.get_or_init(Instant::now);
}

#[derive(Default)]
pub struct Trace {
    file: Option<std::fs::File>,
    analysis: bool,
    rewrite: bool,
    tree: Option<TreeMode>,
}

impl Trace {
    pub fn from_env() -> Trace {
        let file = std::env::var_os("MICROSCOPE_TRACE_FRAMES").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
        Trace {
            file,
            ..Trace::default()
        }
    }

    pub fn mark(&mut self, what: &str) {
        if let Some(f) = &mut self.file {
            let ms = START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0;
            let _ = writeln!(f, "{ms:.1} {what}");
        }
    }

    /// After a frame was drawn: what it showed for the first time.
    pub fn frame(&mut self, state: &State) {
        if self.file.is_none() {
            return;
        }
        let tree = state.tree().map(|v| v.tree.mode);
        if tree.is_some() && tree != self.tree {
            self.tree = tree;
            self.mark(&format!("tree {:?}", state.tree_mode()));
        }
        if !self.analysis && state.loaded.is_some() && tree.is_some() {
            self.analysis = true;
            self.mark("analysis");
        }
        if !self.rewrite && state.loaded.is_some() && !state.rewrite.lines.is_empty() {
            self.rewrite = true;
            self.mark("rewrite");
        }
    }
}
