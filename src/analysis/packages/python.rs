//! Python distributions: `NAME-VER.dist-info/` (`METADATA`, and `RECORD` listing files
//! relative to the site-packages directory, sometimes `../../../bin/x`) and the older
//! `NAME-VER.egg-info/` (`PKG-INFO`, `installed-files.txt` relative to the egg-info dir).

use super::Manager;
use super::canon::{Canon, split};
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::{DbKind, History};
use std::collections::HashSet;

/// `Name:` and `Version:` of `METADATA` or `PKG-INFO`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PyMetadata {
    pub name: Option<String>,
    pub version: Option<String>,
}

/// Reads the header block (up to the first blank line) of `METADATA`/`PKG-INFO`.
pub fn parse_metadata(data: &[u8]) -> PyMetadata {
    let mut m = PyMetadata::default();
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = || {
            Some(
                String::from_utf8_lossy(&line[colon + 1..])
                    .trim()
                    .to_string(),
            )
        };
        let field = &line[..colon];
        if field.eq_ignore_ascii_case(b"Name") && m.name.is_none() {
            m.name = value();
        } else if field.eq_ignore_ascii_case(b"Version") && m.version.is_none() {
            m.version = value();
        }
    }
    m
}

/// One `RECORD` row: `path,hash,size` (hash and size are empty for `.pyc` and RECORD
/// itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub path: String,
    pub size: Option<u64>,
}

/// Parses `RECORD` (CSV, with `"` quoting for paths holding commas).
pub fn parse_record(data: &[u8]) -> Vec<RecordEntry> {
    data.split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
            let mut fields = csv_fields(&line).into_iter();
            let path = fields.next().filter(|p| !p.is_empty())?;
            let size = fields.nth(1).and_then(|s| s.trim().parse().ok());
            Some(RecordEntry { path, size })
        })
        .collect()
}

fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut cur)),
            (_, c) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Parses `installed-files.txt`: one path per line, relative to the egg-info directory.
