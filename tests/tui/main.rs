//! The interactive app, the compare view and the tour on screen: one test binary (as
//! tests/hostile/main.rs), a module per area. Snapshots (insta, NO_COLOR theme, digests
//! masked) are in tests/tui/snapshots; the tmux modules run the release-like binary in a
//! real terminal and skip, saying so, without tmux.

#![cfg(feature = "tui")]

mod common;
mod compare;
mod files;
mod journeys;
mod readme;
mod rewrite;
#[path = "../support/mod.rs"]
mod support;
mod tmux;
mod tmux_common;
mod tmux_rewrite;
mod tour;
mod views;
