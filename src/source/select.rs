//! Choosing one image from an index: by tag, then by platform, skipping attestations.

use super::SourceError;
use crate::image::Platform;
use oci_spec::image::Descriptor;

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A candidate manifest and the platform the index claims for it.
pub fn platform_of(d: &Descriptor) -> Option<Platform> {
    d.platform().as_ref().map(|p| Platform {
        os: p.os().to_string(),
        architecture: p.architecture().to_string(),
        variant: p.variant().clone(),
    })
}

/// BuildKit attaches provenance/SBOM manifests as `unknown/unknown` entries.
fn is_attestation(d: &Descriptor) -> bool {
    let annotated = d
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest");
    let unknown = platform_of(d).is_some_and(|p| p.os == "unknown");
    annotated || unknown
}

/// Keeps the descriptors whose ref name matches `tag` (all when no tag is asked for).
pub fn by_tag<'a>(
    descs: &'a [Descriptor],
    tag: Option<&str>,
) -> Result<Vec<&'a Descriptor>, SourceError> {
    let Some(tag) = tag else {
        return Ok(descs.iter().collect());
    };
    let found: Vec<&Descriptor> = descs
        .iter()
        .filter(|d| {
            d.annotations()
                .as_ref()
                .and_then(|a| a.get(REF_NAME))
                .is_some_and(|n| n == tag)
        })
        .collect();
    if found.is_empty() {
        let tags: Vec<String> = descs
            .iter()
            .filter_map(|d| d.annotations().as_ref()?.get(REF_NAME).cloned())
            .collect();
        return Err(SourceError::NotAnImage(format!(
            "no image tagged {tag:?} (tags present: {})",
            if tags.is_empty() {
                "none".into()
            } else {
                tags.join(", ")
            }
        )));
    }
    Ok(found)
}

/// Picks the first descriptor for the wanted platform (the spec's "first match SHOULD be
/// used"); without a request, the host's, or the only candidate there is.
pub fn by_platform<'a>(
    descs: &[&'a Descriptor],
    wanted: Option<&Platform>,
) -> Result<&'a Descriptor, SourceError> {
    let candidates: Vec<&Descriptor> = descs
        .iter()
        .copied()
        .filter(|d| !is_attestation(d))
        .collect();
    let host = Platform::host();
    let request = wanted.unwrap_or(&host);
    let matching = candidates
        .iter()
        .find(|d| platform_of(d).is_none_or(|p| request.accepts(&p)));
    if let Some(d) = matching {
        return Ok(d);
    }
    if wanted.is_none() && candidates.len() == 1 {
        return Ok(candidates[0]);
    }
    let available: Vec<String> = candidates
        .iter()
        .map(|d| platform_of(d).map_or("unspecified".into(), |p| p.to_string()))
        .collect();
    Err(SourceError::NoPlatform {
        wanted: request.to_string(),
        available: if available.is_empty() {
            "nothing".into()
        } else {
            available.join(", ")
        },
    })
}
