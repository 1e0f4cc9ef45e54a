//! Key-driven state tests for the Files pane's views, search and filter, the key bar, the
//! Findings and Packages panes and the adaptive layout (issue 16 §2-3), on the demo images.

use crate::common;

use microscope::tui::data::UNOWNED;
use microscope::tui::state::{FilesView, Pane};
use microscope::tui::tree::{Status, TreeMode};
use microscope::tui::views::{app_layout, layout};

/// The fat demo's layer 3 is `rm -rf /tmp/build`: the layer's own view draws /tmp/build as a
/// removed directory holding the files it removed, sized by them.
#[test]
fn the_demo_deleted_directory_is_a_directory_with_its_files() {
    let mut h = common::demo("fat", 160, 48);
    h.press("j j j ctrl-l");
    assert_eq!(h.state.tree_mode(), TreeMode::Layer(3));
    let v = h.state.tree().expect("layer 3's tree");
    let build = v
        .tree
        .node(v.tree.find("tmp/build").expect("tmp/build shown"));
    assert!(build.is_dir(), "a deleted directory stays a directory");
    assert_eq!(build.status, Status::Removed);
    let server = v
        .tree
        .node(v.tree.find("tmp/build/server").expect("its file"));
    assert_eq!(server.status, Status::Removed);
    assert!(server.bytes() > 0 && build.bytes() >= server.bytes());
    let screen = h.render();
    assert!(screen.contains("layer 3 only"), "{screen}");
    assert!(screen.contains("build/"), "{screen}");
    // The whole image's removed bytes are the reclaimable bytes.
    h.press("W");
    h.render();
    let v = h.state.tree().expect("the whole image's tree");
    let reclaimable = h
        .state
        .loaded
        .as_ref()
        .map(|l| l.report.size.reclaimable_bytes);
    assert_eq!(Some(v.tree.root().removed), reclaimable);
}

#[test]
fn w_cycles_the_three_file_views_and_the_title_follows() {
    let mut h = common::demo("fat", 80, 24);
    h.press("j j");
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push((h.state.files, h.state.tree_mode()));
        h.press("w");
    }
    assert_eq!(
        seen,
        [
            (FilesView::AsOf, TreeMode::AsOf(2)),
            (FilesView::Layer, TreeMode::Layer(2)),
            (FilesView::Image, TreeMode::Image),
        ]
    );
    assert_eq!(h.state.files, FilesView::AsOf, "and back");
    // As of layer 2, layer 0's files are there, unchanged; layer 2's are marked.
    let v = h.state.tree().expect("the as-of tree");
    let bash = v.tree.find("usr/bin/bash").expect("layer 0's bash");
    assert_eq!(v.tree.node(bash).status, Status::Unchanged);
    assert!(v.tree.nodes.iter().any(|n| n.status == Status::Added));
}

#[test]
fn search_counts_matches_and_finds_what_the_filter_hides() {
    let mut h = common::demo("fat", 80, 24);
    h.press("W 2 /");
    h.type_text("server");
    let (at, of) = h.state.search_hits.expect("matches counted");
    assert_eq!(at, 1);
    assert!(of >= 2, "several files are named server ({of})");
    assert!(h.render().contains(&format!("1/{of}")));
    h.press("enter n");
    assert_eq!(h.state.search_hits, Some((2, of)), "n steps to the next");
    h.press("N");
    assert_eq!(h.state.search_hits, Some((1, of)), "N steps back");
    // A filter that hides every match: search still finds one, and clears the filter.
    h.press("esc ctrl-f");
    h.type_text("libc");
    h.press("enter /");
    h.type_text("server");
    assert!(
        h.state.filter.text.is_empty(),
        "the filter gave way to the match"
    );
    assert!(h.selected_path().is_some_and(|p| p.ends_with("server")));
}

#[test]
fn a_filter_opens_the_directories_holding_matches() {
    let mut h = common::demo("fat", 80, 24);
    h.press("W 2 ctrl-space");
    let v = h.state.tree().expect("tree");
    assert!(v.rows.iter().all(|r| r.depth == 0), "all collapsed");
    h.press("ctrl-f");
    h.type_text("libc.so");
    let v = h.state.tree().expect("tree");
    let shown: Vec<String> = v
        .rows
        .iter()
        .map(|r| v.tree.node(r.node).path.to_string())
        .collect();
    assert!(
        shown.iter().any(|p| p.ends_with("libc.so.6")),
        "the match shows without opening anything by hand: {shown:?}"
    );
}

