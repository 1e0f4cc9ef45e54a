//! The Rewrite pane and its details on the small test image (views/fixture.rs): a static Go
//! program already on its own, so the rewrite says it is minimal. Text only: styles reset
//! before comparing.

use super::super::fixture::{small, text, theme};
use super::*;

#[test]
fn focused_the_pane_takes_the_width_and_reads_as_a_document() {
    let mut app = small(80, 24);
    app.press("5");
    let (list, detail) = areas(&app.state);
    assert_eq!((list.width, list.height, detail.height), (80, 15, 5));
    let buf = text(
        RewriteList {
            state: &app.state,
            theme: &theme(),
        },
        80,
        15,
    );
    let expected = Buffer::with_lines([
        "┏ 1 Layers  3 Packages 1  4 Findings 2 [5 Rewrite]━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ already minimal: a rewrite on scratch would be the same size (1.7 MiB)       ┃",
        "┃ today 1.7 MiB of files                                                       ┃",
        "┃ base scratch: static Go program (cgo off): no loader, no shared libraries, s…┃",
        "┃ program /usr/bin/hello: static Go program (go1.22.5, cgo off)                ┃",
        "┃ predicted 1.7 MiB of files (0 B base), about 1.0 MiB compressed              ┃",
        "┃Copied (1) · Enter shows one in the tree · r marks them all                   ┃",
        "┃   1.7 MiB  /usr/bin/hello  the program                                       ┃",
        "┃May need                                                                      ┃",
        "┃ - a CA bundle: the Go program verifies TLS peers with the system roots, and …┃",
        "┃ - zoneinfo: time.LoadLocation reads /usr/share/zoneinfo, which the image lac…┃",
        "┃ - an init for PID 1 if the program spawns children: `docker run --init` adds…┃",
        "┃Instead                                                                       ┃",
        "┃ gcr.io/distroless/static-debian12 3.6 MiB: brings CA certificates, tzdata, p…┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn the_details_show_the_selected_line_whole() {
    let mut app = small(80, 24);
    app.press("5");
    let buf = text(
        RewriteDetails {
            state: &app.state,
            theme: &theme(),
        },
        40,
        5,
    );
    let expected = Buffer::with_lines([
        "┌ Rewrite ─────────────────────────────┐",
        "│already minimal: a rewrite on scratch │",
        "│would be the same size (1.7 MiB)      │",
        "│                                      │",
        "└──────────────────────────────────────┘",
    ]);
    assert_eq!(buf, expected);
}
