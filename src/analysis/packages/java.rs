//! Java archives: each `.jar`/`.war`/`.ear` is a package (manager `java`) named by its
//! `META-INF/maven/G/A/pom.properties` (the one whose artifactId the file name starts with,
//! or the only one), else its `MANIFEST.MF` (`Implementation-Title`/`Bundle-SymbolicName`
//! and their versions), else its file name; it owns its own bytes. The archives nested in
//! it (a Spring Boot fat jar's `BOOT-INF/lib/`, a war's `WEB-INF/lib/`) and the Maven
//! artifacts a shaded jar swallowed are listed under it (`location` `outer.jar!/inner`),
//! owning no bytes of their own: the outer archive's bytes are one file.

use super::Manager;
use super::canon::split;
use super::catalog::{Catalog, Claims, Key, Meta};
use super::history::visible_until;
use crate::image::jar::{JarInfo, JarMeta};
use crate::image::{LayerScan, Merged, NodeRef};
use std::sync::Arc;

/// Name and version of one archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JarId {
    pub name: String,
    pub version: String,
}

/// `key=value` lines of pom.properties.
fn properties(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// `Key: value` of a manifest's main section (continuation lines are not needed for
/// names and versions).
fn manifest(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
        .filter(|v| !v.is_empty())
}

fn from_pom(m: &JarMeta) -> Option<JarId> {
    let name = properties(&m.content, "artifactId").filter(|n| !n.is_empty())?;
    Some(JarId {
        name,
        version: properties(&m.content, "version").unwrap_or_default(),
    })
}

/// `slf4j-api-2.0.9.jar` → (`slf4j-api`, `2.0.9`): the version starts at the first `-digit`.
pub fn from_file_name(file: &str) -> JarId {
    let stem = file
        .rsplit_once('.')
        .map_or(file, |(s, _)| s)
        .rsplit('/')
        .next()
        .unwrap_or(file);
    let cut = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
    match cut {
        Some((i, _)) => JarId {
            name: stem[..i].to_string(),
            version: stem[i + 1..].to_string(),
        },
        None => JarId {
            name: stem.to_string(),
            version: String::new(),
        },
    }
}

/// The identity of the archive `file` whose metadata (for that archive) is `metas`.
pub fn identify(file: &str, metas: &[&JarMeta]) -> JarId {
    let by_file = from_file_name(file);
    let poms: Vec<JarId> = metas
        .iter()
        .filter(|m| m.name.ends_with("pom.properties"))
        .filter_map(|m| from_pom(m))
        .collect();
    if let Some(p) = poms
        .iter()
        .find(|p| p.name == by_file.name)
        .or_else(|| (poms.len() == 1).then(|| &poms[0]))
    {
        return p.clone();
    }
    let mf = metas.iter().find(|m| m.name == "META-INF/MANIFEST.MF");
    let get = |k: &str| mf.and_then(|m| manifest(&m.content, k));
    let name = get("Implementation-Title")
        .or_else(|| {
            get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or("").trim().to_string())
        })
        .filter(|n| !n.is_empty());
    let version = get("Implementation-Version").or_else(|| get("Bundle-Version"));
    match (name, version) {
        (Some(name), version) => JarId {
            name,
            version: version.unwrap_or(by_file.version),
        },
        (None, Some(version)) if by_file.version.is_empty() => JarId { version, ..by_file },
        _ => by_file,
    }
}

/// Every package one archive makes: itself first, then what is listed under it.
pub fn packages(path: &str, info: &JarInfo) -> Vec<(JarId, String)> {
    let own: Vec<&JarMeta> = info.meta.iter().filter(|m| m.archive.is_empty()).collect();
    let me = identify(split(path).1, &own);
    let mut out = vec![(me.clone(), path.to_string())];
    for m in own.iter().filter(|m| m.name.ends_with("pom.properties")) {
        if let Some(id) = from_pom(m).filter(|id| *id != me) {
            let dir = m.name.trim_end_matches("/pom.properties");
            out.push((id, format!("{path}!/{dir}")));
        }
    }
    for nested in &info.nested {
        let metas: Vec<&JarMeta> = info.meta.iter().filter(|m| &m.archive == nested).collect();
        out.push((identify(nested, &metas), format!("{path}!/{nested}")));
    }
    out
}

