//! microscope's binary: parse the command line, run one front end, map the outcome to an
//! exit code (0 success, 1 CI gate failed, 2 error; a closed pipe is success).

mod analyse;
mod app;
mod cli;
mod fleet;
mod gate;
mod live;
mod output;
mod progress;
mod shell;
mod slim_cmd;
mod slim_print;
mod tour_cmd;
mod tour_image;
mod verify;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The app's frame trace counts from here (MICROSCOPE_TRACE_FRAMES).
    #[cfg(feature = "tui")]
    microscope::tui::trace::started();
    tune_malloc();
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("microscope: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The whole cause chain on one line: `what: why: deeper why` (the library's renderer, so
/// the app words a failure as the command line does).
fn one_line(e: &anyhow::Error) -> String {
    // Errors quote paths, digests and registry answers: shown escaped, on one line.
    microscope::report::escape::text(&microscope::error::one_line(e.as_ref()).replace('\n', " "))
        .into_owned()
}

/// glibc gives each thread that allocates its own arena and keeps what is freed there; with
/// a scan, a decompressor and a hasher thread per layer, that retained memory was a fifth
/// of the peak RSS of an analysis (python-app: 29 MiB with the default, 23-26 with two).
/// And once a freed 512 KiB chunk raised glibc's dynamic thresholds, freed memory up to
/// twice that stayed in each heap: a fixed trim threshold (which also fixes the mmap one
/// at its 128 KiB default) gives it back (python-app cold, cache written: 31-33 -> 26 MiB,
/// same time).
#[allow(unsafe_code)]
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first in main, before any other thread exists; mallopt only adjusts
    // allocator parameters and reports failure by its return value, which changes nothing.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}
