//! Tar member names made safe: relative, `/`-separated, no `.`/`..` components.
//!
//! Read as Docker's layer applier reads them (moby `pkg/archive`, `UnpackLayer`): the name is
//! cleaned lexically (`filepath.Clean`) and joined under the layer root, so `/`, `./` and
//! `/usr/bin/x` are the root and `usr/bin/x` (kaniko writes a `/` entry in every layer), a
//! `..` after a rooted name stops at the root, and only a name that still lands outside the
//! root (`../etc/x`, `a/../../x`) is refused ("is outside of").

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// Still outside the root after cleaning: would escape it when extracted.
    Traversal,
}

/// Normalises a raw tar name. `Ok(None)` is the root itself (`/`, `.`, `./`, empty).
/// The bool says whether the name was not valid UTF-8 (it is then converted lossily).
pub fn normalize(raw: &[u8]) -> Result<Option<(String, bool)>, PathError> {
    let (text, lossy) = match String::from_utf8_lossy(raw) {
        Cow::Borrowed(s) => (s, false),
        Cow::Owned(s) => return normalize_str(&s).map(|p| p.map(|p| (p, true))),
    };
    normalize_str(text).map(|p| p.map(|p| (p, lossy)))
}

fn normalize_str(s: &str) -> Result<Option<String>, PathError> {
    let rooted = s.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in s.split('/') {
        match part {
            "" | "." => continue,
            ".." => {
                // `/..` is `/` (Clean); a relative name climbing above its start leaves
                // the root once joined under it.
                if parts.pop().is_none() && !rooted {
                    return Err(PathError::Traversal);
                }
            }
            p => parts.push(p),
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("/")))
}

/// Resolves a hard-link target the same way (hard links name archive members).
pub fn normalize_link(raw: &[u8]) -> Option<String> {
    normalize(raw).ok().flatten().map(|(p, _)| p)
}

/// Splits `dir/name` into (`dir`, `name`); the root's children have `dir` = "".
pub fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Joins a directory and a name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn normalizes_names() -> TestResult {
        assert_eq!(
            normalize(b"./usr/bin/").map_err(|e| format!("{e:?}"))?,
            Some(("usr/bin".into(), false))
        );
        assert_eq!(
            normalize(b"a//b/./c").map_err(|e| format!("{e:?}"))?,
            Some(("a/b/c".into(), false))
        );
        assert_eq!(normalize(b"./").map_err(|e| format!("{e:?}"))?, None);
        assert_eq!(normalize(b"").map_err(|e| format!("{e:?}"))?, None);
        assert_eq!(normalize(b"a/../../etc"), Err(PathError::Traversal));
        assert_eq!(normalize(b"../etc/x"), Err(PathError::Traversal));
        assert_eq!(normalize(b".."), Err(PathError::Traversal));
        Ok(())
    }

    /// moby's `UnpackLayer`: `filepath.Clean`, then joined under the root; kaniko's `/`.
    #[test]
    fn rooted_names_are_joined_under_the_root_as_docker_does() -> TestResult {
        let clean = |raw: &[u8]| {
            normalize(raw)
                .map(|p| p.map(|(p, _)| p))
                .map_err(|e| format!("{e:?}"))
        };
        assert_eq!(clean(b"/")?, None);
        assert_eq!(clean(b"//")?, None);
        assert_eq!(clean(b"/usr/bin/x")?.as_deref(), Some("usr/bin/x"));
        assert_eq!(clean(b"/../../etc/x")?.as_deref(), Some("etc/x"));
        assert_eq!(clean(b"a/../b")?.as_deref(), Some("b"));
        assert_eq!(clean(b"./a/b/../c/")?.as_deref(), Some("a/c"));
        assert_eq!(clean(b"a/..")?, None);
        Ok(())
    }

    #[test]
    fn splits_and_decodes() -> TestResult {
        let (p, lossy) = normalize(b"caf\xe9")
            .map_err(|e| format!("{e:?}"))?
            .ok_or("missing")?;
        assert!(lossy);
        assert_eq!(p, "caf\u{fffd}");
        assert_eq!(split("a/b/c"), ("a/b", "c"));
        assert_eq!(split("c"), ("", "c"));
        Ok(())
    }
}
