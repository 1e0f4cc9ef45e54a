//! Shared by the TUI tests: the demo images, loaded once per test binary.

#![allow(dead_code)]

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
