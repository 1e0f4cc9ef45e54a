//! Who we are to a registry, and whether it is spoken to over plain HTTP.

use super::super::{RegistryError, SourceError, SourceOptions};
use super::credentials;
use oci_client::secrets::RegistryAuth;

/// Credentials: the command line's, else docker's config, else anonymous.
pub(super) fn auth_for(
    host: &str,
    resolved: &str,
    opts: &SourceOptions,
) -> Result<(RegistryAuth, bool), SourceError> {
    if let Some(c) = &opts.credentials {
        return Ok((
            RegistryAuth::Basic(c.username.clone(), c.password.clone()),
            true,
        ));
    }
    let found = credentials::lookup(host).or_else(|e| {
        if host != resolved {
            credentials::lookup(resolved)
        } else {
            Err(e)
        }
    })?;
    Ok(match found {
        Some(credentials::Found::Basic(c)) => (RegistryAuth::Basic(c.username, c.password), true),
        Some(credentials::Found::Token(t)) => (RegistryAuth::Bearer(t), true),
        None => (RegistryAuth::Anonymous, false),
    })
}

/// Where Basic credentials may go. A registry's `WWW-Authenticate` names the realm that
/// hands out tokens, and the token request carries the user's Basic credentials. Docker
/// sends them to any realm; microscope sends them only to the registry's own host or to a
/// realm over HTTPS (a plain-HTTP realm on another host would put the password on the wire
/// to a host the user never named). Checked before oci-client asks for a token.
pub(super) async fn check_realm(
    http: &reqwest::Client,
    scheme: &str,
    registry: &str,
) -> Result<(), SourceError> {
    let Ok(resp) = http.get(format!("{scheme}://{registry}/v2/")).send().await else {
        return Ok(()); // unreachable: oci-client says so in its own words
    };
    let Some(challenge) = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let Some(realm) = realm_of(challenge) else {
        return Ok(());
    };
    let Ok(url) = reqwest::Url::parse(&realm) else {
        return Ok(());
    };
    let own = registry.rsplit_once(':').map_or(registry, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            registry
        }
    });
    let same_host = url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(own));
    if url.scheme() == "https" || same_host {
        return Ok(());
    }
    Err(RegistryError::UnsafeRealm {
        registry: registry.to_string(),
        realm,
    }
    .into())
}

/// `realm="…"` of a `Bearer` challenge.
fn realm_of(challenge: &str) -> Option<String> {
    let rest = challenge.trim().strip_prefix("Bearer ")?;
    let at = rest.find("realm=\"")? + "realm=\"".len();
    let end = rest[at..].find('"')?;
    Some(rest[at..at + end].to_string())
}

/// `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        registry.rsplit_once(':').map_or(registry, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                registry
            }
        })
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "docker.io",
            "10.0.0.1:5000",
            "localhost.example.com",
            "[::2]:1",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
