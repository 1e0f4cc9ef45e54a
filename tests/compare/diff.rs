//! The compare diff on generated image pairs, with every delta known in advance; and the
//! shared-scan loader: a layer both images hold is scanned once, across formats too, and
//! the reused scan is exactly what a fresh scan would have given.

use microscope::analysis::analyze;
use microscope::analysis::compare::Comparison;
use microscope::analysis::compare::highlights::{breakdown, dir_changes, top_changes};
use microscope::analysis::compare::tree::Status;
use microscope::demo::builder::{BlobCompression, ImageBuilder, LayerBuilder};
use microscope::jobs::compare::{Pair, PairOptions, load_and_compare};
use microscope::jobs::{LoadOptions, load_image};
use microscope::report::Report;
use microscope::report::compare::CompareReport;
use microscope::source::docker_archive::DockerArchive;
use microscope::source::memory::MemoryStore;
use microscope::source::oci_layout::OciLayout;
use microscope::source::{ImageSource, SourceOptions};

fn docker(img: &ImageBuilder) -> Box<dyn ImageSource> {
    let store = MemoryStore::new("test", img.docker_archive()).unwrap();
    let opts = SourceOptions::default();
    Box::new(DockerArchive::from_store(Box::new(store), None, &opts, &img.tag).unwrap())
}

fn oci(img: &ImageBuilder) -> Box<dyn ImageSource> {
    let store = MemoryStore::new("test", img.oci_archive()).unwrap();
    let opts = SourceOptions::default();
    Box::new(OciLayout::from_store(Box::new(store), None, &opts, &img.tag, "oci-archive").unwrap())
}

