//! Rows: collapse, sort, filter and search over a small tree.

use super::super::build;
use super::*;
use crate::image::{Entry, EntryKind, LayerScan};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn view(paths: &[(&str, u64)]) -> TreeView {
    let entries = paths
        .iter()
        .map(|(p, s)| Entry {
            path: Arc::from(*p),
            kind: EntryKind::File,
            size: *s,
            mode: 0o644,
            uid: 0,
            gid: 0,
            link: None,
            hash: 0,
        })
        .collect();
    let scan = LayerScan {
        entries,
        ..LayerScan::default()
    };
    TreeView::new(
        build::layer(&[Arc::new(scan)], 0, None),
        &RowFilter::default(),
    )
}

fn names(v: &TreeView) -> Vec<String> {
    v.rows
        .iter()
        .map(|r| {
            let n = v.tree.node(r.node);
            format!("{}{}", "  ".repeat(r.depth as usize), n.name())
        })
        .collect()
}

#[test]
fn collapse_sort_filter_and_find() -> TestResult {
    // a/b 1, a/c 5, z 3  →  by size: a(6) [c, b], z
    let mut v = view(&[("a/b", 1), ("a/c", 5), ("z", 3)]);
    assert_eq!(names(&v), ["a", "  c", "  b", "z"]);
    assert!(v.rows[2].last && !v.rows[1].last);
    v.toggle_selected();
    assert_eq!(
        names(&v),
        ["a", "z"],
        "space collapses the selected directory"
    );
    v.sort(SortBy::Name);
    assert_eq!(names(&v), ["a", "z"]);
    let found = v.find("B", true, false);
    assert_eq!(
        found.map(|f| f.node),
        None,
        "smart case: upper-case query is case-sensitive"
    );
    let b = v.find("b", true, false).ok_or("missing")?;
    assert_eq!((b.at, b.of), (1, 1));
    assert!(v.reveal(b.node));
    assert_eq!(names(&v), ["a", "  b", "  c", "z"]);
    assert_eq!(v.cursor, 1);
    v.apply_filter(&RowFilter {
        text: "c".into(),
        ..RowFilter::default()
    });
    assert_eq!(
        names(&v),
        ["a", "  c"],
        "the filter keeps matches and their parents"
    );
    v.toggle_all();
    assert_eq!(names(&v), ["a"]);
    v.toggle_all();
    assert_eq!(names(&v), ["a", "  c"]);
    Ok(())
}
