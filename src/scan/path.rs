//! Tar member names made safe: relative, `/`-separated, no `.`/`..` components.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// `..` component: would escape the root when extracted.
    Traversal,
    /// Leading `/`.
    Absolute,
}

/// Normalises a raw tar name. `Ok(None)` is the root itself (`.`, `./`, empty).
/// The bool says whether the name was not valid UTF-8 (it is then converted lossily).
pub fn normalize(raw: &[u8]) -> Result<Option<(String, bool)>, PathError> {
    if raw.first() == Some(&b'/') {
        return Err(PathError::Absolute);
    }
    let (text, lossy) = match String::from_utf8_lossy(raw) {
        Cow::Borrowed(s) => (s, false),
        Cow::Owned(s) => return normalize_str(&s).map(|p| p.map(|p| (p, true))),
    };
    normalize_str(text).map(|p| p.map(|p| (p, lossy)))
}

fn normalize_str(s: &str) -> Result<Option<String>, PathError> {
    let mut out = String::with_capacity(s.len());
    for part in s.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err(PathError::Traversal),
            p => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(p);
            }
        }
    }
    Ok((!out.is_empty()).then_some(out))
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
        assert_eq!(normalize(b"/etc/passwd"), Err(PathError::Absolute));
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
