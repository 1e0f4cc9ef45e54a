//! The token exchange, done here with a bounded read: oci-client reads the token server's
//! answer, and its error answers, whole, so an endless body filled memory. The token is
//! then handed to oci-client, which uses a bearer token as given. Same requests as
//! oci-client's: the registry's `/v2/` challenge, then the realm with `scope` and
//! `service`, with the Basic credentials when there are some.

use super::super::{RegistryError, SourceError};
use super::bounded::{MAX_ERROR_BODY, MAX_TOKEN, from_registry, read_capped};
use super::errors::{Ctx, map_error};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};

/// A bearer token for `op` on `reference`'s repository from the realm the registry names.
/// None when the registry asks for none (no challenge, or a Basic one): oci-client then
/// goes on as before, reading no body.
pub(super) async fn bearer(
    http: &reqwest::Client,
    scheme: &str,
    reference: &Reference,
    auth: &RegistryAuth,
    op: RegistryOperation,
    ctx: &Ctx<'_>,
) -> Result<Option<RegistryAuth>, SourceError> {
    let scope = scope(reference, op);
    bearer_for(
        http,
        scheme,
        reference.resolve_registry(),
        &scope,
        auth,
        ctx,
    )
    .await
}

/// The scope a token for `op` on `reference`'s repository is asked for.
pub(super) fn scope(reference: &Reference, op: RegistryOperation) -> String {
    match op {
        RegistryOperation::Pull => format!("repository:{}:pull", reference.repository()),
        RegistryOperation::Push => format!("repository:{}:pull,push", reference.repository()),
    }
}

/// [`bearer`] for any `scope` (`registry:catalog:*` lists the catalog) on `registry`
/// (`HOST[:PORT]` as resolved).
pub(super) async fn bearer_for(
    http: &reqwest::Client,
    scheme: &str,
    registry: &str,
    scope: &str,
    auth: &RegistryAuth,
    ctx: &Ctx<'_>,
) -> Result<Option<RegistryAuth>, SourceError> {
    if let RegistryAuth::Bearer(_) = auth {
        return Ok(None);
    }
    let Ok(resp) = http.get(format!("{scheme}://{registry}/v2/")).send().await else {
        return Ok(None); // unreachable: oci-client says so in its own words
    };
    let Some(challenge) = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return Ok(None);
    };
    drop(resp);
    from_challenge(http, &challenge, registry, scope, auth, ctx).await
}

/// A bearer token for `scope` from the realm a registry's `challenge` (its
/// `WWW-Authenticate`) names; None for a challenge that names none (Basic).
pub(super) async fn from_challenge(
    http: &reqwest::Client,
    challenge: &str,
    registry: &str,
    scope: &str,
    auth: &RegistryAuth,
    ctx: &Ctx<'_>,
) -> Result<Option<RegistryAuth>, SourceError> {
    let Some(realm) = param(challenge, "realm") else {
        return Ok(None);
    };
    // The same challenge decides where Basic credentials may go: one request to `/v2/`
    // where there were two (a round trip less before the manifest).
    if let RegistryAuth::Basic(..) = auth {
        super::auth::check_realm(&realm, registry)?;
    }
    let mut query = vec![("scope", scope.to_string())];
    if let Some(s) = param(challenge, "service") {
        query.push(("service", s));
    }
    let mut req = http.get(&realm).query(&query);
    if let RegistryAuth::Basic(u, p) = auth {
        req = req.basic_auth(u, Some(p));
    }
    let mut resp = req
        .send()
        .await
        .map_err(|e| map_error(OciDistributionError::RequestError(e), ctx))?;
    if resp.status() != reqwest::StatusCode::OK {
        let what = format!("the error answer of token server {realm}");
        let body = read_capped(&mut resp, MAX_ERROR_BODY, &what)
            .await
            .map_err(|e| from_registry(e, ctx))?;
        let reason = String::from_utf8_lossy(&body).into_owned();
        return Err(map_error(
            OciDistributionError::AuthenticationFailure(reason),
            ctx,
        ));
    }
    let what = format!("the token from {realm}");
    let body = read_capped(&mut resp, MAX_TOKEN, &what)
        .await
        .map_err(|e| from_registry(e, ctx))?;
    let token = token_of(&body).ok_or_else(|| {
        SourceError::from(RegistryError::Answer {
            registry: ctx.registry.to_string(),
            what: format!("{what} is not a JSON object with a token"),
        })
    })?;
    Ok(Some(RegistryAuth::Bearer(token)))
}

/// `token` (or OAuth's `access_token`) of a token server's answer.
fn token_of(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let t = v.get("token").or_else(|| v.get("access_token"))?;
    t.as_str().filter(|t| !t.is_empty()).map(str::to_string)
}

/// `name="…"` of a `Bearer` challenge.
pub(super) fn param(challenge: &str, name: &str) -> Option<String> {
    let rest = challenge.trim();
    let rest = rest
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("bearer "))
        .map(|_| &rest[7..])?;
    let key = format!("{name}=\"");
    let mut from = 0;
    // The name must start a parameter (`realm=` inside another value does not count).
    let at = loop {
        let i = from + rest.get(from..)?.find(&key)?;
        if i == 0 || matches!(rest.as_bytes()[i - 1], b',' | b' ') {
            break i + key.len();
        }
        from = i + 1;
    };
    let end = rest[at..].find('"')?;
    Some(rest[at..at + end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_parameters_and_tokens() {
        let c = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#;
        assert_eq!(
            param(c, "realm").as_deref(),
            Some("https://auth.docker.io/token")
        );
        assert_eq!(param(c, "service").as_deref(), Some("registry.docker.io"));
        assert_eq!(param(r#"Basic realm="x""#, "realm"), None);
        assert_eq!(
            param(r#"Bearer service="realm=\"x",realm="y""#, "realm").as_deref(),
            Some("y")
        );
        assert_eq!(token_of(br#"{"access_token":"a"}"#).as_deref(), Some("a"));
        assert_eq!(
            token_of(br#"{"token":"t","access_token":"a"}"#).as_deref(),
            Some("t")
        );
        assert_eq!(token_of(b"[]"), None);
    }
}
