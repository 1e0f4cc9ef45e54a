//! Image references as users type them, spelled as skopeo and podman do
//! (containers-transports(5)): `docker-archive:PATH[:REF|@N]`, `oci:PATH[:TAG]`,
//! `oci-archive:PATH[:TAG]`, `docker-daemon:NAME`, `podman-daemon:NAME`, `docker://NAME`,
//! a bare existing path, or a bare `NAME[:TAG][@DIGEST]`. Parsing only; no I/O beyond
//! asking whether a path exists (a path with `:` in it is taken whole when it exists).

mod split;

use split::Suffix;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    DockerArchive {
        path: PathBuf,
        select: Option<String>,
    },
    OciDir {
        path: PathBuf,
        tag: Option<String>,
    },
    OciArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    /// A bare existing path: the kind is detected from its contents.
    Path(PathBuf),
    DockerDaemon(String),
    PodmanDaemon(String),
    /// `docker://REGISTRY/NAME[:TAG|@DIGEST]`
    Registry(String),
    /// `NAME[:TAG][@DIGEST]`: a local engine first, else the registry.
    Name(String),
}

impl ImageRef {
    pub fn parse(s: &str) -> Result<ImageRef, crate::Error> {
        let bad = |why: &str| crate::Error::Reference(s.to_string(), why.to_string());
        if s.is_empty() {
            return Err(bad("empty"));
        }
        if let Some(rest) = s.strip_prefix("docker://") {
            return non_empty(rest)
                .map(|r| ImageRef::Registry(r.into()))
                .ok_or_else(|| bad("no image name"));
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            let (path, select) = split::split(rest, Suffix::DockerName);
            return Ok(ImageRef::DockerArchive {
                path: path.ok_or_else(|| bad("no path"))?,
                select,
            });
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            let (path, tag) = split::split(rest, Suffix::OciRefName);
            return Ok(ImageRef::OciArchive {
                path: path.ok_or_else(|| bad("no path"))?,
                tag,
            });
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            let (path, tag) = split::split(rest, Suffix::OciRefName);
            return Ok(ImageRef::OciDir {
                path: path.ok_or_else(|| bad("no path"))?,
                tag,
            });
        }
        if let Some(rest) = s.strip_prefix("docker-daemon:") {
            return non_empty(rest)
                .map(|r| ImageRef::DockerDaemon(r.into()))
                .ok_or_else(|| bad("no image name"));
        }
        if let Some(rest) = s.strip_prefix("podman-daemon:") {
            return non_empty(rest)
                .map(|r| ImageRef::PodmanDaemon(r.into()))
                .ok_or_else(|| bad("no image name"));
        }
        if let Some(why) = unknown_transport(s) {
            return Err(bad(&why));
        }
        let p = Path::new(s);
        if p.exists()
            || s.starts_with('/')
            || s.starts_with("./")
            || s.starts_with("../")
            || s.ends_with(".tar")
        {
            return Ok(ImageRef::Path(p.to_path_buf()));
        }
        if !looks_like_name(s) {
            return Err(bad("neither an existing file nor an image name"));
        }
        Ok(ImageRef::Name(s.to_string()))
    }
}

impl ImageRef {
    /// The reference without its transport: the path (and `:TAG`/selector) of an archive or
    /// layout, the name of an engine's or a registry's image.
    pub fn without_transport(&self) -> String {
        let suffix = |o: &Option<String>| o.as_ref().map(|s| format!(":{s}")).unwrap_or_default();
        match self {
            ImageRef::DockerArchive { path, select: s }
            | ImageRef::OciDir { path, tag: s }
            | ImageRef::OciArchive { path, tag: s } => format!("{}{}", path.display(), suffix(s)),
            ImageRef::Path(p) => p.display().to_string(),
            ImageRef::DockerDaemon(n)
            | ImageRef::PodmanDaemon(n)
            | ImageRef::Registry(n)
            | ImageRef::Name(n) => n.clone(),
        }
    }

    /// An engine or a registry (not a file): where the scan cache pays, since reading the
    /// layers again costs a pull or an export. Files are always read and verified again.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            ImageRef::DockerDaemon(_)
                | ImageRef::PodmanDaemon(_)
                | ImageRef::Registry(_)
                | ImageRef::Name(_)
        )
    }
}

/// The transports `parse` reads, as the error for an unknown one lists them.
pub const TRANSPORTS: &str = "docker-archive:PATH, oci:PATH, oci-archive:PATH, \
     docker-daemon:NAME, podman-daemon:NAME, docker://NAME, or a bare path or NAME[:TAG]";

const TRANSPORT_NAMES: [&str; 6] = [
    "docker-archive",
    "oci",
    "oci-archive",
    "docker-daemon",
    "podman-daemon",
    "docker",
];

