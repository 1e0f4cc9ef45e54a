//! Shared by the TUI tests: the demo images, loaded once per test binary.

use microscope::jobs::background::Analysed;
use microscope::jobs::{LoadOptions, load_image};
use microscope::tui::harness::Harness;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

fn analysed(name: &str) -> Analysed {
    static CACHE: OnceLock<Mutex<HashMap<String, Analysed>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(name.to_string())
        .or_insert_with(|| {
            let src = microscope::demo::source(name).expect("demo image opens");
            let image = load_image(&*src, &LoadOptions::default()).expect("demo image loads");
            Analysed::new(image)
        })
        .clone()
}

pub fn demo(name: &str, w: u16, h: u16) -> Harness {
    Harness::from_analysed(&analysed(name), w, h)
}

/// The app on an image generated for the test (owners, names the demo lacks).
pub fn built(img: &microscope::demo::builder::ImageBuilder, w: u16, h: u16) -> Harness {
    use microscope::source::SourceOptions;
    use microscope::source::docker_archive::DockerArchive;
    use microscope::source::memory::MemoryStore;
    let store = MemoryStore::new("test", img.docker_archive()).expect("archive in memory");
    let opts = SourceOptions::default();
    let src = DockerArchive::from_store(Box::new(store), None, &opts, &img.tag)
        .expect("generated archive opens");
    let image = load_image(&src, &LoadOptions::default()).expect("generated image loads");
    Harness::from_analysed(&Analysed::new(image), w, h)
}

/// Where the TUI's snapshots live (insta resolves a relative path from each module's file).
pub const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui/snapshots");
