//! Real engines and registries (`.ci/run` starts them; each test says when it skips):
//! Docker and Podman, registries with and without auth, redirects, the fleet, compare with
//! a live side and the app's cache.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod app_cache;
mod compare;
mod daemon;
mod fleet;
mod redirect;
mod registry;
mod registry_cache;
mod storage;
