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

/// Cuts `s` to `width` characters in the middle, so both ends stay: an image name keeps its
/// start and its last path part (the file name, the tag) — `/work/…/alpine-3.20.tar`.
pub fn middle_ellipsis(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width < 2 {
        return truncate(s, width);
    }
    let chars: Vec<char> = s.chars().collect();
    // The last path part whole when it leaves a few characters of the start.
    let last = s.rsplit('/').next().map_or(0, |t| t.chars().count());
    let tail = if last > 0 && last + 1 + 4 <= width {
        last
    } else {
        // Else two thirds of the room for the end, where the tag is.
        (width - 1) * 2 / 3
    };
    let head = width - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail..]);
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
        let long = "/work/shared/corpus/variants/alpine-3.20.skopeo-docker.tar";
        assert_eq!(
            middle_ellipsis(long, 40),
            "/work/shar…alpine-3.20.skopeo-docker.tar"
        );
        assert_eq!(
            middle_ellipsis("registry.example/app:1.2", 40),
            "registry.example/app:1.2"
        );
        let name = format!("registry.example/{}:v1.2.3", "x".repeat(120));
        let cut = middle_ellipsis(&name, 30);
        assert_eq!(cut.chars().count(), 30);
        assert!(
            cut.starts_with("regist") && cut.ends_with("xx:v1.2.3"),
            "{cut}"
        );
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
    }
}
