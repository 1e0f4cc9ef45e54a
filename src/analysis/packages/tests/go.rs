//! Go programs: a binary no package lists becomes a `go` package named by its main module;
//! one an OS package lists stays with it.

use super::{analyse, stanza};
use crate::analysis::packages::Manager::{Dpkg, Go};
use crate::demo::builder::LayerBuilder;
use crate::demo::elf::{ElfSpec, build};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn go_binary(main: &str, seed: u64) -> Vec<u8> {
    let modinfo = format!(
        "path\t{main}/cmd/app\nmod\t{main}\tv1.4.2\th1:abc=\ndep\tgolang.org/x/sys\tv0.20.0\th1:def=\n\
         build\tCGO_ENABLED=0\n"
    );
    build(&ElfSpec {
        text: 20_000,
        gopclntab: 4_000,
        go: Some(("go1.22.5".into(), modinfo)),
        seed,
        ..ElfSpec::default()
    })
}

#[test]
fn a_go_binary_nobody_lists_is_its_own_package() -> TestResult {
    let app = go_binary("example.com/app", 1);
    let tool = go_binary("example.com/tool", 2);
    let base = LayerBuilder::new("apt-get install tool")
        .file_with("usr/bin/tool", &tool, 0o755, 0, 0)
        .file(
            "var/lib/dpkg/status",
            stanza("tool", "1.0", "amd64", "").as_bytes(),
        )
        .file("var/lib/dpkg/info/tool.list", b"/usr/bin/tool\n");
    let copy =
        LayerBuilder::new("COPY --from=build /out/app /app").file_with("app", &app, 0o755, 0, 0);
    let fx = analyse(vec![base, copy])?;

    let p = fx.pkg(Go, "example.com/app");
    assert_eq!(
        (p.version.as_str(), p.layer, p.location.as_str()),
        ("v1.4.2", 1, "app")
    );
    assert_eq!((p.bytes, p.files), (app.len() as u64, 1));
    assert_eq!(p.arch, "amd64");
    let info = p.go.as_ref().ok_or("missing")?;
    assert_eq!(info.version.as_deref(), Some("go1.22.5"));
    assert_eq!(info.cgo_enabled, Some(false));
    assert_eq!(info.deps[0].path, "golang.org/x/sys");

    assert_eq!(fx.owner("usr/bin/tool"), Some("tool"));
    assert_eq!(fx.pkg(Dpkg, "tool").bytes, tool.len() as u64);
    assert!(fx.a.packages.iter().all(|p| p.name != "example.com/tool"));
    Ok(())
}

/// cargo-auditable: the root crate of `.dep-v0` names a Rust program no package lists.
#[test]
fn an_auditable_rust_binary_is_its_own_package() -> TestResult {
    use crate::analysis::packages::Manager::Cargo;
    use crate::scan::elf::auditable::tests::{DEPS, section};
    let rg = build(&ElfSpec {
        text: 9_000,
        dep_v0: Some(section(DEPS)),
        seed: 7,
        ..ElfSpec::default()
    });
    let layer = LayerBuilder::new("COPY --from=build /out/rg /usr/local/bin/rg").file_with(
        "usr/local/bin/rg",
        &rg,
        0o755,
        0,
        0,
    );
    let fx = analyse(vec![layer])?;
    let p = fx.pkg(Cargo, "ripgrep");
    assert_eq!(
        (&*p.version, p.bytes, p.files),
        ("14.1.0", rg.len() as u64, 1)
    );
    assert_eq!((&*p.location, &*p.arch), ("usr/local/bin/rg", "amd64"));
    Ok(())
}
