//! Peak memory, measured in a child process (this test binary re-run on one case) so that
//! tests running in parallel do not blur the figure. The child reads its own VmHWM.

use crate::bombs::{EntriesTar, SynthTar, gzip_bomb, gzip_files};
use microscope::image::{Image, ImageMeta, LayerDesc};
use microscope::scan::{ScanContext, scan_layer};
use std::process::Command;
use std::sync::Arc;

const CASE_VAR: &str = "MICROSCOPE_HOSTILE_CASE";

/// What the child reports: its peak resident set, and a line describing the result.
pub struct Peak {
    pub kib: u64,
    pub detail: String,
}

/// Runs `case` (`name:number`) in a child process.
pub fn peak_rss(case: &str) -> Peak {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["--exact", "rss::child", "--ignored", "--nocapture"])
        .args(["--test-threads=1"])
        .env(CASE_VAR, case)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {case} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| Some(&l[l.find("HOSTILE-RESULT ")? + "HOSTILE-RESULT ".len()..]))
        .unwrap_or_else(|| panic!("no result from child {case}: {stdout}"));
    let (kib, detail) = line.split_once(' ').unwrap_or((line, ""));
    Peak {
        kib: kib.parse().unwrap(),
        detail: detail.to_string(),
    }
}

#[test]
#[ignore = "the child side of peak_rss; does nothing when run by hand"]
fn child() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    let detail = run_case(&case);
    println!("HOSTILE-RESULT {} {detail}", rss_kib("VmHWM:"));
}

/// A `/proc/self/status` figure, in KiB.
fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
}

fn run_case(case: &str) -> String {
    let (name, arg) = case.split_once(':').unwrap_or((case, "0"));
    let n: u64 = arg.parse().unwrap_or(0);
    let ctx = ScanContext::default();
    match name {
        "synth" => {
            let scan = scan_layer(std::io::BufReader::new(SynthTar::new(n)), &ctx).unwrap();
            format!(
                "size={} tar={}",
                scan.entries[0].size, scan.uncompressed_bytes
            )
        }
        "gzip-bomb" => {
            let blob = gzip_bomb(b"bomb.bin", tar::EntryType::Regular, n);
            let stored = blob.len();
            let scan = scan_layer(&blob[..], &ctx).unwrap();
            format!("stored={stored} size={}", scan.entries[0].size)
        }
        "longname-bomb" => {
            let blob = gzip_bomb(b"././@LongLink", tar::EntryType::GNULongName, n);
            let err = scan_layer(&blob[..], &ctx).unwrap_err();
            format!("error={}", microscope::error::one_line(&err))
        }
        "capture-bomb" => {
            // n package.json files of 64 MiB each, all wanted by the package analyses.
            let names: Vec<String> = (0..n)
                .map(|i| format!("app/node_modules/p{i}/package.json"))
                .collect();
            let blob = gzip_files(&names, 1);
            let scan = scan_layer(&blob[..], &ctx).unwrap();
            let kept: usize = scan.captured.files.iter().map(|(_, b)| b.len()).sum();
            format!("kept={kept} warnings={}", scan.warnings.len())
        }
        "entries" => {
            // The whole library pipeline: scan, merge, analyses, report.
            let scan = scan_layer(std::io::BufReader::new(EntriesTar::new(n)), &ctx).unwrap();
            let meta = ImageMeta {
                layers: vec![LayerDesc {
                    digest: None,
                    diff_id: None,
                    media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                    size: None,
                    locator: "synthetic".into(),
                }],
                ..Default::default()
            };
            let after_scan = rss_kib("VmRSS:");
            let image = Image::new(meta, vec![Arc::new(scan)]);
            let analysis = microscope::analysis::analyze(&image);
            let after_analysis = rss_kib("VmRSS:");
            let report = microscope::report::Report::build(&image, &analysis);
            format!(
                "entries={} rss_after_scan={after_scan} rss_after_analysis={after_analysis}",
                report.layers[0].entries
            )
        }
        "deep-trees" => deep_trees(arg),
        other => panic!("unknown case {other}"),
    }
}

/// `DEPTHxCOMP`: two images of [`crate::deep_paths::deep_layer`], analysed and compared, and
/// every tree the app builds from them.
fn deep_trees(arg: &str) -> String {
    use microscope::analysis::{Analysis, analyze, compare};
    let (depth, comp) = arg.split_once('x').unwrap();
    let (depth, comp) = (depth.parse().unwrap(), comp.parse().unwrap());
    let ctx = ScanContext::default();
    let image = |extra| {
        let layer = crate::deep_paths::deep_layer(depth, comp, extra);
        let scan = scan_layer(&layer[..], &ctx).unwrap();
        let meta = ImageMeta {
            layers: vec![LayerDesc {
                digest: None,
                diff_id: None,
                media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                size: None,
                locator: "synthetic".into(),
            }],
            ..Default::default()
        };
        Image::new(meta, vec![Arc::new(scan)])
    };
    let (left, right) = (image(0), image(7));
    let (la, ra) = (analyze(&left), analyze(&right));
    let before = rss_kib("VmRSS:");
    let scans = Analysis::scans(&left);
    let app = microscope::tui::tree::build::image(&scans, &la.merged);
    let layer = microscope::tui::tree::build::layer(&scans, 0, Some(&la.merged));
    let c = compare::compare(
        compare::Side::new(&left, &la),
        compare::Side::new(&right, &ra),
    );
    let (view, _) = microscope::tui::compare::tree::build(&c.tree);
    format!(
        "dirs={} nodes={}/{}/{} rss_before_trees={before}",
        c.tree.dirs.len(),
        app.nodes.len(),
        layer.nodes.len(),
        view.nodes.len()
    )
}
