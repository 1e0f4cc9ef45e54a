//! Which images a registry holds: the catalog of repositories and each one's tags, page by
//! page, filtered by globs as the pages come (only what matches is kept). Each list is read
//! with the bounds of [`super::pages`].

use super::super::{RegistryError, SourceError};
use super::bounded::Http;
use super::errors::Ctx;
use super::pages::{Limits, List};
use super::session::Session;
use globset::GlobMatcher;
use reqwest::Url;

impl Session {
    /// Every `REPO:TAG` whose repository matches `repos` and tag matches `tags`, sorted.
    pub fn list_images(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
    ) -> Result<Vec<(String, String)>, SourceError> {
        self.list_images_within(repos, tags, &Limits::default())
    }

    /// [`Self::list_images`], asking `page` names at a time (tests page by 2).
    pub fn list_images_paged(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
        page: usize,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let limits = Limits {
            page,
            ..Limits::default()
        };
        self.list_images_within(repos, tags, &limits)
    }

    /// [`Self::list_images`] within `limits` (tests reach them with small ones).
    pub fn list_images_within(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let limits = Limits {
            page: limits.page.max(1),
            ..*limits
        };
        self.rt.block_on(self.list(repos, tags, &limits))
    }

    async fn list(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let base =
            Url::parse(&format!("{}://{}/v2/", self.scheme(), self.host())).map_err(|e| {
                SourceError::RemoteBecause {
                    what: format!("registry {} makes no URL", self.registry),
                    source: e.into(),
                }
            })?;
        let ctx = self.ctx();
        let mut matched = Vec::new();
        let catalog = self.http_for("registry:catalog:*").await?;
        let list = self.list_of(&catalog, &ctx, "the catalog".into(), "repositories");
        let first = page_url(&base, "_catalog", limits.page)?;
        list.walk(first, limits, &mut |repo| {
            if repos.is_match(&repo) {
                too_many(&matched, limits, self, "repositories")?;
                matched.push(repo);
            }
            Ok(())
        })
        .await?;
        let mut out = Vec::new();
        for repo in matched {
            let http = self.http_for(&format!("repository:{repo}:pull")).await?;
            let list = self.list_of(&http, &ctx, format!("the tags of {repo}"), "tags");
            let first = page_url(&base, &format!("{repo}/tags/list"), limits.page)?;
            list.walk(first, limits, &mut |tag| {
                if tags.is_match(&tag) {
                    too_many(&out, limits, self, "images (REPO:TAG)")?;
                    out.push((repo.clone(), tag));
                }
                Ok(())
            })
            .await?;
        }
        out.sort();
        Ok(out)
    }

    fn list_of<'a>(
        &self,
        http: &'a Http,
        ctx: &'a Ctx<'a>,
        what: String,
        field: &'static str,
    ) -> List<'a> {
        List {
            http,
            ctx,
            stall: self.stall,
            what,
            field,
            valid: if field == "tags" {
                super::name::is_tag
            } else {
                super::name::is_repository
            },
        }
    }
}

/// `/v2/PATH?n=N` on the registry.
fn page_url(base: &Url, path: &str, n: usize) -> Result<Url, SourceError> {
    let mut url = base.join(path).map_err(|e| SourceError::RemoteBecause {
        what: format!("{base}{path} is not a URL"),
        source: e.into(),
    })?;
    url.query_pairs_mut().append_pair("n", &n.to_string());
    Ok(url)
}

/// Refuses one more entry once `kept` holds the limit.
fn too_many<T>(kept: &[T], limits: &Limits, s: &Session, what: &str) -> Result<(), SourceError> {
    if kept.len() < limits.max_kept {
        return Ok(());
    }
    Err(RegistryError::Answer {
        registry: s.registry.to_string(),
        what: format!(
            "more than {} {what} match, the limit for one listing; narrow --repo or --tags",
            limits.max_kept
        ),
    }
    .into())
}