#[test]
fn the_key_bar_follows_the_focused_pane() {
    let mut h = common::demo("fat", 80, 24);
    let bar = |h: &mut microscope::tui::harness::Harness| {
        h.render().lines().last().unwrap_or_default().to_string()
    };
    assert!(bar(&mut h).contains("Enter files"));
    h.press("2");
    assert!(bar(&mut h).contains("/ search"));
    h.press("4");
    let b = bar(&mut h);
    assert!(
        b.contains("Y copy fix") && b.contains("Enter show files"),
        "{b}"
    );
}

#[test]
fn findings_rows_differ_and_headings_add_up_to_the_savable_total() {
    let mut h = common::demo("fat", 160, 48);
    let items = h.state.findings.items().to_vec();
    let total = h
        .state
        .loaded
        .as_ref()
        .map(|l| l.analysis.findings.findings_savable_bytes);
    assert_eq!(Some(items.iter().map(|f| f.counted).sum::<u64>()), total);
    // Counted groups first, advice after.
    let first_uncounted = items.iter().position(|f| f.counted == 0);
    if let Some(i) = first_uncounted {
        let kind = &items[i].kind;
        assert!(
            items[i..].iter().all(|f| f.counted == 0 || &f.kind == kind),
            "advice comes after what is counted"
        );
    }
    h.press("4");
    let screen = h.render();
    assert!(
        screen.contains("Findings 12") || screen.contains(&format!("Findings {}", items.len()))
    );
    for f in &items {
        let row = format!("L{} /{}", f.layer.unwrap_or(0), f.paths[0]);
        let row: String = row.chars().take(20).collect();
        assert!(screen.contains(&row), "{row} has its own row:\n{screen}");
    }
}

#[test]
fn the_packages_pane_has_counts_the_unowned_row_and_a_total() {
    let mut h = common::demo("fat", 160, 48);
    h.press("3 G");
    let items = h.state.packages.items();
    let last = items.last().expect("rows");
    assert_eq!(last.name, UNOWNED);
    let n = items.len() - 1;
    let screen = h.render();
    assert!(screen.contains(&format!("Packages {n}")), "{screen}");
    assert!(screen.contains(&format!("{n} packages own")), "{screen}");
    h.press("enter");
    assert_eq!(
        h.state.focus,
        Pane::Tree,
        "Enter shows the largest unowned files"
    );
}

#[test]
fn the_layout_gives_empty_rows_to_what_needs_them() {
    let mut h = common::demo("fat", 80, 24);
    let base = layout(h.state.screen);
    let a = app_layout(h.state.screen, &h.state);
    assert!(
        a.detail.height > base.detail.height,
        "five layers leave rows for the layer details"
    );
    h.press("2");
    let a = app_layout(h.state.screen, &h.state);
    assert!(a.tree.width > base.tree.width, "the focused tree grows");
    h.press("4");
    // Advice (an empty fix) shows its explanation instead: pick the first finding with a line.
    let items = h.state.findings.items();
    let at = items
        .iter()
        .position(|f| !f.fix.is_empty())
        .expect("the fat demo has a finding with a fix line");
    let fix = items[at].fix.clone();
    for _ in 0..at {
        h.press("j");
    }
    assert_eq!(h.state.finding_cursor.selected, at);
    let screen = h.render();
    let start: String = fix.chars().take(12).collect();
    assert!(
        screen.contains(&format!("fix: {start}")),
        "the fix shows at 80x24:\n{screen}"
    );
}

#[test]
fn the_header_keeps_reclaimable_beside_the_rewrite_answer() {
    // 80 columns: the causes give way, the bytes stay; 160: the causes show on their line.
    let mut h = common::demo("fat", 80, 24);
    let screen = h.render();
    let header: String = screen.lines().take(3).collect();
    assert!(header.contains("could be"), "{screen}");
    assert!(header.contains("reclaimable 10.9 MiB "), "{screen}");
    let mut h = common::demo("fat", 160, 48);
    let screen = h.render();
    let header: String = screen.lines().take(3).collect();
    assert!(header.contains("could be"), "{screen}");
    assert!(
        header.contains("reclaimable 10.9 MiB (7.8 MiB deleted"),
        "{screen}"
    );
}

#[test]
fn the_key_bar_shows_whole_hints_and_always_help_and_quit() {
    let mut h = common::demo("fat", 80, 24);
    for keys in ["1", "2", "3", "4", "5"] {
        h.press(keys);
        let screen = h.render();
        let bar = screen.lines().last().unwrap_or_default().to_string();
        assert!(
            bar.contains("? help") && bar.contains("q quit"),
            "pane {keys}: {bar}"
        );
    }
}