pub fn parse_installed_files(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// `PyYAML-6.0.dist-info` → (`PyYAML`, `6.0`); `x-1.0-py3.11.egg-info` → (`x`, `1.0`).
fn name_from_dir(dir: &str) -> (String, String) {
    let (_, base) = split(dir);
    let stem = base
        .strip_suffix(".dist-info")
        .or_else(|| base.strip_suffix(".egg-info"))
        .unwrap_or(base);
    let mut parts = stem.split('-');
    let name = parts.next().unwrap_or_default().to_string();
    let version = parts.next().unwrap_or_default().to_string();
    (name, version)
}

/// The metadata directory of a captured file.
fn meta_dir(path: &str) -> &str {
    split(path).0
}

pub(crate) struct PythonCollector;

impl PythonCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog) -> Self {
        let mut with_metadata = HashSet::new();
        for kind in [DbKind::PyMetadata, DbKind::EggPkgInfo] {
            for v in history.of_kind(kind) {
                let dir = meta_dir(v.path);
                with_metadata.insert(dir);
                let m = parse_metadata(v.bytes);
                let (dname, dversion) = name_from_dir(dir);
                let name = m.name.filter(|n| !n.is_empty()).unwrap_or(dname);
                observe(
                    catalog,
                    name,
                    m.version.unwrap_or(dversion),
                    dir,
                    v.from,
                    v.to,
                );
            }
        }
        // A single-file egg-info is its own PKG-INFO, and the package's location.
        for v in history.of_kind(DbKind::EggInfoFile) {
            let m = parse_metadata(v.bytes);
            let (fname, fversion) = name_from_dir(v.path);
            let name = m.name.filter(|n| !n.is_empty()).unwrap_or(fname);
            let version = m.version.unwrap_or(fversion);
            observe(catalog, name, version, v.path, v.from, v.to);
        }
        // A file list without metadata still names a distribution: its directory does.
        for kind in [DbKind::PyRecord, DbKind::EggFiles] {
            for v in history.of_kind(kind) {
                let dir = meta_dir(v.path);
                if !with_metadata.contains(dir) {
                    let (name, version) = name_from_dir(dir);
                    observe(catalog, name, version, dir, v.from, v.to);
                }
            }
        }
        PythonCollector
    }

    pub fn claim(
        &self,
        history: &History<'_>,
        catalog: &mut Catalog,
        claims: &mut Claims,
        canon: &mut Canon<'_>,
    ) {
        for v in history.of_kind(DbKind::PyRecord) {
            let dir = meta_dir(v.path);
            let site = meta_dir(dir);
            let rows = parse_record(v.bytes);
            let sizes: Vec<u64> = rows.iter().filter_map(|r| r.size).collect();
            // RECORD sizes are text in the image: two huge rows must not overflow.
            let declared =
                (!sizes.is_empty()).then(|| sizes.iter().fold(0u64, |a, &b| a.saturating_add(b)));
            let paths: Vec<String> = rows
                .iter()
                .filter_map(|r| canon.resolve(site, &r.path))
                .collect();
            for (id, f, t) in catalog.location_overlapping(Manager::Python, dir, v.from, v.to) {
                for p in &paths {
                    claims.add(p.clone(), id, f, t, None);
                }
                catalog.instances[id as usize].meta.declared_bytes = declared;
            }
        }
        // It lists no files: it owns itself.
        for v in history.of_kind(DbKind::EggInfoFile) {
            for (id, f, t) in catalog.location_overlapping(Manager::Python, v.path, v.from, v.to) {
                claims.add(v.path.to_string(), id, f, t, None);
            }
        }
        for v in history.of_kind(DbKind::EggFiles) {
            let dir = meta_dir(v.path);
            let paths: Vec<String> = parse_installed_files(v.bytes)
                .iter()
                .filter_map(|p| canon.resolve(dir, p))
                .collect();
            for (id, f, t) in catalog.location_overlapping(Manager::Python, dir, v.from, v.to) {
                for p in &paths {
                    claims.add(p.clone(), id, f, t, None);
                }
            }
        }
    }
}

fn observe(catalog: &mut Catalog, name: String, version: String, dir: &str, from: u32, to: u32) {
    let key = Key {
        manager: Manager::Python,
        name,
        version,
        arch: String::new(),
        location: dir.to_string(),
    };
    catalog.observe(key, Meta::default(), from, to);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_record_rows() {
        let rows = parse_record(
            b"yaml/__init__.py,sha256=abc,12\r\n\"odd,name.py\",sha256=x,3\n\
yaml/__pycache__/x.pyc,,\n../../../bin/tool,sha256=y,7\nPyYAML-6.0.dist-info/RECORD,,\n\n",
        );
        let paths: Vec<_> = rows.iter().map(|r| (r.path.as_str(), r.size)).collect();
        assert_eq!(
            paths,
            [
                ("yaml/__init__.py", Some(12)),
                ("odd,name.py", Some(3)),
                ("yaml/__pycache__/x.pyc", None),
                ("../../../bin/tool", Some(7)),
                ("PyYAML-6.0.dist-info/RECORD", None),
            ]
        );
    }

    #[test]
    fn parses_metadata_headers_only() {
        let m =
            parse_metadata(b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\n\nName: body\n");
        assert_eq!(m.name.as_deref(), Some("PyYAML"));
        assert_eq!(m.version.as_deref(), Some("6.0"));
        assert_eq!(
            name_from_dir("usr/lib/x/six-1.16.0-py3.11.egg-info"),
            ("six".into(), "1.16.0".into())
        );
    }

    #[test]
    fn garbage_never_panics() {
        for d in [
            &b"\"\n\"\"\",\n,,,,\n\xff\xfe,\x00"[..],
            b"",
            b"\"unterminated,1,2",
        ] {
            parse_record(d);
            parse_metadata(d);
            parse_installed_files(d);
        }
    }
}
