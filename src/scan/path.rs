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
    clean(raw).map(|p| p.map(|(p, lossy)| (p.into_owned(), lossy)))
}

/// [`normalize`], borrowing the name when it is clean already (nearly every name: the scan
/// of a layer of small files made two strings per entry to rebuild each name as it was).
pub fn clean(raw: &[u8]) -> Result<Option<(Cow<'_, str>, bool)>, PathError> {
    // `from_utf8` first: its ASCII fast path is several times quicker than the lossy
    // decoder's, and nearly every name is valid.
    if let Ok(s) = std::str::from_utf8(raw) {
        return clean_str(s).map(|p| p.map(|p| (p, false)));
    }
    let s = String::from_utf8_lossy(raw);
    clean_str(&s).map(|p| p.map(|p| (Cow::Owned(p.into_owned()), true)))
}

fn clean_str(s: &str) -> Result<Option<Cow<'_, str>>, PathError> {
    // A directory's one trailing `/` aside, a name of plain components is its own cleaned
    // form.
    let trimmed = s.strip_suffix('/').unwrap_or(s);
    if is_plain(trimmed.as_bytes()) {
        return Ok(Some(Cow::Borrowed(trimmed)));
    }
    normalize_str(s).map(|p| p.map(Cow::Owned))
}

/// Whether a name is non-empty and none of its `/`-separated components is empty, `.` or
/// `..`. Such a component starts the name or follows a `/`, and begins with `.` or `/`
/// (or is a trailing empty one), so a name with none of those places is plain: one pass
/// with no early exit (which vectorizes) rules out nearly every name, and only the rest
/// are split into components (which took about twice the instructions on a layer of
/// small files).
fn is_plain(b: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    let start = u8::from(first == b'.' || first == b'/' || last == b'/');
    let odd = (b.iter().zip(&b[1..])).fold(start, |odd, (&c, &next)| {
        odd | (u8::from(c == b'/') & (u8::from(next == b'/') | u8::from(next == b'.')))
    });
    odd == 0
        || b.split(|&c| c == b'/')
            .all(|c| !matches!(c, b"" | b"." | b".."))
}

/// Cleans a name component by component, as `filepath.Clean` does.
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
    match memchr::memrchr(b'/', path.as_bytes()) {
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

    /// The borrowed fast path and the component-by-component cleaning agree on every name.
    #[test]
    fn clean_names_are_borrowed_and_cleaned_as_before() -> TestResult {
        let names: &[&str] = &[
            "usr/bin/x",
            "usr/bin/",
            "usr//bin",
            "./usr",
            "/usr",
            "usr/./bin",
            "usr/..",
            "usr/../bin",
            "a/b/..",
            "..",
            ".",
            "/",
            "",
            "a/",
            "a//",
            ".a/..b/c.",
            "a/.../b",
            "a/b/.",
            "../x",
            "x/../../y",
        ];
        for name in names {
            let fast = clean(name.as_bytes()).map(|p| p.map(|(p, l)| (p.into_owned(), l)));
            let slow = normalize_str(name).map(|p| p.map(|p| (p, false)));
            assert_eq!(fast, slow, "{name:?}");
        }
        assert!(matches!(
            clean(b"usr/bin/"),
            Ok(Some((Cow::Borrowed("usr/bin"), false)))
        ));
        assert!(matches!(clean(b"a//b"), Ok(Some((Cow::Owned(_), false)))));
        Ok(())
    }

    /// The one-pass test agrees with splitting into components on every name of up to
    /// seven bytes drawn from `a`, `.` and `/`.
    #[test]
    fn plain_names_are_those_of_plain_components() {
        let by_components = |b: &[u8]| {
            !b.is_empty()
                && b.split(|&c| c == b'/')
                    .all(|c| !matches!(c, b"" | b"." | b".."))
        };
        let mut names: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..7 {
            let longer: Vec<Vec<u8>> = names
                .iter()
                .filter(|n| n.len() == names.last().map_or(0, Vec::len))
                .flat_map(|n| b"a./".iter().map(move |&c| [&n[..], &[c]].concat()))
                .collect();
            names.extend(longer);
        }
        assert_eq!(names.len(), (0..=7).map(|k| 3usize.pow(k)).sum::<usize>());
        for name in &names {
            assert_eq!(is_plain(name), by_components(name), "{:?}", name);
        }
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
