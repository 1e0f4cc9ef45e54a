//! Who we are to a registry, and whether it is spoken to over plain HTTP.

use super::super::{SourceError, SourceOptions};
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
    let found = credentials::lookup(host)
        .or_else(|e| {
            if host != resolved {
                credentials::lookup(resolved)
            } else {
                Err(e)
            }
        })
        .map_err(SourceError::Auth)?;
    Ok(match found {
        Some(credentials::Found::Basic(c)) => (RegistryAuth::Basic(c.username, c.password), true),
        Some(credentials::Found::Token(t)) => (RegistryAuth::Bearer(t), true),
        None => (RegistryAuth::Anonymous, false),
    })
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
