//! The one byte convention of every output (app, text, Markdown, CI, compare) and the one
//! parser of sizes people type (`--cache-size`, CI thresholds, `.dive-ci`).
//!
//! Printed sizes are IEC: powers of 1024 named KiB, MiB, GiB, with at most three significant
//! digits so columns stay narrow: `512 B`, `0.98 KiB`, `3.4 MiB`, `99.9 MiB`, `153 MiB`. A
//! number never reaches 1000 before its unit (`1018.5 KiB` reads `0.99 MiB`), including when
//! rounding would carry it there. humansize does the division and the unit names; this module
//! only picks the unit and the precision. JSON keeps exact byte counts.
//!
//! Typed sizes follow the units' own meaning, as dive (go-humanize) reads them, so a
//! `.dive-ci` and a `.microscope.toml` mean the same: `k`/`kB`/`M`/`MB`/`G`/`GB` are powers
//! of 1000, `Ki`/`KiB`/`Mi`/`MiB`/`Gi`/`GiB` powers of 1024, a bare number is bytes.

use humansize::{BINARY, FixedAt, FormatSizeOptions, SizeFormatter};

/// Bytes for people: `512 B`, `0.98 KiB`, `3.4 MiB`, `153 MiB`.
pub fn bytes(n: u64) -> String {
    if n < 1000 {
        return format!("{n} B");
    }
    const SCALES: [FixedAt; 6] = [
        FixedAt::Kilo,
        FixedAt::Mega,
        FixedAt::Giga,
        FixedAt::Tera,
        FixedAt::Peta,
        FixedAt::Exa,
    ];
    let mut v = n as f64 / 1024.0;
    let mut scale = 0;
    // 999.5 and up would print as 1000 at zero decimals: the next unit reads better.
    while v >= 999.5 && scale < SCALES.len() - 1 {
        v /= 1024.0;
        scale += 1;
    }
    let places = match v {
        v if v < 0.995 => 2,
        v if v < 99.95 => 1,
        _ => 0,
    };
    let opts = FormatSizeOptions::from(BINARY)
        .fixed_at(Some(SCALES[scale]))
        .decimal_places(places)
        .decimal_zeroes(places)
        .space_after_value(true);
    SizeFormatter::new(n, opts).to_string()
}

/// A change in bytes: `+1.5 MiB`, `−1.5 MiB` (a real minus sign), `±0 B`.
pub fn signed_bytes(delta: impl Into<i128>) -> String {
    let d: i128 = delta.into();
    let mag = u64::try_from(d.unsigned_abs()).unwrap_or(u64::MAX);
    match d.signum() {
        0 => "±0 B".into(),
        1 => format!("+{}", bytes(mag)),
        _ => format!("−{}", bytes(mag)),
    }
}

/// Bytes with the exact count beside them when rounding hides it: `25.3 MiB (26528972 B)`.
/// For thresholds, where a value and its limit must never look the same.
pub fn bytes_exact(n: u64) -> String {
    if n < 1000 {
        bytes(n)
    } else {
        format!("{} ({n} B)", bytes(n))
    }
}

/// [`signed_bytes`] with the exact count: `+1.2 MiB (+1234567 B)`.
pub fn signed_bytes_exact(delta: impl Into<i128>) -> String {
    let d: i128 = delta.into();
    if d.unsigned_abs() < 1000 {
        return signed_bytes(d);
    }
    let sign = if d < 0 { "−" } else { "+" };
    format!("{} ({sign}{} B)", signed_bytes(d), d.unsigned_abs())
}

/// `1 file`, `2 files`: a count with its noun, singular for exactly one.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The forms the parser accepts, for error messages and help texts.
pub const SIZE_FORMS: &str = "a size like 500MB (10^6), 1.5GiB (2^30) or 1048576 (bytes)";

