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
/// to a host the user never named). Checked on the realm the token request is about to go
/// to ([`super::token::bearer_for`]), from the one challenge it read.
pub(super) fn check_realm(realm: &str, registry: &str) -> Result<(), SourceError> {
    let Ok(url) = reqwest::Url::parse(realm) else {
        return Ok(()); // not a URL: the request fails before anything is sent
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
        realm: realm.to_string(),
    }
    .into())
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
    fn basic_credentials_go_to_the_registrys_host_or_over_https() {
        let reg = "127.0.0.1:5001";
        assert!(check_realm("http://127.0.0.1:5003/token", reg).is_ok());
        assert!(check_realm("https://auth.example.com/token", reg).is_ok());
        assert!(check_realm("http://auth.example.com/token", reg).is_err());
        assert!(check_realm("http://localhost:5003/token", reg).is_err());
        assert!(check_realm("HTTP://AUTH.example.com/token", "auth.example.com").is_ok());
    }

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
