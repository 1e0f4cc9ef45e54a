//! The Layers pane and the layer details: loaded and while opening, on the small test image
//! (views/fixture.rs) and a hand-built state. Every comparison is of the text alone (styles
//! reset, or compared cell symbols).

use super::super::fixture::{small, small_opening, text, theme};

use super::*;
use crate::image::{ImageMeta, LayerDesc};

#[test]
fn details_of_a_layer_not_yet_read_wrap_its_whole_command() {
    let meta = ImageMeta {
        layers: vec![LayerDesc {
            digest: Some(format!("sha256:{}", "ab".repeat(32))),
            diff_id: None,
            size: Some(2048),
            media_type: String::new(),
            locator: String::new(),
        }],
        history: Vec::new(),
        ..ImageMeta::default()
    };
    let mut state = State::new(meta, Default::default());
    state.layers[0].command = "RUN apt-get update && apt-get install -y curl".into();
    let mut buf = Buffer::empty(Rect::new(0, 0, 30, 7));
    let theme = Theme::mono();
    LayerDetails {
        state: &state,
        theme: &theme,
    }
    .render(buf.area, &mut buf);
    let expected = Buffer::with_lines([
        "┌ Layer details ─────────────┐",
        "│Layer 0 abababababab        │",
        "│waiting                     │",
        "│RUN apt-get update &&       │",
        "│apt-get install -y curl     │",
        "│                            │",
        "└────────────────────────────┘",
    ]);
    let text = |b: &Buffer| -> Vec<String> {
        (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    };
    assert_eq!(text(&buf), text(&expected));
}

#[test]
fn commands_lose_shell_noise() {
    assert_eq!(
        short_command("/bin/sh -c #(nop) ADD file:x in / "),
        "ADD file:x in /"
    );
    assert_eq!(
        short_command("RUN /bin/sh -c rm -rf /tmp # buildkit"),
        "RUN rm -rf /tmp"
    );
    assert_eq!(
        short_command("/bin/sh -c apt-get update"),
        "RUN apt-get update"
    );
}

#[test]
fn the_table_shows_sizes_shares_and_short_commands() {
    let app = small(80, 24);
    let buf = text(
        LayerList {
            state: &app.state,
            theme: &theme(),
        },
        32,
        6,
    );
    // Text only (styles reset): the shown list in brackets, the others by key.
    let expected = Buffer::with_lines([
        "┏[1 Layers] 3 Pkgs 4 Finds 5 Rw┓",
        "┃ #     Size Share  Command    ┃",
        "┃ 0  1.7 MiB ██████ ADD file:0…┃",
        "┃ 1      0 B ░░░░░░ RUN rm -rf…┃",
        "┃                              ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn while_opening_every_layer_is_waiting() {
    let app = small_opening(80, 24);
    let buf = text(
        LayerList {
            state: &app.state,
            theme: &theme(),
        },
        40,
        5,
    );
    // Text only (styles reset).
    let expected = Buffer::with_lines([
        "┏[1 Layers] 3 Pkgs 4 Finds 5 Rw━━━━━━━━┓",
        "┃ #     Size Share  Command            ┃",
        "┃ 0        … ░░░░░░ waiting            ┃",
        "┃ 1        … ░░░░░░ waiting            ┃",
        "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn details_of_a_scanned_layer_count_its_entries_and_hidden_bytes() {
    let app = small(80, 24);
    let buf = text(
        LayerDetails {
            state: &app.state,
            theme: &theme(),
        },
        32,
        7,
    );
    // Text only (styles reset); the digest is the generated layer's, fixed by its bytes.
    let expected = Buffer::with_lines([
        "┌ Layer details ───────────────┐",
        "│Layer 0 2ad602c6244d  tar     │",
        "│5 entries: +5 added ~0        │",
        "│modified -0 removed           │",
        "│hidden by later layers: 2.9   │",
        "│KiB                           │",
        "└──────────────────────────────┘",
    ]);
    assert_eq!(buf, expected);
}