/// `dockr://a`, `docker-archve:x`, `dockerarchive:/x.tar`: a transport prefix that is
/// none of ours. A name's `host:port/` and `name:tag` are left alone: a tag holds no `/`,
/// and a port is digits; a tag that happens to sit after a near-miss of a transport name
/// (`docker-archve:x`) is taken for the typo it almost certainly is.
fn unknown_transport(s: &str) -> Option<String> {
    let (scheme, rest, url) = match s.split_once("://") {
        Some((scheme, rest)) => (scheme, rest, true),
        None => {
            let (scheme, rest) = s.split_once(':')?;
            (scheme, rest, false)
        }
    };
    if scheme.is_empty() || scheme.contains(['/', '.']) || Path::new(s).exists() {
        return None;
    }
    let is_tag = !rest.is_empty()
        && rest.len() <= 128
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@:".contains(c))
        && !rest.starts_with(['.', '-']);
    let is_port = rest
        .split('/')
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let near = TRANSPORT_NAMES
        .iter()
        // `docker:TAG` is Docker Hub's docker image, not a misspelt `docker://`.
        .filter(|t| (url || **t != "docker") && t.len() >= 5 && edit_distance(scheme, t) <= 2)
        .min_by_key(|t| edit_distance(scheme, t));
    if !url && (is_port || (is_tag && near.is_none())) {
        return None;
    }
    let hint = match near {
        Some(t) if *t == "docker" => " (did you mean docker://?)".to_string(),
        Some(t) => format!(" (did you mean {t}:?)"),
        None => String::new(),
    };
    let sep = if url { "://" } else { ":" };
    Some(format!(
        "unknown transport \"{scheme}{sep}\"{hint}; use {TRANSPORTS}"
    ))
}

/// Levenshtein distance, for names of a few characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Docker's reference grammar, loosely: lowercase path components, an optional tag and digest.
fn looks_like_name(s: &str) -> bool {
    let name = s.split('@').next().unwrap_or(s);
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c))
        && !name.starts_with(['.', '-', '/', ':'])
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = |o: &Option<String>| o.as_ref().map(|s| format!(":{s}")).unwrap_or_default();
        match self {
            ImageRef::DockerArchive { path, select } => {
                write!(f, "docker-archive:{}{}", path.display(), suffix(select))
            }
            ImageRef::OciDir { path, tag } => write!(f, "oci:{}{}", path.display(), suffix(tag)),
            ImageRef::OciArchive { path, tag } => {
                write!(f, "oci-archive:{}{}", path.display(), suffix(tag))
            }
            ImageRef::Path(p) => write!(f, "{}", p.display()),
            ImageRef::DockerDaemon(n) => write!(f, "docker-daemon:{n}"),
            ImageRef::PodmanDaemon(n) => write!(f, "podman-daemon:{n}"),
            ImageRef::Registry(n) => write!(f, "docker://{n}"),
            ImageRef::Name(n) => write!(f, "{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn parses_transports() -> TestResult {
        assert_eq!(
            ImageRef::parse("docker-archive:/nope/x.tar:app:1.0")?,
            ImageRef::DockerArchive {
                path: "/nope/x.tar".into(),
                select: Some("app:1.0".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci:/nope/dir:v2")?,
            ImageRef::OciDir {
                path: "/nope/dir".into(),
                tag: Some("v2".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci-archive:/nope/a.tar:sample:latest")?,
            ImageRef::OciArchive {
                path: "/nope/a.tar".into(),
                tag: Some("sample:latest".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci-archive:/nope/a.tar")?,
            ImageRef::OciArchive {
                path: "/nope/a.tar".into(),
                tag: None
            }
        );
        assert_eq!(
            ImageRef::parse("debian:bookworm")?,
            ImageRef::Name("debian:bookworm".into())
        );
        assert_eq!(
            ImageRef::parse("docker://ghcr.io/a/b:1")?,
            ImageRef::Registry("ghcr.io/a/b:1".into())
        );
        assert_eq!(
            ImageRef::parse("/nope/x.tar")?,
            ImageRef::Path("/nope/x.tar".into())
        );
        let e = ImageRef::parse("docker-archive:").unwrap_err().to_string();
        assert!(e.contains("no path"), "{e}");
        for name in [
            "docker:latest",
            "localhost:5000/a/b:1",
            "alpine:3.20",
            "ghcr.io/a/b:v1",
            "oci:x",
            "a/b@sha256:00",
        ] {
            assert!(ImageRef::parse(name).is_ok(), "{name}");
        }
        Ok(())
    }

    #[test]
    fn unknown_transports_are_named_with_the_list() -> TestResult {
        let why = |s: &str| match ImageRef::parse(s) {
            Err(crate::Error::Reference(_, why)) => why,
            other => panic!("{s} parsed as {other:?}"),
        };
        let w = why("dockr://a");
        assert!(
            w.starts_with("unknown transport \"dockr://\" (did you mean docker://?)"),
            "{w}"
        );
        assert!(
            w.contains("docker-archive:PATH") && w.contains("podman-daemon:NAME"),
            "{w}"
        );
        let w = why("docker-archve:x");
        assert!(
            w.starts_with("unknown transport \"docker-archve:\" (did you mean docker-archive:?)"),
            "{w}"
        );
        let w = why("dockerarchive:/tmp/x.tar");
        assert!(w.starts_with("unknown transport \"dockerarchive:\""), "{w}");
        let w = why("s3://bucket/x");
        assert!(w.starts_with("unknown transport \"s3://\"; use "), "{w}");
        let e = ImageRef::parse("Not An Image!").unwrap_err().to_string();
        assert!(
            e.contains("neither an existing file nor an image name"),
            "{e}"
        );
        Ok(())
    }
}
