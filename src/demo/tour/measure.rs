//! What microscope measures on each step's image: the only source of the tour's numbers.

use crate::report::Report;

/// One step's figures, taken from its report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measured {
    /// Bytes of all layers (what `docker images` shows, deleted-later bytes included).
    pub size: u64,
    /// Bytes of the final filesystem.
    pub final_bytes: u64,
    /// Bytes a pull moves (compressed layers, estimated where stored plain).
    pub compressed: u64,
    pub layers: usize,
    /// Each finding kind with the bytes its fixes save (kinds in report order).
    pub findings: Vec<(String, u64)>,
    /// Each finding kind with its estimated change in pulled (compressed) bytes, where the
    /// analysis gives one.
    pub pulls: Vec<(String, u64)>,
    /// The rewrite's base and predicted bytes.
    pub rewrite: Option<(String, u64)>,
    /// Libraries the program needs that nothing in the image provides.
    pub missing: Vec<String>,
    /// The program as the rewrite reads it, in words ("static Go program (...)").
    pub program: Option<String>,
}

impl Measured {
    pub fn from_report(r: &Report) -> Measured {
        let mut findings: Vec<(String, u64)> = Vec::new();
        let mut pulls: Vec<(String, u64)> = Vec::new();
        for f in &r.findings {
            add(&mut findings, &f.kind, f.savable_bytes);
            if let Some(p) = f.pull_savable_bytes {
                add(&mut pulls, &f.kind, p);
            }
        }
        Measured {
            size: r.size.layers_bytes,
            final_bytes: r.size.final_bytes,
            compressed: r.size.compressed_bytes,
            layers: r.layers.len(),
            findings,
            pulls,
            rewrite: r
                .rewrite
                .as_ref()
                .map(|w| (w.base.clone(), w.predicted_bytes)),
            missing: r.rewrite.as_ref().map_or(Vec::new(), |w| w.missing.clone()),
            program: r.rewrite.as_ref().map(|w| w.program.kind.clone()),
        }
    }

    /// Bytes the findings of `kind` promise to save (0 when there is none).
    pub fn finding(&self, kind: &str) -> u64 {
        get(&self.findings, kind)
    }

    /// Pulled bytes the findings of `kind` promise to save (0 when none is estimated).
    pub fn pull(&self, kind: &str) -> u64 {
        get(&self.pulls, kind)
    }
}

fn add(totals: &mut Vec<(String, u64)>, kind: &str, bytes: u64) {
    match totals.iter_mut().find(|(k, _)| k == kind) {
        Some((_, b)) => *b = b.saturating_add(bytes),
        None => totals.push((kind.to_string(), bytes)),
    }
}

fn get(totals: &[(String, u64)], kind: &str) -> u64 {
    totals
        .iter()
        .find(|(k, _)| k == kind)
        .map_or(0, |(_, b)| *b)
}
