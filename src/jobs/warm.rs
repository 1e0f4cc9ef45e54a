//! A second look at an unchanged image: its report, kept whole in the cache under a key that
//! names everything it was made from, so a warm run reads no layer, decodes no scan and
//! redoes no analysis.
//!
//! The key is the sha256 of: this binary (version, and the identity of its executable, so a
//! rebuilt microscope never reads an older analysis), the image's metadata as the source
//! read it now (reference, manifest and config digests, platform, run config, history, layer
//! descriptors, warnings), each layer's scan-cache key (its digest, and for a local layout
//! or archive the identity of the file it is read from: device, inode, size, mtime and
//! ctime), and the options that change the analysis. A layer that cannot be cached, or a
//! run under `--no-verify`, has no key: its report is neither read nor kept. What a warm
//! run trusts is therefore the scan cache's identity rule, no more: an edited, rewritten or
//! replaced file is a miss, read and verified again.

use super::checks::guarded_key;
use super::open::Opened;
use crate::analysis::rewrite;
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// A report as kept: the JSON of a report skips why no rewrite is proposed, which the
/// front ends still need.
#[derive(Deserialize)]
struct Stored {
    report: Report,
    rewrite_refusal: Option<String>,
}

/// [`Stored`] as written, borrowing the report instead of copying it.
#[derive(Serialize)]
struct StoredRef<'a> {
    report: &'a Report,
    rewrite_refusal: &'a Option<String>,
}

impl Stored {
    fn into_report(self) -> Report {
        let mut report = self.report;
        report.rewrite_refusal = self.rewrite_refusal;
        report
    }
}

impl Opened {
    /// The key the report of this image, analysed with `rewrite`, is kept under; None when
    /// it must not be kept (no cache, `--no-verify`, a layer the cache cannot name).
    pub fn report_key(&self, rewrite: &rewrite::Options) -> Option<String> {
        if !self.verify {
            return None;
        }
        self.cache.as_ref()?;
        let source = &*self.source;
        let meta = source.meta();
        let mut text = format!(
            "microscope report\n{}\n{}\n{}\n{:?}\n{rewrite:?}\n",
            env!("CARGO_PKG_VERSION"),
            binary_identity()?,
            serde_json::to_string(meta).ok()?,
            meta.origin,
        );
        for i in 0..meta.layers.len() {
            text.push_str(&guarded_key(source, meta, i)?);
            text.push('\n');
        }
        Some(crate::source::config::sha256(text.as_bytes()))
    }

    /// The report kept under `key`, if any.
    pub fn cached_report(&self, key: &str) -> Option<Report> {
        let stored: Stored = self.cache.as_ref()?.get_report(key)?;
        Some(stored.into_report())
    }

    /// Keeps `report` under `key`, only if it reads back as the very same report (JSON
    /// that would bring anything back otherwise, say a float, is not kept). The JSON
    /// checked is the JSON stored: the report is serialised once.
    pub fn keep_report(&self, key: &str, report: &Report) {
        let Some(cache) = &self.cache else { return };
        let stored = StoredRef {
            report,
            rewrite_refusal: &report.rewrite_refusal,
        };
        let Ok(json) = serde_json::to_string(&stored) else {
            return;
        };
        let same = serde_json::from_str::<Stored>(&json).is_ok_and(|b| b.into_report() == *report);
        if let (true, Ok(raw)) = (same, serde_json::value::RawValue::from_string(json)) {
            cache.put_report(key, &raw);
        }
    }
}

/// The running executable's file identity: a report made by another build is a miss.
pub(super) fn binary_identity() -> Option<String> {
    crate::source::store::file_identity(&std::env::current_exe().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Cache, DEFAULT_LIMIT};
    use std::sync::Arc;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Why no rewrite is proposed is not in a report's JSON, and `--rewrite` needs it.
    #[test]
    fn a_kept_report_keeps_its_rewrite_refusal() -> TestResult {
        let dir = tempfile::tempdir()?;
        let mut opened = Opened::uncached(crate::demo::source("fat")?);
        opened.cache = Some(Arc::new(Cache::open(dir.path(), DEFAULT_LIMIT)));
        let image = opened.load(None, None)?;
        let mut report = Report::build(&image, &crate::analysis::analyze(&image));
        report.rewrite = None;
        report.rewrite_refusal = Some("no program to keep".into());
        let key = crate::source::config::sha256(b"a key");
        opened.keep_report(&key, &report);
        let back = opened.cached_report(&key).ok_or("kept")?;
        assert_eq!(back.rewrite_refusal.as_deref(), Some("no program to keep"));
        assert_eq!(back, report);
        Ok(())
    }

    /// A kept report must read back equal, floats included: serde_json's default parse of
    /// large-latest-plus-a-layer's efficiency was one unit in the last place off, so that
    /// report was never kept (the `float_roundtrip` feature parses exactly).
    #[test]
    fn floats_read_back_exactly() -> Result<(), serde_json::Error> {
        for x in [
            0.9221957285136135_f64,
            0.1 + 0.2,
            1.0 / 3.0,
            2e-308,
            0.8975118917416389,
        ] {
            let back: f64 = serde_json::from_str(&serde_json::to_string(&x)?)?;
            assert_eq!(back.to_bits(), x.to_bits(), "{x}");
        }
        Ok(())
    }
}
