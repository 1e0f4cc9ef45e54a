//! The rewrite in the app: the Rewrite pane's lines and cursor, the files the rewrite keeps
//! (marked in the tree, and a filter to them), writing the Dockerfile to a file, and asking
//! for the what-if compare (shown by the screen around the app: `tui::whatif`). The rewrite
//! itself comes with the analysis, computed on the loader's thread; nothing here reads or
//! computes more than an index of it.

pub mod doc;
pub mod state;

use super::effect::Effect;
use super::keymap::Command;
use super::state::{FilesView, Highlight, Pane, State};
use crate::jobs::save::SaveError;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashSet;
use std::sync::Arc;

pub use state::{DEFAULT_FILE, RewriteState, SavePrompt};

/// The commands of this module; false when `cmd` is not one of them.
pub fn command(state: &mut State, cmd: Command, effects: &mut Vec<Effect>) -> bool {
    match cmd {
        Command::FocusRewrite => {
            state.focus = Pane::Rewrite;
            state.left = Pane::Rewrite;
        }
        Command::KeptOnly => kept_only(state),
        Command::CopyDockerfile => match dockerfile(state) {
            Some(text) => {
                state.message = Some(format!(
                    "copied the Dockerfile ({} lines)",
                    text.lines().count()
                ));
                effects.push(Effect::Copy(text));
            }
            None => state.message = Some("no Dockerfile to copy yet".into()),
        },
        Command::SaveDockerfile => match dockerfile(state) {
            Some(_) => state.rewrite.save = Some(SavePrompt::Path(DEFAULT_FILE.into())),
            None => state.message = Some("no Dockerfile to write yet".into()),
        },
        Command::WhatIf => ask_whatif(state, effects),
        _ => return false,
    }
    true
}

/// `c`: the what-if compare, once there is a rewrite to compare with.
fn ask_whatif(state: &mut State, effects: &mut Vec<Effect>) {
    match state.loaded.as_ref().map(|l| &l.analysis.rewrite) {
        None => {
            state.message = Some("the what-if compare opens once the image is analysed".into());
        }
        Some(Err(why)) => state.message = Some(format!("no rewrite proposed: {why}")),
        Some(Ok(_)) => effects.push(Effect::ShowWhatIf),
    }
}

fn dockerfile(state: &State) -> Option<String> {
    doc::dockerfile(&state.loaded.as_ref()?.analysis.rewrite)
}

/// `r`: the tree shows only what the rewrite keeps (in the whole image, where those files
/// are), or everything again.
fn kept_only(state: &mut State) {
    if state.filter.only.take().is_none() {
        if state.rewrite.kept.is_empty() {
            state.message = Some(match &state.loaded {
                None => "the rewrite shows once the image is analysed".into(),
                Some(_) => "the rewrite keeps nothing to show".into(),
            });
            return;
        }
        let set: HashSet<Arc<str>> = state.rewrite.kept.keys().cloned().collect();
        state.filter.only = Some(Arc::new(set));
        state.files = FilesView::Image;
        state.focus = Pane::Tree;
    }
    let f = state.filter.clone();
    for v in state.trees.values_mut() {
        v.apply_filter(&f);
    }
}

/// Enter on a copied file's line: the file, highlighted, in the whole image's tree.
pub fn select(state: &mut State) {
    let Some(line) = state.rewrite.lines.get(state.rewrite.cursor.selected) else {
        return;
    };
    let doc::Kind::File(i) = line.kind else {
        state.message = Some("Enter shows a copied file in the tree".into());
        return;
    };
    let Some(target) = state.rewrite.targets.get(i).cloned() else {
        return;
    };
    state.files = FilesView::Image;
    state.highlight = Some(Highlight {
        label: format!("kept by the rewrite: /{target}"),
        paths: vec![target.clone()],
        set: [target.clone()].into_iter().collect(),
        at: 0,
    });
    state.jump = Some(target);
    state.focus = Pane::Tree;
}

/// A key while the write prompt is open: edit the path, Enter writes, Esc cancels; on an
/// existing file, `y` overwrites and anything else keeps it.
pub fn save_key(state: &mut State, k: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(prompt) = state.rewrite.save.as_mut() else {
        return;
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && k.code == KeyCode::Char('c') {
        state.quit = true;
        return;
    }
    match prompt {
        SavePrompt::Path(p) => match k.code {
            KeyCode::Enter => {
                let path = p.clone();
                state.rewrite.save = None;
                write(state, path, false, effects);
            }
            KeyCode::Esc => state.rewrite.save = None,
            KeyCode::Backspace => {
                p.pop();
            }
            KeyCode::Char(c) if !ctrl => p.push(c),
            _ => {}
        },
        SavePrompt::Overwrite(p) => {
            let path = p.clone();
            state.rewrite.save = None;
            if matches!(k.code, KeyCode::Char('y' | 'Y')) {
                write(state, path, true, effects);
            } else {
                state.message = Some(format!("{path} left as it was"));
            }
        }
    }
}

fn write(state: &mut State, path: String, overwrite: bool, effects: &mut Vec<Effect>) {
    if let Some(text) = dockerfile(state) {
        effects.push(Effect::Save {
            path,
            text,
            overwrite,
        });
    }
}

/// The answer of a write: say where it went, or ask before overwriting.
pub fn saved(state: &mut State, r: Result<String, SaveError>) {
    match r {
        Ok(path) => state.message = Some(format!("wrote the Dockerfile to {path}")),
        Err(SaveError::Exists(path)) => state.rewrite.save = Some(SavePrompt::Overwrite(path)),
        Err(e) => state.message = Some(e.to_string()),
    }
}

/// What `y` copies on this pane: the selected file's path, or the selected line.
pub fn selected_text(state: &State) -> Option<String> {
    let r = state.loaded.as_ref()?.analysis.rewrite.as_ref().ok()?;
    let line = state.rewrite.lines.get(state.rewrite.cursor.selected)?;
    match line.kind {
        doc::Kind::File(i) => r.files.get(i).map(|f| f.path.clone()),
        _ => Some(line.text.clone()),
    }
}

/// Moves the pane's cursor.
pub fn step(state: &mut State, delta: isize) {
    let n = state.rewrite.lines.len();
    state.rewrite.cursor.step(delta, n);
}

/// Keeps the cursor inside the pane's window.
pub fn fit(state: &mut State) {
    let h = super::views::rewrite::rows(state).height as usize;
    let n = state.rewrite.lines.len();
    let c = &mut state.rewrite.cursor;
    c.step(0, n);
    c.fit(h, n);
}
