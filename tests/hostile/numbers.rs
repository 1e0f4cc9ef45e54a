//! Numbers the image supplies (issue 17, class 9): sizes in package databases and tar
//! headers are summed saturating, so a debug build (this one) does not panic on overflow
//! and a release build does not wrap.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};

const DIST: &str = "usr/lib/python3/dist-packages";

#[test]
fn python_record_sizes_that_overflow_a_sum_do_not_panic() {
    let max = u64::MAX;
    let record =
        format!("big/a.py,sha256=x,{max}\nbig/b.py,sha256=y,{max}\nbig-1.0.dist-info/METADATA,,\n");
    let layer = LayerBuilder::new("pip install big")
        .file(&format!("{DIST}/big/a.py"), b"a")
        .file(&format!("{DIST}/big/b.py"), b"b")
        .file(
            &format!("{DIST}/big-1.0.dist-info/METADATA"),
            b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n",
        )
        .file(
            &format!("{DIST}/big-1.0.dist-info/RECORD"),
            record.as_bytes(),
        );
    let img = ImageBuilder::new("numbers:py").layer(layer);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.tar");
    std::fs::write(&path, img.docker_archive()).unwrap();
    // In-process, in a debug build: an unchecked sum panics here.
    let src = microscope::source::open(
        &microscope::reference::ImageRef::parse(path.to_str().unwrap()).unwrap(),
        &Default::default(),
    )
    .unwrap();
    let image = microscope::jobs::load_image(&*src, &Default::default()).unwrap();
    let analysis = microscope::analysis::analyze(&image);
    let report = microscope::report::Report::build(&image, &analysis);
    let json = serde_json::to_value(&report).unwrap();
    assert!(
        json.to_string().contains(&max.to_string()),
        "the saturated declared size is reported"
    );
}
