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

/// BuildKit attaches provenance/SBOM manifests as `unknown/unknown` entries; OCI 1.1
/// artifacts (signatures, SBOMs) say `artifactType` in their descriptor.
fn is_attestation(d: &Descriptor) -> bool {
    let annotated = d
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest");
    let unknown = platform_of(d).is_some_and(|p| p.os == "unknown");
    annotated || unknown || d.artifact_type().is_some()
}

/// Keeps the descriptors whose ref name matches `tag`, or the `@N`-th one; without
/// either, the one image the layout holds, or the only one of the wanted platform
/// (containers/image refuses a layout of several images without a name).
pub fn by_tag<'a>(
    descs: &'a [Descriptor],
    tag: Option<&str>,
    wanted: Option<&Platform>,
) -> Result<Vec<&'a Descriptor>, SourceError> {
    let Some(tag) = tag else {
        return only_image(descs, wanted);
    };
    if let Some(n) = tag.strip_prefix('@').and_then(|n| n.parse::<usize>().ok()) {
        return descs.get(n).map(|d| vec![d]).ok_or_else(|| {
            SourceError::NotAnImage(format!("the layout has {} images, no @{n}", descs.len()))
        });
    }
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

fn only_image<'a>(
    descs: &'a [Descriptor],
    wanted: Option<&Platform>,
) -> Result<Vec<&'a Descriptor>, SourceError> {
    let mut images: Vec<&Descriptor> = descs.iter().filter(|d| !is_attestation(d)).collect();
    // Two tags of one image are one image.
    images.sort_by_key(|d| d.digest().to_string());
    images.dedup_by_key(|d| d.digest().to_string());
    if images.len() <= 1 {
        return Ok(descs.iter().collect());
    }
    let host = Platform::host();
    let request = wanted.unwrap_or(&host);
    let matching: Vec<&Descriptor> = images
        .iter()
        .copied()
        .filter(|d| platform_of(d).is_none_or(|p| request.accepts(&p)))
        .collect();
    if let [one] = matching[..] {
        return Ok(vec![one]);
    }
    let listed: Vec<String> = descs
        .iter()
        .enumerate()
        .filter(|(_, d)| !is_attestation(d))
        .map(|(i, d)| {
            let name = d.annotations().as_ref().and_then(|a| a.get(REF_NAME));
            let platform = platform_of(d).map(|p| format!(", {p}")).unwrap_or_default();
            // Names come from the layout: control characters are shown escaped.
            let name = name.map_or("untagged", String::as_str).escape_debug();
            format!("@{i} ({name}{})", platform.escape_debug())
        })
        .collect();
    Err(SourceError::Ambiguous(format!(
        "the layout holds {} images; name one with :REF or :@N ({})",
        images.len(),
        listed.join(", ")
    )))
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
    if candidates.is_empty()
        && let Some(first) = descs.first()
    {
        // Nothing but artifacts: read the first, for its manifest to say what it is.
        return Ok(first);
    }
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
