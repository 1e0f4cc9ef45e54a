//! Build-stage advice that changes the bytes: rebuilding a Go program (CGO_ENABLED=0,
//! `-ldflags="-s -w"`) from the toolchain and module the image itself carries, or with the
//! official golang image when it does not; stripping other ELF files with the image's own
//! `strip`.

use super::classify::GoFacts;
use super::entrypoint;
use super::fs::{self, Fs};
use crate::image::EntryKind;

/// Where the rebuilt program is written in the build stage.
pub const BUILD_OUT: &str = "/microscope-out";

/// How to rebuild a Go program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoBuild {
    /// `go` in the source image; None: use the golang image and the user's build context.
    pub toolchain: Option<String>,
    /// The module's directory in the source image (holding go.mod).
    pub module_dir: Option<String>,
    /// Package to build, relative to the module (`.`, `./cmd/server`).
    pub package: String,
    /// The Go version the program was built with (`go1.22.5`).
    pub version: Option<String>,
    /// Turn cgo off (it was on).
    pub cgo_off: bool,
    /// Output file in the build stage.
    pub out: String,
    pub notes: Vec<String>,
}

impl GoBuild {
    /// The build stage can start from the source image itself.
    pub fn self_contained(&self) -> bool {
        self.toolchain.is_some() && self.module_dir.is_some()
    }
}

/// Where Go toolchains are installed when `go` is not on PATH.
fn toolchain_candidates() -> Vec<String> {
    let mut v = vec![
        "/usr/local/go/bin/go".to_string(),
        "/usr/lib/go/bin/go".to_string(),
    ];
    v.extend((13..=30).rev().map(|m| format!("/usr/lib/go-1.{m}/bin/go")));
    v
}

/// Paths under which a go.mod belongs to a dependency or the toolchain, not to the app.
fn foreign_module(path: &str) -> bool {
    [
        "/pkg/mod/",
        "/usr/lib/go",
        "/usr/local/go/",
        "/usr/share/go",
        "/vendor/",
        "/testdata/",
        "/.cache/",
    ]
    .iter()
    .any(|p| path.contains(p))
}

/// Plans the rebuild of the Go program at `program`.
pub fn go_build(
    fs: &Fs<'_>,
    env: &[String],
    workdir: &str,
    program: &str,
    go: &GoFacts,
    cgo_off: bool,
) -> GoBuild {
    let mut notes = Vec::new();
    let path = entrypoint::search_path(env);
    let toolchain = entrypoint::lookup(fs, "go", &path, "/")
        .map(|e| e.invoked)
        .or_else(|| {
            toolchain_candidates()
                .into_iter()
                .find(|c| fs.file(c).is_some())
        });
    let mods: Vec<String> = fs
        .walk_where("/", |k| fs::basename(k) == "go.mod")
        .filter(|(p, e)| e.kind == EntryKind::File && !foreign_module(p))
        .map(|(p, _)| fs::parent(&p).to_string())
        .collect();
    let in_workdir = |d: &&String| {
        !workdir.is_empty()
            && workdir != "/"
            && (d.as_str() == workdir || d.starts_with(&format!("{workdir}/")))
    };
    let module_dir = match mods.iter().find(in_workdir) {
        Some(d) => Some(d.clone()),
        None if mods.len() == 1 => Some(mods[0].clone()),
        None => {
            if mods.len() > 1 {
                notes.push(format!(
                    "{} go.mod files in the image ({}): none under WorkingDir, so the build stage takes your source instead",
                    mods.len(),
                    mods.join(", ")
                ));
            }
            None
        }
    };
    let package = match (&go.main_path, &go.module) {
        (Some(p), Some(m)) if p == m => ".".to_string(),
        (Some(p), Some(m)) => match p.strip_prefix(&format!("{m}/")) {
            Some(rest) => format!("./{rest}"),
            None => ".".to_string(),
        },
        _ => ".".to_string(),
    };
    if let (Some(tc), Some(v)) = (&toolchain, &go.version) {
        // Debian installs /usr/lib/go-1.19/bin/go: compare that 1.19 with the build's go1.22.5.
        let minor = v
            .trim_start_matches("go")
            .split('.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".");
        if tc.contains("/go-1.") && !tc.contains(&format!("/go-{minor}/")) {
            notes.push(format!(
                "the toolchain in the image ({tc}) is not the {v} the program was built with: the rebuilt binary may differ a little in size"
            ));
        }
    }
    GoBuild {
        toolchain,
        module_dir,
        package,
        version: go.version.clone(),
        cgo_off,
        out: format!("{BUILD_OUT}/{}", fs::basename(program)),
        notes,
    }
}

/// A `strip` the source image can run in a build stage.
pub fn strip_tool(fs: &Fs<'_>, env: &[String]) -> Option<String> {
    let path = entrypoint::search_path(env);
    [
        "strip",
        "x86_64-linux-gnu-strip",
        "aarch64-linux-gnu-strip",
        "llvm-strip",
    ]
    .iter()
    .find_map(|n| entrypoint::lookup(fs, n, &path, "/"))
    .map(|e| e.invoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_caches_are_not_the_app() {
        assert!(foreign_module(
            "/root/go/pkg/mod/golang.org/x/net@v0.1.0/go.mod"
        ));
        assert!(foreign_module("/usr/lib/go-1.19/src/go.mod"));
        assert!(!foreign_module("/src/hello/go.mod"));
    }
}
