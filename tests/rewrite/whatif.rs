//! What-if on a real image (`$MICROSCOPE_CORPUS`): debian-bookworm against the image its
//! rewrite builds, made in memory and compared by the compare code. The rewritten image
//! weighs what the rewrite predicts, keeps exactly the copied files, and the change is
//! explained by the packages it drops, libperl first.

use microscope::jobs::background::Analysed;
use microscope::jobs::whatif::compare_with_rewrite;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};
use std::path::PathBuf;

fn debian() -> Option<Analysed> {
    corpus("debian-bookworm.oci.tar")
}

fn corpus(name: &str) -> Option<Analysed> {
    let Some(dir) = std::env::var_os("MICROSCOPE_CORPUS").map(PathBuf::from) else {
        crate::support::skip("MICROSCOPE_CORPUS is not set");
        return None;
    };
    let file = dir.join(name);
    let r = ImageRef::parse(&file.to_string_lossy()).expect("reference");
    let src = open(&r, &SourceOptions::default()).expect("opens");
    let image = load_image(&*src, &LoadOptions::default()).expect("loads");
    Some(Analysed::new(image))
}

#[test]
fn debian_against_its_rewrite() {
    let Some(a) = debian() else { return };
    let r = a.analysis.rewrite.clone().expect("a rewrite");
    let c = compare_with_rewrite(&a).expect("compared");
    let report = c.report();
    assert_eq!(
        report.right.size.final_bytes, r.predicted_bytes,
        "scratch adds nothing"
    );
    assert_eq!(report.left.size.final_bytes, r.current_bytes);
    let files: Vec<String> = c.pair.right.layers[0]
        .scan
        .entries
        .iter()
        .filter(|e| e.kind == microscope::image::EntryKind::File)
        .map(|e| format!("/{}", e.path))
        .collect();
    let mut copied: Vec<String> = r.files.iter().map(|f| f.path.clone()).collect();
    copied.sort();
    assert_eq!(files, copied, "the rewritten image holds the copied files");
    let explain = serde_json::to_string(&report.diff).expect("json");
    assert!(
        explain.contains("libperl5.36"),
        "the change names libperl5.36"
    );
}

/// dive's test image runs busybox's /bin/sh, a hard link: the copy brings the bytes of the
/// file it links to, and both names count as kept.
#[test]
fn a_hard_linked_program_brings_its_bytes() {
    let Some(a) = corpus("dive-test-image.docker.tar") else {
        return;
    };
    let r = a.analysis.rewrite.clone().expect("a rewrite");
    let c = compare_with_rewrite(&a).expect("compared");
    let report = c.report();
    assert!(r.predicted_bytes > 1_000_000, "busybox weighs a MB");
    assert_eq!(report.right.size.final_bytes, r.predicted_bytes);
    let kept = microscope::analysis::rewrite::whatif::kept_paths(&a.image, &a.analysis.merged, &r);
    assert!(kept.paths.contains_key("bin/sh"), "{:?}", kept.paths.keys());
    assert!(
        kept.paths.len() >= 2,
        "the link and what it links to: {:?}",
        kept.paths.keys()
    );
}
