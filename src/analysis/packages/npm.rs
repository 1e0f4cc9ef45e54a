//! npm packages: each `node_modules/[@scope/]NAME/package.json` makes its directory a
//! package, which owns every file below it that no nearer package directory owns.

use super::Manager;
use super::canon::split;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::{DbKind, History, Warnings};
use serde::Deserialize;

/// `name` and `version` of a `package.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NpmManifest {
    pub name: Option<String>,
    pub version: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    name: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
}

/// Parses a `package.json`; `None` when it is not a JSON object. Non-string `name` or
/// `version` values are ignored.
pub fn parse_package_json(data: &[u8]) -> Option<NpmManifest> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    // serde would also accept a JSON array as the struct's fields in order.
    if data.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let raw: Raw = serde_json::from_slice(data).ok()?;
    let text = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    Some(NpmManifest {
        name: text(raw.name),
        version: text(raw.version),
    })
}

/// The package directories a path could belong to, nearest first: for
/// `a/node_modules/x/node_modules/@s/y/lib/z.js`, `…/@s/y` then `a/node_modules/x`.
pub(crate) fn package_dirs(path: &str) -> impl Iterator<Item = &str> {
    path.rmatch_indices("node_modules/")
        .filter_map(move |(i, m)| {
            if i > 0 && path.as_bytes()[i - 1] != b'/' {
                return None;
            }
            let start = i + m.len();
            let rest = &path[start..];
            let mut comps = rest.splitn(3, '/');
            let first = comps.next()?;
            let len = if first.starts_with('@') {
                first.len() + 1 + comps.next()?.len()
            } else {
                first.len()
            };
            // The package directory must be a proper parent of the path.
            (!first.is_empty() && rest.len() > len && rest.as_bytes()[len] == b'/')
                .then(|| &path[..start + len])
        })
}

pub(crate) struct NpmCollector {
    dirs: Vec<(String, u32, u32)>,
}

impl NpmCollector {
    pub fn observe(history: &History<'_>, catalog: &mut Catalog, warnings: &mut Warnings) -> Self {
        let mut dirs = Vec::new();
        let mut unreadable = 0usize;
        for v in history.of_kind(DbKind::NpmManifest) {
            let (dir, _) = split(v.path);
            let Some(m) = parse_package_json(v.bytes) else {
                unreadable += 1;
                continue;
            };
            let name = m
                .name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| dir_name(dir).to_string());
            let key = Key {
                manager: Manager::Npm,
                name,
                version: m.version.unwrap_or_default(),
                arch: String::new(),
                location: dir.to_string(),
            };
            catalog.observe(key, Meta::default(), v.from, v.to);
            dirs.push((dir.to_string(), v.from, v.to));
        }
        if unreadable > 0 {
            warnings.push(format!(
                "npm: {unreadable} package.json files are not valid JSON"
            ));
        }
        NpmCollector { dirs }
    }

    pub fn claim(&self, catalog: &Catalog, claims: &mut Claims) {
        for (dir, from, to) in &self.dirs {
            for (id, f, t) in catalog.location_overlapping(Manager::Npm, dir, *from, *to) {
                claims.add_dir(dir.clone(), id, f, t);
            }
        }
    }
}

/// `x/node_modules/@s/y` → `@s/y`.
fn dir_name(dir: &str) -> &str {
    dir.rfind("node_modules/")
        .map(|i| &dir[i + "node_modules/".len()..])
        .unwrap_or(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn finds_package_dirs_nearest_first() {
        let p = "app/node_modules/x/node_modules/@s/y/lib/z.js";
        let dirs: Vec<_> = package_dirs(p).collect();
        assert_eq!(
            dirs,
            ["app/node_modules/x/node_modules/@s/y", "app/node_modules/x"]
        );
        assert_eq!(
            package_dirs("node_modules/a/b").collect::<Vec<_>>(),
            ["node_modules/a"]
        );
        assert_eq!(package_dirs("node_modules/a").count(), 0);
        assert_eq!(package_dirs("node_modules/@s/b").count(), 0);
        assert_eq!(package_dirs("xnode_modules/a/b").count(), 0);
        assert_eq!(package_dirs("node_modules//b").count(), 0);
    }

    #[test]
    fn parses_manifests() -> TestResult {
        let m = parse_package_json(b"\xef\xbb\xbf{\"name\":\"left-pad\",\"version\":\"1.3.0\"}");
        assert_eq!(m.ok_or("missing")?.version.as_deref(), Some("1.3.0"));
        let m = parse_package_json(b"{\"name\":5}").ok_or("missing")?;
        assert_eq!(m.name, None);
        assert!(parse_package_json(b"[1,2]").is_none());
        assert!(parse_package_json(b"{\"name\":\"x\"").is_none());
        assert!(parse_package_json(&[b'['; 100_000]).is_none());
        Ok(())
    }
}
