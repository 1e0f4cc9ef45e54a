//! The compare view on the demo images: insta snapshots at 80×24 and 160×48 (NO_COLOR
//! theme, digests masked), and journeys driven by keys asserting on state.

use microscope::analysis::compare::tree::Status;
use microscope::tui::compare::harness::CompareHarness;
use microscope::tui::state::Pane;
use microscope::tui::tree::SortBy;

fn demo(left: &str, right: &str, w: u16, h: u16) -> CompareHarness {
    let l = microscope::demo::source(left).expect("demo image opens");
    let r = microscope::demo::source(right).expect("demo image opens");
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

fn check(name: &str, h: &mut CompareHarness) {
    let screen = h.render();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{12,64}", "sha256:[digest]");
    settings.set_snapshot_path(crate::common::SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, screen));
}

/// The compare screen's layout, one snapshot per size; each pane's drawing is tested on
/// its own (`tui::views::compare`'s widget tests), so a change to one pane or the status
/// bar does not rewrite screens here.
#[test]
fn fat_against_micro_views() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = demo("fat", "micro", w, h);
        check(&format!("compare-fat-micro-tree-{w}x{h}"), &mut app);
        app.press("?");
        assert!(app.state.help);
        let screen = app.render();
        assert!(
            screen.contains("Help") && screen.contains("Next pane"),
            "{screen}"
        );
    }
}

#[test]
fn opening_shows_progress_before_anything_is_scanned() {
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
    let screen = app.render();
    assert!(
        screen.contains("scanning demo:fat 0/5 layers · demo:micro 0/2 layers"),
        "{screen}"
    );
    app.press("j ctrl-space tab k");
    assert!(
        app.state.data.is_none(),
        "keys before the data change nothing"
    );
    assert!(!app.state.quit);
    app.press("q");
    assert!(app.state.quit, "q quits while loading");
}

/// The rows of the tree as `depth name`.
fn rows(h: &CompareHarness) -> Vec<String> {
    let d = h.state.data.as_ref().expect("compared");
    d.view
        .rows
        .iter()
        .map(|r| {
            let n = d.view.tree.node(r.node);
            format!("{}{}", "  ".repeat(r.depth as usize), n.name())
        })
        .collect()
}

#[test]
fn one_cursor_moves_both_sides() {
    let mut h = demo("fat", "micro", 80, 24);
    assert_eq!(
        h.state.focus,
        Pane::Tree,
        "the view opens on the merged tree"
    );
    assert_eq!(
        h.selected_path().as_deref(),
        Some("usr"),
        "largest change first"
    );
    h.press("j j");
    assert_eq!(h.selected_path().as_deref(), Some("usr/lib/go-1.19"));
    let d = h.state.data.as_ref().unwrap();
    let (_, s) = d.selected().unwrap();
    assert_eq!(
        (s.status, s.in_left, s.in_right),
        (Status::OnlyLeft, true, false)
    );
    assert_eq!(s.right_bytes, 0);
    h.press("h h");
    assert_eq!(
        h.selected_path().as_deref(),
        Some("usr/lib"),
        "h collapses, then goes to the parent"
    );
    h.press("g space");
    assert_eq!(rows(&h)[..2], ["usr", "var"], "Space on usr collapses it");
    h.press("ctrl-o");
    assert_eq!(h.state.sort, SortBy::Name);
    assert_eq!(rows(&h)[0], "bin", "by name");
    // Hide what only the left has: what is left is what micro added or changed.
    h.press("ctrl-r");
    assert_eq!(
        rows(&h),
        [
            "etc",
            "  ssl",
            "    certs",
            "      ca-certificates.crt",
            "server"
        ]
    );
    h.press("G");
    let d = h.state.data.as_ref().unwrap();
    let (_, s) = d.selected().unwrap();
    assert_eq!(
        (s.status, s.in_left, s.in_right),
        (Status::OnlyRight, false, true)
    );
    h.press("esc");
    assert!(rows(&h).len() > 5, "Esc shows every status again");
}

#[test]
fn layer_table_and_keys_between_panes() {
    let mut h = demo("fat", "micro", 160, 48);
    h.press("tab");
    assert_eq!(h.state.focus, Pane::Layers);
    h.press("j G");
    assert_eq!(
        h.state.layer_cursor.selected, 4,
        "five aligned rows: fat has five layers"
    );
    h.press("2");
    assert_eq!(h.state.focus, Pane::Tree);
    h.press("? x");
    assert!(!h.state.help, "any key closes the help");
    let mut h = demo("fat", "micro", 80, 24);
    h.press("?");
    let top = h.render();
    assert!(top.contains("more ↓"), "{top}");
    h.press("G");
    assert!(h.state.help, "G scrolls the help");
    let end = h.render();
    for key in ["Right image in the full app", "Glyphs", "↑ more"] {
        assert!(end.contains(key), "{key} at the help's end:\n{end}");
    }
    h.press("x");
    assert!(!h.state.help);
    h.press("q");
    assert!(h.state.quit);
}

