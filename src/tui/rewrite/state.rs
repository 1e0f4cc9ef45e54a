//! The rewrite's part of the app's state, as plain data: the pane's lines and cursor, the
//! files the rewrite keeps, the write prompt. The what-if comparison is not here: the screen
//! that holds the app holds it beside the app's state (`compare::state::WhatIf`).

use super::doc;
use crate::analysis::rewrite::whatif::kept_paths;
use crate::jobs::background::Analysed;
use crate::tui::cursor::ListCursor;
use std::collections::HashMap;
use std::sync::Arc;

/// The file name the write prompt starts with.
pub const DEFAULT_FILE: &str = "Dockerfile.rewrite";

/// Writing the Dockerfile: the path being typed, or a path that exists, awaiting `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavePrompt {
    Path(String),
    Overwrite(String),
}

#[derive(Debug, Default)]
pub struct RewriteState {
    /// The pane's lines, built once when the analysis lands.
    pub lines: Vec<doc::Line>,
    pub cursor: ListCursor,
    /// Final paths (keyed as the tree keys them) the rewrite keeps → the copy's index.
    pub kept: Arc<HashMap<Arc<str>, u32>>,
    /// Per copy, the path it is found at in the tree (symlinks followed).
    pub targets: Vec<Arc<str>>,
    /// Per directory, the bytes kept below it (its size while `r` shows only those).
    pub dir_bytes: HashMap<Arc<str>, u64>,
    pub save: Option<SavePrompt>,
}

impl RewriteState {
    pub fn new(a: &Analysed) -> RewriteState {
        let k = match &a.analysis.rewrite {
            Ok(r) => kept_paths(&a.image, &a.analysis.merged, r),
            Err(_) => Default::default(),
        };
        RewriteState {
            lines: doc::lines(&a.analysis.rewrite),
            kept: Arc::new(k.paths),
            targets: k.targets,
            dir_bytes: k.dir_bytes,
            ..RewriteState::default()
        }
    }

    /// The copy that keeps `path`, if the rewrite keeps it.
    pub fn keeps(&self, path: &str) -> Option<u32> {
        self.kept.get(path).copied()
    }
}
