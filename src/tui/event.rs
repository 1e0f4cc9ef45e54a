//! What happens to the app: a terminal event, a loader message, a tree built, a what-if
//! comparison or a file written. The intent a key stands for is `keymap::Command`; an event
//! goes to `update::update`, the only way the state changes. A leaf module, so the compare
//! view's and the tour's states can carry an app's events without importing its update.

use super::tree::{Tree, TreeMode};
use crate::jobs::background::LoadEvent;
use crate::jobs::save::SaveError;
use crate::tui::compare::data::CompareData;
use crossterm::event::Event as TermEvent;

#[derive(Debug)]
pub enum Event {
    Term(TermEvent),
    Load(LoadEvent),
    TreeBuilt(Box<Tree>),
    /// The builder dropped a request a newer one superseded.
    TreeSkipped(TreeMode),
    /// The what-if comparison of the image with its rewrite, built off the UI thread.
    WhatIfReady(Result<Box<CompareData>, String>),
    /// The Dockerfile was written (to this path), or why not.
    Saved(Result<String, SaveError>),
}