#[test]
fn an_image_against_itself_is_all_same_and_can_be_hidden() {
    let mut h = demo("micro", "micro", 80, 24);
    let d = h.state.data.as_ref().unwrap();
    assert!(d.report.diff.layers.rows.iter().all(|r| r.shared));
    assert!(d.reused == 2, "both layers scanned once");
    let screen = h.render();
    assert!(
        screen.contains("2 shared, 2 of them the common base"),
        "{screen}"
    );
    h.press("ctrl-u");
    assert!(rows(&h).is_empty(), "hiding same hides everything");
}

/// The header keeps the counts at 80 columns, the change line ends on a whole item, and a
/// changed file's footer says what changed.
#[test]
fn the_header_keeps_counts_and_a_changed_file_says_what_changed() {
    let mut app = demo("fat", "micro", 80, 24);
    let screen = app.render();
    for field in ["layers 5→2", "files ", "packages ", "efficiency "] {
        assert!(screen.contains(field), "{field} at 80 columns:\n{screen}");
    }
    let change = screen
        .lines()
        .find(|l| l.contains(" change "))
        .expect("the change line");
    let last = change.trim_end_matches(['"', ' ']);
    assert!(
        last.ends_with('…') || !last.ends_with(|c: char| c.is_ascii_digit() || c == '.'),
        "the change line is not cut mid-number: {change}"
    );
    let d = app.state.data.as_mut().expect("compared");
    let changed = d
        .view
        .tree
        .preorder()
        .into_iter()
        .find(|&id| {
            let n = d.view.tree.node(id);
            !n.is_dir()
                && d.sides
                    .get(id as usize)
                    .is_some_and(|s| s.status == Status::Changed)
        })
        .expect("the demo images share a changed file");
    assert!(d.view.reveal(changed));
    let screen = app.render();
    assert!(
        ["content", "mode ", "owner "]
            .iter()
            .any(|w| screen.contains(w)),
        "the footer says what changed:\n{screen}"
    );
}

/// `/` searches the merged tree with a `1/N` count, `n` steps on; `Ctrl+F` filters and says
/// how many rows it keeps; Esc clears both.
#[test]
fn search_and_filter_in_the_compare_tree_give_feedback() {
    let mut app = demo("fat", "micro", 80, 24);
    app.press("/");
    for c in "server".chars() {
        app.press(&c.to_string());
    }
    let (at, of) = app.state.search_hits.expect("server matches");
    assert_eq!(at, 1);
    assert!(app.render().contains(&format!("/server█  1/{of}")));
    app.press("enter");
    let name = |p: String| p.rsplit('/').next().unwrap_or_default().to_string();
    assert!(
        app.selected_path()
            .map(name)
            .is_some_and(|n| n.contains("server"))
    );
    if of > 1 {
        app.press("n");
        assert_eq!(app.state.search_hits, Some((2, of)));
    }
    app.press("ctrl-f");
    for c in "ssl".chars() {
        app.press(&c.to_string());
    }
    let screen = app.render();
    assert!(screen.contains("filter: ssl█"), "{screen}");
    assert!(
        screen.contains(" rows"),
        "the filter says what it keeps:\n{screen}"
    );
    app.press("enter");
    let rows = app.state.data.as_ref().map_or(0, |d| d.view.rows.len());
    assert!(rows > 0);
    app.press("esc");
    assert!(app.state.filter.text.is_empty() && app.state.search.is_empty());
}

/// `3` and `4` show the package and findings deltas in the top pane, as the text report
/// lists them; the Layers pane's focus puts the selected layer's details in the footer.
#[test]
fn package_and_findings_deltas_and_layer_details() {
    let mut app = demo("fat", "micro", 160, 48);
    app.press("3");
    assert_eq!(app.state.focus, Pane::Packages);
    let screen = app.render();
    let p = &app
        .state
        .data
        .as_ref()
        .expect("compared")
        .report
        .diff
        .packages;
    let head = format!("{} added, {} removed", p.added.len(), p.removed.len());
    assert!(
        screen.contains("[3 Packages]") && screen.contains(&head),
        "{screen}"
    );
    assert!(screen.contains("golang-1.19-go"), "{screen}");
    app.press("4");
    let screen = app.render();
    assert!(
        screen.contains("[4 Findings]") && screen.contains("fixed"),
        "{screen}"
    );
    app.press("j tab tab");
    assert_eq!(
        app.state.focus,
        Pane::Findings,
        "Tab comes back to the shown list"
    );
    app.press("1");
    let screen = app.render();
    assert!(
        screen.contains("entries: ADD") || screen.contains("entries: "),
        "{screen}"
    );
    // At 80 columns the deltas fit, and the layer details stack: each side on its line.
    let mut app = demo("fat", "micro", 80, 24);
    app.press("3");
    assert!(app.render().contains("golang-1.19-go"));
    app.press("4");
    app.press("1 j");
    assert_eq!(app.state.focus, Pane::Layers);
    let screen = app.render();
    let line = |side: &str| {
        screen
            .lines()
            .find(|l| l.contains(side))
            .unwrap_or_else(|| panic!("{side:?} details line:\n{screen}"))
            .to_string()
    };
    let (left, right) = (line("│left  L1 "), line("│right L1 "));
    assert!(
        left.contains("19.2 MiB") && left.contains("RUN apt-get"),
        "{left}"
    );
    assert!(
        right.contains("1.7 MiB") && right.contains("COPY /src/server"),
        "{right}"
    );
}
