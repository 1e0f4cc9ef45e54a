//! Which images a registry holds: the catalog of repositories and each one's tags, page by
//! page (`n` and `last`, as the distribution spec pages them), filtered by globs.

use super::super::SourceError;
use super::session::Session;
use globset::GlobMatcher;

/// Entries asked per page (registries cap it at their own maximum and answer fewer).
const PAGE: usize = 100;
/// A registry that pages forever (or answers the same page again) stops here.
const MAX_PAGES: usize = 10_000;

impl Session {
    /// Every `REPO:TAG` whose repository matches `repos` and tag matches `tags`, sorted.
    pub fn list_images(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
    ) -> Result<Vec<(String, String)>, SourceError> {
        self.list_images_paged(repos, tags, PAGE)
    }

    /// [`Self::list_images`], asking `page` names at a time (tests page by 2).
    pub fn list_images_paged(
        &self,
        repos: &GlobMatcher,
        tags: &GlobMatcher,
        page: usize,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let page = page.max(1);
        let mut out = Vec::new();
        for repo in self.catalog(page)? {
            if !repos.is_match(&repo) {
                continue;
            }
            for tag in self.tags(&repo, page)? {
                if tags.is_match(&tag) {
                    out.push((repo.clone(), tag));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn catalog(&self, n: usize) -> Result<Vec<String>, SourceError> {
        // The catalog is not a repository's, but oci-client asks by a reference.
        let probe = self.reference("library/probe", "latest");
        self.pages(|last| {
            let probe = probe.clone();
            async move {
                self.client
                    .catalog(&probe, &self.auth, Some(n), last.as_deref())
                    .await
                    .map(|r| r.repositories)
            }
        })
    }

    fn tags(&self, repo: &str, n: usize) -> Result<Vec<String>, SourceError> {
        let reference = self.reference(repo, "latest");
        self.pages(|last| {
            let reference = reference.clone();
            async move {
                self.client
                    .list_tags(&reference, &self.auth, Some(n), last.as_deref())
                    .await
                    .map(|r| r.tags)
            }
        })
    }

    /// Pages until one comes back empty or not past the last name seen. A short page does
    /// not end it: registries cap `n` at their own maximum (and say more in a `Link` header
    /// oci-client does not show), so one more request is the price of not stopping early.
    fn pages<F, Fut>(&self, page: F) -> Result<Vec<String>, SourceError>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: std::future::Future<Output = oci_client::errors::Result<Vec<String>>>,
    {
        let mut all: Vec<String> = Vec::new();
        let mut last: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let names = self
                .rt
                .block_on(page(last.clone()))
                .map_err(|e| self.error(e))?;
            let fresh: Vec<String> = names
                .into_iter()
                .filter(|name| last.as_ref().is_none_or(|l| name > l))
                .collect();
            let Some(end) = fresh.last().cloned() else {
                break;
            };
            all.extend(fresh);
            last = Some(end);
        }
        Ok(all)
    }
}
