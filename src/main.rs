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

/// Blocks at least this big are mmapped by glibc, and unmapped when freed. Above the read
/// buffers of the HTTP client (hyper grows its buffer to at most 8 KiB + 400 KiB and,
/// while the chunks it handed out are still queued, allocates a fresh one), below the scan
/// pipeline's 512 KiB chunks. At glibc's 128 KiB each fresh buffer of a download was a new
/// mapping whose pages the kernel faulted in as it wrote the socket's bytes: a cold pull of
/// fat:latest from a registry took 150-170k page faults and 0.55-0.75 s of system time
/// instead of 15-30k and 0.25-0.35 s.
const MMAP_THRESHOLD: i32 = 480 * 1024;

/// glibc gives each thread that allocates its own arena and keeps what is freed there; with
/// a scan, a decompressor and a hasher thread per layer, that retained memory was a fifth
/// of the peak RSS of an analysis (python-app: 29 MiB with the default, 23-26 with two).
/// And once a freed 512 KiB chunk raised glibc's dynamic thresholds, freed memory up to
/// twice that stayed in each heap: fixed thresholds keep the 512 KiB chunks mmapped and
/// trim a heap's top past 128 KiB (python-app cold, cache written: 31-33 -> 26 MiB, same
/// time). Fixing the trim threshold alone also fixed the mmap threshold, at its default
/// of 128 KiB, which is too low for downloads (see [`MMAP_THRESHOLD`]).
#[allow(unsafe_code)]
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first in main, before any other thread exists; mallopt only adjusts
    // allocator parameters and reports failure by its return value, which changes nothing.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::{MMAP_THRESHOLD, tune_malloc};

    /// Bytes glibc holds in mmapped blocks now.
    #[allow(unsafe_code)]
    fn mmapped() -> usize {
        // SAFETY: mallinfo2 only reads the allocator's counters.
        unsafe { libc::mallinfo2() }.hblkhd
    }

    /// Whether a block of `len` bytes is given its own mapping. Other tests allocate on
    /// their threads meanwhile, so a few tries settle what one might see wrongly.
    fn mapped(len: usize) -> bool {
        let mut seen = [0; 2];
        for _ in 0..5 {
            let before = mmapped();
            let block = std::hint::black_box(vec![1u8; len]);
            let grew = mmapped().saturating_sub(before) >= len;
            drop(block);
            seen[usize::from(grew)] += 1;
        }
        seen[1] > seen[0]
    }

    #[test]
    fn download_buffers_stay_in_the_heap_and_pipeline_chunks_are_mapped() {
        tune_malloc();
        // hyper's biggest read buffer (8 KiB + 400 KiB), and one just under the threshold.
        assert!(
            !mapped(8192 + 4096 * 100),
            "a download's read buffer was mmapped"
        );
        assert!(!mapped(MMAP_THRESHOLD as usize - 4096));
        // The pipeline's 512 KiB chunks are unmapped when freed, as the trim set out to do.
        assert!(
            mapped(512 * 1024),
            "a 512 KiB pipeline chunk was not mmapped"
        );
    }
}
