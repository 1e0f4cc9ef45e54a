//! Parsers for dpkg's database files. Each takes the bytes as found in the image, never
//! fails and never panics: what cannot be read is skipped. Linear in the input.

use std::borrow::Cow;

/// The fields of one `status` (or distroless `status.d/*`) stanza that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgStanza {
    pub package: String,
    pub version: String,
    pub architecture: String,
    pub multi_arch: String,
    /// `Status:` (absent in distroless `status.d` files).
    pub status: Option<String>,
    /// `Installed-Size:` in KiB, an estimate.
    pub installed_size: Option<u64>,
    pub source: Option<String>,
}

impl DpkgStanza {
    /// Installed means the third word of `Status:` is exactly `installed` (`install ok
    /// installed`, `hold ok installed`; not `half-installed` or `config-files`). A stanza
    /// without `Status:` (distroless) is installed.
    pub fn is_installed(&self) -> bool {
        match &self.status {
            None => true,
            Some(s) => s.split_ascii_whitespace().last() == Some("installed"),
        }
    }

    /// The `info/` file list's stem: `PKG:ARCH` for `Multi-Arch: same`, else `PKG`.
    pub fn list_stem(&self) -> String {
        if self.multi_arch.eq_ignore_ascii_case("same") && !self.architecture.is_empty() {
            format!("{}:{}", self.package, self.architecture)
        } else {
            self.package.clone()
        }
    }
}

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// Parses RFC 822 stanzas. Stanzas without `Package:` are dropped. Field names are
/// case-insensitive (Debian Policy §5.1); continuation lines are ignored.
pub fn parse_status(data: &[u8]) -> Vec<DpkgStanza> {
    let mut out = Vec::new();
    let mut cur = DpkgStanza::default();
    let mut any = false;
    let mut flush = |cur: &mut DpkgStanza, any: &mut bool| {
        if *any && !cur.package.is_empty() {
            out.push(std::mem::take(cur));
        }
        *cur = DpkgStanza::default();
        *any = false;
    };
    for line in lines(data) {
        if line.iter().all(u8::is_ascii_whitespace) {
            flush(&mut cur, &mut any);
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        any = true;
        let name = &line[..colon];
        let value = String::from_utf8_lossy(&line[colon + 1..])
            .trim()
            .to_string();
        let is = |f: &str| name.eq_ignore_ascii_case(f.as_bytes());
        if is("Package") {
            cur.package = value;
        } else if is("Version") {
            cur.version = value;
        } else if is("Architecture") {
            cur.architecture = value;
        } else if is("Multi-Arch") {
            cur.multi_arch = value;
        } else if is("Status") {
            cur.status = Some(value);
        } else if is("Installed-Size") {
            cur.installed_size = value.parse().ok();
        } else if is("Source") {
            cur.source = Some(value);
        }
    }
    flush(&mut cur, &mut any);
    out
}

/// Parses `info/PKG.list`: one absolute path per line, directories included. The root
/// (`/.`) and empty lines are skipped. Lines that are not UTF-8 are converted the way tar
/// names are, so they still match the scan's paths.
pub fn parse_list(data: &[u8]) -> Vec<Cow<'_, str>> {
    lines(data)
        .filter(|l| !l.is_empty() && *l != b"/." && *l != b"/")
        .map(String::from_utf8_lossy)
        .collect()
}

/// Parses `PKG.md5sums` (`<md5>  <path>`, paths relative to the root): the paths.
pub fn parse_md5sums(data: &[u8]) -> Vec<Cow<'_, str>> {
    lines(data)
        .filter_map(|l| {
            let sp = l.iter().position(|&b| b == b' ')?;
            let rest = &l[sp..];
            let start = rest.iter().position(|&b| b != b' ' && b != b'*')?;
            Some(String::from_utf8_lossy(&rest[start..]))
        })
        .collect()
}

/// One `dpkg-divert` record: files other packages ship as `from` are installed as `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diversion {
    pub from: String,
    pub to: String,
    /// The diverting package, whose own `from` stays put; `:` for a local diversion, which
    /// diverts every package's file.
    pub package: String,
}

/// Parses `diversions`: triplets of lines (from, to, package). A trailing partial triplet
/// and triplets with an empty line are dropped.
pub fn parse_diversions(data: &[u8]) -> Vec<Diversion> {
    let mut out = Vec::new();
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    let mut it = data
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned());
    while let (Some(from), Some(to), Some(package)) = (it.next(), it.next(), it.next()) {
        if from.is_empty() || to.is_empty() || package.is_empty() {
            continue;
        }
        out.push(Diversion { from, to, package });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &[u8] = b"Package: libzstd1\nStatus: install ok installed\nInstalled-Size: 785\n\
Architecture: amd64\nMulti-Arch: same\nSource: libzstd\nVersion: 1.5.4+dfsg2-5\n\
Description: fast lossless compression algorithm\n Zstd, short for Zstandard\n .\n\n\
Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: all\n\n\
package: half\nstatus: install reinstreq half-installed\nVersion: 2\n\r\n\
Package: held\nStatus: hold ok installed\nVersion: 3\nArchitecture: all\nInstalled-Size: x";

    #[test]
    fn parses_status_stanzas_and_states() {
        let s = parse_status(STATUS);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].package, "libzstd1");
        assert_eq!(s[0].version, "1.5.4+dfsg2-5");
        assert_eq!(s[0].installed_size, Some(785));
        assert_eq!(s[0].list_stem(), "libzstd1:amd64");
        assert_eq!(s[0].source.as_deref(), Some("libzstd"));
        let installed: Vec<_> = s
            .iter()
            .filter(|s| s.is_installed())
            .map(|s| &*s.package)
            .collect();
        assert_eq!(installed, ["libzstd1", "held"]);
        assert_eq!(s[3].installed_size, None);
        assert_eq!(s[3].list_stem(), "held");
    }

    #[test]
    fn distroless_stanza_without_status_is_installed() {
        let s = parse_status(b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n");
        assert!(s[0].is_installed());
    }

    #[test]
    fn parses_lists_md5sums_and_diversions() {
        let l = parse_list(b"/.\n/bin\n/bin/ls\n\n/usr/share/doc/a b\n");
        assert_eq!(l, ["/bin", "/bin/ls", "/usr/share/doc/a b"]);
        let m = parse_md5sums(b"d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\nbad\nabc *etc/y\n");
        assert_eq!(m, ["usr/bin/x", "etc/y"]);
        let d = parse_diversions(b"/bin/sh\n/bin/sh.distrib\ndash\n/x\n/y\n");
        assert_eq!(
            d,
            [Diversion {
                from: "/bin/sh".into(),
                to: "/bin/sh.distrib".into(),
                package: "dash".into()
            }]
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut junk = Vec::new();
        for i in 0..4096u32 {
            junk.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
        }
        for cut in [0, 1, 7, 100, 4096] {
            let d = &junk[..cut];
            parse_status(d);
            parse_list(d);
            parse_md5sums(d);
            parse_diversions(d);
            parse_status(&STATUS[..cut.min(STATUS.len())]);
        }
        parse_status(b":\n:\n\n \n\t:");
    }
}