/// `65534:65534` (nobody) is wider than the owner column's default: the column grows to
/// it, so the size column stays aligned and nothing runs into the next column.
#[test]
fn a_wide_owner_widens_its_column_instead_of_overflowing() {
    use microscope::demo::builder::{ImageBuilder, LayerBuilder};
    let img = ImageBuilder::new("owners:1").layer(
        LayerBuilder::new("ADD rootfs.tar /")
            .dir("home")
            .file_with("home/nobody.txt", &[7; 3000], 0o644, 65534, 65534)
            .file_with("home/root.txt", &[8; 2000], 0o600, 0, 0)
            .file_with("home/big-ids.txt", &[9; 1000], 0o600, 4_000_000, 4_000_000),
    );
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = common::built(&img, w, h);
        app.press("tab l");
        let screen = app.render();
        let row = |name: &str| {
            screen
                .lines()
                .find(|l| l.contains(name))
                .unwrap_or_else(|| panic!("{name} shown:\n{screen}"))
                .to_string()
        };
        let (nobody, root) = (row("nobody.txt"), row("root.txt"));
        assert!(nobody.contains("65534:65534 "), "{nobody}");
        // The names start in the same column on both rows.
        let at = |l: &str, name: &str| l.find(name).map(|i| l[..i].chars().count());
        assert_eq!(
            at(&nobody, "nobody.txt"),
            at(&root, "root.txt"),
            "\n{nobody}\n{root}"
        );
        assert!(row("big-ids.txt").contains("4000000:40… "), "cut with …");
    }
}

/// A long image name is shortened in its middle (its start and its file name or tag stay);
/// the platform and layer count after it stay whole, and the fields below are not cut.
#[test]
fn a_long_image_name_is_shortened_in_the_middle() {
    let long_tag = format!("registry.example.com/{}/app:v1.2.3", "team".repeat(24));
    assert!(long_tag.chars().count() >= 120);
    let path = "/work/shared/corpus/variants/alpine-3.20.skopeo-docker.tar";
    for (w, h) in [(80, 24), (160, 48)] {
        for name in [path, long_tag.as_str()] {
            let mut app = common::demo("micro", w, h);
            app.state.meta.reference = name.to_string();
            let screen = app.render();
            let first = screen.lines().next().unwrap_or_default().to_string();
            let tail = if name == path {
                "alpine-3.20.skopeo-docker.tar"
            } else {
                "app:v1.2.3"
            };
            assert!(first.contains(tail), "{w}: the name's end stays:\n{first}");
            assert!(
                first.contains(" 2 layers"),
                "{w}: the count stays:\n{first}"
            );
            if name.chars().count() + 40 > w as usize {
                assert!(first.contains('…'), "{first}");
            }
        }
    }
}

/// A short layer list on a wide screen: the layers and their details share a band as tall
/// as they need, and the tree below takes the full width and the rest of the rows; at 80
/// columns and on the other panes the column layout stays.
#[test]
fn a_short_layer_list_gives_its_rows_to_the_tree() {
    let mut h = common::demo("micro", 160, 48);
    let a = app_layout(h.state.screen, &h.state);
    assert_eq!(a.tree.width, 160, "the tree spans the screen");
    assert_eq!(a.left.y, a.detail.y, "layers and details side by side");
    assert!(a.left.height <= 8, "the band is as tall as it needs: {a:?}");
    assert!(a.tree.height >= 35, "the tree has the rows: {a:?}");
    let screen = h.render();
    let empty_detail_rows = screen
        .lines()
        .filter(|l| l.starts_with("│ ") && l.trim_end_matches(['"', ' ', '│']).len() < 3)
        .count();
    assert_eq!(empty_detail_rows, 0, "no column of empty rows:\n{screen}");
    h.press("2 j");
    let b = app_layout(h.state.screen, &h.state);
    assert_eq!(b.tree, a.tree, "focusing the tree keeps the band");
    assert_eq!(h.state.focus, Pane::Tree);
    h.press("3");
    let c = app_layout(h.state.screen, &h.state);
    assert!(c.tree.width < 160, "the Packages pane keeps the column");
    let h = common::demo("micro", 80, 24);
    let d = app_layout(h.state.screen, &h.state);
    assert!(d.tree.width < 80, "80 columns keep the column layout");
}
