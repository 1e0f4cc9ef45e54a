//! Which way an engine's layers are read (`--daemon-read`): from its overlay2 storage
//! ([`super::storage`]) where it is readable, else from its image export; and the load
//! that reads what it can from the storage, then the rest (and whatever failed a check
//! there) from the export.

use super::super::{DaemonRead, LayerVisitor, LiveSource, Notify, SourceError, SourceOptions};
use super::connect::Endpoint;
use super::storage::Storage;
use crate::image::ImageMeta;
use bollard::Docker;
use bollard::models::DriverData;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// How an engine's layers will be read, decided when the image is opened.
pub(super) struct Plan {
    pub(super) read: DaemonRead,
    pub(super) storage: Option<Storage>,
    /// One line for the user: which way, and why not the other.
    pub(super) said: String,
    pub(super) notify: Option<Notify>,
}

/// The engine's data root and storage driver, as `/info` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stored {
    pub(super) root: PathBuf,
    pub(super) driver: String,
}

impl Stored {
    /// The data root as the image's inspect gives it away: overlay2 names the image's top
    /// layer's directory, `<data root>/overlay2/<cache-id>/diff`, in `UpperDir`. That spares
    /// asking `/info` (7-10 ms on dockerd, the longest request before the first layer). A
    /// wrong root costs nothing but the way: every layer read from it is checked against
    /// its diff_id, as with `/info`'s; anything else (another driver, no `UpperDir`) asks
    /// `/info`, as before.
    pub(super) fn from_driver(d: &DriverData) -> Option<Stored> {
        if d.name != "overlay2" {
            return None;
        }
        let upper = Path::new(d.data.get("UpperDir")?);
        let home = upper.parent()?.parent()?;
        let plain = upper.is_absolute()
            && upper
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        if !plain || upper.file_name()? != "diff" || home.file_name()? != "overlay2" {
            return None;
        }
        Some(Stored {
            root: home.parent()?.to_path_buf(),
            driver: d.name.clone(),
        })
    }
}

/// Looks for the engine's storage unless the export is asked for: only a Docker engine on
/// a local socket (a remote engine's data root, if a path of that name exists here, is
/// not its storage), with the overlay2 driver and a data root this process may read.
pub(super) fn plan(
    rt: &tokio::runtime::Runtime,
    docker: &Docker,
    endpoint: &Endpoint,
    meta: &ImageMeta,
    stored: Option<Stored>,
    opts: &SourceOptions,
) -> Result<Plan, SourceError> {
    let read = opts.daemon_read;
    let located = match read {
        DaemonRead::Export => Err("--daemon-read=export".to_string()),
        _ => locate(rt, docker, endpoint, meta, stored),
    };
    let (storage, said) = match located {
        Ok(s) => {
            let said = format!("layers from the engine's storage ({})", s.dir.display());
            (Some(s), said)
        }
        Err(why) if read == DaemonRead::Storage => {
            return Err(SourceError::Unsupported(format!(
                "--daemon-read=storage: {why}"
            )));
        }
        Err(why) => (
            None,
            format!("layers from the engine's image export ({why})"),
        ),
    };
    if read == DaemonRead::Storage
        && let Some(why) = (0..meta.layers.len()).find_map(|i| storage.as_ref()?.unreadable(i))
    {
        return Err(SourceError::Unsupported(format!(
            "--daemon-read=storage: {why}"
        )));
    }
    Ok(Plan {
        read,
        storage,
        said,
        notify: opts.notify.clone(),
    })
}

fn locate(
    rt: &tokio::runtime::Runtime,
    docker: &Docker,
    endpoint: &Endpoint,
    meta: &ImageMeta,
    stored: Option<Stored>,
) -> Result<Storage, String> {
    if endpoint.kind != LiveSource::Docker {
        return Err("a Podman engine's storage is not read directly".into());
    }
    if !endpoint.host.starts_with("unix://") {
        return Err("the engine is not on a local socket".into());
    }
    let stored = match stored {
        Some(s) => s,
        None => info(rt, docker)?,
    };
    let diff_ids: Vec<String> = meta
        .layers
        .iter()
        .map(|l| l.diff_id.clone().unwrap_or_default())
        .collect();
    Storage::locate(&stored.root, &stored.driver, &diff_ids)
}

