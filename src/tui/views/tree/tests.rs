//! The Files pane and its footer on the small test image (views/fixture.rs). Text tests
//! reset the styles before comparing; the `styled` ones compare styles too (mono theme).

use super::super::fixture::{small, styled, text, theme};
use super::{Files, Footer};
use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

#[test]
fn the_pane_shows_attributes_sizes_the_guide_and_the_selected_file() {
    let mut app = small(80, 24);
    app.press("2");
    let state = &app.state;
    let buf = text(
        Files {
            state,
            theme: &theme(),
        },
        48,
        12,
    );
    // Text only (styles reset). `◆`: the rewrite keeps the file.
    let expected = Buffer::with_lines([
        "┏ 2 Files — as of layer 0 · by size ━━━━━━━━━━━┓",
        "┃  Permission  UID:GID      Size  Name         ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB  ├ usr/      ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB  │ └ bin/    ┃",
        "┃+◆-rwxr-xr-x       0:0   1.7 MiB  │   └ hello ┃",
        "┃  drwxr-xr-x       0:0   2.9 KiB  ├ tmp/      ┃",
        "┃  drwxr-xr-x       0:0   2.9 KiB  │ └ cache/  ┃",
        "┃+ -rw-r--r--       0:0   2.9 KiB  │   └ blob  ┃",
        "┃  drwxr-xr-x       0:0     134 B  ├ var/      ┃",
        "┃/usr                                          ┃",
        "┃                                              ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn a_narrow_pane_drops_the_attributes_before_cutting_names() {
    let mut app = small(80, 24);
    app.press("2");
    let state = &app.state;
    let buf = text(
        Files {
            state,
            theme: &theme(),
        },
        30,
        8,
    );
    // Text only (styles reset); the title is cut at the border.
    let expected = Buffer::with_lines([
        "┏ 2 Files — as of layer 0 · b┓",
        "┃       Size  Name           ┃",
        "┃    1.7 MiB  ├ usr/         ┃",
        "┃    1.7 MiB  │ └ bin/       ┃",
        "┃+◆  1.7 MiB  │   └ hello    ┃",
        "┃/usr                        ┃",
        "┃                            ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn a_later_layer_marks_what_it_removed_and_the_footer_names_the_file() {
    let mut app = small(80, 24);
    app.press("1 j 2 j j");
    let state = &app.state;
    let buf = text(
        Files {
            state,
            theme: &theme(),
        },
        48,
        8,
    );
    // Text only (styles reset): the removed bytes in the title, shortened to fit.
    let expected = Buffer::with_lines([
        "┏ 2 Files — as of layer 1 · by size · −2.9 KiB ┓",
        "┃  Permission  UID:GID      Size  Name         ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB  ├ usr/      ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB  │ └ bin/    ┃",
        "┃ ◆-rwxr-xr-x       0:0   1.7 MiB  │   └ hello ┃",
        "┃/usr/bin/hello  layer 0  owner: hello 2.10-3 (┃",
        "┃findings: large executables not packed (1 file┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn the_footer_notes_the_findings_and_the_filter_in_force() {
    let mut app = small(80, 24);
    app.press("1 j 2 j j ctrl-f");
    app.type_text("blob");
    app.press("enter");
    let state = &app.state;
    let Some(view) = state.tree() else {
        panic!("the tree as of layer 1 is built");
    };
    let buf = text(
        Footer {
            state,
            theme: &theme(),
            view,
        },
        60,
        2,
    );
    // Text only (styles reset).
    let expected = Buffer::with_lines([
        "/tmp/cache/blob  2.9 KiB removed  layer 0  owner: none      ",
        "findings: 1 file deleted in a later layer filter: blob      ",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn the_search_prompt_replaces_the_selected_file_styled() {
    let mut app = small(80, 24);
    app.press("2 /");
    app.type_text("he");
    let state = &app.state;
    let Some(view) = state.tree() else {
        panic!("the tree as of layer 0 is built");
    };
    let buf = styled(
        Footer {
            state,
            theme: &theme(),
            view,
        },
        20,
        2,
    );
    // Styles compared (mono theme): the key bold, the query plain, the hits as a label,
    // the notes' findings bold.
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let expected = Buffer::with_lines([
        Line::from(vec![
            Span::styled("/", bold),
            Span::raw("he█  1/3"),
            Span::raw("           "),
        ]),
        // The search jumped to /usr/bin/hello; what names it follows, cut at the edge.
        Line::styled("findings: large exec", bold),
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn r_shows_only_what_the_rewrite_keeps_and_says_how_to_see_all() {
    let mut app = small(80, 24);
    app.press("r");
    let state = &app.state;
    let buf = text(
        Files {
            state,
            theme: &theme(),
        },
        48,
        8,
    );
    // Text only (styles reset): the whole image, a directory weighing what it keeps.
    let expected = Buffer::with_lines([
        "┏ 2 Files — whole image · by size · −2.9 KiB ━━┓",
        "┃  Permission  UID:GID      Size  Name         ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB  └ usr/      ┃",
        "┃  drwxr-xr-x       0:0   1.7 MiB    └ bin/    ┃",
        "┃ ◆-rwxr-xr-x       0:0   1.7 MiB      └ hello ┃",
        "┃/usr                                          ┃",
        "┃only what the rewrite keeps (r: all)          ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn a_wide_owner_widens_its_column() {
    use crate::demo::builder::{ImageBuilder, LayerBuilder};
    let img = ImageBuilder::new("owners:1").layer(
        LayerBuilder::new("ADD rootfs.tar /")
            .file_with("nobody.txt", &[7; 3000], 0o644, 65534, 65534)
            .file_with("root.txt", &[8; 2000], 0o600, 0, 0)
            .file_with("big-ids.txt", &[9; 1000], 0o600, 4_000_000, 4_000_000),
    );
    let app = super::super::fixture::built(img, 80, 24);
    let state = &app.state;
    let buf = text(
        Files {
            state,
            theme: &theme(),
        },
        52,
        8,
    );
    // Text only (styles reset): `65534:65534` whole, a wider owner cut with `…`, the
    // names in one column.
    let expected = Buffer::with_lines([
        "┌ 2 Files — as of layer 0 · by size ───────────────┐",
        "│  Permission  UID:GID        Size  Name           │",
        "│+ -rw-r--r-- 65534:65534   2.9 KiB  ├ nobody.txt  │",
        "│+ -rw-------         0:0   2.0 KiB  ├ root.txt    │",
        "│+ -rw------- 4000000:40…  0.98 KiB  └ big-ids.txt │",
        "│/nobody.txt  layer 0  owner: no package           │",
        "│                                                  │",
        "└──────────────────────────────────────────────────┘",
    ]);
    assert_eq!(buf, expected);
}
