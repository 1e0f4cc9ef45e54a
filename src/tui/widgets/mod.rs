//! Small reusable pieces: byte counts, bars, permission strings.

pub mod bar;

/// SI units, as dive and `docker images` print them: `1.2 MB`, `512 B`.
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

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = 0;
    while v >= 999.95 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if v >= 100.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
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
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_234), "1.2 kB");
        assert_eq!(bytes(164_038_815), "164 MB");
        assert_eq!(bytes(3_374_071_738), "3.4 GB");
        assert_eq!(
            permissions(crate::image::EntryKind::Dir, 0o755),
            "drwxr-xr-x"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
    }
}
