//! The rewrite advisor: how small could this image be? From the config it finds what runs
//! ([`entrypoint`]), what kind of program that is ([`classify`]), everything it loads and
//! reads ([`closure`], [`support`], [`runtime`]), the smallest base that carries it
//! ([`target`]), and writes the multi-stage Dockerfile ([`dockerfile`]) with the size the
//! result would have ([`estimate`]). Pure: it reads the scanned image model, nothing else.

mod alpine;
mod alternatives;
mod assemble;
mod classify;
mod closure;
mod copies;
pub mod dockerfile;
mod dockerfile_quote;
mod entrypoint;
mod estimate;
pub mod fs;
mod launched;
mod needs;
mod os_files;
mod planned;
mod prediction;
mod rebuild;
mod rpm;
mod runtime;
mod search;
pub mod target;
pub mod whatif;

pub use alpine::AlpinePackage;
pub use rpm::RpmProvider;

use crate::image::{Image, ImageMeta, Merged};
use serde::{Deserialize, Serialize};

/// What the caller can add to the analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Extra paths to copy (files or directories): what dlopen or a script needs that no
    /// static reading finds.
    pub include_paths: Vec<String>,
    /// The tag the original image has where the Dockerfile is built (default: derived from
    /// the reference).
    pub source_image: Option<String>,
    /// Take the programs as they are, never rebuilt (`slim` cannot run a Go build): a cgo
    /// program keeps its libc closure instead of a CGO_ENABLED=0 rebuild.
    pub no_rebuild: bool,
}

/// Which stage a copied path comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The original image.
    #[default]
    Source,
    /// The Go rebuild stage.
    Build,
    /// The strip stage.
    Strip,
}

/// One `COPY --from` of the rewrite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiedPath {
    /// Where it goes in the new image (and where the program looks for it).
    pub path: String,
    pub from: Stage,
    /// The path in that stage.
    pub source_path: String,
    pub dir: bool,
    /// Regular files (1 for a file).
    pub files: usize,
    /// Bytes in the original image.
    pub bytes: u64,
    /// Bytes in the new image (less, when stripped or rebuilt).
    pub predicted_bytes: u64,
    pub predicted_compressed_bytes: u64,
    pub why: String,
}

/// The program that runs, as found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramInfo {
    /// As executed (after the PATH lookup).
    pub path: String,
    /// Symlinks followed.
    pub real: String,
    /// In words: "static Go program (go1.22.5, cgo off)".
    pub kind: String,
    pub runtime: Option<String>,
    pub wrappers: Vec<String>,
    pub scripts: Vec<String>,
    /// The shell the shell form needs, when it must stay.
    pub shell: Option<String>,
}

/// Another base the program could go on, with its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub base: String,
    pub predicted_bytes: u64,
    pub note: String,
}

/// The proposed rewrite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrite {
    /// The final stage's base image.
    pub base: String,
    pub reason: String,
    pub program: ProgramInfo,
    /// The complete multi-stage Dockerfile.
    pub dockerfile: String,
    /// Regular-file bytes of the rewritten image: the copies (after strip where advised)
    /// plus the base (and apk packages).
    pub predicted_bytes: u64,
    /// Estimated gzip bytes a push would store (see `estimate`).
    pub predicted_compressed_bytes: u64,
    pub base_bytes: u64,
    pub base_compressed_bytes: u64,
    /// False when the base's size is a published round figure rather than measured.
    pub base_size_exact: bool,
    /// Regular-file bytes of the image today (final filesystem).
    pub current_bytes: u64,
    pub files: Vec<CopiedPath>,
    /// Build advice the prediction assumes (`-ldflags="-s -w"`, strip).
    pub advice: Vec<String>,
    pub assumptions: Vec<String>,
    /// What may be loaded or read at run time that static analysis cannot see.
    pub may_also_need: Vec<String>,
    /// Shared libraries nothing in the image provides.
    pub missing: Vec<String>,
    /// Alpine packages: installed by the Dockerfile when the base is alpine, else the
    /// mapping an alpine alternative would use.
    pub alpine_packages: Vec<AlpinePackage>,
    /// Red Hat-family images: the rpm (from the image's own database) shipping each library
    /// the program needs, which a UBI alternative installs instead of copying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpm_packages: Vec<RpmProvider>,
    pub alternatives: Vec<Alternative>,
}

impl Rewrite {
    /// Regular-file bytes the Dockerfile as written builds: the prediction plus the strip
    /// advice it cannot apply (a file copied from the original image though predicted
    /// smaller: no `strip` and no toolchain in the image to apply it in a build stage).
    pub fn as_written_bytes(&self) -> u64 {
        let unapplied: u64 = self
            .files
            .iter()
            .filter(|f| f.from == Stage::Source && !f.dir)
            .map(|f| f.bytes.saturating_sub(f.predicted_bytes))
            .sum();
        self.predicted_bytes.saturating_add(unapplied)
    }
}

/// Proposes the rewrite of `image`, or says why there is none.
pub fn plan(image: &Image, merged: &Merged, opts: &Options) -> Result<Rewrite, String> {
    assemble::plan(image, merged, opts)
}

/// A tag-like name for the original image, from how the user named it: the file stem of
/// an archive (`micro-debug.docker.tar` → `micro-debug`), the image's name otherwise (a
/// built-in image without a parsed reference keeps its reference as is).
pub fn source_image_name(meta: &ImageMeta) -> String {
    let r = match &meta.origin {
        Some(origin) => origin.without_transport(),
        None => meta.reference.clone(),
    };
    let r = r.as_str();
    if !r.contains('/')
        || r.starts_with("demo")
        || !(r.ends_with(".tar") || r.starts_with('/') || r.starts_with('.'))
    {
        return r.to_string();
    }
    let name = fs::basename(r.split(':').next().unwrap_or(r));
    let stem = name
        .trim_end_matches(".tar")
        .trim_end_matches(".docker")
        .trim_end_matches(".oci");
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "source".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(reference: &str) -> String {
        let origin = crate::reference::ImageRef::parse(reference).ok();
        source_image_name(&ImageMeta {
            reference: reference.to_string(),
            origin,
            ..ImageMeta::default()
        })
    }

    #[test]
    fn source_names() {
        assert_eq!(named("/corpus/micro-debug.docker.tar"), "micro-debug");
        assert_eq!(named("docker-archive:/x/Fat_Latest.tar"), "fat_latest");
        assert_eq!(named("alpine:3.20"), "alpine:3.20");
        assert_eq!(named("docker://ghcr.io/a/b:1"), "ghcr.io/a/b:1");
        assert_eq!(named("docker-daemon:app:1"), "app:1");
        // A built-in image has no parsed reference: its name is kept as is.
        assert_eq!(
            source_image_name(&ImageMeta {
                reference: "demo:fat".into(),
                ..ImageMeta::default()
            }),
            "demo:fat"
        );
    }

    /// A Podman image's rewrite starts `FROM app AS source`, not `FROM podman-daemon:app`
    /// (the name was cut from the reference with a list of transports that lacked Podman).
    #[test]
    fn a_podman_image_is_named_without_its_transport() {
        assert_eq!(named("podman-daemon:app"), "app");
        assert_eq!(named("podman-daemon:localhost/app:2"), "localhost/app:2");
    }
}
