//! Java archives: each `.jar`/`.war`/`.ear` is a package (manager `java`) named by its
//! `META-INF/maven/G/A/pom.properties` (the one whose artifactId matches the file name),
//! else its file name, else its `MANIFEST.MF`, in syft's order (see [`identify`]); it owns
//! its own bytes. The archives nested in
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

/// The identity of the archive `file` whose metadata (for that archive) is `metas`, chosen
/// in the order syft's Java cataloger chooses, so the two name the same archive the same:
/// the pom.properties whose artifactId matches the file name (exactly, else by prefix or
/// suffix), else the name a Maven bundle plugin wrote, else the file name, else the
/// manifest's title fields; the version from that pom, else the file name, else the
/// manifest. An archive that names nothing has version "" (syft writes `UNKNOWN`).
pub fn identify(file: &str, metas: &[&JarMeta]) -> JarId {
    let by_file = from_file_name(file);
    if let Some(pom) = main_pom(&by_file.name, metas) {
        return pom;
    }
    let mf = metas.iter().find(|m| m.name == "META-INF/MANIFEST.MF");
    let get = |k: &str| mf.and_then(|m| manifest(&m.content, k));
    let name = bundle_plugin_name(&get)
        .or_else(|| Some(artifact_from_file_name(&by_file.name)).filter(|n| !n.is_empty()))
        .or_else(|| {
            [
                "Name",
                "Bundle-Name",
                "Short-Name",
                "Extension-Name",
                "Implementation-Title",
            ]
            .iter()
            .find_map(|k| get(k))
        })
        .unwrap_or_default();
    let version = Some(by_file.version)
        .filter(|v| !v.is_empty())
        .or_else(|| {
            [
                "Implementation-Version",
                "Specification-Version",
                "Plugin-Version",
                "Bundle-Version",
            ]
            .iter()
            .find_map(|k| get(k))
        })
        .unwrap_or_default();
    JarId { name, version }
}

/// The pom.properties that describes the archive itself, matched on the file's name.
fn main_pom(file_name: &str, metas: &[&JarMeta]) -> Option<JarId> {
    let mut poms: Vec<(&str, JarId)> = metas
        .iter()
        .filter(|m| m.name.ends_with("pom.properties"))
        .filter_map(|m| Some((m.name.as_str(), from_pom(m)?)))
        .filter(|(_, id)| !id.version.is_empty())
        .collect();
    poms.sort_by(|a, b| a.0.cmp(b.0));
    if file_name.is_empty() {
        return None;
    }
    let exact = poms.iter().any(|(_, id)| id.name == file_name);
    poms.into_iter().map(|(_, id)| id).find(|id| {
        if exact {
            id.name == file_name
        } else {
            id.name.starts_with(file_name) || file_name.ends_with(id.name.as_str())
        }
    })
}

/// `Bundle-SymbolicName`'s last dotted field, when the Apache Maven Bundle Plugin wrote the
/// manifest (unless the symbolic name is only the group id).
fn bundle_plugin_name(get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if !get("Created-By")?.contains("Apache Maven Bundle Plugin") {
        return None;
    }
    let symbolic = get("Bundle-SymbolicName")?;
    let symbolic = symbolic.split(';').next().unwrap_or("").trim();
    if get("Implementation-Vendor-Id").as_deref() == Some(symbolic) {
        return None;
    }
    symbolic
        .rsplit('.')
        .next()
        .map(str::to_string)
        .filter(|n| !n.is_empty())
}

/// A file name such as `org.slf4j.slf4j-api` may be `group.artifact`: its last field.
fn artifact_from_file_name(name: &str) -> String {
    if !name.contains('.') || name.starts_with("org.eclipse.") {
        return name.to_string();
    }
    let fields: Vec<&str> = name.split('.').collect();
    let java_start = |f: &&str| {
        f.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
    };
    if fields.iter().all(java_start) {
        fields.last().map_or(name, |f| f).to_string()
    } else {
        name.to_string()
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
    }

    #[test]
    fn names_a_jar_from_its_file_name_before_its_manifest() {
        let mf = [meta(
            "",
            "META-INF/MANIFEST.MF",
            "Bundle-SymbolicName: org.x.core;singleton:=true\nBundle-Version: 4.2\n\nName: a\nImplementation-Title: no\n",
        )];
        // The file name comes before the manifest's names, as syft has it.
        let id = identify("core.jar", &mf.iter().collect::<Vec<_>>());
        assert_eq!((&*id.name, &*id.version), ("core", "4.2"));
        let bundle = [meta(
            "",
            "META-INF/MANIFEST.MF",
            "Created-By: Apache Maven Bundle Plugin\nBundle-SymbolicName: org.x.core-api\n",
        )];
        let id = identify("x-1.0.jar", &bundle.iter().collect::<Vec<_>>());
        assert_eq!((&*id.name, &*id.version), ("core-api", "1.0"));
    }

    #[test]
    fn lists_a_pom_the_file_name_does_not_match_apart() {
        // A pom whose artifact the file name does not match is listed apart, not taken.
        let other = [meta(
            "",
            "META-INF/maven/g/error_prone_annotation/pom.properties",
            "artifactId=error_prone_annotation\nversion=2.18.0\n",
        )];
        let info = JarInfo {
            meta: other.to_vec(),
            nested: vec![],
        };
        let got: Vec<(String, String)> =
            packages("usr/share/java/error-prone-annotation.jar", &info)
                .into_iter()
                .map(|(id, _)| (id.name, id.version))
                .collect();
        assert_eq!(
            got,
            [
                ("error-prone-annotation".to_string(), String::new()),
                ("error_prone_annotation".to_string(), "2.18.0".to_string())
            ]
        );
    }

    #[test]
    fn splits_a_file_name_into_name_and_version() {
        assert_eq!(
            from_file_name("lib/tomcat-embed-core-10.1.15.jar").name,
            "tomcat-embed-core"
        );
        assert_eq!(from_file_name("app.war").version, "");
    }
}
