//! Engines, registries and the cache as the command line sets them up (`LiveArgs`), shared
//! by the front ends that read live images (one image, compare, slim, fleet).

use crate::cli::{DaemonReadArg, LiveArgs, SourceArg};
use anyhow::{Context, Result, bail};
use microscope::cache::Cache;
use microscope::image::Platform;
use microscope::report::escape;
use microscope::source::{Credentials, DaemonRead, LiveSource, Notify, SourceOptions};
use microscope::units;
use std::sync::Arc;

/// Source options from the command line: credentials, insecure registries, the cache.
pub fn live_options(live: &LiveArgs, platform: Option<Platform>) -> Result<SourceOptions> {
    let credentials = match (&live.username, live.password_stdin) {
        (Some(user), true) => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("--password-stdin: cannot read standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            if password.is_empty() {
                bail!("--password-stdin: standard input holds no password");
            }
            Some(Credentials {
                username: user.clone(),
                password,
            })
        }
        _ => None,
    };
    let cache = if live.no_cache {
        None
    } else {
        let limit = cache_size(&live.cache_size)?;
        match Cache::open_default(limit) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                eprintln!("microscope: running without a cache: {e}");
                None
            }
        }
    };
    Ok(SourceOptions {
        platform,
        prefer: live.source.map(|s| match s {
            SourceArg::Daemon => LiveSource::Docker,
            SourceArg::Podman => LiveSource::Podman,
            SourceArg::Registry => LiveSource::Registry,
        }),
        credentials,
        insecure_registries: live.insecure_registry.clone(),
        cache,
        // One image's analysis turns it on (`analyze`); not a fleet, whose shared scans
        // decide which layers are read, nor compare, which reads one image after the other.
        early_layers: false,
        stall_timeout: Some(std::time::Duration::from_secs(live.stall_timeout)),
        no_verify: false,
        daemon_read: match live.daemon_read {
            DaemonReadArg::Auto => DaemonRead::Auto,
            DaemonReadArg::Storage => DaemonRead::Storage,
            DaemonReadArg::Export => DaemonRead::Export,
        },
        // The interactive app drops it: the terminal is its screen then.
        notify: Some(Notify(Arc::new(|what: &str| {
            eprintln!("microscope: {}", escape::text(what))
        }))),
    })
}

/// `--cache-size`, read by the one size parser (crate::units): `500M` is 500 MB.
pub fn cache_size(raw: &str) -> Result<u64> {
    units::parse_size(raw).map_err(|why| anyhow::anyhow!("--cache-size {raw:?}: {why}"))
}

/// `--timeout`: after `secs`, one line and exit 2, whatever is running. Reports are
/// written whole at the end (a file by rename), so nothing half-written is left behind.
pub(crate) fn watchdog(secs: Option<u64>) {
    let Some(secs) = secs else { return };
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(secs));
        eprintln!("microscope: gave up after {secs} s (--timeout {secs})");
        std::process::exit(2);
    });
}
