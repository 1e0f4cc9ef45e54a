//! Journeys through the app driven by keys, asserting on state (dua-cli style).

use crate::common;

use microscope::tui::data::FindingRow;
use microscope::tui::state::{Data, Pane, Prompt};
use microscope::tui::tree::{SortBy, Status, TreeMode};
use std::sync::Arc;

#[test]
fn navigating_layers_changes_the_tree() {
    let mut h = common::demo("fat", 80, 24);
    assert_eq!(
        h.state.focus,
        Pane::Layers,
        "the app opens on the Layers pane"
    );
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::AsOf(0),
        "the files as of the first layer, as dive opens"
    );
    h.press("j j");
    assert_eq!(h.state.layer_cursor.selected, 2, "j moves down the layers");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::AsOf(2),
        "the tree follows the layer"
    );
    assert!(h.state.tree().is_some(), "the layer's tree is built");
    h.press("G");
    assert_eq!(h.state.layer_cursor.selected, 4, "G goes to the last layer");
    h.press("k g");
    assert_eq!(
        h.state.layer_cursor.selected, 0,
        "g goes to the first layer"
    );
    h.press("W");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Image,
        "W on Layers shows the whole image"
    );
    h.press("ctrl-l");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Layer(0),
        "Ctrl+L shows the layer's own entries"
    );
    h.press("ctrl-a");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::AsOf(0),
        "Ctrl+A shows the layer's filesystem as of it (dive's aggregated view)"
    );
    h.press("w");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Layer(0),
        "w cycles: layer only"
    );
    h.press("w");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Image,
        "w cycles: whole image"
    );
    assert!(
        h.render().contains("whole image"),
        "the pane title says which"
    );
    h.press("w");
    assert_eq!(h.state.tree_mode(), TreeMode::AsOf(0), "w cycles: back");
    assert!(
        h.render().contains("as of layer 0"),
        "the pane title says which"
    );
    h.press("enter");
    assert_eq!(
        h.state.focus,
        Pane::Tree,
        "Enter on a layer opens its files"
    );
}

#[test]
fn focus_cycles_with_tab_and_numbers() {
    let mut h = common::demo("fat", 80, 24);
    h.press("tab");
    assert_eq!(h.state.focus, Pane::Tree);
    h.press("tab");
    assert_eq!(
        (h.state.focus, h.state.left),
        (Pane::Packages, Pane::Packages)
    );
    h.press("tab");
    assert_eq!(h.state.focus, Pane::Findings);
    h.press("tab");
    assert_eq!(h.state.focus, Pane::Rewrite);
    h.press("tab");
    assert_eq!(h.state.focus, Pane::Layers, "Tab wraps around");
    h.press("backtab backtab");
    assert_eq!(h.state.focus, Pane::Findings, "Shift+Tab goes back");
    h.press("2");
    assert_eq!(h.state.focus, Pane::Tree);
    assert_eq!(
        h.state.left,
        Pane::Findings,
        "the tree keeps the left column as it was"
    );
    h.press("1");
    assert_eq!(h.state.left, Pane::Layers);
}

#[test]
fn collapse_expand_and_sort_in_the_tree() {
    let mut h = common::demo("fat", 80, 24);
    h.press("w tab");
    let rows = h.state.tree().expect("tree built").rows.len();
    assert_eq!(
        h.selected_path().as_deref(),
        Some("usr"),
        "largest first: usr"
    );
    h.press("space");
    let collapsed = h.state.tree().expect("tree").rows.len();
    assert!(
        collapsed < rows,
        "space collapses usr ({collapsed} of {rows} rows left)"
    );
    h.press("right");
    assert_eq!(
        h.state.tree().expect("tree").rows.len(),
        rows,
        "→ expands it again"
    );
    h.press("right");
    assert_eq!(
        h.selected_path().as_deref(),
        Some("usr/lib"),
        "→ on an open dir steps in"
    );
    h.press("left left");
    assert_eq!(
        h.selected_path().as_deref(),
        Some("usr"),
        "← closes, then goes to the parent"
    );
    h.press("ctrl-space");
    let top = h.state.tree().expect("tree").rows.len();
    assert!(top < 10, "Ctrl+Space collapses everything ({top} rows)");
    h.press("ctrl-space");
    assert_eq!(
        h.state.tree().expect("tree").rows.len(),
        rows,
        "and expands everything"
    );
    h.press("ctrl-o");
    assert_eq!(h.state.sort, SortBy::Name, "Ctrl+O sorts by name");
    h.press("g");
    assert_eq!(
        h.selected_path().as_deref(),
        Some("bin"),
        "by name: bin comes first"
    );
    h.press("ctrl-o");
    assert_eq!(h.state.sort, SortBy::Size);
}

