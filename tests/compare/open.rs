//! From the compare view into the full single-image app on either image and back, driven by
//! keys: `[` opens the left image, `]` the right; `q` comes back, and so does Esc once there
//! is nothing left for it to clear; Ctrl+C quits everything. An opened side is compared
//! with the app on its own, screen for screen, at 80×24 and 160×48 (the app's snapshots are
//! in tests/tui).

#![cfg(feature = "tui")]

use microscope::jobs::compare::Which;
use microscope::tui::compare::harness::CompareHarness;
use microscope::tui::harness::Harness;
use microscope::tui::state::{Pane, Prompt};

fn demo(w: u16, h: u16) -> CompareHarness {
    let l = microscope::demo::source("fat").expect("demo image opens");
    let r = microscope::demo::source("micro").expect("demo image opens");
    CompareHarness::loaded(
        &microscope::jobs::pair::OpenedPair {
            left: l,
            right: r,
            cache: None,
        },
        w,
        h,
    )
    .expect("demo images compare")
}

/// The single-image app on its own, as `microscope demo --image NAME` opens it, marked as
/// opened from the compare view (its status bar says "back" rather than "quit").
fn single(name: &str, w: u16, h: u16) -> String {
    let src = microscope::demo::source(name).expect("demo image opens");
    let mut app =
        Harness::loaded(&microscope::jobs::Opened::uncached(src), w, h).expect("demo image loads");
    app.state.from_compare = true;
    app.render()
}

#[test]
fn each_side_opens_in_the_single_image_app() {
    for (w, h) in [(80, 24), (160, 48)] {
        for (key, which, name) in [("[", Which::Left, "fat"), ("]", Which::Right, "micro")] {
            let mut app = demo(w, h);
            app.press(key);
            assert_eq!(app.state.open, Some(which));
            let opened = app.state.open_app().expect("a side is open");
            assert_eq!(opened.meta.reference, format!("demo:{name}"));
            assert!(opened.tree().is_some(), "its file tree is built");
            let screen = app.render();
            assert_eq!(
                screen,
                single(name, w, h),
                "the opened side is the single-image app itself, not a copy of its views"
            );
            // Its snapshots are the app's own (tests/tui); equality above says it is that.
            assert!(screen.contains(" q back "), "{screen}");
        }
    }
}

#[test]
fn q_comes_back_to_the_compare_view_as_it_was() {
    let mut app = demo(80, 24);
    app.press("j j");
    let before = app.render();
    let path = app.selected_path();
    app.press("] tab j q");
    assert_eq!(app.state.open, None, "q goes back");
    assert!(!app.state.quit, "q in an opened side does not quit");
    assert_eq!(app.selected_path(), path, "the compare cursor did not move");
    assert_eq!(app.render(), before, "the compare view is as it was left");
    app.press("q");
    assert!(app.state.quit, "q in the compare view quits");
}

#[test]
fn keys_move_the_opened_side_and_it_is_kept_for_next_time() {
    let mut app = demo(160, 48);
    app.press("[ j j");
    let fat = &app.state.apps[0].as_deref().expect("left app made").app;
    assert_eq!(fat.focus, Pane::Layers);
    assert_eq!(fat.layer_cursor.selected, 2, "j moves in the opened app");
    assert_eq!(
        fat.tree().map(|t| t.tree.mode),
        Some(microscope::tui::tree::TreeMode::AsOf(2)),
        "the layer's tree was built for the opened app"
    );
    app.press("q ]");
    assert_eq!(app.state.open, Some(Which::Right));
    assert_eq!(
        app.state.open_app().map(|a| a.layer_cursor.selected),
        Some(0),
        "the right image has its own app"
    );
    app.press("q [");
    assert_eq!(
        app.state.open_app().map(|a| a.layer_cursor.selected),
        Some(2),
        "reopening the left image keeps where it was"
    );
}

#[test]
fn esc_clears_first_then_comes_back() {
    let mut app = demo(80, 24);
    app.press("[ 2 ctrl-f g o");
    let fat = app.state.open_app().expect("left open");
    assert_eq!(fat.prompt, Some(Prompt::Filter("go".into())));
    app.press("enter");
    let fat = app.state.open_app().expect("left open");
    assert_eq!(
        (fat.prompt.as_ref(), fat.filter.text.as_str()),
        (None, "go")
    );
    app.press("esc");
    let fat = app
        .state
        .open_app()
        .expect("Esc cleared the filter and stayed");
    assert_eq!(fat.filter.text, "");
    app.press("? esc");
    assert!(app.state.open.is_some(), "Esc on the help closes the help");
    app.press("esc");
    assert_eq!(app.state.open, None, "Esc with nothing to clear goes back");
    assert!(!app.state.quit);
}

#[test]
fn ctrl_c_quits_from_an_opened_side() {
    let mut app = demo(80, 24);
    app.press("] ctrl-c");
    assert!(app.state.quit);
}

#[test]
fn nothing_opens_before_the_comparison_is_there() {
    let l = microscope::demo::source("fat").unwrap();
    let r = microscope::demo::source("micro").unwrap();
    let mut app = CompareHarness::opening(
        &microscope::jobs::pair::OpenedPair {
            left: l,
            right: r,
            cache: None,
        },
        80,
        24,
    );
    app.press("[ ]");
    assert_eq!(app.state.open, None);
    assert!(app.state.apps.iter().all(Option::is_none));
}

#[test]
fn the_compare_help_and_footer_name_the_keys() {
    let mut app = demo(160, 48);
    assert!(app.render().contains("[/] open left/right"));
    app.press("?");
    let screen = app.render();
    assert!(
        screen.contains("Left image in the full app (q, Esc: back)"),
        "{screen}"
    );
    app.press("x ] ?");
    let screen = app.render();
    assert!(
        !screen.contains("Left image in the full app"),
        "the single-image help leaves the compare keys out:\n{screen}"
    );
}

/// Before the comparison is done, `[` and `]` say why nothing opens, for one key.
#[test]
fn opening_a_side_while_comparing_says_why_nothing_opens() {
    let l = microscope::demo::source("fat").expect("demo image opens");
    let r = microscope::demo::source("micro").expect("demo image opens");
    let mut app = CompareHarness::opening(
        &microscope::jobs::pair::OpenedPair {
            left: l,
            right: r,
            cache: None,
        },
        80,
        24,
    );
    let before = app.render();
    app.press("]");
    assert_eq!(app.state.open, None, "nothing to open yet");
    let screen = app.render();
    assert!(
        screen.contains("the sides open once both images are compared"),
        "{screen}"
    );
    app.press("j");
    assert_eq!(app.state.notice, None, "the next key clears the notice");
    assert_eq!(app.render(), before);
}
