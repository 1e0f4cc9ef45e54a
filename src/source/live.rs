//! Engines and registries behind the features compiled in, and where a bare `NAME[:TAG]`
//! is read from: a local engine that answers and has the image, else the registry.

use super::{ImageSource, LiveSource, SourceError, SourceOptions};

pub(super) fn daemon(
    name: &str,
    kind: LiveSource,
    opts: &SourceOptions,
    display: &str,
) -> Result<Box<dyn ImageSource>, crate::Error> {
    #[cfg(feature = "daemon")]
    {
        Ok(Box::new(super::daemon::DaemonSource::open(
            name, kind, opts, display,
        )?))
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
            #[cfg(feature = "daemon")]
            for kind in [LiveSource::Docker, LiveSource::Podman] {
                use super::daemon::DaemonSource;
                match DaemonSource::open_if_present(name, kind, opts, display) {
                    Ok(Some(src)) => {
                        note(format!("{name}: from {}", src.label()));
                        return Ok(Box::new(src));
                    }
                    Ok(None) => {}
                    Err(e @ SourceError::NoPlatform { .. }) => return Err(e.into()),
                    Err(e) => note(format!("{e}; trying the next source")),
                }
            }
            let src = registry(name, opts, display)?;
            note(format!(
                "{name}: from the registry ({}); no local engine has it",
                registry_host(name)
            ));
            Ok(src)
        }
    }
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
