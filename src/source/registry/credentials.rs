//! Registry credentials as the docker CLI keeps them: `$DOCKER_CONFIG/config.json` (default
//! `~/.docker/config.json`) with `auths` (base64 `user:password`, or an `identitytoken`),
//! `credHelpers` (per registry) and `credsStore` (for all), the latter two by running
//! `docker-credential-NAME get` with the server address on standard input.

use super::super::Credentials;
use base64::Engine;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Basic(Credentials),
    /// An identity (refresh) token, sent as a bearer token.
    Token(String),
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    username: String,
    secret: String,
}

/// The docker CLI's config directory.
pub fn docker_config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker"))
}

/// The keys the docker CLI may have stored a registry's credentials under.
fn keys_for(registry: &str) -> Vec<String> {
    if is_docker_hub(registry) {
        return [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
            "https://registry-1.docker.io",
        ]
        .map(String::from)
        .to_vec();
    }
    vec![
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ]
}

pub fn is_docker_hub(registry: &str) -> bool {
    matches!(
        registry,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// Why docker's credentials could not be looked up: the user configured them, so a failure
/// is said rather than taken as "none".
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} cannot be parsed")]
    Parse {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// An `auths` entry whose `auth` is not base64 of UTF-8 `user:password`.
    #[error("{path}: an `auth` entry is not {expected}")]
    AuthEntry {
        path: String,
        expected: &'static str,
    },
    #[error("credential helper name {0:?} is not valid")]
    HelperName(String),
    #[error("cannot run {program} (configured in docker's config.json)")]
    HelperStart {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{program} failed")]
    HelperWait {
        program: String,
        #[source]
        source: std::io::Error,
    },
    /// The helper's exit status and what it printed.
    #[error("{program} get failed ({status}): {said}")]
    HelperRefused {
        program: String,
        status: std::process::ExitStatus,
        said: String,
    },
    #[error("{program} get printed something that is not its JSON")]
    HelperReply {
        program: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Largest docker `config.json` read (a few KiB in practice, more with many registries).
const MAX_CONFIG: u64 = 4 << 20;

/// Looks up credentials for `registry` (`host[:port]`); Ok(None) when there are none.
/// A helper that fails is an error: the user configured it and should hear why.
pub fn lookup(registry: &str) -> Result<Option<Found>, CredentialsError> {
    let Some(dir) = docker_config_dir() else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let raw = match super::super::regular::read_at_most(&path, MAX_CONFIG) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CredentialsError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let config: DockerConfig =
        serde_json::from_slice(&raw).map_err(|source| CredentialsError::Parse {
            path: path.display().to_string(),
            source,
        })?;
    // Never empty (both branches of `keys_for` list several), so `keys[0]` is there.
    let keys = keys_for(registry);
    if let Some(helper) = keys.iter().find_map(|k| config.cred_helpers.get(k)) {
        return run_helper(helper, &keys[0]);
    }
    for key in &keys {
        if let Some(entry) = config.auths.get(key)
            && let Some(found) = decode_entry(entry, &path)?
        {
            return Ok(Some(found));
        }
    }
    if let Some(store) = &config.creds_store {
        return run_helper(store, &keys[0]);
    }
    Ok(None)
}

fn decode_entry(
    entry: &AuthEntry,
    path: &std::path::Path,
) -> Result<Option<Found>, CredentialsError> {
    let not = |expected| CredentialsError::AuthEntry {
        path: path.display().to_string(),
        expected,
    };
    if let Some(token) = entry.identity_token.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(Found::Token(token.clone())));
    }
    if let Some(auth) = entry.auth.as_ref().filter(|a| !a.is_empty()) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| not("base64"))?;
        let text = String::from_utf8(bytes).map_err(|_| not("UTF-8"))?;
        let (user, pass) = text.split_once(':').ok_or_else(|| not("user:password"))?;
        return Ok(Some(Found::Basic(Credentials {
            username: user.to_string(),
            password: pass.to_string(),
        })));
    }
    if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
        return Ok(Some(Found::Basic(Credentials {
            username: u.clone(),
            password: p.clone(),
        })));
    }
    Ok(None)
}

/// `docker-credential-NAME get`, server address on stdin, JSON on stdout.
fn run_helper(name: &str, server: &str) -> Result<Option<Found>, CredentialsError> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(CredentialsError::HelperName(name.to_string()));
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| CredentialsError::HelperStart {
            program: program.clone(),
            source,
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|source| CredentialsError::HelperWait {
            program: program.clone(),
            source,
        })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout);
        // "credentials not found in native keychain" is how helpers say "none".
        if msg.to_ascii_lowercase().contains("not found") {
            return Ok(None);
        }
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(CredentialsError::HelperRefused {
            program,
            status: out.status,
            said: format!("{msg} {err}").trim().to_string(),
        });
    }
    let reply: HelperReply =
        serde_json::from_slice(&out.stdout).map_err(|source| CredentialsError::HelperReply {
            program: program.clone(),
            source,
        })?;
    if reply.username == "<token>" {
        return Ok(Some(Found::Token(reply.secret)));
    }
    Ok(Some(Found::Basic(Credentials {
        username: reply.username,
        password: reply.secret,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn auth_entries_decode() -> TestResult {
        let entry = AuthEntry {
            auth: Some(base64::engine::general_purpose::STANDARD.encode("u:p:q")),
            ..Default::default()
        };
        assert_eq!(
            decode_entry(&entry, std::path::Path::new("c"))?,
            Some(Found::Basic(Credentials {
                username: "u".into(),
                password: "p:q".into()
            }))
        );
        let bad = AuthEntry {
            auth: Some("!!".into()),
            ..Default::default()
        };
        let e = decode_entry(&bad, std::path::Path::new("c"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not base64"), "{e}");
        Ok(())
    }

    #[test]
    fn docker_hub_keys() {
        assert_eq!(
            keys_for("index.docker.io")[0],
            "https://index.docker.io/v1/"
        );
        assert_eq!(keys_for("127.0.0.1:5001")[0], "127.0.0.1:5001");
        let e = run_helper("../evil", "x").unwrap_err().to_string();
        assert!(e.contains("is not valid"), "{e}");
    }
}