#[test]
fn search_jumps_and_n_cycles() {
    let mut h = common::demo("fat", 80, 24);
    h.press("w 2 ctrl-space");
    h.press("/");
    assert!(matches!(h.state.prompt, Some(Prompt::Search(_))));
    h.type_text("libc");
    let first = h.selected_path().expect("a match is selected");
    assert!(
        first.contains("libc"),
        "incremental search lands on {first}"
    );
    h.press("enter");
    assert_eq!(h.state.search, "libc");
    h.press("n");
    let second = h.selected_path().expect("next match");
    assert_ne!(first, second, "n moves to the next match");
    assert!(second.contains("libc"));
    h.press("N");
    assert_eq!(h.selected_path(), Some(first), "N goes back");
    h.press("/");
    h.type_text("no-such-file");
    assert!(
        h.state
            .message
            .as_deref()
            .is_some_and(|m| m.contains("no match"))
    );
    h.press("esc");
    assert_eq!(h.state.prompt, None);
}

#[test]
fn filter_keeps_matching_paths_and_status_toggles_hide() {
    let mut h = common::demo("fat", 80, 24);
    h.press("W 2 ctrl-f");
    h.type_text("apt");
    h.press("enter");
    let v = h.state.tree().expect("tree");
    assert!(!v.rows.is_empty());
    for r in &v.rows {
        let n = v.tree.node(r.node);
        let under = v.tree.preorder().into_iter().any(|d| {
            v.tree.ancestors(d).any(|a| a == r.node) && v.tree.node(d).path.contains("apt")
        });
        assert!(
            n.path.contains("apt") || under,
            "{} is kept by the filter",
            n.path
        );
    }
    h.press("esc");
    assert!(h.state.filter.text.is_empty(), "Esc clears the filter");
    h.press("ctrl-u");
    let v = h.state.tree().expect("tree");
    let shown: Vec<Status> = v.rows.iter().map(|r| v.tree.node(r.node).status).collect();
    assert!(
        shown.contains(&Status::Added),
        "hiding unchanged leaves added files"
    );
    let unchanged_files = v
        .rows
        .iter()
        .map(|r| v.tree.node(r.node))
        .filter(|n| n.status == Status::Unchanged && n.children.is_empty())
        .count();
    assert_eq!(unchanged_files, 0, "Ctrl+U hides unchanged files");
    h.press("ctrl-r");
    let v = h.state.tree().expect("tree");
    assert!(
        v.rows
            .iter()
            .all(|r| v.tree.node(r.node).status != Status::Removed)
    );
}

#[test]
fn removed_files_show_in_the_layer_that_removed_them() {
    let mut h = common::demo("fat", 80, 24);
    h.press("j j j");
    let v = h.state.tree().expect("layer 3 tree");
    let id = v
        .tree
        .find("tmp/build")
        .expect("rm -rf /tmp/build is shown");
    assert_eq!(v.tree.node(id).status, Status::Removed);
}

