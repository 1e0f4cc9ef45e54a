//! Horizontal bars drawn with eighth blocks: layer shares and scan progress.

/// A bar `width` cells wide filled to `fraction` (clamped to 0..=1), padded with `░`.
pub fn bar(fraction: f64, width: usize) -> (String, String) {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (f * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let mut filled = "█".repeat(full);
    let mut used = full;
    if full < width && !eighths.is_multiple_of(8) {
        filled.push(EIGHTHS[eighths % 8]);
        used += 1;
    }
    (filled, "░".repeat(width.saturating_sub(used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_by_eighths() {
        assert_eq!(bar(0.5, 4), ("██".into(), "░░".into()));
        assert_eq!(bar(1.0 / 16.0, 2), ("▏".into(), "░".into()));
        assert_eq!(bar(2.0, 3).0, "███");
        assert_eq!(bar(f64::NAN, 2).1, "░░");
    }
}