fn bytes(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The base both images are built FROM: identical tar, so the same diff_id.
fn base() -> LayerBuilder {
    LayerBuilder::new("ADD rootfs.tar /")
        .dir("etc")
        .file("etc/os-release", &bytes(1, 100))
        .file("usr/bin/tool", &bytes(2, 1000))
        .file("usr/lib/libx.so", &bytes(3, 5000))
        .file("usr/share/doc/x/README", &bytes(4, 300))
}

fn before() -> ImageBuilder {
    ImageBuilder::new("test/app:before").layer(base()).layer(
        LayerBuilder::new("RUN build")
            .file("app/app", &bytes(5, 2000))
            .file("app/config", &bytes(6, 50))
            .file("var/cache/c", &bytes(7, 700)),
    )
}

fn after() -> ImageBuilder {
    ImageBuilder::new("test/app:after")
        .layer(base())
        .layer(
            LayerBuilder::new("RUN build --release")
                .file("app/app", &bytes(8, 2500))
                .file("app/config", &bytes(6, 50))
                .file("var/lib/new", &bytes(9, 400)),
        )
        .layer(LayerBuilder::new("RUN chmod 600 /app/config").file_with(
            "app/config",
            &bytes(6, 50),
            0o600,
            0,
            0,
        ))
}

/// The loaded pair, its comparison, and the `{left, right, diff}` report.
struct Compared {
    pair: Pair,
    comparison: Comparison,
    report: CompareReport,
}

fn run(left: &dyn ImageSource, right: &dyn ImageSource) -> Compared {
    let c = load_and_compare(left, right, &PairOptions::default()).unwrap();
    let report = c.report();
    Compared {
        pair: c.pair,
        comparison: c.comparison,
        report,
    }
}

fn fresh_report(src: &dyn ImageSource) -> Report {
    let image = load_image(src, &LoadOptions::default()).unwrap();
    Report::build(&image, &analyze(&image))
}

#[test]
fn generated_pair_has_the_exact_deltas() {
    let (l, r) = (docker(&before()), docker(&after()));
    let c = run(&*l, &*r);
    let s = &c.comparison.summary;
    // Final: 100+1000+5000+300 shared, app 2000→2500, config 50 both, cache 700 gone, new 400.
    assert_eq!((s.final_bytes.left, s.final_bytes.right), (9150, 9350));
    assert_eq!(s.final_bytes.delta, 200);
    // The chmod stores config a second time on the right.
    assert_eq!((s.layers_bytes.left, s.layers_bytes.right), (9150, 9400));
    assert_eq!((s.layers.left, s.layers.right, s.layers.delta), (2, 3, 1));
    assert_eq!((s.files.left, s.files.right), (7, 7));
    assert_eq!(s.reclaimable_bytes.delta, 50);

    let t = &c.comparison.tree.totals;
    assert_eq!((t.only_left.entries, t.only_left.delta), (1, -700));
    assert_eq!((t.only_right.entries, t.only_right.delta), (1, 400));
    // app/app (content) and app/config (mode only).
    assert_eq!((t.changed.entries, t.changed.delta), (2, 500));
    assert_eq!((t.same.entries, t.same.left_bytes), (4, 6400));

    let tree = &c.comparison.tree;
    let status = |p: &str| tree.path(p).map(|d| d.status);
    assert_eq!(status("var/cache/c"), Some(Status::OnlyLeft));
    assert_eq!(status("var/lib/new"), Some(Status::OnlyRight));
    assert_eq!(status("app/config"), Some(Status::Changed));
    assert_eq!(status("usr/lib/libx.so"), Some(Status::Same));
    let dir = |p: &str| tree.dirs.get(p).map(|d| (d.status, d.delta()));
    assert_eq!(dir("var"), Some((Status::Changed, -300)));
    assert_eq!(dir("var/cache"), Some((Status::OnlyLeft, -700)));
    assert_eq!(dir("var/lib"), Some((Status::OnlyRight, 400)));
    assert_eq!(dir("usr"), Some((Status::Same, 0)));
    assert_eq!(dir(""), Some((Status::Changed, 200)));

    let top = top_changes(tree, 10);
    let top: Vec<(&str, i64)> = top.iter().map(|c| (c.path.as_str(), c.delta)).collect();
    assert_eq!(
        top,
        [
            ("var/cache/c", -700),
            ("app/app", 500),
            ("var/lib/new", 400),
            ("app/config", 0)
        ]
    );
    let dirs = dir_changes(tree, 1, 10);
    let dirs: Vec<(&str, i64)> = dirs.iter().map(|c| (c.path.as_str(), c.delta)).collect();
    assert_eq!(dirs, [("app", 500), ("var", -300)]);
}

#[test]
fn layers_align_on_the_shared_base_and_it_is_scanned_once() {
    let (l, r) = (docker(&before()), docker(&after()));
    let c = run(&*l, &*r);
    let a = &c.comparison.layers;
    assert_eq!((a.shared_base, a.shared, a.shared_bytes), (1, 1, 6400));
    let rows: Vec<_> = a.rows.iter().map(|r| (r.left, r.right, r.shared)).collect();
    assert_eq!(
        rows,
        [
            (Some(0), Some(0), true),
            (Some(1), Some(1), false),
            (None, Some(2), false)
        ]
    );
    assert_eq!((c.pair.scanned, c.pair.reused), (4, 1));
    let wire = &c.report.diff.layers.rows;
    assert_eq!(
        wire[0].diff_id.as_deref(),
        Some(c.report.left.layers[0].diff_id.as_str())
    );
    assert_eq!(
        (wire[1].left_bytes, wire[1].right_bytes, wire[1].delta),
        (2750, 2950, 200)
    );
    // Reuse changes nothing a report says.
    assert_eq!(c.report.right, fresh_report(&*r));
}

#[test]
fn a_shared_layer_is_reused_across_formats_in_either_order() {
    let gz = before().compression(BlobCompression::Gzip);
    for (left, right) in [(oci(&gz), docker(&after())), (docker(&after()), oci(&gz))] {
        let c = run(&*left, &*right);
        assert_eq!(
            c.comparison.layers.shared_base, 1,
            "same diff_id, other blob"
        );
        assert_eq!(c.pair.reused, 1, "the base is scanned once");
        assert_eq!(c.pair.scanned, 4);
        assert_eq!(c.report.left, fresh_report(&*left));
        assert_eq!(c.report.right, fresh_report(&*right));
    }
}

#[test]
fn an_image_against_itself_is_all_same() {
    let img = after();
    let (l, r) = (docker(&img), oci(&img));
    let c = run(&*l, &*r);
    let t = &c.comparison.tree.totals;
    assert_eq!(
        (t.only_left.entries, t.only_right.entries, t.changed.entries),
        (0, 0, 0)
    );
    assert_eq!(c.comparison.summary.final_bytes.delta, 0);
    assert!(c.comparison.layers.rows.iter().all(|r| r.shared));
    assert!(breakdown(&c.comparison.tree, 5).is_empty());
    assert!(c.report.diff.files.top.is_empty());
    let md = microscope::report::compare::markdown::render(&c.report);
    assert!(
        md.contains("This change keeps the final filesystem's size."),
        "{md}"
    );
}

#[test]
fn whiteouts_compare_by_what_is_visible() {
    // Left installs then deletes a cache in a later layer; right never writes it. The final
    // filesystems are the same, the stored bytes are not.
    let left = ImageBuilder::new("t:left")
        .layer(base())
        .layer(LayerBuilder::new("RUN fetch").file("tmp/cache/big", &bytes(1, 4000)))
        .layer(LayerBuilder::new("RUN rm -rf /tmp/cache").whiteout("tmp/cache"));
    let right = ImageBuilder::new("t:right").layer(base());
    let (l, r) = (docker(&left), docker(&right));
    let c = run(&*l, &*r);
    let s = &c.comparison.summary;
    assert_eq!(s.final_bytes.delta, 0);
    assert_eq!(s.layers_bytes.delta, -4000);
    assert_eq!(s.reclaimable_bytes.delta, -4000);
    assert_eq!(c.comparison.tree.totals.same.entries, 4);
    assert_eq!(c.comparison.tree.path("tmp/cache/big"), None);
}

#[test]
fn the_breakdown_is_disjoint_and_adds_up() {
    let (l, r) = (
        microscope::demo::source("fat").unwrap(),
        microscope::demo::source("micro").unwrap(),
    );
    let c = run(&*l, &*r);
    let f = &c.report.diff.files;
    let sum: i64 = f.breakdown.iter().map(|b| b.delta).sum();
    assert_eq!(sum + f.other_delta, c.report.diff.summary.final_bytes.delta);
    for (i, a) in f.breakdown.iter().enumerate() {
        for b in &f.breakdown[i + 1..] {
            let nested = |x: &str, y: &str| y.starts_with(&format!("{x}/"));
            assert!(
                !nested(&a.path, &b.path) && !nested(&b.path, &a.path),
                "{} / {}",
                a.path,
                b.path
            );
        }
    }
    let names: Vec<&str> = f.breakdown.iter().map(|b| b.path.as_str()).collect();
    assert_eq!(
        names[0], "usr/lib/go-1.19",
        "the Go toolchain leads: {names:?}"
    );
    assert!(names.contains(&"var/lib/apt/lists"), "{names:?}");
    // The demo's figures, exactly: fat's final filesystem against micro's.
    let s = &c.report.diff.summary;
    assert_eq!(s.final_bytes.left, c.report.left.size.final_bytes);
    assert_eq!(s.final_bytes.right, c.report.right.size.final_bytes);
    assert_eq!(
        s.final_bytes.delta,
        s.final_bytes.right as i64 - s.final_bytes.left as i64
    );
    assert_eq!(c.comparison.layers.shared, 0);
}

#[test]
fn many_similar_changes_stay_one_breakdown_item() {
    let mut data = LayerBuilder::new("COPY data /data");
    for d in 0..12 {
        for f in 0..5 {
            data = data.file(&format!("data/d{d:02}/f{f}"), &bytes(f, 100));
        }
    }
    data = data.file("usr/local/bin/tool", &bytes(1, 2000));
    let left = ImageBuilder::new("t:left").layer(base());
    let right = ImageBuilder::new("t:right").layer(base()).layer(data);
    let (l, r) = (docker(&left), docker(&right));
    let c = run(&*l, &*r);
    let items: Vec<(&str, bool, i64)> = c
        .report
        .diff
        .files
        .breakdown
        .iter()
        .map(|b| (b.path.as_str(), b.dir, b.delta))
        .collect();
    // 60 files of 100 B in 12 directories: one answer, not 12; a lone binary: the file.
    assert_eq!(
        items,
        [("data", true, 6000), ("usr/local/bin/tool", false, 2000)]
    );
    assert_eq!(c.report.diff.files.other_delta, 0);
}