#[test]
fn selecting_a_finding_jumps_to_its_files() {
    let mut h = common::demo("fat", 80, 24);
    // The findings analysis lands separately; feed the pane the way it will.
    let finding = FindingRow {
        kind: "package-cache".into(),
        title: "apt lists left behind".into(),
        layer: Some(1),
        by_layer: None,
        paths: vec![Arc::from(
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
        )],
        path_count: 1,
        bytes: 150_000,
        savable: 150_000,
        counted: 150_000,
        fix: "RUN apt-get update && apt-get install -y … && rm -rf /var/lib/apt/lists/*".into(),
        explanation: String::new(),
    };
    h.state.findings = Data::Ready(vec![finding.clone()]);
    h.state.lookup = microscope::tui::data::Lookup::build(&[], &[finding]);
    h.press("4");
    assert_eq!(h.state.focus, Pane::Findings);
    h.press("enter");
    assert_eq!(h.state.focus, Pane::Tree, "Enter jumps to the tree");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Image,
        "the file is in the final image"
    );
    assert_eq!(
        h.selected_path().as_deref(),
        Some("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease")
    );
    assert!(h.state.highlight.is_some(), "its files are highlighted");
    h.press("4 Y");
    assert_eq!(
        h.copied.last().map(|s| s.starts_with("RUN apt-get")),
        Some(true)
    );
    h.press("2 y");
    assert_eq!(
        h.copied.last().map(String::as_str),
        Some("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease"),
        "y copies the selected path"
    );
    let screen = h.render();
    assert!(
        screen.contains("● apt lists left behind"),
        "the tree names the finding"
    );
    assert!(
        !screen.contains("findings: apt lists left behind"),
        "once: the highlight's note, not a findings note repeating it"
    );
}

#[test]
fn y_copies_only_a_fix_line_never_the_explanation() {
    let mut h = common::demo("fat", 80, 24);
    let advice = FindingRow {
        kind: "toolchain".into(),
        title: "build toolchain".into(),
        layer: Some(1),
        by_layer: None,
        paths: vec![Arc::from("usr/lib/gcc/x86_64-linux-gnu/12/cc1")],
        path_count: 1,
        bytes: 40_000,
        savable: 40_000,
        counted: 0,
        fix: String::new(),
        explanation: "build in a separate stage".into(),
    };
    h.state.findings = Data::Ready(vec![advice]);
    h.press("4 Y");
    assert!(h.copied.is_empty(), "prose is never copied: {:?}", h.copied);
    assert_eq!(
        h.state.message.as_deref(),
        Some("no Dockerfile line fixes this one; the note says what to do")
    );
    assert!(
        h.render().contains("build in a separate stage"),
        "the explanation is on screen"
    );
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut h = common::demo("micro", 160, 48);
    h.press("?");
    assert!(h.state.help);
    assert!(
        h.render().contains("Quit (cancels loading)"),
        "help lists the keymap"
    );
    let mut h = common::demo("micro", 80, 24);
    h.press("?");
    let screen = h.render();
    assert!(
        screen.contains("Tab / Shift+Tab  Next / previous pane") && screen.contains("more ↓"),
        "one column, whole lines, and the screen says more is below:\n{screen}"
    );
    // Every key of every pane is reachable by scrolling, none cut.
    let mut seen = screen.clone();
    for _ in 0..8 {
        h.press("pgdn");
        seen.push_str(&h.render());
    }
    assert!(h.state.help, "scrolling keeps the help open");
    for key in [
        "Ctrl+L",
        "Ctrl+B",
        "What-if: the image against its rewrite",
        "Write the Dockerfile to a file (asks the path)",
        "Copy the Dockerfile (OSC 52)",
        "Glyphs",
    ] {
        assert!(seen.contains(key), "{key} reachable in the help:\n{seen}");
    }
    let end = h.render();
    assert!(end.contains("↑ more") && !end.contains("more ↓"), "{end}");
    h.press("k");
    assert!(h.render().contains("more ↓"), "k scrolls back up");
    h.press("G");
    assert_eq!(h.render(), end, "G goes to the end, no further");
    h.press("x");
    assert!(!h.state.help);
    h.press("q");
    assert!(h.state.quit, "q quits");
}

