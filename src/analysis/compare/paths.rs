//! The path-level types of a comparison: what one path or one directory looks like on both
//! sides. Below both the tree diff and its directory arena, so neither imports the other for
//! them.

use super::signed_delta;
use crate::image::EntryKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnlyLeft,
    OnlyRight,
    Changed,
    Same,
}

/// What one side has at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub kind: EntryKind,
    /// Regular-file bytes; 0 for everything else.
    pub bytes: u64,
}

/// One path of either final filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDiff {
    pub path: Arc<str>,
    pub status: Status,
    pub left: Option<Facts>,
    pub right: Option<Facts>,
}

impl PathDiff {
    pub fn left_bytes(&self) -> u64 {
        self.left.map_or(0, |f| f.bytes)
    }
    pub fn right_bytes(&self) -> u64 {
        self.right.map_or(0, |f| f.bytes)
    }
    pub fn delta(&self) -> i64 {
        signed_delta(self.left_bytes(), self.right_bytes())
    }
    /// A directory on every side it exists on: its content is accounted for by its
    /// children, so it is not an entry of the totals.
    pub fn is_dir(&self) -> bool {
        [self.left, self.right]
            .iter()
            .flatten()
            .all(|f| f.kind.is_dir())
    }
}

/// Entries (non-directories) and their bytes on each side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub entries: u64,
    pub left_bytes: u64,
    pub right_bytes: u64,
    pub delta: i64,
}

impl Tally {
    pub(super) fn add(&mut self, p: &PathDiff) {
        self.entries += 1;
        self.left_bytes = self.left_bytes.saturating_add(p.left_bytes());
        self.right_bytes = self.right_bytes.saturating_add(p.right_bytes());
        self.delta = signed_delta(self.left_bytes, self.right_bytes);
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub only_left: Tally,
    pub only_right: Tally,
    pub changed: Tally,
    pub same: Tally,
}

/// A directory and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirAgg {
    /// The directory exists on that side (as an entry, or as the parent of one).
    pub in_left: bool,
    pub in_right: bool,
    pub status: Status,
    pub left_bytes: u64,
    pub right_bytes: u64,
    /// Entries below, by status.
    pub only_left: u32,
    pub only_right: u32,
    pub changed: u32,
    pub same: u32,
    /// Σ |delta| of the entries below: how much changed, whatever the direction.
    pub gross: u64,
}

impl DirAgg {
    pub(super) fn new() -> DirAgg {
        DirAgg {
            in_left: false,
            in_right: false,
            status: Status::Same,
            left_bytes: 0,
            right_bytes: 0,
            only_left: 0,
            only_right: 0,
            changed: 0,
            same: 0,
            gross: 0,
        }
    }
    pub fn delta(&self) -> i64 {
        signed_delta(self.left_bytes, self.right_bytes)
    }
    /// Entries below that differ.
    pub fn differing(&self) -> u32 {
        self.only_left + self.only_right + self.changed
    }
}
