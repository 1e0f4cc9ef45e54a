//! Engines and registries behind the features compiled in, and where a bare `NAME[:TAG]`
//! is read from: a local engine that answers and has the image, else the registry.

use super::{ImageSource, LiveSource, SourceError, SourceOptions};

/// An engine's image. Which way its layers are read is said when they are read (a warm
/// run reads none).
pub(super) fn daemon(
    name: &str,
    kind: LiveSource,
    opts: &SourceOptions,
    display: &str,
) -> Result<Box<dyn ImageSource>, crate::Error> {
    #[cfg(feature = "daemon")]
    {
        let src = super::daemon::DaemonSource::open(name, kind, opts, display)?;
        Ok(Box::new(src))
    }
    #[cfg(not(feature = "daemon"))]
    {
        let _ = (name, kind, opts, display);
        Err(SourceError::Unsupported(
            "this build has no container engine support (feature `daemon`)".into(),
        )
        .into())
    }
}

pub(super) fn registry(
    name: &str,
    opts: &SourceOptions,
    display: &str,
) -> Result<Box<dyn ImageSource>, crate::Error> {
    #[cfg(feature = "registry")]
    {
        Ok(Box::new(super::registry::RegistrySource::open(
            name, opts, display,
        )?))
    }
    #[cfg(not(feature = "registry"))]
    {
        let _ = (name, opts, display);
        Err(SourceError::Unsupported(
            "this build has no registry support (feature `registry`)".into(),
        )
        .into())
    }
}

/// `--source` decides; without it the engines are asked first (Docker, then Podman), then
/// the registry. `note` hears which one was used.
pub(super) fn bare_name(
    name: &str,
    opts: &SourceOptions,
    display: &str,
    note: &mut dyn FnMut(String),
) -> Result<Box<dyn ImageSource>, crate::Error> {
    // A name no registry accepts is refused before any engine is asked: the engine's 400
    // ("invalid reference format") would only put a second line in front of the error.
    #[cfg(feature = "registry")]
    super::registry::name::parse_or_refuse(name)?;
    match opts.prefer {
        Some(kind @ (LiveSource::Docker | LiveSource::Podman)) => {
            let src = daemon(name, kind, opts, display)?;
            note(format!("{name}: from {}", engine_label(kind)));
            Ok(src)
        }
        Some(LiveSource::Registry) => {
            let src = registry(name, opts, display)?;
            note(format!(
                "{name}: from the registry ({})",
                registry_host(name)
            ));
            Ok(src)
        }
        None => {
            // Why each engine could not give the image, for the error if the registry fails.
            #[cfg_attr(not(feature = "daemon"), allow(unused_mut))]
            let mut tried: Vec<String> = Vec::new();
            #[cfg(feature = "daemon")]
            for kind in [LiveSource::Docker, LiveSource::Podman] {
                use super::daemon::{DaemonSource, Presence};
                match DaemonSource::open_if_present(name, kind, opts, display) {
                    Ok(Presence::Found(src)) => {
                        note(format!("{name}: from {}", src.label()));
                        return Ok(src);
                    }
                    Ok(Presence::Absent(why)) => tried.push(why),
                    Err(e @ SourceError::NoPlatform { .. }) => return Err(e.into()),
                    Err(e) => {
                        let why = crate::error::one_line(&e);
                        note(format!("{why}; trying the next source"));
                        tried.push(why);
                    }
                }
            }
            let src = registry(name, opts, display).map_err(|e| after_engines(e, &tried))?;
            note(format!(
                "{name}: from the registry ({}); no local engine has it",
                registry_host(name)
            ));
            Ok(src)
        }
    }
}

/// The registry's error for a bare name, after the engines that were tried and why each
/// could not give the image: a user whose engine is down sees that, not only a DNS error.
fn after_engines(e: crate::Error, tried: &[String]) -> crate::Error {
    if tried.is_empty() {
        return e;
    }
    SourceError::RemoteBecause {
        what: format!(
            "no local engine has it: {}; then the registry",
            tried.join("; ")
        ),
        source: Box::new(e),
    }
    .into()
}

fn engine_label(kind: LiveSource) -> String {
    #[cfg(feature = "daemon")]
    if let Ok(ep) = super::daemon::endpoint(kind) {
        return ep.label;
    }
    format!("{kind:?}")
}

/// The registry a name points at, with Docker Hub's defaults.
fn registry_host(name: &str) -> String {
    let first = name.split('/').next().unwrap_or("");
    if name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        first.to_string()
    } else {
        "docker.io".into()
    }
}
