//! The interactive app loads through the same cache as the command line: an image opened
//! the way the app opens it (`Opened`, then a background load) finds its layer scans in the
//! cache the second time. No terminal: the load job's events are read directly.
//! The registry test needs MICROSCOPE_TEST_REGISTRY, MICROSCOPE_TEST_REGISTRY_LOG and
//! MICROSCOPE_CORPUS (see `.ci/run`); the other runs everywhere.

use crate::support::live;

use live::{corpus, have, logged_requests, push_once, service};
use microscope::cache::{Cache, DEFAULT_LIMIT};
use microscope::jobs::Opened;
use microscope::jobs::background::LoadEvent;
use microscope::jobs::load::Progress;
use microscope::reference::ImageRef;
use microscope::source::SourceOptions;
use std::sync::Arc;

/// Runs the app's background load to its end: how many layers were scanned from their
/// blobs and how many came from the cache.
fn load_in_background(opened: Opened) -> (usize, usize) {
    let mut handle = opened.spawn();
    let (mut scanned, mut cached) = (0, 0);
    while let Some(event) = handle.events.blocking_recv() {
        match event {
            LoadEvent::Progress(Progress::LayerDone { cached: true, .. }) => cached += 1,
            LoadEvent::Progress(Progress::LayerDone { cached: false, .. }) => scanned += 1,
            LoadEvent::Progress(Progress::Bytes { .. }) => {}
            LoadEvent::Done(_) => return (scanned, cached),
            LoadEvent::Failed(why) => panic!("the load failed: {why}"),
        }
    }
    panic!("the load ended without Done or Failed");
}

#[test]
fn a_background_load_reads_and_fills_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(Cache::open(dir.path(), DEFAULT_LIMIT));
    let open = || Opened {
        source: microscope::demo::source("micro").unwrap(),
        cache: Some(cache.clone()),
        verify: true,
    };
    let layers = open().source.meta().layers.len();
    assert!(layers > 0);
    assert_eq!(
        load_in_background(open()),
        (layers, 0),
        "cold: every layer scanned"
    );
    assert_eq!(
        load_in_background(open()),
        (0, layers),
        "warm: every layer cached"
    );
}

#[test]
fn the_app_path_caches_registry_layers() {
    let Some(reg) = service("MICROSCOPE_TEST_REGISTRY", "a docker-registry") else {
        return;
    };
    let Some(log) = service("MICROSCOPE_TEST_REGISTRY_LOG", "the registry's log") else {
        return;
    };
    let Some(corpus) = corpus() else { return };
    if !have("skopeo") {
        return;
    }
    // A repository of its own, so that other tests' requests are not counted.
    let image = format!("docker://{reg}/app-cache/alpine:3.20");
    let archive = corpus.join("alpine-3.20.docker.tar");
    push_once(
        &format!("docker-archive:{}", archive.display()),
        &image,
        None,
        false,
    );
    let dir = tempfile::tempdir().unwrap();
    let opts = SourceOptions {
        cache: Some(Arc::new(Cache::open(dir.path(), DEFAULT_LIMIT))),
        ..Default::default()
    };
    let reference = ImageRef::parse(&image).unwrap();
    let open = || Opened::open(&reference, &opts, &mut |_| {}).unwrap();
    let blob_requests = || logged_requests(&log, "/v2/app-cache/alpine/blobs/");
    let first = open();
    assert!(
        first.cache.is_some(),
        "a registry image is opened with the cache"
    );
    let layers = first.source.meta().layers.len();
    let (scanned, _) = load_in_background(first);
    assert_eq!(scanned, layers, "cold: every layer scanned");
    let after_cold = blob_requests();
    assert_eq!(load_in_background(open()), (0, layers), "warm: all cached");
    assert_eq!(
        blob_requests(),
        after_cold,
        "the warm load asks for no blob"
    );
}