#[test]
fn mouse_click_focuses_and_selects_and_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut h = common::demo("fat", 80, 24);
    let areas = microscope::tui::views::app_layout(h.state.screen, &h.state);
    let rows = areas.rows(Pane::Layers);
    h.mouse(
        MouseEventKind::Down(MouseButton::Left),
        rows.x + 2,
        rows.y + 3,
    );
    assert_eq!(
        h.state.layer_cursor.selected, 3,
        "a click selects the row under it"
    );
    let tree = areas.rows(Pane::Tree);
    h.mouse(
        MouseEventKind::Down(MouseButton::Left),
        tree.x + 5,
        tree.y + 1,
    );
    assert_eq!(h.state.focus, Pane::Tree, "a click focuses the pane");
    assert_eq!(h.state.tree().expect("tree").cursor, 1);
    h.mouse(MouseEventKind::ScrollDown, tree.x + 5, tree.y);
    assert_eq!(
        h.state.tree().expect("tree").cursor,
        4,
        "the wheel moves 3 rows"
    );
}

#[test]
fn layers_fill_in_while_loading() {
    use microscope::jobs::Progress;
    use microscope::jobs::background::LoadEvent;
    use microscope::tui::event::Event;
    use microscope::tui::harness::Harness;
    let src = microscope::demo::source("fat").expect("demo");
    let mut h = Harness::opening(&microscope::jobs::Opened::uncached(src), 80, 24);
    assert!(
        h.render().contains("scanning 0/5 layers"),
        "first frame shows progress"
    );
    h.apply(Event::Load(LoadEvent::Progress(Progress::Bytes {
        layer: 1,
        read: 1_000_000,
        total: Some(4_000_000),
    })));
    let screen = h.render();
    assert!(
        screen.contains("25% █▌░░░░ 977 KiB/3."),
        "a reading layer shows bytes read/total:\n{screen}"
    );
    h.press("j");
    assert!(
        h.render().contains("Scanning layer 1"),
        "its tree waits for the scan"
    );
}

#[test]
fn a_tree_built_before_the_merge_is_replaced_and_failures_are_shown() {
    use microscope::jobs::Progress;
    use microscope::jobs::background::LoadEvent;
    use microscope::tui::event::Event;
    use microscope::tui::tree::build::TreeJob;
    use microscope::tui::update::update;
    let done = common::demo("micro", 80, 24);
    let loaded = done.state.loaded.clone().expect("loaded");
    let src = microscope::demo::source("micro").expect("demo");
    let mut h = microscope::tui::harness::Harness::opening(
        &microscope::jobs::Opened::uncached(src),
        80,
        24,
    );
    let scan = loaded.image.layers[0].scan.clone();
    // The layer's own entries need the merge for their statuses (as-of views do not).
    h.state.files = microscope::tui::state::FilesView::Layer;
    // The layer arrives; its tree build is asked for but not back yet...
    let effects = update(
        &mut h.state,
        Event::Load(LoadEvent::Progress(Progress::LayerDone {
            layer: 0,
            scan: scan.clone(),
            cached: false,
        })),
    );
    assert_eq!(effects.len(), 1, "a tree build is asked for");
    // ...the analysis lands first, then the stale tree.
    h.apply(Event::Load(LoadEvent::Done(Box::new(loaded))));
    let stale = TreeJob {
        mode: TreeMode::Layer(0),
        scans: vec![scan],
        analysis: None,
    };
    h.apply(Event::TreeBuilt(Box::new(stale.run().expect("tree"))));
    let v = h.state.tree().expect("a tree is shown");
    assert!(v.tree.complete, "the tree without statuses was replaced");
    h.apply(Event::Load(LoadEvent::Failed("layer 1: truncated".into())));
    assert!(h.render().contains("failed: layer 1: truncated"));
}

#[test]
fn a_deleted_files_finding_opens_the_layer_that_holds_them() {
    let mut h = common::demo("fat", 80, 24);
    let items = h.state.findings.items();
    let i = items
        .iter()
        .position(|f| f.kind == "deleted-later")
        .expect("the fat demo deletes files a layer too late");
    let want = items[i].clone();
    h.press("4");
    for _ in 0..i {
        h.press("j");
    }
    h.press("enter");
    assert_eq!(
        h.state.tree_mode(),
        TreeMode::Layer(want.layer.expect("a layer")),
        "files gone from the final image are shown in the layer that wrote them"
    );
    assert_eq!(
        h.selected_path().as_deref(),
        want.paths.first().map(|p| &**p)
    );
}
