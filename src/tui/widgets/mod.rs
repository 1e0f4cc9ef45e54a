//! Small reusable pieces: byte counts, bars, permission strings.

pub mod bar;
pub mod help;

/// The one byte formatter of every output (crate::units): `1.2 MiB`, `512 B`.
pub use crate::units::bytes;

/// A pop-up over `area`: centred, at most `max_width` wide, a row clear above and below;
/// cleared so the view under it does not show through.
pub fn popup(
    area: ratatui::layout::Rect,
    max_width: u16,
    buf: &mut ratatui::buffer::Buffer,
) -> ratatui::layout::Rect {
    use ratatui::widgets::Widget;
    let w = area.width.saturating_sub(4).min(max_width);
    let h = area.height.saturating_sub(2);
    let r = ratatui::layout::Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    ratatui::widgets::Clear.render(r, buf);
    r
}

/// `drwxr-xr-x`, from a tar mode and the entry kind.
pub fn permissions(kind: crate::image::EntryKind, mode: u32) -> String {
    use crate::image::EntryKind as K;
    let t = match kind {
        K::Dir => 'd',
        K::Symlink => 'l',
        K::Hardlink => 'h',
        K::CharDevice => 'c',
        K::BlockDevice => 'b',
        K::Fifo => 'p',
        K::File => '-',
    };
    let mut s = String::with_capacity(10);
    s.push(t);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `sha256:0123456789ab` → `0123456789ab` (12 hex digits, as docker shows ids).
pub fn short_digest(d: &str) -> &str {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            permissions(crate::image::EntryKind::Dir, 0o755),
            "drwxr-xr-x"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
    }
}