/// Parses a size people type: a number with optional `,` separators, then an optional unit,
/// case-insensitive — `k`/`kB`/`M`/`MB`… are powers of 1000, `Ki`/`KiB`/`Mi`/`MiB`… powers
/// of 1024, `B` or nothing is bytes. Fractions round down.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: String = num.chars().filter(|&c| c != ',').collect();
    let expected = || format!("expected {SIZE_FORMS}");
    if num.is_empty() {
        return Err(expected());
    }
    let unit = unit.trim().to_ascii_lowercase();
    let mult = unit_multiplier(&unit).ok_or_else(|| {
        format!("unknown size unit {unit:?} (use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB)")
    })?;
    let too_large = || "size too large".to_string();
    if !num.contains('.') {
        // Whole numbers stay exact: no trip through f64.
        let n: u64 = num.parse().map_err(|_| too_large())?;
        return n.checked_mul(mult).ok_or_else(too_large);
    }
    let n: f64 = num.parse().map_err(|_| expected())?;
    let v = n * mult as f64;
    if v >= u64::MAX as f64 {
        return Err(too_large());
    }
    Ok(v as u64)
}

fn unit_multiplier(unit: &str) -> Option<u64> {
    const K: u64 = 1000;
    const KI: u64 = 1024;
    Some(match unit {
        "" | "b" => 1,
        "k" | "kb" => K,
        "ki" | "kib" => KI,
        "m" | "mb" => K.pow(2),
        "mi" | "mib" => KI.pow(2),
        "g" | "gb" => K.pow(3),
        "gi" | "gib" => KI.pow(3),
        "t" | "tb" => K.pow(4),
        "ti" | "tib" => KI.pow(4),
        "p" | "pb" => K.pow(5),
        "pi" | "pib" => KI.pow(5),
        "e" | "eb" => K.pow(6),
        "ei" | "eib" => KI.pow(6),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pick_the_unit_and_three_digits() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "0.98 KiB");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3_565_158), "3.4 MiB");
        assert_eq!(bytes(164_038_815), "156 MiB");
        assert_eq!(bytes(5 << 30), "5.0 GiB");
        assert_eq!(bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn no_number_reaches_1000_before_its_unit() {
        // 1018.5 KiB, and values that round up to 1000 or 1024 of a unit.
        assert_eq!(bytes(1_042_944), "0.99 MiB");
        assert_eq!(bytes(1_023_488), "0.98 MiB");
        assert_eq!(bytes((1 << 20) - 1), "1.0 MiB");
        assert_eq!(bytes((1 << 30) - 1), "1.0 GiB");
        assert_eq!(bytes(1_023_475), "999 KiB");
        for shift in [10u32, 20, 30, 40] {
            for n in [
                (1u64 << shift) - 1,
                1000 << (shift - 10),
                (1000 << (shift - 10)) - 1,
            ] {
                let s = bytes(n);
                let Some(number) = s.split(' ').next().and_then(|x| x.parse::<f64>().ok()) else {
                    panic!("{n} reads {s}: no number first");
                };
                assert!(number < 1000.0, "{n} reads {s}");
                assert!(s.len() <= 8, "{n} reads {s}: wider than a column");
            }
        }
    }

    #[test]
    fn signed_and_exact() {
        assert_eq!(signed_bytes(0i64), "±0 B");
        assert_eq!(signed_bytes(1536i64), "+1.5 KiB");
        assert_eq!(signed_bytes(-1536i64), "−1.5 KiB");
        assert_eq!(signed_bytes(i128::MIN), "−16.0 EiB");
        assert_eq!(bytes_exact(512), "512 B");
        assert_eq!(bytes_exact(26_528_972), "25.3 MiB (26528972 B)");
        assert_eq!(signed_bytes_exact(-1_234_567i64), "−1.2 MiB (−1234567 B)");
        assert_eq!(signed_bytes_exact(12i64), "+12 B");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1, "file", "files"), "1 file");
        assert_eq!(plural(0, "file", "files"), "0 files");
        assert_eq!(plural(2, "entry", "entries"), "2 entries");
    }

    #[test]
    fn sizes_parse_one_way() {
        assert_eq!(parse_size("500M"), Ok(500_000_000));
        assert_eq!(parse_size("500MiB"), Ok(500 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1.5 GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("1,000"), Ok(1000));
        let e = parse_size("20 parsecs").unwrap_err().to_string();
        assert!(e.contains("unknown size unit"), "{e}");
        let e = parse_size("-1MB").unwrap_err().to_string();
        assert!(e.contains("expected a size like"), "{e}");
        let e = parse_size("").unwrap_err().to_string();
        assert!(e.contains("expected a size like"), "{e}");
    }
}
