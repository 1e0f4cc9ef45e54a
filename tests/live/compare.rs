//! Compare with a live side: micro-latest pushed to a real registry (started by `.ci/run`)
//! against micro-debug from its archive. The CA bundle layer both builds share is recognised
//! by diff_id and scanned once, although one side is a registry blob and the other a
//! `docker save` layer. Needs MICROSCOPE_TEST_REGISTRY and MICROSCOPE_CORPUS.

use crate::support::live;

use live::{Isolated, corpus, have, path_str, push_once, service};
use microscope::jobs::compare::{PairOptions, load_and_compare};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};

#[test]
fn a_registry_image_against_an_archive_shares_its_base() {
    let Some(reg) = service("MICROSCOPE_TEST_REGISTRY", "a docker-registry") else {
        return;
    };
    let Some(corpus) = corpus() else { return };
    if !have("skopeo") {
        return;
    }
    let latest = corpus.join("micro-latest.docker.tar");
    let debug = corpus.join("micro-debug.docker.tar");
    let remote = format!("docker://{reg}/compare-micro:latest");
    push_once(
        &format!("docker-archive:{}", path_str(&latest)),
        &remote,
        None,
        false,
    );

    let opts = SourceOptions::default();
    let left = open(&ImageRef::parse(&remote).unwrap(), &opts).unwrap();
    let right = open(&ImageRef::parse(&path_str(&debug)).unwrap(), &opts).unwrap();
    let c = load_and_compare(&*left, &*right, &PairOptions::default()).unwrap();
    assert_eq!(c.pair.left.meta.source, "registry");
    assert_eq!(
        c.comparison.layers.shared_base, 1,
        "the CA layer, by diff_id"
    );
    assert_eq!((c.pair.scanned, c.pair.reused), (3, 1), "scanned once");
    let s = &c.comparison.summary;
    assert_eq!(
        (s.final_bytes.left, s.final_bytes.delta),
        (4_809_593, 2_045_027)
    );

    // The binary says the same, from the registry side too.
    let t = Isolated::new();
    let v = t
        .run(&["compare", &remote, &path_str(&debug), "--json"])
        .json();
    assert_eq!(v["diff"]["summary"]["final_bytes"]["delta"], 2_045_027);
    assert_eq!(v["diff"]["layers"]["shared_base"], 1);
    assert_eq!(v["left"]["image"]["source"], "registry");
}
