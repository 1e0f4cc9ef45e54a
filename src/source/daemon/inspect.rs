//! What the engine says about an image: inspect (diff_ids, config, platform) and history
//! (what made each layer), turned into the image's metadata.

use super::super::{LiveSource, SourceError, SourceOptions};
use super::connect::{Endpoint, engine_error};
use super::direct::Stored;
use crate::image::model::HistoryEntry;
use crate::image::{ImageMeta, LayerDesc, Platform, RunConfig};
use bollard::Docker;
use bollard::models::{ImageHistoryResponseItem, ImageInspect};

/// The image's metadata from inspect and history, checked against `--platform`, and where
/// the engine's storage driver keeps the image, when inspect says.
pub(super) fn image_meta(
    rt: &tokio::runtime::Runtime,
    docker: &Docker,
    endpoint: &Endpoint,
    name: &str,
    opts: &SourceOptions,
    display: &str,
) -> Result<(ImageMeta, Option<Stored>), SourceError> {
    // Both at once, each on a connection of its own: one after the other they were two
    // round trips on every run's way to its first layer.
    let (inspect, history) = rt
        .block_on(async {
            futures_util::future::try_join(docker.inspect_image(name), docker.image_history(name))
                .await
        })
        .map_err(|e| engine_error(e, endpoint, Some(name)))?;
    let stored = inspect.graph_driver.as_ref().and_then(Stored::from_driver);
    let platform = wanted_platform(&inspect, endpoint, opts)?;
    let diff_ids: Vec<String> = inspect
        .root_fs
        .as_ref()
        .and_then(|r| r.layers.clone())
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let history = infer_history(&history_items(&history), diff_ids.len(), &mut warnings);
    let layers = diff_ids.iter().map(|d| layer_desc(d)).collect();
    let manifest_digest = inspect
        .repo_digests
        .iter()
        .flatten()
        .find_map(|r| r.split_once('@').map(|(_, d)| d.to_string()));
    let meta = ImageMeta {
        reference: display.to_string(),
        source: match endpoint.kind {
            LiveSource::Podman => "podman-daemon".into(),
            _ => "docker-daemon".into(),
        },
        platform,
        manifest_digest,
        config_digest: inspect.id.clone(),
        run: run_config(inspect.config.as_ref()),
        history,
        layers,
        warnings,
        origin: None,
    };
    Ok((meta, stored))
}

/// The image's platform, refused when `--platform` asks for another.
fn wanted_platform(
    inspect: &ImageInspect,
    endpoint: &Endpoint,
    opts: &SourceOptions,
) -> Result<Platform, SourceError> {
    let platform = Platform {
        os: inspect.os.clone().unwrap_or_default(),
        architecture: inspect.architecture.clone().unwrap_or_default(),
        variant: inspect.variant.clone().filter(|v| !v.is_empty()),
    };
    if let Some(w) = &opts.platform
        && !w.accepts(&platform)
    {
        return Err(SourceError::NoPlatform {
            wanted: w.to_string(),
            available: format!("{platform} (the image in {})", endpoint.label),
        });
    }
    Ok(platform)
}

/// Each history step's command and size, oldest first.
fn history_items(history: &[ImageHistoryResponseItem]) -> Vec<(String, i64)> {
    // The history API lists newest first; the config's order is oldest first.
    history
        .iter()
        .rev()
        .map(|h| {
            let by = if h.created_by.is_empty() {
                h.comment.clone()
            } else {
                h.created_by.clone()
            };
            (by, h.size)
        })
        .collect()
}

/// An engine names a layer only by its diff_id: the export streams it as a plain tar.
fn layer_desc(diff_id: &str) -> LayerDesc {
    LayerDesc {
        digest: None,
        diff_id: Some(diff_id.to_string()),
        media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
        size: None,
        locator: diff_id.to_string(),
    }
}

fn run_config(c: Option<&bollard::models::ImageConfig>) -> RunConfig {
    let Some(c) = c else {
        return RunConfig::default();
    };
    let mut exposed_ports = c.exposed_ports.clone().unwrap_or_default();
    exposed_ports.sort();
    let mut labels: Vec<(String, String)> =
        c.labels.clone().unwrap_or_default().into_iter().collect();
    labels.sort();
    RunConfig {
        entrypoint: c.entrypoint.clone().unwrap_or_default(),
        cmd: c.cmd.clone().unwrap_or_default(),
        env: c.env.clone().unwrap_or_default(),
        user: c.user.clone().unwrap_or_default(),
        working_dir: c.working_dir.clone().unwrap_or_default(),
        exposed_ports,
        labels,
    }
}

/// The history API gives sizes, not the config's `empty_layer`: an entry with bytes made a
/// layer; among those without, metadata instructions (ENV, CMD...) made none and the rest
/// are taken as layers, oldest first, until the count matches the image's layers.
fn infer_history(
    items: &[(String, i64)],
    layers: usize,
    warnings: &mut Vec<String>,
) -> Vec<HistoryEntry> {
    let mut empty: Vec<bool> = items.iter().map(|(_, size)| *size <= 0).collect();
    let mut count = empty.iter().filter(|e| !**e).count();
    for (i, (by, _)) in items.iter().enumerate() {
        if count >= layers {
            break;
        }
        if empty[i] && !is_metadata_instruction(by) {
            empty[i] = false;
            count += 1;
        }
    }
    if count != layers {
        warnings.push(format!(
            "the engine's history has {count} layer-making steps for {layers} layers; commands may be matched to the wrong layers"
        ));
    }
    items
        .iter()
        .zip(empty)
        .map(|((by, _), empty_layer)| HistoryEntry {
            created_by: by.clone(),
            empty_layer,
        })
        .collect()
}

fn is_metadata_instruction(created_by: &str) -> bool {
    let s = created_by.trim();
    let s = s
        .strip_prefix("/bin/sh -c #(nop)")
        .or_else(|| s.strip_prefix("|"))
        .unwrap_or(s)
        .trim_start();
    let word = s.split_whitespace().next().unwrap_or("");
    matches!(
        word.to_ascii_uppercase().as_str(),
        "ENV"
            | "CMD"
            | "LABEL"
            | "EXPOSE"
            | "ENTRYPOINT"
            | "USER"
            | "ARG"
            | "VOLUME"
            | "STOPSIGNAL"
            | "HEALTHCHECK"
            | "ONBUILD"
            | "SHELL"
            | "MAINTAINER"
            | "WORKDIR"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_marks_metadata_steps_empty() {
        let items = vec![
            (
                "/bin/sh -c #(nop) ADD file:abc in / ".to_string(),
                5_000_000,
            ),
            ("/bin/sh -c #(nop)  CMD [\"sh\"]".to_string(), 0),
            ("/bin/sh -c mkdir /x".to_string(), 0),
            ("ENV A=b".to_string(), 0),
        ];
        let mut w = Vec::new();
        let h = infer_history(&items, 2, &mut w);
        let empty: Vec<bool> = h.iter().map(|e| e.empty_layer).collect();
        assert_eq!(empty, [false, true, false, true]);
        assert!(w.is_empty());
    }
}
