//! Hostile and degenerate databases: garbage, huge lists, deleted databases, no layers.

use super::{analyse, bytes, stanza};
use crate::analysis::packages::Manager::Dpkg;
use crate::analysis::packages::attribute;
use crate::demo::builder::LayerBuilder;
use crate::image::Merged;
use std::time::Instant;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn junk(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // Plenty of newlines, colons and slashes so the parsers see many short records.
            match x % 11 {
                0 => b'\n',
                1 => b':',
                2 => b'/',
                _ => (x >> 8) as u8,
            }
        })
        .collect()
}

#[test]
fn garbage_databases_do_not_panic() -> TestResult {
    for seed in 1..6 {
        let layer = LayerBuilder::new("junk")
            .file("var/lib/dpkg/status", &junk(5000, seed))
            .file("var/lib/dpkg/diversions", &junk(700, seed + 1))
            .file("var/lib/dpkg/info/x.list", &junk(3000, seed + 2))
            .file("var/lib/dpkg/status.d/y", &junk(900, seed + 3))
            .file("var/lib/dpkg/status.d/y.md5sums", &junk(900, seed + 4))
            .file("lib/apk/db/installed", &junk(5000, seed + 5))
            .file("a/b.dist-info/RECORD", &junk(2000, seed + 6))
            .file("a/b.dist-info/METADATA", &junk(500, seed + 7))
            .file("a/c.egg-info/installed-files.txt", &junk(500, seed + 8))
            .file("node_modules/z/package.json", &junk(300, seed + 9))
            .symlink("bin", "bin")
            .symlink("lib64", "../../..");
        analyse(vec![layer])?;
    }
    Ok(())
}

#[test]
fn a_list_naming_a_million_paths_is_linear() -> TestResult {
    let mut list = String::with_capacity(40 << 20);
    for i in 0..1_000_000u32 {
        list.push_str(&format!("/usr/share/big/d{}/f{i}\n", i % 1000));
    }
    let layer = LayerBuilder::new("big")
        .symlink("usr/share/big/d7", "/usr/share/elsewhere")
        .file("usr/share/big/d1/f1", &bytes(10, b'f'))
        .file("usr/share/elsewhere/f7", &bytes(20, b'g'))
        .file(
            "var/lib/dpkg/status",
            stanza("big", "1", "all", "").as_bytes(),
        )
        .file("var/lib/dpkg/info/big.list", list.as_bytes());
    let start = Instant::now();
    let fx = analyse(vec![layer])?;
    let took = start.elapsed();
    assert_eq!(fx.pkg(Dpkg, "big").bytes, 30);
    // Debug build, shared CI cores: generous, but far from quadratic (hours).
    assert!(took.as_secs() < 60, "took {took:?}");
    Ok(())
}

#[test]
fn deleted_file_lists_leave_packages_without_files() -> TestResult {
    let base = LayerBuilder::new("base")
        .file("usr/bin/tool", &bytes(10, b't'))
        .file(
            "var/lib/dpkg/status",
            stanza("tool", "1", "all", "").as_bytes(),
        )
        .file("var/lib/dpkg/info/tool.list", b"/usr/bin/tool\n");
    let slim = LayerBuilder::new("rm -rf /var/lib/dpkg/info").whiteout("var/lib/dpkg/info");
    let fx = analyse(vec![base, slim])?;
    let tool = fx.pkg(Dpkg, "tool");
    assert_eq!(
        tool.bytes, 0,
        "the final database no longer says who owns it"
    );
    assert_eq!(
        fx.layer_bytes(0, "tool", None),
        10,
        "layer 0's database did"
    );
    assert!(
        fx.a.warnings
            .iter()
            .any(|w| w.contains("no file list") && w.contains("tool"))
    );
    Ok(())
}

#[test]
fn no_layers_no_packages() {
    let a = attribute(&[], &Merged::default());
    assert!(a.packages.is_empty() && a.layers.is_empty());
}
