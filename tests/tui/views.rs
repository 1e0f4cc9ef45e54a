//! Every view of the app on the demo images, at 80×24 and 160×48, as insta snapshots
//! (NO_COLOR theme; digests masked). Review changes with `cargo insta review`.

use crate::common;

use microscope::tui::harness::Harness;

fn check(name: &str, h: &mut Harness) {
    let screen = h.render();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{12,64}", "sha256:[digest]");
    // Same width as what it masks, so the boxes stay aligned.
    settings.add_filter(r"\b[0-9a-f]{12}\b", "############");
    settings.set_snapshot_path(crate::common::SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, screen));
}

/// (view name, keys that get there)
const VIEWS: [(&str, &str); 7] = [
    ("layers", ""),
    ("as-of-tree", "j j tab"),
    // Layer 3 is `rm -rf /tmp/build`: the deleted directory with what it held.
    ("layer-tree", "j j j ctrl-l tab"),
    ("image-tree", "W tab"),
    ("packages", "3"),
    ("findings", "4"),
    ("help", "?"),
];

#[test]
fn fat_views() {
    for (w, h) in [(80, 24), (160, 48)] {
        for (view, keys) in VIEWS {
            let mut app = common::demo("fat", w, h);
            app.press(keys);
            check(&format!("fat-{view}-{w}x{h}"), &mut app);
        }
    }
}

#[test]
fn micro_views() {
    for (w, h) in [(80, 24), (160, 48)] {
        for (view, keys) in &VIEWS[..4] {
            let mut app = common::demo("micro", w, h);
            app.press(keys);
            check(&format!("micro-{view}-{w}x{h}"), &mut app);
        }
    }
}

#[test]
fn search_filter_and_collapse_views() {
    let mut app = common::demo("fat", 80, 24);
    app.press("W tab ctrl-space");
    check("fat-collapsed-80x24", &mut app);
    app.press("/");
    app.type_text("server");
    check("fat-search-80x24", &mut app);
    app.press("enter n");
    check("fat-search-next-80x24", &mut app);
    app.press("ctrl-f");
    app.type_text("apt");
    check("fat-filter-80x24", &mut app);
}

#[test]
fn opening_frame_before_any_layer_is_scanned() {
    for (w, h) in [(80, 24), (160, 48)] {
        let src = microscope::demo::source("fat").expect("demo");
        let mut app = Harness::opening(&microscope::jobs::Opened::uncached(src), w, h);
        check(&format!("fat-opening-{w}x{h}"), &mut app);
    }
}
