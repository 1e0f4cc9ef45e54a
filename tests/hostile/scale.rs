//! Scale: one layer of many entries through scan, merge, analyses and report, in bounded
//! memory. Peak RSS is measured in a child process against an empty layer's.

use crate::rss::peak_rss;

/// Peak RSS per entry over an empty layer's, in bytes.
fn bytes_per_entry(n: u64) -> u64 {
    let empty = peak_rss("entries:0");
    let full = peak_rss(&format!("entries:{n}"));
    assert!(
        full.detail.contains(&format!("entries={n}")),
        "{}",
        full.detail
    );
    let per = (full.kib.saturating_sub(empty.kib) << 10) / n;
    eprintln!(
        "{n} entries: peak RSS {} KiB (empty layer {} KiB): {per} bytes/entry ({})",
        full.kib, empty.kib, full.detail
    );
    per
}

#[test]
fn hundred_thousand_entries_in_bounded_memory() {
    let per = bytes_per_entry(100_000);
    assert!(per <= 300, "{per} bytes per entry");
}

#[test]
#[ignore = "slow in debug (about a minute): cargo test --release --test hostile -- --ignored million"]
fn million_entries_in_bounded_memory() {
    let per = bytes_per_entry(1_000_000);
    assert!(per <= 250, "{per} bytes per entry");
}
