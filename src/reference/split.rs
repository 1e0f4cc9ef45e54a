//! Where a file transport's PATH ends, as skopeo's containers/image reads
//! containers-transports(5): `docker-archive:PATH[:NAME[:TAG]|:@N]`,
//! `oci:PATH[:REF|:@N]`, `oci-archive:PATH[:REF|:@N]`. The path ends at the first colon
//! after which the rest is a valid reference for the transport (skopeo cuts at the first
//! colon); `@N` selects the N-th image. A path that exists as typed is taken whole.

use std::path::{Path, PathBuf};

/// What may follow the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    /// A Docker reference `NAME[:TAG]` (distribution's grammar), as `docker-archive:` takes.
    DockerName,
    /// An `org.opencontainers.image.ref.name` (image-spec annotations.md), as `oci:` takes.
    OciRefName,
}

/// Splits `PATH[:SUFFIX]` into the path and the selector (a reference or `@N`).
pub fn split(s: &str, kind: Suffix) -> (Option<PathBuf>, Option<String>) {
    if s.is_empty() {
        return (None, None);
    }
    if Path::new(s).exists() {
        return (Some(s.into()), None);
    }
    for (i, _) in s.match_indices(':') {
        let rest = &s[i + 1..];
        let valid = is_index(rest)
            || match kind {
                Suffix::DockerName => is_docker_name(rest),
                Suffix::OciRefName => is_oci_ref_name(rest),
            };
        if i > 0 && valid {
            return (Some(s[..i].into()), Some(rest.to_string()));
        }
    }
    (Some(s.into()), None)
}

/// `@N`: the N-th image of the archive or layout.
fn is_index(s: &str) -> bool {
    s.strip_prefix('@')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `[DOMAIN[:PORT]/]PATH[:TAG]` in distribution/reference's grammar (no digest: skopeo's
/// docker-archive wants a tagged name).
pub fn is_docker_name(s: &str) -> bool {
    let (name, tag) = match s.rfind(':') {
        Some(i) if !s[i + 1..].contains('/') => (&s[..i], Some(&s[i + 1..])),
        _ => (s, None),
    };
    if tag.is_some_and(|t| !is_tag(t)) || name.is_empty() || name.len() > 255 {
        return false;
    }
    let mut parts = name.split('/').peekable();
    let first = parts.next().unwrap_or_default();
    let has_more = parts.peek().is_some();
    let first_ok = if has_more && looks_like_domain(first) {
        is_domain(first)
    } else {
        is_path_component(first)
    };
    first_ok && parts.all(is_path_component)
}

fn is_tag(t: &str) -> bool {
    let mut bytes = t.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && t.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn looks_like_domain(c: &str) -> bool {
    c.contains(['.', ':']) || c == "localhost" || c.bytes().any(|b| b.is_ascii_uppercase())
}

/// `host[:port]`, host a dot-separated list of `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?`.
fn is_domain(c: &str) -> bool {
    let (host, port) = match c.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (c, None),
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    host.split('.').all(label)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    separated(
        c,
        |b| b.is_ascii_lowercase() || b.is_ascii_digit(),
        |run| run == "." || run == "_" || run == "__" || run.bytes().all(|b| b == b'-'),
    )
}

/// `component(/component)*`, component `alnum(separator alnum)*`, separator `[-._:@+]|--`.
pub fn is_oci_ref_name(s: &str) -> bool {
    s.split('/').all(|c| {
        separated(
            c,
            |b| b.is_ascii_alphanumeric(),
            |run| run.len() == 1 || run == "--",
        )
    })
}

/// Runs of `alnum` bytes separated by runs of other bytes that `separator` accepts; starts
/// and ends with an alnum run.
fn separated(c: &str, alnum: impl Fn(u8) -> bool, separator: impl Fn(&str) -> bool) -> bool {
    let bytes = c.as_bytes();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let run = &c[start..i];
        if !run.is_ascii() || !separator(run) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str, kind: Suffix) -> (String, Option<String>) {
        let (p, sel) = split(s, kind);
        (p.map(|p| p.display().to_string()).unwrap_or_default(), sel)
    }

    #[test]
    fn docker_archive_paths_end_at_the_first_colon_before_a_name() {
        let d = Suffix::DockerName;
        let want = |p: &str, s: Option<&str>| (p.to_string(), s.map(String::from));
        assert_eq!(
            parts("/nope/x.tar:app:1.0", d),
            want("/nope/x.tar", Some("app:1.0"))
        );
        assert_eq!(
            parts("/nope/x.tar:app", d),
            want("/nope/x.tar", Some("app"))
        );
        assert_eq!(parts("/nope/x.tar:@2", d), want("/nope/x.tar", Some("@2")));
        assert_eq!(
            parts("/nope/x.tar:localhost:5000/a/b:v1", d),
            want("/nope/x.tar", Some("localhost:5000/a/b:v1"))
        );
        // Not a valid name after the first colon: the colon belongs to the path.
        assert_eq!(
            parts("/nope/a:B.tar:app:1", d),
            want("/nope/a:B.tar", Some("app:1"))
        );
        assert_eq!(parts("/nope/x.tar", d), want("/nope/x.tar", None));
        assert_eq!(parts("/nope/x.tar:@", d), want("/nope/x.tar:@", None));
        assert_eq!(parts("/nope/x.tar:Up", d), want("/nope/x.tar:Up", None));
    }

    #[test]
    fn oci_ref_names_may_hold_colons() {
        let o = Suffix::OciRefName;
        let want = |p: &str, s: Option<&str>| (p.to_string(), s.map(String::from));
        assert_eq!(
            parts("/nope/x.tar:sample:latest", o),
            want("/nope/x.tar", Some("sample:latest"))
        );
        assert_eq!(parts("/nope/dir:v2", o), want("/nope/dir", Some("v2")));
        assert_eq!(parts("/nope/dir:@0", o), want("/nope/dir", Some("@0")));
        assert_eq!(parts("/nope/dir:a---b", o), want("/nope/dir:a---b", None));
        assert!(is_oci_ref_name("example.com/app:1.0+build--x"));
        assert!(!is_oci_ref_name("-a"));
    }
}
