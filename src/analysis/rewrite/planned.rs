//! The plan written out: the Dockerfile's spec and the [`Rewrite`] the report shows.

use super::classify::{self, Binary, Libc, Link};
use super::closure::Closure;
use super::copies::Assembled;
use super::dockerfile::{self, Spec};
use super::entrypoint::Launch;
use super::launched::Launched;
use super::prediction::{Prediction, Rpms};
use super::rebuild::GoBuild;
use super::target::{Base, Choice};
use super::{Alternative, Options, ProgramInfo, Rewrite};
use crate::image::{Image, Merged, RunConfig};

/// Everything the plan decided, before it is written as a Dockerfile and a report.
pub(super) struct Planned<'a> {
    pub image: &'a Image,
    pub opts: &'a Options,
    pub launched: Launched,
    pub closure: &'a Closure,
    pub choice: Choice,
    pub go_build: Option<GoBuild>,
    pub strip_tool: Option<String>,
    pub copies: Assembled,
    pub prediction: Prediction<'a>,
    pub rpms: Rpms,
    pub alternatives: Vec<Alternative>,
    pub assumptions: Vec<String>,
    pub may_also_need: Vec<String>,
}

impl Planned<'_> {
    pub fn into_rewrite(mut self, merged: &Merged) -> Result<Rewrite, String> {
        let current_bytes = crate::analysis::sizes::compute(self.image, merged)
            .0
            .final_bytes;
        let (dockerfile, unsafe_values) = dockerfile::render(&self.spec(current_bytes));
        self.assumptions.extend(unsafe_values);
        let Planned {
            launched,
            choice,
            copies,
            prediction: p,
            ..
        } = self;
        Ok(Rewrite {
            base: choice.base.image(),
            reason: choice.reason,
            program: program_info(
                &launched.launch,
                &launched.program,
                launched.runtime.as_ref(),
                launched.go_rebuild,
            ),
            dockerfile,
            predicted_bytes: p.bytes,
            predicted_compressed_bytes: p.compressed,
            base_bytes: p.base_bytes,
            base_compressed_bytes: p.base_compressed,
            base_size_exact: choice.base.exact(),
            current_bytes,
            files: copies.copies,
            advice: copies.advice,
            assumptions: self.assumptions,
            may_also_need: self.may_also_need,
            missing: missing_lines(self.closure),
            alpine_packages: p.apk,
            rpm_packages: self.rpms.packages,
            alternatives: self.alternatives,
        })
    }

    fn spec(&self, current_bytes: u64) -> Spec<'_> {
        let run = &self.image.meta.run;
        let source_image = self
            .opts
            .source_image
            .clone()
            .unwrap_or_else(|| super::source_image_name(&self.image.meta));
        let (choice, p, a) = (&self.choice, &self.prediction, &self.copies);
        Spec {
            header: header(self.image, choice, p, current_bytes, &source_image),
            source_image,
            go_build: self.go_build.as_ref(),
            strip: (!a.strip.is_empty())
                .then(|| (self.strip_tool.clone().unwrap_or_default(), a.strip.clone())),
            base: choice.base.image(),
            apk_add: if choice.base == Base::Alpine {
                p.apk.iter().map(|p| p.package.clone()).collect()
            } else {
                Vec::new()
            },
            dnf_install: self.rpms.dnf_install.clone(),
            copies: &a.copies,
            run,
            launch: dockerfile_launch(&self.launched.launch, run),
            advice: a
                .advice
                .iter()
                .map(|s| format!("Advice applied in the prediction: {s}"))
                .collect(),
        }
    }
}

/// The exec form goes where the shell form stood: ENTRYPOINT or CMD.
fn dockerfile_launch(launch: &Launch, run: &RunConfig) -> dockerfile::Launch {
    let exec = launch.shell.as_ref().and_then(|s| s.exec_form.clone());
    let shell_in_entrypoint = !run.entrypoint.is_empty();
    dockerfile::Launch {
        entrypoint: exec.clone().filter(|_| shell_in_entrypoint),
        cmd: exec.filter(|_| !shell_in_entrypoint),
    }
}

fn missing_lines(closure: &Closure) -> Vec<String> {
    closure
        .missing
        .iter()
        .map(|m| {
            format!(
                "{} (needed by {}; searched {})",
                m.name,
                m.needed_by,
                m.searched.join(":")
            )
        })
        .collect()
}

fn program_info(
    launch: &Launch,
    program: &Binary,
    runtime: Option<&classify::Runtime>,
    go_rebuild: bool,
) -> ProgramInfo {
    let link = match &program.link {
        Link::Static => "static".to_string(),
        Link::Dynamic(Libc::Glibc) => "dynamic glibc".into(),
        Link::Dynamic(Libc::Musl) => "dynamic musl".into(),
        Link::Dynamic(Libc::Other(l)) => format!("dynamic ({l})"),
        Link::NotProgram => "non-program ELF".into(),
    };
    let lang = match (&program.go, program.rust) {
        (Some(g), _) => format!(
            "Go program ({}, cgo {}{})",
            g.version.as_deref().unwrap_or("unknown version"),
            if g.cgo { "on" } else { "off" },
            if go_rebuild { ": rebuilt without" } else { "" }
        ),
        (None, true) => "Rust program".into(),
        (None, false) => "program".into(),
    };
    let kind = match runtime {
        Some(rt) => format!("{} interpreter ({link})", rt.name()),
        None => format!("{link} {lang}"),
    };
    ProgramInfo {
        path: launch.program.invoked.clone(),
        real: launch.program.resolved.real.clone(),
        kind,
        runtime: runtime.map(|r| match r {
            classify::Runtime::Python(Some(v)) => format!("Python {v}"),
            r => r.name().to_string(),
        }),
        wrappers: launch.wrappers.iter().map(|w| w.invoked.clone()).collect(),
        scripts: launch.scripts.iter().map(|s| s.invoked.clone()).collect(),
        shell: launch
            .shell
            .as_ref()
            .filter(|_| launch.needs_shell())
            .map(|s| s.shell.invoked.clone()),
    }
}

fn header(
    image: &Image,
    choice: &Choice,
    p: &Prediction<'_>,
    current: u64,
    source: &str,
) -> Vec<String> {
    let (bytes, compressed) = (p.bytes, p.compressed);
    vec![
        format!("Rewritten by microscope from {}.", image.meta.reference),
        format!("Base {}: {}", choice.base.image(), choice.reason),
        format!(
            "Predicted: {bytes} B of files (today {current} B), about {compressed} B compressed."
        ),
        format!(
            "SOURCE_IMAGE is the original image as your engine knows it (default {source}): docker build --build-arg SOURCE_IMAGE=name:tag ."
        ),
    ]
}
