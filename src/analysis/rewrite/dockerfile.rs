//! Writes the multi-stage Dockerfile: the original image as stage `source`, an optional
//! `build` stage (Go rebuild) and `strip` stage, then the final stage on the chosen base with
//! a `COPY --from` of exactly the planned paths and the runtime config carried over.
//!
//! `COPY --from` follows a source path that is a symlink (BuildKit's dockerfile frontend and
//! the classic builder both do), so each library lands as a regular file under the name the
//! loader opens; symlinks *inside* a copied directory stay symlinks.

use super::dockerfile_quote as q;
use super::rebuild::GoBuild;
use super::{CopiedPath, Stage};
use crate::image::RunConfig;

/// What the final stage runs, when it differs from the original config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// Exec form replacing a shell-form ENTRYPOINT (then CMD is dropped, as Docker ignores it).
    pub entrypoint: Option<Vec<String>>,
    /// Exec form replacing a shell-form CMD.
    pub cmd: Option<Vec<String>>,
}

/// Everything the Dockerfile says.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    pub source_image: String,
    /// Comment lines at the top (without `#`).
    pub header: Vec<String>,
    pub go_build: Option<&'a GoBuild>,
    /// (strip program in the source image, files to strip).
    pub strip: Option<(String, Vec<String>)>,
    pub base: String,
    /// Alpine packages to install in the final stage.
    pub apk_add: Vec<String>,
    /// rpms a ubi-minimal final stage installs (names checked to be rpm's character set).
    pub dnf_install: Vec<String>,
    pub copies: &'a [CopiedPath],
    pub run: &'a RunConfig,
    pub launch: Launch,
    /// Comment lines just before the final FROM: advice the Dockerfile cannot apply itself.
    pub advice: Vec<String>,
}

/// The stripped copy of `path` in the strip stage.
pub fn stripped_name(path: &str) -> String {
    format!("{path}.stripped")
}

/// The Dockerfile, and a note for each value of the image's that could not be written
/// safely and was left out (for `assumes`).
pub fn render(spec: &Spec<'_>) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut lines: Vec<String> = spec.header.iter().map(|h| comment(h)).collect();
    lines.extend(source_stage(&spec.source_image, &mut notes));
    if let Some(b) = spec.go_build {
        lines.push(String::new());
        lines.extend(go_stage(b, &mut notes));
    }
    if let Some((tool, files)) = &spec.strip {
        lines.push(String::new());
        lines.extend(strip_stage(tool, files));
    }
    lines.push(String::new());
    lines.extend(spec.advice.iter().map(|a| comment(a)));
    lines.push(format!("FROM {}", spec.base));
    lines.extend(package_lines(spec, &mut notes));
    lines.extend(copy_lines(spec.copies));
    lines.extend(run_config(spec.run, &mut notes));
    lines.extend(launch_lines(spec));
    let mut out = String::new();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    (out, notes)
}

/// The source image as a build argument (left for `--build-arg` when it cannot be written
/// as one word) and the stage that names it.
fn source_stage(source_image: &str, notes: &mut Vec<String>) -> Vec<String> {
    let arg = match q::word(source_image) {
        Some(w) => format!("ARG SOURCE_IMAGE={w}"),
        None => {
            notes.push(q::dropped(
                "the source image name",
                source_image,
                "pass it with --build-arg SOURCE_IMAGE=",
            ));
            "ARG SOURCE_IMAGE".to_string()
        }
    };
    vec![arg, "FROM ${SOURCE_IMAGE} AS source".to_string()]
}

/// The stage that strips `files` with the image's own `tool`.
fn strip_stage(tool: &str, files: &[String]) -> Vec<String> {
    let mut l = vec![
        "# Strip symbols and debug info with the image's own strip (exec form: no shell needed)."
            .to_string(),
        "FROM source AS strip".to_string(),
    ];
    for f in files {
        l.push(format!(
            "RUN {}",
            json(&[tool, "--strip-unneeded", "-o", &stripped_name(f), f])
        ));
    }
    l
}

