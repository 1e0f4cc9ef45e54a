//! The Packages pane and its details on the small test image (views/fixture.rs): one dpkg
//! package and the row for bytes no package owns. Text only: styles reset before comparing.

use super::super::fixture::{small, text, theme};
use super::*;

#[test]
fn packages_by_bytes_then_their_total() {
    let mut app = small(80, 24);
    app.press("3");
    let buf = text(
        PackageList {
            state: &app.state,
            theme: &theme(),
        },
        32,
        7,
    );
    let expected = Buffer::with_lines([
        "┏ 1 Layers[3 Pkgs] 4 Finds 5 Rw┓",
        "┃    Size Files   L Manager Na…┃",
        "┃ 1.7 MiB     1   0 dpkg    he…┃",
        "┃   160 B     3   –         (u…┃",
        "┃                              ┃",
        "┃1 package own 1.7 MiB of 1.7 …┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn the_details_name_the_package_and_its_files() {
    let mut app = small(80, 24);
    app.press("3");
    let buf = text(
        PackageDetails {
            state: &app.state,
            theme: &theme(),
        },
        32,
        6,
    );
    let expected = Buffer::with_lines([
        "┌ Package ─────────────────────┐",
        "│hello 2.10-3 (dpkg)           │",
        "│1.7 MiB in 1 file · Enter     │",
        "│shows them                    │",
        "│/usr/bin/hello                │",
        "└──────────────────────────────┘",
    ]);
    assert_eq!(buf, expected);
}
