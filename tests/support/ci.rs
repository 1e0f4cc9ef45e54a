//! Shared by the `ci_*` tests: images generated in memory, analysed in-process or written
//! to a temp dir for the real binary.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::jobs::{LoadOptions, load_image};
use microscope::report::Report;
use microscope::source::SourceOptions;
use microscope::source::docker_archive::DockerArchive;
use microscope::source::memory::MemoryStore;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `n` bytes of filler.
pub fn blob(n: usize) -> Vec<u8> {
    vec![b'x'; n]
}

/// The report microscope writes for an image, computed in-process.
pub fn report_of(img: &ImageBuilder) -> Report {
    let store = MemoryStore::new("test", img.docker_archive()).expect("archive");
    let src = DockerArchive::from_store(Box::new(store), None, &SourceOptions::default(), "test")
        .expect("source");
    let image = load_image(&src, &LoadOptions::default()).expect("load");
    let analysis = microscope::analysis::analyze(&image);
    Report::build(&image, &analysis)
}

/// Layer 0 keeps `keep` bytes and stores `gone` bytes that layer 1 deletes.
pub fn with_waste(keep: usize, gone: usize) -> ImageBuilder {
    ImageBuilder::new("test:waste")
        .layer(
            LayerBuilder::new("ADD base")
                .file("keep.bin", &blob(keep))
                .file("gone.bin", &blob(gone)),
        )
        .layer(LayerBuilder::new("RUN rm gone.bin").whiteout("gone.bin"))
}

/// One layer, one file of `n` bytes.
pub fn single(n: usize) -> ImageBuilder {
    ImageBuilder::new("test:single").layer(LayerBuilder::new("ADD f").file("f.bin", &blob(n)))
}

/// Writes the image as a `docker save` archive in `dir`.
pub fn write_archive(img: &ImageBuilder, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, img.docker_archive()).expect("write archive");
    p
}

/// Runs the real binary in `cwd`, with the CI variables of the outer environment removed
/// (this suite itself runs under CI=true) and `env` added.
pub fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = super::microscope();
    cmd.current_dir(cwd)
        .args(args)
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run microscope")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
