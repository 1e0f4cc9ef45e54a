use super::*;

fn report(reference: &str, final_bytes: u64, savable: u64, layers: &[(&str, u64, &str)]) -> Line {
    let layers: Vec<serde_json::Value> = layers
        .iter()
        .map(|(id, b, cmd)| serde_json::json!({"diff_id": id, "bytes": b, "compressed_bytes": b / 2, "command": cmd}))
        .collect();
    let json = serde_json::json!({
        "ref": reference,
        "size": {"final_bytes": final_bytes, "compressed_bytes": final_bytes / 2},
        "findings_savable_bytes": savable,
        "rewrite": {"base": "scratch", "predicted_bytes": 10, "current_bytes": final_bytes},
        "layers": layers,
        "packages": [{"manager": "dpkg", "name": "libc6", "version": "2.36", "bytes": 100}],
    });
    Line::parse(&json.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn fleet() -> Vec<Line> {
    vec![
        report(
            "reg/b:1",
            500,
            50,
            &[
                ("sha256:base", 400, "ADD rootfs"),
                ("sha256:b", 100, "COPY b"),
            ],
        ),
        report(
            "reg/a:1",
            900,
            300,
            &[
                ("sha256:base", 400, "ADD rootfs"),
                ("sha256:a", 500, "COPY a"),
            ],
        ),
        Line::parse(r#"{"ref":"reg/c:1","error":"manifest unknown"}"#)
            .unwrap_or_else(|e| panic!("{e}")),
    ]
}

#[test]
fn ranks_images_shares_layers_and_sums_packages() {
    let s = summarise(fleet(), None);
    assert_eq!(s.images, 2);
    assert_eq!(s.failed.len(), 1);
    assert_eq!(s.by_savable[0].reference, "reg/a:1");
    assert_eq!(s.by_rewrite[0].rewrite_saving, 890);
    assert_eq!(s.distinct_layers, 3);
    assert_eq!(s.distinct_layer_bytes, 1000);
    assert_eq!(s.shared_layers.len(), 1);
    let base = &s.shared_layers[0];
    assert_eq!((base.images, base.bytes), (2, 400));
    assert_eq!(
        base.first_image, "reg/a:1",
        "first by reference, whatever the order read"
    );
    assert_eq!((s.packages[0].images, s.packages[0].bytes), (2, 200));
}

#[test]
fn the_order_lines_come_in_does_not_matter() {
    let mut reversed = fleet();
    reversed.reverse();
    assert_eq!(summarise(fleet(), None), summarise(reversed, None));
}

#[test]
fn growth_against_a_baseline() {
    let before = summarise(fleet(), None);
    let now = summarise(
        vec![
            report("reg/a:1", 1000, 0, &[]),
            report("reg/d:1", 10, 0, &[]),
        ],
        Some(&before),
    );
    let g = now.growth.as_ref().unwrap_or_else(|| panic!("growth"));
    assert_eq!(g.total_delta, 100);
    assert_eq!(g.changed[0].reference, "reg/a:1");
    assert_eq!(g.added, vec!["reg/d:1".to_string()]);
    assert_eq!(g.removed, vec!["reg/b:1".to_string()]);
    let json = serde_json::to_string(&now).unwrap_or_default();
    let back: Summary = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, now);
}

#[test]
fn markdown_escapes_what_the_images_say() {
    let lines = vec![
        report(
            "reg/x|y:1",
            100,
            1,
            &[("sha256:l", 10, "RUN echo `x` | <b>")],
        ),
        report("reg/z:1", 100, 1, &[("sha256:l", 10, "other")]),
        Line::parse(r#"{"ref":"reg/[bad]:1","error":"no *such* | thing\nsecond line"}"#)
            .unwrap_or_else(|e| panic!("{e}")),
    ];
    let md = markdown::render(&summarise(lines, None));
    assert!(md.contains("`` RUN echo `x` \\| <b> ``"), "{md}");
    assert!(md.contains("`reg/x\\|y:1`"), "{md}");
    // A newline in an error is shown as `\n` (report::escape), never breaks the row.
    assert!(
        md.contains("no \\*such\\* \\| thing\\\\nsecond line"),
        "{md}"
    );
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with('|'), "one row per line: {line}");
    }
}

#[test]
fn bad_lines_say_why() {
    let why = |line: &str| match Line::parse(line) {
        Ok(_) => panic!("{line} parsed"),
        Err(e) => crate::error::one_line(&e),
    };
    assert!(
        why("{").starts_with("not a fleet line: EOF"),
        "{}",
        why("{")
    );
    assert_eq!(why(r#"{"ref":"x"}"#), "neither a report nor an error");
    assert!(
        why(r#"{"error":"x"}"#).starts_with("not a fleet line: missing field `ref`"),
        "{}",
        why(r#"{"error":"x"}"#)
    );
}
