//! A registry's failures as one line each, in the user's terms: what failed, and what to
//! do about it (credentials, `--insecure-registry`, when to retry after a rate limit).

use super::super::{RegistryError, SourceError};
use super::ACCEPT;
use oci_client::Reference;
use oci_client::errors::{OciDistributionError, OciErrorCode};
use std::time::Duration;

/// What an error message needs to know about the request.
pub(super) struct Ctx<'a> {
    pub registry: &'a str,
    pub had_credentials: bool,
    pub plain_http: bool,
}

/// What went wrong, typed, in the user's terms.
pub(super) fn map_error(e: OciDistributionError, ctx: &Ctx<'_>) -> SourceError {
    let registry = || ctx.registry.to_string();
    let unauthorized = || RegistryError::Unauthorized {
        registry: registry(),
        had_credentials: ctx.had_credentials,
    };
    let by_status = |code: u16, detail: String| match code {
        401 => unauthorized(),
        403 => RegistryError::Denied {
            registry: registry(),
            detail,
        },
        404 => RegistryError::NotFound {
            registry: registry(),
            detail,
        },
        429 => RegistryError::RateLimited {
            registry: registry(),
            retry: String::new(),
        },
        code => RegistryError::Status {
            registry: registry(),
            code,
            detail,
        },
    };
    let e = match e {
        OciDistributionError::UnauthorizedError { .. } => unauthorized(),
        OciDistributionError::AuthenticationFailure(reason) => RegistryError::TokenRefused {
            registry: registry(),
            had_credentials: ctx.had_credentials,
            reason: match one_line(&reason) {
                r if r.is_empty() => "its token server said no".to_string(),
                r => r,
            },
        },
        OciDistributionError::RegistryError { envelope, .. } => {
            let first = envelope.errors.first();
            let detail = first
                .map(|e| format!(": {}", one_line(&e.message)))
                .unwrap_or_default();
            match first.map(|e| &e.code) {
                Some(OciErrorCode::Unauthorized) => unauthorized(),
                Some(OciErrorCode::Denied) => by_status(403, detail),
                Some(OciErrorCode::Toomanyrequests) => by_status(429, detail),
                Some(
                    OciErrorCode::ManifestUnknown
                    | OciErrorCode::NameUnknown
                    | OciErrorCode::NotFound
                    | OciErrorCode::BlobUnknown,
                ) => by_status(404, detail),
                _ => RegistryError::Envelope {
                    registry: registry(),
                    envelope: envelope.to_string(),
                },
            }
        }
        OciDistributionError::ServerError { code, message, .. } => {
            let m = one_line(&message);
            by_status(code, if m.is_empty() { m } else { format!(": {m}") })
        }
        OciDistributionError::ImageManifestNotFoundError(_) => by_status(404, String::new()),
        OciDistributionError::RequestError(e) => request_error(e, ctx),
        OciDistributionError::DigestError(e) => {
            return SourceError::CorruptBecause {
                what: format!("a blob from registry {} fails its digest", ctx.registry),
                source: e.into(),
            };
        }
        other => RegistryError::Failed {
            registry: registry(),
            source: other.into(),
        },
    };
    e.into()
}

fn request_error(e: reqwest::Error, ctx: &Ctx<'_>) -> RegistryError {
    let registry = ctx.registry.to_string();
    if let Some(tls) = find_tls(&e) {
        let hint = if tls.contains("InvalidContentType") || tls.contains("CorruptMessage") {
            " (does it speak plain HTTP? then use --insecure-registry)"
        } else {
            ""
        };
        return RegistryError::Tls {
            registry,
            tls,
            hint,
        };
    }
    let chain = crate::error::one_line(&e);
    let timeout = chain.contains("timed out") || chain.contains("Timeout");
    let connect = chain.contains("onnect") || chain.contains("dns error");
    if timeout || connect {
        return RegistryError::Unreachable {
            registry,
            plain_http: ctx.plain_http,
            source: e.into(),
        };
    }
    RegistryError::Failed {
        registry,
        source: e.into(),
    }
}

/// The rustls error in a chain, if the failure was the TLS handshake.
fn find_tls(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(format!("{t:?}"));
        }
        let s = err.to_string();
        if s.contains("certificate") || s.contains("InvalidContentType") {
            return Some(s);
        }
        cur = err.source();
    }
    None
}

fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.len() > 300 {
        format!("{}…", &s[..s.floor_char_boundary(300)])
    } else {
        s
    }
}

/// After a 429, one more request for the manifest's headers, to say when to retry:
/// `Retry-After`, or Docker Hub's `ratelimit-limit`/`ratelimit-remaining`.
pub(super) async fn retry_hint(
    reference: &Reference,
    token: Option<&str>,
    plain_http: bool,
) -> String {
    let scheme = if plain_http { "http" } else { "https" };
    let url = format!(
        "{scheme}://{}/v2/{}/manifests/{}",
        reference.resolve_registry(),
        reference.repository(),
        reference.digest().or(reference.tag()).unwrap_or("latest")
    );
    let Ok(http) =
        super::http_client_with(reqwest::Client::builder().timeout(Duration::from_secs(10)))
    else {
        return String::new();
    };
    let mut req = http.head(&url).header("Accept", ACCEPT.join(", "));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(_) => return "; retry later".into(),
    };
    let h = resp.headers();
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut out = String::new();
    if let Some(limit) = get("ratelimit-limit") {
        out.push_str(&format!("; limit {}", describe_limit(&limit)));
    }
    if let Some(ra) = get("retry-after") {
        match ra.trim().parse::<u64>() {
            Ok(secs) => out.push_str(&format!("; retry in {}", human_secs(secs))),
            Err(_) => out.push_str(&format!("; retry after {ra}")),
        }
    } else if let Some(reset) = get("ratelimit-reset").and_then(|r| r.trim().parse::<u64>().ok()) {
        out.push_str(&format!("; the limit resets in {}", human_secs(reset)));
    } else {
        out.push_str("; retry later, or log in for a higher limit");
    }
    out
}

/// `100;w=21600` → `100 per 6 h`.
fn describe_limit(v: &str) -> String {
    let mut parts = v.split(';');
    let n = parts.next().unwrap_or("").trim();
    let window = parts
        .find_map(|p| p.trim().strip_prefix("w="))
        .and_then(|w| w.parse::<u64>().ok());
    match window {
        Some(w) => format!("{n} per {}", human_secs(w)),
        None => n.to_string(),
    }
}

fn human_secs(s: u64) -> String {
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h", s.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_words() {
        assert_eq!(describe_limit("100;w=21600"), "100 per 6 h");
        assert_eq!(human_secs(90), "90 s");
        assert_eq!(human_secs(600), "10 min");
    }
}