/// `apk add` and `microdnf install` of the packages the base lacks; a name either tool
/// would not take as one word is left out with a note.
fn package_lines(spec: &Spec<'_>, notes: &mut Vec<String>) -> Vec<String> {
    let mut l = Vec::new();
    let (apk, bad): (Vec<&str>, Vec<&str>) = spec
        .apk_add
        .iter()
        .map(String::as_str)
        .partition(|n| q::apk_name_ok(n));
    for n in bad {
        notes.push(q::dropped(
            "apk package",
            n,
            "not a package name apk accepts",
        ));
    }
    if !apk.is_empty() {
        l.push(format!("RUN apk add --no-cache {}", apk.join(" ")));
    }
    // rpm names come from the image's database: the same charset rule keeps them one word.
    let (dnf, bad): (Vec<&str>, Vec<&str>) = spec
        .dnf_install
        .iter()
        .map(String::as_str)
        .partition(|n| q::apk_name_ok(n));
    for n in bad {
        notes.push(q::dropped(
            "rpm package",
            n,
            "not a package name dnf accepts",
        ));
    }
    if !dnf.is_empty() {
        l.push(format!(
            "RUN microdnf install -y --nodocs {} && microdnf clean all",
            dnf.join(" ")
        ));
    }
    l
}

/// ENTRYPOINT, and CMD unless the launch replaces the entrypoint.
fn launch_lines(spec: &Spec<'_>) -> Vec<String> {
    let mut l = Vec::new();
    let entrypoint = spec
        .launch
        .entrypoint
        .as_ref()
        .unwrap_or(&spec.run.entrypoint);
    if !entrypoint.is_empty() {
        l.push(format!("ENTRYPOINT {}", json_owned(entrypoint)));
    }
    if spec.launch.entrypoint.is_none() {
        let cmd = spec.launch.cmd.as_ref().unwrap_or(&spec.run.cmd);
        if !cmd.is_empty() {
            l.push(format!("CMD {}", json_owned(cmd)));
        }
    }
    l
}

/// ENV, WORKDIR, EXPOSE and USER from the image config, each written per its grammar or
/// left out with a note.
fn run_config(run: &RunConfig, notes: &mut Vec<String>) -> Vec<String> {
    let mut l = Vec::new();
    for e in &run.env {
        // An entry is NAME=VALUE (image-spec); a bare NAME is not written as NAME="", a
        // value the image never had.
        let Some((k, v)) = e.split_once('=') else {
            notes.push(q::dropped("ENV", e, "not NAME=VALUE"));
            continue;
        };
        match q::quoted(v).filter(|_| q::env_key_ok(k)) {
            Some(v) => l.push(format!("ENV {k}={v}")),
            None => notes.push(q::dropped(
                "ENV",
                e,
                "a name or value a Dockerfile cannot hold (control characters)",
            )),
        }
    }
    if !run.working_dir.is_empty() {
        match q::word(&run.working_dir) {
            Some(w) => l.push(format!("WORKDIR {w}")),
            None => notes.push(q::dropped(
                "WORKDIR",
                &run.working_dir,
                "control characters",
            )),
        }
    }
    for p in &run.exposed_ports {
        if q::port_ok(p) {
            l.push(format!("EXPOSE {p}"));
        } else {
            notes.push(q::dropped("EXPOSE", p, "not a port[/protocol]"));
        }
    }
    if !run.user.is_empty() {
        if q::user_ok(&run.user) {
            l.push(format!("USER {}", run.user));
        } else {
            notes.push(q::dropped(
                "USER",
                &run.user,
                "not a user[:group] name; the image runs as root until you set one",
            ));
        }
    }
    l
}

