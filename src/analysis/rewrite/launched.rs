//! The program the image launches, as the rewrite starts from it: the launch chain, the ELF
//! that runs (the interpreter, for scripts), its runtime, and whether it rebuilds static.

use super::Options;
use super::classify::{self, Binary};
use super::entrypoint::{self, Exe, Launch};
use super::fs::Fs;
use super::target;
use crate::image::RunConfig;

/// The program the image launches, before anything is gathered for it.
pub(super) struct Launched {
    pub launch: Launch,
    pub program: Binary,
    pub runtime: Option<classify::Runtime>,
    /// A cgo Go program that rebuilds static.
    pub go_rebuild: bool,
}

impl Launched {
    pub fn resolve(fs: &Fs<'_>, run: &RunConfig, opts: &Options) -> Result<Self, String> {
        let launch = entrypoint::resolve(fs, run)?;
        let prog = &launch.program;
        let program = launched_program(fs, prog)?;
        let runtime = classify::runtime_of(&prog.invoked, &prog.resolved.real);
        let go_rebuild =
            runtime.is_none() && target::go_cgo_rebuildable(&program) && !opts.no_rebuild;
        Ok(Launched {
            launch,
            program,
            runtime,
            go_rebuild,
        })
    }
}

/// The ELF program the launch ends in (the interpreter, for scripts).
fn launched_program(fs: &Fs<'_>, prog: &Exe) -> Result<Binary, String> {
    fs.file(&prog.invoked)
        .and_then(|(_, f)| f.elf)
        .map(Binary::from_elf)
        .ok_or_else(|| {
            format!(
                "{} is neither an ELF program the scan could read nor a #! script",
                prog.invoked
            )
        })
}
