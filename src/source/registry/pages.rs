//! One paged list of a registry — the catalog, or one repository's tags — read with bounds,
//! as manifests are (`bounded.rs`): a page is read to at most [`MAX_PAGE`] bytes, a list to
//! at most [`Limits::max_pages`] pages, no wait for the next byte is longer than
//! `--stall-timeout`, and a `Link` to the next page is followed only on the registry's own
//! scheme, host and port. oci-client read these pages whole and did not show the `Link`.

use super::super::{RegistryError, SourceError};
use super::bounded::{Http, error_answer};
use super::errors::{Ctx, map_error};
use super::session::same_origin;
use oci_client::errors::OciDistributionError;
use reqwest::Url;
use std::time::Duration;

/// Largest page of a list taken from a registry: a manifest's bound. At 100 names a page
/// (what microscope asks for) a page is a few KiB.
pub(super) const MAX_PAGE: u64 = 4 << 20;
/// Longest repository name or tag kept: the distribution registry's limit for a whole
/// repository name (a tag's is 128).
pub(super) const MAX_NAME: usize = 255;

/// How a list is paged, and where a registry that pages forever is stopped.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Names asked for per page (`n`); registries may answer fewer.
    pub page: usize,
    /// Pages read for one list (the catalog, or one repository's tags).
    pub max_pages: usize,
    /// Repositories, and images (`REPO:TAG`), kept by one listing: what matched the globs.
    pub max_kept: usize,
}

impl Default for Limits {
    /// 10,000 pages of 100 is a million names in one list; 100,000 repositories or images is
    /// a hundred times the largest fleet asked about (900 images), in about 30 MiB at most.
    fn default() -> Limits {
        Limits {
            page: 100,
            max_pages: 10_000,
            max_kept: 100_000,
        }
    }
}

/// One list being read: where from, and how it is worded in errors.
pub(super) struct List<'a> {
    pub http: &'a Http,
    pub ctx: &'a Ctx<'a>,
    pub stall: Duration,
    /// `the catalog`, `the tags of REPO`.
    pub what: String,
    /// `repositories` or `tags`: the JSON field holding the names.
    pub field: &'static str,
    /// Whether a name is one (a repository name, a tag): names go into URLs and references.
    pub valid: fn(&str) -> bool,
}

