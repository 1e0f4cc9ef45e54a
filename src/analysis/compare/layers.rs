//! Lines up the two layer stacks. Layers with the same diff_id hold the same tar, byte for
//! byte, whatever their compression or blob digest: those are shared. The common prefix is
//! the shared base (`FROM` the same image); past it, a longest-common-subsequence match
//! still pairs the shared layers a rebuild kept (a `COPY` of the same files), and the
//! layers between two matches are set side by side so the table reads as before/after.

use super::Side;
use serde::{Deserialize, Serialize};

/// One row of the aligned table: a layer of each side, or of one side only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRow {
    /// Layer index on the left, when the row has one.
    pub left: Option<usize>,
    pub right: Option<usize>,
    /// Both layers have the same diff_id.
    pub shared: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerAlignment {
    /// Layers of the common base: the leading run of shared rows.
    pub shared_base: usize,
    /// All shared layers, base included.
    pub shared: usize,
    /// Regular-file bytes of the shared layers (the same on both sides).
    pub shared_bytes: u64,
    pub rows: Vec<LayerRow>,
}

/// Aligns the layers of two images by diff_id.
pub fn align_images(left: Side<'_>, right: Side<'_>) -> LayerAlignment {
    let ids = |s: Side<'_>| -> Vec<String> {
        s.image
            .layers
            .iter()
            .map(|l| l.scan.diff_id.clone())
            .collect()
    };
    let rows = align(&ids(left), &ids(right));
    let shared_base = rows.iter().take_while(|r| r.shared).count();
    let shared_rows = rows.iter().filter(|r| r.shared);
    let shared_bytes = shared_rows
        .clone()
        .filter_map(|r| left.analysis.layers.get(r.left?))
        .map(|l| l.bytes)
        .fold(0, u64::saturating_add);
    LayerAlignment {
        shared_base,
        shared: shared_rows.count(),
        shared_bytes,
        rows,
    }
}

/// Above this many cells the LCS table is not worth its memory: fall back to the prefix.
const MAX_CELLS: usize = 1 << 22;

/// Aligns two sequences of layer ids: matched pairs from a longest common subsequence, the
/// unmatched layers between two matches zipped into rows.
pub fn align<T: PartialEq>(left: &[T], right: &[T]) -> Vec<LayerRow> {
    let matches = if (left.len() + 1).saturating_mul(right.len() + 1) > MAX_CELLS {
        prefix_matches(left, right)
    } else {
        lcs_matches(left, right)
    };
    let mut rows = Vec::with_capacity(left.len().max(right.len()));
    let (mut i, mut j) = (0, 0);
    let ends = [(left.len(), right.len())];
    for &(mi, mj) in matches.iter().chain(&ends) {
        // The unmatched runs left[i..mi] and right[j..mj] face each other.
        for k in 0..(mi - i).max(mj - j) {
            rows.push(LayerRow {
                left: (i + k < mi).then_some(i + k),
                right: (j + k < mj).then_some(j + k),
                shared: false,
            });
        }
        if mi < left.len() && mj < right.len() {
            rows.push(LayerRow {
                left: Some(mi),
                right: Some(mj),
                shared: true,
            });
        }
        (i, j) = (mi + 1, mj + 1);
    }
    rows
}

fn prefix_matches<T: PartialEq>(left: &[T], right: &[T]) -> Vec<(usize, usize)> {
    left.iter()
        .zip(right)
        .take_while(|(a, b)| a == b)
        .enumerate()
        .map(|(i, _)| (i, i))
        .collect()
}

/// Index pairs of a longest common subsequence. Walking forward and taking a match as soon
/// as the elements agree is optimal for LCS, and it keeps the shared base as the prefix.
fn lcs_matches<T: PartialEq>(left: &[T], right: &[T]) -> Vec<(usize, usize)> {
    let (n, m) = (left.len(), right.len());
    let w = m + 1;
    // suffix[i * w + j] = LCS length of left[i..] and right[j..].
    let mut suffix = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            suffix[i * w + j] = if left[i] == right[j] {
                suffix[(i + 1) * w + j + 1] + 1
            } else {
                suffix[(i + 1) * w + j].max(suffix[i * w + j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if left[i] == right[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if suffix[(i + 1) * w + j] >= suffix[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(l: &str, r: &str) -> Vec<(Option<usize>, Option<usize>, bool)> {
        let (l, r): (Vec<char>, Vec<char>) = (l.chars().collect(), r.chars().collect());
        align(&l, &r)
            .into_iter()
            .map(|r| (r.left, r.right, r.shared))
            .collect()
    }

    #[test]
    fn shared_base_then_side_by_side() {
        assert_eq!(
            rows("ABCD", "ABX"),
            vec![
                (Some(0), Some(0), true),
                (Some(1), Some(1), true),
                (Some(2), Some(2), false),
                (Some(3), None, false),
            ]
        );
    }

    #[test]
    fn a_shared_layer_after_the_base_is_still_matched() {
        // Same base A, different build step (B vs X Y), the same final COPY (C).
        assert_eq!(
            rows("ABC", "AXYC"),
            vec![
                (Some(0), Some(0), true),
                (Some(1), Some(1), false),
                (None, Some(2), false),
                (Some(2), Some(3), true),
            ]
        );
    }

    #[test]
    fn nothing_shared_and_empty_sides() {
        assert_eq!(
            rows("AB", "C"),
            vec![(Some(0), Some(0), false), (Some(1), None, false)]
        );
        assert_eq!(
            rows("", "AB"),
            vec![(None, Some(0), false), (None, Some(1), false)]
        );
        assert!(rows("", "").is_empty());
    }

    #[test]
    fn repeated_ids_match_in_order() {
        // Empty layers share one diff_id; each matches at most once.
        assert_eq!(
            rows("AEE", "AE"),
            vec![
                (Some(0), Some(0), true),
                (Some(1), Some(1), true),
                (Some(2), None, false)
            ]
        );
    }
}
