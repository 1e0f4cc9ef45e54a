//! The rewrite on screen, on the demo images: the header's answer, the Rewrite pane and its
//! keys, the tree's marks and filter, the what-if compare. Key-driven state tests (each key
//! this adds), and insta snapshots at 80×24 and 160×48.

use crate::common;

use microscope::report::rewrite as answer;
use microscope::tui::harness::Harness;
use microscope::tui::rewrite::doc::Kind;
use microscope::tui::rewrite::{DEFAULT_FILE, SavePrompt};
use microscope::tui::state::Pane;
use microscope::tui::tree::TreeMode;

fn check(name: &str, h: &mut Harness) {
    let screen = h.render();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{12,64}", "sha256:[digest]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "############");
    settings.set_snapshot_path(crate::common::SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, screen));
}

fn rewrite(h: &Harness) -> microscope::analysis::rewrite::Rewrite {
    let loaded = h.state.loaded.as_ref().expect("analysed");
    loaded.analysis.rewrite.clone().expect("a rewrite for fat")
}

/// Moves the Rewrite pane's cursor to its first copied file.
fn to_first_file(h: &mut Harness) -> usize {
    let at = h
        .state
        .rewrite
        .lines
        .iter()
        .position(|l| matches!(l.kind, Kind::File(_)))
        .expect("the pane lists copied files");
    for _ in 0..at {
        h.press("j");
    }
    at
}

#[test]
fn the_header_answers_on_every_pane() {
    let mut h = common::demo("fat", 160, 48);
    let headline = answer::headline(&rewrite(&h));
    assert!(headline.starts_with("could be "), "{headline}");
    for keys in ["", "2", "3", "4", "5", "w"] {
        h.press(keys);
        let screen = h.render();
        let header: String = screen.lines().take(3).collect::<Vec<_>>().join("\n");
        assert!(
            header.contains(&headline),
            "after {keys:?} the header says {headline:?}:\n{header}"
        );
    }
    let mut narrow = common::demo("fat", 80, 24);
    let [_, medium, _] = answer::answers(&rewrite(&narrow));
    let screen = narrow.render();
    assert!(
        screen.lines().take(3).any(|l| l.contains(&medium)),
        "80 columns: the shorter answer fits:\n{screen}"
    );
    let mut micro = common::demo("micro", 80, 24);
    let screen = micro.render();
    assert!(
        screen
            .lines()
            .take(3)
            .any(|l| l.contains("already minimal")),
        "micro is already minimal:\n{screen}"
    );
}

#[test]
fn five_focuses_the_rewrite_pane_and_tab_reaches_it() {
    let mut h = common::demo("fat", 80, 24);
    h.press("5");
    assert_eq!(
        (h.state.focus, h.state.left),
        (Pane::Rewrite, Pane::Rewrite)
    );
    assert!(!h.state.rewrite.lines.is_empty(), "the pane has lines");
    h.press("j j");
    assert_eq!(h.state.rewrite.cursor.selected, 2, "j moves down the lines");
    h.press("G");
    assert_eq!(
        h.state.rewrite.cursor.selected,
        h.state.rewrite.lines.len() - 1,
        "G goes to the Dockerfile's last line"
    );
    h.press("1 backtab");
    assert_eq!(
        h.state.focus,
        Pane::Rewrite,
        "Shift+Tab from Layers wraps to Rewrite"
    );
    h.press("tab");
    assert_eq!(
        h.state.focus,
        Pane::Layers,
        "Tab from Rewrite wraps to Layers"
    );
}

