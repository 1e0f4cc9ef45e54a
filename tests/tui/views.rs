//! The app's screens on the demo images as insta snapshots (NO_COLOR theme; digests
//! masked): each pane focused once, the help and the opening frame, at 80×24 and 160×48,
//! and the band layout a short layer list gets on a wide screen. What a pane shows in its
//! other states is tested pane by pane with `Buffer::with_lines` (src/tui/views); the keys
//! that change the tree (w, collapse, search, filter) by the state they leave.
//! Review changes with `cargo insta review`.

use crate::common;

use microscope::tui::harness::Harness;
use microscope::tui::state::Prompt;
use microscope::tui::tree::{TreeMode, TreeView};

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

/// (view name, keys that get there): each pane focused once, and the help.
const VIEWS: [(&str, &str); 5] = [
    ("layers", ""),
    ("as-of-tree", "j j tab"),
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

/// Two layers at 160×48: the layers and their details side by side in a band, the tree
/// below at the full width.
#[test]
fn micro_band_layout() {
    let mut app = common::demo("micro", 160, 48);
    check("micro-layers-160x48", &mut app);
}

fn tree(h: &Harness) -> &TreeView {
    h.state.tree().expect("the tree on screen is built")
}

/// The selected row's path.
fn selected(h: &Harness) -> String {
    let v = tree(h);
    let id = v.selected().expect("a row is selected");
    v.tree.node(id).path.to_string()
}

#[test]
fn w_and_ctrl_l_choose_what_the_tree_shows() {
    let mut app = common::demo("fat", 80, 24);
    app.press("j j tab");
    assert_eq!(app.state.tree_mode(), TreeMode::AsOf(2));
    // Layer 3 is `rm -rf /tmp/build`: the deleted directory with what it held.
    let mut app = common::demo("fat", 80, 24);
    app.press("j j j ctrl-l tab");
    assert_eq!(app.state.tree_mode(), TreeMode::Layer(3));
    let v = tree(&app);
    let paths: Vec<String> = v
        .rows
        .iter()
        .map(|r| v.tree.node(r.node).path.to_string())
        .collect();
    assert!(
        paths.contains(&"tmp/build/server".to_string())
            && paths
                .iter()
                .all(|p| p.starts_with("var/") || p.starts_with("tmp") || p == "var"),
        "only the layer's own entries, the removed ones: {paths:?}"
    );
    assert!(
        v.rows
            .iter()
            .all(|r| v.tree.node(r.node).status.glyph() == '-'),
        "all removed"
    );
    let mut app = common::demo("micro", 80, 24);
    app.press("W tab");
    assert_eq!(app.state.tree_mode(), TreeMode::Image);
    assert!(
        tree(&app).rows.len() > 2,
        "the whole image's files are listed"
    );
}

#[test]
fn collapse_search_and_filter_change_the_tree() {
    let mut app = common::demo("fat", 80, 24);
    app.press("W tab ctrl-space");
    let v = tree(&app);
    assert!(
        v.rows.iter().all(|r| r.depth == 0),
        "ctrl-space collapses every directory to the top level"
    );
    assert_eq!(v.rows.len(), 9, "usr var tmp root etc src bin lib lib64");
    app.press("/");
    app.type_text("server");
    assert_eq!(app.state.prompt, Some(Prompt::Search("server".into())));
    assert_eq!(
        app.state.search_hits,
        Some((1, 3)),
        "the first of three matches"
    );
    assert_eq!(selected(&app), "usr/lib/go-1.19/src/net/http/server.go");
    app.press("enter n");
    assert_eq!(app.state.prompt, None, "Enter closes the prompt");
    assert_eq!(app.state.search, "server", "and keeps the search");
    assert_eq!(
        app.state.search_hits,
        Some((2, 3)),
        "n goes to the next match"
    );
    assert_eq!(selected(&app), "usr/local/bin/server");
    app.press("ctrl-f");
    app.type_text("apt");
    assert_eq!(app.state.prompt, Some(Prompt::Filter("apt".into())));
    let v = tree(&app);
    let paths: Vec<String> = v
        .rows
        .iter()
        .map(|r| v.tree.node(r.node).path.to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "var",
            "var/cache",
            "var/cache/apt",
            "var/lib",
            "var/lib/apt"
        ],
        "what matches and its parents (apt/ stays collapsed)"
    );
}

#[test]
fn opening_frame_before_any_layer_is_scanned() {
    for (w, h) in [(80, 24), (160, 48)] {
        let src = microscope::demo::source("fat").expect("demo");
        let mut app = Harness::opening(&microscope::jobs::Opened::uncached(src), w, h);
        check(&format!("fat-opening-{w}x{h}"), &mut app);
    }
}