/// The data root and driver `/info` names.
fn info(rt: &tokio::runtime::Runtime, docker: &Docker) -> Result<Stored, String> {
    let info = rt
        .block_on(docker.info())
        .map_err(|e| format!("the engine does not say where its storage is: {e}"))?;
    match (info.docker_root_dir, info.driver) {
        (Some(root), Some(driver)) => Ok(Stored {
            root: root.into(),
            driver,
        }),
        _ => Err("the engine does not say where its storage is".into()),
    }
}

impl Plan {
    pub(super) fn tell(&self, what: String) {
        if let Some(n) = &self.notify {
            (n.0)(&what);
        }
    }

    /// Reads the wanted layers the storage has, in parallel, biggest first; returns those
    /// left for the export: the ones it lacks, and (under `auto`) the ones that failed a
    /// check there, each said to the user.
    pub(super) fn read_storage(
        &self,
        wanted: &[usize],
        visit: &LayerVisitor<'_>,
    ) -> Result<Vec<usize>, crate::Error> {
        let Some(storage) = &self.storage else {
            return Ok(wanted.to_vec());
        };
        let (mut direct, mut rest): (Vec<usize>, Vec<usize>) = wanted
            .iter()
            .partition(|&&i| storage.unreadable(i).is_none());
        for &i in &rest {
            let why = storage.unreadable(i).unwrap_or_default();
            self.tell(format!("layer {i}: from the image export ({why})"));
        }
        direct.sort_by_key(|&i| std::cmp::Reverse(storage.size(i)));
        let failed = Mutex::new(Vec::new());
        crate::source::in_parallel(&direct, &|i| {
            let result = storage
                .open_layer(i)
                .map_err(crate::Error::from)
                .and_then(|r| visit(i, r));
            match result {
                Err(e)
                    if self.read == DaemonRead::Auto && !matches!(e, crate::Error::Cancelled) =>
                {
                    let why = crate::error::one_line(&e);
                    self.tell(format!(
                        "layer {i}: the engine's storage fails a check ({why}); reading it from the image export"
                    ));
                    failed.lock().unwrap_or_else(|p| p.into_inner()).push(i);
                    Ok(())
                }
                other => other,
            }
        })?;
        rest.extend(failed.into_inner().unwrap_or_else(|p| p.into_inner()));
        Ok(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver(name: &str, upper: Option<&str>) -> DriverData {
        DriverData {
            name: name.into(),
            data: upper
                .map(|u| [("UpperDir".to_string(), u.to_string())].into())
                .unwrap_or_default(),
        }
    }

    /// The data root is the overlay2 home's parent, read off the top layer's directory;
    /// anything that is not plainly that shape leaves it to `/info`.
    #[test]
    fn the_data_root_comes_from_the_top_layers_directory() {
        let d = driver("overlay2", Some("/var/lib/docker/overlay2/8022918b/diff"));
        let stored = Stored::from_driver(&d);
        assert_eq!(
            stored,
            Some(Stored {
                root: "/var/lib/docker".into(),
                driver: "overlay2".into()
            })
        );
        for (name, upper) in [
            ("overlayfs", Some("/var/lib/docker/overlay2/x/diff")),
            ("overlay2", None),
            ("overlay2", Some("var/lib/docker/overlay2/x/diff")),
            ("overlay2", Some("/var/lib/docker/overlay2/x/merged")),
            ("overlay2", Some("/var/lib/docker/vfs/x/diff")),
            ("overlay2", Some("/var/lib/docker/overlay2/../diff")),
            ("overlay2", Some("/overlay2/x/diff/")),
        ] {
            let got = Stored::from_driver(&driver(name, upper));
            if upper == Some("/overlay2/x/diff/") {
                assert_eq!(got.map(|s| s.root), Some(PathBuf::from("/")));
            } else {
                assert_eq!(got, None, "{name} {upper:?}");
            }
        }
    }
}