#[test]
fn enter_on_a_copied_file_shows_it_in_the_tree() {
    let mut h = common::demo("fat", 80, 24);
    h.press("5");
    to_first_file(&mut h);
    let Kind::File(i) = h.state.rewrite.lines[h.state.rewrite.cursor.selected].kind else {
        panic!("on a file line");
    };
    let target = h.state.rewrite.targets[i].to_string();
    h.press("enter");
    assert_eq!(h.state.focus, Pane::Tree, "Enter goes to the tree");
    assert_eq!(h.state.left, Pane::Rewrite, "the pane stays beside it");
    assert_eq!(h.state.tree_mode(), TreeMode::Image);
    assert_eq!(
        h.selected_path(),
        Some(target.clone()),
        "on the copied file"
    );
    assert!(
        h.state
            .highlight
            .as_ref()
            .is_some_and(|hl| hl.set.contains(target.as_str())),
        "and highlighted"
    );
    let screen = h.render();
    assert!(
        screen.contains("◆ kept:"),
        "the footer says why it is kept:\n{screen}"
    );
}

#[test]
fn r_filters_the_tree_to_what_the_rewrite_keeps() {
    let mut h = common::demo("fat", 80, 24);
    let all = {
        h.press("W");
        h.state.tree().expect("tree").rows.len()
    };
    h.press("r");
    assert!(h.state.filter.only.is_some(), "r sets the filter");
    assert_eq!(h.state.focus, Pane::Tree);
    let v = h.state.tree().expect("tree");
    assert!(v.rows.len() < all, "fewer rows ({} of {all})", v.rows.len());
    for row in &v.rows {
        let n = v.tree.node(row.node);
        let below = h
            .state
            .rewrite
            .kept
            .keys()
            .any(|k| k.starts_with(&format!("{}/", n.path)));
        assert!(
            h.state.rewrite.keeps(&n.path).is_some() || below,
            "/{} is kept or holds what is",
            n.path
        );
    }
    let server = v
        .tree
        .find("usr/local/bin/server")
        .expect("the server is kept");
    assert!(
        v.rows.iter().any(|r| r.node == server),
        "r opens the directories holding what the rewrite keeps"
    );
    assert_eq!(
        h.state.rewrite.dir_bytes.get("usr").copied(),
        Some(v.tree.node(server).size),
        "usr/ weighs what it keeps: the server"
    );
    let screen = h.render();
    assert!(screen.contains("only what the rewrite keeps"), "{screen}");
    h.press("r");
    assert!(h.state.filter.only.is_none(), "r again shows everything");
    assert_eq!(h.state.tree().expect("tree").rows.len(), all);
}

#[test]
fn y_copies_the_dockerfile_as_rewrite_prints_it() {
    let mut h = common::demo("fat", 80, 24);
    h.press("5 Y");
    let expected = answer::text(&rewrite(&h));
    assert_eq!(
        h.copied,
        vec![expected.clone()],
        "Y in the Rewrite pane copies the Dockerfile"
    );
    // A finding with a fix line (advice such as the toolchain's has none to copy).
    let at = h
        .state
        .findings
        .items()
        .iter()
        .position(|f| !f.fix.is_empty())
        .expect("the fat demo has a finding with a fix line");
    h.press("4");
    for _ in 0..at {
        h.press("j");
    }
    h.press("1 Y");
    // The selected finding (the toolchain) has no line to paste: Y copies nothing then,
    // and never the Dockerfile outside the Rewrite pane.
    assert!(
        h.copied.len() == 1 || h.copied.last() != Some(&expected),
        "elsewhere Y copies the finding's fix line, not the Dockerfile"
    );
}

#[test]
fn s_writes_the_dockerfile_and_never_overwrites_without_asking()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("Dockerfile");
    let path_s = path.to_string_lossy().to_string();
    let mut h = common::demo("fat", 80, 24);
    let expected = answer::text(&rewrite(&h));
    h.press("5 s");
    assert_eq!(
        h.state.rewrite.save,
        Some(SavePrompt::Path(DEFAULT_FILE.into())),
        "s asks for the path"
    );
    let clear = vec!["backspace"; DEFAULT_FILE.len()].join(" ");
    h.press(&clear);
    h.type_text(&path_s);
    h.press("enter");
    assert_eq!(std::fs::read_to_string(&path)?, expected);
    assert!(
        h.state
            .message
            .as_deref()
            .is_some_and(|m| m.contains("wrote"))
    );
    std::fs::write(&path, "mine\n")?;
    h.press("s");
    h.press(&clear);
    h.type_text(&path_s);
    h.press("enter");
    assert_eq!(
        h.state.rewrite.save,
        Some(SavePrompt::Overwrite(path_s.clone())),
        "an existing file: asks"
    );
    h.press("n");
    assert_eq!(std::fs::read_to_string(&path)?, "mine\n", "n keeps it");
    h.press("s");
    h.press(&clear);
    h.type_text(&path_s);
    h.press("enter y");
    assert_eq!(std::fs::read_to_string(&path)?, expected, "y overwrites");
    h.press("s esc");
    assert_eq!(h.state.rewrite.save, None, "Esc cancels");
    Ok(())
}