fn go_stage(b: &GoBuild, notes: &mut Vec<String>) -> Vec<String> {
    let mut l = Vec::new();
    let what = if b.cgo_off {
        "without cgo (static) and without symbol table and DWARF"
    } else {
        "without symbol table and DWARF"
    };
    let mut args: Vec<&str> = vec!["build"];
    args.extend(["-ldflags=-s -w", "-o", &b.out, &b.package]);
    match (&b.toolchain, &b.module_dir) {
        (Some(go), Some(dir)) => {
            l.push(format!(
                "# Rebuild {what}, with the toolchain and source the image carries."
            ));
            l.push("FROM source AS build".into());
            match q::word(dir) {
                Some(w) => l.push(format!("WORKDIR {w}")),
                None => notes.push(q::dropped(
                    "the Go module directory",
                    dir,
                    "control characters",
                )),
            }
            l.push(format!("ENV CGO_ENABLED={}", if b.cgo_off { 0 } else { 1 }));
            let mut cmd = vec![go.as_str()];
            cmd.extend(args);
            l.push(format!("RUN {}", json(&cmd)));
        }
        _ => {
            let tag = b
                .version
                .as_deref()
                .map(|v| v.trim_start_matches("go").to_string())
                .filter(|t| {
                    let ok = q::tag_ok(t);
                    if !ok {
                        notes.push(q::dropped(
                            "the Go version",
                            t,
                            "not an image tag; golang:1 used",
                        ));
                    }
                    ok
                })
                .unwrap_or_else(|| "1".into());
            l.push(format!(
                "# Rebuild {what}: the image has no Go toolchain and module, so this stage"
            ));
            l.push("# builds from your source (the build context holding go.mod).".into());
            l.push(format!("FROM golang:{tag} AS build"));
            l.push("WORKDIR /src".into());
            l.push("COPY . .".into());
            l.push(format!("ENV CGO_ENABLED={}", if b.cgo_off { 0 } else { 1 }));
            let mut cmd = vec!["go"];
            cmd.extend(args);
            l.push(format!("RUN {}", json(&cmd)));
        }
    }
    l
}

/// COPY lines, files grouped by stage and destination directory.
fn copy_lines(copies: &[CopiedPath]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < copies.len() {
        let c = &copies[i];
        let from = stage_name(c.from);
        if c.dir || c.source_path != c.path {
            out.push(copy(from, &[c.source_path.as_str()], &c.path));
            i += 1;
            continue;
        }
        let dir = super::fs::parent(&c.path);
        let mut group = vec![c.source_path.as_str()];
        let mut j = i + 1;
        while let Some(n) = copies.get(j) {
            if n.dir
                || n.from != c.from
                || n.source_path != n.path
                || super::fs::parent(&n.path) != dir
            {
                break;
            }
            group.push(n.source_path.as_str());
            j += 1;
        }
        let dest = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        out.push(copy(from, &group, &dest));
        i = j;
    }
    out
}

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Source => "source",
        Stage::Build => "build",
        Stage::Strip => "strip",
    }
}

fn copy(from: &str, sources: &[&str], dest: &str) -> String {
    let plain = |p: &str| {
        !p.contains(|c: char| c.is_whitespace() || c.is_control() || c == '"' || c == '\\')
    };
    if sources.iter().all(|s| plain(s)) && plain(dest) {
        format!("COPY --from={from} {} {dest}", sources.join(" "))
    } else {
        let mut all: Vec<&str> = sources.to_vec();
        all.push(dest);
        format!("COPY --from={from} {}", json(&all))
    }
}

fn json(words: &[&str]) -> String {
    serde_json::to_string(words).unwrap_or_default()
}

fn json_owned(words: &[String]) -> String {
    serde_json::to_string(words).unwrap_or_default()
}

fn comment(s: &str) -> String {
    q::comment(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(path: &str, from: Stage, dir: bool) -> CopiedPath {
        CopiedPath {
            path: path.into(),
            source_path: path.into(),
            from,
            dir,
            ..Default::default()
        }
    }

    #[test]
    fn copies_group_by_directory() {
        let copies = vec![
            cp("/lib/x86_64-linux-gnu/libc.so.6", Stage::Source, false),
            cp("/lib/x86_64-linux-gnu/libm.so.6", Stage::Source, false),
            cp("/usr/lib/python3.11", Stage::Source, true),
            cp("/app", Stage::Source, false),
            cp("/my dir/x", Stage::Source, false),
        ];
        assert_eq!(
            copy_lines(&copies),
            vec![
                "COPY --from=source /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/",
                "COPY --from=source /usr/lib/python3.11 /usr/lib/python3.11",
                "COPY --from=source /app /",
                "COPY --from=source [\"/my dir/x\",\"/my dir/\"]",
            ]
        );
    }
}
