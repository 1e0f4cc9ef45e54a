//! What the runtime must do outside the state after a key or event: below both
//! [`super::update`] (which returns effects) and [`super::commands`] (which makes them), so
//! neither imports the other for it.

use super::tree::build::TreeJob;
use crate::jobs::background::Analysed;

#[derive(Debug)]
pub enum Effect {
    BuildTree(TreeJob),
    /// Text for the terminal's clipboard (OSC 52).
    Copy(String),
    /// Compare the image with its rewrite, in the background.
    WhatIf(Box<Analysed>),
    /// For the screen that holds the app: show the what-if comparison (`c`). The screen
    /// holds the comparison beside the app's state, so the app's update asks for it here
    /// and `tui::whatif::update` answers before the runtime sees it.
    ShowWhatIf,
    /// Write a text to a file; `overwrite` only once the user said so.
    Save {
        path: String,
        text: String,
        overwrite: bool,
    },
}