#[test]
fn c_opens_the_what_if_compare_and_q_comes_back() {
    let mut h = common::demo("fat", 80, 24);
    h.press("c");
    let cs = h.whatif.shown().expect("what-if open");
    let data = cs.data.as_ref().expect("compared");
    assert_eq!(data.report.right.image.reference, "rewrite on scratch");
    let r = rewrite(&h);
    assert_eq!(
        data.report.right.size.final_bytes, r.predicted_bytes,
        "the rewrite's image weighs what the rewrite predicts (scratch adds nothing)"
    );
    let screen = h.render();
    assert!(screen.contains("what-if"), "{screen}");
    h.press("j q");
    assert!(h.whatif.shown().is_none(), "q comes back");
    assert!(!h.state.quit, "and does not quit");
    h.press("c");
    assert!(h.whatif.shown().is_some(), "c reopens it at once");
    h.press("esc");
    assert!(h.whatif.shown().is_none());
}

#[test]
fn rewrite_views() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = common::demo("fat", w, h);
        app.press("5");
        check(&format!("fat-rewrite-{w}x{h}"), &mut app);
        let mut app = common::demo("fat", w, h);
        app.press("c");
        check(&format!("fat-what-if-{w}x{h}"), &mut app);
    }
}

/// G goes to the Dockerfile's last line; r shows only what the rewrite keeps (the panes'
/// text in these states: src/tui/views' Buffer tests).
#[test]
fn the_dockerfile_ends_the_pane_and_r_keeps_the_kept_files() {
    let mut app = common::demo("fat", 80, 24);
    app.press("5 G");
    let rw = &app.state.rewrite;
    assert_eq!(rw.cursor.selected, rw.lines.len() - 1, "G: the last line");
    assert_eq!(rw.lines[rw.cursor.selected].kind, Kind::Dockerfile);
    let mut app = common::demo("fat", 80, 24);
    app.press("r");
    assert!(
        app.state.filter.only.is_some(),
        "r: only what the rewrite keeps"
    );
    let v = app.state.tree().expect("the tree on screen is built");
    assert!(
        v.rows.iter().all(|r| {
            let n = v.tree.node(r.node);
            n.is_dir() || app.state.rewrite.keeps(&n.path).is_some()
        }),
        "every file shown is kept"
    );
}

/// From the compare view, a side opened in the app has the what-if too; Esc closes the
/// what-if first, then goes back to the compare view.
#[test]
fn what_if_from_a_side_of_the_compare_view() {
    use microscope::tui::compare::harness::CompareHarness;
    let l = microscope::demo::source("fat").expect("demo image opens");
    let r = microscope::demo::source("micro").expect("demo image opens");
    let pair = microscope::jobs::pair::OpenedPair {
        left: l,
        right: r,
        cache: None,
    };
    let mut app = CompareHarness::loaded(&pair, 80, 24).expect("demo images compare");
    app.press("[ c");
    let fat = app.state.open_side().expect("left open");
    assert!(
        fat.whatif.shown().is_some(),
        "c opens the what-if of the opened side"
    );
    assert!(app.render().contains("rewrite on scratch"));
    app.press("esc");
    let fat = app
        .state
        .open_side()
        .expect("Esc closed the what-if and stayed");
    assert!(fat.whatif.shown().is_none());
    app.press("esc");
    assert_eq!(
        app.state.open, None,
        "then Esc goes back to the compare view"
    );
}