pub(crate) struct JavaCollector {
    jars: Vec<(Arc<str>, u32, u32)>,
}

impl JavaCollector {
    /// Runs after the other managers' claims exist: an archive an OS package ships stays
    /// that package's bytes, and is still listed.
    pub fn observe(scans: &[Arc<LayerScan>], merged: &Merged, catalog: &mut Catalog) -> Self {
        let mut found = Vec::new();
        for (li, scan) in scans.iter().enumerate() {
            for (ei, info) in &scan.captured.jars {
                let at = NodeRef {
                    layer: li as u32,
                    entry: *ei,
                };
                found.push((at, info));
            }
        }
        let refs: Vec<NodeRef> = found.iter().map(|(at, _)| *at).collect();
        let ends = visible_until(merged, scans.len() as u32, &refs);
        let mut jars = Vec::new();
        for ((at, info), to) in found.into_iter().zip(ends) {
            let Some(entry) = scans[at.layer as usize].entries.get(at.entry as usize) else {
                continue;
            };
            if to <= at.layer {
                continue;
            }
            for (id, location) in packages(&entry.path, info) {
                let key = Key {
                    manager: Manager::Java,
                    name: id.name,
                    version: id.version,
                    arch: String::new(),
                    location,
                };
                catalog.observe(key, Meta::default(), at.layer, to);
            }
            jars.push((entry.path.clone(), at.layer, to));
        }
        JavaCollector { jars }
    }

    pub fn claim(&self, catalog: &Catalog, claims: &mut Claims) {
        for (path, from, to) in &self.jars {
            for (id, f, t) in catalog.location_overlapping(Manager::Java, path, *from, *to) {
                claims.add(path.to_string(), id, f, t, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(archive: &str, name: &str, content: &str) -> JarMeta {
        JarMeta {
            archive: archive.into(),
            name: name.into(),
            content: content.into(),
        }
    }

    #[test]
    fn names_an_archive_and_what_it_carries() {
        let info = JarInfo {
            meta: vec![
                meta(
                    "",
                    "META-INF/MANIFEST.MF",
                    "Manifest-Version: 1.0\nImplementation-Title: ignored\n",
                ),
                meta(
                    "",
                    "META-INF/maven/com.example/app/pom.properties",
                    "artifactId=app\nversion=1.0.0\n",
                ),
                meta(
                    "",
                    "META-INF/maven/com.google.guava/guava/pom.properties",
                    "artifactId=guava\nversion=32.1.2-jre\n",
                ),
                meta(
                    "BOOT-INF/lib/slf4j-api-2.0.9.jar",
                    "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
                    "artifactId=slf4j-api\nversion=2.0.9\n",
                ),
            ],
            nested: vec![
                "BOOT-INF/lib/slf4j-api-2.0.9.jar".into(),
                "BOOT-INF/lib/plain-3.1.jar".into(),
            ],
        };
        let p = packages("srv/app-1.0.0.jar", &info);
        let got: Vec<(&str, &str, &str)> = p
            .iter()
            .map(|(id, loc)| (id.name.as_str(), id.version.as_str(), loc.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("app", "1.0.0", "srv/app-1.0.0.jar"),
                (
                    "guava",
                    "32.1.2-jre",
                    "srv/app-1.0.0.jar!/META-INF/maven/com.google.guava/guava"
                ),
                (
                    "slf4j-api",
                    "2.0.9",
                    "srv/app-1.0.0.jar!/BOOT-INF/lib/slf4j-api-2.0.9.jar"
                ),
                (
                    "plain",
                    "3.1",
                    "srv/app-1.0.0.jar!/BOOT-INF/lib/plain-3.1.jar"
                ),
            ]
        );
        let mf = [meta(
            "",
            "META-INF/MANIFEST.MF",
            "Bundle-SymbolicName: org.x.core;singleton:=true\nBundle-Version: 4.2\n\nName: a\nImplementation-Title: no\n",
        )];
        let id = identify("core.jar", &mf.iter().collect::<Vec<_>>());
        assert_eq!((&*id.name, &*id.version), ("org.x.core", "4.2"));
        assert_eq!(
            from_file_name("lib/tomcat-embed-core-10.1.15.jar").name,
            "tomcat-embed-core"
        );
        assert_eq!(from_file_name("app.war").version, "");
    }
}
