//! Which way an engine's layers are read (`--daemon-read`): from its overlay2 storage
//! ([`super::storage`]) where it is readable, else from its image export; and the load
//! that reads what it can from the storage, then the rest (and whatever failed a check
//! there) from the export.

use super::super::{DaemonRead, LayerVisitor, LiveSource, Notify, SourceError, SourceOptions};
use super::connect::Endpoint;
use super::storage::Storage;
use crate::image::ImageMeta;
use bollard::Docker;
use std::sync::Mutex;

/// How an engine's layers will be read, decided when the image is opened.
pub(super) struct Plan {
    pub(super) read: DaemonRead,
    pub(super) storage: Option<Storage>,
    /// One line for the user: which way, and why not the other.
    pub(super) said: String,
    pub(super) notify: Option<Notify>,
}

/// Looks for the engine's storage unless the export is asked for: only a Docker engine on
/// a local socket (a remote engine's data root, if a path of that name exists here, is
/// not its storage), with the overlay2 driver and a data root this process may read.
pub(super) fn plan(
    rt: &tokio::runtime::Runtime,
    docker: &Docker,
    endpoint: &Endpoint,
    meta: &ImageMeta,
    opts: &SourceOptions,
) -> Result<Plan, SourceError> {
    let read = opts.daemon_read;
    let located = match read {
        DaemonRead::Export => Err("--daemon-read=export".to_string()),
        _ => locate(rt, docker, endpoint, meta),
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
) -> Result<Storage, String> {
    if endpoint.kind != LiveSource::Docker {
        return Err("a Podman engine's storage is not read directly".into());
    }
    if !endpoint.host.starts_with("unix://") {
        return Err("the engine is not on a local socket".into());
    }
    let info = rt
        .block_on(docker.info())
        .map_err(|e| format!("the engine does not say where its storage is: {e}"))?;
    let (Some(root), Some(driver)) = (info.docker_root_dir, info.driver) else {
        return Err("the engine does not say where its storage is".into());
    };
    let diff_ids: Vec<String> = meta
        .layers
        .iter()
        .map(|l| l.diff_id.clone().unwrap_or_default())
        .collect();
    Storage::locate(std::path::Path::new(&root), &driver, &diff_ids)
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
