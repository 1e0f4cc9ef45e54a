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
        for f in &r.findings {
            match findings.iter_mut().find(|(k, _)| *k == f.kind) {
                Some((_, b)) => *b = b.saturating_add(f.savable_bytes),
                None => findings.push((f.kind.clone(), f.savable_bytes)),
            }
        }
        Measured {
            size: r.size.layers_bytes,
            final_bytes: r.size.final_bytes,
            compressed: r.size.compressed_bytes,
            layers: r.layers.len(),
            findings,
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
        self.findings
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0, |(_, b)| *b)
    }
}
