//! The Findings pane and its details on the small test image (views/fixture.rs). Text
//! only: styles reset before comparing.

use super::super::fixture::{small, text, theme};
use super::*;

#[test]
fn findings_group_under_their_kind_with_what_the_total_counts() {
    let mut app = small(80, 24);
    app.press("4");
    let buf = text(
        FindingList {
            state: &app.state,
            theme: &theme(),
        },
        32,
        8,
    );
    // Advice the savable total leaves out says so in its heading.
    let expected = Buffer::with_lines([
        "┏ 1 Layers 3 Pkgs[4 Finds] 5 Rw┓",
        "┃▾ 2.9 KiB deleted-later (1)   ┃",
        "┃   2.9 KiB  L0 /tmp/cache/blob┃",
        "┃▾ not counted: uncompressed-b…┃",
        "┃  0.99 MiB  L0 /usr/bin/hello ┃",
        "┃                              ┃",
        "┃                              ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn the_details_give_the_title_what_it_saves_and_the_fix() {
    let mut app = small(80, 24);
    app.press("4");
    let buf = text(
        FindingDetails {
            state: &app.state,
            theme: &theme(),
        },
        32,
        10,
    );
    let expected = Buffer::with_lines([
        "┌ Finding ─────────────────────┐",
        "│1 file deleted in a later lay…│",
        "│saves 2.9 KiB of 2.9 KiB · 1  │",
        "│file · layer 0, by layer 1    │",
        "│don't add them in layer 0     │",
        "│(`ADD file:0123 in /`)        │",
        "│(.dockerignore, or a narrower │",
        "│COPY source); deleting them in│",
        "│layer 1 (`RUN rm -rf          │",
        "└──────────────────────────────┘",
    ]);
    assert_eq!(buf, expected);
}
