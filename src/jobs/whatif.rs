//! What-if: the image against its rewrite, compared by the same code as two real images.
//! The rewrite's files make an image in memory (nothing is read again); its analysis and
//! the comparison run here, off the UI thread.

use super::background::Analysed;
use super::compare::{Compared, Pair};
use crate::analysis::compare::{Side, compare};
use crate::analysis::{analyze, rewrite};

/// The comparison of `a` (left) with the image its rewrite builds (right), or why there is
/// none.
pub fn compare_with_rewrite(a: &Analysed) -> Result<Compared, String> {
    let r = a
        .analysis
        .rewrite
        .as_ref()
        .map_err(|why| format!("no rewrite proposed: {why}"))?;
    let right = rewrite::whatif::image(&a.image, &a.analysis.merged, r);
    let right_analysis = analyze(&right);
    let left = (*a.image).clone();
    let left_analysis = (*a.analysis).clone();
    let comparison = compare(
        Side::new(&left, &left_analysis),
        Side::new(&right, &right_analysis),
    );
    Ok(Compared {
        pair: Pair {
            left,
            right,
            scanned: 0,
            reused: 0,
        },
        left: left_analysis,
        right: right_analysis,
        comparison,
    })
}
