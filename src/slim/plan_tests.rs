//! The plan's pure parts: hard-link order and refusals.

use super::*;
use crate::analysis::rewrite::CopiedPath;

fn entry(path: &str, kind: Kind) -> OutEntry {
    OutEntry {
        path: path.into(),
        kind,
        mode: 0o644,
        uid: 0,
        gid: 0,
    }
}

fn file(layer: usize, path: &str) -> Kind {
    Kind::File {
        content: Content {
            layer,
            path: path.into(),
        },
        size: 3,
        strip: false,
    }
}

#[test]
fn a_hard_link_never_precedes_its_bytes() {
    let mut e = vec![
        entry("d/a", Kind::Hardlink("d/z".into())),
        entry("d/m", Kind::Hardlink("d/z".into())),
        entry("d/z", file(0, "d/z")),
    ];
    order_hard_links(&mut e);
    assert_eq!(e[0].kind, file(0, "d/z"));
    assert_eq!(e[1].kind, Kind::Hardlink("d/a".into()));
    assert_eq!(e[2].kind, Kind::Hardlink("d/a".into()));
}

#[test]
fn refusals_say_why() {
    let mut rw = Rewrite {
        base: "debian:bookworm-slim".into(),
        reason: "libfoo.so.1 not found".into(),
        ..Rewrite::default()
    };
    let e = refusal(&rw).map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.contains("libfoo.so.1 not found") && e.contains("--include-path"),
        "{e}"
    );
    rw.base = "scratch".into();
    assert!(refusal(&rw).is_none());
    rw.files.push(CopiedPath {
        path: "/server".into(),
        from: Stage::Build,
        ..CopiedPath::default()
    });
    let e = refusal(&rw).map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("/server") && e.contains("CGO_ENABLED=0"), "{e}");
}