impl List<'_> {
    /// Every name of the list from `first` on, each handed to `keep` once, in the order the
    /// registry gives them. Pages follow the `Link` the registry sends; without one (some
    /// registries send none), the next page is asked with `last` until a page brings no new
    /// name. A registry that sent a `Link` and then none has said the list ends there, as
    /// the distribution spec says.
    pub async fn walk(
        &self,
        first: Url,
        limits: &Limits,
        keep: &mut dyn FnMut(String) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let mut url = first.clone();
        let mut last: Option<String> = None;
        let mut linked = false;
        for number in 1..=limits.max_pages {
            let (names, next) = self.page(&url, number).await?;
            let mut fresh = false;
            for name in names {
                // Names come in lexical order; one not past the last page's end is a page
                // answered again (a registry that ignores `last`).
                if last.as_ref().is_some_and(|l| name <= *l) {
                    continue;
                }
                if name.len() > MAX_NAME {
                    return Err(self.refuse(format!(
                        "holds a name of {} bytes, more than {MAX_NAME}, the limit for a name",
                        name.len()
                    )));
                }
                if !(self.valid)(&name) {
                    let kind = self
                        .field
                        .trim_end_matches('s')
                        .replace("repositorie", "repository");
                    return Err(self.refuse(format!("holds {name:?}, not a {kind} name")));
                }
                last = Some(name.clone());
                fresh = true;
                keep(name)?;
            }
            url = match (next, &last) {
                _ if !fresh => return Ok(()),
                (Some(next), _) => {
                    linked = true;
                    self.follow(&url, &next)?
                }
                (None, _) if linked => return Ok(()),
                (None, Some(last)) => with_last(&first, last),
                (None, None) => return Ok(()),
            };
        }
        Err(self.refuse(format!(
            "goes on past {} pages, the limit for one list (a registry that pages forever?)",
            limits.max_pages
        )))
    }

    /// The next page's URL from a `Link` header, refused unless it is on the registry
    /// itself: a hostile registry must not send microscope, or its credentials, elsewhere.
    fn follow(&self, current: &Url, link: &str) -> Result<Url, SourceError> {
        let next = current.join(link).map_err(|e| {
            self.refuse(format!("names its next page as {link:?}, not a URL ({e})"))
        })?;
        if !same_origin(current, &next) {
            return Err(self.refuse(format!(
                "names its next page at {next}, on another host; microscope reads pages only \
                 from the registry itself"
            )));
        }
        Ok(next)
    }

    /// One page: its names and the `Link` to the next, if any.
    async fn page(
        &self,
        url: &Url,
        number: usize,
    ) -> Result<(Vec<String>, Option<String>), SourceError> {
        let req = self.http.authorize(self.http.client.get(url.clone()));
        let resp = tokio::time::timeout(self.stall, req.send())
            .await
            .map_err(|_| self.stalled(number, 0))?
            .map_err(|e| match e.is_timeout() {
                // The client's read timeout is the same stall, met first.
                true => self.stalled(number, 0),
                false => map_error(OciDistributionError::RequestError(e), self.ctx),
            })?;
        if resp.status() != reqwest::StatusCode::OK {
            return Err(error_answer(resp, self.ctx).await);
        }
        let next = next_link(resp.headers());
        let body = self.read(resp, number).await?;
        let names = names_of(&body, self.field).ok_or_else(|| {
            self.refuse(format!(
                "page {number} is not a JSON list of {}",
                self.field
            ))
        })?;
        Ok((names, next))
    }

    /// The body of page `number`, refused past [`MAX_PAGE`] or after `stall` without a byte.
    async fn read(
        &self,
        mut resp: reqwest::Response,
        number: usize,
    ) -> Result<Vec<u8>, SourceError> {
        let too_large = || {
            self.refuse(format!(
                "page {number} is larger than {} MiB, the limit for a page",
                MAX_PAGE >> 20
            ))
        };
        if resp.content_length().is_some_and(|n| n > MAX_PAGE) {
            return Err(too_large());
        }
        let mut out = Vec::new();
        loop {
            let chunk = tokio::time::timeout(self.stall, resp.chunk())
                .await
                .map_err(|_| self.stalled(number, out.len()))?
                .map_err(|e| match e.is_timeout() {
                    true => self.stalled(number, out.len()),
                    false => SourceError::RemoteBecause {
                        what: format!(
                            "registry {}: {} page {number} cannot be read",
                            self.ctx.registry, self.what
                        ),
                        source: e.into(),
                    },
                })?;
            let Some(chunk) = chunk else {
                return Ok(out);
            };
            if out.len() as u64 + chunk.len() as u64 > MAX_PAGE {
                return Err(too_large());
            }
            out.extend_from_slice(&chunk);
        }
    }

    fn stalled(&self, number: usize, got: usize) -> SourceError {
        RegistryError::Stalled {
            registry: self.ctx.registry.to_string(),
            secs: self.stall.as_secs(),
            what: self.what.to_string(),
            page: number,
            got,
        }
        .into()
    }

    /// What is wrong with the list, as the registry's fault, in one line.
    fn refuse(&self, why: String) -> SourceError {
        RegistryError::Answer {
            registry: self.ctx.registry.to_string(),
            what: format!("{} {why}", self.what),
        }
        .into()
    }
}

/// `first` asking for the page after `last` (`first` already says `n`).
fn with_last(first: &Url, last: &str) -> Url {
    let mut url = first.clone();
    url.query_pairs_mut().append_pair("last", last);
    url
}

/// The target of the `Link` header's `rel="next"`, as written (a path, or a whole URL).
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.trim().strip_prefix('<')?.split_once('>')?;
            let next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
            });
            next.then(|| target.to_string())
        })
}

/// The names under `field` of a page: `{"repositories": [...]}` or `{"name": …, "tags":
/// [...]}`; `null` (a repository without tags) is none.
fn names_of(body: &[u8], field: &str) -> Option<Vec<String>> {
    let mut page: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    match page.remove(field) {
        None | Some(serde_json::Value::Null) => Some(Vec::new()),
        Some(v) => serde_json::from_value(v).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_are_found_among_others() {
        let mut h = reqwest::header::HeaderMap::new();
        h.append(
            reqwest::header::LINK,
            r#"</v2/_catalog?last=b&n=2>; rel="next""#
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/_catalog?last=b&n=2"));
        let mut h = reqwest::header::HeaderMap::new();
        h.append(
            reqwest::header::LINK,
            r#"<http://a/prev>; rel="prev", <http://a/next>; rel=next"#
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(next_link(&h).as_deref(), Some("http://a/next"));
        assert_eq!(next_link(&reqwest::header::HeaderMap::new()), None);
    }

    #[test]
    fn pages_name_their_names_or_none() {
        let names = |b: &[u8], f| names_of(b, f);
        assert_eq!(
            names(br#"{"repositories":["a","b"]}"#, "repositories"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(names(br#"{"name":"a","tags":null}"#, "tags"), Some(vec![]));
        assert_eq!(names(br#"{"name":"a"}"#, "tags"), Some(vec![]));
        assert_eq!(names(br#"{"tags":[1]}"#, "tags"), None);
        assert_eq!(names(b"[]", "tags"), None);
    }
}
